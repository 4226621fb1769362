"""Registry through the gateway: election_due announced once per body term; unit lists
written as offices write them (Chinese kind labels, the NBS urban-rural code column);
coverage reports that show the units with nothing."""
import base64

from tests.helpers import queued_events

R = "/api/v1/registry"
COUNTY, EMPTY_COUNTY = "330110000000", "330122000000"
TOWN = "330110001000"
A, B = "330110001201", "330110001202"


def _units(gateway):
    for county, name in ((COUNTY, "余杭区"), (EMPTY_COUNTY, "桐庐县")):
        assert gateway.post(f"{R}/counties", json={"code": county, "name": name,
                                                    "kind": "county"}).status_code == 201
    town = {"code": TOWN, "county_code": COUNTY, "name": "良渚街道", "kind": "street"}
    assert gateway.post(f"{R}/towns", json=town).status_code == 201
    for code, name, kind in ((A, "大陆社区", "urban_community"), (B, "安溪村", "village")):
        assert gateway.post(f"{R}/communities", json={
            "code": code, "town_code": TOWN, "name": name, "kind": kind}).status_code == 201


def _body(gateway, community, kind, started):
    response = gateway.post(f"{R}/governance-bodies", json={
        "community_code": community, "kind": kind, "term_started_on": started, "members": []})
    assert response.status_code == 201, response.json
    return response.json


def _run(gateway, today):
    response = gateway.post(f"{R}/election-due-schedule/runs", json={"today": today})
    assert response.status_code == 200, response.json
    return response.json["announced"]


def test_election_due_is_announced_ahead_of_the_term_once_per_term(registry, gateway,
                                                                    rabbit_config):
    _units(gateway)
    soon = _body(gateway, A, "residents_committee", "2021-03-01")   # ends 2026-03-01
    later = _body(gateway, B, "villagers_committee", "2022-09-01")  # ends 2027-09-01

    # 2025-11-01: the first term ends within the 90-day notice, the second does not
    assert _run(gateway, "2025-11-01") == []
    assert _run(gateway, "2025-12-15") == [soon["id"]]
    assert _run(gateway, "2025-12-16") == []  # announced once, however often the job runs
    assert _run(gateway, "2026-04-01") == []  # not again when the term has run out

    events = queued_events(rabbit_config["AMQP_URI"], "registry", "election_due",
                           "notifications", expect=2, timeout=2)
    assert [(e["data"]["body_id"], e["data"]["community_code"], e["data"]["term_ends_on"],
             e["data"]["overdue"], e["data"]["notice_days"]) for e in events] == [
        (soon["id"], A, "2026-03-01", False, 90)]

    # the next term is announced again, ahead of its own end
    elected = gateway.post(f"{R}/governance-bodies/{soon['id']}/elections", json={
        "held_on": "2025-12-20", "eligible_voters": 100, "votes_cast": 80,
        "result": "elected", "members": []})
    assert elected.status_code == 201, elected.json
    assert _run(gateway, "2027-07-01") == [later["id"]]  # ends 2027-09-01
    assert _run(gateway, "2030-10-01") == [soon["id"]]   # its new term ends 2030-12-20
    assert _run(gateway, "2030-10-02") == []


def test_an_overdue_body_is_announced_as_overdue_and_coverage_shows_empty_units(
        registry, gateway, rabbit_config):
    _units(gateway)
    _coverage_shows_counties_and_towns_with_nothing(gateway)
    body = _body(gateway, B, "villagers_committee", "2018-05-01")  # ended 2023-05-01
    assert _run(gateway, "2025-01-01") == [body["id"]]
    event = queued_events(rabbit_config["AMQP_URI"], "registry", "election_due",
                          "notifications")[0]
    assert event["data"]["overdue"] is True and event["data"]["county_code"] == COUNTY

    officer = gateway.as_role("civil_affairs_officer", COUNTY)
    refused = officer.post(f"{R}/election-due-schedule/runs", json={})
    assert refused.status_code == 403
    bad = gateway.post(f"{R}/election-due-schedule/runs", json={"today": "soon"})
    assert bad.status_code == 422 and "today" in bad.json["fields"]


def _upload(gateway, text, encoding="utf-8"):
    return gateway.post(f"{R}/imports", json={
        "filename": "units.csv",
        "content_base64": base64.b64encode(text.encode(encoding)).decode()})


def test_a_list_with_chinese_kind_labels_and_urban_rural_codes_imports(registry, gateway):
    _labels_of_the_wrong_level_and_unknown_codes_are_refused_row_by_row(gateway)
    listing = ("统计用区划代码,名称,类型,城乡分类代码\n"
               "330110000000,余杭区,市辖区,\n"
               "330181000000,某县级市,县级市,\n"
               "330122000000,桐庐县,县,\n"
               "330110001000,良渚街道,街道,\n"
               "330110101000,瓶窑镇,镇,\n"
               "330110201000,鸬鸟乡,乡,\n"
               "330110001001,大陆社区,社区,111\n"
               "330110101001,瓶窑社区,社区,121\n"
               "330110201001,鸬鸟社区,社区,210\n"
               "330110201202,太公堂村,村,220\n")
    done = _upload(gateway, listing, "gbk")
    assert done.status_code == 201, done.json
    assert done.json["created"] == 10
    kinds = {c["code"]: c["kind"] for c in gateway.get(f"{R}/counties").json["items"]}
    assert kinds == {"330110000000": "district", "330181000000": "county_city",
                     "330122000000": "county"}
    towns = {t["code"]: t["kind"] for t in gateway.get(f"{R}/towns").json["items"]}
    assert towns == {"330110001000": "street", "330110101000": "town",
                     "330110201000": "township"}
    units = {c["code"]: (c["kind"], c["urban_rural_code"])
             for c in gateway.get(f"{R}/communities").json["items"]}
    assert units == {"330110001001": ("urban_community", "111"),
                     "330110101001": ("urban_community", "121"),
                     "330110201001": ("rural_community", "210"),
                     "330110201202": ("village", "220")}
    # the same list again changes nothing
    assert _upload(gateway, listing).json["unchanged"] == 10


def _labels_of_the_wrong_level_and_unknown_codes_are_refused_row_by_row(gateway):
    listing = ("统计用区划代码,名称,类型,城乡分类代码\n"
               "330110000000,余杭区,街道,\n"
               "330110001000,良渚街道,街道,111\n"
               "330110001001,大陆社区,社区,999\n")
    refused = _upload(gateway, listing)
    assert refused.status_code == 422
    fields = refused.json["fields"]
    assert set(fields["line 2"]) == {"kind"} and "市辖区" in fields["line 2"]["kind"][0]
    assert fields["line 3"]["urban_rural_code"] == ["only a community or village carries one"]
    assert fields["line 4"]["urban_rural_code"] == ["one of 111, 112, 121, 122, 123, 210, 220"]
    assert gateway.get(f"{R}/counties").json["total"] == 0


def _coverage_shows_counties_and_towns_with_nothing(gateway):
    assert gateway.post(f"{R}/towns", json={"code": "330110002000", "county_code": COUNTY,
                                             "name": "空镇", "kind": "town"}).status_code == 201
    report = gateway.get(f"{R}/coverage").json
    counties = {c["county_code"]: c for c in report["counties"]}
    assert set(counties) == {COUNTY, EMPTY_COUNTY}
    empty = counties[EMPTY_COUNTY]
    assert (empty["communities"], empty["with_adviser"], empty["towns"]) == (0, 0, [])
    towns = {t["town_code"]: t for t in counties[COUNTY]["towns"]}
    assert towns["330110002000"]["communities"] == 0
    assert towns[TOWN]["with_adviser"] == 0 and towns[TOWN]["adviser_share"] == 0
    assert report["counties_lacking_venue"] == [COUNTY, EMPTY_COUNTY]
    assert report["venue_coverage"] == 0
