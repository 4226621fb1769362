"""Deadlines through the real gateway and a real mediation container: counted on China's
working calendar, paused for an appraisal, shown with their rule; judicial confirmation
watched only when the parties apply; a case never accepted becomes overdue."""
from datetime import date, timedelta

import pytest

from tests.helpers import queued_events
from tests.mediation.factories import COUNTY, DEADLINES, M, referral, register_organisations

TODAY = date.today()


@pytest.fixture
def orgs(mediation, gateway):
    return register_organisations(gateway)


@pytest.fixture
def justice(gateway):
    gateway.as_role("mediator", COUNTY, department="justice-330110")  # the county's mediator
    return gateway.as_role("justice_officer", COUNTY, department="justice-330110")


MEDIATOR = f"mediator-{COUNTY}-justice-330110"


def step(client, case_id, action, status=200, **body):
    response = client.post(f"{M}/cases/{case_id}/{action}", json=body)
    assert response.status_code == status, response.json
    return response.json


def test_medical_case_accepted_before_spring_festival(orgs, gateway, justice):
    hospital = gateway.as_role("linked_department_officer", COUNTY,
                               department="hospital-330110-1")
    case = hospital.post(f"{M}/referrals", json=referral(
        orgs["medical"], "hospital", "YT-2025-01", dispute_category="medical",
        received_on="2025-01-24")).json
    accepted = step(justice, case["id"], "accept", on="2025-01-27")
    # 28 Jan - 4 Feb is the Spring Festival holiday and Saturday 8 Feb a working day:
    # 30 working days end on Monday 17 March (calendar days would give 26 February)
    assert accepted["mediation_due_on"] == "2025-03-17"
    mediation = [d for d in accepted["deadlines"] if d["deadline"] == "mediation"][0]
    assert mediation["running"] and mediation["rule"].startswith(
        "医疗纠纷调解（医调）：自 2025-01-27 起 30 个工作日")
    assert "医疗纠纷预防和处理条例" in mediation["rule"]

    step(justice, case["id"], "assign-mediator", mediator=MEDIATOR, on="2025-02-05")
    paused = step(justice, case["id"], "pause", reason="Medical appraisal ordered.",
                  on="2025-02-10")
    assert paused["status"] == "paused" and paused["mediation_due_on"] is None
    # while paused, no scan calls it overdue, however late
    assert justice.post(f"{M}/overdue-scan", json={"today": str(TODAY)}).json["raised"] == 0
    resumed = step(justice, case["id"], "resume", on="2025-03-03", note="Appraisal received.")
    assert resumed["mediation_due_on"] == "2025-04-08"  # 25 working days left from 3 March
    rule = [d for d in resumed["deadlines"] if d["deadline"] == "mediation"][0]["rule"]
    assert "2025-02-10 至 2025-03-03 鉴定期间中止计时" in rule
    assert "自 2025-03-03 起尚余 25 个工作日" in rule
    actions = [s["action"] for s in justice.get(f"{M}/cases/{case['id']}/timeline")
               .json["steps"]]
    assert actions[-2:] == ["pause", "resume"]

    # only a medical period stops for an appraisal
    court = gateway.as_role("linked_department_officer", COUNTY, department="court-330110")
    other = court.post(f"{M}/referrals", json=referral(orgs["litigation"], "court", "L1")).json
    step(justice, other["id"], "accept")
    step(justice, other["id"], "assign-mediator", mediator=MEDIATOR)
    assert "litigation" in step(justice, other["id"], "pause", status=409,
                                reason="appraisal")["detail"]
    step(justice, other["id"], "resume", status=409)
    extensions_and_traffic_window(gateway, justice, orgs)


def test_confirmation_is_watched_only_when_the_parties_apply(orgs, gateway, justice,
                                                           rabbit_config):
    court = gateway.as_role("linked_department_officer", COUNTY, department="court-330110")
    start = TODAY - timedelta(days=80)
    ids = []
    for reference, will_apply in (("C-no", False), ("C-yes", True)):
        case = court.post(f"{M}/referrals", json=referral(
            orgs["litigation"], "court", reference, received_on=str(start))).json
        step(justice, case["id"], "accept", on=str(start))
        step(justice, case["id"], "assign-mediator", mediator=MEDIATOR, on=str(start))
        agreed = step(justice, case["id"], "record-agreement", terms="Pay 100 yuan.",
                      on=str(start + timedelta(days=5)), parties_will_apply=will_apply)
        assert agreed["confirmation_intended"] is will_apply
        ids.append(case["id"])
    scan = justice.post(f"{M}/overdue-scan", json={"today": str(TODAY)}).json
    assert scan["case_ids"] == [ids[1]]  # the agreement nobody applied for is not overdue
    # (the scan said which it raised; the queue holds that one event)
    overdue = queued_events(rabbit_config["AMQP_URI"], "mediation", "mediation_case_overdue",
                            "notifications")
    assert [e["data"]["case_id"] for e in overdue] == [ids[1]]
    assert justice.get(f"{M}/cases/{ids[0]}").json["overdue"] is False
    assert justice.get(f"{M}/cases/{ids[0]}").json["deadlines"][-1]["deadline"] == "mediation"

    # an agreement whose parties apply in time: confirmed, refused and pending are counted
    third = court.post(f"{M}/referrals", json=referral(orgs["litigation"], "court",
                                                       "C-now")).json
    step(justice, third["id"], "accept")
    step(justice, third["id"], "assign-mediator", mediator=MEDIATOR)
    step(justice, third["id"], "record-agreement", terms="t")
    step(justice, third["id"], "request-confirmation", court="court-330110")
    step(justice, third["id"], "refuse-confirmation", reason="Terms unlawful.")
    stats = justice.get(f"{M}/statistics?date_from={start}&date_to={TODAY}").json["total"]
    assert (stats["confirmation_not_applied"], stats["confirmation_refused"],
            stats["confirmation_confirmed"], stats["overdue"]) == (2, 1, 0, 1)


    received_never_accepted(gateway, justice, orgs)


def received_never_accepted(gateway, justice, orgs):
    """A received case never accepted becomes overdue (part of the test above)."""
    court = gateway.as_role("linked_department_officer", COUNTY, department="court-330110")
    received_on = TODAY - timedelta(days=30)
    case = court.post(f"{M}/referrals", json=referral(
        orgs["litigation"], "court", "R-idle", received_on=str(received_on))).json
    due_on, _rule = DEADLINES.due(DEADLINES.acceptance, received_on)
    assert case["acceptance_due_on"] == str(due_on)
    assert case["deadlines"][0]["rule"].startswith(f"受理决定：自 {received_on} 起 5 个工作日")
    scan = justice.post(f"{M}/overdue-scan", json={"today": str(TODAY)}).json
    assert scan["case_ids"] == [case["id"]]
    assert justice.get(f"{M}/cases?overdue=true").json["total"] == 2


def extensions_and_traffic_window(gateway, justice, orgs):
    """Litigation extended twice with consent; the traffic window (part of the first test)."""
    court = gateway.as_role("linked_department_officer", COUNTY, department="court-330110")
    case = court.post(f"{M}/referrals", json=referral(orgs["litigation"], "court", "X")).json
    step(justice, case["id"], "accept")
    refused = step(justice, case["id"], "extend", status=422, reason="more time")
    assert "parties_consent" in refused["fields"]
    step(justice, case["id"], "extend", reason="asked", parties_consent=True)
    twice = step(justice, case["id"], "extend", reason="asked again", parties_consent=True)
    assert twice["extensions"] == 2
    assert twice["deadlines"][-1]["rule"].count("经当事人同意延长 30 日") == 2

    traffic = gateway.as_role("linked_department_officer", COUNTY, department="traffic-330110")
    late = traffic.post(f"{M}/referrals", json=referral(
        orgs["traffic"], "traffic_police", "T-late", dispute_category="traffic",
        liability_finding_on=str(TODAY - timedelta(days=40))))
    assert late.status_code == 422 and "document_received_on" in late.json["fields"]
    assert "window closed" in late.json["detail"]
    missing = traffic.post(f"{M}/referrals", json=referral(
        orgs["traffic"], "traffic_police", "T-none", dispute_category="traffic",
        traffic_procedure="police_mediation"))
    assert missing.status_code == 422 and "basis_document" in missing.json["fields"]
    in_time = traffic.post(f"{M}/referrals", json=referral(
        orgs["traffic"], "traffic_police", "T-ok", dispute_category="traffic",
        liability_finding_on=str(TODAY - timedelta(days=3))))
    assert in_time.status_code == 201, in_time.json
    assert justice.get(f"{M}/cases?mediation_kind=traffic").json["total"] == 1
    litigation = justice.get(f"{M}/cases?mediation_kind=litigation").json["items"]
    assert [c["extensions"] for c in litigation] == [0, 2]
