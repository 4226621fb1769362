"""The layout every statistical return (统计报表) is filed in, as a county bureau files it:
a title row, the reporting unit (填报单位) and the period (统计期间), the boxed table with
its total row, notes, and the lines the office signs (单位负责人, 统计负责人, 填表人,
报出日期). Every return the console offers is written through ``filing_sheet``; the
period's words and the query every return takes live here too.
"""
import calendar
from dataclasses import dataclass, field
from datetime import date

from marshmallow import Schema, fields, validate

from fazhi_common import spreadsheet
from fazhi_common.contracts.api import code_field

SIGNATURES = ("单位负责人：", None, "统计负责人：", None, "填表人：", None, "报出日期：", None)
PERIOD = validate.Regexp(r"^(199\d|20\d\d)(-(0[1-9]|1[0-2]))?$",
                         error="A period is a year (YYYY) or a month (YYYY-MM).")
# figures a return shows as a share are written as percentages
NUMBER, PERCENT = spreadsheet.BOXED, spreadsheet.BOXED_PERCENT


class ReturnQuery(Schema):
    period = fields.String(required=True, validate=PERIOD, metadata={
        "description": "a year (YYYY) or a month (YYYY-MM)"})
    area_code = code_field(metadata={
        "description": "a county or a city in the caller's area; else the caller's area"})


def period_dates(period):
    """``(first day, last day, words)`` of a year or a month."""
    year = int(period[:4])
    if len(period) == 4:
        return date(year, 1, 1), date(year, 12, 31), f"{year}年"
    month = int(period[5:])
    return (date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]),
            f"{year}年{month}月")


def share(part, whole):
    return round(part / whole, 4) if whole else None


@dataclass
class Table:
    """A return's table: ``columns`` (headings), body ``rows`` (the first cell names the
    row), the ``total`` row or None, which columns are shares, and ``notes`` (rows of
    text and figures written under the table)."""

    columns: tuple
    rows: list
    total: list | None = None
    percent: frozenset = frozenset()
    notes: list = field(default_factory=list)

    def styles(self, bold=False):
        plain = spreadsheet.BOXED_BOLD if bold else NUMBER
        return [PERCENT if i in self.percent else plain for i in range(len(self.columns))]


def filing_sheet(book, sheet_name, title, unit_name, period_words, table):
    """Write one sheet of a return into ``book`` (a ``spreadsheet.Workbook``)."""
    width = max(len(table.columns), len(SIGNATURES))
    widths = [20] + [12] * (width - 1)
    with book.sheet(sheet_name, widths) as sheet:
        sheet.row([title], spreadsheet.TITLE)
        sheet.merge_last_row(1, len(table.columns))
        half = max(2, len(table.columns) // 2)
        sheet.row([f"填报单位：{unit_name}", *[None] * (half - 1), f"统计期间：{period_words}"])
        sheet.row(table.columns, spreadsheet.BOXED_BOLD)
        for row in table.rows:
            sheet.row(row, styles=table.styles())
        if table.total is not None:
            sheet.row(table.total, styles=table.styles(bold=True))
        if table.notes:
            sheet.row()
            for note in table.notes:
                sheet.row(note)
        sheet.row()
        sheet.row(SIGNATURES)


def workbook(sheets):
    """The workbook's bytes from ``[(sheet name, title, unit name, period words, table)]``."""
    book = spreadsheet.Workbook()
    for sheet in sheets:
        filing_sheet(book, *sheet)
    return book.content()
