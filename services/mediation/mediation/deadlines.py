"""Mediation's time limits as data: each deadline is a ``Period`` with the rule that
makes it, read from config.yml (``DEADLINE_RULES``) and counted on China's working-day
calendar (fazhi_common.workdays). Plain functions: no nameko, Flask or database.

Units: ``working_days`` count only working days (holidays out, make-up working weekends
in); ``days`` and ``months`` are calendar periods whose last day, when it is a rest day,
moves to the next working day (民法典 第二百零三条).
"""
import calendar as _months
from dataclasses import dataclass, field
from datetime import date, timedelta

from fazhi_common import workdays
from fazhi_common.workdays import WorkingCalendar

UNITS = ("days", "working_days", "months")
# the unit after a number, as a person reads it ("30 个工作日")
UNIT_WORDS = {"days": "日", "working_days": "个工作日", "months": "个月"}


def add_months(start, months):
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    return date(year, month, min(start.day, _months.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Period:
    """A length of time from a starting event, and the rule (law or policy) behind it."""

    length: int
    unit: str = "days"
    basis: str = ""
    # the law and article (or 平台规定, platform policy) shown beside every deadline it makes
    citation: str = ""

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"unit {self.unit!r} is not one of {UNITS}")
        if self.length < 0:
            raise ValueError("a period's length must not be negative")

    def due(self, start, calendar, length=None):
        """The last day of the period that starts the day after ``start``."""
        length = self.length if length is None else length
        if self.unit == "working_days":
            return calendar.add_working_days(start, length)
        end = (add_months(start, length) if self.unit == "months"
               else start + timedelta(days=length))
        return calendar.next_working_day(end)

    def remaining(self, on, due, calendar):
        """What is left of a running period on ``on`` (for a pause), in its own unit."""
        if self.unit == "working_days":
            return calendar.working_days_between(on, due)
        return max((due - on).days, 0)

    def resumed(self, on, remaining, calendar):
        """The due date once a paused period runs again from ``on``."""
        if self.unit == "working_days":
            return calendar.add_working_days(on, remaining)
        return calendar.next_working_day(on + timedelta(days=remaining))

    def describe(self, start, length=None):
        """``自 2025-03-03 起 30 个工作日（<basis>）``."""
        length = self.length if length is None else length
        text = f"自 {start} 起 {length} {UNIT_WORDS[self.unit]}"
        return f"{text}（{self.basis}）" if self.basis else text


@dataclass(frozen=True)
class KindRules:
    """The time limits of one mediation kind."""

    period: Period
    # time for an expert appraisal does not count (medical disputes)
    pausable: bool = False
    # one extension's default length; None: the period cannot be extended
    extension: Period | None = None
    # how many extensions a case may have; None: as many as the parties agree to
    max_extensions: int | None = 1
    extension_needs_consent: bool = False
    # a window for applying after an earlier document (traffic police: the liability
    # finding, accident certificate or review conclusion)
    application_window: Period | None = None
    # the documents that open the window, and the events that start the period (the
    # period runs from acceptance when there are none)
    documents: tuple = ()
    start_events: tuple = ()
    # past the period the mediation is deemed not settled (医疗纠纷: 视为调解不成)
    deemed_failure: bool = False
    # what the parties are told when the mediation fails
    on_failure: str = ""


def _period(raw, where):
    if raw is None:
        return None
    try:
        return Period(int(raw["length"]), raw.get("unit", "days"), raw.get("basis", ""),
                      raw.get("citation", ""))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"DEADLINE_RULES {where}: {exc}") from None


def _kind_rules(kind, raw):
    return KindRules(
        period=_period(raw["period"], f"{kind}.period"),
        pausable=bool(raw.get("pausable", False)),
        extension=_period(raw.get("extension"), f"{kind}.extension"),
        max_extensions=(None if raw.get("max_extensions", 1) is None
                        else int(raw.get("max_extensions", 1))),
        extension_needs_consent=bool(raw.get("extension_needs_consent", False)),
        application_window=_period(raw.get("application_window"),
                                   f"{kind}.application_window"),
        documents=tuple(raw.get("documents") or ()),
        start_events=tuple(raw.get("start_events") or ()),
        deemed_failure=bool(raw.get("deemed_failure", False)),
        on_failure=raw.get("on_failure", ""))


@dataclass(frozen=True)
class Deadlines:
    """Every time limit the mediation service keeps, and the calendar it counts on."""

    kinds: dict = field(default_factory=dict)
    default: KindRules = KindRules(Period(1, "months", "人民调解法：调解一般在一个月内调结"))
    acceptance: Period = Period(5, "working_days")
    confirmation: Period = Period(30, "days")
    # the court's decision on judicial confirmation, and its extension with approval
    court_decision: Period = Period(15, "days")
    court_extension: Period = Period(10, "days")
    # a hard refusal resting on a provisional date: late by up to this, the step is
    # accepted and flagged for an officer's decision instead
    provisional_margin: Period = Period(7, "days")
    # traffic disputes mediated by the traffic police (the ``traffic`` kind is the
    # people's mediation committee for traffic disputes)
    traffic_police: KindRules | None = None
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)

    def rules(self, kind):
        return self.kinds.get(kind, self.default)

    def rules_for(self, case):
        """The rules of a case: its kind's, or the traffic police's for police mediation."""
        if getattr(case, "traffic_procedure", None) == "police_mediation" \
                and self.traffic_police is not None:
            return self.traffic_police
        return self.rules(case.mediation_kind)

    @classmethod
    def from_config(cls, rules, calendar):
        """From the ``DEADLINE_RULES`` mapping of config.yml."""
        kinds = {kind: _kind_rules(kind, raw) for kind, raw in (rules.get("kinds") or {}).items()}
        default = (_kind_rules("default", rules["default"]) if rules.get("default")
                   else cls.default)
        return cls(kinds=kinds, default=default,
                   acceptance=_period(rules["acceptance"], "acceptance"),
                   confirmation=_period(rules["confirmation"], "confirmation"),
                   court_decision=_period(rules["court_decision"], "court_decision"),
                   court_extension=_period(rules["court_extension"], "court_extension"),
                   provisional_margin=_period(rules["provisional_margin"],
                                              "provisional_margin"),
                   traffic_police=(_kind_rules("traffic_police", rules["traffic_police"])
                                   if rules.get("traffic_police") else None),
                   calendar=calendar)

    def due(self, period, start, length=None):
        """``(due date, rule text)``: the rule names any year whose calendar is unknown."""
        due_on = period.due(start, self.calendar, length)
        return due_on, period.describe(start, length) + self.provisional_note(start, due_on)

    def provisional_note(self, start, due_on):
        """``；暂定日期：<why>`` when a year from ``start`` to ``due_on`` has no notice."""
        unknown = self.calendar.provisional_between(start, due_on)
        return self.calendar.provisional_note(unknown) if unknown else ""

    def fold(self, segments):
        """The due date of a deadline kept as segments (see domain.recompute_deadlines):
        each ``{"from": date, "length", "unit"}`` or ``{"chain": true, ...}`` counting on
        from the previous segment's due date (an extension)."""
        due_on = None
        for seg in segments:
            start = due_on if seg.get("chain") else date.fromisoformat(seg["from"])
            due_on = Period(int(seg["length"]), seg["unit"]).due(start, self.calendar)
        return due_on

    def late(self, start, closes_on, on):
        """None when ``on`` is within the period ending ``closes_on``; the note of an
        accepted-but-flagged step when it is late by no more than the margin and the date
        is provisional; LateStep otherwise (the caller refuses)."""
        if on <= closes_on:
            return None
        unknown = self.calendar.provisional_between(start, closes_on)
        if unknown and on <= self.provisional_margin.due(closes_on, self.calendar):
            return (f"晚于期限 {closes_on} {(on - closes_on).days} 日，但该期限为暂定日期"
                    f"（{self.calendar.provisional_reason(unknown)}），先予接收，待人工审定")
        raise LateStep(closes_on)


# a rule text whose date is provisional (either wording: rows written before the texts
# were Chinese keep theirs)
provisional_rule = workdays.provisional_rule
without_provisional_note = workdays.without_provisional_note


class LateStep(Exception):
    """A step after its period closed, on a date no notice could move."""

    def __init__(self, closes_on):
        super().__init__(closes_on)
        self.closes_on = closes_on
