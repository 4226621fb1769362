"""Scoring, the bottom of evaluation's operations: the current result and what feeds it.

A community named in a call is read or written here; the scheme that scores it is
chosen here; the facts the other services announced become figures here; and
``refresh`` stores the current result and announces it when the score or the pass
decision changed. Every module above ends a change that can move a score by calling
``refresh``.
"""
from itertools import chain

from sqlalchemy import select

from evaluation import domain
from evaluation.models import CommunityFact, Result, Scheme
from evaluation.operations import inputs
from fazhi_common.bulk import upsert
from fazhi_common.clock import utcnow
from fazhi_common.contracts.errors import Conflict, NotFound
from fazhi_common.contracts.events import area_of
from fazhi_common.db import among, get_in_area
from fazhi_common.division import COMMUNITY
from fazhi_common.outbox import record_events
from fazhi_common.units import not_announced


def community_to_read(session, code, scope):
    """A community the caller may see; 404 otherwise (codes of other areas do not leak)."""
    return get_in_area(session, CommunityFact, code, "community", scope,
                       code_of=lambda community: community.code)


def community_to_write(session, code, scope, field="community_code"):
    """A community named in a write: outside the area 403, unknown 422."""
    scope.require_area(code, field=field)
    community = session.get(CommunityFact, code)
    if community is None:  # asked of the registry where the entrypoint reads through
        raise not_announced(code, COMMUNITY, field)
    return community


def current_period(today):
    return str(today.year)


def _active_schemes(session):
    return [{"id": s.id, "version": s.version, "status": s.status,
             "community_class": s.community_class, "economic_tier": s.economic_tier, "row": s}
            for s in session.scalars(select(Scheme).where(Scheme.status == "active"))]


def scheme_for(session, community, period, today):
    """The scheme a community is scored with for a period.

    A past period keeps the version it was scored with; the running period follows the
    newest version of its class's scheme.
    """
    result = session.get(Result, (community.code, period))
    if result is not None and period < current_period(today):
        return result.scheme
    chosen = domain.choose_scheme(_active_schemes(session), community.kind,
                                  community.economic_tier)
    return chosen["row"] if chosen else None


def require_scheme(session, community, period, today):
    scheme = scheme_for(session, community, period, today)
    if scheme is None:
        raise Conflict(f"No active scheme for a {community.kind}.",
                       {"community_code": [f"no scheme for class {community.kind}"]})
    return scheme


def derived_facts(session, code, period, today, definition=None):
    """The facts the registry's and mediation's events told us, for a period: per
    derived indicator of ``definition`` (what it counts is named on it), else per fact."""
    indicators = inputs.derived_indicators(definition)
    facts = inputs.DerivedFacts(session, [code], period, today,
                                [ind["fact"] for ind in indicators])
    return facts.of(code, indicators)


def survey_counts(session, code, period):
    """Answers counted (a flagged burst is kept but not counted) and answers flagged."""
    return inputs.survey_counts(session, [code], period)[code]


def vetoes_of(session, code, period):
    """The confirmed vetoes of a period: a proposed one fails nothing until decided."""
    return inputs.vetoes(session, [code], period)[code]


def refresh(session, code, period, today):
    """Recompute and store a community's result for a period; announce a change.

    Returns the result, or None while the community or a scheme for it is unknown.
    """
    refresh_many(session, [code], period, today)
    return session.get(Result, (code, period))


# how many communities one statement reads or writes in a recompute
REFRESH_CHUNK = 500


def _schemes_of(session, communities, period, today, previous):
    """community code -> the scheme it is scored with (as ``scheme_for``), for a batch."""
    active = _active_schemes(session)
    chosen, past = {}, {}
    for community in communities:
        pinned = previous.get(community.code)
        if pinned is not None and period < current_period(today):
            if pinned.scheme_id not in past:
                past[pinned.scheme_id] = session.get(Scheme, pinned.scheme_id)
            yield community, past[pinned.scheme_id]
            continue
        key = (community.kind, community.economic_tier)
        if key not in chosen:
            choice = domain.choose_scheme(active, *key)
            chosen[key] = choice["row"] if choice else None
        yield community, chosen[key]


def refresh_many(session, codes, period, today):
    """Recompute and store the results of communities for a period; announce changes.

    Each input kind is read once for the whole batch (``inputs``), each community is
    scored by ``domain.marker`` as ``refresh`` scores one, and the results are written
    in bulk. Communities unknown, no longer active or without a scheme are left as they
    are. Returns the number of results stored.
    """
    stored = 0
    codes = sorted(set(codes))
    for start in range(0, len(codes), REFRESH_CHUNK):
        stored += _refresh_chunk(session, codes[start:start + REFRESH_CHUNK], period, today)
    return stored


def _refresh_chunk(session, codes, period, today):
    # One refresh of a community at a time: a concurrent one waits here and then reads
    # what this one committed, so the stored result never misses a fact (on SQLite the
    # database's write lock already serialises writers). Locked in code order, so two
    # batches never wait on each other crosswise.
    session.flush()
    communities = session.execute(
        select(CommunityFact.code, CommunityFact.status, CommunityFact.kind,
               CommunityFact.economic_tier, CommunityFact.reorganised_on,
               CommunityFact.town_code, CommunityFact.county_code)
        .where(among(session, CommunityFact.code, codes))
        .order_by(CommunityFact.code).with_for_update()).all()
    codes = [c.code for c in communities if c.status == "active"]
    if not codes:
        return 0
    previous = {r.community_code: r for r in session.execute(
        select(Result.community_code, Result.scheme_id, Result.score, Result.passed)
        .where(among(session, Result.community_code, codes), Result.period == period))}
    scored = [(c, s) for c, s in _schemes_of(session, communities, period, today, previous)
              if c.status == "active" and s is not None]
    if not scored:
        return 0
    codes = [c.code for c, _s in scored]
    # what follows from a scheme alone, worked out once per scheme the chunk uses
    schemes = {id(s): s for _c, s in scored}
    derived = {key: inputs.derived_indicators(s.definition) for key, s in schemes.items()}
    markers = {key: domain.marker(s.definition) for key, s in schemes.items()}
    # inputs are read for the communities that have any; one with none is scored as every
    # other of its scheme and stage without any (a drain of registrations is mostly those)
    fed = inputs.fed(session, codes)
    # records kept for a town or county (a county's culture venue) count for each of its
    # communities: one without inputs of its own shares its score with those of its town
    areas = {c.code: (c.town_code, c.county_code) for c, _s in scored}
    found = inputs.Inputs(session, sorted(fed), period, today, [
        ind["fact"] for ind in chain.from_iterable(derived.values())], areas)
    # (scheme, stage, records above) -> the outcome of a community without inputs
    unfed = {}
    rows, changes, now = [], [], utcnow()
    for community, scheme in scored:
        code, definition = community.code, scheme.definition
        stage = domain.stage_of(community.reorganised_on, period)
        key = (id(scheme), stage, found.facts.above(code)) if code not in fed else None
        outcome = unfed.get(key)
        if outcome is None:
            of = found.of(code, derived[id(scheme)], definition["parameters"])
            outcome = markers[id(scheme)](of, stage)
            outcome["vetoes"] = of["vetoes"]
            if key is not None:
                unfed[key] = outcome
        rows.append({"community_code": code, "period": period, "scheme_id": scheme.id,
                     **{k: outcome[k] for k in ("stage", "score", "max_score",
                                                "pass_threshold", "passed", "vetoed")},
                     "breakdown": domain.stored_breakdown(outcome),
                     "computed_at": now})
        before = previous.get(code)
        before = {"score": before.score, "passed": before.passed} if before else None
        if domain.score_changed(before, outcome):
            changes.append({**area_of(code), "period": period, "scheme_id": scheme.id,
                            "score": outcome["score"],
                            "previous_score": before["score"] if before else None,
                            "passed": outcome["passed"]})
    upsert(session, Result.__table__, rows, ("community_code", "period"))
    # results this session already holds are read again when next used (looked for among
    # what it holds, mostly a few schemes, rather than by each code stored)
    stored = set(codes)
    for (model, key, *_token), held in list(session.identity_map.items()):
        if model is Result and key[1] == period and key[0] in stored:
            session.expire(held)
    record_events(session, "evaluation_score_changed", changes)
    return len(rows)


def refresh_from(session, code, year, today):
    """Refresh every stored period from ``year`` on, and the running one: a fact dated in
    one year (an adviser assigned) still holds in the years after."""
    periods = set(session.scalars(select(Result.period).where(
        Result.community_code == code, Result.period >= str(year))))
    if year <= today.year:
        periods.add(current_period(today))
        periods.add(str(year))
    for period in sorted(periods):
        refresh(session, code, period, today)


def result_view(result, community):
    return {"community_code": result.community_code, "period": result.period,
            "name": community.name if community else None,
            "town_code": community.town_code if community else None,
            "county_code": community.county_code if community else None,
            "scheme_id": result.scheme_id, "scheme_key": result.scheme.key,
            "scheme_version": result.scheme.version, "stage": result.stage,
            "score": result.score, "max_score": result.max_score,
            "pass_threshold": result.pass_threshold, "passed": result.passed,
            "vetoed": result.vetoed, "computed_at": result.computed_at}


def explain(session, code, period, scope):
    community = community_to_read(session, code, scope)
    result = session.get(Result, (code, period))
    if result is None:
        raise NotFound(f"{code} has no result for {period} yet.")
    return {**result_view(result, community), **breakdown_of(result)}


def breakdown_of(result):
    """A stored result's explanation: categories, indicators, vetoes, normalisation."""
    return domain.decode_breakdown(result.scheme.definition, result.breakdown)
