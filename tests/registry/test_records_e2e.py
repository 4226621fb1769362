"""Self-governance, legal advisers, coverage and records, through the gateway."""
import base64

from tests.helpers import queued_events

R = "/api/v1/registry"
COUNTY, OTHER_COUNTY = "330110000000", "330122000000"
TOWN = "330110001000"
A, B = "330110001201", "330110001202"


def _units(gateway):
    for county, name in ((COUNTY, "余杭区"), (OTHER_COUNTY, "桐庐县")):
        assert gateway.post(f"{R}/counties", json={"code": county, "name": name,
                                                    "kind": "county"}).status_code == 201
    town = {"code": TOWN, "county_code": COUNTY, "name": "良渚街道", "kind": "street"}
    assert gateway.post(f"{R}/towns", json=town).status_code == 201
    for code, name in ((A, "大陆社区"), (B, "安溪村")):
        kind = "village" if name.endswith("村") else "urban_community"
        assert gateway.post(f"{R}/communities", json={
            "code": code, "town_code": TOWN, "name": name, "kind": kind}).status_code == 201


def test_body_elections_and_due_for_election(registry, gateway, rabbit_config):
    _units(gateway)
    body = gateway.post(f"{R}/governance-bodies", json={
        "community_code": A, "kind": "residents_committee", "term_started_on": "2019-06-01",
        "members": [{"name": "李主任", "role": "director", "started_on": "2019-06-01"}]})
    assert body.status_code == 201 and body.json["term_ends_on"] == "2024-06-01"
    assert body.json["due_for_election"] is True
    due = gateway.get(f"{R}/governance-bodies?due_for_election=true").json
    assert [b["id"] for b in due["items"]] == [body.json["id"]]

    bad = gateway.post(f"{R}/governance-bodies/{body.json['id']}/elections", json={
        "held_on": "2024-05-20", "eligible_voters": 100, "votes_cast": 120, "result": "elected"})
    assert bad.status_code == 422 and "votes_cast" in bad.json["fields"]

    election = gateway.post(f"{R}/governance-bodies/{body.json['id']}/elections", json={
        "held_on": "2024-05-20", "eligible_voters": 2000, "votes_cast": 1700,
        "result": "elected",
        "members": [{"name": "陈主任", "role": "director", "started_on": "2024-05-20"}]})
    assert election.status_code == 201 and election.json["turnout_rate"] == 0.85
    after = gateway.get(f"{R}/governance-bodies/{body.json['id']}").json
    assert after["due_for_election"] is False and after["term_ends_on"] == "2029-05-20"
    assert [m["ended_on"] for m in after["members"]] == ["2024-05-20", None]
    assert gateway.get(f"{R}/governance-bodies?due_for_election=true").json["total"] == 0
    [event] = queued_events(rabbit_config["AMQP_URI"], "registry", "election_held",
                            "evaluation")
    assert event["data"]["community_code"] == A and event["data"]["turnout_rate"] == 0.85
    assert gateway.get(f"{R}/governance-bodies/999").status_code == 404


def test_one_community_one_adviser_and_coverage(registry, gateway, rabbit_config):
    _units(gateway)
    justice = gateway.as_role("justice_officer", COUNTY)
    adviser = {"community_code": A, "adviser_name": "王律师", "adviser_kind": "lawyer",
               "organisation": "浙江某律师事务所", "assigned_on": "2026-01-05"}
    first = justice.post(f"{R}/legal-advisers", json=adviser)
    assert first.status_code == 201
    second = justice.post(f"{R}/legal-advisers", json=dict(adviser, adviser_name="赵公证员",
                                                            adviser_kind="notary"))
    assert second.status_code == 409 and "community_code" in second.json["fields"]
    assert justice.post(f"{R}/culture-venues", json={
        "county_code": COUNTY, "kind": "park", "name": "法治公园"}).status_code == 201
    station = {"kind": "counselling_station", "name": "良渚法制辅导站", "town_code": TOWN}
    assert justice.post(f"{R}/education-places", json=station).status_code == 201

    coverage = gateway.get(f"{R}/coverage").json
    home = next(c for c in coverage["counties"] if c["county_code"] == COUNTY)
    assert (home["communities"], home["with_adviser"], home["adviser_share"]) == (2, 1, 0.5)
    assert home["towns"][0]["education_places"] == 1
    assert coverage["counties_lacking_venue"] == [OTHER_COUNTY]
    assert coverage["venue_coverage"] == 0.5

    removed = justice.post(f"{R}/legal-advisers/{first.json['id']}/removal",
                           json={"removed_on": "2026-03-01"})
    assert removed.status_code == 200
    assert gateway.get(f"{R}/coverage").json["counties"][0]["with_adviser"] == 0
    assert justice.post(f"{R}/legal-advisers", json=dict(
        adviser, adviser_name="赵公证员", adviser_kind="notary")).status_code == 201
    events = queued_events(rabbit_config["AMQP_URI"], "registry", "legal_adviser_removed",
                           "evaluation")
    assert events[0]["data"]["assignment_id"] == first.json["id"]


def test_records_disclosures_and_health_check_progress(registry, gateway):
    _units(gateway)
    civil, justice = (gateway.as_role("civil_affairs_officer", COUNTY),
                      gateway.as_role("justice_officer", COUNTY))
    late = civil.post(f"{R}/disclosures", json={
        "community_code": A, "kind": "financial", "period": "2026-Q1",
        "disclosed_on": "2026-05-02"})
    on_time = civil.post(f"{R}/disclosures", json={
        "community_code": A, "kind": "party", "period": "2026-03", "disclosed_on": "2026-04-03"})
    assert (late.json["on_time"], on_time.json["on_time"]) == (False, True)
    assert civil.post(f"{R}/disclosures", json={"community_code": A, "kind": "party",
                                                "period": "2026-13",
                                                "disclosed_on": "2026-04-03"}).status_code == 422
    # disclosures are civil affairs' business, not justice's
    assert justice.post(f"{R}/disclosures", json={
        "community_code": A, "kind": "party", "period": "2026-03",
        "disclosed_on": "2026-04-03"}).status_code == 403

    check = {"county_code": COUNTY, "enterprise_name": "某科技有限公司",
             "credit_code": "91350100M000100Y43", "lawyer_name": "王律师",
             "checked_on": "2026-04-01"}
    assert justice.post(f"{R}/health-checks", json=check).status_code == 201
    bad = justice.post(f"{R}/health-checks", json=dict(check, credit_code="91350100M000100Y44"))
    assert bad.status_code == 422 and "credit_code" in bad.json["fields"]
    progress = gateway.get(f"{R}/health-checks/progress?year=2026").json
    assert {k: progress[k] for k in ("checked", "checks", "target", "share_of_target")} == {
        "checked": 1, "checks": 1, "target": 1000, "share_of_target": 0.001}

    volunteer = justice.post(f"{R}/volunteers", json={"county_code": COUNTY, "name": "志愿者甲"})
    outreach = {"volunteer_id": volunteer.json["id"], "community_code": A,
                "held_on": "2026-06-01", "target_group": "elderly", "participants": 40,
                "topic": "防范养老诈骗"}
    assert justice.post(f"{R}/outreach-activities", json=outreach).status_code == 201
    unknown = justice.post(f"{R}/outreach-activities", json=dict(outreach, volunteer_id=999))
    assert unknown.status_code == 422 and "volunteer_id" in unknown.json["fields"]
    summary = gateway.get(f"{R}/outreach-activities/summary?year=2026").json
    assert summary == [{"target_group": "elderly", "activities": 1, "participants": 40}]
    assert gateway.get(f"{R}/disclosures?community_code={A}").json["total"] == 2


def test_file_import_is_all_or_nothing_and_exports_round_trip(registry, gateway):
    good = "统计用区划代码,名称\n330110000000,余杭区\n330110001000,良渚街道\n330110001201,大陆村\n"
    bad = good + "330110002201,错位村\n"
    upload = {"filename": "units.csv",
              "content_base64": base64.b64encode(bad.encode("gbk")).decode()}
    refused = gateway.post(f"{R}/imports", json=upload)
    assert refused.status_code == 422 and "line 5" in refused.json["fields"]
    assert gateway.get(f"{R}/counties").json["total"] == 0

    checked = gateway.post(f"{R}/imports", json={**upload, "dry_run": True})
    assert checked.status_code == 200, checked.json
    assert checked.json["failed"] == 1 and checked.json["errors"][0]["line"] == 5
    assert checked.json["errors"][0]["fields"]

    upload["content_base64"] = base64.b64encode(good.encode("gbk")).decode()
    multipart = gateway.post(f"{R}/imports", data={
        "file": (__import__("io").BytesIO(good.encode("gbk")), "units.csv"), "dry_run": "true"},
        content_type="multipart/form-data")
    assert multipart.status_code == 200 and multipart.json["failed"] == 0
    assert gateway.get(f"{R}/counties").json["total"] == 0  # a dry run writes nothing
    done = gateway.post(f"{R}/imports", json=upload)
    assert done.status_code == 201 and done.json["created"] == 3
    assert gateway.get(f"{R}/communities/330110001201").json["kind"] == "village"

    exported = gateway.get(f"{R}/exports/units.csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    text = exported.data.decode("utf-8-sig")
    assert "330110001201,大陆村,community,village,330110001000,active" in text
    again = gateway.post(f"{R}/imports", data={
        "file": (__import__("io").BytesIO(exported.data), "units.csv")},
        content_type="multipart/form-data")
    assert again.status_code == 201 and again.json["unchanged"] == 3
