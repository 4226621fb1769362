"""Legal aid from a resident's application to its closing, residents following their own
applications, and the legal-aid and 12348 statistics: through the real gateway and a real
mediation container over RabbitMQ."""
from datetime import date, timedelta

import pytest

from tests.helpers import queued_events
from tests.legalservices.factories import DEADLINES
from tests.mediation.factories import (
    COMMUNITY,
    COUNTY,
    OTHER_COUNTY,
    M,
    party,
    register_organisations,
)

TODAY = date.today()


@pytest.fixture
def justice(legalservices, mediation, gateway):
    return gateway.as_role("justice_officer", COUNTY, department="justice-330110")


def due(name, start):
    return str(DEADLINES.due(DEADLINES[name], start)[0])


def legal_step(client, application_id, action, status=200, **body):
    response = client.post(f"{M}/legal-aid/{application_id}/{action}", json=body)
    assert response.status_code == status, response.json
    return response.json


def track(client, receipt, status=200):
    response = client.post(f"{M}/track", json={"receipt_number": receipt["receipt_number"],
                                                "secret": receipt["secret"]})
    assert response.status_code == status, response.json
    return response.json


def test_a_residents_legal_aid_application_from_application_to_closing(justice, gateway,
                                                                      rabbit_config):
    resident = gateway.anonymous()
    response = resident.post(f"{M}/legal-aid/applications", json={
        "community_code": COMMUNITY, "matter": "Unpaid wages for six months.",
        "applicant": party(phone="13700001234")})
    assert response.status_code == 201, response.json
    receipt = response.json
    assert set(receipt) == {"id", "receipt_number", "secret", "status", "received_on",
                            "decision_due_on"}
    assert receipt["decision_due_on"] == due("decision", TODAY)

    followed = track(resident, receipt)
    assert followed["status"] == "received" and followed["kind"] == "legal_aid"
    assert receipt["decision_due_on"] in followed["next_step"]
    assert followed["deadlines"] == [{"deadline": "decision",
                                      "due_on": receipt["decision_due_on"]}]
    assert "张" not in str(followed) and "1370000" not in str(followed)

    seen = justice.get(f"{M}/legal-aid/{receipt['id']}").json
    assert seen["channel"] == "portal" and seen["applicant"]["name"] == "张三丰"
    assert "第四十三条" in seen["deadlines"][0]["rule"] and "secret" not in seen
    assert seen["deadlines"][0]["rule"].startswith(f"审查决定：自 {seen['received_on']} 起 7 日")

    granted = legal_step(justice, receipt["id"], "grant")
    assert granted["status"] == "granted"
    assignment = [d for d in granted["deadlines"] if d["deadline"] == "assignment"][0]
    assert assignment["due_on"] == due("assignment", TODAY) and assignment["running"]
    assert track(resident, receipt)["deadlines"] == [
        {"deadline": "assignment", "due_on": assignment["due_on"]}]
    legal_step(justice, receipt["id"], "assign", provider="王律师", provider_kind="lawyer")
    assert "王律师" in track(resident, receipt)["next_step"]
    closed = legal_step(justice, receipt["id"], "close", outcome="completed",
                        note="Wages recovered.")
    assert (closed["status"], closed["outcome"]) == ("closed", "completed")
    final = track(resident, receipt)
    assert (final["status"], final["outcome"], final["deadlines"]) == (
        "closed", "completed", [])
    # nothing ran late
    scan = justice.post(f"{M}/overdue-scan", json={"today": str(TODAY + timedelta(days=60))})
    assert scan.json["legal_aid_raised"] == 0


def test_refusal_objection_and_overdue_alerts(justice, gateway, rabbit_config):
    resident = gateway.anonymous()
    receipt = resident.post(f"{M}/legal-aid/applications", json={
        "community_code": COMMUNITY, "matter": "A tenancy dispute.",
        "applicant": party()}).json
    refused = legal_step(justice, receipt["id"], "refuse",
                         reason="The matter is outside legal aid's scope.")
    assert refused["objection_route"].startswith("申请人对决定有异议的")  # officials read it
    assert "第四十九条" in refused["objection_route"]
    told = track(resident, receipt)
    assert "outside legal aid's scope" in told["next_step"] and "第四十九条" in told["next_step"]
    assert told["next_step"].startswith("不予法律援助")  # a resident reads Chinese
    english = resident.post(f"{M}/track", headers={"Accept-Language": "en"}, json={
        "receipt_number": receipt["receipt_number"], "secret": receipt["secret"]})
    assert english.headers["Content-Language"] == "en"
    assert "object" in english.json["next_step"] and "refused" in english.json["next_step"]

    # the resident objects through the portal with receipt and secret
    wrong = resident.post(f"{M}/legal-aid/objections", json={
        "receipt_number": receipt["receipt_number"], "secret": "guess", "reason": "x"})
    assert wrong.status_code == 404
    objected = resident.post(f"{M}/legal-aid/objections", json={
        **{k: receipt[k] for k in ("receipt_number", "secret")},
        "reason": "The matter is a labour dispute."})
    assert objected.status_code == 200, objected.json
    assert objected.json["status"] == "objected"
    assert objected.json["deadlines"] == [{"deadline": "objection_review",
                                           "due_on": due("objection_review", TODAY)}]
    assert resident.post(f"{M}/legal-aid/objections", json={
        **{k: receipt[k] for k in ("receipt_number", "secret")},
        "reason": "again"}).status_code == 409

    # an application nobody decides, and the objection nobody reviews, go overdue once
    staff = justice.post(f"{M}/legal-aid", json={
        "community_code": COMMUNITY, "matter": "Walk-in.", "applicant": party(),
        "received_on": str(TODAY - timedelta(days=30))}).json
    assert staff["receipt_number"] and staff["secret"]  # handed to the applicant
    later = str(TODAY + timedelta(days=20))
    scan = justice.post(f"{M}/overdue-scan", json={"today": later}).json
    assert sorted(scan["legal_aid_ids"]) == sorted([receipt["id"], staff["id"]])
    assert justice.post(f"{M}/overdue-scan", json={"today": later}).json[
        "legal_aid_raised"] == 0
    alerts = queued_events(rabbit_config["AMQP_URI"], "legalservices", "legal_aid_overdue",
                           "notifications", expect=2)
    assert sorted(a["data"]["deadline"] for a in alerts) == ["decision", "objection_review"]
    assert {a["data"]["supervising_department"] for a in alerts} == {"justice-330110"}

    legal_step(justice, receipt["id"], "dismiss-objection", reason="Refusal maintained.")
    assert track(resident, receipt)["outcome"] == "refused"
    legal_step(justice, staff["id"], "grant", status=422, on=str(TODAY + timedelta(days=1)))
    legal_step(justice, staff["id"], "assign", status=409, provider="p",
               provider_kind="lawyer")
    mediator = gateway.as_role("mediator", COUNTY)
    assert mediator.post(f"{M}/legal-aid/{staff['id']}/grant", json={}).status_code == 403
    elsewhere = gateway.as_role("justice_officer", OTHER_COUNTY)
    assert elsewhere.post(f"{M}/legal-aid/{staff['id']}/grant", json={}).status_code == 404

    stats = justice.get(f"{M}/legal-aid/statistics?date_from={TODAY - timedelta(days=60)}"
                        f"&date_to={TODAY}").json["total"]
    assert (stats["received"], stats["refused"], stats["objections"], stats["closed"],
            stats["overdue"]) == (2, 1, 1, 1, 2)


def test_residents_follow_only_their_own_case_with_the_secret(justice, gateway):
    register_organisations(gateway)
    resident = gateway.anonymous()
    receipt = resident.post(f"{M}/applications", json={
        "community_code": COMMUNITY, "dispute_category": "neighbourhood",
        "description": "Noise at night.",
        "parties": [party(), party("respondent", "李四", "19851120", "13900001111")]}).json
    followed = track(resident, receipt)
    assert followed["kind"] == "mediation_case" and followed["status"] == "received"
    acceptance_due_on = followed["deadlines"][0]["due_on"]
    assert followed["next_step"] == f"调解组织将于 {acceptance_due_on} 前决定是否受理。"
    assert "李" not in str(followed) and "13900001111" not in str(followed)

    # any mismatch is the same 404: a wrong secret, an unknown number, a referral
    for body in ({"receipt_number": receipt["receipt_number"], "secret": "wrong"},
                 {"receipt_number": "M2025-9999999", "secret": receipt["secret"]},
                 {"receipt_number": "LA2025-0000001", "secret": receipt["secret"]}):
        response = resident.post(f"{M}/track", json=body)
        assert response.status_code == 404 and response.json["detail"] == (
            "没有与该受理编号和查询密码相符的申请，请核对后重试。")  # a resident reads Chinese
        response = resident.post(f"{M}/track", json=body, headers={"Accept-Language": "en"})
        assert response.status_code == 404 and response.json["detail"] == (
            "No application matches this receipt number and secret.")
    assert resident.post(f"{M}/track", json={"receipt_number": ""}).status_code == 422

    step = justice.post(f"{M}/cases/{receipt['id']}/decline",
                        json={"reason": "Already before the court."})
    assert step.status_code == 200
    declined = track(resident, receipt)
    assert declined["outcome"] == "declined" and "Already before" in declined["next_step"]
    hotline_statistics(justice, gateway)


def hotline_statistics(justice, gateway):
    """12348 statistics by topic, county and month (part of the test above)."""
    def consult(day, topic, community=COMMUNITY, client=justice):
        response = client.post(f"{M}/hotline-consultations", json={
            "community_code": community, "consulted_on": day, "topic": topic,
            "summary": "Asked about the law.", "answered_by": "12348-op-1"})
        assert response.status_code == 201, response.json
    for day, topic in (("2025-01-05", "labour"), ("2025-01-20", "labour"),
                       ("2025-01-21", "marriage_family"), ("2025-02-03", "labour")):
        consult(day, topic)
    consult("2025-01-09", "labour", "330122001001", gateway)
    stats = gateway.get(f"{M}/hotline-consultations/statistics?date_from=2025-01-01"
                        "&date_to=2025-12-31").json
    assert stats["total"] == 5 and stats["by_topic"] == {"labour": 4, "marriage_family": 1}
    rows = {(r["topic"], r["county_code"], r["month"]): r["consultations"]
            for r in stats["rows"]}
    assert rows == {("labour", COUNTY, "2025-01"): 2, ("marriage_family", COUNTY, "2025-01"): 1,
                    ("labour", COUNTY, "2025-02"): 1, ("labour", "330122000000", "2025-01"): 1}
    mine = justice.get(f"{M}/hotline-consultations/statistics?date_from=2025-01-01"
                       "&date_to=2025-12-31").json
    assert mine["total"] == 4  # a county's officer counts its own county
    bad = justice.get(f"{M}/hotline-consultations/statistics?date_from=2025-12-31"
                      "&date_to=2025-01-01")
    assert bad.status_code == 422
