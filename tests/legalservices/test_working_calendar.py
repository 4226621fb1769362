"""Issue 25 for legal aid: when the working calendar changes (an override edited, a package
upgraded) the running legal-aid deadlines are counted again by a job, each moved date goes
to the application's history and is announced; legal services warns at start and in its
health report when next year's holiday notice is missing.

The calendar is taken as it stood before any notice for 2027 (``packaged_notices(2026)``)
so the tests hold whatever the installed package carries."""
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from fazhi_common import calendar_changes as watch
from fazhi_common.crypto import new_key
from fazhi_common.outbox import OutboxEvent
from fazhi_common.workdays import WorkingCalendar, packaged_notices
from legalservices import dependencies
from legalservices import operations as ops
from legalservices.deadlines import LegalAidRules
from legalservices.models import CalendarState, LegalAidApplication, LegalAidDeadlineChange
from legalservices.operations import UNITS
from legalservices.service import LegalServicesService
from tests.helpers import seed_units, wait_until
from tests.legalservices.factories import CONFIG
from tests.mediation.factories import COMMUNITY, COUNTY, M, party, unit_events

TO_2026 = packaged_notices(through=2026)
BEFORE = LegalAidRules.from_config(CONFIG["LEGAL_AID_RULES"], WorkingCalendar(notices=TO_2026))
# 28 December 2026, a Monday and a working day, becomes a day off
AFTER = LegalAidRules.from_config(CONFIG["LEGAL_AID_RULES"], WorkingCalendar(
    {2026: {"holidays": ["2026-12-28"]}}, notices=TO_2026))


def _application(session, status, received_on=date(2026, 12, 21)):
    row = LegalAidApplication(
        community_code=COMMUNITY, county_code=COUNTY, applicant_role="applicant",
        name_enc=b"sealed", matter="unpaid wages", received_on=received_on,
        status="received", overdue=False)
    row.decision_due_on, rule = BEFORE.due(BEFORE["decision"], received_on)
    row.decision_due_rule = f"审查决定：{rule}"
    row.status = status
    if status == "closed":
        row.outcome, row.closed_on = "withdrawn", received_on
    session.add(row)
    session.flush()
    return row


def test_a_changed_override_moves_a_running_legal_aid_deadline_with_a_history_entry(
        database_url):
    engine = create_engine(database_url("legalservices").replace(
        "postgresql://", "postgresql+psycopg2://", 1))
    with Session(engine) as session:
        running = _application(session, "received")
        closed = _application(session, "closed")
        assert running.decision_due_on == date(2026, 12, 28)  # 7 days, a working day
        assert watch.check_calendar(session, CalendarState, BEFORE.calendar) is not None
        assert watch.check_calendar(session, CalendarState, BEFORE.calendar) is None
        job = watch.check_calendar(session, CalendarState, AFTER.calendar)
        step = watch.recompute_step(lambda: AFTER, ops.open_applications,
                                    ops.recompute_deadline)
        assert step(session, job, date(2026, 12, 22))
        # an instance still on the replaced calendar does not count the dates back
        assert watch.check_calendar(session, CalendarState, BEFORE.calendar) is None
        session.flush()
        # its last day is now a day off: the next working day (民法典 第二百零三条)
        assert running.decision_due_on == date(2026, 12, 29)
        assert running.decision_due_rule.startswith("审查决定：自 2026-12-21 起 7 日（法律援助法")
        assert closed.decision_due_on == date(2026, 12, 28)  # a closed application keeps it
        [change] = session.scalars(select(LegalAidDeadlineChange)).all()
        assert (change.application_id, change.deadline, change.previous_due_on,
                change.due_on, change.reason) == (running.id, "decision", date(2026, 12, 28),
                                                  date(2026, 12, 29), "working_calendar")
        [event] = session.scalars(select(OutboxEvent)).all()
        assert event.event_type == "legal_aid_deadline_recomputed"
        assert job.result == {"deadlines_moved": 1}
        # the overdue scan counts on the moved date
        assert ops.scan_legal_aid_overdue(session, date(2026, 12, 29)) == []
        assert ops.scan_legal_aid_overdue(session, date(2026, 12, 30)) == [running.id]
    engine.dispose()


def test_a_day_the_agency_set_for_the_materials_stays_and_a_resumed_decision_moves():
    a = SimpleNamespace(status="received", received_on=date(2026, 12, 14), last_step_on=None)
    a.__dict__.update(ops.legal_aid.plan_step(
        a, "request_materials", {"missing": "x", "supply_by": date(2026, 12, 28)},
        date(2026, 12, 16), date(2026, 12, 16), AFTER))
    assert a.materials_due_rule == "补充材料：法律援助机构指定于 2026-12-28 前补齐"
    assert ops.legal_aid.recount(a, AFTER) is None and a.materials_due_on == date(2026, 12, 28)
    # an application written before the rule texts were Chinese keeps its English wording
    a = SimpleNamespace(status="awaiting_materials", materials_due_on=date(2026, 12, 28),
                        materials_due_rule="materials: by 2026-12-28, as the agency set")
    assert ops.legal_aid.recount(a, AFTER) is None and a.materials_due_on == date(2026, 12, 28)
    # received 14 Dec, materials asked on 16 Dec (5 days left), supplied on 23 Dec
    a = SimpleNamespace(status="received", received_on=date(2026, 12, 14),
                        materials_requested_on=date(2026, 12, 16),
                        last_step_on=date(2026, 12, 23), decision_due_on=date(2026, 12, 28),
                        decision_due_rule="decision: 5 days left ...")
    assert ops.legal_aid.recount(a, AFTER) == ("decision", date(2026, 12, 28),
                                               date(2026, 12, 29))


def test_legal_services_warns_at_start_and_in_health_when_next_years_notice_is_missing(
        monkeypatch, caplog):
    """The day 60 days before the first year without a notice is taken as today."""
    year = max(WorkingCalendar().published_years) + 1

    class Day(date):
        @classmethod
        def today(cls):
            return date(year - 1, 11, 2)

    monkeypatch.setattr(watch, "date", Day)
    settings = dependencies.LegalAidSettings()
    settings.container = SimpleNamespace(service_name="legalservices", config={
        "LEGAL_AID_RULES": CONFIG["LEGAL_AID_RULES"]})
    with caplog.at_level("WARNING", logger="fazhi_common.calendar_changes"):
        settings.setup()
    assert f"legalservices: no State Council holiday notice for {year}" in caplog.text
    assert str(year) in settings.report(date(year - 1, 11, 2))["warning"]
    assert settings.report(date(year - 1, 11, 1))["warning"] is None


@pytest.fixture
def calendar_file(tmp_path):
    path = tmp_path / "working_calendar.yml"
    path.write_text("{}\n", encoding="utf-8")
    return path


@pytest.fixture
def legalservices_watching(container_factory, service_config, calendar_file):
    container = container_factory(LegalServicesService, service_config(
        "legalservices", LEGALSERVICES_DATA_KEY=new_key(),
        WORKING_CALENDAR_FILE=str(calendar_file), CALENDAR_CHECK_SECONDS=0.2,
        JOB_POLL_SECONDS=0.1))
    container.start()
    seed_units(container.config["DATABASE_URL"], UNITS, unit_events())
    return container


@pytest.mark.once
def test_an_edited_override_moves_a_running_legal_aid_deadline(legalservices_watching,
                                                               gateway, calendar_file):
    justice = gateway.as_role("justice_officer", COUNTY, department="justice-330110")
    applied = gateway.anonymous().post(f"{M}/legal-aid/applications", json={
        "community_code": COMMUNITY, "matter": "Unpaid wages.", "applicant": party()})
    assert applied.status_code == 201, applied.json
    application_id = applied.json["id"]
    due = date.fromisoformat(applied.json["decision_due_on"])
    # its last day becomes a day off (a correction, any year)
    calendar_file.write_text(f'{due.year}:\n  holidays: ["{due}"]\n', encoding="utf-8")

    def view():
        return justice.get(f"{M}/legal-aid/{application_id}").json

    wait_until(lambda: view()["deadline_changes"], timeout=30)
    later = WorkingCalendar().next_working_day(due + timedelta(days=1))
    [change] = view()["deadline_changes"]
    assert (change["deadline"], change["previous_due_on"], change["due_on"]) == (
        "decision", str(due), str(later))
    assert view()["deadlines"][0]["due_on"] == str(later)

    ready = gateway.get("/health/ready").json["services"]["legalservices"]
    expected = WorkingCalendar().missing_notice(date.today())
    assert ready["working_calendar"]["source"] == str(calendar_file)
    assert (ready["working_calendar"]["warning"] is not None) == (expected is not None)
