"""Excel workbooks and CSV files: the one writer every export and report uses.

A workbook is written as it goes, straight out as SpreadsheetML into the zip package (a
province's export is half a million rows; a general-purpose writer spends minutes building
one object per cell), and spooled to disk once it grows. It knows the little the
platform's files need: a title, bold headings, boxed tables, percentages, merged cells,
column widths, several sheets.

Cells a spreadsheet could take for a formula never become one (OWASP, CSV injection): a
workbook writes every text as an inline string, and one that begins with ``=`` ``+`` ``-``
``@``, a tab or a carriage return also carries Excel's quote prefix, so editing it keeps it
text; a CSV cell so beginning is written behind a ``'``.
"""
import csv
import re
import tempfile
import zipfile
from contextlib import contextmanager
from xml.sax.saxutils import escape

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# cell styles (indexes into styles.xml's cellXfs below)
PLAIN, TITLE, HEADING, BOXED, BOXED_BOLD, BOXED_PERCENT, _AS_TEXT, _BOXED_AS_TEXT = range(8)
_KEPT_AS_TEXT = {PLAIN: _AS_TEXT, BOXED: _BOXED_AS_TEXT}

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# characters XML 1.0 cannot carry at all (a pasted control character in a note)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHEET_TITLE_BANNED = re.compile(r"[\[\]:*?/\\]")
_CELLS_KEPT = 200_000  # text cells remembered: names, categories, kinds repeat on every row


def csv_cell(value):
    """A value for a CSV cell: text a spreadsheet would run as a formula gets a ``'``."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _SafeCsv:
    """``csv.writer`` whose every cell passes ``csv_cell`` on its way out."""

    def __init__(self, stream):
        self._writer = csv.writer(stream)

    def writerow(self, values):
        return self._writer.writerow([csv_cell(v) for v in values])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(stream):
    """The one CSV writer of every export: no cell of it runs as a formula. Nothing else
    in the platform calls ``csv.writer`` (``tests/common/test_spreadsheet.py`` looks)."""
    return _SafeCsv(stream)


def sheet_title(text, taken=()):
    """A valid, unused sheet name from ``text``: no ``[]:*?/\\``, at most 31 characters."""
    base = _SHEET_TITLE_BANNED.sub("_", str(text)).strip("'")[:31] or "Sheet"
    title, n = base, 1
    while title.lower() in {t.lower() for t in taken}:
        n += 1
        title = f"{base[:31 - len(str(n)) - 1]}_{n}"
    return title


def column_letter(index):
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value, style=PLAIN):
    text = _NOT_XML.sub("", str(value))
    if text.startswith(FORMULA_STARTS):
        style = _KEPT_AS_TEXT.get(style, style)
    # spaces at either end are kept only when asked for (as openpyxl writes them)
    keep = ' xml:space="preserve"' if text != text.strip() else ""
    s = f' s="{style}"' if style else ""
    return f'<c t="inlineStr"{s}><is><t{keep}>{escape(text)}</t></is></c>'.encode()


def _number(value, style=PLAIN):
    s = f' s="{style}"' if style else ""
    return f"<c{s}><v>{value!r}</v></c>".encode()


def cell(value, style=PLAIN):
    """One value as a SpreadsheetML cell."""
    if value is None:
        return f'<c s="{style}"/>'.encode() if style else b"<c/>"
    if isinstance(value, bool):
        return _text("是" if value else "否", style)
    if isinstance(value, (int, float)):
        return _number(value, style)
    return _text(value, style)


class _Known(dict):
    """The cells of the values of one type seen so far: a value met again costs a lookup."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, value):
        made = self.make(value)
        if len(self) < _CELLS_KEPT:
            self[value] = made
        return made


class Cells(dict):
    """Unstyled cells, each distinct value converted once: ``cells[type(v)][v]``. Kept
    apart by type, since 1, 1.0 and True are one key to a dict but three cells."""

    def __init__(self):
        super().__init__({type(None): {None: b"<c/>"}, bool: {True: _text("是"),
                                                               False: _text("否")},
                          int: _Known(_number), float: _Known(_number), str: _Known(_text)})

    def __missing__(self, kind):  # anything else is written as its text
        return self.setdefault(kind, _Known(_text))

    def row(self, values):
        return b"<row>" + b"".join([self[type(v)][v] for v in values]) + b"</row>"


class Sheet:
    """One worksheet being written: rows in order, merged ranges noted for the end."""

    def __init__(self, part, cells):
        self.part, self.cells, self.rows_written, self.merged = part, cells, 0, []

    def row(self, values=(), style=PLAIN, styles=None):
        """Append a row; ``styles`` (one per value) overrides ``style``."""
        if styles is None and style == PLAIN:
            self.part.write(self.cells.row(values))
        else:
            styles = styles or [style] * len(values)
            self.part.write(b"<row>" + b"".join(
                cell(v, s) for v, s in zip(values, styles, strict=True)) + b"</row>")
        self.rows_written += 1

    def rows(self, many):
        """Append unstyled rows, a thousand to a write."""
        batch = []
        for values in many:
            batch.append(self.cells.row(values))
            if len(batch) == 1000:
                self.write_rows(b"".join(batch), len(batch))
                batch = []
        if batch:
            self.write_rows(b"".join(batch), len(batch))

    def write_rows(self, xml, count):
        """Rows already made as SpreadsheetML (a hot path's own shaping)."""
        self.part.write(xml)
        self.rows_written += count

    def merge_last_row(self, first_column, last_column):
        """Merge columns ``first_column``..``last_column`` (1-based) of the last row."""
        row = self.rows_written
        self.merged.append(f"{column_letter(first_column)}{row}:"
                           f"{column_letter(last_column)}{row}")


class Workbook:
    """A workbook written sheet by sheet into a spooled file: ``with book.sheet(name) as s``,
    then ``book.finish()`` for the file (or ``book.content()`` for its bytes)."""

    def __init__(self):
        # closed by its reader (send_file closes it once the response is sent)
        self.out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
        self.zip = zipfile.ZipFile(self.out, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.titles = []
        self.cells = Cells()

    @contextmanager
    def sheet(self, title, widths=None):
        """A new sheet named after ``title``; ``widths`` are its columns' widths."""
        self.titles.append(sheet_title(title, self.titles))
        with self.zip.open(f"xl/worksheets/sheet{len(self.titles)}.xml", "w") as part:
            cols = "".join(f'<col min="{n}" max="{n}" width="{w}" customWidth="1"/>'
                           for n, w in enumerate(widths or (), 1))
            part.write(f'{_HEAD}<worksheet xmlns="{_MAIN}">'
                       f'{f"<cols>{cols}</cols>" if cols else ""}<sheetData>'.encode())
            sheet = Sheet(part, self.cells)
            yield sheet
            part.write(b"</sheetData>")
            if sheet.merged:
                part.write(f'<mergeCells count="{len(sheet.merged)}">'.encode() + b"".join(
                    f'<mergeCell ref="{ref}"/>'.encode() for ref in sheet.merged)
                    + b"</mergeCells>")
            part.write(b"</worksheet>")

    def finish(self):
        for name, text in _package_parts(self.titles).items():
            self.zip.writestr(name, text)
        self.zip.close()
        self.out.seek(0)
        return self.out

    def content(self):
        with self.finish() as out:
            return out.read()


_STYLES = (
    f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="0.0%"/></numFmts>'
    '<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="14"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"/><right style="thin"/><top style="thin"/>'
    '<bottom style="thin"/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="8">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" '
    'applyAlignment="1"><alignment horizontal="center"/></xf>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" '
    'applyAlignment="1"><alignment horizontal="center"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="1" xfId="0" applyFont="1" '
    'applyBorder="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" '
    'applyBorder="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" '
    'quotePrefix="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    '</cellStyles></styleSheet>')


def _package_parts(titles):
    sheets = "".join(f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>'
                     for n, name in enumerate(titles, 1))
    count = len(titles)
    sheet_rels = "".join(
        f'<Relationship Id="rId{n}" Type="{_RELS}/worksheet" '
        f'Target="worksheets/sheet{n}.xml"/>' for n in range(1, count + 1))
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
        f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for n in range(1, count + 1))
    return {
        "[Content_Types].xml": (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f'{overrides}</Types>'),
        "_rels/.rels": (
            f'{_HEAD}<Relationships xmlns="{_PACKAGE_RELS}"><Relationship Id="rId1" '
            f'Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><sheets>{sheets}</sheets>'
            '</workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'{_HEAD}<Relationships xmlns="{_PACKAGE_RELS}">{sheet_rels}<Relationship '
            f'Id="rId{count + 1}" Type="{_RELS}/styles" Target="styles.xml"/>'
            '</Relationships>'),
        "xl/styles.xml": _STYLES,
    }
