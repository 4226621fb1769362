"""Legal advisers and their coverage, and the records kept by kind (education places,
culture venues, conventions, disclosures, legal reviews, volunteers, outreach, enterprise
health checks)."""
from datetime import date

from sqlalchemy import and_, func, select

from fazhi_common.contracts.errors import Conflict, field_error
from fazhi_common.contracts.events import area_of
from fazhi_common.db import paginate
from fazhi_common.outbox import record_event
from registry import domain
from registry.models import (
    AffairsDisclosure,
    Community,
    County,
    CulturePerformance,
    CultureVenue,
    EducationPlace,
    EnterpriseHealthCheck,
    FundingLine,
    Grid,
    GridReport,
    LegalAdviserAssignment,
    LegalReview,
    MajorMatter,
    Meeting,
    OutreachActivity,
    PurchasedService,
    ResidentsConvention,
    Town,
    Volunteer,
)
from registry.operations import self_governance
from registry.operations.units import get_in_area, reference

# -- legal advisers ------------------------------------------------------------------------------

def assign_adviser(session, data, scope):
    scope.require_area(data["community_code"], field="community_code")
    community = reference(session, Community, data["community_code"], "community_code",
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
    assignment = get_in_area(session, LegalAdviserAssignment, assignment_id, "adviser assignment",
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
    "meetings": Meeting,
    "major_matters": MajorMatter,
    "grids": Grid,
    "grid_reports": GridReport,
    "funding_lines": FundingLine,
    "purchased_services": PurchasedService,
    "culture_performances": CulturePerformance,
}
# the date column a ``year`` filter applies to
RECORD_DATES = {
    "culture_venues": "opened_on", "conventions": "adopted_on", "disclosures": "disclosed_on",
    "legal_reviews": "reviewed_on", "outreach_activities": "held_on",
    "health_checks": "checked_on", "meetings": "held_on", "major_matters": "proposed_on",
    "grids": "established_on", "grid_reports": "found_on", "purchased_services": "starts_on",
    "culture_performances": "performed_on",
}
# the unit each record kind is kept for, by which it is scoped to the caller's area
RECORD_UNITS = {
    "education_places": "town_code", "culture_venues": "county_code",
    "conventions": "community_code", "disclosures": "community_code",
    "legal_reviews": "community_code", "volunteers": "county_code",
    "outreach_activities": "community_code", "health_checks": "county_code",
    **{kind: "community_code" for kind in ("meetings", "major_matters", "grids", "grid_reports",
                                           "funding_lines", "purchased_services",
                                           "culture_performances")},
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
            reference(session, model, data[field], field, what)
    data = self_governance.prepare(session, kind, data, scope)
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
    self_governance.after_kept(session, kind, record)
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
    if query.get("year") and kind == "funding_lines":
        q = q.where(model.year == query["year"])
    elif query.get("year"):
        if kind not in RECORD_DATES:
            raise field_error("year", f"{kind} have no date to filter on.")
        column = getattr(model, RECORD_DATES[kind])
        q = q.where(column.between(date(query["year"], 1, 1), date(query["year"], 12, 31)))
    return paginate(session, q, query["page"], query["per_page"])


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
