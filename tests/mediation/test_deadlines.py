"""The working calendar and the deadline rules, without the bus or a database."""
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from fazhi_common import workdays
from fazhi_common.contracts.errors import Conflict, ValidationFailed
from fazhi_common.workdays import WorkingCalendar, parse_overrides
from mediation import domain
from mediation.deadlines import Period, add_months
from tests.mediation.factories import CONFIG, DEADLINES

CALENDAR = WorkingCalendar()


def test_calendar_knows_holidays_and_make_up_working_weekends():
    assert not CALENDAR.is_working_day(date(2025, 1, 28))  # Spring Festival eve, a Tuesday
    assert not CALENDAR.is_working_day(date(2025, 2, 4))
    assert CALENDAR.is_working_day(date(2025, 1, 26))  # a make-up Sunday
    assert CALENDAR.is_working_day(date(2025, 2, 8))  # a make-up Saturday
    assert not CALENDAR.is_working_day(date(2025, 2, 9))  # an ordinary Sunday
    assert not CALENDAR.is_working_day(date(2025, 10, 8))  # National Day week
    assert CALENDAR.is_working_day(date(2025, 9, 28))
    assert CALENDAR.working_days_between(date(2025, 1, 27), date(2025, 2, 8)) == 4
    assert CALENDAR.add_working_days(date(2025, 1, 27), 4) == date(2025, 2, 8)
    assert CALENDAR.add_working_days(date(2025, 1, 27), 0) == date(2025, 1, 27)


def test_an_unpublished_year_is_provisional_until_an_override_adds_it():
    assert CALENDAR.provisional(2099) and not CALENDAR.provisional(2025)
    # 2099-01-01 (a Thursday) is a statutory holiday even without a notice; the 2nd is not
    assert not CALENDAR.is_working_day(date(2099, 1, 1))
    assert CALENDAR.is_working_day(date(2099, 1, 2))
    extended = WorkingCalendar({2099: {"notice": "国办发明电〔2098〕1号",
                                       "holidays": ["2099-01-01..2099-01-02"],
                                       "workdays": ["2099-01-04"]}})
    assert not extended.provisional(2099)
    assert not extended.is_working_day(date(2099, 1, 2))
    assert extended.is_working_day(date(2099, 1, 4))  # a Sunday made a working day
    # days without the notice named correct the calendar but leave the year provisional
    assert WorkingCalendar({2099: {"holidays": ["2099-01-02"]}}).provisional(2099)
    # an override also corrects a year the package carries
    corrected = WorkingCalendar({2025: {"workdays": ["2025-02-08"]}})
    assert corrected.is_working_day(date(2025, 2, 8))
    due, rule = DEADLINES.due(Period(30, "working_days", "x"), date(2098, 12, 20))
    assert "；暂定日期：" in rule and "2099 年国务院放假安排尚未公布" in rule and "第二条" in rule


def test_override_file_mistakes_are_refused(tmp_path):
    for bad in ({2027: {"holidays": ["2026-12-31"]}},
                {2027: {"holidays": ["2027-01-03..2027-01-01"]}},
                {2027: {"holidays": ["2027-01-01"], "workdays": ["2027-01-01"]}},
                {2027: {"holiday": ["2027-01-01"]}},
                # a statutory holiday (除夕 2027) cannot be made a working day
                {2027: {"workdays": ["2027-02-05"]}}):
        with pytest.raises(ValueError):
            parse_overrides(bad)
    path = tmp_path / "calendar.yml"
    path.write_text('2027:\n  holidays: ["2027-01-01"]\n', encoding="utf-8")
    assert not WorkingCalendar.from_file(path).is_working_day(date(2027, 1, 1))


def test_calendar_periods_end_on_a_working_day_and_months_clamp():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2025, 12, 15), 1) == date(2026, 1, 15)
    # one month from 2025-09-01 is 2025-10-01, in the National Day holiday: runs to the 9th
    assert Period(1, "months").due(date(2025, 9, 1), CALENDAR) == date(2025, 10, 9)
    with pytest.raises(ValueError):
        Period(1, "fortnights")


def medical(**attrs):
    base = {"status": "received", "mediation_kind": "medical", "extended": False,
            "extensions": 0, "paused_on": None, "paused_remaining": None,
            "received_on": date(2025, 1, 20), "mediation_due_on": None,
            "confirmation_due_on": None, "referrer_department": "hospital-330110-1",
            "referrer_kind": "hospital", "channel": "referral"}
    return SimpleNamespace(**{**base, **attrs})


def take(c, action, on, data=None):
    for key, value in domain.plan_step(c, action, data or {}, on, date(2026, 1, 1), None,
                                       DEADLINES).items():
        setattr(c, key, value)
    return c


def test_a_provisional_note_is_read_in_either_wording_and_rewritten_in_chinese():
    """Rows written before the rule texts were Chinese keep their English note: it still
    marks the date provisional, and a recount replaces it with the Chinese one."""
    old = ("medical mediation: 30 working days from 2026-12-20 (x); provisional: no State "
           "Council notice for 2027 yet")
    new = ("医疗纠纷调解（医调）：自 2026-12-20 起 30 个工作日"
           "；暂定日期：2027 年国务院放假安排尚未公布")
    assert workdays.provisional_rule(old) and workdays.provisional_rule(new)
    assert not workdays.provisional_rule("人民调解：自 2025-03-03 起 1 个月")
    assert workdays.without_provisional_note(old) == (
        "medical mediation: 30 working days from 2026-12-20 (x)")
    extended = "；2027-01-05 经当事人同意延长 15 个工作日"
    assert workdays.without_provisional_note(new + extended) == (
        "医疗纠纷调解（医调）：自 2026-12-20 起 30 个工作日" + extended)
    c = SimpleNamespace(status="mediating", mediation_due_on=date(2027, 2, 1),
                        mediation_due_rule=old, paused_on=None)
    [mediation] = domain.case_deadlines(c)
    assert mediation["provisional"]


def test_medical_period_skips_spring_festival_and_pauses_for_appraisal():
    c = take(medical(), "accept", date(2025, 1, 27))
    # 1 Feb 5-7, 8 (make-up Saturday), then five-day weeks: the 30th is Monday 17 March
    assert c.mediation_due_on == date(2025, 3, 17)
    assert "30 个工作日" in c.mediation_due_rule and "医疗纠纷" in c.mediation_due_rule
    take(c, "assign_mediator", date(2025, 2, 5), {"mediator": "m"})
    take(c, "pause", date(2025, 2, 10), {"reason": "medical appraisal"})
    assert c.status == "paused" and c.mediation_due_on is None
    assert c.paused_remaining == 25  # 5 used: 5, 6, 7, 8 February and the 10th
    assert domain.overdue_deadlines(c, date(2025, 6, 1)) == []  # paused: not overdue
    take(c, "resume", date(2025, 3, 3))
    assert c.status == "mediating" and c.mediation_due_on == date(2025, 4, 8)
    assert "2025-02-10 至 2025-03-03 鉴定期间中止计时" in c.mediation_due_rule
    assert "自 2025-03-03 起尚余 25 个工作日" in c.mediation_due_rule
    people = take(medical(mediation_kind="people"), "accept", date(2025, 1, 27))
    take(people, "assign_mediator", date(2025, 1, 27), {"mediator": "m"})
    with pytest.raises(Conflict):
        take(people, "pause", date(2025, 2, 10), {"reason": "appraisal"})


def test_extensions_by_kind():
    c = take(medical(), "accept", date(2025, 3, 3))
    with pytest.raises(ValidationFailed) as caught:
        take(c, "extend", date(2025, 3, 4), {"reason": "more time"})
    assert "parties_consent" in caught.value.fields
    due = c.mediation_due_on
    take(c, "extend", date(2025, 3, 4), {"reason": "more", "parties_consent": True})
    assert c.mediation_due_on == CALENDAR.add_working_days(due, 15)
    take(c, "extend", date(2025, 3, 5), {"reason": "again", "parties_consent": True})
    assert c.extensions == 2  # medical and litigation: as often as the parties agree
    lit = take(medical(mediation_kind="litigation"), "accept", date(2025, 3, 3))
    for _ in range(3):
        take(lit, "extend", date(2025, 3, 4), {"reason": "r", "parties_consent": True})
    assert lit.extensions == 3 and lit.mediation_due_rule.count("经当事人同意延长 30 日") == 3


def test_traffic_police_application_window_after_the_document():
    rules = DEADLINES.traffic_police
    finding = date(2025, 5, 6)

    def window(document, received_on, kind="liability_finding"):
        return domain.check_application_window(
            rules, "traffic", document and {"kind": kind, "received_on": document},
            received_on, DEADLINES)

    assert window(finding, finding + timedelta(days=10)) is None
    with pytest.raises(ValidationFailed) as caught:
        window(finding, finding + timedelta(days=11), "review_conclusion")
    assert "2025-05-16" in caught.value.message and "第八十六条" in caught.value.message
    with pytest.raises(ValidationFailed):
        window(None, finding)
    with pytest.raises(ValidationFailed):
        window(finding, finding, "termination_document")  # not a police document
    with pytest.raises(ValidationFailed):
        window(finding + timedelta(days=1), finding)
    # people's mediation, of traffic disputes too, has no window
    assert domain.check_application_window(DEADLINES.rules("traffic"), "traffic", None,
                                           finding, DEADLINES) is None


def test_every_kind_has_rules_in_config():
    from fazhi_common.contracts.events.mediation import MEDIATION_KINDS
    assert set(CONFIG["DEADLINE_RULES"]["kinds"]) == set(MEDIATION_KINDS)
