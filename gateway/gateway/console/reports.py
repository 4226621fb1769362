"""The mediation statistics a county sends upward each month or year, as an Excel workbook
laid out the way offices fill the form: a title, the reporting unit and period, one row per
mediation kind (channel) with received, accepted, declined, settled, failed, success rate,
overdue and median days, a total row, legal aid received, and lines to sign.

A city's workbook has the summary by county first, then one sheet per county. The figures
come from the mediation service's statistics and legal-aid list under the caller's own
identity, so a county officer can only ever report on its county.
"""
from marshmallow import Schema, fields

from fazhi_common.contracts import vocabulary
from fazhi_common.contracts.api import code_field
from gateway.console.filing import PERIOD, Table, share, workbook

KIND_NAMES = vocabulary.MEDIATION_KINDS
COLUMNS = ("调解类别", "收件数", "受理数", "不予受理", "调解成功", "调解不成", "调解成功率",
           "超期件数", "用时中位数（天）")
SUMMED = ("volume", "accepted", "declined", "agreements", "failures", "overdue")


class ReportQuery(Schema):
    period = fields.String(required=True, validate=PERIOD)
    county_code = code_field(metadata={"description": "one county; else the caller's area"})


def _line(name, row, median):
    figures = [row.get(k, 0) for k in SUMMED]
    return [name, *figures[:5], share(figures[3], figures[3] + figures[4]), figures[5], median]


def _table(rows, legal_aid):
    totals = {k: sum(row.get(k, 0) for row in rows.values()) for k in SUMMED}
    return Table(COLUMNS, [_line(name, rows.get(kind, {}),
                                 rows.get(kind, {}).get("median_duration_days"))
                           for kind, name in KIND_NAMES.items()],
                 total=_line("合计", totals, None), percent=frozenset({6}),
                 notes=[["法律援助申请（件）", legal_aid]])


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
    def sheet(title, name, rows, legal_aid):
        return title, f"{name}调解工作统计表", name, words, _table(rows, legal_aid)

    per_county = [sheet(name, name, _by_kind(statistics_rows, code),
                        legal_aid_by_county.get(code, 0)) for code, name in counties]
    if len(counties) == 1:
        return workbook(per_county)
    return workbook([sheet("汇总", area_name, _by_kind(statistics_rows),
                           sum(legal_aid_by_county.values())), *per_county])
