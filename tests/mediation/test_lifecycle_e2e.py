"""Cases from each channel through their lifecycle, through the real gateway and a real
mediation container over RabbitMQ."""
from datetime import date, timedelta

import pytest

from tests.helpers import queued_events
from tests.mediation.factories import (
    COMMUNITY,
    COUNTY,
    DEADLINES,
    OTHER_COUNTY,
    TOWN,
    M,
    organisation,
    party,
    referral,
    register_organisations,
)

TODAY = date.today()


def due(kind, start, extra=None):
    """The due date the service's own rules give (the calendar decides, not the test)."""
    return str(DEADLINES.due(DEADLINES.rules(kind).period, start)[0])


@pytest.fixture
def orgs(mediation, gateway):
    return register_organisations(gateway)


@pytest.fixture
def justice(gateway):
    return gateway.as_role("justice_officer", COUNTY, department="justice-330110")


@pytest.fixture
def mediator(gateway):
    return gateway.as_role("mediator", TOWN, department="justice-330110001")


MEDIATOR_NAME = f"mediator-{TOWN}-justice-330110001"  # of the town's people's committee


@pytest.fixture
def county_mediator(gateway):
    """A mediator of the county's linkage organisations (department justice-330110)."""
    return gateway.as_role("mediator", COUNTY, department="justice-330110")


COUNTY_MEDIATOR_NAME = f"mediator-{COUNTY}-justice-330110"


def step(client, case_id, action, status=200, **body):
    response = client.post(f"{M}/cases/{case_id}/{action}", json=body)
    assert response.status_code == status, response.json
    return response.json


def events(rabbit_config, event_type, expect=1):
    return queued_events(rabbit_config["AMQP_URI"], "mediation", event_type, "notifications",
                         expect=expect)


def test_court_referral_fails_and_goes_back_to_trial(orgs, gateway, justice, county_mediator,
                                                     rabbit_config):
    court = gateway.as_role("linked_department_officer", COUNTY, department="court-330110")
    response = court.post(f"{M}/referrals", json=referral(orgs["litigation"], "court",
                                                          "(2025)浙0110民初123号"))
    assert response.status_code == 201, response.json
    case = response.json
    assert case["referrer_department"] == "court-330110"  # taken from the caller
    assert case["status"] == "received" and case["mediation_kind"] == "litigation"

    accepted = step(justice, case["id"], "accept")
    assert accepted["mediation_due_on"] == due("litigation", TODAY)
    assert accepted["deadlines"][-1]["deadline"] == "mediation"
    assert accepted["deadlines"][-1]["rule"].startswith("诉调对接：自 ")
    assert "诉前调解：30 日" in accepted["deadlines"][-1]["rule"]
    step(justice, case["id"], "assign-mediator", mediator=COUNTY_MEDIATOR_NAME)
    step(county_mediator, case["id"], "record-failure", reason="The respondent refuses to pay.")
    refused = step(county_mediator, case["id"], "close", status=409)
    assert "failure" in refused["detail"]
    returned = step(county_mediator, case["id"], "return-to-referrer")
    assert returned["status"] == "returned" and returned["result"] == "failure"
    assert returned["returned_to"] == "人民法院，依法继续审理"

    timeline = court.get(f"{M}/cases/{case['id']}/timeline").json
    assert [s["action"] for s in timeline["steps"]] == [
        "receive", "accept", "assign_mediator", "record_failure", "return_to_referrer"]
    assert timeline["steps"][1]["actor"] == "justice_officer-330110000000-justice-330110"
    assert timeline["steps"][3]["actor"] == COUNTY_MEDIATOR_NAME
    assert all(s["on"] == str(TODAY) and s["at"] for s in timeline["steps"])

    accepted_event = events(rabbit_config, "mediation_case_accepted")[0]["data"]
    assert accepted_event["referrer_department"] == "court-330110"
    assert accepted_event["referrer_reference"] == "(2025)浙0110民初123号"
    returned_event = events(rabbit_config, "mediation_case_returned")[0]["data"]
    assert returned_event["returned_to"] == "人民法院，依法继续审理"
    closed = events(rabbit_config, "mediation_case_closed")[0]["data"]
    assert closed["outcome"] == "failure" and closed["case_id"] == case["id"]
    # (a failed case sent on to legal aid: tests/legalservices/test_services_e2e.py)


def test_hospital_referral_extension_agreement_and_judicial_confirmation(
        orgs, gateway, justice, county_mediator, rabbit_config):
    hospital = gateway.as_role("linked_department_officer", COUNTY,
                               department="hospital-330110-1")
    case = hospital.post(f"{M}/referrals", json=referral(
        orgs["medical"], "hospital", "YT-2025-77", dispute_category="medical")).json
    step(justice, case["id"], "accept")
    step(justice, case["id"], "assign-mediator", mediator=COUNTY_MEDIATOR_NAME)
    accepted = justice.get(f"{M}/cases/{case['id']}").json
    extended = step(county_mediator, case["id"], "extend", reason="The parties want more time.",
                    days=15, parties_consent=True)
    assert extended["extended"] and extended["mediation_due_on"] == str(
        DEADLINES.calendar.add_working_days(date.fromisoformat(accepted["mediation_due_on"]),
                                            15))
    again = step(county_mediator, case["id"], "extend", status=422, reason="More time")
    assert again["fields"]["parties_consent"]

    agreed = step(county_mediator, case["id"], "record-agreement",
                  terms="Hospital pays 20000 yuan.",
                  parties_will_apply=True)
    assert agreed["confirmation_due_on"] == str(
        DEADLINES.due(DEADLINES.confirmation, TODAY)[0])
    step(county_mediator, case["id"], "request-confirmation", court="court-330110")
    confirmed = step(justice, case["id"], "confirm")
    assert confirmed["confirmed"] is True and confirmed["status"] == "confirmed"
    closed = step(justice, case["id"], "close")
    assert closed["status"] == "closed" and closed["result"] == "agreement"

    decided = events(rabbit_config, "mediation_confirmation_decided")[0]["data"]
    assert decided["confirmed"] is True and decided["referrer_department"] == \
        "hospital-330110-1"
    assert events(rabbit_config, "mediation_case_closed")[0]["data"]["outcome"] == "agreement"


def test_police_referral_declined_and_returned(orgs, gateway, justice, rabbit_config):
    police = gateway.as_role("linked_department_officer", COUNTY,
                             department="police-330110001")
    case = police.post(f"{M}/referrals", json=referral(orgs["police"], "police_station",
                                                       "JJ-110-555")).json
    declined = step(justice, case["id"], "decline",
                    reason="Already accepted by the court; not taken on.")
    assert declined["status"] == "declined" and declined["returned_to"] == "police-330110001"
    event = events(rabbit_config, "mediation_case_declined")[0]["data"]
    assert event["reason"].startswith("Already accepted")
    assert events(rabbit_config, "mediation_case_closed")[0]["data"]["outcome"] == "declined"

    # the police officer follows the outcome of its own referral
    mine = police.get(f"{M}/cases").json
    assert [c["id"] for c in mine["items"]] == [case["id"]]
    assert mine["items"][0]["status"] == "declined"


def test_traffic_referral_goes_overdue_once_per_deadline(orgs, gateway, justice, county_mediator,
                                                         rabbit_config):
    traffic = gateway.as_role("linked_department_officer", COUNTY,
                              department="traffic-330110")
    case = traffic.post(f"{M}/referrals", json=referral(
        orgs["traffic"], "traffic_police", "JT-2025-9", dispute_category="traffic",
        received_on=TODAY - timedelta(days=50), basis_document="termination_document",
        document_received_on=str(TODAY - timedelta(days=52)))).json
    # after the traffic police's own mediation failed: people's mediation, no window
    assert case["traffic_procedure"] == "people_mediation", case
    step(justice, case["id"], "accept", on=str(TODAY - timedelta(days=45)))
    step(justice, case["id"], "assign-mediator", mediator=COUNTY_MEDIATOR_NAME,
         on=str(TODAY - timedelta(days=44)))

    first = justice.post(f"{M}/overdue-scan", json={"today": str(TODAY)}).json
    assert first["raised"] == 1 and first["case_ids"] == [case["id"]]
    second = justice.post(f"{M}/overdue-scan", json={"today": str(TODAY)}).json
    assert second["raised"] == 0
    overdue = events(rabbit_config, "mediation_case_overdue", expect=2)
    assert len(overdue) == 1
    assert overdue[0]["data"]["deadline"] == "mediation"
    assert overdue[0]["data"]["due_on"] == due("traffic", TODAY - timedelta(days=45))
    assert overdue[0]["data"]["supervising_department"] == "justice-330110"
    assert justice.get(f"{M}/cases?overdue=true").json["total"] == 1

    # extending moves the deadline: once it passes again, that is a new overdue event
    step(county_mediator, case["id"], "extend", reason="Parties asked for more time.", days=10)
    assert justice.post(f"{M}/overdue-scan", json={"today": str(TODAY)}).json["raised"] == 1


def test_procuratorate_agreement_misses_the_confirmation_window(orgs, gateway, justice,
                                                                county_mediator, rabbit_config):
    procuratorate = gateway.as_role("linked_department_officer", COUNTY,
                                    department="procuratorate-330110")
    case = procuratorate.post(f"{M}/referrals", json=referral(
        orgs["procuratorate"], "procuratorate", "JC-2025-3", dispute_category="minor_criminal",
        received_on=TODAY - timedelta(days=60))).json
    step(justice, case["id"], "accept", on=str(TODAY - timedelta(days=58)))
    step(justice, case["id"], "assign-mediator", mediator=COUNTY_MEDIATOR_NAME,
         on=str(TODAY - timedelta(days=58)))
    step(county_mediator, case["id"], "record-agreement", terms="Apology and compensation.",
         on=str(TODAY - timedelta(days=40)), parties_will_apply=True)
    scan = justice.post(f"{M}/overdue-scan", json={"today": str(TODAY)}).json
    assert scan["raised"] == 1
    event = events(rabbit_config, "mediation_case_overdue")[0]["data"]
    assert event["deadline"] == "judicial_confirmation"
    late = step(county_mediator, case["id"], "request-confirmation", status=409,
                court="court-330110")
    assert "起 30 日（人民调解法 第三十三条" in late["detail"]
    # a person (the console) reads the refusal in Chinese
    told = county_mediator.post(f"{M}/cases/{case['id']}/request-confirmation",
                                json={"court": "court-330110"},
                                headers={"Accept-Language": "zh-CN"})
    assert told.status_code == 409 and told.json["detail"].startswith("司法确认申请期限已于 ")
    assert step(justice, case["id"], "close")["status"] == "closed"


def test_resident_application_from_a_portal(orgs, gateway, justice, mediator):
    resident = gateway.anonymous()
    response = resident.post(f"{M}/applications", json={
        "community_code": COMMUNITY, "dispute_category": "neighbourhood",
        "description": "Water leaking from the flat above.", "parties": [party()]})
    assert response.status_code == 201, response.json
    receipt = response.json
    assert set(receipt) == {"id", "status", "received_on", "organisation_id",
                            "receipt_number", "secret"}
    assert receipt["organisation_id"] == orgs["people"]  # the town's people's committee
    case = justice.get(f"{M}/cases/{receipt['id']}").json
    assert case["channel"] == "application" and case["referrer_department"] is None
    assert resident.get(f"{M}/cases/{receipt['id']}").status_code == 401

    step(justice, case["id"], "accept")
    step(justice, case["id"], "assign-mediator", mediator=MEDIATOR_NAME)
    step(justice, case["id"], "record-failure", reason="No settlement.")
    step(justice, case["id"], "return-to-referrer", status=409)
    assert step(justice, case["id"], "close")["result"] == "failure"


def test_bad_input_is_refused_and_changes_nothing(orgs, gateway, justice):
    court = gateway.as_role("linked_department_officer", COUNTY, department="court-330110")
    case = court.post(f"{M}/referrals", json=referral(orgs["litigation"], "court", "R1")).json
    before = justice.get(f"{M}/cases/{case['id']}/timeline").json

    illegal = justice.post(f"{M}/cases/{case['id']}/record-agreement", json={"terms": "x"})
    assert illegal.status_code == 409
    assert illegal.json["fields"]["status"] == ["received"]
    assert "received" in illegal.json["detail"]

    bad_id = referral(orgs["litigation"], "court", "R2")
    bad_id["parties"][0]["id_number"] = bad_id["parties"][0]["id_number"][:17] + (
        "1" if bad_id["parties"][0]["id_number"][17] == "0" else "0")
    refused = court.post(f"{M}/referrals", json=bad_id)
    assert refused.status_code == 422 and "parties.0.id_number" in refused.json["fields"]
    short = referral(orgs["litigation"], "court", "R3")
    short["parties"][0]["id_number"] = "12345"
    assert court.post(f"{M}/referrals", json=short).status_code == 422

    unknown = court.post(f"{M}/referrals", json=referral(999999, "court", "R4"))
    assert unknown.status_code == 422 and "organisation_id" in unknown.json["fields"]
    outside = court.post(f"{M}/referrals", json=referral(orgs["litigation"], "court", "R5",
                                                         community_code="330122001001"))
    assert outside.status_code in (403, 422)
    future = step(justice, case["id"], "accept", status=422,
                  on=str(TODAY + timedelta(days=1)))
    assert "on" in future["fields"]

    assert justice.get(f"{M}/cases").json["total"] == 1
    after = justice.get(f"{M}/cases/{case['id']}/timeline").json
    assert after == before and after["status"] == "received"


def test_organisations_and_linkage_coverage(orgs, gateway, justice):
    for kind in ("people", "litigation"):
        assert gateway.post(f"{M}/organisations", json=organisation(
            kind, county=OTHER_COUNTY)).status_code == 201
    report = gateway.get(f"{M}/coverage").json
    by_county = {c["county_code"]: c for c in report["counties"]}
    assert by_county[COUNTY]["complete"] and by_county[COUNTY]["lacking"] == []
    assert by_county[OTHER_COUNTY]["lacking"] == ["medical", "police", "traffic",
                                                  "procuratorate"]
    # every county the registry holds is reported: those with no organisation lack all
    assert by_county["330111000000"] == {"county_code": "330111000000", "organisations": {},
                                         "lacking": list(report["linkage_kinds"]),
                                         "complete": False}
    assert len(by_county) == 4
    assert report["coverage"] == 0.25 and report["complete_counties"] == 1

    empty = gateway.get(f"{M}/coverage?county_code=330183000000").json
    assert empty["counties"][0]["lacking"] == list(report["linkage_kinds"])

    # a county's justice officer sees and writes only its own county
    assert justice.get(f"{M}/coverage").json["counties"][0]["county_code"] == COUNTY
    assert justice.post(f"{M}/organisations", json=organisation(
        "police", county=OTHER_COUNTY)).status_code == 403
    unknown_kind = gateway.post(f"{M}/organisations", json={**organisation("people"),
                                                            "kind": "tea"})
    assert unknown_kind.status_code == 422 and "kind" in unknown_kind.json["fields"]
    listed = justice.get(f"{M}/organisations?kind=medical").json
    assert listed["total"] == 1 and listed["items"][0]["department"] == "justice-330110"
