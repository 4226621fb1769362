"""Through the real gateway and real containers over RabbitMQ: a failed mediation sent on
to legal aid by an event; government legal advisers, their opinions and coverage by
level; lawyers' visits in communities linked to the registry's community adviser (kept
from the registry's events); and the bad paths (unknown community, out-of-area officer,
illegal step, late step)."""
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from fazhi_common.db import make_engine
from tests.helpers import wait_until
from tests.legalservices.factories import L
from tests.mediation.factories import (
    COMMUNITY,
    COUNTY,
    OTHER_COUNTY,
    TOWN,
    M,
    referral,
    register_organisations,
)
from tests.notifications.conftest import Publisher

TODAY = date.today()


@pytest.fixture
def justice(gateway):
    return gateway.as_role("justice_officer", COUNTY, department="justice-330110")


def ok(response, status=201):
    assert response.status_code == status, response.json
    return response.json


def test_a_failed_mediation_becomes_legal_aid_by_an_event(legalservices, mediation, gateway,
                                                          justice):
    orgs = register_organisations(gateway)
    court = gateway.as_role("linked_department_officer", COUNTY, department="court-330110")
    case = ok(court.post(f"{M}/referrals", json=referral(orgs["litigation"], "court", "R1")))
    # a mediator of the county's linkage organisations (their department)
    gateway.as_role("mediator", COUNTY, department="justice-330110")
    for action, body in (("accept", {}), ("assign-mediator",
                                          {"mediator": f"mediator-{COUNTY}-justice-330110"}),
                         ("record-failure", {"reason": "The respondent refuses to pay."})):
        ok(justice.post(f"{M}/cases/{case['id']}/{action}", json=body), 200)
    # moved from the mediation lifecycle test: same path, same answer
    aid = justice.post(f"{M}/cases/{case['id']}/legal-aid", json={})
    assert aid.status_code == 201, aid.json
    assert aid.json["case_id"] == case["id"] and aid.json["applicant"]["name"] == "张三丰"
    again = justice.post(f"{M}/cases/{case['id']}/legal-aid", json={})
    assert again.status_code == 409
    assert aid.json["channel"] == "case" and aid.json["status"] == "received"
    # the applicant's data crossed sealed: mediation's outbox never held it in clear
    engine = make_engine(mediation.config["DATABASE_URL"])
    with engine.connect() as conn:
        payloads = " ".join(str(p) for p in conn.execute(text(
            "SELECT envelope FROM outbox_event WHERE event_type = "
            "'mediation_legal_aid_requested'")).scalars())
    engine.dispose()
    assert payloads and "张三丰" not in payloads and "13812345678" not in payloads


def test_advisers_visits_and_the_bad_paths(legalservices, gateway, justice, rabbit_config,
                                           tmp_path):
    term = {"term_start": str(TODAY - timedelta(days=30)),
            "term_end": str(TODAY + timedelta(days=335))}

    def adviser(client, code, name, kind="firm", status=201):
        return ok(client.post(f"{L}/government-advisers", json={
            "government_code": code, "government_body": f"{code} 人民政府",
            "adviser_name": name, "adviser_kind": kind, **term}), status)

    county = adviser(justice, COUNTY, "某律师事务所")
    assert (county["level"], county["opinions"]) == ("county", 0)
    assert adviser(justice, TOWN, "王律师", "person")["level"] == "town"
    assert adviser(gateway, "330100000000", "市律所")["level"] == "city"
    # out-of-area officer; a unit the registry does not hold; not a government at all
    adviser(gateway.as_role("justice_officer", OTHER_COUNTY), COUNTY, "x", status=403)
    adviser(gateway, "339988000000", "x", status=422)
    adviser(gateway, COMMUNITY, "x", status=422)

    opinion = {"matter": "征收补偿协议", "given_on": str(TODAY), "kind": "contract_review"}
    ok(justice.post(f"{L}/government-advisers/{county['id']}/opinions", json=opinion))
    late = {**opinion, "given_on": str(TODAY + timedelta(days=400))}  # after the contract
    ok(justice.post(f"{L}/government-advisers/{county['id']}/opinions", json=late), 422)
    bad = {**opinion, "kind": "chat"}
    ok(justice.post(f"{L}/government-advisers/{county['id']}/opinions", json=bad), 422)
    assert ok(justice.get(f"{L}/government-advisers?level=county"), 200)["items"][0][
        "opinions"] == 1
    coverage = {c["level"]: c for c in ok(gateway.get(
        f"{L}/government-advisers/coverage"), 200)["levels"]}
    assert coverage["city"]["without"] == [] and coverage["county"]["with_adviser"] == 1
    assert OTHER_COUNTY in coverage["county"]["without"] and COUNTY not in coverage[
        "county"]["without"]
    assert TOWN not in coverage["town"]["without"] and coverage["town"]["without"]

    # the registry assigns the community its legal adviser: its event reaches the read model
    registry = Publisher("registry", f"sqlite:///{tmp_path / 'registry-outbox.db'}",
                         rabbit_config)
    assigned = registry.publish("legal_adviser_assigned", {
        "county_code": COUNTY, "town_code": TOWN, "community_code": COMMUNITY,
        "assignment_id": 7, "adviser_name": "李律师", "adviser_kind": "lawyer",
        "assigned_on": str(TODAY - timedelta(days=60))})
    registry.publish_again(assigned)  # a redelivery changes nothing

    def visit(client, community, day, hours, served, status=201):
        return ok(client.post(f"{L}/community-visits", json={
            "community_code": community, "lawyer": "李律师", "visited_on": str(day),
            "hours": hours, "topic": "婚姻家庭", "residents_served": served}), status)

    first = wait_until(lambda: (v := visit(justice, COMMUNITY, TODAY, 2.5, 12))[
        "community_adviser"] and v)
    assert first["community_adviser"] == "李律师"
    visit(justice, COMMUNITY, TODAY - timedelta(days=1), 1.5, 8)
    visit(gateway, "330122001001", TODAY, 3, 20)
    visit(justice, "330110009009", TODAY, 1, 1, status=422)  # unknown community
    visit(justice, "330122001001", TODAY, 1, 1, status=403)  # out of the officer's area
    totals = ok(gateway.get(f"{L}/community-visits/totals?date_from={TODAY - timedelta(days=7)}"
                            f"&date_to={TODAY}"), 200)
    mine = {r["code"]: r for r in totals["communities"]}[COMMUNITY]
    assert mine["visits"] >= 2 and mine["legal_adviser"] == "李律师"
    counties = {r["code"]: r for r in totals["counties"]}
    assert counties["330122000000"] == {"code": "330122000000", "visits": 1, "hours": 3.0,
                                        "residents_served": 20, "lawyers": 1}
    assert counties[COUNTY]["visits"] == mine["visits"]
    registry.engine.dispose()


def test_legal_aid_late_supply_and_illegal_step_through_the_gateway(legalservices, gateway,
                                                                    justice):
    made = ok(justice.post(f"{M}/legal-aid", json={
        "community_code": COMMUNITY, "matter": "欠薪", "received_on": str(TODAY - timedelta(
            days=20)), "applicant": {"role": "applicant", "name": "赵六"}}))
    step = f"{M}/legal-aid/{made['id']}"
    asked = ok(justice.post(f"{step}/request-materials", json={
        "missing": "劳动合同", "on": str(TODAY - timedelta(days=19)),
        "supply_by": str(TODAY - timedelta(days=10))}), 200)
    assert asked["status"] == "awaiting_materials" and asked["materials_due_on"]
    assert ok(justice.post(f"{step}/grant", json={}), 409)["status"] == 409  # illegal step
    late = ok(justice.post(f"{step}/supply-materials", json={}), 409)  # late step
    assert "deemed withdrawn" in late["detail"]
    scan = ok(justice.post(f"{L}/overdue-scan", json={"today": str(TODAY)}), 200)
    assert scan["withdrawn_ids"] == [made["id"]] and scan["legal_aid_raised"] == 0
    closed = ok(justice.get(step), 200)
    assert (closed["status"], closed["outcome"]) == ("closed", "withdrawn")
    # an unknown community is refused; and no applicant's data lies in clear in the database
    resident = gateway.anonymous()
    ok(resident.post(f"{M}/legal-aid/applications", json={
        "community_code": "330106501777", "matter": "m", "applicant": {
            "role": "applicant", "name": "赵六"}}), 422)
    ok(justice.post(f"{M}/hotline-consultations", json={
        "community_code": COMMUNITY, "consulted_on": str(TODAY), "topic": "labour",
        "summary": "加班费", "caller_phone": "13912345678", "answered_by": "w1"}))
    engine = make_engine(legalservices.config["DATABASE_URL"])
    with engine.connect() as conn:
        for table in ("legal_aid_application", "hotline_consultation", "outbox_event",
                      "audit_entry"):
            for row in conn.execute(text(f"SELECT * FROM {table}")):
                raw = " ".join(bytes(v).decode("latin-1") if isinstance(v, bytes | memoryview)
                               else str(v) for v in row)
                assert "赵六" not in raw and "13912345678" not in raw, table
    engine.dispose()
