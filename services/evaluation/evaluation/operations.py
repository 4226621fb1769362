"""What evaluation does, on a session: the rules of domain.py applied to the tables.

Each function takes a session inside the caller's transaction and already-validated
input, and writes the outbox events announcing its change in that same transaction.
Anything that can move a score ends by calling ``refresh``, which stores the current
result and announces it when the score or the pass decision changed.
"""
import base64
import io
import secrets
from datetime import date, timedelta

import eventlet
from openpyxl import Workbook
from sqlalchemy import func, or_, select

from evaluation import domain
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
    SpotCheckDraw,
    SurveyAnswer,
    Title,
    TitleChange,
    Veto,
)
from fazhi_common.api.evaluation import AWARDED_TITLES
from fazhi_common.campaign import campaign_stage
from fazhi_common.clock import utcnow
from fazhi_common.db import paginate
from fazhi_common.errors import Conflict, Forbidden, NotFound, ValidationFailed, field_error
from fazhi_common.outbox import record_event


def _in_scope(query, column, scope):
    return query.where(column.startswith(scope.prefix)) if scope.prefix else query


def _area(community):
    return {"county_code": community.county_code, "town_code": community.town_code,
            "community_code": community.code}


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


# -- schemes ------------------------------------------------------------------------------

def _require_wide_area(scope):
    # a scheme serves a whole city or more: a county or town officer may not rewrite it
    if len(scope.prefix) > 4:
        raise Forbidden("Schemes are kept at city level or above.",
                        {"role": ["area too narrow for schemes"]})


def _scheme_in_use(session, scheme_id):
    return session.scalar(select(func.count()).select_from(Result)
                          .where(Result.scheme_id == scheme_id)) > 0


def scheme_view(session, scheme):
    return {**scheme.definition, "id": scheme.id, "key": scheme.key, "version": scheme.version,
            "name": scheme.name, "community_class": scheme.community_class,
            "economic_tier": scheme.economic_tier, "status": scheme.status,
            "in_use": _scheme_in_use(session, scheme.id),
            "total_points": domain.total_points(scheme.definition),
            "supersedes_id": scheme.supersedes_id, "created_at": scheme.created_at}


def _scheme_row(data, version, supersedes_id=None):
    return Scheme(key=data["key"], version=version, name=data["name"],
                  community_class=data["community_class"],
                  economic_tier=data.get("economic_tier"), status="active",
                  definition=data, supersedes_id=supersedes_id)


def create_scheme(session, data, scope):
    _require_wide_area(scope)
    domain.check_scheme(data)
    if session.scalar(select(Scheme.id).where(Scheme.key == data["key"]).limit(1)):
        raise Conflict(f"A scheme {data['key']} exists; edit it to make a new version.",
                       {"key": ["exists"]})
    scheme = _scheme_row(data, 1)
    session.add(scheme)
    session.flush()
    return scheme


def get_scheme(session, scheme_id):
    scheme = session.get(Scheme, scheme_id)
    if scheme is None:
        raise NotFound(f"No scheme {scheme_id}.")
    return scheme


def edit_scheme(session, scheme_id, data, scope, today):
    """Change a scheme: in place while unused, else as its next version.

    The new version takes over the current period's results at once (the score is always
    current); results of past periods stay with the version they were scored with.
    """
    _require_wide_area(scope)
    scheme = get_scheme(session, scheme_id)
    if scheme.status != "active":
        raise Conflict(f"Scheme {scheme_id} was superseded; edit its current version.",
                       {"id": ["superseded"]})
    if data["key"] != scheme.key:
        raise field_error("key", f"The key of a scheme cannot change (it is {scheme.key}).")
    domain.check_scheme(data)
    if not _scheme_in_use(session, scheme.id):
        for attr in ("name", "community_class", "economic_tier"):
            setattr(scheme, attr, data.get(attr))
        scheme.definition = data
        return scheme, False
    newer = _scheme_row(data, scheme.version + 1, supersedes_id=scheme.id)
    scheme.status = "superseded"
    session.add(newer)
    session.flush()
    period = current_period(today)
    pinned = session.scalars(select(Result).where(Result.scheme_id == scheme.id,
                                                  Result.period == period)).all()
    for result in pinned:
        refresh(session, result.community_code, period, today)
        eventlet.sleep(0)  # a city-wide recompute must not starve the broker heartbeat
    return newer, True


def list_schemes(session, query):
    q = select(Scheme).order_by(Scheme.key, Scheme.version)
    for key in ("community_class", "status", "key"):
        if query.get(key):
            q = q.where(getattr(Scheme, key) == query[key])
    return paginate(session, q, query["page"], query["per_page"])


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


def _require_scheme(session, community, period, today):
    scheme = scheme_for(session, community, period, today)
    if scheme is None:
        raise Conflict(f"No active scheme for a {community.kind}.",
                       {"community_code": [f"no scheme for class {community.kind}"]})
    return scheme


# -- inputs and the current result ---------------------------------------------------------

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


def derived_facts(session, code, period, today):
    """The facts the registry's and mediation's events told us, for a period."""
    day = domain.reference_day(period, today)
    facts = {}
    adviser = session.scalars(select(AdviserFact).where(
        AdviserFact.community_code == code, AdviserFact.assigned_on <= day,
        or_(AdviserFact.removed_on.is_(None), AdviserFact.removed_on > day))
        .order_by(AdviserFact.assigned_on.desc())).first()
    facts["has_legal_adviser"] = (
        {"value": 1.0, "source": f"registry: legal adviser {adviser.adviser_name} "
                                 f"(assignment {adviser.assignment_id}) since "
                                 f"{adviser.assigned_on.isoformat()}"}
        if adviser else
        {"value": 0.0, "source": f"registry: no legal adviser on {day.isoformat()}"})
    # an election counts for the term it opens (five years since 2018)
    election = session.scalars(select(ElectionFact).where(
        ElectionFact.community_code == code, ElectionFact.result == "elected",
        ElectionFact.held_on <= day, ElectionFact.held_on > domain.add_years(day, -5))
        .order_by(ElectionFact.held_on.desc())).first()
    facts["election_held"] = (
        {"value": 1.0, "source": f"registry: {election.body_kind} elected on "
                                 f"{election.held_on.isoformat()} (election "
                                 f"{election.election_id})"}
        if election else
        {"value": 0.0, "source": "registry: no election held by law in the last term"})
    disclosures = session.scalars(select(DisclosureFact).where(
        DisclosureFact.community_code == code,
        DisclosureFact.period.startswith(period))).all()
    on_time = sum(d.on_time for d in disclosures)
    facts["disclosures_on_time"] = {
        "value": domain.share(on_time, len(disclosures)),
        "source": f"registry: {on_time} of {len(disclosures)} disclosures for {period} "
                  "on time"}
    cases = session.scalars(select(MediationFact).where(
        MediationFact.community_code == code,
        MediationFact.outcome.in_(("agreement", "failure")),
        MediationFact.closed_on.between(date(int(period), 1, 1),
                                        date(int(period), 12, 31)))).all()
    agreed = sum(c.outcome == "agreement" for c in cases)
    facts["mediation_success_rate"] = {
        "value": domain.share(agreed, len(cases)),
        "source": f"mediation: {agreed} agreements of {len(cases)} cases mediated to an "
                  f"end in {period}"}
    return facts


def _survey_counts(session, code, period):
    sample, satisfied = session.execute(
        select(func.count(), func.count().filter(SurveyAnswer.satisfied.is_(True)))
        .where(SurveyAnswer.community_code == code, SurveyAnswer.period == period)).one()
    return {"sample": sample, "satisfied": satisfied}


def _vetoes(session, code, period):
    return session.scalars(select(Veto).where(Veto.community_code == code,
                                              Veto.period == period).order_by(Veto.id)).all()


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
    vetoes = _vetoes(session, code, period)
    inputs = {"evidence": _latest_evidence(session, code, period),
              "findings": _latest_findings(session, code, period),
              "facts": derived_facts(session, code, period, today),
              "satisfaction": _survey_counts(session, code, period),
              "parameters": definition["parameters"],
              "vetoes": [{"id": v.id, "veto_item": v.veto_item, "reason": v.reason,
                          "origin": v.origin} for v in vetoes]}
    stage = campaign_stage(community.reorganised_on, int(period))
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
    result.breakdown = {k: outcome[k] for k in ("categories", "indicators", "vetoes")}
    result.computed_at = utcnow()
    session.flush()
    if domain.score_changed(previous, outcome):
        record_event(session, "evaluation_score_changed", {
            **_area(community), "period": period, "scheme_id": scheme.id,
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


# -- evidence (self-assessment) --------------------------------------------------------------

def _indicator(scheme, code, field):
    indicator = domain.indicator_map(scheme.definition).get(code)
    if indicator is None:
        raise field_error(field, f"Scheme {scheme.key} v{scheme.version} has no indicator "
                                 f"{code}.")
    return indicator


def submit_evidence(session, data, actor, scope, today):
    community = community_to_write(session, data["community_code"], scope)
    scheme = _require_scheme(session, community, data["period"], today)
    domain.check_figure(_indicator(scheme, data["indicator_code"], "indicator_code"),
                        data["value"])
    evidence = Evidence(**data, submitted_by=actor)
    session.add(evidence)
    session.flush()
    refresh(session, community.code, data["period"], today)
    return evidence


def list_evidence(session, query, scope):
    q = _in_scope(select(Evidence).order_by(Evidence.id), Evidence.community_code, scope)
    for key in ("community_code", "period", "indicator_code"):
        if query.get(key):
            q = q.where(getattr(Evidence, key) == query[key])
    return paginate(session, q, query["page"], query["per_page"])


# -- residents' satisfaction ---------------------------------------------------------------

def answer_survey(session, code, data, secret, today):
    """One answer per resident per community and period, for the running period only."""
    community = session.get(CommunityFact, code)
    if community is None or community.status != "active":
        raise NotFound(f"No community {code} takes survey answers.")
    if data["period"] != current_period(today):
        raise field_error("period", f"Answers are taken for the running period "
                                    f"{current_period(today)} only.")
    key = domain.respondent_key(secret, code, data["period"], data["respondent_id"])
    exists = session.scalar(select(SurveyAnswer.id).where(
        SurveyAnswer.community_code == code, SurveyAnswer.period == data["period"],
        SurveyAnswer.respondent_key == key))
    if exists:
        raise Conflict("This resident has already answered for this community and period.",
                       {"respondent_id": ["already answered"]})
    session.add(SurveyAnswer(community_code=code, period=data["period"], respondent_key=key,
                             satisfied=data["satisfied"], comment=data.get("comment")))
    session.flush()
    refresh(session, code, data["period"], today)
    return {"community_code": code, "period": data["period"], "accepted": True}


def survey_summary(session, code, period, scope, today):
    community = community_to_read(session, code, scope)
    scheme = scheme_for(session, community, period, today)
    counts = _survey_counts(session, code, period)
    summary = domain.survey_summary(counts["sample"], counts["satisfied"],
                                    scheme.definition["parameters"] if scheme else None)
    return {"community_code": code, "period": period, **summary}


# -- spot checks and inspections ----------------------------------------------------------------

def _ancestors(prefix):
    return [prefix[:n] for n in (0, 4, 6, 9, 12) if n <= len(prefix)]


def draw_spot_check(session, data, actor, scope):
    counties = data.get("county_codes")
    for county in counties or []:
        if county[6:] != "000000":
            raise field_error("county_codes", f"{county} is not a county code.")
        scope.require_area(county, field="county_codes")
    q = _in_scope(select(CommunityFact).where(CommunityFact.status == "active"),
                  CommunityFact.code, scope)
    if counties:
        q = q.where(CommunityFact.county_code.in_(counties))
    if data.get("title_holders_only"):
        q = q.where(CommunityFact.code.in_(select(Title.community_code)
                                           .where(Title.status == "held")))
    eligible = {}
    for community in session.scalars(q.order_by(CommunityFact.code)):
        eligible.setdefault(community.county_code, []).append(community.code)
    if not eligible:
        raise field_error("county_codes", "No eligible communities in the area.")
    seed = data.get("seed") or secrets.token_hex(8)
    sample = domain.draw_spot_check(seed, eligible, data.get("per_county"), data.get("share"))
    draw = SpotCheckDraw(period=data["period"], area=scope.prefix, seed=seed,
                         per_county=data.get("per_county"), share=data.get("share"),
                         title_holders_only=data.get("title_holders_only", False),
                         eligible=eligible, sample=sample, drawn_by=actor)
    session.add(draw)
    session.flush()
    return draw


def draw_view(draw):
    return {"id": draw.id, "period": draw.period, "seed": draw.seed,
            "per_county": draw.per_county, "share": draw.share,
            "title_holders_only": draw.title_holders_only, "eligible": draw.eligible,
            "sample": draw.sample, "method": domain.DRAW_METHOD, "drawn_by": draw.drawn_by,
            "drawn_at": draw.drawn_at}


def _draw_visible(draw, scope):
    # a draw is public to the areas it covers and to those above it
    return draw.area.startswith(scope.prefix) or draw.area in _ancestors(scope.prefix)


def get_draw(session, draw_id, scope):
    draw = session.get(SpotCheckDraw, draw_id)
    if draw is None or not _draw_visible(draw, scope):
        raise NotFound(f"No spot-check draw {draw_id}.")
    return draw


def list_draws(session, query, scope):
    q = select(SpotCheckDraw).order_by(SpotCheckDraw.id.desc()).where(or_(
        SpotCheckDraw.area.startswith(scope.prefix),
        SpotCheckDraw.area.in_(_ancestors(scope.prefix))))
    if query.get("period"):
        q = q.where(SpotCheckDraw.period == query["period"])
    return paginate(session, q, query["page"], query["per_page"])


def record_inspection(session, data, actor, scope, today):
    community = community_to_write(session, data["community_code"], scope)
    if data["held_on"] > today:
        raise field_error("held_on", "Record an inspection once it is held.")
    if data["kind"] == "spot_check":
        if not data.get("draw_id"):
            raise field_error("draw_id", "A spot check names the draw that chose it.")
        draw = session.get(SpotCheckDraw, data["draw_id"])
        if draw is None:
            raise field_error("draw_id", f"No spot-check draw {data['draw_id']}.")
        drawn = draw.sample.get(community.county_code, [])
        if draw.period != data["period"] or community.code not in drawn:
            raise field_error("draw_id", f"Draw {draw.id} did not choose {community.code} "
                                         f"for {data['period']}.")
    elif data.get("draw_id"):
        raise field_error("draw_id", "Only a spot check names a draw.")
    scheme = _require_scheme(session, community, data["period"], today)
    errors = {}
    for i, finding in enumerate(data["findings"]):
        try:
            indicator = _indicator(scheme, finding["indicator_code"], "indicator_code")
            domain.check_figure(indicator, finding["value"], by_inspector=True)
        except ValidationFailed as exc:
            for field, problems in exc.fields.items():
                errors[f"findings.{i}.{field}"] = problems
    if errors:
        raise ValidationFailed("Some findings cannot be scored.", errors)
    inspection = Inspection(
        community_code=community.code, period=data["period"], kind=data["kind"],
        draw_id=data.get("draw_id"), held_on=data["held_on"], summary=data.get("summary"),
        inspector=actor, findings=[Finding(**f) for f in data["findings"]])
    session.add(inspection)
    session.flush()
    refresh(session, community.code, data["period"], today)
    return inspection


def get_inspection(session, inspection_id, scope):
    inspection = session.get(Inspection, inspection_id)
    if inspection is None or not scope.covers(inspection.community_code):
        raise NotFound(f"No inspection {inspection_id}.")
    return inspection


def list_inspections(session, query, scope):
    q = _in_scope(select(Inspection).order_by(Inspection.id), Inspection.community_code, scope)
    for key in ("community_code", "period", "kind"):
        if query.get(key):
            q = q.where(getattr(Inspection, key) == query[key])
    return paginate(session, q, query["page"], query["per_page"])


# -- vetoes ----------------------------------------------------------------------------

def _record_veto(session, community, period, item, reason, evidence, origin, actor, today):
    veto = Veto(community_code=community.code, period=period, veto_item=item["code"],
                reason=reason, evidence=evidence, origin=origin, recorded_by=actor)
    session.add(veto)
    session.flush()
    record_event(session, "community_vetoed", {
        **_area(community), "period": period, "veto_id": veto.id, "veto_item": item["code"],
        "reason": reason, "origin": origin})
    for title in _held_titles(session, community.code):
        _end_title(session, title, community, "revoked", today,
                   f"veto ({item['name']}): {reason}", actor)
    refresh(session, community.code, period, today)
    return veto


def record_veto(session, data, actor, scope, today):
    community = community_to_write(session, data["community_code"], scope)
    scheme = _require_scheme(session, community, data["period"], today)
    items = {v["code"]: v for v in scheme.definition.get("veto_items", [])}
    if data["veto_item"] not in items:
        raise field_error("veto_item", f"Scheme {scheme.key} has no veto item "
                                       f"{data['veto_item']}: one of {sorted(items)}.")
    if _veto_exists(session, community.code, data["period"], data["veto_item"]):
        raise Conflict("This veto item is already recorded for the period.",
                       {"veto_item": ["already recorded"]})
    return _record_veto(session, community, data["period"], items[data["veto_item"]],
                        data["reason"], data["evidence"], "manual", actor, today)


def _veto_exists(session, code, period, item):
    return session.scalar(select(Veto.id).where(
        Veto.community_code == code, Veto.period == period, Veto.veto_item == item))


def vetoes_from_event(session, envelope, code, day, today):
    """Veto items an event of another service meets; returns the vetoes recorded."""
    community = session.get(CommunityFact, code)
    if community is None:
        return []
    period = str(day.year)
    scheme = scheme_for(session, community, period, today)
    if scheme is None:
        return []
    items = {v["code"]: v for v in scheme.definition.get("veto_items", [])}
    recorded = []
    for code_met in domain.veto_items_met(scheme.definition, envelope["type"],
                                          envelope["data"]):
        if _veto_exists(session, community.code, period, code_met):
            continue
        reason = f"{items[code_met]['name']} ({envelope['type']} on {day.isoformat()})"
        recorded.append(_record_veto(
            session, community, period, items[code_met], reason,
            [f"{envelope['source']} event {envelope['id']}"], envelope["type"], "system",
            today))
    return recorded


def list_vetoes(session, query, scope):
    q = _in_scope(select(Veto).order_by(Veto.id), Veto.community_code, scope)
    for key in ("community_code", "period"):
        if query.get(key):
            q = q.where(getattr(Veto, key) == query[key])
    return paginate(session, q, query["page"], query["per_page"])


# -- titles ------------------------------------------------------------------------------

def _held_titles(session, code):
    return session.scalars(select(Title).where(Title.community_code == code,
                                               Title.status == "held")).all()


def _title_event(title, community):
    return {**_area(community), "period": title.period, "title_id": title.id,
            "title": title.title, "level": title.level,
            "granting_department": title.granting_department}


def _end_title(session, title, community, status, on, reason, actor):
    title.status, title.ended_on, title.end_reason = status, on, reason
    title.history.append(TitleChange(action=status, on=on, reason=reason, actor=actor))
    record_event(session, "title_revoked", {**_title_event(title, community),
                                            "reason": f"{status}: {reason}"})


def _result_facts(result):
    if result is None:
        return None
    return {"score": result.score, "passed": result.passed, "vetoed": result.vetoed,
            "stage": result.stage, "pass_threshold": result.pass_threshold}


def award_title(session, data, actor, department, scope, config, today):
    community = community_to_write(session, data["community_code"], scope)
    if data["awarded_on"] > today:
        raise field_error("awarded_on", "A title is recorded once awarded.")
    result = session.get(Result, (community.code, data["period"]))
    failure = domain.check_award(_result_facts(result))
    if failure:
        raise Conflict(f"{community.code} did not pass {data['period']}: {failure}.",
                       {"period": [failure]})
    for held in _held_titles(session, community.code):
        if held.title == data["title"] and held.level == data["level"]:
            raise Conflict(f"{community.code} already holds this title at {held.level} level.",
                           {"level": ["already held"]})
    domain.check_granting_level(data["level"], scope.prefix)
    last_revoked = session.scalar(
        select(func.max(Title.ended_on)).where(Title.community_code == community.code,
                                               Title.title == data["title"],
                                               Title.status == "revoked"))
    if last_revoked is not None:
        may_reapply = domain.reapply_date(last_revoked, int(config["REAPPLY_WAIT_YEARS"]))
        if data["awarded_on"] < may_reapply:
            raise Conflict(f"{community.code} lost this title on {last_revoked} and may "
                           f"apply again from {may_reapply}.", {"awarded_on": [
                               f"before {may_reapply}, when a revoked community may re-apply"]})
    title = Title(
        community_code=community.code, title=data["title"], level=data["level"],
        period=data["period"],
        granting_department=data.get("granting_department") or department or data["level"],
        awarded_on=data["awarded_on"],
        valid_until=domain.add_years(data["awarded_on"], int(config["TITLE_VALIDITY_YEARS"])),
        re_evaluation_due_on=domain.add_years(
            data["awarded_on"], int(config["RE_EVALUATION_INTERVAL_YEARS"])),
        status="held",
        history=[TitleChange(action="awarded", on=data["awarded_on"], actor=actor,
                             reason=f"passed {data['period']} with {result.score}")])
    session.add(title)
    session.flush()
    record_event(session, "title_awarded", {**_title_event(title, community),
                                            "valid_until": title.valid_until})
    return title


def get_title(session, title_id, scope):
    title = session.get(Title, title_id)
    if title is None or not scope.covers(title.community_code):
        raise NotFound(f"No title {title_id}.")
    return title


def _held(title):
    if title.status != "held":
        raise Conflict(f"Title {title.id} is {title.status}.", {"status": [title.status]})


def revoke_title(session, title_id, data, actor, scope):
    title = get_title(session, title_id, scope)
    scope.require_area(title.community_code, field="title_id")
    _held(title)
    if data["revoked_on"] < title.awarded_on:
        raise field_error("revoked_on", "A revocation cannot precede the award.")
    _end_title(session, title, session.get(CommunityFact, title.community_code), "revoked",
               data["revoked_on"], data["reason"], actor)
    return title


def re_evaluate_title(session, title_id, data, actor, scope, config):
    """Re-evaluation (复评): keep the title on a passed result, revoke it otherwise."""
    title = get_title(session, title_id, scope)
    scope.require_area(title.community_code, field="title_id")
    _held(title)
    if data["evaluated_on"] < title.awarded_on:
        raise field_error("evaluated_on", "A re-evaluation cannot precede the award.")
    result = session.get(Result, (title.community_code, data["period"]))
    failure = domain.check_award(_result_facts(result))
    community = session.get(CommunityFact, title.community_code)
    if failure:
        _end_title(session, title, community, "revoked", data["evaluated_on"],
                   f"failed re-evaluation for {data['period']}: {failure}", actor)
        return title
    day = data["evaluated_on"]
    title.re_evaluation_due_on = domain.add_years(day, int(config["RE_EVALUATION_INTERVAL_YEARS"]))
    title.valid_until = max(title.valid_until,
                            domain.add_years(day, int(config["TITLE_VALIDITY_YEARS"])))
    title.re_evaluation_notified = False
    title.history.append(TitleChange(action="kept", on=day, actor=actor,
                                     reason=f"passed {data['period']} with {result.score}"))
    return title


def announce_due_re_evaluations(session, today, notice_days):
    """Titles whose re-evaluation falls due within the notice: announce each once."""
    horizon = today + timedelta(days=notice_days)
    due = session.scalars(select(Title).where(
        Title.status == "held", Title.re_evaluation_notified.is_(False),
        Title.re_evaluation_due_on <= horizon).order_by(Title.id)).all()
    for title in due:
        title.re_evaluation_notified = True
        title.history.append(TitleChange(action="re_evaluation_due", on=today, actor="system",
                                         reason=f"due on {title.re_evaluation_due_on}"))
        community = session.get(CommunityFact, title.community_code)
        record_event(session, "re_evaluation_due", {
            **_area(community), "period": title.period, "title_id": title.id,
            "title": title.title, "level": title.level, "due_on": title.re_evaluation_due_on})
    return [t.id for t in due]


def list_titles(session, query, scope):
    q = _in_scope(select(Title).order_by(Title.id), Title.community_code, scope)
    for key in ("community_code", "status", "level"):
        if query.get(key):
            q = q.where(getattr(Title, key) == query[key])
    if query.get("county_code"):
        q = q.where(Title.community_code.startswith(query["county_code"][:6]))
    return paginate(session, q, query["page"], query["per_page"])


def _title_facts(title):
    return {"id": title.id, "status": title.status, "valid_until": title.valid_until,
            "end_reason": title.end_reason}


def prerequisite(session, code, wanted, scope, today):
    community_to_read(session, code, scope)
    titles = session.scalars(select(Title).where(
        Title.community_code == code, Title.title == AWARDED_TITLES[0]).order_by(Title.id))
    vetoed = _vetoes(session, code, current_period(today))
    eligible, reasons, qualifying = domain.prerequisite(
        [_title_facts(t) for t in titles], bool(vetoed), today)
    return {"community_code": code, "title": wanted, "eligible": eligible,
            "reasons": reasons, "qualifying_title_id": qualifying}


# -- rankings, reports, export ------------------------------------------------------------------

def _results_in_area(session, period, scope, county_code=None, town_code=None):
    q = (select(Result, CommunityFact).join(CommunityFact,
                                           CommunityFact.code == Result.community_code)
         .where(Result.period == period))
    q = _in_scope(q, Result.community_code, scope)
    if county_code:
        q = q.where(CommunityFact.county_code == county_code)
    if town_code:
        q = q.where(CommunityFact.town_code == town_code)
    return session.execute(q.order_by(Result.score.desc(), Result.community_code)).all()


def rankings(session, query, scope):
    """Communities by score; a vetoed community ranks below every unvetoed one."""
    rows = _results_in_area(session, query["period"], scope, query.get("county_code"),
                            query.get("town_code"))
    rows.sort(key=lambda rc: (rc[0].vetoed, -rc[0].score, rc[0].community_code))
    items, rank, previous = [], 0, None
    for position, (result, community) in enumerate(rows, start=1):
        key = (result.vetoed, result.score)
        if key != previous:
            rank, previous = position, key
        items.append({"rank": rank, "community_code": result.community_code,
                      "name": community.name, "town_code": community.town_code,
                      "county_code": community.county_code, "score": result.score,
                      "stage": result.stage, "passed": result.passed,
                      "vetoed": result.vetoed})
    start = (query["page"] - 1) * query["per_page"]
    return {"items": items[start:start + query["per_page"]], "page": query["page"],
            "per_page": query["per_page"], "total": len(items)}


def _figures():
    return {"communities": 0, "evaluated": 0, "passed": 0, "vetoed": 0, "titles_held": 0,
            "_scores": []}


def _finish(figures):
    scores = figures.pop("_scores")
    figures["average_score"] = round(sum(scores) / len(scores), 2) if scores else None
    return figures


def report(session, period, county_code, scope):
    q = _in_scope(select(CommunityFact).where(CommunityFact.status == "active"),
                  CommunityFact.code, scope)
    if county_code:
        q = q.where(CommunityFact.county_code == county_code)
    communities = session.scalars(q.order_by(CommunityFact.code)).all()
    results = {r.community_code: r for r in session.scalars(
        select(Result).where(Result.period == period))}
    held = set(session.scalars(select(Title.community_code).where(Title.status == "held")))
    counties = {}
    for c in communities:
        county = counties.setdefault(c.county_code, {"county_code": c.county_code,
                                                     "towns": {}, **_figures()})
        town = county["towns"].setdefault(c.town_code, {"town_code": c.town_code or "",
                                                        **_figures()})
        for figures in (county, town):
            figures["communities"] += 1
            figures["titles_held"] += c.code in held
            result = results.get(c.code)
            if result is not None:
                figures["evaluated"] += 1
                figures["passed"] += result.passed
                figures["vetoed"] += result.vetoed
                figures["_scores"].append(result.score)
    out = []
    for county in counties.values():
        county["towns"] = [_finish(t) for t in county["towns"].values()]
        out.append(_finish(county))
    return {"period": period, "counties": out}


EXPORT_COLUMNS = ["排名 rank", "代码 code", "名称 name", "镇街 town", "县区 county",
                  "阶段 stage", "得分 score", "满分 max", "合格线 threshold", "合格 passed",
                  "否决 vetoed"]


def export_results(session, period, county_code, scope):
    """An Excel workbook: the ranking, and every indicator with where its figure came from."""
    rows = rankings(session, {"period": period, "county_code": county_code,
                              "page": 1, "per_page": 1_000_000}, scope)["items"]
    results = {r.community_code: r for r, _c in _results_in_area(session, period, scope,
                                                                  county_code)}
    book = Workbook()
    sheet = book.active
    sheet.title = f"results {period}"
    sheet.append(EXPORT_COLUMNS)
    details = book.create_sheet("indicators")
    details.append(["代码 code", "类别 category", "指标 indicator", "类型 kind", "得分 points",
                    "满分 max", "数值 value", "来源 source", "说明 note"])
    for row in rows:
        result = results[row["community_code"]]
        sheet.append([row["rank"], row["community_code"], row["name"], row["town_code"],
                      row["county_code"], row["stage"], row["score"], result.max_score,
                      result.pass_threshold, "是" if row["passed"] else "否",
                      "是" if row["vetoed"] else "否"])
        for ind in result.breakdown["indicators"]:
            details.append([row["community_code"], ind["category"], ind["name"], ind["kind"],
                            ind["points"], ind["max_points"], ind["value"], ind["source"],
                            ind["note"]])
    out = io.BytesIO()
    book.save(out)
    suffix = f"-{county_code}" if county_code else ""
    return {"filename": f"evaluation-{period}{suffix}.xlsx",
            "content_base64": base64.b64encode(out.getvalue()).decode()}


# -- the read model: facts from the registry's and mediation's events ------------------------------

def on_community_registered(session, data, today):
    community = _keep_community(session, data)
    community.status = "active"
    session.flush()
    # facts may have arrived first (queues are not ordered with each other)
    refresh(session, community.code, current_period(today), today)


def on_community_updated(session, data, today):
    """A new name or economic tier: the tier may choose another scheme, so rescore."""
    community = _keep_community(session, data)
    community.status = community.status or "active"
    session.flush()
    refresh(session, community.code, current_period(today), today)


def _keep_community(session, data):
    community = session.get(CommunityFact, data["community_code"])
    if community is None:
        community = CommunityFact(code=data["community_code"])
        session.add(community)
    community.town_code = data.get("town_code")
    community.county_code = data["county_code"]
    community.name, community.kind = data["name"], data["kind"]
    community.economic_tier = data.get("economic_tier")
    if data.get("reorganised_on"):
        community.reorganised_on = date.fromisoformat(data["reorganised_on"])
    return community


def on_community_reorganised(session, envelope, today):
    data = envelope["data"]
    effective = date.fromisoformat(data["effective_on"])
    result = session.get(CommunityFact, data["community_code"])
    if result is not None:
        result.reorganised_on = effective
    for code in data["deactivated_codes"]:
        unit = session.get(CommunityFact, code)
        if unit is None:
            continue
        unit.status = "inactive"
        # a merged or converted unit loses its name, and with it its titles (注销)
        for title in _held_titles(session, code):
            _end_title(session, title, unit, "cancelled", effective,
                       f"{data['reorganisation_kind']} into {data['community_code']} "
                       f"effective {effective.isoformat()}", "system")
    session.flush()
    if result is not None:
        refresh_from(session, result.code, effective.year, today)


def on_adviser_assigned(session, data, today):
    if session.get(AdviserFact, data["assignment_id"]) is None:
        session.add(AdviserFact(assignment_id=data["assignment_id"],
                                community_code=data["community_code"],
                                adviser_name=data["adviser_name"],
                                assigned_on=date.fromisoformat(data["assigned_on"])))
        session.flush()
    refresh_from(session, data["community_code"],
                 date.fromisoformat(data["assigned_on"]).year, today)


def on_adviser_removed(session, data, today):
    fact = session.get(AdviserFact, data["assignment_id"])
    if fact is None:
        return  # the assignment never reached us; nothing scored on it
    fact.removed_on = date.fromisoformat(data["removed_on"])
    session.flush()
    refresh_from(session, fact.community_code, fact.removed_on.year, today)


def on_election_held(session, envelope, today):
    data = envelope["data"]
    held_on = date.fromisoformat(data["held_on"])
    if session.get(ElectionFact, data["election_id"]) is None:
        session.add(ElectionFact(election_id=data["election_id"],
                                 community_code=data["community_code"],
                                 body_kind=data["body_kind"], held_on=held_on,
                                 result=data["result"]))
        session.flush()
    vetoes = vetoes_from_event(session, envelope, data["community_code"], held_on, today)
    refresh_from(session, data["community_code"], held_on.year, today)
    return vetoes


def on_affairs_disclosed(session, data, today):
    if session.get(DisclosureFact, data["disclosure_id"]) is None:
        session.add(DisclosureFact(disclosure_id=data["disclosure_id"],
                                   community_code=data["community_code"],
                                   kind=data["disclosure_kind"], period=data["period"],
                                   disclosed_on=date.fromisoformat(data["disclosed_on"]),
                                   on_time=data["on_time"]))
        session.flush()
    refresh_from(session, data["community_code"], int(data["period"][:4]), today)


def on_mediation_case_closed(session, envelope, today):
    data = envelope["data"]
    code = data.get("community_code")
    if not code:
        return []  # a case of a town or county organisation: no community to score
    closed_on = date.fromisoformat(data["closed_on"])
    if session.get(MediationFact, data["case_id"]) is None:
        session.add(MediationFact(case_id=data["case_id"], community_code=code,
                                  outcome=data["outcome"], closed_on=closed_on))
        session.flush()
    vetoes = vetoes_from_event(session, envelope, code, closed_on, today)
    refresh_from(session, code, closed_on.year, today)
    return vetoes
