"""Scores from the registry's records, not from evidence entered again: a community whose
records show a party organisation, a quorate assembly, a convention and a legal adviser
gets those indicators' points, and the explanation names the records. Through the real
gateway, registry and evaluation over RabbitMQ."""
from datetime import date

from tests.helpers import wait_until

R, E = "/api/v1/registry", "/api/v1/evaluation"
COUNTY, TOWN = "330110000000", "330110001000"
A = "330110001001"
OTHER = "330122001001"  # in another county
TODAY = date.today()
Y = str(TODAY.year)


def ok(response, status=201):
    assert response.status_code == status, response.json
    return response.json


def indicators(gateway):
    result = gateway.get(f"{E}/results/{A}?period={Y}")
    return {i["code"]: i for i in result.json["indicators"]} if result.status_code == 200 \
        else None


def test_a_community_scored_from_its_records(registry, evaluation, gateway):
    ok(gateway.post(f"{R}/counties", json={"code": COUNTY, "name": "余杭区", "kind": "district"}))
    ok(gateway.post(f"{R}/towns", json={"code": TOWN, "county_code": COUNTY, "name": "良渚街道",
                                         "kind": "street"}))
    ok(gateway.post(f"{R}/communities", json={"code": A, "town_code": TOWN, "name": "大陆社区",
                                               "kind": "urban_community"}))
    civil = gateway.as_role("civil_affairs_officer", COUNTY)
    justice = gateway.as_role("justice_officer", COUNTY)
    day = TODAY.replace(day=1).isoformat()

    party = ok(civil.post(f"{R}/governance-bodies", json={
        "community_code": A, "kind": "party_organisation", "term_started_on": day,
        "secretary_name": "李书记", "secretary_chairs_committee": True}))
    assert party["secretary_chairs_committee"] is True
    meeting = {"community_code": A, "kind": "residents_meeting", "held_on": day,
               "eligible": 100, "attended": 60, "agenda": "修订居民公约", "votes_for": 45}
    quorate = ok(civil.post(f"{R}/meetings", json=meeting))
    assert quorate["quorate"] is True and quorate["passed"] is True
    assert "城市居民委员会组织法" in quorate["quorum_rule"]
    # the bad path: below its quorum, recorded as not quorate, and it does not score
    short = ok(civil.post(f"{R}/meetings", json={**meeting, "attended": 50}))
    assert short["quorate"] is False
    ok(civil.post(f"{R}/conventions", json={"community_code": A, "title": "大陆社区居民公约",
                                             "adopted_on": day}))
    ok(justice.post(f"{R}/legal-advisers", json={
        "community_code": A, "adviser_name": "王律师", "adviser_kind": "lawyer",
        "assigned_on": day}))
    # justice officers record legal reviews too; not outside their area, nor for no unit
    review = {"community_code": A, "decision": "老旧小区改造", "reviewed_on": day,
              "reviewer": "王律师", "conclusion": "合法"}
    ok(justice.post(f"{R}/legal-reviews", json=review))
    assert justice.post(f"{R}/legal-reviews", json={**review, "community_code": OTHER}
                        ).status_code == 403
    assert gateway.post(f"{R}/legal-reviews", json={**review, "community_code": "330110001099"}
                        ).status_code == 422

    def scored():
        found = indicators(gateway)
        return found if found and found["legal_review_of_decisions"]["value"] == 1 \
            and found["legal_adviser"]["points"] and found["party_organisation"]["points"] \
            and found["residents_convention"]["points"] \
            and found["representative_assembly_meetings"]["value"] == 1 else None

    found = wait_until(scored, timeout=20)
    assert found["party_organisation"]["points"] == 2
    party = found["party_organisation"]["source"]
    assert "党组织（书记李书记，一肩挑）（自治组织与党组织 #" in party
    assert found["residents_convention"]["points"] == 3
    assert "《大陆社区居民公约》（居民公约（村规民约） #" in found["residents_convention"]["source"]
    assert found["legal_adviser"]["source"].startswith("登记：法律顾问 王律师")
    meetings = found["representative_assembly_meetings"]
    # one quorate meeting of the four a year: a quarter of the points; the other named apart
    assert meetings["points"] == 1.0  # of 4
    assert f"（居（村）民会议和代表会议 #{quorate['id']}，" in meetings["source"]
    assert "另有 1 项不计入" in meetings["source"] and f"#{short['id']}" not in meetings["source"]
    assert not any(i["source"].startswith("自评 #") for i in found.values())
    assert gateway.get(f"{E}/evidence?community_code={A}&period={Y}").json["total"] == 0
