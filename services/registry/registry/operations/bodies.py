"""Self-governance bodies (居(村)委会 and the rest), their terms and elections."""
from datetime import date

from sqlalchemy import or_, select

from fazhi_common.clock import add_years
from fazhi_common.contracts.errors import field_error
from fazhi_common.contracts.events import area_of
from fazhi_common.db import paginate
from fazhi_common.outbox import record_event
from registry import domain
from registry.models import BodyMember, Community, Election, GovernanceBody
from registry.operations.units import get_in_area, reference

# -- self-governance bodies and elections -------------------------------------------------------

def body_view(body, today):
    return {"id": body.id, "community_code": body.community_code, "kind": body.kind,
            "term_years": body.term_years, "term_started_on": body.term_started_on,
            "term_ends_on": body.term_ends_on, "members": body.members,
            "due_for_election": domain.due_for_election(body.term_ends_on, today)}


def create_body(session, data, scope):
    scope.require_area(data["community_code"], field="community_code")
    reference(session, Community, data["community_code"], "community_code", "community")
    term_years = data.get("term_years") or domain.TERM_YEARS
    started = data.get("term_started_on")
    body = GovernanceBody(
        community_code=data["community_code"], kind=data["kind"], term_years=term_years,
        term_started_on=started,
        term_ends_on=add_years(started, term_years) if started else None,
        members=[BodyMember(**m) for m in data["members"]])
    session.add(body)
    session.flush()
    return body


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
        q = q.where(due if query["due_for_election"] else ~due)
    return paginate(session, q, query["page"], query["per_page"])


def record_election(session, body_id, data, scope, today=None):
    today = today or date.today()
    body = get_body(session, body_id, scope)
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
    record_event(session, "election_held", {
        **area_of(body.community_code), "election_id": election.id, "body_kind": body.kind,
        "held_on": election.held_on, "turnout_rate": election.turnout_rate,
        "result": election.result})
    return election
