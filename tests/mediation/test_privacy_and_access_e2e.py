"""Personal data: masked for whoever may not see it, audited when shown, never stored in
clear; and who may reach which endpoint, through the real gateway."""
from datetime import date, timedelta
from pathlib import Path

import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import create_engine, inspect, select, text

from fazhi_common.audit import AuditEntry
from fazhi_common.db import make_engine
from tests.mediation.factories import (
    COUNTY,
    OTHER_COUNTY,
    TOWN,
    M,
    party,
    referral,
    register_organisations,
)

NAME, PHONE = "欧阳娜娜", "13955550123"
APPLICANT = party(name=NAME, birth="19881212", phone=PHONE)
SECRETS = (NAME, APPLICANT["id_number"], PHONE)


@pytest.fixture
def case(mediation, gateway):
    orgs = register_organisations(gateway)
    court = gateway.as_role("linked_department_officer", COUNTY, department="court-330110")
    body = referral(orgs["litigation"], "court", "R-77")
    body["parties"][0] = APPLICANT
    response = court.post(f"{M}/referrals", json=body)
    assert response.status_code == 201
    return response.json


def _shows_secrets(response):
    return [s for s in SECRETS if s in response.get_data(as_text=True)]


def test_personal_data_is_masked_unless_the_role_may_see_it(mediation, gateway, case):
    assigned = gateway.as_role("mediator", TOWN, department="justice-330110001")
    # the referring court got its answer masked too
    assert case["personal_data_masked"] and not [s for s in SECRETS if s in str(case)]

    masked_roles = {
        "viewer": gateway.as_role("viewer", COUNTY),
        "court": gateway.as_role("linked_department_officer", COUNTY,
                                 department="court-330110"),
        "other mediator": gateway.as_role("mediator", TOWN, department="elsewhere"),
        "assigned mediator before assignment": assigned,
    }
    for who, client in masked_roles.items():
        for path in (f"{M}/cases/{case['id']}", f"{M}/cases"):
            response = client.get(path)
            assert response.status_code == 200, (who, response.json)
            assert _shows_secrets(response) == [], who
    shown = gateway.as_role("viewer", COUNTY).get(f"{M}/cases/{case['id']}").json
    assert shown["parties"][0]["name"] == "欧***"
    assert shown["parties"][0]["phone"] == "139****0123"
    assert shown["parties"][0]["id_number"].startswith("330") and "*" in \
        shown["parties"][0]["id_number"]

    justice = gateway.as_role("justice_officer", COUNTY)
    justice.post(f"{M}/cases/{case['id']}/accept", json={})
    justice.post(f"{M}/cases/{case['id']}/assign-mediator",
                 json={"mediator": f"mediator-{TOWN}-justice-330110001"})
    for who, client in {"assigned mediator": assigned, "justice officer": justice,
                        "platform admin": gateway}.items():
        response = client.get(f"{M}/cases/{case['id']}")
        assert sorted(_shows_secrets(response)) == sorted(SECRETS), who
        assert response.json["personal_data_masked"] is False
    # once assigned, the case is no other mediator's business
    other = masked_roles["other mediator"]
    assert other.get(f"{M}/cases/{case['id']}").status_code == 404
    assert other.get(f"{M}/cases").json["total"] == 0
    assert assigned.get(f"{M}/cases").json["total"] == 1

    engine = make_engine(mediation.config["DATABASE_URL"])
    with engine.connect() as conn:
        reads = conn.execute(select(AuditEntry.actor).where(
            AuditEntry.action == "mediation.read_personal_data")).scalars().all()
    engine.dispose()
    assert f"mediator-{TOWN}-justice-330110001" in reads
    assert "platform_admin-all-test" in reads
    assert not any(who.startswith("viewer") for who in reads)


def test_personal_data_is_not_readable_in_the_database(mediation, gateway, case):
    url = mediation.config["DATABASE_URL"]
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                for value in row:
                    raw = bytes(value) if isinstance(value, (bytes, memoryview)) else \
                        str(value).encode()
                    for secret in SECRETS:
                        assert secret.encode() not in raw, (table, secret)
    engine.dispose()
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        raw = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
        assert len(raw) > 0
        for secret in SECRETS:
            assert secret.encode() not in raw


def test_roles_areas_and_departments(mediation, gateway, case):
    path = f"{M}/cases/{case['id']}"
    assert gateway.anonymous().get(path).status_code == 401
    assert gateway.as_role("evaluator", COUNTY).get(path).status_code == 403
    assert gateway.as_role("resident", COUNTY).get(path).status_code == 403
    # another department's officer, or another county's staff, cannot tell the case exists
    police = gateway.as_role("linked_department_officer", COUNTY, department="police-330110")
    assert police.get(path).status_code == 404
    assert police.get(f"{path}/timeline").status_code == 404
    assert police.get(f"{M}/cases").json["total"] == 0
    elsewhere = gateway.as_role("justice_officer", OTHER_COUNTY)
    assert elsewhere.get(path).status_code == 404
    assert elsewhere.post(f"{path}/accept", json={}).status_code == 404
    # readers do not write; linked departments refer but do not mediate
    viewer = gateway.as_role("viewer", COUNTY)
    assert viewer.post(f"{path}/accept", json={}).status_code == 403
    assert police.post(f"{path}/accept", json={}).status_code == 403
    assert viewer.post(f"{M}/referrals", json={}).status_code == 403
    # a department refers in its own name only
    body = referral(case["organisation_id"], "police_station", "P1",
                    referrer_department="court-330110")
    assert police.post(f"{M}/referrals", json=body).status_code == 403
    assert gateway.as_role("mediator", COUNTY).post(f"{M}/overdue-scan", json={
        "today": str(date.today())}).status_code == 403
    assert gateway.as_role("justice_officer", COUNTY).get(path).status_code == 200


def test_statistics_by_kind_and_county(mediation, gateway, case):
    justice = gateway.as_role("justice_officer", COUNTY)
    today = date.today()
    court = gateway.as_role("linked_department_officer", COUNTY, department="court-330110")
    ids = [case["id"]] + [court.post(f"{M}/referrals", json=referral(
        case["organisation_id"], "court", f"S{i}",
        received_on=today - timedelta(days=50))).json["id"] for i in range(3)]
    justice.post(f"{M}/cases/{ids[0]}/decline", json={"reason": "out of scope"})
    for case_id, days, outcome in ((ids[1], 10, "record-agreement"),
                                   (ids[2], 20, "record-failure"),
                                   (ids[3], None, None)):
        justice.post(f"{M}/cases/{case_id}/accept", json={"on": str(today - timedelta(days=50))})
        justice.post(f"{M}/cases/{case_id}/assign-mediator", json={
            "mediator": "m", "on": str(today - timedelta(days=50))})
        if outcome:
            on = str(today - timedelta(days=50 - days))
            response = justice.post(f"{M}/cases/{case_id}/{outcome}", json={
                "on": on, "terms": "t"} if outcome == "record-agreement"
                else {"on": on, "reason": "r"})
            assert response.status_code == 200, response.json
    justice.post(f"{M}/overdue-scan", json={"today": str(today)})

    period = f"date_from={today - timedelta(days=365)}&date_to={today}"
    stats = justice.get(f"{M}/statistics?{period}").json
    assert len(stats["rows"]) == 1
    row = stats["rows"][0]
    assert (row["mediation_kind"], row["county_code"]) == ("litigation", COUNTY)
    assert (row["volume"], row["accepted"], row["declined"]) == (4, 3, 1)
    assert row["acceptance_rate"] == 0.75
    assert (row["agreements"], row["failures"], row["success_rate"]) == (1, 1, 0.5)
    assert row["median_duration_days"] == 15.0
    # only the open case's mediation period passed: the agreement's parties did not apply
    # for judicial confirmation, so it has no window to miss
    assert row["overdue"] == 1
    assert row["confirmation_not_applied"] == 1
    assert (row["confirmation_pending"], row["confirmation_confirmed"],
            row["confirmation_refused"]) == (0, 0, 0)
    assert stats["total"]["volume"] == 4 and stats["total"]["median_duration_days"] == 15.0

    elsewhere = gateway.as_role("justice_officer", OTHER_COUNTY)
    assert elsewhere.get(f"{M}/statistics?{period}").json["total"]["volume"] == 0
    backwards = justice.get(f"{M}/statistics?date_from={today}&date_to=2020-01-01")
    assert backwards.status_code == 422 and "date_to" in backwards.json["fields"]
    off_the_calendar = justice.get(f"{M}/statistics?date_from=0001-01-01&date_to=0001-01-01")
    assert off_the_calendar.status_code == 422
    assert {"date_from", "date_to"} <= set(off_the_calendar.json["fields"])


def test_the_timer_scans_as_the_platform(mediation, gateway, case):
    justice = gateway.as_role("justice_officer", COUNTY)
    court = gateway.as_role("linked_department_officer", COUNTY, department="court-330110")
    old = court.post(f"{M}/referrals", json=referral(
        case["organisation_id"], "court", "T1",
        received_on=date.today() - timedelta(days=40))).json
    justice.post(f"{M}/cases/{old['id']}/accept",
                 json={"on": str(date.today() - timedelta(days=40))})
    with entrypoint_hook(mediation, "scan_overdue_daily") as scan:
        scan()
    assert justice.get(f"{M}/cases/{old['id']}").json["overdue"] is True
    scan_again = justice.post(f"{M}/overdue-scan", json={"today": str(date.today())}).json
    assert scan_again["raised"] == 0
