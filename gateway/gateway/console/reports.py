"""The mediation statistics a county sends upward each month or year, as an Excel workbook
laid out the way offices fill the form: a title, the reporting unit and period, one row per
mediation kind (channel) with received, accepted, declined, settled, failed, success rate,
overdue and median days, a total row, legal aid received, and lines to sign.

A city's workbook has the summary by county first, then one sheet per county. The figures
come from the mediation service's statistics and legal-aid list under the caller's own
identity, so a county officer can only ever report on its county.
"""
import calendar
from datetime import date

from marshmallow import Schema, fields, validate

from fazhi_common import spreadsheet
from fazhi_common.contracts import vocabulary
from fazhi_common.contracts.api import code_field

KIND_NAMES = vocabulary.MEDIATION_KINDS
COLUMNS = ("调解类别", "收件数", "受理数", "不予受理", "调解成功", "调解不成", "调解成功率",
           "超期件数", "用时中位数（天）")


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


def _sheet(book, title, unit_name, words, rows, legal_aid):
    widths = [18] + [12] * (len(COLUMNS) - 1)
    with book.sheet(title, widths) as sheet:
        sheet.row([f"{unit_name}调解工作统计表"], spreadsheet.TITLE)
        sheet.merge_last_row(1, len(COLUMNS))
        sheet.row([f"填报单位：{unit_name}", None, None, None, None, f"统计期间：{words}"])
        sheet.row(COLUMNS, spreadsheet.BOXED_BOLD)
        totals = {k: 0 for k in ("volume", "accepted", "declined", "agreements", "failures",
                                 "overdue")}
        figures_styles = [spreadsheet.BOXED] * 6 + [spreadsheet.BOXED_PERCENT] + \
            [spreadsheet.BOXED] * 2
        for kind, name in KIND_NAMES.items():
            row = rows.get(kind, {})
            figures = [row.get(k, 0) for k in totals]
            for key, value in zip(totals, figures, strict=True):
                totals[key] += value
            sheet.row([name, *figures[:5],
                       _rate(row.get("agreements", 0),
                             row.get("agreements", 0) + row.get("failures", 0)),
                       figures[5], row.get("median_duration_days")], styles=figures_styles)
        sheet.row(["合计", *[totals[k] for k in ("volume", "accepted", "declined",
                                                "agreements", "failures")],
                   _rate(totals["agreements"], totals["agreements"] + totals["failures"]),
                   totals["overdue"], None],
                  styles=[spreadsheet.BOXED_BOLD] * 6 + [spreadsheet.BOXED_PERCENT]
                  + [spreadsheet.BOXED_BOLD] * 2)
        sheet.row()
        sheet.row(["法律援助申请（件）", legal_aid])
        sheet.row()
        sheet.row(["填表人：", None, "审核人：", None, "填报日期：", None])


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
    book = spreadsheet.Workbook()
    if len(counties) == 1:
        code, name = counties[0]
        _sheet(book, name, name, words, _by_kind(statistics_rows, code),
               legal_aid_by_county.get(code, 0))
    else:
        _sheet(book, "汇总", area_name, words, _by_kind(statistics_rows),
               sum(legal_aid_by_county.values()))
        for code, name in counties:
            _sheet(book, name, name, words, _by_kind(statistics_rows, code),
                   legal_aid_by_county.get(code, 0))
    return book.content()
