"""Scoring, the bottom of evaluation's operations: the current result and what feeds it.

A community named in a call is read or written here; the scheme that scores it is
chosen here; the facts the other services announced become figures here; and
``refresh`` stores the current result and announces it when the score or the pass
decision changed. Every module above ends a change that can move a score by calling
``refresh``.
"""
from datetime import date

from sqlalchemy import func, or_, select

from evaluation import domain, measures
from evaluation.models import (
    AdviserFact,
    CommunityFact,
    DisclosureFact,
    ElectionFact,
    Evidence,
    Finding,
    Inspection,
    MediationFact,
    Result,
    Scheme,
    SurveyAnswer,
    Veto,
)
from fazhi_common.clock import utcnow
from fazhi_common.errors import Conflict, NotFound, field_error
from fazhi_common.events import area_of
from fazhi_common.outbox import record_event


def community_to_read(session, code, scope):
    """A community the caller may see; 404 otherwise (codes of other areas do not leak)."""
    community = session.get(CommunityFact, code)
    if community is None or not scope.covers(code):
        raise NotFound(f"No community {code} is known to evaluation.")
    return community


def community_to_write(session, code, scope, field="community_code"):
    """A community named in a write: outside the area 403, unknown 422."""
    scope.require_area(code, field=field)
    community = session.get(CommunityFact, code)
    if community is None:
        raise field_error(field, f"No community {code} is known to evaluation (the registry "
                                 "has not announced it).")
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


def _latest_evidence(session, code, period):
    rows = session.scalars(select(Evidence).where(
        Evidence.community_code == code, Evidence.period == period).order_by(Evidence.id))
    return {e.indicator_code: {
        "value": e.value, "note": e.note,
        "source": f"self-assessment #{e.id} by {e.submitted_by} on "
                  f"{e.submitted_at.date().isoformat()}"
                  + (f" (evidence: {', '.join(e.attachments)})" if e.attachments else "")}
        for e in rows}


def _latest_findings(session, code, period):
    q = (select(Finding, Inspection).join(Inspection)
         .where(Inspection.community_code == code, Inspection.period == period)
         .order_by(Inspection.held_on, Inspection.id, Finding.id))
    return {f.indicator_code: {
        "value": f.value, "note": f.note,
        "source": f"{i.kind.replace('_', ' ')} inspection #{i.id} by {i.inspector} on "
                  f"{i.held_on.isoformat()}"}
        for f, i in session.execute(q)}


def derived_facts(session, code, period, today, definition=None):
    """The facts the registry's and mediation's events told us, for a period: per
    derived indicator of ``definition`` (what it counts is named on it), else per fact."""
    day = domain.reference_day(period, today)
    indicators = [ind for _path, ind in domain.indicators_of(definition)
                  if ind["kind"] == "derived"] if definition else [
        {"code": fact, "fact": fact} for fact in domain.FACT_MEASURES]
    return {ind["code"]: _MEASURES[ind["fact"]](session, code, period, day, ind)
            for ind in indicators}


def _adviser(session, code, period, day, indicator):
    adviser = session.scalars(select(AdviserFact).where(
        AdviserFact.community_code == code, AdviserFact.assigned_on <= day,
        or_(AdviserFact.removed_on.is_(None), AdviserFact.removed_on > day))
        .order_by(AdviserFact.assigned_on.desc())).first()
    if adviser:
        return {"value": 1.0, "source": f"registry: legal adviser {adviser.adviser_name} "
                                        f"(assignment {adviser.assignment_id}) since "
                                        f"{adviser.assigned_on.isoformat()}"}
    return {"value": 0.0, "source": f"registry: no legal adviser on {day.isoformat()}"}


def _election(session, code, period, day, indicator):
    # an election counts for the term it opens, and only of the body kinds named
    kinds = indicator.get("body_kinds")
    q = select(ElectionFact).where(
        ElectionFact.community_code == code, ElectionFact.result == "elected",
        ElectionFact.held_on <= day, ElectionFact.held_on > domain.term_began_after(day))
    if kinds:
        q = q.where(ElectionFact.body_kind.in_(kinds))
    election = session.scalars(q.order_by(ElectionFact.held_on.desc())).first()
    named = f" of {', '.join(kinds)}" if kinds else ""
    if election:
        return {"value": 1.0, "source": f"registry: {election.body_kind} elected on "
                                        f"{election.held_on.isoformat()} (election "
                                        f"{election.election_id})"}
    return {"value": 0.0, "source": f"registry: no election{named} held by law in the "
                                    "last term"}


def _disclosures(session, code, period, day, indicator):
    rows = session.execute(select(DisclosureFact.kind, DisclosureFact.period,
                                  DisclosureFact.on_time).where(
        DisclosureFact.community_code == code,
        DisclosureFact.period.startswith(period))).all()
    value, applicable, source = measures.disclosures(
        indicator.get("schedule"), int(period), day,
        indicator.get("grace_days", measures.DEFAULT_GRACE_DAYS), [tuple(r) for r in rows])
    return {"value": value, "applicable": applicable, "source": source}


def _mediation(session, code, period, day, indicator):
    cases = session.execute(select(MediationFact.mediation_kind, MediationFact.outcome).where(
        MediationFact.community_code == code,
        MediationFact.outcome.in_(("agreement", "failure")),
        MediationFact.closed_on.between(date(int(period), 1, 1),
                                        date(int(period), 12, 31)))).all()
    value, applicable, source = measures.mediation([tuple(c) for c in cases],
                                                   indicator.get("channels"), period)
    return {"value": value, "applicable": applicable, "source": source}


_MEASURES = {"has_legal_adviser": _adviser, "election_held": _election,
             "disclosures_on_time": _disclosures, "mediation_success_rate": _mediation}


def survey_counts(session, code, period):
    """Answers counted (a flagged burst is kept but not counted) and answers flagged."""
    counted = SurveyAnswer.flagged.is_(False)
    sample, satisfied, flagged = session.execute(
        select(func.count().filter(counted),
               func.count().filter(counted, SurveyAnswer.satisfied.is_(True)),
               func.count().filter(SurveyAnswer.flagged.is_(True)))
        .where(SurveyAnswer.community_code == code, SurveyAnswer.period == period)).one()
    return {"sample": sample, "satisfied": satisfied, "flagged": flagged}


def vetoes_of(session, code, period):
    """The confirmed vetoes of a period: a proposed one fails nothing until decided."""
    return session.scalars(select(Veto).where(Veto.community_code == code,
                                              Veto.period == period,
                                              Veto.status == "confirmed")
                           .order_by(Veto.id)).all()


def refresh(session, code, period, today):
    """Recompute and store a community's result for a period; announce a change.

    Returns the result, or None while the community or a scheme for it is unknown.
    """
    # One refresh of a community at a time: a concurrent one waits here and then reads
    # what this one committed, so the stored result never misses a fact (on SQLite the
    # database's write lock already serialises writers).
    community = session.get(CommunityFact, code, with_for_update=True)
    if community is None or community.status != "active":
        return session.get(Result, (code, period))
    scheme = scheme_for(session, community, period, today)
    if scheme is None:
        return None
    definition = scheme.definition
    vetoes = vetoes_of(session, code, period)
    inputs = {"evidence": _latest_evidence(session, code, period),
              "findings": _latest_findings(session, code, period),
              "facts": derived_facts(session, code, period, today, definition),
              "satisfaction": survey_counts(session, code, period),
              "parameters": definition["parameters"],
              "vetoes": [{"id": v.id, "veto_item": v.veto_item, "reason": v.reason,
                          "origin": v.origin} for v in vetoes]}
    stage = domain.stage_of(community.reorganised_on, period)
    outcome = domain.evaluate(definition, inputs, stage)
    outcome["vetoes"] = inputs["vetoes"]
    result = session.get(Result, (code, period))
    previous = {"score": result.score, "passed": result.passed} if result else None
    if result is None:
        result = Result(community_code=code, period=period)
        session.add(result)
    result.scheme_id = scheme.id
    result.scheme = scheme
    for key in ("stage", "score", "max_score", "pass_threshold", "passed", "vetoed"):
        setattr(result, key, outcome[key])
    result.breakdown = {k: outcome[k] for k in ("categories", "indicators", "vetoes",
                                                "normalisation")}
    result.computed_at = utcnow()
    session.flush()
    if domain.score_changed(previous, outcome):
        record_event(session, "evaluation_score_changed", {
            **area_of(community.code), "period": period, "scheme_id": scheme.id,
            "score": outcome["score"],
            "previous_score": previous["score"] if previous else None,
            "passed": outcome["passed"]})
    return result


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
    return {**result_view(result, community), **result.breakdown}
