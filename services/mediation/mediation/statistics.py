"""Mediation statistics: volume, acceptance and success rates, median duration, overdue
and judicial confirmation, by kind and county over a period.

Whole years and months, at county level or wider, are read from
``mediation_case_sums``: sums the database's triggers keep per year and per month of
receipt, kind, county and duration in the transaction that changes a case. The days of
a period that do not fill a month, and
callers who see less than a county (a town's office, a linked department's own
referrals), are counted from the cases themselves. Both give the same rows: the sums per
duration are a histogram, from which the exact median (as percentile_cont(0.5) defines
it) is read here. Over 1,000,000 cases the direct count took about 230 ms on
PostgreSQL; two years from the sums read about 14,000 rows (bench/mediation_stats.py).
"""
from collections import Counter, defaultdict
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select

from fazhi_common.division import COUNTY, PREFECTURE, PROVINCE, Division
from fazhi_common.identity import LINKED_DEPARTMENT_OFFICER
from mediation import domain
from mediation.models import CaseSums, MediationCase

# the figures, in domain.statistics_row's order; CaseSums has a column for each
FIGURES = ("volume", "accepted", "declined", "agreements", "failures", "overdue",
           "confirmation_not_applied", "confirmation_pending", "confirmation_confirmed",
           "confirmation_refused")
NOT_CONCLUDED = -1  # CaseSums.duration_days of cases without a duration


def _case_figures(c):
    """What the cases add to each figure, as SQL aggregates (the triggers' twins)."""
    return (func.count(), func.count(c.accepted_on),
            func.count().filter(c.result == "declined"),
            func.count().filter(c.result == "agreement"),
            func.count().filter(c.result == "failure"),
            func.count().filter(c.overdue.is_(True)),
            # judicial confirmation is the parties' choice: not applied is no failing
            func.count().filter(c.result == "agreement", c.confirmation_court.is_(None)),
            func.count().filter(c.confirmation_court.is_not(None), c.confirmed.is_(None)),
            func.count().filter(c.confirmed.is_(True)),
            func.count().filter(c.confirmed.is_(False)))


def whole_months(date_from, date_to):
    """(first day of the first whole month, last day of the last whole month) inside the
    period, or None when no whole month fits."""
    first = date_from if date_from.day == 1 else (
        date_from.replace(day=28) + timedelta(days=4)).replace(day=1)
    after = (date_to + timedelta(days=1))
    last = (after.replace(day=1) if after.day != 1 else after) - timedelta(days=1)
    return (first, last) if first <= last else None


def _sums_readable(scope):
    """True when the caller's view is made of whole counties (the sums' finest area)."""
    if scope.role == LINKED_DEPARTMENT_OFFICER:
        return False  # only its own referrals: the sums do not know the referrer
    return not scope.area or Division(scope.area).level in (PROVINCE, PREFECTURE, COUNTY)


def _from_cases(session, query, scope, date_from, date_to):
    c = MediationCase
    q = select(c.mediation_kind, c.county_code, c.duration_days, *_case_figures(c)).where(
        c.received_on.between(date_from, date_to))
    if scope.role == LINKED_DEPARTMENT_OFFICER:
        q = q.where(c.referrer_department == (scope.department or ""))
    elif scope.area:
        q = q.where(c.community_code.startswith(scope.prefix))
    if query.get("mediation_kind"):
        q = q.where(c.mediation_kind == query["mediation_kind"])
    if query.get("county_code"):
        q = q.where(c.county_code == query["county_code"])
    return session.execute(q.group_by(c.mediation_kind, c.county_code, c.duration_days))


def whole_years(first, last):
    """(first year, last year) wholly inside whole months ``first``..``last``, or None."""
    start = first.year if first.month == 1 else first.year + 1
    end = last.year if last.month == 12 else last.year - 1
    return (start, end) if start <= end else None


def _spans(first, last):
    """(span, first period start, last period start) covering whole months exactly."""
    years = whole_years(first, last)
    if years is None:
        return [("month", first, last)]
    spans = [("year", date(years[0], 1, 1), date(years[1], 1, 1))]
    if first < date(years[0], 1, 1):
        spans.append(("month", first, date(years[0] - 1, 12, 1)))
    if last > date(years[1], 12, 31):
        spans.append(("month", date(years[1] + 1, 1, 1), last))
    return spans


def _from_sums(session, query, scope, first, last):
    m = CaseSums
    periods = [and_(m.span == span, m.period_start.between(start, end))
               for span, start, end in _spans(first, last)]
    q = select(m.mediation_kind, m.county_code, m.duration_days,
               *(func.sum(getattr(m, name)) for name in FIGURES)).where(
        or_(*periods), m.volume > 0)
    if scope.area:
        q = q.where(m.county_code.startswith(scope.prefix))
    if query.get("mediation_kind"):
        q = q.where(m.mediation_kind == query["mediation_kind"])
    if query.get("county_code"):
        q = q.where(m.county_code == query["county_code"])
    for kind, county, days, *figures in session.execute(
            q.group_by(m.mediation_kind, m.county_code, m.duration_days)):
        yield kind, county, (None if days == NOT_CONCLUDED else days), *figures


def _parts(session, query, scope):
    """Rows (kind, county, duration, *figures) that together count the period once."""
    date_from, date_to = query["date_from"], query["date_to"]
    months = whole_months(date_from, date_to) if _sums_readable(scope) else None
    if months is None:
        yield from _from_cases(session, query, scope, date_from, date_to)
        return
    first, last = months
    if date_from < first:
        yield from _from_cases(session, query, scope, date_from, first - timedelta(days=1))
    yield from _from_sums(session, query, scope, first, last)
    if last < date_to:
        yield from _from_cases(session, query, scope, last + timedelta(days=1), date_to)


def statistics(session, query, scope, source=_parts):
    """The statistics of ``query``'s period for ``scope``; ``source`` yields the counts
    (the monthly sums where they can answer; tests compare with a direct count)."""
    groups = defaultdict(lambda: ([0] * len(FIGURES), Counter()))
    for kind, county, days, *figures in source(session, query, scope):
        for key in ((kind, county), None):  # None: the grand total
            sums, durations = groups[key]
            sums[:] = [a + int(b) for a, b in zip(sums, figures, strict=True)]
            if days is not None:
                durations[days] += int(figures[0])
    total_sums, total_durations = groups.pop(None, ([0] * len(FIGURES), Counter()))
    rows = [domain.statistics_row(kind, county, sums, domain.median_of_counts(durations))
            for (kind, county), (sums, durations) in sorted(groups.items())]
    return {"date_from": query["date_from"], "date_to": query["date_to"], "rows": rows,
            "total": domain.statistics_row(None, None, total_sums,
                                           domain.median_of_counts(total_durations))}


def counted_from_cases(session, query, scope):
    """Every row counted from the cases themselves: ``statistics(..., source=this)``."""
    return _from_cases(session, query, scope, query["date_from"], query["date_to"])
