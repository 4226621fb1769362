"""Excel workbooks for the console: any table it shows, as an .xlsx file.

The figures come from the page, which had them from the API under the user's own checks;
this only lays them out, so it reads nothing and writes nothing.
"""
import io

from marshmallow import Schema, fields, validate
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from fazhi_common.cells import safe_cell, safe_row, safe_sheet_title

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Cell = fields.Raw(allow_none=True)


class TableIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=60))
    columns = fields.List(fields.String(validate=validate.Length(max=100)), required=True,
                          validate=validate.Length(min=1, max=50))
    rows = fields.List(fields.List(Cell, validate=validate.Length(max=50)), required=True,
                       validate=validate.Length(max=20_000))


def _cell(value):
    if value is None or isinstance(value, (int, float)):
        return value
    return safe_cell(str(value)[:1000])


def table_workbook(title, columns, rows):
    book = Workbook()
    sheet = book.active
    sheet.title = safe_sheet_title(title)
    sheet.append([safe_cell(title)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(safe_row(columns))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        sheet.append([_cell(v) for v in row])
    for index, heading in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = max(
            10, min(40, len(heading) * 2 + 4))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
