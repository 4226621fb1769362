"""The working calendar changes under a running service: an edited override file moves an
open deadline through the recompute job, with a timeline entry; mediation's readiness
report says whether next year's holiday notice is missing."""
from datetime import date, timedelta

import pytest

from fazhi_common.crypto import new_key
from fazhi_common.workdays import WorkingCalendar
from mediation.operations import UNITS
from mediation.service import MediationService
from tests.helpers import seed_units, wait_until
from tests.mediation.factories import COUNTY, M, referral, register_organisations, unit_events


@pytest.fixture
def calendar_file(tmp_path):
    path = tmp_path / "working_calendar.yml"
    path.write_text("{}\n", encoding="utf-8")
    return path


@pytest.fixture
def mediation_watching(container_factory, service_config, calendar_file):
    container = container_factory(MediationService, service_config(
        "mediation", MEDIATION_DATA_KEY=new_key(), WORKING_CALENDAR_FILE=str(calendar_file),
        CALENDAR_CHECK_SECONDS=0.2, JOB_POLL_SECONDS=0.1))
    container.start()
    seed_units(container.config["DATABASE_URL"], UNITS, unit_events())
    return container


@pytest.mark.once
def test_an_edited_override_moves_an_open_deadline(mediation_watching, gateway, calendar_file):
    orgs = register_organisations(gateway)
    justice = gateway.as_role("justice_officer", COUNTY, department="justice-330110")
    hospital = gateway.as_role("linked_department_officer", COUNTY,
                               department="hospital-330110-1")
    case = hospital.post(f"{M}/referrals", json=referral(
        orgs["medical"], "hospital", "YT-cal", dispute_category="medical")).json
    accepted = justice.post(f"{M}/cases/{case['id']}/accept", json={}).json
    due = date.fromisoformat(accepted["mediation_due_on"])
    # a working day inside the period becomes a day off (a correction, any year)
    day = due - timedelta(days=1)
    calendar = WorkingCalendar()
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    calendar_file.write_text(f'{day.year}:\n  holidays: ["{day}"]\n', encoding="utf-8")

    def moved():
        return justice.get(f"{M}/cases/{case['id']}").json["mediation_due_on"] != str(due)

    wait_until(moved, timeout=30)
    later = date.fromisoformat(justice.get(f"{M}/cases/{case['id']}").json["mediation_due_on"])
    assert later == calendar.next_working_day(due + timedelta(days=1))
    steps = justice.get(f"{M}/cases/{case['id']}/timeline").json["steps"]
    assert steps[-1]["action"] == "recompute_deadline"
    assert steps[-1]["note"].startswith(f"调解期限由 {due} 改为 {later}：工作日历变更")

    ready = gateway.get("/health/ready").json["services"]["mediation"]
    expected = calendar.missing_notice(date.today())
    assert (ready["working_calendar"]["warning"] is not None) == (expected is not None)
