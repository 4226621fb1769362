"""A recompute of many communities at once stores exactly what refreshing each one alone
stores, and announces the same changes.

A province's recompute reads each input kind once for a batch of communities; an event
refreshes one community. Both score with the same rules, so on a varied set of
communities (every input kind, several schemes, past and running periods, vetoes
proposed and confirmed, communities no longer active) the results must be identical.
"""
import random
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import sessionmaker

from evaluation import domain
from evaluation import operations as ops
from evaluation.dependencies import install_default_schemes
from evaluation.models import (
    AdviserFact,
    CommunityFact,
    DisclosureFact,
    ElectionFact,
    Evidence,
    Finding,
    Inspection,
    MediationFact,
    RecordFact,
    Result,
    Scheme,
    SurveyAnswer,
    Veto,
)
from evaluation.operations import schemes, scoring
from evaluation.operations.scoring import refresh_many
from fazhi_common.contracts.roles import SYSTEM
from fazhi_common.db import make_engine
from fazhi_common.jobs import PARTS, Job
from fazhi_common.outbox import OutboxEvent

TODAY = date.today()
NOW = datetime.now(timezone.utc)
PERIODS = (str(TODAY.year - 1), str(TODAY.year))
KINDS = ("village", "urban_community", "rural_community")


@pytest.fixture
def sessions(database_url):
    engine = make_engine(database_url("evaluation"))
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


def _communities(rng, n=48):
    county = "330110000000"
    out = []
    for i in range(n):
        town = f"330110{1 + i % 3:03d}000"
        out.append(CommunityFact(
            code=f"{town[:9]}{200 + i:03d}", town_code=town, county_code=county,
            name=f"社区{i}", kind=KINDS[i % 3], status="active" if i % 11 else "merged",
            economic_tier="developed" if i % 5 == 0 else None,
            reorganised_on=date(TODAY.year - rng.randint(0, 3), 3, 1) if i % 4 == 0 else None))
    return out


# record kind, its subkind, whether it stands until ended (else counts in its year), how many
RECORDS = (("bodies", "party_organisation", True, 1), ("conventions", None, True, 1),
           ("grids", None, True, 1), ("culture_venues", None, True, 1),
           ("education_places", "legal_school", True, 1),
           ("education_places", "publicity_board", True, 1),
           ("funding_lines", None, False, 1), ("meetings", "representatives", False, 4),
           ("major_matters", None, False, 1), ("legal_reviews", None, False, 2),
           ("outreach_activities", None, False, 6))


def _fill(session, rng):
    """Communities with a bit of everything a score reads, in both periods."""
    install_default_schemes(session)
    village = session.scalars(select(Scheme).where(Scheme.key == "default-village")).one()
    # a tier's own scheme for developed villages: another threshold and fewer channels
    richer = {**village.definition, "key": "developed-village", "economic_tier": "developed",
              "pass_thresholds": {k: v + 5 for k, v in
                                  village.definition["pass_thresholds"].items()}}
    session.add(Scheme(key="developed-village", version=1, name="developed", status="active",
                       community_class="village", economic_tier="developed",
                       definition=richer))
    communities = _communities(rng)
    session.add_all(communities)
    session.flush()
    indicators = [ind for _p, ind in domain.indicators_of(village.definition)]
    ids = iter(range(1, 10_000))
    for community in communities:
        code = community.code
        diligent = rng.random() < 0.6  # assesses everything, and well
        for period in PERIODS:
            year = int(period)
            for ind in indicators:
                if ind["kind"] in ("yes_no", "count", "ratio") and (
                        diligent or rng.random() < 0.6):
                    for _ in range(rng.randint(1, 2)):  # a later self-assessment wins
                        value = {"yes_no": float(diligent or rng.randint(0, 1)),
                                 "count": float(rng.randint(4 if diligent else 0, 5)),
                                 "ratio": round(rng.uniform(0.9 if diligent else 0, 1),
                                                2)}[ind["kind"]]
                        session.add(Evidence(
                            community_code=code, period=period, indicator_code=ind["code"],
                            value=value, note=rng.choice([None, "说明"]),
                            attachments=rng.choice([[], ["a.pdf", "b.jpg"]]),
                            submitted_by=rng.choice(["town", "community"]),
                            submitted_at=NOW - timedelta(days=rng.randint(0, 30))))
            for held in range(rng.randint(0, 2)):
                inspection = Inspection(community_code=code, period=period,
                                        kind=rng.choice(["spot_check", "special"]),
                                        held_on=date(year, 1 + held * 3, rng.randint(1, 28)),
                                        inspector="检查组")
                inspection.findings = [
                    Finding(indicator_code=ind["code"], value=float(
                        rng.randint(0, ind["max_points"]) if ind["kind"] == "inspection"
                        else rng.randint(0, 1) if ind["kind"] != "count" else 3),
                            note=rng.choice([None, "现场"]))
                    for ind in rng.sample(indicators, 4) if ind["kind"] in domain.INSPECTABLE]
                session.add(inspection)
            for n in range(rng.choice([0, 3, 40])):
                session.add(SurveyAnswer(community_code=code, period=period,
                                         respondent_key=f"{code}-{period}-{n}",
                                         satisfied=rng.random() < (0.95 if diligent else 0.6),
                                         flagged=rng.random() < 0.1))
            if rng.random() < 0.25:
                session.add(Veto(community_code=code, period=period, veto_item="crime",
                                 reason="案件", origin="manual", recorded_by="county",
                                 status=rng.choice(["confirmed", "proposed"])))
            for kind in ("party", "financial"):
                for month in range(1, rng.randint(1, 12)):
                    session.add(DisclosureFact(
                        disclosure_id=next(ids), community_code=code, kind=kind,
                        period=f"{period}-{month:02d}" if kind == "financial"
                        else f"{period}-Q{1 + month % 4}",
                        disclosed_on=date(year, month, 5), on_time=rng.random() < 0.7))
            for _ in range(rng.randint(0, 4)):
                session.add(MediationFact(
                    case_id=next(ids), community_code=code,
                    mediation_kind=rng.choice(["people", "court", None]),
                    outcome=rng.choice(["agreement", "failure", "withdrawn"]),
                    closed_on=date(year, rng.randint(1, 12), rng.randint(1, 28))))
        # the registry's records (record_kept): a diligent community keeps them all
        for kind, subkind, standing, many in RECORDS:
            if not (diligent or rng.random() < 0.5):
                continue
            for period in PERIODS[:1] if standing else PERIODS:
                for _ in range(many):
                    session.add(RecordFact(
                        record_kind=kind, record_id=next(ids), community_code=code,
                        town_code=community.town_code, county_code=community.county_code,
                        subkind=subkind, dated_on=date(int(period), 3, 1), ended_on=None,
                        standing=standing, counts=diligent or rng.random() < 0.5,
                        label=f"{kind} {subkind or ''}"))
        for n in range(rng.randint(0, 2)):
            assigned = date(TODAY.year - rng.randint(0, 2), rng.randint(1, 12), 1)
            session.add(AdviserFact(
                assignment_id=next(ids), community_code=code, adviser_name=f"律师{n}",
                assigned_on=assigned,
                removed_on=rng.choice([None, assigned + timedelta(days=200)])))
        for _ in range(rng.randint(0, 2)):
            session.add(ElectionFact(
                election_id=next(ids), community_code=code,
                body_kind=rng.choice(["residents_committee", "villagers_committee",
                                      "supervision_committee"]),
                held_on=date(TODAY.year - rng.randint(0, 6), rng.randint(1, 12), 1),
                result=rng.choice(["elected", "elected", "failed"])))
    session.commit()
    return [c.code for c in communities]


def _stored(session):
    results = {(r.community_code, r.period): (
        r.scheme_id, r.stage, r.score, r.max_score, r.pass_threshold, r.passed, r.vetoed,
        r.breakdown) for r in session.scalars(select(Result))}
    events = sorted(tuple(sorted((k, str(v)) for k, v in e.envelope["data"].items()))
                    for e in session.scalars(select(OutboxEvent)))
    return results, events


def _both_ways(sessions, codes, monkeypatch):
    """From the same committed state: each community refreshed alone, then all at once
    (what the second way stored is kept)."""
    with sessions() as session:
        for period in PERIODS:
            for code in codes:
                ops.refresh(session, code, period, TODAY)
        alone = _stored(session)
        session.rollback()
    with monkeypatch.context() as patch:
        patch.setattr(scoring, "REFRESH_CHUNK", 7)  # several chunks, unevenly cut
        with sessions() as session:
            for period in PERIODS:
                assert ops.refresh_many(session, list(reversed(codes)), period, TODAY) > 0
            together = _stored(session)
            session.execute(delete(OutboxEvent))
            session.commit()
    return alone, together


def test_a_batch_recompute_stores_what_refreshing_each_community_stores(sessions,
                                                                       monkeypatch):
    with sessions() as session:
        codes = _fill(session, random.Random(5))
    (alone, alone_events), together = _both_ways(sessions, codes, monkeypatch)
    assert together == (alone, alone_events)
    # the data is as varied as meant: every outcome a score can have is there
    assert len(alone) == 2 * sum(1 for i in range(48) if i % 11)
    assert {r[5] for r in alone.values()} == {True, False}
    assert {r[6] for r in alone.values()} == {True, False}
    assert len({r[0] for r in alone.values()}) == 4  # three classes, one tier of its own
    assert len(alone_events) == len(alone)  # every first result announced

    # again over stored results, after new evidence and a new version of a scheme: only
    # changed scores are announced, and a past period keeps the scheme it was scored with
    with sessions() as session:
        old = session.scalars(select(Scheme).where(Scheme.key == "default-village")).one()
        old.status = "superseded"
        session.add(Scheme(key="default-village", version=2, name="v2", status="active",
                           community_class="village", economic_tier=None,
                           definition={**old.definition, "pass_thresholds": {
                               k: v - 10 for k, v in old.definition["pass_thresholds"].items()}},
                           supersedes_id=old.id))
        for code in codes[::3]:
            session.add(Evidence(community_code=code, period=PERIODS[1],
                                 indicator_code="election_procedure", value=1.0,
                                 submitted_by="town", submitted_at=NOW))
        session.commit()
        v1 = old.id
    (alone, alone_events), together = _both_ways(sessions, codes, monkeypatch)
    assert together == (alone, alone_events)
    assert 0 < len(alone_events) < len(alone)
    assert v1 in {r[0] for (_c, period), r in alone.items() if period == PERIODS[0]}
    assert v1 not in {r[0] for (_c, period), r in alone.items() if period == PERIODS[1]}


def test_a_community_no_longer_active_keeps_its_result(sessions):
    with sessions() as session:
        codes = _fill(session, random.Random(9))
        merged = codes[11]
        session.get(CommunityFact, merged).status = "active"
        ops.refresh_many(session, [merged], PERIODS[1], TODAY)
        kept = session.get(Result, (merged, PERIODS[1])).breakdown
        session.get(CommunityFact, merged).status = "merged"
        session.add(Evidence(community_code=merged, period=PERIODS[1],
                             indicator_code="election_procedure", value=1.0,
                             submitted_by="town", submitted_at=NOW))
        active = sum(1 for i in range(48) if i % 11)
        assert ops.refresh_many(session, codes + ["330110009999"], PERIODS[1],
                                TODAY) == active
        session.commit()
    with sessions() as session:
        assert session.get(Result, (merged, PERIODS[1])).breakdown == kept
        assert session.get(Result, ("330110009999", PERIODS[1])) is None


@pytest.mark.parametrize("part_size", [None, 3], ids=["one job", "in parts"])
def test_a_revision_job_moves_every_pinned_result_once(sessions, monkeypatch, part_size):
    with sessions() as session:
        codes = _fill(session, random.Random(11))
        for period in PERIODS:
            ops.refresh_many(session, codes, period, TODAY)
        session.commit()
        old = session.scalars(select(Scheme).where(Scheme.key == "default-village")).one()
        pinned = set(session.scalars(select(Result.community_code).where(
            Result.scheme_id == old.id, Result.period == PERIODS[1])))
        kept = set(session.scalars(select(Result.community_code).where(
            Result.scheme_id == old.id, Result.period == PERIODS[0])))
        newer, versioned = ops.edit_scheme(session, old.id, {
            **old.definition, "pass_thresholds": {
                k: v - 10 for k, v in old.definition["pass_thresholds"].items()}},
            SYSTEM, TODAY)
        assert versioned
        whole = ops.start_recompute(session, old, SYSTEM, TODAY, part_size)
        job_ids = whole.state.get(PARTS, [whole.id])
        session.commit()
        revised_at = datetime.now(timezone.utc)
    recomputed = []

    def counted(session, chunk, period, today):
        recomputed.extend(chunk)
        return refresh_many(session, chunk, period, today)
    monkeypatch.setattr(schemes, "refresh_many", counted)
    monkeypatch.setattr(schemes, "RECOMPUTE_CHUNK", 2)
    running, ended = list(job_ids), []
    while running:  # a step a transaction, as job runners run them: the parts in turn
        for job_id in list(running):
            with sessions() as session:
                job = session.get(Job, job_id)
                if ops.recompute_pinned_step(session, job, TODAY, batch=5):
                    running.remove(job_id)
                    ended.append(job)
                session.commit()
    assert len(pinned) > 5 and sorted(recomputed) == sorted(pinned)  # each once
    if part_size:
        assert len(job_ids) == -(-len(pinned) // part_size) > 1
    assert all(job.done == job.total == job.result["recomputed"] for job in ended)
    assert sum(job.done for job in ended) == len(pinned)
    with sessions() as session:
        now = {r.community_code: r for r in session.scalars(select(Result).where(
            Result.community_code.in_(pinned | kept)))}
        moved = {c for c, r in now.items()
                 if r.period == PERIODS[1] and r.scheme_id == newer.id}
        assert moved == pinned
        assert all(r.computed_at >= revised_at for r in now.values()
                   if r.period == PERIODS[1])
        # the past period stays with the version it was scored with
        assert {c for c, r in session.execute(select(Result.community_code, Result.scheme_id)
                                              .where(Result.period == PERIODS[0]))
                if r == old.id} == kept
    # what the job stored is what refreshing each community alone stores, to the bit
    with sessions() as session:
        by_job = _stored(session)[0]
        for code in pinned:
            ops.refresh(session, code, PERIODS[1], TODAY)
        assert _stored(session)[0] == by_job
        session.rollback()
