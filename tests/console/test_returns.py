"""The statistical returns as Excel, read back and held to the API's own statistics for the
same period and area: every figure of every row, the total, the layout around the table,
and the area, period and role each return admits."""
import calendar
import time
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from fazhi_common.contracts import vocabulary
from tests.console.test_reports import seed_mediation
from tests.helpers import service_class, wait_until

R = "/api/v1/registry"
M = "/api/v1/mediation"
YUHANG, FUYANG, CITY = "330110000000", "330111000000", "330100000000"
VILLAGE, TOWN = "330110001001", "330110001000"
TODAY = date.today()
MONTH = TODAY.strftime("%Y-%m")
SPAN = {"date_from": TODAY.replace(day=1).isoformat(),
        "date_to": TODAY.replace(day=calendar.monthrange(TODAY.year, TODAY.month)[1])
        .isoformat()}
SIGNED = ("单位负责人：", None, "统计负责人：", None, "填表人：", None, "报出日期：", None)


def returns_path(key):
    return f"/console/returns/{key}.xlsx"


@pytest.fixture
def services(container_factory, service_config):
    for name in ("registry", "mediation", "legalservices", "evaluation"):
        container_factory(service_class(name), service_config(name)).start()


def ok(response, status=201):
    assert response.status_code == status, response.json
    return response.json


def seed_self_governance(gateway):
    """A second town with an urban community, and a year's self-governance records."""
    ok(gateway.post(f"{R}/towns", json={"code": "330110002000", "county_code": YUHANG,
                                         "name": "良渚街道", "kind": "street"}))
    ok(gateway.post(f"{R}/communities", json={"code": "330110002001",
                                               "town_code": "330110002000",
                                               "name": "良渚社区", "kind": "urban_community"}))
    day = TODAY.isoformat()
    ok(gateway.post(f"{R}/governance-bodies", json={
        "community_code": VILLAGE, "kind": "party_organisation", "secretary_name": "李书记"}))
    committee = ok(gateway.post(f"{R}/governance-bodies", json={
        "community_code": VILLAGE, "kind": "villagers_committee",
        "term_started_on": date(TODAY.year - 5, TODAY.month, 1).isoformat()}))
    # its election starts a new term: no longer due
    ok(gateway.post(f"{R}/governance-bodies/{committee['id']}/elections", json={
        "held_on": day, "eligible_voters": 900, "votes_cast": 600, "result": "elected"}))
    for attended in (19, 25):  # 2/3 of 30 is 20: the first is not quorate
        ok(gateway.post(f"{R}/meetings", json={
            "community_code": VILLAGE, "kind": "villagers_representative_meeting",
            "held_on": day, "eligible": 30, "attended": attended, "agenda": "村道硬化"}))
    ok(gateway.post(f"{R}/conventions", json={"community_code": VILLAGE, "title": "村规民约",
                                               "adopted_on": day}))
    # a committee whose term has run out: due, not yet re-elected
    ok(gateway.post(f"{R}/governance-bodies", json={
        "community_code": "330110002001", "kind": "residents_committee",
        "term_started_on": date(TODAY.year - 5, TODAY.month, 1).isoformat()}))
    ok(gateway.post(f"{R}/grids", json={"community_code": "330110002001", "name": "一网格",
                                         "worker_name": "张网格", "households": 300,
                                         "established_on": day}))


def seed_justice(gateway):
    justice = gateway.as_role("justice_officer", YUHANG)
    ok(justice.post(f"{R}/legal-advisers", json={
        "community_code": VILLAGE, "adviser_name": "王律师", "adviser_kind": "lawyer",
        "organisation": "某律师事务所", "assigned_on": TODAY.isoformat()}))
    ok(justice.post(f"{R}/health-checks", json={
        "county_code": YUHANG, "enterprise_name": "某科技有限公司",
        "credit_code": "91350100M000100Y43", "lawyer_name": "王律师",
        "checked_on": TODAY.isoformat()}))
    ok(gateway.post(f"{M}/hotline-consultations", json={
        "community_code": VILLAGE, "consulted_on": TODAY.isoformat(), "topic": "labour",
        "summary": "加班费", "answered_by": "12348-1"}))
    org = gateway.get(f"{M}/organisations").json["items"][0]
    ok(gateway.post(f"{M}/referrals", json={
        "organisation_id": org["id"], "referrer_kind": "police_station",
        "referrer_department": org["department"], "referrer_reference": "警2",
        "community_code": VILLAGE, "dispute_category": "contract", "amount_claimed": 50000,
        "description": "货款", "parties": [{"role": "applicant", "name": "赵六"}]}))


# -- reading a workbook back ------------------------------------------------------------------

def table(sheet):
    """``(title, unit, period, headings, {row name: figures})`` of a return's sheet,
    its signature line checked."""
    rows = list(sheet.iter_rows(values_only=True))
    title, (unit, *rest) = rows[0][0], rows[1]
    headings = [heading for heading in rows[2] if heading is not None]
    period = next(cell for cell in rest if cell)
    body = {}
    for row in rows[3:]:
        if not any(row):
            break
        body[row[0]] = tuple(row[1:len(headings)])
    assert rows[-1][:len(SIGNED)] == SIGNED
    return title, unit.removeprefix("填报单位："), period.removeprefix("统计期间："), body


def workbook(client, key, **query):
    response = client.get(returns_path(key), query_string={"period": MONTH, **query})
    assert response.status_code == 200, response.json
    assert "attachment" in response.headers["Content-Disposition"]
    return load_workbook(BytesIO(response.data))


def share(part, whole):
    return round(part / whole, 4) if whole else None


def with_total(rows, shares=()):
    """``rows`` ({name: figures}) and their 合计: sums, and each ``(i, part, whole)`` of
    ``shares`` recomputed from the sums."""
    names = list(rows)
    width = len(rows[names[0]])
    sums = [sum((rows[n][i] or 0) for n in names) for i in range(width)]
    for i, part, whole in shares:
        sums[i] = share(sums[part], sums[whole])
    return {**rows, "合计": tuple(sums)}


def evaluated(gateway, communities):
    """Wait until evaluation has learnt the registry's communities and scored the records
    they sent (its events arrive after the writes): until two reads a second apart agree."""
    def report():
        answer = gateway.get("/api/v1/evaluation/reports",
                             query_string={"period": str(TODAY.year)})
        assert answer.status_code in (200, 503), answer.json  # 503: not yet answering
        return answer.json if answer.status_code == 200 else None

    def settled():
        first = report()
        if not first or sum(c["communities"] for c in first["counties"]) != communities:
            return False
        time.sleep(1)
        return report() == first
    wait_until(settled, timeout=60)


def county_names(client):
    return {c["county_code"]: c["county_name"] for c in client.get(f"{R}/coverage").json[
        "counties"]}


# -- the returns, each against the API -------------------------------------------------------

def expect_disputes(client, area_counties):
    figures = ok(client.get(f"{M}/statistics/disputes", query_string=SPAN), 200)

    def rows(listed, key, labels):
        sums = {}
        for row in figures[listed]:
            if row["county_code"] in area_counties:
                into = sums.setdefault(row[key], [0, 0, 0])
                into[:] = [into[0] + row["volume"], into[1] + row["agreements"],
                           into[2] + row["failures"]]
        expected = {}
        for code, name in labels.items():
            volume, settled, failed = sums.get(code, (0, 0, 0))
            expected[name] = (volume, settled, failed, share(settled, settled + failed))
        total = with_total(expected)
        volume, settled, failed, _ = total["合计"]
        return {**total, "合计": (volume, settled, failed, share(settled, settled + failed))}
    return (rows("by_category", "dispute_category", vocabulary.DISPUTE_CATEGORIES),
            rows("by_amount", "amount_band", vocabulary.AMOUNT_BANDS))


def check_disputes(client, area_counties, unit, **query):
    book = workbook(client, "mediation-disputes", **query)
    assert book.sheetnames == ["按纠纷类型", "按标的金额"]
    by_category, by_amount = expect_disputes(client, area_counties)
    title, named, period, body = table(book["按纠纷类型"])
    assert (named, period) == (unit, f"{TODAY.year}年{TODAY.month}月") and unit in title
    assert body == by_category
    assert table(book["按标的金额"])[3] == by_amount
    return by_category


def check_organisations(client, counties, unit, **query):
    coverage = {c["county_code"]: c for c in ok(client.get(f"{M}/coverage"), 200)["counties"]}
    mediators = {m["county_code"]: m["mediators"] for m in ok(client.get(
        f"{M}/statistics/disputes", query_string=SPAN), 200)["mediators"]}
    expected = {}
    for code, name in counties.items():
        held = coverage.get(code, {"organisations": {}, "complete": False})
        counts = [held["organisations"].get(k, 0) for k in vocabulary.MEDIATION_KINDS]
        expected[name] = (*counts, sum(counts), int(held["complete"]), mediators.get(code, 0))
    _, named, _, body = table(workbook(client, "mediation-organisations", **query).active)
    assert named == unit and body == with_total(expected)


def check_legal_services(client, counties, unit, **query):
    aid = {r["county_code"]: r for r in ok(client.get(
        f"{M}/legal-aid/statistics", query_string=SPAN), 200)["rows"]}
    calls = {}
    for row in ok(client.get(f"{M}/hotline-consultations/statistics",
                             query_string=SPAN), 200)["rows"]:
        calls[row["county_code"]] = calls.get(row["county_code"], 0) + row["consultations"]
    expected = {}
    for code, name in counties.items():
        row = aid.get(code, {})
        received, decided, granted, refused, closed = (
            row.get(k, 0) for k in ("received", "decided", "granted", "refused", "closed"))
        expected[name] = (received, decided, granted, refused, closed, share(granted, decided),
                          calls.get(code, 0))
    _, named, _, body = table(workbook(client, "legal-services", **query).active)
    assert named == unit and body == with_total(expected, [(5, 2, 1)])
    return expected


def check_advisers(client, counties, unit, by_town, **query):
    coverage = ok(client.get(f"{R}/coverage"), 200)["counties"]
    units = ([t for c in coverage if c["county_code"] in counties for t in c["towns"]]
             if by_town else [c for c in coverage if c["county_code"] in counties])
    name = "town_name" if by_town else "county_name"
    expected = {u[name]: (u["communities"], u["with_adviser"],
                          share(u["with_adviser"], u["communities"])) for u in units}
    progress = {c["county_code"]: c for c in ok(client.get(
        f"{R}/health-checks/progress", query_string={"year": TODAY.year}), 200)["counties"]}
    checks = {}
    for code, county in counties.items():
        row = progress.get(code, {})
        checks[county] = (row.get("checks", 0), row.get("checked", 0), row.get("target"),
                          share(row.get("checked", 0), row.get("target")))
    book = workbook(client, "legal-advisers", **query)
    assert book.sheetnames == ["法律顾问", "法律体检"]
    _, named, _, body = table(book["法律顾问"])
    assert named == unit and body == with_total(expected, [(2, 1, 0)])
    _, _, period, body = table(book["法律体检"])
    assert period == f"{TODAY.year}年" and body == with_total(checks, [(3, 1, 2)])
    return expected


def check_evaluation(client, counties, names, unit, by_town, **query):
    report = ok(client.get("/api/v1/evaluation/reports",
                           query_string={"period": str(TODAY.year)}), 200)["counties"]
    report = [c for c in report if c["county_code"] in counties]
    rows = ([t for c in report for t in c["towns"]] if by_town else report)
    key = "town_code" if by_town else "county_code"
    levels = list(vocabulary.TITLE_LEVELS)
    expected = {names[r[key]]: (r["communities"], r["evaluated"], r["passed"],
                                share(r["passed"], r["evaluated"]), r["vetoed"],
                                r["average_score"],
                                *(r["titles_by_level"].get(level, 0) for level in levels))
                for r in rows}
    total = with_total(expected, [(3, 2, 1)])
    total["合计"] = (*total["合计"][:5], None, *total["合计"][6:])
    _, named, period, body = table(workbook(client, "evaluation", **query).active)
    assert named == unit and period == f"{TODAY.year}年度"
    assert body == total
    return expected


def check_self_governance(client, counties, unit, by_town, **query):
    figures = ok(client.get(f"{R}/governance-figures", query_string=SPAN), 200)["counties"]
    figures = [c for c in figures if c["county_code"] in counties]
    rows = [t for c in figures for t in c["towns"]] if by_town else figures
    name = "town_name" if by_town else "county_name"
    keys = ("communities", "villages", "with_party_organisation", "assemblies",
            "quorate_assemblies", "with_convention", "grids", "elections_due",
            "elections_held")
    expected = {}
    for r in rows:
        v = [r[k] for k in keys]
        expected[r[name]] = (*v[:3], share(v[2], v[0] + v[1]), *v[3:5], share(v[4], v[3]),
                             *v[5:])
    total = with_total(expected, [(6, 5, 4)])
    t = total["合计"]
    total["合计"] = (*t[:3], share(t[2], t[0] + t[1]), *t[4:])
    _, named, _, body = table(workbook(client, "self-governance", **query).active)
    assert named == unit and body == total
    return expected


def test_justice_returns_of_a_county_and_of_a_city_hold_the_apis_figures(services, gateway):
    seed_mediation(gateway)
    seed_justice(gateway)
    names = county_names(gateway)
    assert names == {YUHANG: "余杭区", FUYANG: "富阳区"}
    county = gateway.as_role("justice_officer", YUHANG)
    city = gateway.as_role("justice_officer", CITY)
    check_legal_services(city, names, "全市（2个县（市、区））")

    by_category = check_disputes(county, {YUHANG}, "余杭区")
    assert by_category["邻里纠纷"][:3] == (1, 1, 0) and by_category["合同"][0] == 1
    check_disputes(city, set(names), "全市（2个县（市、区））")
    # a province officer asks for the city: the city's counties, summed
    check_disputes(gateway.as_role("justice_officer", "330000000000"), set(names),
                   "全市（2个县（市、区））", area_code=CITY)
    check_organisations(county, {YUHANG: "余杭区"}, "余杭区")
    check_organisations(city, names, "全市（2个县（市、区））")
    aid = check_legal_services(county, {YUHANG: "余杭区"}, "余杭区")
    assert aid["余杭区"][0] == 1
    advisers = check_advisers(county, {YUHANG: "余杭区"}, "余杭区", True)
    assert advisers["镇"] == (1, 1, 1.0)
    check_advisers(city, names, "全市（2个县（市、区））", False)
    towns = {t["town_code"]: t["town_name"] for c in ok(gateway.get(f"{R}/coverage"), 200)[
        "counties"] for t in c["towns"]}
    evaluated(gateway, 2)
    check_evaluation(county, {YUHANG}, towns, "余杭区", True)
    check_evaluation(city, set(names), names, "全市（2个县（市、区））", False)
    # the platform (no area): every county
    check_organisations(gateway, names, "全部县（市、区）（2个县（市、区））")


def test_the_civil_affairs_return_holds_the_registrys_figures(services, gateway):
    seed_mediation(gateway)
    seed_self_governance(gateway)
    names = county_names(gateway)
    county = gateway.as_role("civil_affairs_officer", YUHANG)
    rows = check_self_governance(county, {YUHANG}, "余杭区", True)
    assert rows["镇"] == (0, 1, 1, 1.0, 2, 1, 0.5, 1, 0, 0, 1)
    assert rows["良渚街道"] == (1, 0, 0, 0.0, 0, 0, None, 0, 1, 1, 0)
    city = gateway.as_role("civil_affairs_officer", CITY)
    check_self_governance(city, set(names), "全市（2个县（市、区））", False)
    # the evaluation return is civil affairs' too
    evaluated(gateway, 3)
    check_evaluation(county, {YUHANG}, {t["town_code"]: t["town_name"] for c in ok(
        gateway.get(f"{R}/coverage"), 200)["counties"] for t in c["towns"]}, "余杭区", True)
    # a town's officer files for its own town
    town = gateway.as_role("civil_affairs_officer", TOWN)
    _, named, _, body = table(workbook(town, "self-governance").active)
    assert named == "余杭区镇" and list(body) == ["镇", "合计"]


def test_returns_keep_to_the_callers_area_period_and_role(services, gateway):
    seed_mediation(gateway)
    fuyang = gateway.as_role("justice_officer", FUYANG)
    outside = fuyang.get(returns_path("legal-services"),
                         query_string={"period": MONTH, "area_code": YUHANG},
                         headers={"Accept-Language": "zh-CN"})
    assert outside.status_code == 404
    assert outside.json["detail"] == "所选统计区域不在您的管辖区域内。"
    own = load_workbook(BytesIO(fuyang.get(returns_path("legal-services"),
                                           query_string={"period": MONTH}).data))
    assert list(table(own.active)[3]) == ["富阳区", "合计"]
    for period in ("2025-13", "25", "2025-1", ""):
        bad = gateway.get(returns_path("evaluation"), query_string={"period": period},
                          headers={"Accept-Language": "zh-CN"})
        assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
        assert bad.json["title"] == "请求中有不符合要求的内容" and "period" in bad.json["fields"]
    bad = gateway.get(returns_path("evaluation"), query_string={"period": "2025-13"},
                      headers={"Accept-Language": "zh-CN"})
    assert bad.json["fields"]["period"] == ["统计期间须为年份（YYYY）或月份（YYYY-MM）。"]
    town = gateway.get(returns_path("evaluation"), query_string={
        "period": "2025", "area_code": TOWN}, headers={"Accept-Language": "zh-CN"})
    assert town.status_code == 422
    assert town.json["fields"]["area_code"] == ["统计区域须为省、市或县（市、区）。"]
    civil = gateway.as_role("civil_affairs_officer", YUHANG)
    justice = gateway.as_role("justice_officer", YUHANG)
    for key in ("mediation-disputes", "mediation-organisations", "legal-services",
                "legal-advisers"):
        assert civil.get(returns_path(key), query_string={"period": MONTH}).status_code == 403
    assert justice.get(returns_path("self-governance"),
                       query_string={"period": MONTH}).status_code == 403
    assert gateway.as_role("mediator", YUHANG).get(
        returns_path("evaluation"), query_string={"period": MONTH}).status_code == 403
    assert gateway.anonymous().get(returns_path("evaluation"),
                                   query_string={"period": MONTH}).status_code == 401
