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

from sqlalchemy import and_, func, null, or_, select, union_all

from fazhi_common.contracts.roles import LINKED_DEPARTMENT_OFFICER
from fazhi_common.division import COUNTY, PREFECTURE, PROVINCE, Division
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


def cases_where(query, scope, date_from, date_to):
    """The conditions picking the cases received in the period that ``scope`` sees."""
    c = MediationCase
    where = [c.received_on.between(date_from, date_to)]
    if scope.role == LINKED_DEPARTMENT_OFFICER:
        where.append(c.referrer_department == (scope.department or ""))
    elif scope.area:
        where.append(c.community_code.startswith(scope.prefix))
    if query.get("mediation_kind"):
        where.append(c.mediation_kind == query["mediation_kind"])
    if query.get("county_code"):
        where.append(c.county_code == query["county_code"])
    return where


def _from_cases(query, scope, date_from, date_to):
    """(figures by kind and county, cases by kind, county and duration) of the period."""
    c = MediationCase
    where = cases_where(query, scope, date_from, date_to)
    keys = (c.mediation_kind, c.county_code)
    return (select(*keys, *_case_figures(c)).where(*where).group_by(*keys),
            select(*keys, c.duration_days, func.count().label("n"))
            .where(*where, c.duration_days.is_not(None)).group_by(*keys, c.duration_days))


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


def _from_sums(query, scope, first, last):
    """The same two queries as ``_from_cases``, over the sums of whole months ``first``
    to ``last`` (whole years where they fit)."""
    m = CaseSums
    where = [or_(*(and_(m.span == span, m.period_start.between(start, end))
                   for span, start, end in _spans(first, last))), m.volume > 0]
    if scope.area:
        where.append(m.county_code.startswith(scope.prefix))
    if query.get("mediation_kind"):
        where.append(m.mediation_kind == query["mediation_kind"])
    if query.get("county_code"):
        where.append(m.county_code == query["county_code"])
    keys = (m.mediation_kind, m.county_code)
    return (select(*keys, *(func.sum(getattr(m, name)) for name in FIGURES))
            .where(*where).group_by(*keys),
            select(*keys, m.duration_days, func.sum(m.volume).label("n"))
            .where(*where, m.duration_days != NOT_CONCLUDED)
            .group_by(*keys, m.duration_days))


def _parts(query, scope):
    """Pairs of queries (see ``_from_cases``) that together count the period once."""
    date_from, date_to = query["date_from"], query["date_to"]
    months = whole_months(date_from, date_to) if _sums_readable(scope) else None
    if months is None:
        return [_from_cases(query, scope, date_from, date_to)]
    first, last = months
    parts = [_from_sums(query, scope, first, last)]
    if date_from < first:
        parts.append(_from_cases(query, scope, date_from, first - timedelta(days=1)))
    if last < date_to:
        parts.append(_from_cases(query, scope, last + timedelta(days=1), date_to))
    return parts


def counted_from_cases(query, scope):
    """The whole period counted from the cases: ``statistics(..., source=this)``."""
    return [_from_cases(query, scope, query["date_from"], query["date_to"])]


def _medians(parts):
    """One query of the median duration per kind and county, and of the cases per
    duration over them all (for the total's median), from the parts' histograms: rows
    ``(kind, county, low, high)``, then ``(None, None, days, cases)``.

    The median, as percentile_cont(0.5) defines it, is the mean of the durations at the
    middle positions (total - 1) // 2 and total // 2: each is the shortest duration
    whose running count passes its position. The database reads it off the histogram
    with a window, so only a row per group leaves it. The histogram is a CTE read by
    both halves, so it is counted once (two queries counted it twice: a third of the
    time over two years of sums).
    """
    if len(parts) == 1:  # already one row per kind, county and duration
        h = parts[0][1].cte("histogram")
    else:
        histogram = union_all(*(durations for _, durations in parts)).subquery()
        h = (select(histogram.c.mediation_kind, histogram.c.county_code,
                    histogram.c.duration_days, func.sum(histogram.c.n).label("n"))
             .group_by(histogram.c.mediation_kind, histogram.c.county_code,
                       histogram.c.duration_days).cte("histogram"))
    group = (h.c.mediation_kind, h.c.county_code)
    running = select(*group, h.c.duration_days,
                     func.sum(h.c.n).over(partition_by=group,
                                          order_by=h.c.duration_days).label("running"),
                     func.sum(h.c.n).over(partition_by=group).label("total")).subquery()
    r = running.c
    per_group = select(r.mediation_kind, r.county_code,
                       func.min(r.duration_days).filter(r.running > (r.total - 1) // 2),
                       func.min(r.duration_days).filter(r.running > r.total // 2)).group_by(
        r.mediation_kind, r.county_code)
    overall = select(null(), null(), h.c.duration_days, func.sum(h.c.n)).group_by(
        h.c.duration_days)
    return union_all(per_group, overall)


def statistics(session, query, scope, source=_parts):
    """The statistics of ``query``'s period for ``scope``; ``source`` gives the queries
    (the sums where they can answer; tests compare with ``counted_from_cases``).

    The database sums the figures per kind and county and reads the medians off the
    durations' histogram: a few rows per kind and county come back, never one per case
    or per duration.
    """
    parts = source(query, scope)
    sums = defaultdict(lambda: [0] * len(FIGURES))
    for figures_query, _ in parts:
        for kind, county, *figures in session.execute(figures_query):
            group = sums[kind, county]
            group[:] = [a + int(b) for a, b in zip(group, figures, strict=True)]
    medians, total_durations = {}, Counter()
    for kind, county, low, high in session.execute(_medians(parts)):
        if kind is None:  # the cases per duration over every group
            total_durations[low] = int(high)
        else:
            medians[kind, county] = (low + high) / 2
    rows, total_sums = [], [0] * len(FIGURES)
    for (kind, county), figures in sorted(sums.items()):
        if not figures[0]:
            continue
        rows.append(domain.statistics_row(kind, county, figures, medians.get((kind, county))))
        total_sums = [a + b for a, b in zip(total_sums, figures, strict=True)]
    return {"date_from": query["date_from"], "date_to": query["date_to"], "rows": rows,
            "total": domain.statistics_row(None, None, total_sums,
                                           domain.median_of_counts(total_durations))}
