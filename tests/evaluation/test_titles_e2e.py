"""Titles by level and by a person's decision, through the real gateway, with the real
registry announcing elections and reorganisations to evaluation."""
from datetime import date

from tests.evaluation.survey_checks import a_burst_from_one_source_is_flagged_and_not_counted
from tests.evaluation.titles_setup import (
    CITY,
    COUNTY,
    PROVINCE,
    V1,
    V2,
    E,
    R,
    award,
    both,
    officer,
    ok,
    town,
)
from tests.helpers import queued_events, wait_until

TODAY = date.today()
Y = str(TODAY.year)
AWARDED = TODAY.isoformat()


def test_titles_by_level_and_expiry_and_a_survey_burst(registry, evaluation, gateway):
    town(gateway, Y)
    _both_departments_of_the_level_name_revoke_and_re_examine(gateway)
    _titles_expire_and_leave_the_counts(gateway)
    a_burst_from_one_source_is_flagged_and_not_counted(gateway)


def _both_departments_of_the_level_name_revoke_and_re_examine(gateway):
    province, city, county = (officer(gateway, a) for a in (PROVINCE, CITY, COUNTY))
    body = {"community_code": V1, "period": Y, "level": "province", "awarded_on": AWARDED}
    # the platform belongs to neither department; a county names no provincial title
    assert gateway.post(f"{E}/titles", json=body).status_code == 403
    below = county.post(f"{E}/titles", json=body)
    assert below.status_code == 403 and "level" in below.json["fields"]
    # one department's decision proposes; the title exists when the other decides too
    proposed = ok(province.post(f"{E}/titles", json=body), 201)
    assert proposed["status"] == "proposed"
    assert [(d["department"], d["in_effect"]) for d in proposed["decisions"]] == [
        ("justice", False)]
    assert "司法部" in proposed["decisions"][0]["citation"]
    assert province.post(f"{E}/titles", json=body).status_code == 409  # decided already
    provincial = ok(province.partner.post(f"{E}/titles", json=body), 201)
    assert provincial["id"] == proposed["id"] and provincial["status"] == "held"
    assert provincial["valid_until"] and provincial["validity_source"].startswith("测试")
    local = award(county, V1, "county", Y, AWARDED)
    revocation = {"reason": "申报材料不实", "revoked_on": AWARDED}

    # the ministries (officers with no area) name national titles; this province asks a
    # provincial title first, and the refusal quotes its source
    ministry = gateway.as_role("civil_affairs_officer", None, department="民政部")
    national = {**body, "level": "national"}
    first = ministry.post(f"{E}/titles", json={**national, "community_code": V2})
    assert first.status_code == 409 and "第四条" in first.json["fields"]["level"][0]
    assert ok(ministry.post(f"{E}/titles", json=national), 201)["status"] == "proposed"

    for other in (county, city, gateway):
        refused = other.post(f"{E}/titles/{provincial['id']}/revocation", json=revocation)
        assert refused.status_code == 403
        again = other.post(f"{E}/titles/{provincial['id']}/re-examination", json={
            "outcome": "revoke", "reason": "复核不合格", "examined_on": AWARDED})
        assert again.status_code == 403
    assert ok(gateway.get(f"{E}/titles/{provincial['id']}"))["status"] == "held"

    # re-examination (复核): both departments' outcome; a differing second outcome is refused
    kept = {"outcome": "keep", "reason": "复核合格", "examined_on": AWARDED}
    path = f"{E}/titles/{local['id']}/re-examination"
    assert ok(county.post(path, json=kept))["status"] == "held"
    differs = county.partner.post(path, json={**kept, "outcome": "cancel"})
    assert differs.status_code == 409 and "outcome" in differs.json["fields"]
    assert ok(county.partner.post(path, json=kept))["history"][-1]["action"] == "kept"
    assert both(county, f"{E}/titles/{local['id']}/revocation",
                revocation).json["status"] == "revoked"
    half = ok(province.post(f"{E}/titles/{provincial['id']}/revocation", json=revocation))
    assert half["status"] == "held"  # the other department has not decided
    revoked = ok(province.partner.post(f"{E}/titles/{provincial['id']}/revocation",
                                       json=revocation))
    assert revoked["status"] == "revoked" and revoked["end_reason"] == "申报材料不实"
    assert all(d["in_effect"] for d in revoked["decisions"])
    # bad paths: twice, unknown, another area's, no reason
    assert province.post(f"{E}/titles/{provincial['id']}/revocation",
                         json=revocation).status_code == 409
    assert province.post(f"{E}/titles/9999/revocation", json=revocation).status_code == 404
    elsewhere = officer(gateway, "330122000000")
    assert elsewhere.post(f"{E}/titles/{local['id']}/revocation",
                          json=revocation).status_code == 404
    no_reason = province.post(f"{E}/titles/{local['id']}/revocation",
                              json={"revoked_on": AWARDED})
    assert no_reason.status_code == 422 and "reason" in no_reason.json["fields"]


def _failed_election(gateway, body_id, held_on):
    ok(gateway.post(f"{R}/governance-bodies/{body_id}/elections", json={
        "held_on": held_on, "eligible_voters": 500, "votes_cast": 100,
        "result": "failed"}), 201)


def _proposals(gateway):
    return gateway.get(f"{E}/vetoes?community_code={V1}&status=proposed").json["items"]


def test_a_failed_election_proposes_a_veto_that_an_officer_confirms_or_dismisses(
        registry, evaluation, gateway, rabbit_config):
    town(gateway, Y)
    province, county = officer(gateway, PROVINCE), officer(gateway, COUNTY)
    provincial = award(province, V1, "province", Y, AWARDED)
    local = award(county, V1, "county", Y, AWARDED)
    body = ok(gateway.post(f"{R}/governance-bodies", json={
        "community_code": V1, "kind": "villagers_committee"}), 201)

    # a failed first round: proposed, nothing revoked, the score stands
    _failed_election(gateway, body["id"], AWARDED)
    [first] = wait_until(lambda: _proposals(gateway), timeout=30)
    assert (first["veto_item"], first["origin"]) == ("election_failed", "election_held")
    # the reason an officer reads names the event by its label, in Chinese
    assert "（换届选举，" in first["reason"] and "election_held" not in first["reason"]
    assert not ok(gateway.get(f"{E}/results/{V1}?period={Y}"))["vetoed"]
    assert {ok(gateway.get(f"{E}/titles/{t['id']}"))["status"]
            for t in (provincial, local)} == {"held"}

    # another round is routine: the officer dismisses the proposal, with a reason
    no_reason = county.post(f"{E}/vetoes/{first['id']}/decision", json={"decision": "dismiss"})
    assert no_reason.status_code == 422 and "reason" in no_reason.json["fields"]
    dismissed = ok(county.post(f"{E}/vetoes/{first['id']}/decision", json={
        "decision": "dismiss", "reason": "已依法另行选举"}))
    assert dismissed["status"] == "dismissed" and dismissed["decision_reason"] == "已依法另行选举"
    assert county.post(f"{E}/vetoes/{first['id']}/decision", json={
        "decision": "confirm", "reason": "x"}).status_code == 409
    assert gateway.as_role("evaluator", COUNTY).post(
        f"{E}/vetoes/{first['id']}/decision",
        json={"decision": "confirm", "reason": "x"}).status_code == 403
    assert not ok(gateway.get(f"{E}/results/{V1}?period={Y}"))["vetoed"]

    # the second round fails too: a new proposal, which the county confirms; the county's
    # title is revoked, the province's is referred to the province, not revoked
    _failed_election(gateway, body["id"], AWARDED)
    [second] = wait_until(lambda: _proposals(gateway), timeout=30)
    assert second["id"] != first["id"]
    confirmed = ok(county.post(f"{E}/vetoes/{second['id']}/decision", json={
        "decision": "confirm", "reason": "两次选举均未成功"}))
    assert confirmed["status"] == "confirmed"
    assert ok(gateway.get(f"{E}/results/{V1}?period={Y}"))["vetoed"]
    assert ok(gateway.get(f"{E}/titles/{local['id']}"))["status"] == "revoked"
    kept = ok(gateway.get(f"{E}/titles/{provincial['id']}"))
    assert kept["status"] == "held"
    assert [h["action"] for h in kept["history"]] == ["awarded", "veto_referred"]

    heard = queued_events(rabbit_config["AMQP_URI"], "evaluation", "veto_proposed",
                          "notifications", expect=2)
    assert [e["data"]["veto_id"] for e in heard] == [first["id"], second["id"]]
    vetoed = queued_events(rabbit_config["AMQP_URI"], "evaluation", "community_vetoed",
                           "notifications", expect=2, timeout=2)
    assert [e["data"]["veto_id"] for e in vetoed] == [second["id"]]


def _titles_expire_and_leave_the_counts(gateway):
    # V1's titles were revoked above; V2 holds one
    title = award(officer(gateway, COUNTY), V2, "county", Y, AWARDED)
    report = ok(gateway.get(f"{E}/reports?period={Y}&county_code={COUNTY}"))
    assert report["counties"][0]["titles_held"] == 1
    last_day = date.fromisoformat(title["valid_until"])
    run = ok(gateway.post(f"{E}/re-evaluation-schedule/runs",
                          json={"today": last_day.isoformat()}))
    assert run["expired"] == []  # valid through its last day
    run = ok(gateway.post(f"{E}/re-evaluation-schedule/runs",
                          json={"today": f"{last_day.year + 1}-01-01"}))
    assert run["expired"] == [title["id"]]
    expired = ok(gateway.get(f"{E}/titles/{title['id']}"))
    assert expired["status"] == "expired" and expired["ended_on"] == title["valid_until"]
    assert expired["history"][-1]["action"] == "expired"
    report = ok(gateway.get(f"{E}/reports?period={Y}&county_code={COUNTY}"))
    assert report["counties"][0]["titles_held"] == 0
    assert ok(gateway.post(f"{E}/re-evaluation-schedule/runs",
                           json={"today": f"{last_day.year + 1}-01-02"}))["expired"] == []
