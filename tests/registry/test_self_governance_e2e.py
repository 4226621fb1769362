"""Self-governance records through the gateway: a party organisation edited and ended,
past elections listed, a term start recorded later announced when due; a village's major
matter by "四议两公开"; funding, purchased services and culture performances."""
from datetime import date, timedelta

from fazhi_common.clock import add_years
from tests.helpers import queued_events

R = "/api/v1/registry"
COUNTY, TOWN = "330110000000", "330110001000"
V = "330110001201"
TODAY = date.today()


def ok(response, status=201):
    assert response.status_code == status, response.json
    return response.json


def _village(gateway):
    ok(gateway.post(f"{R}/counties", json={"code": COUNTY, "name": "余杭区", "kind": "district"}))
    ok(gateway.post(f"{R}/towns", json={"code": TOWN, "county_code": COUNTY, "name": "良渚街道",
                                         "kind": "street"}))
    ok(gateway.post(f"{R}/communities", json={"code": V, "town_code": TOWN, "name": "大陆村",
                                               "kind": "village"}))


def test_bodies_edited_ended_and_due_once_their_term_is_known(registry, gateway, rabbit_config):
    _village(gateway)
    party = ok(gateway.post(f"{R}/governance-bodies", json={
        "community_code": V, "kind": "party_organisation", "secretary_name": "李书记"}))
    assert party["term_ends_on"] is None
    committee = ok(gateway.post(f"{R}/governance-bodies", json={
        "community_code": V, "kind": "villagers_committee"}))
    wrong = gateway.patch(f"{R}/governance-bodies/{committee['id']}",
                          json={"secretary_name": "某人"})
    assert wrong.status_code == 422 and "secretary_name" in wrong.json["fields"]
    run = {"today": TODAY.isoformat()}
    assert ok(gateway.post(f"{R}/election-due-schedule/runs", json=run), 200)["announced"] == []
    # the term start recorded later: the term ends within the notice, so it is announced
    started = add_years(TODAY + timedelta(days=30), -5).isoformat()
    edited = ok(gateway.patch(f"{R}/governance-bodies/{party['id']}", json={
        "term_started_on": started, "secretary_chairs_committee": True}), 200)
    assert edited["term_ends_on"] == (TODAY + timedelta(days=30)).isoformat()
    assert edited["secretary_chairs_committee"] is True and edited["secretary_name"] == "李书记"
    assert ok(gateway.post(f"{R}/election-due-schedule/runs", json=run), 200)["announced"] == [
        party["id"]]

    for held_on, result in (("2021-03-01", "failed"), ("2021-04-01", "elected")):
        ok(gateway.post(f"{R}/governance-bodies/{committee['id']}/elections", json={
            "held_on": held_on, "eligible_voters": 900, "votes_cast": 600, "result": result}))
    past = ok(gateway.get(f"{R}/governance-bodies/{committee['id']}/elections"), 200)
    assert [e["held_on"] for e in past["items"]] == ["2021-04-01", "2021-03-01"]

    ended = ok(gateway.post(f"{R}/governance-bodies/{party['id']}/end",
                            json={"ended_on": TODAY.isoformat()}), 200)
    assert ended["ended_on"] == TODAY.isoformat() and ended["due_for_election"] is False
    assert gateway.post(f"{R}/governance-bodies/{party['id']}/end",
                        json={"ended_on": TODAY.isoformat()}).status_code == 409
    kept = queued_events(rabbit_config["AMQP_URI"], "registry", "record_kept", "evaluation",
                         expect=5)
    party_states = [e["data"] for e in kept if e["data"]["record_kind"] == "bodies"
                    and e["data"]["record_id"] == party["id"]]
    assert party_states[-1]["ended_on"] == TODAY.isoformat()
    assert party_states[-1]["label"] == "党组织（书记李书记，一肩挑）"


def test_major_matter_funding_services_and_culture(registry, gateway):
    _village(gateway)
    day = "2026-01-05"
    meeting = ok(gateway.post(f"{R}/meetings", json={
        "community_code": V, "kind": "villagers_representative_meeting", "held_on": day,
        "eligible": 30, "attended": 19, "agenda": "村道硬化"}))
    assert meeting["quorate"] is False and "第二十六条" in meeting["quorum_rule"]
    matter = {"community_code": V, "title": "村道硬化工程", "meeting_id": meeting["id"],
              "proposed_on": "2026-01-01", "discussed_on": "2026-01-01",
              "reviewed_on": "2026-01-03", "resolved_on": day,
              "resolution_disclosed_on": "2026-01-06", "result_disclosed_on": "2026-01-20"}
    recorded = ok(gateway.post(f"{R}/major-matters", json=matter))
    assert recorded["complete"] is False and recorded["missing"] == ["决议会议未达法定人数"]
    backwards = gateway.post(f"{R}/major-matters", json={**matter, "reviewed_on": "2025-12-01"})
    assert backwards.status_code == 422 and "reviewed_on" in backwards.json["fields"]

    ok(gateway.post(f"{R}/funding-lines", json={
        "community_code": V, "year": 2026, "source": "fiscal", "budgeted": 200000,
        "spent": 50000}))
    assert ok(gateway.get(f"{R}/funding-lines?year=2026"), 200)["total"] == 1
    service = {"community_code": V, "provider": "某社会工作服务中心", "contract_number": "GM-1",
               "amount": 80000, "starts_on": "2026-01-01", "ends_on": "2026-12-31",
               "evaluation_result": "good", "paid": 40000}
    ok(gateway.post(f"{R}/purchased-services", json=service))
    overpaid = gateway.post(f"{R}/purchased-services", json={**service, "paid": 90000})
    assert overpaid.status_code == 422 and "paid" in overpaid.json["fields"]
    justice = gateway.as_role("justice_officer", COUNTY)
    ok(justice.post(f"{R}/culture-performances", json={
        "community_code": V, "work_title": "法在身边", "work_kind": "drama",
        "troupe": "区法治文艺宣传队", "performed_on": day, "audience": 300}))
    viewer = gateway.as_role("civil_affairs_officer", "330122000000")
    assert viewer.post(f"{R}/funding-lines", json={
        "community_code": V, "year": 2026, "source": "fiscal", "budgeted": 1}).status_code == 403


def test_a_grid_ended_is_kept_with_its_reports_and_stops_counting(registry, gateway,
                                                                   rabbit_config):
    _village(gateway)
    grid = ok(gateway.post(f"{R}/grids", json={
        "community_code": V, "name": "第一网格", "worker_name": "周网格员", "households": 320,
        "established_on": "2025-01-01"}))
    ok(gateway.post(f"{R}/grid-reports", json={
        "grid_id": grid["id"], "kind": "risk", "found_on": "2025-06-01", "place": "村口桥",
        "description": "桥栏松动"}))
    early = gateway.post(f"{R}/grids/{grid['id']}/end", json={"ended_on": "2024-12-31"})
    assert early.status_code == 422 and "ended_on" in early.json["fields"]
    # another county's officer does not see the grid at all
    other = gateway.as_role("civil_affairs_officer", "330122000000")
    assert other.post(f"{R}/grids/{grid['id']}/end",
                      json={"ended_on": "2026-01-01"}).status_code == 404
    assert gateway.post(f"{R}/grids/999999/end", json={"ended_on": "2026-01-01"}
                        ).status_code == 404
    ended = ok(gateway.post(f"{R}/grids/{grid['id']}/end", json={"ended_on": "2026-01-01"}), 200)
    assert ended["ended_on"] == "2026-01-01" and ended["households"] == 320
    assert gateway.post(f"{R}/grids/{grid['id']}/end",
                        json={"ended_on": "2026-02-01"}).status_code == 409
    late = gateway.post(f"{R}/grid-reports", json={
        "grid_id": grid["id"], "kind": "risk", "found_on": "2026-03-01", "place": "村口桥",
        "description": "桥栏又松动"})
    assert late.status_code == 409
    [kept] = ok(gateway.get(f"{R}/grids?community_code={V}"), 200)["items"]
    assert kept["ended_on"] == "2026-01-01"
    assert ok(gateway.get(f"{R}/grid-reports?community_code={V}"), 200)["total"] == 1
    announced = queued_events(rabbit_config["AMQP_URI"], "registry", "record_kept",
                              "evaluation", expect=2)
    states = [e["data"] for e in announced if e["data"]["record_kind"] == "grids"]
    assert [s["ended_on"] for s in states] == [None, "2026-01-01"]
    assert all(s["record_id"] == grid["id"] for s in states)


def test_funding_spent_during_the_year_and_a_service_evaluated_then_paid(registry, gateway,
                                                                         rabbit_config):
    _village(gateway)
    line = ok(gateway.post(f"{R}/funding-lines", json={
        "community_code": V, "year": 2026, "source": "fiscal", "budgeted": 0}))
    # spending recorded as it goes, beyond the budget if so it was; never below nothing
    spent = ok(gateway.patch(f"{R}/funding-lines/{line['id']}", json={"spent": 1500.5}), 200)
    assert spent["spent"] == 1500.5 and spent["budgeted"] == 0
    negative = gateway.patch(f"{R}/funding-lines/{line['id']}", json={"spent": -1})
    assert negative.status_code == 422 and "spent" in negative.json["fields"]
    # the budget revised: evaluation now counts the line, and is told so
    revised = ok(gateway.patch(f"{R}/funding-lines/{line['id']}",
                               json={"budgeted": 200000, "spent": 50000}), 200)
    assert (revised["budgeted"], revised["spent"], revised["year"]) == (200000, 50000, 2026)
    ok(gateway.patch(f"{R}/funding-lines/{line['id']}", json={"spent": 210000}), 200)

    service = ok(gateway.post(f"{R}/purchased-services", json={
        "community_code": V, "provider": "某社会工作服务中心", "contract_number": "GM-1",
        "amount": 80000, "starts_on": "2026-01-01", "ends_on": "2026-12-31"}))
    url = f"{R}/purchased-services/{service['id']}"
    evaluated = ok(gateway.patch(url, json={"evaluation_result": "good"}), 200)
    assert evaluated["evaluation_result"] == "good" and evaluated["paid"] == 0
    paid = ok(gateway.patch(url, json={"paid": 40000}), 200)
    assert paid["paid"] == 40000 and paid["evaluation_result"] == "good"
    # more than the contract: refused on the field, in Chinese, and nothing changed
    over = gateway.patch(url, json={"evaluation_result": "fail", "paid": 80000.01})
    assert over.status_code == 422, over.json
    assert "超过合同金额" in over.json["fields"]["paid"][0]
    unknown_result = gateway.patch(url, json={"evaluation_result": "splendid"})
    assert unknown_result.status_code == 422 and "evaluation_result" in unknown_result.json[
        "fields"]
    [kept] = ok(gateway.get(f"{R}/purchased-services?community_code={V}"), 200)["items"]
    assert (kept["evaluation_result"], kept["paid"]) == ("good", 40000)
    # a failing evaluation does not stop a payment the contract made due: recorded as made
    failed = ok(gateway.patch(url, json={"evaluation_result": "fail", "paid": 80000}), 200)
    assert (failed["evaluation_result"], failed["paid"]) == ("fail", 80000)

    # a change names what it changes, and nothing else
    for bad, field in (({}, "_body"), ({"amount": 1}, "amount"),
                       ({"provider": "别家"}, "provider")):
        refused = gateway.patch(url, json=bad)
        assert refused.status_code == 422 and field in refused.json["fields"], refused.json
    # as a person reads them (the console asks for Chinese)
    zh = {"Accept-Language": "zh-CN"}
    empty = gateway.patch(f"{R}/funding-lines/{line['id']}", json={}, headers=zh)
    assert empty.json["fields"]["_body"] == ["请至少填写一项要修改的内容。"]
    assert gateway.patch(f"{R}/funding-lines/{line['id']}", json={"year": 2025},
                         headers=zh).json["fields"]["year"] == ["未知字段。"]

    # another county's officer does not see them; a viewer may not write; unknown ids
    other = gateway.as_role("civil_affairs_officer", "330122000000")
    assert other.patch(url, json={"paid": 1}).status_code == 404
    assert other.patch(f"{R}/funding-lines/{line['id']}",
                       json={"spent": 1}).status_code == 404
    for role in ("viewer", "justice_officer"):
        denied = gateway.as_role(role, COUNTY).patch(url, json={"paid": 1})
        assert denied.status_code == 403 and denied.json["fields"] == {"role": [role]}
    assert gateway.patch(f"{R}/purchased-services/999999",
                         json={"paid": 1}).status_code == 404
    assert gateway.patch(f"{R}/funding-lines/999999", json={"spent": 1}).status_code == 404
    [line_kept] = ok(gateway.get(f"{R}/funding-lines?community_code={V}"), 200)["items"]
    assert (line_kept["budgeted"], line_kept["spent"]) == (200000, 210000)

    # evaluation heard of the line when kept and when its budget changed, not for spending
    # (a third announcement, were there one, would be waited for and seen)
    announced = queued_events(rabbit_config["AMQP_URI"], "registry", "record_kept",
                              "evaluation", expect=3)
    states = [e["data"] for e in announced if e["data"]["record_kind"] == "funding_lines"]
    assert [(s["counts"], s["label"]) for s in states] == [
        (False, "2026年工作经费预算0.00元"), (True, "2026年工作经费预算200000.00元")]
    assert all(s["record_id"] == line["id"] for s in states)
