"""The mediation statistics a county sends upward each month or year, as an Excel workbook
laid out the way offices fill the form: a title, the reporting unit and period, one row per
mediation kind (channel) with received, accepted, declined, settled, failed, success rate,
overdue and median days, a total row, legal aid received, and lines to sign.

A city's workbook has the summary by county first, then one sheet per county. The figures
come from the mediation service's statistics and legal-aid list under the caller's own
identity, so a county officer can only ever report on its county.
"""
import calendar
import io
from datetime import date

from marshmallow import Schema, fields, validate
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from fazhi_common.api import code_field
from fazhi_common.cells import safe_row, safe_sheet_title

KIND_NAMES = {"people": "人民调解", "medical": "医疗纠纷调解", "litigation": "诉调对接",
              "police": "警调对接", "traffic": "交通事故调解", "procuratorate": "检调对接"}
COLUMNS = ("调解类别", "收件数", "受理数", "不予受理", "调解成功", "调解不成", "调解成功率",
           "超期件数", "用时中位数（天）")
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


class ReportQuery(Schema):
    period = fields.String(required=True, validate=validate.Regexp(
        r"^(199\d|20\d\d)(-(0[1-9]|1[0-2]))?$",
        error="A period is a year (YYYY) or a month (YYYY-MM)."))
    county_code = code_field(metadata={"description": "one county; else the caller's area"})


def period_dates(period):
    """``(first day, last day, words)`` of a year or a month."""
    year = int(period[:4])
    if len(period) == 4:
        return date(year, 1, 1), date(year, 12, 31), f"{year}年"
    month = int(period[5:])
    return (date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]),
            f"{year}年{month}月")


def _rate(part, whole):
    return round(part / whole, 4) if whole else None


def _append(sheet, values):
    sheet.append(safe_row(values))


def _unique_title(book, name):
    """A sheet title for ``name``: two county names may clean up to the same one."""
    title, n = safe_sheet_title(name), 1
    while title in book.sheetnames:
        n += 1
        title = safe_sheet_title(f"{name[:27]}_{n}")
    return title


def _sheet(sheet, unit_name, words, rows, legal_aid):
    _append(sheet, [f"{unit_name}调解工作统计表"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    _append(sheet, [f"填报单位：{unit_name}", None, None, None, None, f"统计期间：{words}"])
    _append(sheet, list(COLUMNS))
    header = sheet.max_row
    totals = {k: 0 for k in ("volume", "accepted", "declined", "agreements", "failures",
                             "overdue")}
    for kind, name in KIND_NAMES.items():
        row = rows.get(kind, {})
        figures = [row.get(k, 0) for k in totals]
        for key, value in zip(totals, figures, strict=True):
            totals[key] += value
        _append(sheet, [name, *figures[:5],
                      _rate(row.get("agreements", 0),
                            row.get("agreements", 0) + row.get("failures", 0)),
                      figures[5], row.get("median_duration_days")])
    _append(sheet, ["合计", *[totals[k] for k in ("volume", "accepted", "declined",
                                               "agreements", "failures")],
                  _rate(totals["agreements"], totals["agreements"] + totals["failures"]),
                  totals["overdue"], None])
    last = sheet.max_row
    for line in sheet.iter_rows(min_row=header, max_row=last):
        for cell in line:
            cell.border = BOX
            if cell.row in (header, last):
                cell.font = Font(bold=True)
    for cell in sheet[f"G{header + 1}:G{last}"]:
        cell[0].number_format = "0.0%"
    _append(sheet, [])
    _append(sheet, ["法律援助申请（件）", legal_aid])
    _append(sheet, [])
    _append(sheet, ["填表人：", None, "审核人：", None, "填报日期：", None])
    sheet.column_dimensions["A"].width = 18
    for index in range(2, len(COLUMNS) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 12


def _by_kind(statistics_rows, county_code=None):
    rows = {}
    for row in statistics_rows:
        if county_code is not None and row["county_code"] != county_code:
            continue
        into = rows.setdefault(row["mediation_kind"], {})
        for key in ("volume", "accepted", "declined", "agreements", "failures", "overdue"):
            into[key] = into.get(key, 0) + row[key]
        # one county's row carries its median; a summed row has none to carry
        into["median_duration_days"] = (row["median_duration_days"]
                                        if county_code is not None else None)
    return rows


def mediation_workbook(area_name, words, counties, statistics_rows, legal_aid_by_county):
    """``counties`` is ``[(code, name)]``; one county gives one sheet, several a summary
    sheet and one sheet per county."""
    book = Workbook()
    summary = book.active
    if len(counties) == 1:
        code, name = counties[0]
        summary.title = safe_sheet_title(name)
        _sheet(summary, name, words, _by_kind(statistics_rows, code),
               legal_aid_by_county.get(code, 0))
    else:
        summary.title = "汇总"
        _sheet(summary, area_name, words, _by_kind(statistics_rows),
               sum(legal_aid_by_county.values()))
        for code, name in counties:
            _sheet(book.create_sheet(_unique_title(book, name)), name, words,
                   _by_kind(statistics_rows, code), legal_aid_by_county.get(code, 0))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
