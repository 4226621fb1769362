"""The statistics read from the yearly and monthly sums equal a direct count of the cases,
on a small random dataset, before and after the cases change (ORM updates, a bulk
UPDATE, a delete)."""
import random
from datetime import date, timedelta
from statistics import median

import pytest
from sqlalchemy import create_engine, func, select, update
from sqlalchemy.orm import Session

from fazhi_common.contracts.roles import (
    JUSTICE_OFFICER,
    LINKED_DEPARTMENT_OFFICER,
    SYSTEM,
    Identity,
)
from mediation import statistics as stats
from mediation.models import CaseSums, MediationCase, Organisation

KINDS = ("people", "medical", "traffic")
COUNTIES = ("330110000000", "330122000000", "440300000000")
# two towns per county, a community in each: (town, community)
PLACES = {
    "330110000000": (("330110001000", "330110001001"), ("330110002000", "330110002201")),
    "330122000000": (("330122001000", "330122001001"), ("330122002000", "330122002201")),
    "440300000000": (("440300001000", "440300001001"), ("440300002000", "440300002201")),
}
START = date(2024, 11, 20)
PERIODS = [
    (date(2024, 1, 1), date(2026, 12, 31)),   # everything, whole years
    (date(2024, 12, 1), date(2025, 3, 31)),   # whole months across a year's end
    (date(2024, 11, 1), date(2026, 1, 31)),   # a whole year with months either side
    (date(2025, 1, 1), date(2025, 3, 31)),    # one quarter
    (date(2024, 12, 5), date(2025, 2, 17)),   # ragged both ends
    (date(2025, 1, 9), date(2025, 1, 23)),    # inside one month
    (date(2025, 2, 1), date(2025, 2, 14)),    # a month's first half
]
SCOPES = [
    SYSTEM,
    Identity(subject="j", role=JUSTICE_OFFICER, department="justice-330110",
             area="330110000000"),
    Identity(subject="c", role=JUSTICE_OFFICER, department="justice-3301", area="330100000000"),
    Identity(subject="t", role=JUSTICE_OFFICER, department="justice-330110001",
             area="330110001000"),
    Identity(subject="p", role=LINKED_DEPARTMENT_OFFICER, department="court-1"),
]


@pytest.fixture
def session(database_url):
    url = database_url("mediation")
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))
    with Session(engine) as session:
        yield session
    engine.dispose()


def _case(rng, organisation, n):
    county = organisation.county_code
    town, community = rng.choice(PLACES[county])
    received = START + timedelta(days=rng.randrange(150))
    case = MediationCase(
        organisation_id=organisation.id, mediation_kind=organisation.kind, channel="referral",
        referrer_kind="court", referrer_department=rng.choice(("court-1", "court-2")),
        referrer_reference=f"R{n}", dispute_category="damages", description="test",
        county_code=county, town_code=town, community_code=community, status="received",
        received_on=received, extended=False, overdue=False)
    _advance(rng, case)
    return case


def _advance(rng, case):
    """Move a case along at random: accepted, declined, concluded, confirmed, overdue."""
    roll = rng.random()
    if roll < 0.15:
        case.status, case.result = "declined", "declined"
        return
    if roll < 0.3:
        return
    case.accepted_on = case.received_on + timedelta(days=1)
    case.status = "mediating"
    case.overdue = rng.random() < 0.2
    if roll < 0.45:
        return
    days = rng.randrange(1, 60)
    case.concluded_on, case.duration_days = case.received_on + timedelta(days=days), days
    case.result = "agreement" if rng.random() < 0.7 else "failure"
    case.status = "closed"
    if case.result == "agreement" and rng.random() < 0.5:
        case.confirmation_court = "basic court"
        case.confirmed = rng.choice((None, True, False))


def _assert_same(session):
    session.flush()
    for date_from, date_to in PERIODS:
        query = {"date_from": date_from, "date_to": date_to}
        for scope in SCOPES:
            for extra in ({}, {"mediation_kind": "medical"}, {"county_code": COUNTIES[0]}):
                q = {**query, **extra}
                expected = stats.statistics(session, q, scope, source=stats.counted_from_cases)
                assert stats.statistics(session, q, scope) == expected, (q, scope)
    # the medians against Python's, over every case of a ragged period
    date_from, date_to = PERIODS[2]
    result = stats.statistics(session, {"date_from": date_from, "date_to": date_to}, SYSTEM)
    durations = {}
    for case in session.scalars(select(MediationCase).where(
            MediationCase.received_on.between(date_from, date_to),
            MediationCase.duration_days.is_not(None))):
        durations.setdefault((case.mediation_kind, case.county_code), []).append(
            case.duration_days)
    assert {(r["mediation_kind"], r["county_code"]): r["median_duration_days"]
            for r in result["rows"] if r["median_duration_days"] is not None} == {
        group: float(median(days)) for group, days in durations.items()}
    every = [d for days in durations.values() for d in days]
    assert result["total"]["median_duration_days"] == (float(median(every)) if every
                                                       else None)
    # and the sums row by row, not only what the queries read of them
    m = CaseSums
    kept = {tuple(row[:5]): tuple(row[5:]) for row in session.execute(
        select(m.span, m.period_start, m.mediation_kind, m.county_code, m.duration_days,
               *(getattr(m, f) for f in stats.FIGURES)).where(m.volume > 0))}
    counted = {}
    for case in session.scalars(select(MediationCase)):
        figures = (1, case.accepted_on is not None, case.result == "declined",
                   case.result == "agreement", case.result == "failure", case.overdue is True,
                   case.result == "agreement" and case.confirmation_court is None,
                   case.confirmation_court is not None and case.confirmed is None,
                   case.confirmed is True, case.confirmed is False)
        duration = stats.NOT_CONCLUDED if case.duration_days is None else case.duration_days
        for span, start in (("month", case.received_on.replace(day=1)),
                            ("year", case.received_on.replace(month=1, day=1))):
            key = (span, start, case.mediation_kind, case.county_code, duration)
            counted[key] = tuple(a + int(b) for a, b in zip(counted.get(key, (0,) * 10),
                                                            figures, strict=True))
    assert kept == counted
    return counted


def test_sums_equal_a_direct_count_before_and_after_changes(session):
    rng = random.Random(13)
    organisations = [Organisation(name=f"{k} {c}", kind=k, county_code=c, department="j",
                                  supervising_department="j")
                     for k in KINDS for c in COUNTIES]
    session.add_all(organisations)
    session.flush()
    cases = [_case(rng, rng.choice(organisations), n) for n in range(400)]
    session.add_all(cases)
    session.commit()
    before = _assert_same(session)
    assert sum(f[0] for k, f in before.items() if k[0] == "year") == 400
    assert stats.statistics(session, {"date_from": PERIODS[0][0], "date_to": PERIODS[0][1]},
                            SYSTEM)["total"]["volume"] == 400

    # the lifecycle moves on: concluded, confirmed, reopened, received on another day
    for case in rng.sample(cases, 120):
        if case.result is None:
            _advance(rng, case)
        elif case.result == "agreement" and case.confirmation_court and rng.random() < 0.5:
            case.confirmed = not case.confirmed
        elif rng.random() < 0.3:
            case.result, case.concluded_on, case.duration_days, case.confirmed = (
                None, None, None, None)
            case.confirmation_court = None
        else:
            case.received_on += timedelta(days=rng.randrange(-40, 40))
    session.commit()
    _assert_same(session)

    # a bulk UPDATE bypassing the ORM (as an overdue sweep or an operator might) and a
    # delete are followed too
    session.execute(update(MediationCase).where(MediationCase.accepted_on.is_not(None),
                                                MediationCase.result.is_(None))
                    .values(overdue=True))
    session.delete(cases[0])
    session.commit()
    after = _assert_same(session)
    assert sum(f[0] for k, f in after.items() if k[0] == "month") == 399
    assert session.scalar(select(func.count()).select_from(MediationCase)) == 399


def test_a_rolled_back_change_leaves_the_sums_as_they_were(session):
    organisation = Organisation(name="p", kind="people", county_code=COUNTIES[0],
                                department="j", supervising_department="j")
    session.add(organisation)
    session.flush()
    case = _case(random.Random(1), organisation, 1)
    session.add(case)
    session.commit()
    before = _assert_same(session)
    case.received_on = date(2025, 6, 1)
    case.result, case.duration_days = "failure", 9
    session.flush()
    session.rollback()
    assert _assert_same(session) == before


@pytest.mark.parametrize("date_from, date_to, months", [
    (date(2025, 1, 1), date(2025, 12, 31), (date(2025, 1, 1), date(2025, 12, 31))),
    (date(2025, 1, 2), date(2025, 3, 30), (date(2025, 2, 1), date(2025, 2, 28))),
    (date(2024, 2, 29), date(2024, 3, 31), (date(2024, 3, 1), date(2024, 3, 31))),
    (date(2025, 1, 31), date(2025, 2, 27), None),
    (date(2025, 3, 1), date(2025, 2, 28), None),
])
def test_whole_months_of_a_period(date_from, date_to, months):
    assert stats.whole_months(date_from, date_to) == months


@pytest.mark.parametrize("first, last, years", [
    (date(2024, 1, 1), date(2025, 12, 31), (2024, 2025)),
    (date(2024, 2, 1), date(2025, 12, 31), (2025, 2025)),
    (date(2024, 2, 1), date(2025, 11, 30), None),
    (date(2024, 1, 1), date(2024, 11, 30), None),
])
def test_whole_years_of_whole_months(first, last, years):
    assert stats.whole_years(first, last) == years
