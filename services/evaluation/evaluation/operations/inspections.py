"""Spot checks (a reproducible draw of communities) and the inspections that score them."""
import secrets

from sqlalchemy import or_, select

from evaluation import domain
from evaluation.models import CommunityFact, Finding, Inspection, SpotCheckDraw, Title
from evaluation.operations.schemes import scheme_indicator
from evaluation.operations.scoring import community_to_write, refresh, require_scheme
from fazhi_common import draws
from fazhi_common.db import paginate
from fazhi_common.errors import NotFound, ValidationFailed, field_error


def draw_spot_check(session, data, scope):
    counties = data.get("county_codes")
    for county in counties or []:
        if not county.stands_as_county:
            raise field_error("county_codes", f"{county} is not a county code.")
        scope.require_area(county, field="county_codes")
    q = scope.in_area(select(CommunityFact).where(CommunityFact.status == "active"),
                      CommunityFact.code)
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
    sample = draws.draw(seed, eligible, data.get("per_county"), data.get("share"))
    draw = SpotCheckDraw(period=data["period"], area=scope.prefix, seed=seed,
                         per_county=data.get("per_county"), share=data.get("share"),
                         title_holders_only=data.get("title_holders_only", False),
                         eligible=eligible, sample=sample, drawn_by=scope.subject)
    session.add(draw)
    session.flush()
    return draw


def draw_view(draw):
    return {"id": draw.id, "period": draw.period, "seed": draw.seed,
            "per_county": draw.per_county, "share": draw.share,
            "title_holders_only": draw.title_holders_only, "eligible": draw.eligible,
            "sample": draw.sample, "method": draws.METHOD_TEXT, "drawn_by": draw.drawn_by,
            "drawn_at": draw.drawn_at}


def get_draw(session, draw_id, scope):
    draw = session.get(SpotCheckDraw, draw_id)
    if draw is None or not domain.draw_visible(draw.area, scope.area):
        raise NotFound(f"No spot-check draw {draw_id}.")
    return draw


def list_draws(session, query, scope):
    q = select(SpotCheckDraw).order_by(SpotCheckDraw.id.desc()).where(or_(
        SpotCheckDraw.area.startswith(scope.prefix),
        SpotCheckDraw.area.in_(domain.areas_above(scope.area))))
    if query.get("period"):
        q = q.where(SpotCheckDraw.period == query["period"])
    return paginate(session, q, query["page"], query["per_page"])


def record_inspection(session, data, scope, today):
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
    scheme = require_scheme(session, community, data["period"], today)
    errors = {}
    for i, finding in enumerate(data["findings"]):
        try:
            indicator = scheme_indicator(scheme, finding["indicator_code"], "indicator_code")
            domain.check_figure(indicator, finding["value"], by_inspector=True)
        except ValidationFailed as exc:
            for field, problems in exc.fields.items():
                errors[f"findings.{i}.{field}"] = problems
    if errors:
        raise ValidationFailed("Some findings cannot be scored.", errors)
    inspection = Inspection(
        community_code=community.code, period=data["period"], kind=data["kind"],
        draw_id=data.get("draw_id"), held_on=data["held_on"], summary=data.get("summary"),
        inspector=scope.subject, findings=[Finding(**f) for f in data["findings"]])
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
    q = scope.in_area(select(Inspection).order_by(Inspection.id), Inspection.community_code)
    for key in ("community_code", "period", "kind"):
        if query.get(key):
            q = q.where(getattr(Inspection, key) == query[key])
    return paginate(session, q, query["page"], query["per_page"])
