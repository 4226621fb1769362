"""Corrections through the real gateway: a file from intake to its steps and a leave, the bad
paths (unknown community, out-of-area officer, illegal step, late step), and the
corrections data test: who sees what, in the API, the export, the events and the inbox."""
import csv
import io
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from fazhi_common import spreadsheet
from fazhi_common.audit import AuditEntry, verify_chain
from fazhi_common.db import make_engine
from fazhi_common.outbox import OutboxEvent
from notifications.service import NotificationsService
from tests.corrections.conftest import COMMUNITY, COUNTY, LEADER, OTHER_COUNTY, TOWN
from tests.helpers import wait_until
from tests.mediation.factories import resident_id

C = "/api/v1/corrections"
OFFICER = "justice_officer-330110000000-justice-330110"
TODAY = date.today()  # the service dates steps by its own clock: days are counted from it


def _person(decided_ago=2, **extra):
    decided = TODAY - timedelta(days=decided_ago)
    return {"kind": "correction", "correction_type": "probation", "community_code": COMMUNITY,
            "officer": OFFICER, "name": "欧阳锋", "id_number": resident_id("19800101"),
            "offence": "盗窃罪", "address": "西湖区白沙路一号", "decided_on": decided.isoformat(),
            "term_ends_on": (decided + timedelta(days=365)).isoformat(), **extra}


def _officer(gateway):
    return gateway.as_role("justice_officer", COUNTY, department="justice-330110")


def test_a_file_its_steps_a_leave_and_the_bad_paths(corrections, gateway):
    officer = _officer(gateway)
    # unknown community: refused against the registry's units
    unknown = officer.post(f"{C}/persons", json=_person(community_code="330110001999"))
    assert unknown.status_code == 422 and "community_code" in unknown.json["fields"]
    # out-of-area officer: may not take in, nor see, nor touch a file of another county
    outsider = gateway.as_role("justice_officer", OTHER_COUNTY, department="justice-330122")
    assert outsider.post(f"{C}/persons", json=_person()).status_code == 403

    late = officer.post(f"{C}/persons", json=_person(decided_ago=40)).json
    assert late["status"] == "awaiting_report" and late["report_due_on"] < TODAY.isoformat()
    assert late["report_due_rule"].startswith("社区矫正法 第二十一条：自 ")
    pid = late["id"]
    assert outsider.get(f"{C}/persons/{pid}").status_code == 404
    assert outsider.post(f"{C}/persons/{pid}/report-in", json={}).status_code == 404
    # illegal step: not released before reporting, and the answer names the status
    illegal = officer.post(f"{C}/persons/{pid}/release", json={})
    assert illegal.status_code == 409 and illegal.json["fields"]["status"] == [
        "awaiting_report"]
    # late step: a report after the limit wants its reason, then puts the breach on file
    refused = officer.post(f"{C}/persons/{pid}/report-in", json={})
    assert refused.status_code == 422 and late["report_due_on"] in refused.json["detail"]
    reported = officer.post(f"{C}/persons/{pid}/report-in", json={"late_reason": "住院治疗"})
    assert reported.status_code == 200, reported.json
    file = reported.json
    assert file["status"] == "under_correction" and file["days_late"] > 10
    assert [r["kind"] for r in file["records"] if r["action"] == "penalty_due"] == [
        "revocation_proposal" if file["days_late"] > 30 else "warning"]
    again = officer.post(f"{C}/persons/{pid}/report-in", json={"late_reason": "x"})
    assert again.status_code == 409

    plan = officer.post(f"{C}/persons/{pid}/make-plan", json={"plan": "每周报告，每月走访"})
    assert plan.json["plan"] == "每周报告，每月走访" and not plan.json["personal_data_masked"]
    # a leave of ten days: the county office approves, not the town office
    ask = {"reason": "medical", "destination": "上海市瑞金医院",
           "leaves_on": (TODAY + timedelta(days=5)).isoformat(),
           "returns_on": (TODAY + timedelta(days=14)).isoformat()}
    leave = officer.post(f"{C}/persons/{pid}/leaves", json=ask)
    assert leave.status_code == 201 and leave.json["approval_level"] == "county"
    town = gateway.as_role("justice_officer", TOWN, department="justice-330110001")
    denied = town.post(f"{C}/leaves/{leave.json['id']}/decision", json={"approve": True})
    assert denied.status_code == 403
    approved = officer.post(f"{C}/leaves/{leave.json['id']}/decision", json={"approve": True})
    assert approved.json["status"] == "approved" and approved.json["decided_by"] == OFFICER
    short = officer.post(f"{C}/persons/{pid}/leaves",
                         json={**ask, "leaves_on": (TODAY + timedelta(days=1)).isoformat()})
    assert short.status_code == 422 and "leaves_on" in short.json["fields"]
    # a return before the approval, or after the leave ended: the late return is a breach
    # on file (办法 第二十八条)
    gone = {"reason": "family", "destination": "杭州市", "applied_on": (
        TODAY - timedelta(days=9)).isoformat(), "leaves_on": (TODAY - timedelta(
            days=5)).isoformat(), "returns_on": (TODAY - timedelta(days=3)).isoformat()}
    trip = officer.post(f"{C}/persons/{pid}/leaves", json=gone).json
    assert trip["approval_level"] == "town"
    early = officer.post(f"{C}/leaves/{trip['id']}/return", json={
        "returned_on": TODAY.isoformat()})
    assert early.status_code == 409 and early.json["fields"]["status"] == ["requested"]
    assert town.post(f"{C}/leaves/{trip['id']}/decision", json={
        "approve": True}).json["status"] == "approved"
    future = officer.post(f"{C}/leaves/{trip['id']}/return", json={
        "returned_on": (TODAY + timedelta(days=1)).isoformat()})
    assert future.status_code == 422 and "returned_on" in future.json["fields"]
    back = officer.post(f"{C}/leaves/{trip['id']}/return", json={
        "returned_on": TODAY.isoformat()})
    assert back.status_code == 200, back.json
    assert back.json["status"] == "returned" and back.json["returned_late"] is True
    breach = [r for r in officer.get(f"{C}/persons/{pid}").json["records"]
              if r["action"] == "penalty_due" and r["ground"] == "leave_rules"]
    assert [(r["kind"], r["on"]) for r in breach] == [("reprimand", TODAY.isoformat())]

    officer.post(f"{C}/persons", json=_person(decided_ago=30))  # never reports: 漏管
    counts = gateway.as_role("evaluator", COUNTY).get(
        f"{C}/statistics", query_string={"group_by": "community"}).json
    assert counts["rows"][0]["area_code"] == COMMUNITY
    assert {k: counts["total"][k] for k in ("under_correction", "awaiting_report",
                                            "unreported", "lost_contact")} == {
        "under_correction": 1, "awaiting_report": 1, "unreported": 1, "lost_contact": 0}
    scan = officer.post(f"{C}/unreported-scan", json={}).json
    assert scan == {"unreported": 1, "communities": 1}
    # the gateway's readiness asks corrections too
    ready = gateway.get("/health/ready").json  # the details, to an administrator
    assert ready["services"]["corrections"]["status"] == "ok"

    # a name planted to run in the spreadsheet that opens the export stays text there
    planted = officer.post(f"{C}/persons", json=_person(
        name='=HYPERLINK("http://evil","点我")', id_number=resident_id("19810101")))
    assert planted.status_code == 201, planted.json
    export = officer.get(f"{C}/persons/export.csv")
    cells = [c for row in csv.reader(io.StringIO(export.text.lstrip("\ufeff"))) for c in row]
    assert "'=*" + "*" * 28 in cells  # masked, as every export is, and quoted
    assert not [c for c in cells if c.startswith(spreadsheet.FORMULA_STARTS)]


@pytest.mark.once  # (with notifications running) in the PostgreSQL pass only: it is slow
def test_corrections_data_test(corrections, container_factory, service_config, gateway):
    """A viewer, an evaluation officer and a mediation officer see no personal field of a
    person under correction anywhere; only the own officer and the leaders see it whole."""
    container_factory(NotificationsService, service_config("notifications")).start()
    officer = _officer(gateway)
    person = _person()
    secrets = [person["name"], person["id_number"], person["offence"], person["address"],
               "上海市瑞金医院"]
    pid = officer.post(f"{C}/persons", json=person).json["id"]
    officer.post(f"{C}/persons/{pid}/report-in", json={})
    officer.post(f"{C}/persons/{pid}/leaves", json={
        "reason": "medical", "destination": "上海市瑞金医院",
        "leaves_on": (TODAY + timedelta(days=4)).isoformat(),
        "returns_on": (TODAY + timedelta(days=6)).isoformat()})

    def shows(answer):
        text = answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)
        return [s for s in secrets if s in text]

    leader = gateway.as_role("justice_officer", COUNTY, department="leaders")
    for who in (officer, leader):
        seen = who.get(f"{C}/persons/{pid}").json
        assert seen["name"] == "欧阳锋" and seen["offence"] == "盗窃罪", seen
    colleague = gateway.as_role("justice_officer", COUNTY, department="colleague")
    for who in (colleague, gateway):  # another officer of the county; the platform admin
        masked = who.get(f"{C}/persons/{pid}").json
        assert masked["personal_data_masked"] and shows(masked) == [], masked
        assert shows(who.get(f"{C}/persons").json) == []
    export = officer.get(f"{C}/persons/export.csv")
    assert export.status_code == 200 and "欧*" in export.text and shows(export.text) == []

    for role in ("viewer", "evaluator", "mediator"):
        client = gateway.as_role(role, COUNTY, department="justice-330110")
        for path in (f"{C}/persons", f"{C}/persons/{pid}", f"{C}/persons/export.csv"):
            assert client.get(path).status_code == 403, (role, path)
        counts = client.get(f"{C}/statistics")
        assert counts.status_code == 200 and shows(counts.json) == []
        inbox = wait_until(lambda c=client: (page := c.get(
            "/api/v1/notifications/inbox").json)["total"] >= 2 and page)
        assert {a["event_type"] for a in inbox["items"]} == {"corrections_counts_changed"}
        assert shows(inbox) == [], role

    engine = make_engine(corrections.config["DATABASE_URL"])
    try:
        with Session(engine) as session:
            envelopes = session.scalars(select(OutboxEvent.envelope)).all()
            assert envelopes and shows(envelopes) == []
            reads = session.scalars(select(AuditEntry).where(
                AuditEntry.action == "corrections.read_person")).all()
            # every read of the file, masked or not, by whom
            assert {r.actor for r in reads} >= {OFFICER, LEADER, "platform_admin-all-test"}
            assert shows([e.details for e in session.scalars(select(AuditEntry))]) == []
            verify_chain(session)
        # at rest: no personal field lies in clear in any of the service's tables
        with engine.connect() as conn:
            for table in ("corrections_person", "corrections_record", "corrections_leave",
                          "outbox_event", "audit_entry"):
                raw = " ".join(
                    bytes(v).decode("latin-1") if isinstance(v, bytes | memoryview)
                    else str(v) for row in conn.execute(text(f"SELECT * FROM {table}"))
                    for v in row)
                assert shows(raw) == [], table
    finally:
        engine.dispose()
