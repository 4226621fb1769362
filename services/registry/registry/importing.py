"""Bulk import and export of unit lists (counties, towns, communities, villages).

Lists arrive as CSV (UTF-8, or GBK from older office software) or Excel, with Chinese or
English headers. An import is all or nothing: every row is checked first, and if any row
is wrong the report names each bad row and field and nothing is written. Importing the
same list twice changes nothing the second time.
"""
import base64
import csv
import io

from sqlalchemy import select

from fazhi_common.api import registry as api
from fazhi_common.division import Division, InvalidDivision
from fazhi_common.errors import ValidationFailed
from fazhi_common.events import area_of
from fazhi_common.outbox import record_event
from registry import domain
from registry.models import Community, County, Town
from registry.operations import community_record

HEADER_ALIASES = {
    "code": ("code", "统计用区划代码", "区划代码", "代码"),
    "name": ("name", "名称", "单位名称"),
    "level": ("level", "层级", "级别"),
    "kind": ("kind", "类型", "类别"),
    "urban_rural_code": ("urban_rural_code", "城乡分类代码", "城乡分类", "城乡代码"),
}
LEVELS = (domain.COUNTY, domain.TOWN, domain.COMMUNITY)
KINDS_BY_LEVEL = {
    domain.COUNTY: api.COUNTY_KINDS,
    domain.TOWN: api.TOWN_KINDS,
    domain.COMMUNITY: api.UNIT_KINDS,
}
# How offices write a unit's kind, by level. 社区/居委会 is an urban or a rural community by
# the NBS urban-rural classification code where the list carries it (1xx towns and cities,
# 2xx countryside), an urban community where it does not.
KIND_LABELS = {
    domain.COUNTY: {
        "市辖区": "district", "区": "district", "县": "county", "自治县": "county",
        "旗": "county", "自治旗": "county", "林区": "county", "特区": "county",
        "县级市": "county_city", "市": "county_city", "开发区": "development_zone",
        "经济开发区": "development_zone", "经济技术开发区": "development_zone",
        "高新区": "development_zone", "高新技术产业开发区": "development_zone",
    },
    domain.TOWN: {
        "街道": "street", "街道办事处": "street", "镇": "town", "乡": "township",
        "民族乡": "township", "苏木": "township", "民族苏木": "township",
    },
    domain.COMMUNITY: {
        "村": "village", "行政村": "village", "村委会": "village", "村民委员会": "village",
        "城市社区": "urban_community", "农村社区": "rural_community",
    },
}
COMMUNITY_LABELS = ("社区", "居委会", "居民委员会", "社区居委会")
MODELS = {domain.COUNTY: County, domain.TOWN: Town, domain.COMMUNITY: Community}
EXPORT_COLUMNS = ("code", "name", "level", "kind", "parent_code", "status")


# -- reading files -----------------------------------------------------------------------

def decode(raw):
    """UTF-8 (with or without BOM) first; GB18030, a superset of GBK, otherwise."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed("The file is neither UTF-8 nor GBK text.", {"file": ["encoding"]})


def _header_map(header):
    columns = {}
    for index, title in enumerate(header):
        title = (title or "").strip().lower()
        for key, aliases in HEADER_ALIASES.items():
            if title in aliases:
                columns[key] = index
    missing = [k for k in ("code", "name") if k not in columns]
    if missing:
        raise ValidationFailed("The header row lacks required columns.",
                               {"file": [f"missing column: {m}" for m in missing]})
    return columns


def rows_from_table(table):
    """Rows (dicts with ``line``) from a header row followed by data rows."""
    table = iter(table)
    try:
        columns = _header_map([str(c) if c is not None else "" for c in next(table)])
    except StopIteration:
        raise ValidationFailed("The file is empty.", {"file": ["empty"]}) from None
    rows = []
    for line, cells in enumerate(table, start=2):
        cells = ["" if c is None else str(c).strip() for c in cells]
        if not any(cells):
            continue
        row = {"line": line}
        for key, index in columns.items():
            value = cells[index] if index < len(cells) else ""
            row[key] = value or None
        row["code"] = row.get("code") or ""
        row["name"] = row.get("name") or ""
        rows.append(row)
    return rows


def read_file(filename, raw):
    """Rows of a ``.csv`` or ``.xlsx`` file given as bytes."""
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(raw), read_only=True, data_only=True).active
        except Exception:
            raise ValidationFailed("The file is not a readable Excel workbook.",
                                   {"file": ["not xlsx"]}) from None
        # Excel keeps long digit strings as numbers when typed in; give them back as text
        table = ([int(c) if isinstance(c, float) and c.is_integer() else c for c in row]
                 for row in sheet.iter_rows(values_only=True))
        return rows_from_table(table)
    return rows_from_table(csv.reader(io.StringIO(decode(raw))))


def read_upload(filename, content_base64):
    try:
        raw = base64.b64decode(content_base64, validate=True)
    except ValueError:
        raise ValidationFailed("content_base64 is not base64.",
                               {"content_base64": ["not base64"]}) from None
    return read_file(filename, raw)


# -- checking and writing -------------------------------------------------------------------

def resolve_kind(level, label, name, urban_rural_code, code):
    """The kind a row names (English value or Chinese label), or the one it implies."""
    if not label:
        return guess_kind(level, name, urban_rural_code, code)
    if level == domain.COMMUNITY and label in COMMUNITY_LABELS:
        return domain.community_kind(urban_rural_code)
    return KIND_LABELS[level].get(label, label)


def guess_kind(level, name, urban_rural_code=None, code=None):
    """The kind a unit's code or name implies, for lists that carry no kind column.

    A community's NBS number says residents' or villagers' committee; the name decides
    only when the number says neither.
    """
    if level == domain.COUNTY:
        if "开发区" in name or "园区" in name:
            return "development_zone"
        if name.endswith("市"):
            return "county_city"
        return "district" if name.endswith("区") else "county"
    if level == domain.TOWN:
        if name.endswith("街道") or name.endswith("街道办事处"):
            return "street"
        return "township" if name.endswith("乡") else "town"
    by_number = domain.kind_by_numbering(code, urban_rural_code) if code else None
    if by_number:
        return by_number
    village_suffixes = ("村", "村委会", "村民委员会")
    if name.endswith(village_suffixes):
        return api.VILLAGE
    return domain.community_kind(urban_rural_code)


def check_row(row, known_parents):
    """Normalised row, or a dict of field errors. ``known_parents``: codes already valid.

    A normalised row may carry ``warnings`` (field -> problems) that do not stop it.
    """
    errors = {}
    try:
        level = domain.division_level(row["code"])
    except ValidationFailed as exc:
        return None, exc.fields
    if row.get("level") and row["level"] not in LEVELS:
        errors["level"] = [f"one of {', '.join(LEVELS)}"]
    elif row.get("level") and row["level"] != level:
        errors["level"] = [f"the code names a {level}, not a {row['level']}"]
    name = (row.get("name") or "").strip()
    if not name or len(name) > 100:
        errors["name"] = ["a name of 1 to 100 characters is required"]
    urban_rural = row.get("urban_rural_code") or None
    if urban_rural and level != domain.COMMUNITY:
        errors["urban_rural_code"] = ["only a community or village carries one"]
    elif urban_rural and urban_rural not in api.URBAN_RURAL_CODES:
        errors["urban_rural_code"] = [f"one of {', '.join(api.URBAN_RURAL_CODES)}"]
    kind = resolve_kind(level, row.get("kind"), name, urban_rural, row["code"])
    if kind not in KINDS_BY_LEVEL[level]:
        labels = [*KINDS_BY_LEVEL[level], *KIND_LABELS[level]]
        if level == domain.COMMUNITY:
            labels += COMMUNITY_LABELS
        errors["kind"] = [f"a {level} is one of {', '.join(labels)}"]
    # a kind the list states may contradict the numbering: imported, with a warning
    warning = (level == domain.COMMUNITY and row.get("kind")
               and domain.numbering_warning(row["code"], kind))
    parent = domain.parent_code(row["code"])
    if parent and parent not in known_parents:
        errors["code"] = [f"its parent {parent} is neither registered nor earlier in the file"]
    if errors:
        return None, errors
    return {"line": row["line"], "code": row["code"], "name": name, "level": level,
            "kind": kind, "parent": parent, "urban_rural_code": urban_rural,
            "warnings": {"kind": [warning]} if warning else {}}, None


def _no_progress(stage, done, total):
    pass


def _parents_first(row):
    try:
        return Division(row["code"]).depth, row["line"]
    except InvalidDivision:
        return len(LEVELS) + 2, row["line"]  # reported as an error in its turn


def check_rows(session, rows, progress=_no_progress):
    """Check every row; return (normalised rows in parent-first order, errors).

    ``progress(stage, done, total)`` is told how far it got (the command line shows it).
    """
    rows = sorted(rows, key=_parents_first)
    known = set(session.scalars(select(County.code))) | set(session.scalars(select(Town.code)))
    seen, good, errors = set(), [], []
    for done, row in enumerate(rows, start=1):
        if done % 500 == 0 or done == len(rows):
            progress("check", done, len(rows))
        if row["code"] in seen:
            errors.append({"line": row["line"], "code": row["code"],
                           "fields": {"code": ["appears twice in the file"]}})
            continue
        seen.add(row["code"])
        checked, problems = check_row(row, known)
        if problems:
            errors.append({"line": row["line"], "code": row["code"], "fields": problems})
            continue
        if checked["level"] != domain.COMMUNITY:
            known.add(checked["code"])
        good.append(checked)
    errors.sort(key=lambda e: e["line"])
    return good, errors


def _event_for(unit, level):
    if level == domain.COUNTY:
        return "county_registered", {"county_code": unit.code, "name": unit.name,
                                     "kind": unit.kind}
    if level == domain.TOWN:
        return "town_registered", {**area_of(unit.code), "name": unit.name, "kind": unit.kind}
    return "community_registered", community_record(unit)


def _existing_units(session, rows, chunk=500):
    """Units already registered under the rows' codes, fetched in a few queries."""
    found = {}
    for level, model in MODELS.items():
        codes = [r["code"] for r in rows if r["level"] == level]
        for start in range(0, len(codes), chunk):
            query = select(model).where(model.code.in_(codes[start:start + chunk]))
            found.update((unit.code, unit) for unit in session.scalars(query))
    return found


def import_rows(session, rows, dry_run=False, progress=_no_progress):
    """Import unit rows all or nothing; the result counts what happened to each."""
    good, errors = check_rows(session, rows, progress)
    warnings = [{"line": r["line"], "code": r["code"], "fields": r["warnings"]}
                for r in good if r["warnings"]]
    result = {"created": 0, "updated": 0, "unchanged": 0, "failed": len(errors),
              "errors": errors, "warnings": sorted(warnings, key=lambda w: w["line"])}
    if errors or dry_run:
        return result
    existing = _existing_units(session, good)
    towns = {}
    for done, row in enumerate(good, start=1):
        if done % 500 == 0 or done == len(good):
            progress("write", done, len(good))
        model = MODELS[row["level"]]
        unit = existing.get(row["code"])
        if unit is not None:
            # a list without the classification column leaves a unit's code as it was
            urban_rural = (row["urban_rural_code"] or unit.urban_rural_code
                           if row["level"] == domain.COMMUNITY else None)
            if (unit.name, unit.kind) == (row["name"], row["kind"]) and (
                    row["level"] != domain.COMMUNITY or unit.urban_rural_code == urban_rural):
                result["unchanged"] += 1
            else:
                unit.name, unit.kind = row["name"], row["kind"]
                if row["level"] == domain.COMMUNITY:
                    unit.urban_rural_code = urban_rural
                result["updated"] += 1
                if row["level"] == domain.COMMUNITY:
                    record_event(session, "community_updated", community_record(unit))
            continue
        fields = {"code": row["code"], "name": row["name"], "kind": row["kind"]}
        if row["level"] == domain.TOWN:
            fields["county_code"] = row["parent"]
        elif row["level"] == domain.COMMUNITY:
            town = towns.get(row["parent"]) or session.get(Town, row["parent"])
            towns[row["parent"]] = town
            fields.update(town_code=town.code, county_code=town.county_code, status="active",
                          urban_rural_code=row["urban_rural_code"])
        unit = model(**fields)
        session.add(unit)
        if row["level"] != domain.COMMUNITY:
            session.flush()  # the next rows may name it as their parent
        record_event(session, *_event_for(unit, row["level"]))
        result["created"] += 1
    return result


def import_all_or_nothing(session, rows, progress=_no_progress):
    """``import_rows``, raising with the row report if any row is wrong."""
    result = import_rows(session, rows, progress=progress)
    if result["errors"]:
        raise ValidationFailed(
            f"{len(result['errors'])} rows are invalid; nothing was imported.",
            {f"line {e['line']}": e["fields"] for e in result["errors"]})
    return result


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
    writer = csv.writer(stream)
    writer.writerow(("line", "code", "field", "problem"))
    for error in errors:
        for field, problems in sorted(error["fields"].items()):
            for problem in problems:
                writer.writerow((error["line"], error["code"], field, problem))


def write_csv(rows, stream):
    writer = csv.writer(stream)
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow([row[c] or "" for c in EXPORT_COLUMNS])


def write_xlsx(rows, path):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("units")
    sheet.append(list(EXPORT_COLUMNS))
    for row in rows:
        sheet.append([row[c] for c in EXPORT_COLUMNS])
    book.save(path)
