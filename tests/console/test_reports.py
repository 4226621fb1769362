"""The mediation report form as Excel: the figures of the mediation service, laid out per
county and for a whole area, under the caller's own role and area."""
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.helpers import register, service_class, wait_until

R = "/api/v1/registry"
M = "/api/v1/mediation"
REPORT = "/console/reports/mediation.xlsx"


@pytest.fixture
def services(container_factory, service_config):
    for name in ("registry", "mediation", "legalservices"):
        container_factory(service_class(name), service_config(name)).start()


def seed_mediation(gateway):
    for county, town, community, name in (
            ("330110000000", "330110001000", "330110001001", "余杭区"),
            ("330111000000", "330111001000", "330111001001", "富阳区")):
        register(gateway, f"{R}/counties", {"code": county, "name": name, "kind": "district"})
        register(gateway, f"{R}/towns", {"code": town, "county_code": county, "name": "镇",
                                         "kind": "town"})
        register(gateway, f"{R}/communities", {"code": community, "town_code": town,
                                               "name": "村", "kind": "village"})
    # mediation learns the units from the registry's events: until it has, it refuses
    # them (422) and stores nothing, so asking again is safe
    def created(path, body):
        response = gateway.post(path, json=body)
        return response.json if response.status_code == 201 else None

    org = wait_until(lambda: created(f"{M}/organisations", {
        "name": "警调对接室", "kind": "police", "county_code": "330110000000",
        "department": "police-330110"}), timeout=60)
    case = wait_until(lambda: created(f"{M}/referrals", {
        "organisation_id": org["id"], "referrer_kind": "police_station",
        "referrer_department": "police-330110", "referrer_reference": "警1",
        "community_code": "330110001001", "dispute_category": "neighbourhood",
        "description": "噪声", "parties": [{"role": "applicant", "name": "李四"}]}), timeout=60)
    gateway.as_role("mediator", "330110000000", department="police-330110")
    mediator = "mediator-330110000000-police-330110"
    for action, body in (("accept", {}), ("assign-mediator", {"mediator": mediator}),
                         ("record-agreement", {"terms": "夜间不施工"})):
        assert gateway.post(f"{M}/cases/{case['id']}/{action}", json=body).status_code == 200
    # legal services learns the units from the registry's events too
    assert wait_until(lambda: created(f"{M}/legal-aid", {
        "community_code": "330110001001", "matter": "欠薪",
        "applicant": {"role": "applicant", "name": "王五"}}), timeout=60)


def _rows(sheet):
    return {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row and row[0]}


def test_a_county_report_and_a_city_report_with_a_sheet_per_county(services, gateway):
    seed_mediation(gateway)
    month = date.today().strftime("%Y-%m")
    one = gateway.get(REPORT, query_string={"period": month, "county_code": "330110000000"})
    assert one.status_code == 200, one.json
    book = load_workbook(BytesIO(one.data))
    assert book.sheetnames == ["余杭区"]
    rows = _rows(book.active)
    assert rows["余杭区调解工作统计表"]
    police = rows["警调对接"]
    assert police[:6] == (1, 1, 0, 1, 0, 1)  # received, accepted, declined, settled, failed
    assert police[6] == 0  # overdue
    assert rows["合计"][:5] == (1, 1, 0, 1, 0)
    assert rows["法律援助申请（件）"][0] == 1

    # the lists the console's legal-services page shows, with an item in each
    aid = gateway.get(f"{M}/legal-aid").json
    assert aid["total"] == 1 and aid["items"][0]["applicant"]["name"] == "王五"
    assert gateway.post(f"{M}/hotline-consultations", json={
        "community_code": "330110001001", "consulted_on": date.today().isoformat(),
        "topic": "labour", "summary": "加班费", "answered_by": "12348-1",
        "caller_phone": "13700001234"}).status_code == 201
    calls = gateway.as_role("viewer", "330110000000").get(f"{M}/hotline-consultations").json
    assert calls["total"] == 1 and calls["items"][0]["caller_phone"] != "13700001234"

    everything = gateway.get(REPORT, query_string={"period": month[:4]})
    book = load_workbook(BytesIO(everything.data))
    assert book.sheetnames == ["汇总", "余杭区", "富阳区"]
    assert _rows(book["汇总"])["合计"][:5] == (1, 1, 0, 1, 0)
    assert _rows(book["富阳区"])["合计"][:5] == (0, 0, 0, 0, 0)
    assert _rows(book["富阳区"])["法律援助申请（件）"][0] == 0


def test_an_area_of_more_counties_than_a_page_has_a_sheet_for_each(services, gateway,
                                                                   monkeypatch):
    """A province holds more counties than the registry answers on one page: the report
    reads them all (here one a page), and a county on a later page is found by its code."""
    from gateway.console import views

    for number in range(2, 5):
        assert gateway.post(f"{R}/counties", json={
            "code": f"3301{number:02d}000000", "name": f"第{number}区",
            "kind": "district"}).status_code == 201
    monkeypatch.setattr(views, "COUNTY_PAGE", 1)
    everything = gateway.get(REPORT, query_string={"period": str(date.today().year)})
    assert everything.status_code == 200, everything.json
    assert load_workbook(BytesIO(everything.data)).sheetnames == [
        "汇总", "第2区", "第3区", "第4区"]
    last = gateway.get(REPORT, query_string={"period": str(date.today().year),
                                             "county_code": "330104000000"})
    assert load_workbook(BytesIO(last.data)).sheetnames == ["第4区"]


def test_the_report_keeps_to_the_callers_area_and_refuses_bad_periods(services, gateway):
    seed_mediation(gateway)
    fuyang = gateway.as_role("justice_officer", "330111000000")
    assert fuyang.get(REPORT, query_string={"period": "2025",
                                            "county_code": "330110000000"}).status_code == 404
    own = load_workbook(BytesIO(fuyang.get(REPORT, query_string={"period": "2025"}).data))
    assert own.sheetnames == ["富阳区"]
    bad = gateway.get(REPORT, query_string={"period": "2025-13"})
    assert bad.status_code == 422 and "period" in bad.json["fields"]
    civil = gateway.as_role("civil_affairs_officer", "330110000000")
    assert civil.get(REPORT, query_string={"period": "2025"}).status_code == 403
    assert gateway.anonymous().get(REPORT, query_string={"period": "2025"}).status_code == 401
