"""Issue 25 for corrections: when the working calendar changes (an override edited, a
package upgraded) the report deadlines still running (社区矫正法 第二十一条) are counted again
by a job, each moved date goes to the file's records and is announced without naming the
person; corrections warns at start and in its health report when next year's holiday notice
is missing."""
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from corrections import dependencies
from corrections import operations as ops
from corrections.domain import Rules, report_due
from corrections.models import CalendarState, Person, Record
from corrections.operations import UNITS
from corrections.service import CorrectionsService
from fazhi_common import calendar_changes as watch
from fazhi_common.crypto import FieldCipher, new_key
from fazhi_common.outbox import OutboxEvent
from fazhi_common.workdays import WorkingCalendar, packaged_notices
from tests.corrections.conftest import COMMUNITY, COUNTY, LEADER, TOWN
from tests.corrections.test_corrections_e2e import C, _officer, _person
from tests.helpers import seed_units, wait_until
from tests.mediation.factories import unit_events

RULES = Rules()
TO_2026 = packaged_notices(through=2026)
BEFORE = WorkingCalendar(notices=TO_2026)
# 28 December 2026, a Monday and a working day, becomes a day off
AFTER = WorkingCalendar({2026: {"holidays": ["2026-12-28"]}}, notices=TO_2026)


def _file(session, status, decided_on=date(2026, 12, 18)):
    due, rule = report_due(decided_on, RULES, BEFORE)
    row = Person(kind="correction", correction_type="probation", county_code=COUNTY,
                 town_code=TOWN, community_code=COMMUNITY, officer="o", status=status,
                 name_enc=b"sealed", offence_enc=b"sealed", decided_on=decided_on,
                 received_on=decided_on, report_due_on=due, report_due_rule=rule,
                 reoffended=False)
    session.add(row)
    session.flush()
    return row


def test_a_changed_override_moves_a_running_report_deadline_with_a_record(database_url):
    cipher = FieldCipher(new_key())
    engine = create_engine(database_url("corrections").replace(
        "postgresql://", "postgresql+psycopg2://", 1))
    with Session(engine) as session:
        waiting = _file(session, "awaiting_report")
        ended = _file(session, "terminated")
        assert waiting.report_due_on == date(2026, 12, 28)  # 10 days, a working day
        assert watch.check_calendar(session, CalendarState, BEFORE) is not None
        assert watch.check_calendar(session, CalendarState, BEFORE) is None
        job = watch.check_calendar(session, CalendarState, AFTER)

        def recompute(session, person, calendar, today):
            return ops.recompute_report_deadline(session, person, calendar, today, RULES,
                                                 cipher)

        step = watch.recompute_step(lambda: AFTER, ops.open_files, recompute)
        assert step(session, job, date(2026, 12, 22))
        assert watch.check_calendar(session, CalendarState, BEFORE) is None
        session.flush()
        assert waiting.report_due_on == date(2026, 12, 29)
        assert ended.report_due_on == date(2026, 12, 28)  # a closed file keeps its date
        [record] = session.scalars(select(Record)).all()
        assert (record.person_id, record.action, record.kind, record.on) == (
            waiting.id, "recompute_deadline", "report", date(2026, 12, 22))
        assert "2026-12-29" in cipher.decrypt(record.notes_enc, "record.notes")
        [event] = session.scalars(select(OutboxEvent)).all()
        assert event.event_type == "corrections_deadline_recomputed"
        data = event.envelope["data"]
        assert "person_id" not in data and data["due_on"] == "2026-12-29"
        assert job.result == {"deadlines_moved": 1}
    engine.dispose()


def test_corrections_warns_at_start_and_in_health_when_next_years_notice_is_missing(
        monkeypatch, caplog):
    """The day 60 days before the first year without a notice is taken as today."""
    year = max(WorkingCalendar().published_years) + 1

    class Day(date):
        @classmethod
        def today(cls):
            return date(year - 1, 11, 2)

    monkeypatch.setattr(watch, "date", Day)
    settings = dependencies.calendar()
    settings.container = SimpleNamespace(service_name="corrections", config={})
    with caplog.at_level("WARNING", logger="fazhi_common.calendar_changes"):
        settings.setup()
    assert f"corrections: no State Council holiday notice for {year}" in caplog.text
    assert str(year) in settings.report(date(year - 1, 11, 2))["warning"]
    assert settings.report(date(year - 1, 11, 1))["warning"] is None


@pytest.fixture
def calendar_file(tmp_path):
    path = tmp_path / "working_calendar.yml"
    path.write_text("{}\n", encoding="utf-8")
    return path


@pytest.fixture
def corrections_watching(container_factory, service_config, calendar_file):
    container = container_factory(CorrectionsService, service_config(
        "corrections", CORRECTIONS_DATA_KEY=new_key(), OFFICE_LEADERS=LEADER,
        WORKING_CALENDAR_FILE=str(calendar_file), CALENDAR_CHECK_SECONDS=0.2,
        JOB_POLL_SECONDS=0.1))
    container.start()
    seed_units(container.config["DATABASE_URL"], UNITS, unit_events())
    return container


@pytest.mark.once
def test_an_edited_override_moves_a_running_report_deadline(corrections_watching, gateway,
                                                            calendar_file):
    officer = _officer(gateway)
    person = officer.post(f"{C}/persons", json=_person()).json
    due = date.fromisoformat(person["report_due_on"])
    calendar_file.write_text(f'{due.year}:\n  holidays: ["{due}"]\n', encoding="utf-8")

    def moved():
        return officer.get(f"{C}/persons/{person['id']}").json["report_due_on"] != str(due)

    wait_until(moved, timeout=30)
    file = officer.get(f"{C}/persons/{person['id']}").json
    later = WorkingCalendar().next_working_day(due + timedelta(days=1))
    assert file["report_due_on"] == str(later)
    [record] = [r for r in file["records"] if r["action"] == "recompute_deadline"]
    assert record["kind"] == "report" and str(later) in record["notes"]

    ready = gateway.get("/health/ready").json["services"]["corrections"]
    expected = WorkingCalendar().missing_notice(date.today())
    assert (ready["working_calendar"]["warning"] is not None) == (expected is not None)
