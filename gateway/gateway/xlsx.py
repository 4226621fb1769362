"""The evaluation results as an Excel workbook, written as the pages arrive.

A province's export is ~26,000 result rows and over half a million indicator rows. A
general-purpose writer (openpyxl, even write-only) spends minutes on them, most of it
building one object per cell; this sheet has no styles, formulas or merged cells, so
each row is written straight out as SpreadsheetML (numbers as numbers, text inline)
into the zip package. The results sheet (the ranking, read at once) goes first; the
indicator sheet streams into the package as its pages arrive. The file is spooled to disk
once it grows, so the gateway holds the ranking and a page of indicators at a time.
"""
import re
import tempfile
import zipfile
from xml.sax.saxutils import escape

from fazhi_common.cells import safe_cell, safe_sheet_title

RESULT_COLUMNS = ["排名 rank", "代码 code", "名称 name", "镇街 town", "县区 county",
                  "阶段 stage", "得分 score", "满分 max", "合格线 threshold", "合格 passed",
                  "否决 vetoed"]
INDICATOR_COLUMNS = ["代码 code", "类别 category", "指标 indicator", "类型 kind", "得分 points",
                     "满分 max", "数值 value", "来源 source", "说明 note"]

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHEET_HEAD = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               f'<worksheet xmlns="{_MAIN}"><sheetData>').encode()
_SHEET_TAIL = b"</sheetData></worksheet>"
# characters XML 1.0 cannot carry at all (a pasted control character in a note)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CELLS_KEPT = 200_000  # text cells remembered: names, categories, kinds repeat on every row


class _Known(dict):
    """The cells of the values of one type seen so far: a value met again (a category,
    a source, points) costs one lookup. Only so many are kept."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, value):
        cell = self.make(value)
        if len(self) < _CELLS_KEPT:
            self[value] = cell
        return cell


def _text(value):
    # an inline string is never evaluated, but the file is often saved again as CSV
    text = safe_cell(_NOT_XML.sub("", str(value)))
    # spaces at either end are kept only when asked for (as openpyxl writes them)
    keep = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c t="inlineStr"><is><t{keep}>{escape(text)}</t></is></c>'.encode()


def _number(value):
    return f"<c><v>{value!r}</v></c>".encode()


class _Cells(dict):
    """Values as SpreadsheetML cells (UTF-8), each value converted once: ``cells[type(v)][v]``.
    Kept apart by type, since 1, 1.0 and True are one key to a dict but three cells."""

    def __init__(self):
        super().__init__({type(None): {None: b"<c/>"}, bool: {True: _text("是"),
                                                               False: _text("否")},
                          int: _Known(_number), float: _Known(_number), str: _Known(_text)})

    def __missing__(self, kind):  # anything else is written as its text
        return self.setdefault(kind, _Known(_text))

    def row(self, values):
        return b"<row>" + b"".join([self[type(v)][v] for v in values]) + b"</row>"


def _package_parts(sheet_names):
    sheets = "".join(f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>'
                     for n, name in enumerate(sheet_names, 1))
    sheet_rels = "".join(
        f'<Relationship Id="rId{n}" Type="{_RELS}/worksheet" '
        f'Target="worksheets/sheet{n}.xml"/>' for n in range(1, len(sheet_names) + 1))
    count = len(sheet_names)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
        f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, count + 1))
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return {
        "[Content_Types].xml": (
            f'{head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f'{overrides}</Types>'),
        "_rels/.rels": (
            f'{head}<Relationships xmlns="{_PACKAGE_RELS}"><Relationship Id="rId1" '
            f'Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'{head}<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><sheets>{sheets}</sheets>'
            '</workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'{head}<Relationships xmlns="{_PACKAGE_RELS}">{sheet_rels}<Relationship '
            f'Id="rId{count + 1}" Type="{_RELS}/styles" Target="styles.xml"/>'
            '</Relationships>'),
        "xl/styles.xml": (
            f'{head}<styleSheet xmlns="{_MAIN}"><fonts count="1"><font><sz val="11"/>'
            '<name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill '
            'patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
            '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/>'
            '</border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" '
            'fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" '
            'fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles count="1">'
            '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
    }


def workbook(results, pages, period):
    """A file object holding the workbook of ``results`` (rows of the contract's
    ``EXPORT_RESULT_FIELDS``) and the indicator ``pages`` (``export_indicators`` replies),
    both in rank order."""
    cells = _Cells()
    # closed by send_file once the response is sent
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        titles = [safe_sheet_title(f"results {period}"), "indicators"]
        for name, text in _package_parts(titles).items():
            book.writestr(name, text)
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(_SHEET_HEAD + cells.row(RESULT_COLUMNS))
            for start in range(0, len(results), 1000):
                sheet.write(b"".join(map(cells.row, results[start:start + 1000])))
            sheet.write(_SHEET_TAIL)
        with book.open("xl/worksheets/sheet2.xml", "w") as sheet:
            sheet.write(_SHEET_HEAD + cells.row(INDICATOR_COLUMNS))
            for page in pages:
                sheet.write(_indicator_rows(page, cells))
            sheet.write(_SHEET_TAIL)
    out.seek(0)
    return out


def _indicator_rows(page, cells):
    """A page's indicator rows as SpreadsheetML: the cells of a definition (category,
    name, kind; points at stake) are made once a page, not once a row."""
    heads = [cells.row((category, name, kind))[5:-6]
             for category, name, kind, _ in page["definitions"]]
    tops = [cells[type(top)][top] for *_, top in page["definitions"]]
    parts = []
    add = parts.extend
    for code, values in page["items"]:
        start = b"<row>" + cells[str][code]
        indicators = iter(values)  # flat: five values an indicator, one after another
        for definition, points, value, source, note in zip(*[indicators] * 5, strict=True):
            add((start, heads[definition], cells[type(points)][points], tops[definition],
                 cells[type(value)][value], cells[type(source)][source],
                 cells[type(note)][note], b"</row>"))
    return b"".join(parts)
