"""Self-governance bodies (居(村)委会 and the rest), their terms and elections."""
from datetime import date

from sqlalchemy import or_, select

from fazhi_common.clock import add_years
from fazhi_common.contracts.api.self_governance import PARTY_ORGANISATION
from fazhi_common.contracts.errors import Conflict, field_error
from fazhi_common.contracts.events import area_of
from fazhi_common.db import paginate
from fazhi_common.outbox import record_event
from registry import domain
from registry.models import BodyMember, Community, Election, GovernanceBody
from registry.operations.self_governance import announce_body
from registry.operations.units import get_in_area, reference

PARTY_FIELDS = ("secretary_name", "secretary_chairs_committee")

# -- self-governance bodies and elections -------------------------------------------------------

def body_view(body, today):
    return {"id": body.id, "community_code": body.community_code, "kind": body.kind,
            "term_years": body.term_years, "term_started_on": body.term_started_on,
            "term_ends_on": body.term_ends_on, "members": body.members,
            "secretary_name": body.secretary_name,
            "secretary_chairs_committee": body.secretary_chairs_committee,
            "ended_on": body.ended_on,
            "due_for_election": body.ended_on is None
            and domain.due_for_election(body.term_ends_on, today)}


def _party_fields(kind, data):
    if kind != PARTY_ORGANISATION and any(data.get(f) is not None for f in PARTY_FIELDS):
        raise field_error("secretary_name", "书记和“一肩挑”只记在党组织上。")
    return {f: data[f] for f in PARTY_FIELDS if f in data}


def create_body(session, data, scope):
    scope.require_area(data["community_code"], field="community_code")
    reference(session, Community, data["community_code"], "community_code", "community")
    term_years = data.get("term_years") or domain.TERM_YEARS
    started = data.get("term_started_on")
    body = GovernanceBody(
        community_code=data["community_code"], kind=data["kind"], term_years=term_years,
        term_started_on=started,
        term_ends_on=add_years(started, term_years) if started else None,
        members=[BodyMember(**m) for m in data["members"]],
        **_party_fields(data["kind"], data))
    session.add(body)
    session.flush()
    announce_body(session, body)
    return body


def update_body(session, body_id, changes, scope):
    """Edit a body: its party fields, its term (a term start recorded later gives the term
    end, and so the due alert, that a body without one never had)."""
    body = get_body(session, body_id, scope)
    scope.require_area(body.community_code, field="community_code")
    if body.ended_on is not None:
        raise Conflict("该组织已撤销，不能修改。", {"ended_on": ["body ended"]})
    for field, value in _party_fields(body.kind, changes).items():
        setattr(body, field, value)
    body.term_years = changes.get("term_years") or body.term_years
    if "term_started_on" in changes:
        body.term_started_on = changes["term_started_on"]
    started = body.term_started_on
    ends = add_years(started, body.term_years) if started else None
    if ends != body.term_ends_on:
        body.term_ends_on = ends
        body.election_due_announced_for = None
    session.flush()
    announce_body(session, body)
    return body


def end_body(session, body_id, ended_on, scope):
    body = get_body(session, body_id, scope)
    scope.require_area(body.community_code, field="community_code")
    if body.ended_on is not None:
        raise Conflict("该组织已撤销。", {"ended_on": ["already set"]})
    if body.term_started_on and ended_on < body.term_started_on:
        raise field_error("ended_on", "撤销日期不能早于本届开始日期。")
    body.ended_on = ended_on
    for member in body.members:
        if member.ended_on is None:
            member.ended_on = ended_on
    session.flush()
    announce_body(session, body)
    return body


def list_elections(session, body_id, query, scope):
    """A body's past elections, the latest first."""
    body = get_body(session, body_id, scope)
    q = (select(Election).where(Election.body_id == body.id)
         .order_by(Election.held_on.desc(), Election.id.desc()))
    return paginate(session, q, query["page"], query["per_page"])


def get_body(session, body_id, scope):
    return get_in_area(session, GovernanceBody, body_id, "self-governance body", scope,
                code_of=lambda body: body.community_code)


def list_bodies(session, query, today, scope):
    q = scope.in_area(select(GovernanceBody).order_by(GovernanceBody.id),
                      GovernanceBody.community_code)
    if query.get("community_code"):
        q = q.where(GovernanceBody.community_code == query["community_code"])
    if query.get("county_code"):
        q = q.join(Community).where(Community.county_code == query["county_code"])
    if "due_for_election" in query:
        due = or_(GovernanceBody.term_ends_on.is_(None), GovernanceBody.term_ends_on <= today)
        due = due & GovernanceBody.ended_on.is_(None)
        q = q.where(due if query["due_for_election"] else ~due)
    return paginate(session, q, query["page"], query["per_page"])


def record_election(session, body_id, data, scope, today=None):
    today = today or date.today()
    body = get_body(session, body_id, scope)
    if body.ended_on is not None:
        raise Conflict("该组织已撤销。", {"ended_on": ["body ended"]})
    if data["held_on"] > today:
        raise field_error("held_on", "An election is recorded after it is held.")
    domain.check_election(data["eligible_voters"], data["votes_cast"])
    election = Election(body_id=body.id, held_on=data["held_on"],
                        eligible_voters=data["eligible_voters"], votes_cast=data["votes_cast"],
                        result=data["result"], note=data.get("note"))
    session.add(election)
    if data["result"] == "elected":
        body.term_started_on = data["held_on"]
        body.term_ends_on = add_years(data["held_on"], body.term_years)
        if data["members"]:
            for member in body.members:
                if member.ended_on is None:
                    member.ended_on = data["held_on"]
            body.members.extend(BodyMember(**m) for m in data["members"])
    session.flush()
    if data["result"] == "elected":
        announce_body(session, body)
    record_event(session, "election_held", {
        **area_of(body.community_code), "election_id": election.id, "body_kind": body.kind,
        "held_on": election.held_on, "turnout_rate": election.turnout_rate,
        "result": election.result})
    return election
