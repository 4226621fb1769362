"""Reading the unit lists offices keep: CSV in UTF-8 or GBK (older office software),
Excel workbooks, Chinese or English headers, kinds written as Chinese labels or not at all.

Turns a file into rows of plain fields (code, name, level, kind, urban_rural_code) and a
row's kind label into the contract's code; ``importing`` checks and writes the rows.
"""
import base64
import codecs
import csv
import io

from fazhi_common.contracts.api import registry as api
from fazhi_common.contracts.errors import ValidationFailed
from registry import domain

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


# -- reading files -----------------------------------------------------------------------

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
    """Rows (dicts with ``line``) from a header row followed by data rows, as they come."""
    table = iter(table)
    try:
        columns = _header_map([str(c) if c is not None else "" for c in next(table)])
    except StopIteration:
        raise ValidationFailed("The file is empty.", {"file": ["empty"]}) from None
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
        yield row


def _text_encoding(binary):
    """UTF-8 (with or without BOM) if the whole stream decodes so; GB18030 (a superset of
    GBK) if that does; read in chunks, so a national list is never held whole."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        binary.seek(0)
        try:
            while chunk := binary.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        binary.seek(0)
        return encoding
    raise ValidationFailed("The file is neither UTF-8 nor GBK text.", {"file": ["encoding"]})


def _xlsx_table(source):
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(source, read_only=True, data_only=True).active
    except Exception:
        raise ValidationFailed("The file is not a readable Excel workbook.",
                               {"file": ["not xlsx"]}) from None
    # Excel keeps long digit strings as numbers when typed in; give them back as text
    return ([int(c) if isinstance(c, float) and c.is_integer() else c for c in row]
            for row in sheet.iter_rows(values_only=True))


class FileRows:
    """The rows of a ``.csv`` or ``.xlsx`` file (a path, or bytes), read afresh on each
    iteration: the import reads the file twice (check, then write) rather than keep it."""

    def __init__(self, filename, path=None, raw=None):
        self.filename, self.path, self.raw = filename, path, raw
        self.xlsx = filename.lower().endswith(".xlsx")
        if not self.xlsx:
            with self._binary() as binary:
                self.encoding = _text_encoding(binary)
        rows = iter(self)  # a file without a header or unreadable fails here, at once
        next(rows, None)
        rows.close()

    def lines_at_most(self):
        """An upper bound of the rows, without reading them (lines, or the sheet's size)."""
        if not self.xlsx:
            with self._binary() as binary:
                return sum(chunk.count(b"\n") for chunk in iter(lambda: binary.read(1 << 20),
                                                                 b"")) + 1
        from openpyxl import load_workbook

        with self._binary() as binary:
            return load_workbook(binary, read_only=True).active.max_row or 0

    def _binary(self):
        return open(self.path, "rb") if self.path is not None else io.BytesIO(self.raw)

    def __iter__(self):
        with self._binary() as binary:
            if self.xlsx:
                yield from rows_from_table(_xlsx_table(binary))
                return
            text = io.TextIOWrapper(binary, encoding=self.encoding, newline="")
            yield from rows_from_table(csv.reader(text))


def read_file(filename, raw):
    """Rows of a ``.csv`` or ``.xlsx`` file given as bytes, as a list."""
    return list(FileRows(filename, raw=raw))


def read_upload(filename, content_base64):
    """The rows of an uploaded file, read from its bytes afresh on each iteration."""
    try:
        raw = base64.b64decode(content_base64, validate=True)
    except ValueError:
        raise ValidationFailed("content_base64 is not base64.",
                               {"content_base64": ["not base64"]}) from None
    return FileRows(filename, raw=raw)


def resolve_kind(level, label, name, urban_rural_code, code=None):
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
