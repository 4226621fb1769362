"""Excel workbooks for the console: any table it shows, as an .xlsx file.

The figures come from the page, which had them from the API under the user's own checks;
this only lays them out, so it reads nothing and writes nothing.
"""
from marshmallow import Schema, fields, validate

from fazhi_common import spreadsheet

XLSX = spreadsheet.XLSX
Cell = fields.Raw(allow_none=True)


class TableIn(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=60))
    columns = fields.List(fields.String(validate=validate.Length(max=100)), required=True,
                          validate=validate.Length(min=1, max=50))
    rows = fields.List(fields.List(Cell, validate=validate.Length(max=50)), required=True,
                       validate=validate.Length(max=20_000))


def table_workbook(title, columns, rows):
    book = spreadsheet.Workbook()
    widths = [max(10, min(40, len(heading) * 2 + 4)) for heading in columns]
    with book.sheet(title, widths) as sheet:
        sheet.row([title], spreadsheet.TITLE)
        sheet.row(columns, spreadsheet.HEADING)
        sheet.rows([None if v is None else v if isinstance(v, (int, float)) else str(v)[:1000]
                    for v in row] for row in rows)
    return book.content()
