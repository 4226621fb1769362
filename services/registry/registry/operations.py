"""What the registry does, on a session: the rules of domain.py applied to the tables.

Each function takes a session inside the caller's transaction and already-validated
input, and writes the outbox events announcing its change in that same transaction.
"""
from datetime import date

from sqlalchemy import and_, func, or_, select

from fazhi_common.campaign import campaign_stage
from fazhi_common.clock import add_years
from fazhi_common.db import paginate
from fazhi_common.errors import Conflict, NotFound, field_error
from fazhi_common.events import area_of
from fazhi_common.outbox import record_event
from registry import domain
from registry.models import (
    AffairsDisclosure,
    BodyMember,
    Community,
    County,
    CultureVenue,
    EducationPlace,
    Election,
    EnterpriseHealthCheck,
    GovernanceBody,
    LegalAdviserAssignment,
    LegalReview,
    OutreachActivity,
    Reorganisation,
    ReorganisationSource,
    ResidentsConvention,
    Town,
    Volunteer,
)


def _get(session, model, key, what, scope, code_of=lambda row: row.code):
    """The row, if it exists and lies in the caller's area; 404 otherwise (ids do not leak)."""
    row = session.get(model, key)
    if row is None or not scope.covers(code_of(row)):
        raise NotFound(f"No {what} {key} is registered.")
    return row


def _reference(session, model, key, field, what):
    """A row named in a request body: unknown is the caller's mistake (422)."""
    if key is None:
        return None
    row = session.get(model, key)
    if row is None:
        raise field_error(field, f"No {what} {key} is registered.")
    return row


# -- units ------------------------------------------------------------------------------

def register_county(session, data, scope):
    domain.expect_level(data["code"], domain.COUNTY)
    scope.require_area(data["code"])
    if session.get(County, data["code"]):
        raise Conflict(f"County {data['code']} is already registered.", {"code": ["exists"]})
    county = County(**data)
    session.add(county)
    record_event(session, "county_registered",
                 {"county_code": county.code, "name": county.name, "kind": county.kind})
    return county


def register_town(session, data, scope):
    domain.expect_level(data["code"], domain.TOWN)
    scope.require_area(data["code"])
    _reference(session, County, data["county_code"], "county_code", "county")
    domain.check_parent(data["code"], data["county_code"])
    if session.get(Town, data["code"]):
        raise Conflict(f"Town {data['code']} is already registered.", {"code": ["exists"]})
    town = Town(**data)
    session.add(town)
    record_event(session, "town_registered", {
        **area_of(town.code), "name": town.name, "kind": town.kind})
    return town


def register_community(session, data, scope):
    domain.expect_level(data["code"], domain.COMMUNITY)
    scope.require_area(data["code"])
    town = _reference(session, Town, data["town_code"], "town_code", "town")
    domain.check_parent(data["code"], data["town_code"])
    if session.get(Community, data["code"]):
        raise Conflict(f"Unit {data['code']} is already registered.", {"code": ["exists"]})
    community = Community(county_code=town.county_code, status="active", **data)
    session.add(community)
    session.flush()
    record_event(session, "community_registered", community_record(community))
    return community


def community_record(unit):
    """What other services keep of a community (the community_registered/_updated payload)."""
    return {**area_of(unit.code), "name": unit.name, "kind": unit.kind,
            "economic_tier": unit.economic_tier, "reorganised_on": unit.reorganised_on}


def update_community(session, code, changes, scope):
    community = _get(session, Community, code, "community", scope)
    changed = {k: v for k, v in changes.items() if getattr(community, k) != v}
    for key, value in changed.items():
        setattr(community, key, value)
    if changed:
        record_event(session, "community_updated", community_record(community))
    return community


def list_counties(session, query, scope):
    q = scope.in_area(select(County).order_by(County.code), County.code)
    if query.get("kind"):
        q = q.where(County.kind == query["kind"])
    return paginate(session, q, query["page"], query["per_page"])


def list_towns(session, query, scope):
    q = scope.in_area(select(Town).order_by(Town.code), Town.code)
    if query.get("county_code"):
        q = q.where(Town.county_code == query["county_code"])
    return paginate(session, q, query["page"], query["per_page"])


def list_communities(session, query, scope):
    q = scope.in_area(select(Community).order_by(Community.code), Community.code)
    for key in ("county_code", "town_code", "kind", "status"):
        if query.get(key):
            q = q.where(getattr(Community, key) == query[key])
    if query.get("name"):
        q = q.where(Community.name.contains(query["name"]))
    return paginate(session, q, query["page"], query["per_page"])


def get_county(session, code, scope):
    return _get(session, County, code, "county", scope)


def get_town(session, code, scope):
    return _get(session, Town, code, "town", scope)


def get_community(session, code, scope):
    return _get(session, Community, code, "community", scope)


# -- reorganisation, lineage, stage ---------------------------------------------------------

def _snapshot(unit):
    return {"code": unit.code, "kind": unit.kind, "status": unit.status,
            "county_code": unit.county_code, "federated_into": unit.federated_into}


def reorganise(session, data, scope, today=None):
    today = today or date.today()
    scope.require_area(data["result_code"], field="result_code")
    for code in data["source_codes"]:
        scope.require_area(code, field="source_codes")
    if data["effective_on"] > today:
        raise field_error("effective_on", "Record a reorganisation once it has taken effect.")
    sources = []
    for code in data["source_codes"]:
        unit = session.get(Community, code)
        if unit is None:
            raise field_error("source_codes", f"No village {code} is registered.")
        sources.append(unit)

    result = session.get(Community, data["result_code"])
    new_unit = data.get("new_unit")
    if result is None:
        if not new_unit:
            raise field_error("new_unit", f"{data['result_code']} is not registered: describe "
                                          "the new unit in new_unit.")
        domain.expect_level(data["result_code"], domain.COMMUNITY, field="result_code")
        town = _reference(session, Town, new_unit["town_code"], "new_unit", "town")
        domain.check_parent(data["result_code"], town.code, field="result_code")
        planned = {"code": data["result_code"], "kind": new_unit["kind"], "status": "active",
                   "county_code": town.county_code, "federated_into": None}
    elif new_unit:
        raise field_error("new_unit", f"{result.code} is already registered; leave new_unit out.")
    else:
        planned = _snapshot(result)

    deactivated, federated = domain.plan_reorganisation(
        data["kind"], [_snapshot(s) for s in sources], planned, result is None)

    if result is None:
        result = Community(code=data["result_code"], town_code=new_unit["town_code"],
                           county_code=planned["county_code"], name=new_unit["name"],
                           kind=new_unit["kind"], status="active",
                           economic_tier=new_unit.get("economic_tier"))
        session.add(result)
        session.flush()
        record_event(session, "community_registered", community_record(result))
    result.reorganised_on = data["effective_on"]
    for unit in sources:
        if unit.code in deactivated:
            unit.status = "inactive"
            unit.deactivated_on = data["effective_on"]
        if unit.code in federated:
            unit.federated_into = result.code

    reorganisation = Reorganisation(
        kind=data["kind"], effective_on=data["effective_on"], result_code=result.code,
        note=data.get("note"),
        sources=[ReorganisationSource(source_code=s.code) for s in sources])
    session.add(reorganisation)
    session.flush()
    record_event(session, "community_reorganised", {
        **area_of(result.code), "reorganisation_id": reorganisation.id,
        "reorganisation_kind": reorganisation.kind, "effective_on": reorganisation.effective_on,
        "source_codes": [s.code for s in sources], "deactivated_codes": deactivated})
    return reorganisation


def reorganisation_view(reorganisation):
    return {"id": reorganisation.id, "kind": reorganisation.kind,
            "effective_on": reorganisation.effective_on,
            "result_code": reorganisation.result_code, "note": reorganisation.note,
            "source_codes": sorted(s.source_code for s in reorganisation.sources)}


def lineage(session, code, scope):
    """What ``code`` became (followed forward) and what it was made of (followed back)."""
    _get(session, Community, code, "unit", scope)

    def forward(c):
        q = (select(Reorganisation).join(ReorganisationSource)
             .where(ReorganisationSource.source_code == c).order_by(Reorganisation.id))
        return [(reorganisation_view(r), r.result_code) for r in session.scalars(q)]

    def backward(c):
        q = select(Reorganisation).where(Reorganisation.result_code == c).order_by(
            Reorganisation.id)
        pairs = []
        for r in session.scalars(q):
            view = reorganisation_view(r)
            pairs.extend((view, s) for s in view["source_codes"])
        return pairs

    return {"code": code, "became": domain.trace(code, forward),
            "made_of": domain.trace(code, backward)}


def stage(session, code, year, scope):
    unit = _get(session, Community, code, "community", scope)
    return {"code": code, "year": year, "reorganised_on": unit.reorganised_on,
            "stage": campaign_stage(unit.reorganised_on, year)}


# -- self-governance bodies and elections -------------------------------------------------------

def body_view(body, today):
    return {"id": body.id, "community_code": body.community_code, "kind": body.kind,
            "term_years": body.term_years, "term_started_on": body.term_started_on,
            "term_ends_on": body.term_ends_on, "members": body.members,
            "due_for_election": domain.due_for_election(body.term_ends_on, today)}


def create_body(session, data, scope):
    scope.require_area(data["community_code"], field="community_code")
    _reference(session, Community, data["community_code"], "community_code", "community")
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
    return _get(session, GovernanceBody, body_id, "self-governance body", scope,
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


# -- legal advisers ------------------------------------------------------------------------------

def assign_adviser(session, data, scope):
    scope.require_area(data["community_code"], field="community_code")
    community = _reference(session, Community, data["community_code"], "community_code",
                           "community")
    if community.status != "active":
        raise Conflict(f"{community.code} is inactive.", {"community_code": ["inactive"]})
    current = session.scalar(select(LegalAdviserAssignment).where(
        LegalAdviserAssignment.community_code == community.code,
        LegalAdviserAssignment.removed_on.is_(None)))
    if current is not None:
        raise Conflict(f"{community.code} already has legal adviser {current.adviser_name}; "
                       "remove that assignment first (one community, one adviser).",
                       {"community_code": ["has a current legal adviser"]})
    assignment = LegalAdviserAssignment(**data)
    session.add(assignment)
    session.flush()
    record_event(session, "legal_adviser_assigned", {
        **area_of(community.code), "assignment_id": assignment.id,
        "adviser_name": assignment.adviser_name, "adviser_kind": assignment.adviser_kind,
        "assigned_on": assignment.assigned_on})
    return assignment


def remove_adviser(session, assignment_id, removed_on, scope):
    assignment = _get(session, LegalAdviserAssignment, assignment_id, "adviser assignment",
                      scope, code_of=lambda a: a.community_code)
    if assignment.removed_on is not None:
        raise Conflict("This assignment was already removed.", {"removed_on": ["already set"]})
    if removed_on < assignment.assigned_on:
        raise field_error("removed_on", "Removal cannot precede the assignment.")
    assignment.removed_on = removed_on
    record_event(session, "legal_adviser_removed", {
        **area_of(assignment.community_code), "assignment_id": assignment.id,
        "removed_on": removed_on})
    return assignment


def list_advisers(session, query, scope):
    q = scope.in_area(select(LegalAdviserAssignment).order_by(LegalAdviserAssignment.id),
                      LegalAdviserAssignment.community_code)
    if query.get("community_code"):
        q = q.where(LegalAdviserAssignment.community_code == query["community_code"])
    if query.get("county_code"):
        q = q.join(Community).where(Community.county_code == query["county_code"])
    if "current" in query:
        q = q.where(LegalAdviserAssignment.removed_on.is_(None) if query["current"]
                    else LegalAdviserAssignment.removed_on.is_not(None))
    return paginate(session, q, query["page"], query["per_page"])


def coverage(session, county_code, scope):
    """Share of active communities with a current adviser, by town and county; venues.

    A town-level caller sees its own town within its county's figures.
    """
    has_adviser = (select(LegalAdviserAssignment.community_code)
                   .where(LegalAdviserAssignment.removed_on.is_(None)))
    per_town = (
        select(Town.code, Town.name, Town.county_code,
               func.count(Community.code),
               func.count(Community.code).filter(Community.code.in_(has_adviser)))
        .join(Community, and_(Community.town_code == Town.code,
                              Community.status == "active"), isouter=True)
        .group_by(Town.code, Town.name, Town.county_code).order_by(Town.code))
    places = dict(session.execute(select(EducationPlace.town_code, func.count())
                                  .group_by(EducationPlace.town_code)).all())
    venues = dict(session.execute(select(CultureVenue.county_code, func.count())
                                  .group_by(CultureVenue.county_code)).all())
    counties_q = scope.in_area(select(County).order_by(County.code), County.code,
                               level=domain.COUNTY)
    per_town = scope.in_area(per_town, Town.code)
    if county_code:
        counties_q = counties_q.where(County.code == county_code)
        per_town = per_town.where(Town.county_code == county_code)
    counties = {c.code: {"county_code": c.code, "county_name": c.name, "communities": 0,
                         "with_adviser": 0, "culture_venues": venues.get(c.code, 0),
                         "towns": []}
                for c in session.scalars(counties_q)}
    for code, name, in_county, total, advised in session.execute(per_town):
        county = counties[in_county]
        county["towns"].append({
            "town_code": code, "town_name": name, "communities": total,
            "with_adviser": advised, "adviser_share": domain.share(advised, total),
            "education_places": places.get(code, 0)})
        county["communities"] += total
        county["with_adviser"] += advised
    for county in counties.values():
        county["adviser_share"] = domain.share(county["with_adviser"], county["communities"])
    lacking = [c["county_code"] for c in counties.values() if not c["culture_venues"]]
    return {"counties": list(counties.values()), "counties_lacking_venue": lacking,
            "venue_coverage": domain.share(len(counties) - len(lacking), len(counties))}


# -- records kept by kind ----------------------------------------------------------------------

RECORD_MODELS = {
    "education_places": EducationPlace,
    "culture_venues": CultureVenue,
    "conventions": ResidentsConvention,
    "disclosures": AffairsDisclosure,
    "legal_reviews": LegalReview,
    "volunteers": Volunteer,
    "outreach_activities": OutreachActivity,
    "health_checks": EnterpriseHealthCheck,
}
# the date column a ``year`` filter applies to
RECORD_DATES = {
    "culture_venues": "opened_on", "conventions": "adopted_on", "disclosures": "disclosed_on",
    "legal_reviews": "reviewed_on", "outreach_activities": "held_on",
    "health_checks": "checked_on",
}
# the unit each record kind is kept for, by which it is scoped to the caller's area
RECORD_UNITS = {
    "education_places": "town_code", "culture_venues": "county_code",
    "conventions": "community_code", "disclosures": "community_code",
    "legal_reviews": "community_code", "volunteers": "county_code",
    "outreach_activities": "community_code", "health_checks": "county_code",
}
_REFERENCES = {
    "county_code": (County, "county"), "town_code": (Town, "town"),
    "community_code": (Community, "community"), "volunteer_id": (Volunteer, "volunteer"),
}


def add_record(session, kind, data, disclosure_grace_days, scope):
    for field in ("community_code", "town_code", "county_code"):
        if data.get(field):
            scope.require_area(data[field], field=field)
    for field, (model, what) in _REFERENCES.items():
        if field in data:
            _reference(session, model, data[field], field, what)
    if kind == "education_places" and data.get("community_code"):
        domain.check_parent(data["community_code"], data["town_code"], field="community_code")
    if kind == "health_checks":
        if not domain.valid_credit_code(data["credit_code"]):
            raise field_error("credit_code", "Not a valid unified social credit code.")
        data = {**data, "credit_code": data["credit_code"].upper()}
    if kind == "disclosures":
        data = {**data, "on_time": domain.disclosure_on_time(
            data["period"], data["disclosed_on"], disclosure_grace_days)}
    record = RECORD_MODELS[kind](**data)
    session.add(record)
    session.flush()
    if kind == "disclosures":
        record_event(session, "affairs_disclosed", {
            **area_of(record.community_code), "disclosure_id": record.id,
            "disclosure_kind": record.kind, "period": record.period,
            "disclosed_on": record.disclosed_on, "on_time": record.on_time})
    return record


def list_records(session, kind, query, scope):
    model = RECORD_MODELS[kind]
    q = select(model).order_by(model.id)
    q = scope.in_area(q, getattr(model, RECORD_UNITS[kind]))
    if query.get("community_code"):
        if not hasattr(model, "community_code"):
            raise field_error("community_code", f"{kind} are not kept per community.")
        q = q.where(model.community_code == query["community_code"])
    if query.get("county_code"):
        if hasattr(model, "county_code"):
            q = q.where(model.county_code == query["county_code"])
        else:
            q = q.join(Community, Community.code == model.community_code).where(
                Community.county_code == query["county_code"])
    if query.get("year"):
        if kind not in RECORD_DATES:
            raise field_error("year", f"{kind} have no date to filter on.")
        column = getattr(model, RECORD_DATES[kind])
        q = q.where(column.between(date(query["year"], 1, 1), date(query["year"], 12, 31)))
    return paginate(session, q, query["page"], query["per_page"])


def health_check_progress(session, year, county_code, target, scope):
    q = select(func.count()).select_from(EnterpriseHealthCheck).where(
        EnterpriseHealthCheck.checked_on.between(date(year, 1, 1), date(year, 12, 31)))
    q = scope.in_area(q, EnterpriseHealthCheck.county_code)
    if county_code:
        q = q.where(EnterpriseHealthCheck.county_code == county_code)
    checked = session.scalar(q)
    return {"year": year, "county_code": county_code, "checked": checked, "target": target,
            "share_of_target": domain.share(checked, target)}


def outreach_summary(session, year, county_code, scope):
    q = (select(OutreachActivity.target_group, func.count(),
                func.coalesce(func.sum(OutreachActivity.participants), 0))
         .where(OutreachActivity.held_on.between(date(year, 1, 1), date(year, 12, 31)))
         .group_by(OutreachActivity.target_group).order_by(OutreachActivity.target_group))
    q = scope.in_area(q, OutreachActivity.community_code)
    if county_code:
        q = q.join(Community, Community.code == OutreachActivity.community_code).where(
            Community.county_code == county_code)
    return [{"target_group": g, "activities": n, "participants": p}
            for g, n, p in session.execute(q)]

