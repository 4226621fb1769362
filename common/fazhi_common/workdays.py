"""China's working-day calendar: statutory holidays, the State Council's notices and the
operator's overrides, right for any year.

Three sources, in order of precedence:

1. the operator's override file (``WORKING_CALENDAR_FILE``, see
   services/mediation/working_calendar.example.yml): a year's days off and make-up working
   weekends (调休) copied from a notice the packages do not carry yet. A year whose entry
   names its ``notice`` counts as published; an entry without one only corrects days;
2. the published notices, from ``chinesecalendar`` (its tables of every notice since 2004);
3. for a year no notice covers, the statutory holidays of 全国年节及纪念日放假办法 (2024
   revision, art. 2): 元旦, 春节 (除夕 to 初三), 清明, 劳动节 (1-2 May), 端午, 中秋 and 国庆
   (1-3 Oct). They are fixed by law, so they are never working days; only the bridging days
   and make-up weekends wait for the notice, and a result in such a year is *provisional*.
   The lunar and solar-term dates come from the ``holidays`` package's China calendar
   (observed days off: those are its guesses at a notice, not law).

Why both packages: over 2004-2026 their days off agree but for one make-up Saturday
(2005-12-31); ``chinesecalendar`` says plainly which years it holds (a notice's tables),
while ``holidays`` computes the lunar dates for any year but guesses substitute days for
years without a notice, which no law supports. So notices come from the first and only the
statutory days of an unpublished year from the second.
"""
import hashlib
import json
import re
from datetime import date, timedelta
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import holidays as holiday_tables
import yaml
from chinese_calendar import constants as published

LAW = "全国年节及纪念日放假办法（2024年修订）第二条"
# the holidays package's English names of the art. 2 days (it also knows none other for
# China, but a future release might add an observance that is not a day off)
STATUTORY_NAMES = ("New Year's Day", "Chinese New Year's Eve", "Chinese New Year",
                   "Tomb-Sweeping Day", "Labor Day", "Dragon Boat Festival",
                   "Mid-Autumn Festival", "National Day")
NOTICE_YEARS = frozenset(d.year for d in published.holidays)
# how a stored rule text says its date is provisional (``WorkingCalendar.provisional_note``);
# rows written before the rule texts were Chinese say it the second way, kept as written
PROVISIONAL_NOTE = "；暂定日期："
PROVISIONAL_MARKS = (PROVISIONAL_NOTE, "; provisional: ")
PROVISIONAL_PATTERN = re.compile(r"；暂定日期：[^；]*|; provisional: [^;]*")


def provisional_rule(text):
    """True when a stored rule text says its date is provisional (either wording)."""
    return any(mark in (text or "") for mark in PROVISIONAL_MARKS)


def without_provisional_note(text):
    """A stored rule text without its provisional note (to be written afresh)."""
    return PROVISIONAL_PATTERN.sub("", text or "")


def packaged_notices(through=None):
    """``(years, holidays, workdays)`` of the notices ``chinesecalendar`` carries, those of
    years after ``through`` left out: the calendar as it stood before a later notice came
    (what a deadline counted then was counted on)."""
    def kept(days):
        return frozenset(d for d in days if through is None or d.year <= through)
    return (frozenset(y for y in NOTICE_YEARS if through is None or y <= through),
            kept(published.holidays), kept(published.workdays))


@lru_cache(maxsize=64)
def statutory_holidays(year):
    """The days art. 2 makes holidays in ``year`` (from 2025: 除夕 and 1-2 May included)."""
    table = holiday_tables.China(years=year, observed=False, language="en_US")
    return frozenset(day for day, name in table.items()
                     if any(name.startswith(n) for n in STATUTORY_NAMES))


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
    """``{year: {"notice": ..., "holidays": [...], "workdays": [...]}}`` ->
    (years with a notice, holidays, workdays)."""
    years, holidays, workdays = set(), set(), set()
    for year, entry in (document or {}).items():
        year = int(year)
        entry = entry or {}
        unknown = set(entry) - {"notice", "holidays", "workdays"}
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
        # no notice can make a statutory holiday a working day
        fixed = {d for d in workdays if d.year == year} & statutory_holidays(year)
        if fixed:
            raise ValueError(f"year {year}: {sorted(map(str, fixed))} is a statutory "
                             f"holiday ({LAW}) and cannot be a working day")
        if entry.get("notice"):
            years.add(year)
    return years, holidays, workdays


class WorkingCalendar:
    """Which days are working days in mainland China, and arithmetic on them."""

    def __init__(self, overrides=None, source=None, notices=None):
        """``notices``: ``packaged_notices()`` unless given (``packaged_notices(2026)``: as
        if no later notice were published)."""
        years, holidays, workdays = parse_overrides(overrides)
        notice_years, notice_holidays, notice_workdays = notices or packaged_notices()
        self.notice_years = notice_years
        self.holidays = (set(notice_holidays) | holidays) - workdays
        self.workdays = (set(notice_workdays) | workdays) - holidays
        self.published_years = frozenset(notice_years | years)
        self.source = source
        # what a change of either package or of the overrides changes: the deadlines
        # counted on this calendar are recomputed when it differs from the stored one
        self.fingerprint = hashlib.sha256(json.dumps({
            "chinesecalendar": version("chinesecalendar"),
            "holidays": version("holidays"),
            "notice_years": sorted(notice_years),
            "overrides": [sorted(map(str, years)), sorted(map(str, holidays)),
                          sorted(map(str, workdays))]}, sort_keys=True).encode()).hexdigest()

    @classmethod
    def from_file(cls, path=None):
        """The packaged calendar, extended by the YAML override file at ``path`` (if any)."""
        if not path:
            return cls()
        with open(Path(path), encoding="utf-8") as fh:
            return cls(yaml.safe_load(fh), source=str(path))

    def provisional(self, year):
        """True when no notice for ``year`` is known: statutory holidays only."""
        return year not in self.published_years

    def provisional_reason(self, years):
        """Why a date reaching into ``years`` is provisional, as a person reads it (no
        ``；`` inside: it ends at the next one in a rule text, see ``PROVISIONAL_NOTE``)."""
        return (f"{'、'.join(map(str, years))} 年国务院放假安排尚未公布，按{LAW}规定的法定"
                "节假日推算，调休和补班待通知公布后确定")

    def provisional_note(self, years):
        """What a rule text adds when its date is provisional: ``；暂定日期：<why>``."""
        return f"{PROVISIONAL_NOTE}{self.provisional_reason(years)}"

    def missing_notice(self, today, within=60):
        """The next year, when it begins within ``within`` days and has no notice."""
        nxt = today.year + 1
        if (date(nxt, 1, 1) - today).days <= within and self.provisional(nxt):
            return nxt
        return None

    def is_working_day(self, day):
        if day in self.workdays:
            return True
        if day.weekday() >= 5 or day in self.holidays:
            return False
        # the law's days are off in every year the package's notices do not cover, one an
        # override names included (a notice never makes them working days)
        return not (day.year not in self.notice_years
                    and day in statutory_holidays(day.year))

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
