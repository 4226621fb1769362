"""Vetoes (一票否决): recorded by hand, or met by another service's event; each ends titles."""
from sqlalchemy import select

from evaluation import domain
from evaluation.models import CommunityFact, Veto
from evaluation.operations.scoring import (
    community_to_write,
    refresh,
    require_scheme,
    scheme_for,
)
from evaluation.operations.titles import end_title, held_titles
from fazhi_common.db import paginate
from fazhi_common.errors import Conflict, field_error
from fazhi_common.events import area_of
from fazhi_common.outbox import record_event


def _record_veto(session, community, period, item, reason, evidence, origin, actor, today):
    veto = Veto(community_code=community.code, period=period, veto_item=item["code"],
                reason=reason, evidence=evidence, origin=origin, recorded_by=actor)
    session.add(veto)
    session.flush()
    record_event(session, "community_vetoed", {
        **area_of(community.code), "period": period, "veto_id": veto.id, "veto_item": item["code"],
        "reason": reason, "origin": origin})
    for title in held_titles(session, community.code):
        end_title(session, title, community, "revoked", today,
                   f"veto ({item['name']}): {reason}", actor)
    refresh(session, community.code, period, today)
    return veto


def record_veto(session, data, scope, today):
    community = community_to_write(session, data["community_code"], scope)
    scheme = require_scheme(session, community, data["period"], today)
    items = {v["code"]: v for v in scheme.definition.get("veto_items", [])}
    if data["veto_item"] not in items:
        raise field_error("veto_item", f"Scheme {scheme.key} has no veto item "
                                       f"{data['veto_item']}: one of {sorted(items)}.")
    if _veto_exists(session, community.code, data["period"], data["veto_item"]):
        raise Conflict("This veto item is already recorded for the period.",
                       {"veto_item": ["already recorded"]})
    return _record_veto(session, community, data["period"], items[data["veto_item"]],
                        data["reason"], data["evidence"], "manual", scope.subject, today)


def _veto_exists(session, code, period, item):
    return session.scalar(select(Veto.id).where(
        Veto.community_code == code, Veto.period == period, Veto.veto_item == item))


def vetoes_from_event(session, envelope, data, code, day, today):
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
    for code_met in domain.veto_items_met(scheme.definition, envelope["type"], data):
        if _veto_exists(session, community.code, period, code_met):
            continue
        reason = f"{items[code_met]['name']} ({envelope['type']} on {day.isoformat()})"
        recorded.append(_record_veto(
            session, community, period, items[code_met], reason,
            [f"{envelope['source']} event {envelope['id']}"], envelope["type"], "system",
            today))
    return recorded


def list_vetoes(session, query, scope):
    q = scope.in_area(select(Veto).order_by(Veto.id), Veto.community_code)
    for key in ("community_code", "period"):
        if query.get(key):
            q = q.where(getattr(Veto, key) == query[key])
    return paginate(session, q, query["page"], query["per_page"])
