"""Cells of every CSV file and workbook the platform writes: text that a spreadsheet would
run as a formula is written as text (OWASP "CSV injection"), and sheet titles are ones a
workbook accepts. Every writer goes through here, so the rule lives once."""

# a cell beginning with any of these is read as a formula (or DDE command) by Excel,
# LibreOffice and WPS: ``=HYPERLINK(...)``, ``+cmd|' /C calc'!A0``, ``@SUM(...)``
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# characters a sheet title may not hold, and its longest length (Excel's own limits)
_NOT_IN_TITLE = str.maketrans({ch: "_" for ch in '[]:*?/\\'})
TITLE_LENGTH = 31


def safe_cell(value):
    """``value`` as it may go into a cell: text that would start a formula gets a leading
    apostrophe, which spreadsheets take as "this is text"; numbers and None are kept."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values):
    return [safe_cell(v) for v in values]


def safe_sheet_title(title, fallback="Sheet1"):
    """A sheet title a workbook accepts: no ``[]:*?/\\``, no apostrophe at either end,
    at most 31 characters."""
    text = str(title or "").translate(_NOT_IN_TITLE)[:TITLE_LENGTH].strip("'")
    return text or fallback
