"""Inspections: special ones and spot checks of the communities a revealed draw chose
(the draws themselves are in ``draws``)."""
from sqlalchemy import select

from evaluation import domain
from evaluation.models import Finding, Inspection, SpotCheckDraw
from evaluation.operations.schemes import scheme_indicator
from evaluation.operations.scoring import community_to_write, refresh, require_scheme
from fazhi_common.contracts.errors import ValidationFailed, field_error
from fazhi_common.db import get_in_area, paginate


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
        if draw.status != "revealed":
            raise field_error("draw_id", f"Draw {draw.id} is {draw.status}: only a revealed "
                                         "draw in force chooses whom to inspect.")
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
    return get_in_area(session, Inspection, inspection_id, "inspection", scope)


def list_inspections(session, query, scope):
    q = scope.in_area(select(Inspection).order_by(Inspection.id), Inspection.community_code)
    for key in ("community_code", "period", "kind"):
        if query.get(key):
            q = q.where(getattr(Inspection, key) == query[key])
    return paginate(session, q, query["page"], query["per_page"])
