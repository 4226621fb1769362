"""Bad input changes nothing; roles and areas are enforced on every evaluation endpoint."""
import pytest

from tests.evaluation.test_year_e2e import (
    COUNTY,
    TOWN,
    A,
    B,
    E,
    R,
    Y,
    day,
    ok,
    result,
    town_with_villages,
)
from tests.helpers import resident_number

OTHER_COUNTY = "330122000000"
OTHER = "330122001201"


@pytest.fixture
def town(registry, evaluation, gateway):
    town_with_villages(gateway)
    ok(gateway.post(f"{R}/counties", json={"code": OTHER_COUNTY, "name": "桐庐县",
                                            "kind": "county"}), 201)
    ok(gateway.post(f"{R}/towns", json={"code": OTHER_COUNTY[:6] + "001000",
                                         "county_code": OTHER_COUNTY, "name": "镇",
                                         "kind": "town"}), 201)
    ok(gateway.post(f"{R}/communities", json={"code": OTHER,
                                               "town_code": OTHER_COUNTY[:6] + "001000",
                                               "name": "外村", "kind": "village"}), 201)
    from tests.helpers import wait_until
    wait_until(lambda: result(gateway, OTHER).status_code == 200)
    return gateway


def _state(gateway):
    """Everything a bad request might have changed."""
    return (ok(result(gateway, A)), ok(gateway.get(f"{E}/evidence"))["total"],
            ok(gateway.get(f"{E}/vetoes"))["total"], ok(gateway.get(f"{E}/titles"))["total"],
            ok(gateway.get(f"{E}/inspections"))["total"],
            ok(gateway.get(f"{E}/spot-checks"))["total"],
            ok(gateway.get(f"{E}/schemes"))["total"],
            ok(gateway.get(f"{E}/communities/{A}/survey?period={Y}"))["sample_size"])


def _evidence(**changes):
    return {"community_code": A, "period": Y, "indicator_code": "disclosure_board", "value": 1,
            **changes}


def test_bad_requests_are_refused_and_change_nothing(town):
    gateway = town
    before = _state(gateway)

    def refused(response, status, field=None):
        assert response.status_code == status, response.json
        if field:
            assert field in response.json["fields"], response.json
        assert _state(gateway)[1:] == before[1:]
        assert _state(gateway)[0]["score"] == before[0]["score"]

    post = gateway.post
    refused(post(f"{E}/evidence", json=_evidence(indicator_code="no_such")), 422,
            "indicator_code")
    refused(post(f"{E}/evidence", json=_evidence(indicator_code="legal_adviser")), 422,
            "indicator_code")  # derived from the registry, not self-assessed
    refused(post(f"{E}/evidence", json=_evidence(value=2)), 422, "value")
    refused(post(f"{E}/evidence", json=_evidence(value=-1)), 422, "value")
    refused(post(f"{E}/evidence", json=_evidence(period="26")), 422, "period")
    refused(post(f"{E}/evidence", json=_evidence(community_code="330110001299")), 422,
            "community_code")
    refused(post(f"{E}/evidence", json=_evidence(surprise=True)), 422, "surprise")
    refused(post(f"{E}/evidence", data="not json"), 422, "_body")
    refused(post(f"{E}/vetoes", json={"community_code": A, "period": Y,
                                      "veto_item": "mass_incident", "reason": "x",
                                      "evidence": []}), 422, "evidence")
    refused(post(f"{E}/vetoes", json={"community_code": A, "period": Y,
                                      "veto_item": "made_up", "reason": "x",
                                      "evidence": ["doc"]}), 422, "veto_item")
    namer = gateway.as_role("justice_officer", COUNTY).post  # titles: a department's officer
    refused(namer(f"{E}/titles", json={"community_code": A, "period": Y, "level": "county",
                                       "awarded_on": day(1)}), 409, "period")  # not passed
    refused(namer(f"{E}/titles", json={"community_code": A, "period": Y, "level": "galactic",
                                       "awarded_on": day(1)}), 422, "level")
    refused(post(f"{E}/inspections", json={
        "community_code": A, "period": Y, "kind": "spot_check", "held_on": day(1),
        "findings": [{"indicator_code": "organisations_sound", "value": 1}]}), 422, "draw_id")
    refused(post(f"{E}/inspections", json={
        "community_code": A, "period": Y, "kind": "special", "held_on": day(1),
        "findings": [{"indicator_code": "organisations_sound", "value": 9},
                     {"indicator_code": "residents_satisfaction", "value": 1}]}), 422,
            "findings.0.value")
    refused(post(f"{E}/spot-checks", json={"period": Y, "per_county": 1, "share": 0.5}), 422,
            "per_county")
    refused(post(f"{E}/spot-checks", json={"period": Y, "per_county": 1,
                                           "county_codes": ["330111000000"]}), 422,
            "county_codes")
    resident = gateway.anonymous()
    refused(resident.post(f"{E}/communities/{A}/survey-answers", json={
        "period": str(int(Y) - 1), "respondent_id": resident_number(1), "satisfied": True,
        "phone": "13900000001"}),
            422,
            "period")
    refused(resident.post(f"{E}/communities/{A}/survey-answers", json={
        "period": Y, "respondent_id": "not a phone", "satisfied": True,
        "phone": "13900000001"}), 422,
            "respondent_id")
    made_up = resident_number(1)[:17] + ("0" if resident_number(1)[17] != "0" else "1")
    refused(resident.post(f"{E}/communities/{A}/survey-answers", json={
        "period": Y, "respondent_id": made_up, "satisfied": True,
        "phone": "13900000001"}), 422, "respondent_id")
    refused(resident.post(f"{E}/communities/330110001299/survey-answers", json={
        "period": Y, "respondent_id": resident_number(1), "satisfied": True,
        "phone": "13900000001"}), 404)
    refused(gateway.get(f"{E}/results/{A}?period=abcd"), 422, "period")
    refused(gateway.get(f"{E}/results/{A}?period=1999"), 404)
    refused(gateway.get(f"{E}/titles/999"), 404)
    refused(namer(f"{E}/titles/999/revocation", json={"reason": "x", "revoked_on": day(1)}),
            404)

    [scheme] = ok(gateway.get(f"{E}/schemes?key=default-village"))["items"]
    broken = {k: scheme[k] for k in ("key", "name", "community_class", "economic_tier",
                                     "pass_thresholds", "parameters", "categories",
                                     "veto_items")}
    broken["pass_thresholds"] = {**broken["pass_thresholds"], "full_compliance": 101}
    refused(gateway.post(f"{E}/schemes/{scheme['id']}/revisions", json=broken), 422,
            "pass_thresholds.full_compliance")
    refused(post(f"{E}/schemes", json={**broken, "key": "default-village"}), 422)
    refused(post(f"{E}/schemes", json={**broken, "pass_thresholds": scheme["pass_thresholds"]}),
            409, "key")


def test_roles_and_areas(town):
    gateway = town
    anonymous = gateway.anonymous()
    assert anonymous.get(f"{E}/rankings?period={Y}").status_code == 401
    assert anonymous.post(f"{E}/evidence", json=_evidence()).status_code == 401

    # roles: who may write what
    for role in ("viewer", "inspector", "mediator", "resident"):
        client = gateway.as_role(role, COUNTY)
        response = client.post(f"{E}/evidence", json=_evidence())
        assert response.status_code == 403, (role, response.json)
    for role in ("evaluator", "inspector", "viewer"):
        client = gateway.as_role(role, COUNTY)
        assert client.post(f"{E}/vetoes", json={
            "community_code": A, "period": Y, "veto_item": "mass_incident", "reason": "x",
            "evidence": ["d"]}).status_code == 403, role
        assert client.post(f"{E}/titles", json={
            "community_code": A, "period": Y, "level": "county",
            "awarded_on": day(1)}).status_code == 403, role
    for role in ("evaluator", "justice_officer", "viewer"):
        assert gateway.as_role(role, COUNTY).post(f"{E}/inspections", json={
            "community_code": A, "period": Y, "kind": "special", "held_on": day(1),
            "findings": [{"indicator_code": "organisations_sound", "value": 1}]}
        ).status_code == 403, role
    assert gateway.as_role("resident").get(f"{E}/results/{A}?period={Y}").status_code == 403
    assert gateway.as_role("justice_officer", COUNTY).post(
        f"{E}/re-evaluation-schedule/runs", json={}).status_code == 403

    # a county officer may not rewrite the city's scheme
    [scheme] = ok(gateway.get(f"{E}/schemes?key=default-village"))["items"]
    body = {k: scheme[k] for k in ("key", "name", "community_class", "economic_tier",
                                   "pass_thresholds", "parameters", "categories",
                                   "veto_items")}
    county_officer = gateway.as_role("civil_affairs_officer", COUNTY)
    revision = county_officer.post(f"{E}/schemes/{scheme['id']}/revisions", json=body)
    assert revision.status_code == 403

    # areas: another county's community does not exist for you; writing there is refused
    viewer = gateway.as_role("viewer", COUNTY)
    assert viewer.get(f"{E}/results/{A}?period={Y}").status_code == 200
    assert viewer.get(f"{E}/results/{OTHER}?period={Y}").status_code == 404
    assert viewer.get(f"{E}/communities/{OTHER}/survey?period={Y}").status_code == 404
    assert viewer.get(f"{E}/communities/{OTHER}/prerequisite?title=safe_community"
                      ).status_code == 404
    ranked = ok(viewer.get(f"{E}/rankings?period={Y}"))["items"]
    assert {i["community_code"] for i in ranked} == {A, B, TOWN[:9] + "203"}
    evaluator = gateway.as_role("evaluator", COUNTY)
    denied = evaluator.post(f"{E}/evidence", json=_evidence(community_code=OTHER))
    assert denied.status_code == 403 and "community_code" in denied.json["fields"]
    officer = gateway.as_role("justice_officer", OTHER_COUNTY)
    assert officer.post(f"{E}/vetoes", json={
        "community_code": A, "period": Y, "veto_item": "mass_incident", "reason": "x",
        "evidence": ["d"]}).status_code == 403
    inspector = gateway.as_role("inspector", COUNTY)
    assert inspector.post(f"{E}/spot-checks", json={
        "period": Y, "per_county": 1, "county_codes": [OTHER_COUNTY]}).status_code == 403
    draw = ok(inspector.post(f"{E}/spot-checks", json={"period": Y, "per_county": 1}), 201)
    assert list(draw["eligible"]) == [COUNTY]  # only its own county is drawn from
    assert gateway.as_role("viewer", OTHER_COUNTY).get(
        f"{E}/spot-checks/{draw['id']}").status_code == 404
    assert ok(gateway.as_role("viewer", "330100000000").get(
        f"{E}/spot-checks/{draw['id']}"))["id"] == draw["id"]  # the city above sees it
    assert ok(viewer.get(f"{E}/vetoes"))["total"] == 0
