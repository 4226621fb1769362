"""Issue 25: the working calendar right for a year without a notice (1 January 2027),
flags instead of refusals on provisional dates, traffic police mediation, the medical
deemed-not-settled rule, the court's decision watched, and deadlines recomputed when the
calendar changes. Plain functions, and one test on a migrated database.

The tests count on the calendar as it stood before any notice for 2027 (``packaged_notices(
2026)``), whatever the installed package carries: they show what happens in a year without a
notice, and never skip once the package learns 2027."""
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from fazhi_common import calendar_changes as watch
from fazhi_common.contracts.errors import Conflict, ValidationFailed
from fazhi_common.outbox import OutboxEvent
from fazhi_common.workdays import (
    WorkingCalendar,
    packaged_notices,
    parse_overrides,
    statutory_holidays,
)
from mediation import calendar_changes, dependencies, domain
from mediation import operations as ops
from mediation.deadlines import Deadlines
from mediation.models import CaseStep, MediationCase, Organisation
from tests.mediation.factories import CONFIG

SERVICE = Path(__file__).resolve().parents[2] / "services/mediation"
TO_2026 = packaged_notices(through=2026)
DEADLINES = Deadlines.from_config(CONFIG["DEADLINE_RULES"], WorkingCalendar(notices=TO_2026))


def case(**attrs):
    base = {"status": "received", "mediation_kind": "medical", "extensions": 0,
            "paused_on": None, "paused_remaining": None, "received_on": date(2026, 12, 18),
            "mediation_due_on": None, "confirmation_due_on": None, "court_extended": False,
            "referrer_department": None, "referrer_kind": None, "channel": "application",
            "deadline_basis": None, "traffic_procedure": None,
            "community_code": "330110001001"}
    return SimpleNamespace(**{**base, **attrs})


def take(c, action, on, data=None, deadlines=DEADLINES):
    for key, value in domain.plan_step(c, action, data or {}, on, date(2099, 1, 1), None,
                                       deadlines).items():
        setattr(c, key, value)
    return c


def test_2027_without_a_notice_keeps_the_statutory_holidays():
    calendar = DEADLINES.calendar
    assert calendar.provisional(2027)
    # art. 2: 元旦, 除夕 to 初三 (5-8 Feb 2027), 清明, 1-2 May, 端午, 中秋, 1-3 October
    for day in ("2027-01-01", "2027-02-05", "2027-02-08", "2027-04-05", "2027-06-09",
                "2027-09-15", "2027-10-01"):
        assert not calendar.is_working_day(date.fromisoformat(day)), day
    assert calendar.is_working_day(date(2027, 2, 9))  # bridging days wait for the notice
    # the statutory days computed agree with the published notices since the 2024 revision
    for year in (2025, 2026):
        assert statutory_holidays(year) <= calendar.holidays
    assert calendar.missing_notice(date(2026, 11, 2)) == 2027
    assert calendar.missing_notice(date(2026, 11, 1)) is None  # more than 60 days ahead
    assert calendar.missing_notice(date(2025, 12, 1)) is None  # 2026 has its notice


def test_the_installed_calendar_keeps_new_years_day_2027_with_or_without_a_notice():
    calendar = WorkingCalendar()
    assert not calendar.is_working_day(date(2027, 1, 1))
    assert calendar.provisional(2027) == (2027 not in calendar.notice_years)
    # the first year without a notice is warned of from 60 days before it begins
    year = max(calendar.published_years) + 1
    assert calendar.missing_notice(date(year - 1, 11, 2)) == year
    assert calendar.missing_notice(date(year - 1, 11, 1)) is None


def test_medical_case_accepted_2026_12_20_is_due_2027_02_01():
    c = take(case(), "accept", date(2026, 12, 20))
    assert c.mediation_due_on == date(2027, 2, 1)  # 29 January, had 1 January counted
    [mediation] = [d for d in domain.case_deadlines(c, DEADLINES) if d["deadline"] ==
                   "mediation"]
    assert mediation["citation"] == "医疗纠纷预防和处理条例 第三十八条"
    assert mediation["provisional"] and "第二条" in mediation["rule"]


def test_judicial_confirmation_across_new_year_and_the_courts_decision():
    c = take(case(status="mediating", accepted_on=date(2026, 11, 2)), "record_agreement",
             date(2026, 12, 2), {"terms": "t", "parties_will_apply": True})
    # 30 days end on 1 January 2027, a holiday: the window runs to Monday the 4th
    assert c.confirmation_due_on == date(2027, 1, 4)
    late = take(case(**vars(c)), "request_confirmation", date(2027, 1, 8), {"court": "c"})
    # a provisional date alone never refuses: the step is flagged for an officer
    assert late.officer_review.startswith("司法确认申请晚于期限 2027-01-04 4 日")
    assert late.officer_review.endswith("待人工审定")
    with pytest.raises(Conflict):
        take(case(**vars(c)), "request_confirmation", date(2027, 1, 20), {"court": "c"})
    take(c, "request_confirmation", date(2027, 1, 4), {"court": "court-330110"})
    assert c.court_decision_due_on == date(2027, 1, 19)  # 15 days (法释〔2011〕5号 第六条)
    assert domain.overdue_deadlines(c, date(2027, 1, 20)) == [
        ("court_decision", date(2027, 1, 19))]
    take(c, "extend_court_decision", date(2027, 1, 12), {"reason": "院长批准"})
    assert c.court_decision_due_on == date(2027, 1, 29)
    with pytest.raises(Conflict):
        take(c, "extend_court_decision", date(2027, 1, 13), {"reason": "again"})
    # on a published year, late is late
    old = take(case(status="mediating"), "record_agreement", date(2025, 3, 3),
               {"terms": "t"})
    with pytest.raises(Conflict):
        take(old, "request_confirmation", date(2025, 4, 8), {"court": "c"})


def test_traffic_police_mediation_window_start_event_and_termination():
    police = DEADLINES.traffic_police
    # received 22 December 2026: 10 days end on 1 January 2027, a holiday
    document = {"kind": "accident_certificate", "received_on": date(2026, 12, 22)}
    assert domain.check_application_window(police, "traffic", document, date(2027, 1, 4),
                                           DEADLINES) is None
    assert "待人工审定" in domain.check_application_window(police, "traffic", document,
                                                          date(2027, 1, 6), DEADLINES)
    with pytest.raises(ValidationFailed):
        domain.check_application_window(police, "traffic", document, date(2027, 1, 30),
                                        DEADLINES)
    c = case(mediation_kind="traffic", traffic_procedure="police_mediation",
             received_on=date(2025, 5, 6))
    with pytest.raises(ValidationFailed):  # the period starts with an event, not acceptance
        take(case(**vars(c)), "accept", date(2025, 5, 7))
    take(c, "accept", date(2025, 5, 7), {"period_start_event": "funeral_ended",
                                         "period_start_on": date(2025, 5, 12)})
    assert c.mediation_due_on == date(2025, 5, 22)
    assert "第九十五条" in domain.case_deadlines(c, DEADLINES)[0]["citation"]
    take(c, "assign_mediator", date(2025, 5, 12), {"mediator": "m"})
    take(c, "record_failure", date(2025, 5, 22), {"reason": "no agreement"})
    assert "调解终结书" in c.outcome_note and "人民调解" in c.outcome_note
    # the people's mediation committee for traffic disputes: a month, no window
    people = take(case(mediation_kind="traffic"), "accept", date(2025, 5, 12))
    assert people.mediation_due_on == date(2025, 6, 12)


def test_medical_mediation_past_its_period_is_deemed_not_settled():
    rules = DEADLINES.rules("medical")
    c = take(case(received_on=date(2025, 3, 1)), "accept", date(2025, 3, 3))
    changes = domain.deemed_not_settled(c, rules, c.mediation_due_on, date(2025, 4, 30))
    assert changes["status"] == "failure" and "视为调解不成" in changes["failure_reason"]
    assert domain.deemed_not_settled(c, rules, c.mediation_due_on, c.mediation_due_on) is None
    assert domain.deemed_not_settled(c, DEADLINES.rules("people"), c.mediation_due_on,
                                     date(2025, 4, 30)) is None
    provisional = take(case(), "accept", date(2026, 12, 20))
    flagged = domain.deemed_not_settled(provisional, rules, provisional.mediation_due_on,
                                        date(2027, 2, 3))
    assert "status" not in flagged and flagged["officer_review"]


def test_a_changed_override_moves_open_deadlines_with_a_timeline_entry(database_url):
    before = DEADLINES
    after = Deadlines.from_config(CONFIG["DEADLINE_RULES"], WorkingCalendar(
        {2027: {"notice": "example", "holidays": ["2027-01-18..2027-01-19"]}},
        notices=TO_2026))
    engine = create_engine(database_url("mediation").replace(
        "postgresql://", "postgresql+psycopg2://", 1))
    with Session(engine) as session:
        org = Organisation(name="m", kind="medical", county_code="330110000000",
                           department="d", supervising_department="justice-330110")
        session.add(org)
        session.flush()
        rows = []
        for status in ("mediating", "closed"):
            row = MediationCase(
                organisation_id=org.id, mediation_kind="medical", channel="application",
                dispute_category="medical", description="d", county_code="330110000000",
                town_code="330110001000", community_code="330110001001",
                status="received", received_on=date(2026, 12, 18), extensions=0)
            session.add(row)
            session.flush()
            take(row, "accept", date(2026, 12, 20), deadlines=before)
            row.status = status
            rows.append(row)
        assert "；暂定日期：2027 年" in rows[0].mediation_due_rule
        assert calendar_changes.check_calendar(session, before.calendar) is not None
        assert calendar_changes.check_calendar(session, before.calendar) is None
        job = calendar_changes.check_calendar(session, after.calendar)
        assert calendar_changes.recompute_step(lambda: after)(session, job, date(2026, 12, 21))
        # an instance still on the replaced calendar does not count the dates back
        assert calendar_changes.check_calendar(session, before.calendar) is None
        session.flush()
        open_case, closed = rows
        assert open_case.mediation_due_on == date(2027, 2, 3)  # two more days off
        assert "暂定日期" not in open_case.mediation_due_rule  # 2027's notice is known now
        assert open_case.mediation_due_rule.startswith("医疗纠纷调解（医调）：自 2026-12-20 起")
        assert closed.mediation_due_on == date(2027, 2, 1)  # a closed case keeps its date
        [step] = session.scalars(select(CaseStep).where(CaseStep.case_id == open_case.id))
        assert step.action == "recompute_deadline"
        assert step.note.startswith("调解期限由 2027-02-01 改为 2027-02-03：工作日历变更")
        assert session.scalars(select(OutboxEvent.event_type)).all() == [
            "mediation_deadline_recomputed"]
        session.expire(open_case, ["steps"])
        assert job.result == {"deadlines_moved": 1}
        # past its period (now on a published calendar) it is deemed not settled
        assert ops.scan_overdue(session, date(2027, 2, 5), after)["case_ids"] == [open_case.id]
        assert open_case.status == "failure" and "视为调解不成" in open_case.failure_reason
        assert open_case.steps[-1].action == "deemed_not_settled"
    engine.dispose()


def test_the_example_override_lists_every_statutory_day_and_claims_no_notice():
    text = (SERVICE / "working_calendar.example.yml").read_text(encoding="utf-8")
    sample = text[text.index("# 2027:"):].splitlines()
    document = yaml.safe_load("\n".join(line[2:] for line in sample if line.startswith("#")))
    assert "X号" in document[2027]["notice"]  # a placeholder, never a real number
    _years, holidays, _workdays = parse_overrides(document)
    assert statutory_holidays(2027) <= holidays and date(2027, 2, 5) in holidays  # 除夕


def test_the_service_warns_at_start_and_in_health_when_next_years_notice_is_missing(
        monkeypatch, caplog):
    """Whatever today is and whatever the package carries: the day 60 days before the first
    year without a notice is taken as today."""
    year = max(WorkingCalendar().published_years) + 1

    class Day(date):
        @classmethod
        def today(cls):
            return date(year - 1, 11, 2)

    monkeypatch.setattr(watch, "date", Day)
    settings = dependencies.DeadlineSettings()
    settings.container = SimpleNamespace(config={"DEADLINE_RULES": CONFIG["DEADLINE_RULES"]})
    with caplog.at_level("WARNING", logger="fazhi_common.calendar_changes"):
        settings.setup()
    assert f"no State Council holiday notice for {year}" in caplog.text
    assert str(year) in settings.notice_warning(date(year - 1, 11, 2))
    assert settings.notice_warning(date(year - 1, 11, 1)) is None
