"""Legal aid's time limits as data (config.yml ``LEGAL_AID_RULES``), counted on China's
working-day calendar (fazhi_common.workdays). Plain functions: no nameko or database.

A ``days`` period whose last day is a rest day ends on the next working day (民法典
第二百零三条); ``working_days`` count working days only.
"""
from dataclasses import dataclass, field
from datetime import timedelta

from fazhi_common.workdays import WorkingCalendar, provisional_rule

# each unit as a person reads it after a number ("7 日")
UNITS = {"days": "日", "working_days": "个工作日"}
NAMES = ("decision", "materials", "assignment", "objection_review")


@dataclass(frozen=True)
class Period:
    """A length of time from a starting event, and the rule (law or policy) behind it."""

    length: int
    unit: str = "days"
    basis: str = ""

    def __post_init__(self):
        if self.unit not in UNITS or self.length < 0:
            raise ValueError(f"a legal-aid period is a length >= 0 in {sorted(UNITS)}")

    def due(self, start, calendar, length=None):
        length = self.length if length is None else length
        if self.unit == "working_days":
            return calendar.add_working_days(start, length)
        return calendar.next_working_day(start + timedelta(days=length))

    def describe(self, start, length=None):
        """``自 2026-03-02 起 7 日（<basis>）``."""
        text = f"自 {start} 起 {self.length if length is None else length} {UNITS[self.unit]}"
        return f"{text}（{self.basis}）" if self.basis else text


@dataclass(frozen=True)
class LegalAidRules:
    """Every legal-aid time limit and the calendar it is counted on."""

    periods: dict = field(default_factory=dict)
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    # a hard outcome resting on a provisional date (a year without a notice): late by up
    # to this, the step is accepted and noted for an officer instead (platform policy)
    provisional_margin: Period = Period(7, "days")

    def __getitem__(self, name):
        return self.periods[name]

    @classmethod
    def from_config(cls, raw, calendar):
        periods = {}
        for name in NAMES:
            item = (raw or {}).get(name)
            if item is None:
                raise ValueError(f"LEGAL_AID_RULES.{name} is missing")
            periods[name] = Period(int(item["length"]), item.get("unit", "days"),
                                   item.get("basis", ""))
        margin = (raw or {}).get("provisional_margin")
        if margin is None:
            return cls(periods, calendar)
        return cls(periods, calendar, Period(int(margin["length"]), margin.get("unit", "days"),
                                             margin.get("basis", "")))

    def due(self, period, start, length=None):
        """``(due date, rule text)``: the rule names any year whose calendar is unknown."""
        due_on = period.due(start, self.calendar, length)
        rule = period.describe(start, length)
        unknown = self.calendar.provisional_between(start, due_on)
        if unknown:
            rule += self.calendar.provisional_note(unknown)
        return due_on, rule

    def within_provisional_margin(self, due_on, rule, on):
        """True when ``on`` is after ``due_on`` but within the margin and ``rule`` says the
        date is provisional: no refusal may rest on such a date alone."""
        return (due_on < on and provisional_rule(rule)
                and on <= self.provisional_margin.due(due_on, self.calendar))
