"""China's working-day calendar: statutory holidays and make-up working weekends (调休).

The years the State Council has published come from the ``chinesecalendar`` package
(its tables of every notice since 2004; the pinned release carries up to 2026). When the
next year's notice appears (usually in November), an operator extends the calendar with
an override file before the package catches up::

    # State Council notice on the 2027 holidays
    2027:
      holidays: ["2027-01-01", "2027-02-06..2027-02-12"]   # days off (ranges inclusive)
      workdays: ["2027-02-14"]                              # make-up working weekends

An override wins over the package for the days it names. A year neither knows is not
guessed: it counts Monday to Friday and is reported as provisional, so a deadline that
reaches into it can say so.
"""
from datetime import date, timedelta
from pathlib import Path

import yaml
from chinese_calendar import constants as published


def _days(entry):
    """Dates of one override entry: a date or an inclusive ``first..last`` range."""
    text = str(entry)
    first, _sep, last = text.partition("..")
    start = date.fromisoformat(first.strip())
    end = date.fromisoformat(last.strip()) if last else start
    if end < start:
        raise ValueError(f"range {text!r} ends before it starts")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def parse_overrides(document):
    """``{year: {"holidays": [...], "workdays": [...]}}`` -> (years, holidays, workdays)."""
    years, holidays, workdays = set(), set(), set()
    for year, entry in (document or {}).items():
        year = int(year)
        entry = entry or {}
        unknown = set(entry) - {"holidays", "workdays"}
        if unknown:
            raise ValueError(f"year {year}: unknown keys {sorted(unknown)}")
        for key, into in (("holidays", holidays), ("workdays", workdays)):
            for item in entry.get(key) or []:
                for day in _days(item):
                    if day.year != year:
                        raise ValueError(f"{day} is listed under year {year}")
                    into.add(day)
        if holidays & workdays:
            raise ValueError(f"year {year}: a day is both a holiday and a workday: "
                             f"{sorted(holidays & workdays)}")
        years.add(year)
    return years, holidays, workdays


class WorkingCalendar:
    """Which days are working days in mainland China, and arithmetic on them."""

    def __init__(self, overrides=None):
        years, holidays, workdays = parse_overrides(overrides)
        self.holidays = (set(published.holidays) | holidays) - workdays
        self.workdays = (set(published.workdays) | workdays) - holidays
        self.published_years = frozenset({d.year for d in published.holidays} | years)

    @classmethod
    def from_file(cls, path=None):
        """The packaged calendar, extended by the YAML override file at ``path`` (if any)."""
        if not path:
            return cls()
        with open(Path(path), encoding="utf-8") as fh:
            return cls(yaml.safe_load(fh))

    def provisional(self, year):
        """True when no notice for ``year`` is known: weekends only, holidays unknown."""
        return year not in self.published_years

    def is_working_day(self, day):
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def next_working_day(self, day):
        """``day`` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start, count):
        """The ``count``-th working day after ``start`` (``start`` itself not counted)."""
        if count < 0:
            raise ValueError("count must not be negative")
        day = start
        while count:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day

    def working_days_between(self, start, end):
        """Working days after ``start`` up to and including ``end`` (0 if end <= start)."""
        days, day = 0, start
        while day < end:
            day += timedelta(days=1)
            days += self.is_working_day(day)
        return days

    def provisional_between(self, start, end):
        """Years between two dates (inclusive) whose calendar is not yet published."""
        return sorted(y for y in range(start.year, end.year + 1) if self.provisional(y))
