"""Vetoes (一票否决). An officer's veto is a decision; a cause another service's event
detects (a failed election round, a case outcome) is only *proposed* until an authorised
officer confirms or dismisses it, with a reason. Only a confirmed veto fails the period,
and it ends only the titles at or below the deciding authority's level."""
from sqlalchemy import select

from evaluation import domain, titling
from evaluation.models import CommunityFact, TitleChange, Veto
from evaluation.operations.scoring import (
    community_to_write,
    refresh,
    require_scheme,
    scheme_for,
)
from evaluation.operations.titles import end_title, held_titles
from fazhi_common.clock import utcnow
from fazhi_common.contracts import vocabulary
from fazhi_common.contracts.errors import Conflict, field_error
from fazhi_common.contracts.events import area_of
from fazhi_common.db import get_in_area, paginate
from fazhi_common.outbox import record_event

PROPOSED, CONFIRMED, DISMISSED = "proposed", "confirmed", "dismissed"
# the event behind a proposed veto, named in its reason (换届选举, 调解案件结案); a veto
# proposed before the reasons were Chinese keeps its English one
TRIGGER_NAMES = dict(vocabulary.VETO_TRIGGER_EVENTS)
LEVEL_NAMES = dict(vocabulary.TITLE_LEVELS)


def _item(session, community, period, code, today):
    scheme = scheme_for(session, community, period, today)
    items = {v["code"]: v for v in (scheme.definition.get("veto_items", []) if scheme else [])}
    return items.get(code) or {"code": code, "name": code}


def _confirm(session, veto, community, item, actor, scope, today):
    """What a confirmed veto does: announce it, end the titles of the decider's own level
    and department (any other title is referred to the departments of its level: the
    platform administrator ends none), rescore the period."""
    record_event(session, "community_vetoed", {
        **area_of(community.code), "period": veto.period, "veto_id": veto.id,
        "veto_item": veto.veto_item, "reason": veto.reason, "origin": veto.origin})
    for title in held_titles(session, community.code):
        if titling.may_decide(title.level, scope.role, scope.area):
            end_title(session, title, community, "revoked", today,
                      f"一票否决（{item['name']}）：{veto.reason}", actor)
        else:
            title.history.append(TitleChange(
                action="veto_referred", on=today, actor=actor,
                reason=f"一票否决 {veto.id}（{item['name']}）非由"
                       f"{LEVEL_NAMES.get(title.level, title.level)}命名部门确认："
                       "由其决定是否撤销"))
    refresh(session, community.code, veto.period, today)


def record_veto(session, data, scope, today):
    actor = scope.subject
    community = community_to_write(session, data["community_code"], scope)
    scheme = require_scheme(session, community, data["period"], today)
    items = {v["code"]: v for v in scheme.definition.get("veto_items", [])}
    if data["veto_item"] not in items:
        raise field_error("veto_item", f"Scheme {scheme.key} has no veto item "
                                       f"{data['veto_item']}: one of {sorted(items)}.")
    if _veto_exists(session, community.code, data["period"], data["veto_item"]):
        raise Conflict("This veto item is already recorded for the period.",
                       {"veto_item": ["already recorded"]})
    veto = Veto(community_code=community.code, period=data["period"],
                veto_item=data["veto_item"], reason=data["reason"],
                evidence=data["evidence"], origin="manual", recorded_by=actor,
                status=CONFIRMED, decided_by=actor, decided_at=utcnow(),
                decision_reason=data["reason"])
    session.add(veto)
    session.flush()
    _confirm(session, veto, community, items[data["veto_item"]], actor, scope, today)
    return veto


def _veto_exists(session, code, period, item):
    # a dismissed proposal does not stand in the way of a later cause
    return session.scalar(select(Veto.id).where(
        Veto.community_code == code, Veto.period == period, Veto.veto_item == item,
        Veto.status != DISMISSED))


def vetoes_from_event(session, envelope, data, code, day, today):
    """Veto items an event of another service meets, proposed for an officer's decision;
    returns the proposals recorded."""
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
        reason = (f"{items[code_met]['name']}（"
                  f"{TRIGGER_NAMES.get(envelope['type'], envelope['type'])}，{day.isoformat()}）")
        veto = Veto(community_code=community.code, period=period, veto_item=code_met,
                    reason=reason, evidence=[f"{envelope['source']} 事件 {envelope['id']}"],
                    origin=envelope["type"], recorded_by="system", status=PROPOSED)
        session.add(veto)
        session.flush()
        record_event(session, "veto_proposed", {
            **area_of(community.code), "period": period, "veto_id": veto.id,
            "veto_item": code_met, "reason": reason, "origin": envelope["type"]})
        recorded.append(veto)
    return recorded


def get_veto(session, veto_id, scope):
    return get_in_area(session, Veto, veto_id, "veto", scope)


def decide_veto(session, veto_id, data, scope, today):
    """An officer confirms or dismisses a proposed veto, with a reason."""
    actor = scope.subject
    veto = get_veto(session, veto_id, scope)
    scope.require_area(veto.community_code, field="veto_id")
    if veto.status != PROPOSED:
        raise Conflict(f"Veto {veto.id} is {veto.status}, not proposed.",
                       {"status": [veto.status]})
    veto.status = CONFIRMED if data["decision"] == "confirm" else DISMISSED
    veto.decided_by, veto.decided_at = actor, utcnow()
    veto.decision_reason = data["reason"]
    session.flush()
    if veto.status == CONFIRMED:
        community = session.get(CommunityFact, veto.community_code)
        _confirm(session, veto, community,
                 _item(session, community, veto.period, veto.veto_item, today),
                 actor, scope, today)
    return veto


def list_vetoes(session, query, scope):
    q = scope.in_area(select(Veto).order_by(Veto.id), Veto.community_code)
    for key in ("community_code", "period", "status"):
        if query.get(key):
            q = q.where(getattr(Veto, key) == query[key])
    return paginate(session, q, query["page"], query["per_page"])
