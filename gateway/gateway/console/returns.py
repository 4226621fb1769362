"""The statistical returns (统计报表) a justice or civil-affairs bureau files upward, each as
an Excel workbook in the filing layout (``gateway.console.filing``).

A return covers a period and an area: a county's lists its towns where the figures go down
to towns, a city's or a province's lists its counties. Every figure is an aggregate the
owning service computes in its database over the whole area, asked under the caller's own
identity (so an officer never reports past its area); the gateway only sums a row per
county or town and writes names, never codes.
"""
from dataclasses import dataclass

from fazhi_common.contracts import vocabulary
from fazhi_common.contracts.errors import NotFound, field_error
from fazhi_common.contracts.roles import (
    CIVIL_AFFAIRS_OFFICER,
    JUSTICE_OFFICER,
    PLATFORM_ADMIN,
    VIEWER,
)
from fazhi_common.division import COUNTY, LEVELS, PREFECTURE, PROVINCE, Division
from gateway.console.filing import Table, period_dates, share

JUSTICE_READERS = frozenset({PLATFORM_ADMIN, JUSTICE_OFFICER, VIEWER})
CIVIL_AFFAIRS_READERS = frozenset({PLATFORM_ADMIN, CIVIL_AFFAIRS_OFFICER, VIEWER})
# the campaign's evaluation is led jointly, so either bureau files its return
EVALUATION_READERS = JUSTICE_READERS | CIVIL_AFFAIRS_READERS
OUTSIDE = "The area asked for lies outside your area."
AREA_WORDS = {None: "全部县（市、区）", PROVINCE: "全省", PREFECTURE: "全市"}


@dataclass(frozen=True)
class Scope:
    """The period and the area of a return, with the area's units by name."""

    period: str
    first: object
    last: object
    words: str
    area: Division | None
    county_code: str | None  # the one county the area is, when it is one
    counties: tuple  # ((code, name, ((town code, town name), ...)), ...)
    unit_name: str

    @property
    def by_town(self):
        return self.county_code is not None

    def span(self):
        """The RPCs' period (and county) arguments."""
        return {"date_from": self.first.isoformat(), "date_to": self.last.isoformat(),
                **self.county()}

    def county(self):
        return {"county_code": self.county_code} if self.county_code else {}

    def includes(self, county_code):
        return any(code == county_code for code, _, _ in self.counties)

    def units(self):
        """``(code, name)`` of the rows: the county's towns, or the area's counties."""
        if self.by_town:
            return self.counties[0][2] if self.counties else ()
        return tuple((code, name) for code, name, _ in self.counties)


def resolve(call, identity, query):
    """The ``Scope`` of a return asked with ``query`` (period, area_code) by ``identity``.

    An area outside the caller's is not found (as any object there); a town's officer
    files for its own town within its county.
    """
    first, last, words = period_dates(query["period"])
    asked = query.get("area_code")
    if asked is not None:
        if asked.level not in (PROVINCE, PREFECTURE, COUNTY):
            raise field_error("area_code", "An area is a province, a city or a county.")
        if not identity.covers(asked):
            raise NotFound(OUTSIDE, {"area_code": ["outside your area"]})
    area = asked or identity.area
    county = area.widened_to(COUNTY) if area is not None and (
        area.depth >= LEVELS.index(COUNTY) or area.stands_as_county) else None
    coverage = call("registry", "coverage", {"county_code": county} if county else {})
    counties = tuple(
        (c["county_code"], c["county_name"],
         tuple((t["town_code"], t["town_name"]) for t in c["towns"]))
        for c in coverage["counties"]
        if area is None or county is not None or area.covers(c["county_code"]))
    if county is not None and not counties:
        raise NotFound(OUTSIDE, {"area_code": ["outside your area"]})
    if county is not None:
        unit_name = counties[0][1]
        if area.depth > county.depth:  # a town's officer: its own town
            unit_name += "".join(name for code, name in counties[0][2] if code == area)
    else:
        unit_name = f"{AREA_WORDS[area.level if area else None]}（{len(counties)}个县（市、区））"
    return Scope(query["period"], first, last, words, area,
                 county.code if county else None, counties, unit_name)


def _named(scope, rows, key):
    """``rows`` (dicts) by the code in ``key``, for the area's counties only."""
    return {row[key]: row for row in rows
            if key != "county_code" or scope.includes(row[key])}


def _sum_rows(rows, width):
    """The total of table rows, column by column, from the second column on."""
    return [sum(row[i] or 0 for row in rows) for i in range(1, width)]


def _unit_heading(scope):
    return "乡镇（街道）" if scope.by_town else "县（市、区）"


# -- justice (司法行政) ---------------------------------------------------------------------

BREAKDOWN_COLUMNS = ("收件数", "调解成功", "调解不成", "调解成功率")


def _breakdown_table(heading, labels, rows, key, scope):
    sums = {}
    for row in rows:
        if scope.includes(row["county_code"]):
            into = sums.setdefault(row[key], [0, 0, 0])
            into[:] = [a + row[k] for a, k in zip(into, ("volume", "agreements", "failures"),
                                                  strict=True)]

    def line(name, volume, agreements, failures):
        return [name, volume, agreements, failures, share(agreements, agreements + failures)]

    body = [line(name, *sums.get(code, (0, 0, 0))) for code, name in labels.items()]
    return Table((heading, *BREAKDOWN_COLUMNS), body,
                 total=line("合计", *_sum_rows(body, 4)), percent=frozenset({4}))


def mediation_disputes(call, scope):
    """人民调解案件分类统计表: by dispute category, and by the amount claimed."""
    figures = call("mediation", "dispute_statistics", scope.span())
    return [
        ("按纠纷类型", f"{scope.unit_name}矛盾纠纷调解分类统计表", scope.unit_name, scope.words,
         _breakdown_table("纠纷类型", vocabulary.DISPUTE_CATEGORIES, figures["by_category"],
                          "dispute_category", scope)),
        ("按标的金额", f"{scope.unit_name}矛盾纠纷调解标的金额统计表", scope.unit_name,
         scope.words, _breakdown_table("标的金额", vocabulary.AMOUNT_BANDS,
                                       figures["by_amount"], "amount_band", scope)),
    ]


def mediation_organisations(call, scope):
    """人民调解组织和调解员统计表: organisations by kind, linkage complete, mediators."""
    coverage = _named(scope, call("mediation", "coverage", scope.county())["counties"],
                      "county_code")
    mediators = _named(scope, call("mediation", "dispute_statistics", scope.span())[
        "mediators"], "county_code")
    kinds = vocabulary.MEDIATION_KINDS
    body = []
    for code, name, _ in scope.counties:
        held = coverage.get(code, {"organisations": {}, "complete": False})
        counts = [held["organisations"].get(kind, 0) for kind in kinds]
        body.append([name, *counts, sum(counts), 1 if held["complete"] else 0,
                     mediators.get(code, {}).get("mediators", 0)])
    columns = ("县（市、区）", *kinds.values(), "调解组织合计", "五类对接组织齐全（是=1）",
               "办案调解员（人）")
    return [("调解组织", f"{scope.unit_name}人民调解组织和调解员统计表", scope.unit_name,
             scope.words, Table(columns, body, total=["合计", *_sum_rows(body, len(columns))]))]


LEGAL_AID_FIGURES = ("received", "decided", "granted", "refused", "closed")


def legal_services(call, scope):
    """法律援助和12348热线统计表, by county."""
    aid = _named(scope, call("legalservices", "legal_aid_statistics", scope.span())["rows"],
                 "county_code")
    calls = {}
    for row in call("legalservices", "hotline_statistics", scope.span())["rows"]:
        calls[row["county_code"]] = calls.get(row["county_code"], 0) + row["consultations"]
    body = []
    for code, name, _ in scope.counties:
        row = aid.get(code, {})
        figures = [row.get(k, 0) for k in LEGAL_AID_FIGURES]
        body.append([name, *figures, share(figures[2], figures[1]), calls.get(code, 0)])
    columns = ("县（市、区）", "法律援助申请（件）", "已审查决定（件）", "给予援助（件）",
               "不予援助（件）", "已结案（件）", "援助率", "12348热线咨询（次）")
    totals = _sum_rows(body, len(columns))
    totals[5] = share(totals[2], totals[1])
    return [("法律援助和12348", f"{scope.unit_name}法律援助和12348热线统计表",
             scope.unit_name, scope.words,
             Table(columns, body, total=["合计", *totals], percent=frozenset({6})))]


def legal_advisers(call, scope):
    """一村（社区）一法律顾问覆盖和企业法律体检统计表."""
    coverage = _named(scope, call("registry", "coverage", scope.county())["counties"],
                      "county_code")
    if scope.by_town:
        towns = {t["town_code"]: t for c in coverage.values() for t in c["towns"]}
        units = [(name, towns.get(code, {})) for code, name in scope.units()]
    else:
        units = [(name, coverage.get(code, {})) for code, name in scope.units()]
    body = [[name, row.get("communities", 0), row.get("with_adviser", 0),
             share(row.get("with_adviser", 0), row.get("communities", 0))]
            for name, row in units]
    totals = _sum_rows(body, 3)
    advisers = Table((_unit_heading(scope), "社区（村）数", "有法律顾问的社区（村）", "覆盖率"),
                     body, total=["合计", *totals, share(totals[1], totals[0])],
                     percent=frozenset({3}))
    progress = call("registry", "health_check_progress",
                    {"year": scope.first.year, **scope.county()})
    checked = _named(scope, progress["counties"], "county_code")
    rows = []
    for code, name, _ in scope.counties:
        row = checked.get(code, {})
        rows.append([name, row.get("checks", 0), row.get("checked", 0), row.get("target"),
                     share(row.get("checked", 0), row.get("target"))])
    totals = _sum_rows(rows, 4)
    checks = Table(("县（市、区）", "体检次数", "体检企业（家）", "年度目标（家）", "完成率"),
                   rows, total=["合计", *totals, share(totals[1], totals[2])],
                   percent=frozenset({4}))
    year_words = f"{scope.first.year}年"
    return [("法律顾问", f"{scope.unit_name}一村（社区）一法律顾问覆盖统计表", scope.unit_name,
             scope.words, advisers),
            ("法律体检", f"{scope.unit_name}企业法律体检进度统计表", scope.unit_name,
             year_words, checks)]


# -- evaluation (justice and civil affairs together) --------------------------------------

def evaluation(call, scope):
    """民主法治社区创建考评统计表: pass rates and titles held by level."""
    report = call("evaluation", "report", {"period": scope.period[:4], **scope.county()})
    counties = _named(scope, report["counties"], "county_code")
    if scope.by_town:
        rows_by_code = {t["town_code"]: t for c in counties.values() for t in c["towns"]}
    else:
        rows_by_code = counties
    levels = vocabulary.TITLE_LEVELS
    body = []
    for code, name in scope.units():
        row = rows_by_code.get(code, {})
        held = row.get("titles_by_level", {})
        body.append([name, row.get("communities", 0), row.get("evaluated", 0),
                     row.get("passed", 0), share(row.get("passed", 0), row.get("evaluated", 0)),
                     row.get("vetoed", 0), row.get("average_score"),
                     *[held.get(level, 0) for level in levels]])
    columns = (_unit_heading(scope), "社区（村）数", "已考评", "考评合格", "合格率", "一票否决",
               "平均得分", *[f"{name}称号" for name in levels.values()])
    totals = _sum_rows(body, len(columns))
    totals[3], totals[5] = share(totals[2], totals[1]), None  # a mean of means is no mean
    return [("考评", f"{scope.unit_name}民主法治社区（村）创建考评统计表", scope.unit_name,
             f"{scope.period[:4]}年度", Table(columns, body, total=["合计", *totals],
                                             percent=frozenset({4})))]


# -- civil affairs (民政) ------------------------------------------------------------------

GOVERNANCE_FIGURES = ("communities", "villages", "with_party_organisation", "assemblies",
                      "quorate_assemblies", "with_convention", "grids", "elections_due",
                      "elections_held")


def self_governance(call, scope):
    """基层群众自治统计表: units, party organisations, assemblies, conventions, grids,
    elections, by town or county."""
    figures = call("registry", "governance_figures", scope.span())["counties"]
    counties = _named(scope, figures, "county_code")
    if scope.by_town:
        rows_by_code = {t["town_code"]: t for c in counties.values() for t in c["towns"]}
    else:
        rows_by_code = counties
    body = []
    for code, name in scope.units():
        row = rows_by_code.get(code, {})
        values = [row.get(k, 0) for k in GOVERNANCE_FIGURES]
        body.append([name, *values[:3], share(values[2], values[0] + values[1]),
                     *values[3:5], share(values[4], values[3]), *values[5:]])
    columns = (_unit_heading(scope), "城乡社区（个）", "行政村（个）", "建有党组织的（个）",
               "党组织覆盖率", "召开居（村）民会议（次）", "符合法定人数（次）", "法定人数达标率",
               "有居（村）民公约的（个）", "网格（个）", "到期待换届（个）", "本期已选举（次）")
    totals = _sum_rows(body, len(columns))
    totals[3] = share(totals[2], totals[0] + totals[1])
    totals[6] = share(totals[5], totals[4])
    return [("基层自治", f"{scope.unit_name}基层群众自治统计表", scope.unit_name, scope.words,
             Table(columns, body, total=["合计", *totals], percent=frozenset({4, 7})))]


@dataclass(frozen=True)
class Return:
    key: str
    title: str  # what the console offers, and the file's name
    department: str
    roles: frozenset
    build: object
    summary: str  # the operation's description

    @property
    def endpoint(self):
        return "return_" + self.key.replace("-", "_")


RETURNS = (
    Return("mediation-disputes", "矛盾纠纷调解分类统计表", "司法行政", JUSTICE_READERS,
           mediation_disputes, "Mediation by dispute category and by amount claimed"),
    Return("mediation-organisations", "人民调解组织和调解员统计表", "司法行政",
           JUSTICE_READERS, mediation_organisations,
           "Mediation organisations by kind and the mediators at work, by county"),
    Return("legal-services", "法律援助和12348热线统计表", "司法行政", JUSTICE_READERS,
           legal_services, "Legal aid applied, decided, granted, refused, closed; 12348 calls"),
    Return("legal-advisers", "法律顾问覆盖和企业法律体检统计表", "司法行政", JUSTICE_READERS,
           legal_advisers, "Legal adviser coverage by town or county; health-check progress"),
    Return("evaluation", "民主法治社区（村）创建考评统计表", "司法行政、民政",
           EVALUATION_READERS, evaluation,
           "Evaluation pass rates by county or town and titles held by level"),
    Return("self-governance", "基层群众自治统计表", "民政", CIVIL_AFFAIRS_READERS,
           self_governance, "Community self-governance by county or town: units, party "
           "organisations, assemblies, conventions, grids, elections"),
)
