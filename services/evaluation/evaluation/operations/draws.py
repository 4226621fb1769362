"""Spot-check draws, committed before they are made (fazhi_common.draws has the method).

Commit: the eligible list is frozen and its digest published with the hash of a secret
seed. Reveal: the seed is published and the sample drawn from the frozen list. Redraw: a
draw is superseded, with a reason, by a new commitment; both stay public.
"""
from sqlalchemy import or_, select

from evaluation import domain
from evaluation.models import CommunityFact, SpotCheckDraw, Title
from fazhi_common import draws
from fazhi_common.clock import utcnow
from fazhi_common.contracts.errors import Conflict, Forbidden, NotFound, field_error
from fazhi_common.db import get_in_area, paginate
from fazhi_common.outbox import record_events


def _announce(session, draw, act, redrawn_as=None):
    """Each county drawn from hears of the act (its subscribers, through notifications)."""
    revealed = draw.revealed_at is not None
    record_events(session, "spot_check_announced", [{
        "county_code": county, "draw_id": draw.id, "period": draw.period, "act": act,
        "method": draw.method, "seed_hash": draw.seed_hash,
        "eligible_digest": draw.eligible_digest, "eligible_here": len(codes),
        "seed": draw.seed if revealed else None,
        "drawn_here": draw.sample.get(county, []) if revealed else None,
        "reason": draw.superseded_reason,
        "redrawn_as_id": redrawn_as.id if redrawn_as else None,
    } for county, codes in sorted(draw.eligible.items())])


def _eligible(session, area, counties, title_holders_only):
    """The active communities of the area (and counties), by county: the frozen list."""
    q = select(CommunityFact.county_code, CommunityFact.code).where(
        CommunityFact.status == "active", CommunityFact.code.startswith(area))
    if counties:
        q = q.where(CommunityFact.county_code.in_(counties))
    if title_holders_only:
        q = q.where(CommunityFact.code.in_(select(Title.community_code)
                                           .where(Title.status == "held")))
    eligible = {}
    for county, code in session.execute(q.order_by(CommunityFact.code)):
        eligible.setdefault(county, []).append(code)
    if not eligible:
        raise field_error("county_codes", "No eligible communities in the area.")
    return eligible


def _commit(session, period, area, parameters, scope, redraw_of=None):
    try:
        draws.check_size(parameters.get("per_county"), parameters.get("share"))
    except ValueError as exc:
        raise field_error("per_county", f"Give either per_county or share ({exc}).") from exc
    counties = parameters.get("county_codes")
    eligible = _eligible(session, area, counties, parameters.get("title_holders_only"))
    seed = draws.new_seed()
    draw = SpotCheckDraw(
        period=period, area=area, status="committed", method=draws.METHOD, seed=seed,
        seed_hash=draws.seed_hash(seed), per_county=parameters.get("per_county"),
        share=parameters.get("share"),
        title_holders_only=bool(parameters.get("title_holders_only")),
        county_codes=[str(c) for c in counties] if counties else None, eligible=eligible,
        eligible_digest=draws.eligible_digest(eligible), committed_by=scope.subject,
        redraw_of_id=redraw_of.id if redraw_of else None)
    session.add(draw)
    session.flush()
    _announce(session, draw, "committed")
    return draw


def commit_draw(session, data, scope):
    for county in data.get("county_codes") or []:
        if not county.stands_as_county:
            raise field_error("county_codes", f"{county} is not a county code.")
        scope.require_area(county, field="county_codes")
    return _commit(session, data["period"], scope.prefix, data, scope)


def _draw_to_write(session, draw_id, scope):
    """A draw the caller may reveal or redraw: one of its area (or below it)."""
    draw = session.get(SpotCheckDraw, draw_id, with_for_update=True)
    if draw is None or not domain.draw_visible(draw.area, scope.area):
        raise NotFound(f"No spot-check draw {draw_id}.")
    if not draw.area.startswith(scope.prefix):
        raise Forbidden(f"Draw {draw_id} was committed for an area above yours.",
                        {"draw_id": ["outside your area"]})
    if draw.status == "superseded":
        raise Conflict(f"Draw {draw_id} was superseded by a redraw.",
                       {"status": ["superseded"]})
    return draw


def reveal_draw(session, draw_id, scope):
    draw = _draw_to_write(session, draw_id, scope)
    if draw.status == "revealed":
        raise Conflict(f"Draw {draw_id} is already revealed; a new sample needs a redraw "
                       "with its reason.", {"status": ["revealed"]})
    draw.sample = draws.draw(draw.seed, draw.eligible, draw.per_county, draw.share)
    draw.status, draw.revealed_by, draw.revealed_at = "revealed", scope.subject, utcnow()
    _announce(session, draw, "revealed")
    return draw


def redraw(session, draw_id, data, scope):
    """The old draw superseded (who, when, why) and a new one committed in its place."""
    old = _draw_to_write(session, draw_id, scope)
    old.status, old.superseded_by, old.superseded_at = "superseded", scope.subject, utcnow()
    old.superseded_reason = data["reason"]
    parameters = {"per_county": old.per_county, "share": old.share,
                  "title_holders_only": old.title_holders_only,
                  "county_codes": old.county_codes}
    new = _commit(session, old.period, old.area, parameters, scope, redraw_of=old)
    _announce(session, old, "superseded", redrawn_as=new)
    return new


def _chain(session, draw):
    """Every draw of the redraw chain this one belongs to, first to last."""
    first = draw
    while first.redraw_of_id is not None:
        first = session.get(SpotCheckDraw, first.redraw_of_id)
    chain = [first]
    while True:
        following = session.scalars(select(SpotCheckDraw).where(
            SpotCheckDraw.redraw_of_id == chain[-1].id)).first()
        if following is None:
            return chain
        chain.append(following)


def draw_view(session, draw):
    """A draw as published: the seed and sample only once revealed."""
    revealed = draw.revealed_at is not None
    chain = _chain(session, draw)
    later = [d for d in chain if d.redraw_of_id == draw.id]
    return {
        "id": draw.id, "period": draw.period, "area": draw.area, "status": draw.status,
        "method": draw.method, "method_description": draws.METHOD_TEXT,
        "per_county": draw.per_county, "share": draw.share,
        "title_holders_only": draw.title_holders_only, "county_codes": draw.county_codes,
        "seed_hash": draw.seed_hash, "eligible_digest": draw.eligible_digest,
        "eligible": draw.eligible, "committed_by": draw.committed_by,
        "committed_at": draw.committed_at,
        "seed": draw.seed if revealed else None, "sample": draw.sample if revealed else None,
        "revealed_by": draw.revealed_by, "revealed_at": draw.revealed_at,
        "redraw_of_id": draw.redraw_of_id, "redrawn_as_id": later[0].id if later else None,
        "superseded_by": draw.superseded_by, "superseded_at": draw.superseded_at,
        "superseded_reason": draw.superseded_reason,
        "history": [{"id": d.id, "status": d.status, "committed_by": d.committed_by,
                     "committed_at": d.committed_at, "revealed_at": d.revealed_at,
                     "superseded_by": d.superseded_by, "superseded_at": d.superseded_at,
                     "superseded_reason": d.superseded_reason} for d in chain],
    }


def get_draw(session, draw_id, scope):
    return get_in_area(session, SpotCheckDraw, draw_id, "spot-check draw", scope,
                       visible=lambda draw: domain.draw_visible(draw.area, scope.area))


def public_draw(session, draw_id):
    """Any draw, for anyone: a draw holds no personal data and is meant to be checked."""
    draw = session.get(SpotCheckDraw, draw_id)
    if draw is None:
        raise NotFound(f"No spot-check draw {draw_id}.")
    return draw


def list_draws(session, query, scope):
    q = select(SpotCheckDraw).order_by(SpotCheckDraw.id.desc()).where(or_(
        SpotCheckDraw.area.startswith(scope.prefix),
        SpotCheckDraw.area.in_(domain.areas_above(scope.area))))
    if query.get("period"):
        q = q.where(SpotCheckDraw.period == query["period"])
    if query.get("status"):
        q = q.where(SpotCheckDraw.status == query["status"])
    return paginate(session, q, query["page"], query["per_page"])
