"""Unit lists going out: every unit as rows (Excel or CSV), and an import's row report."""
import shutil

from sqlalchemy import select

from fazhi_common import spreadsheet
from fazhi_common.spreadsheet import csv_writer
from registry import domain
from registry.models import Community, County, Town

EXPORT_COLUMNS = ("code", "name", "level", "kind", "parent_code", "status")


def export_rows(session, county_code=None):
    """Every unit as a row of ``EXPORT_COLUMNS``, counties then towns then communities."""
    def scoped(model, column):
        q = select(model).order_by(model.code)
        return q.where(column == county_code) if county_code else q

    rows = []
    for county in session.scalars(scoped(County, County.code)):
        rows.append([county.code, county.name, domain.COUNTY, county.kind, None, "active"])
    for town in session.scalars(scoped(Town, Town.county_code)):
        rows.append([town.code, town.name, domain.TOWN, town.kind, town.county_code, "active"])
    for unit in session.scalars(scoped(Community, Community.county_code)):
        rows.append([unit.code, unit.name, domain.COMMUNITY, unit.kind, unit.town_code,
                     unit.status])
    return [dict(zip(EXPORT_COLUMNS, r, strict=True)) for r in rows]


def write_error_report(errors, stream):
    """The per-row error report as CSV: line, code, field, problem (one line per problem)."""
    writer = csv_writer(stream)
    writer.writerow(("line", "code", "field", "problem"))
    for error in errors:
        for field, problems in sorted(error["fields"].items()):
            for problem in problems:
                writer.writerow((error["line"], error["code"], field, problem))


def write_csv(rows, stream):
    writer = csv_writer(stream)
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow([row[c] for c in EXPORT_COLUMNS])


def write_xlsx(rows, path):
    book = spreadsheet.Workbook()
    with book.sheet("units") as sheet:
        sheet.row(EXPORT_COLUMNS)
        sheet.rows([row[c] for c in EXPORT_COLUMNS] for row in rows)
    with book.finish() as content, open(path, "wb") as out:
        shutil.copyfileobj(content, out)
