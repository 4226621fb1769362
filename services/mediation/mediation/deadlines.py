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

from fazhi_common.workdays import WorkingCalendar

UNITS = ("days", "working_days", "months")
UNIT_WORDS = {"days": "days", "working_days": "working days", "months": "month(s)"}


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
        length = self.length if length is None else length
        text = f"{length} {UNIT_WORDS[self.unit]} from {start}"
        return f"{text} ({self.basis})" if self.basis else text


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
    # a window for applying after an earlier finding (traffic: the liability finding)
    application_window: Period | None = None


def _period(raw, where):
    if raw is None:
        return None
    try:
        return Period(int(raw["length"]), raw.get("unit", "days"), raw.get("basis", ""))
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
                                   f"{kind}.application_window"))


@dataclass(frozen=True)
class Deadlines:
    """Every time limit the mediation service keeps, and the calendar it counts on."""

    kinds: dict = field(default_factory=dict)
    default: KindRules = KindRules(Period(1, "months", "人民调解法: settled within a month"))
    acceptance: Period = Period(5, "working_days")
    confirmation: Period = Period(30, "days")
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)

    def rules(self, kind):
        return self.kinds.get(kind, self.default)

    @classmethod
    def from_config(cls, rules, calendar):
        """From the ``DEADLINE_RULES`` mapping of config.yml."""
        kinds = {kind: _kind_rules(kind, raw) for kind, raw in (rules.get("kinds") or {}).items()}
        default = (_kind_rules("default", rules["default"]) if rules.get("default")
                   else cls.default)
        return cls(kinds=kinds, default=default,
                   acceptance=_period(rules["acceptance"], "acceptance"),
                   confirmation=_period(rules["confirmation"], "confirmation"),
                   calendar=calendar)

    def due(self, period, start, length=None):
        """``(due date, rule text)``: the rule names any year whose calendar is unknown."""
        due_on = period.due(start, self.calendar, length)
        rule = period.describe(start, length)
        unknown = self.calendar.provisional_between(start, due_on)
        if unknown:
            rule += (f"; provisional: holidays of {', '.join(map(str, unknown))} not yet "
                     "in the working calendar")
        return due_on, rule
