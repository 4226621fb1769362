"""Government legal advisers (三级政府法律顾问) with their opinions and coverage by level,
and lawyers' work in communities (律师进社区) with per-community and per-county totals
summed in SQL. The community's own legal adviser comes from the registry's events, kept
in ``CommunityAdviser`` (a read model: never the registry's tables or code)."""
from sqlalchemy import distinct, func, select

from fazhi_common.contracts.errors import field_error
from fazhi_common.db import get_in_area, paginate
from fazhi_common.division import COUNTY, PREFECTURE, TOWN, Division
from legalservices import domain
from legalservices.models import (
    AdviserOpinion,
    CommunityAdviser,
    CommunityVisit,
    GovernmentAdviser,
    KnownUnit,
)
from legalservices.operations import UNITS, require_community

# -- government advisers ---------------------------------------------------------------------


def register_adviser(session, data, scope):
    code = data["government_code"]
    level, county = domain.government_of(code)
    scope.require_area(code, field="government_code")
    if level != "city":
        UNITS.require(session, code, COUNTY if level == "county" else TOWN, "government_code")
    elif not session.scalar(select(KnownUnit.code).where(
            KnownUnit.code.startswith(Division(code).prefix)).limit(1)):
        raise field_error("government_code", "unknown city")
    adviser = GovernmentAdviser(level=level, county_code=county, **data)
    session.add(adviser)
    session.flush()
    return adviser


def get_adviser(session, adviser_id, scope):
    return get_in_area(session, GovernmentAdviser, adviser_id, "government legal adviser",
                       scope, code_of=lambda row: row.government_code)


def adviser_view(session, adviser):
    view = {c.key: getattr(adviser, c.key) for c in GovernmentAdviser.__table__.columns}
    view["opinions"] = session.scalar(select(func.count()).where(
        AdviserOpinion.adviser_id == adviser.id))
    return view


def _visible_advisers(q, scope):
    """An officer sees the advisers of governments in its area and of those above it (a
    town's officer sees its county's and city's advisers)."""
    if not scope.prefix:
        return q
    area = Division(scope.area)
    above = [str(u) for u in area.ancestors]
    return q.where(GovernmentAdviser.government_code.startswith(scope.prefix)
                   | GovernmentAdviser.government_code.in_(above))


def list_advisers(session, query, scope):
    a = GovernmentAdviser
    q = _visible_advisers(select(a).order_by(a.id), scope)
    if query.get("level"):
        q = q.where(a.level == query["level"])
    if query.get("government_code"):
        q = q.where(a.government_code == query["government_code"])
    if query.get("current_on"):
        q = q.where(a.term_start <= query["current_on"], a.term_end >= query["current_on"])
    page = paginate(session, q, query["page"], query["per_page"])
    page["items"] = [adviser_view(session, x) for x in page["items"]]
    return page


def record_opinion(session, adviser_id, data, scope):
    adviser = get_adviser(session, adviser_id, scope)
    scope.require_area(adviser.government_code, field="government_code")
    if not adviser.term_start <= data["given_on"] <= adviser.term_end:
        raise field_error("given_on", f"The adviser's contract runs from {adviser.term_start} "
                                      f"to {adviser.term_end}; an opinion outside it is not "
                                      "given under this contract.")
    opinion = AdviserOpinion(adviser_id=adviser.id, government_code=adviser.government_code,
                             **data)
    session.add(opinion)
    session.flush()
    return opinion


def list_opinions(session, query, scope):
    o = AdviserOpinion
    q = select(o).join(GovernmentAdviser, GovernmentAdviser.id == o.adviser_id)
    q = _visible_advisers(q, scope).order_by(o.given_on, o.id)
    if query.get("adviser_id"):
        q = q.where(o.adviser_id == query["adviser_id"])
    if query.get("kind"):
        q = q.where(o.kind == query["kind"])
    return paginate(session, q, query["page"], query["per_page"])


def adviser_coverage(session, on, scope):
    """Which governments (city, counties, towns the registry holds in the caller's area)
    have an adviser under contract on ``on``, and which have none."""
    units = session.execute(scope.in_area(
        select(KnownUnit.code, KnownUnit.level).where(KnownUnit.active.is_(True),
                                                      KnownUnit.level.in_((COUNTY, TOWN))),
        KnownUnit.code)).all()
    governments = {"city": set(), "county": set(), "town": set()}
    for code, level in units:
        governments["county" if level == COUNTY else "town"].add(code)
        city = Division(code).at(PREFECTURE)
        if city is not None and (not scope.prefix or scope.covers(str(city))):
            governments["city"].add(str(city))
    a = GovernmentAdviser
    served = set(session.scalars(select(a.government_code).where(
        a.term_start <= on, a.term_end >= on).distinct()))
    return {"on": on, "levels": domain.adviser_coverage(governments, served)}


# -- lawyers in communities ------------------------------------------------------------------


def community_adviser(session, community_code, on=None):
    """The registry's legal adviser of a community (on a day, or now), or None."""
    c = CommunityAdviser
    q = select(c.adviser_name).where(c.community_code == community_code)
    if on is None:
        q = q.where(c.removed_on.is_(None))
    else:
        q = q.where(c.assigned_on <= on, (c.removed_on.is_(None)) | (c.removed_on > on))
    return session.scalar(q.order_by(c.assigned_on.desc()).limit(1))


def apply_adviser_event(session, event_type, data):
    """Keep the read model of the registry's community advisers (idempotent)."""
    row = session.get(CommunityAdviser, data["assignment_id"])
    if event_type == "legal_adviser_assigned":
        if row is None:
            session.add(CommunityAdviser(
                assignment_id=data["assignment_id"], community_code=data["community_code"],
                adviser_name=data["adviser_name"], adviser_kind=data["adviser_kind"],
                assigned_on=data["assigned_on"]))
    elif row is not None:
        row.removed_on = data["removed_on"]


def record_visit(session, data, scope):
    county, town = require_community(session, data["community_code"], scope)
    visit = CommunityVisit(county_code=county, town_code=town,
                           community_adviser=community_adviser(
                               session, data["community_code"], data["visited_on"]), **data)
    session.add(visit)
    session.flush()
    return visit


def list_visits(session, query, scope):
    v = CommunityVisit
    q = scope.in_area(select(v).order_by(v.visited_on, v.id), v.community_code)
    for key in ("community_code", "county_code"):
        if query.get(key):
            q = q.where(getattr(v, key) == query[key])
    if query.get("date_from"):
        q = q.where(v.visited_on >= query["date_from"])
    if query.get("date_to"):
        q = q.where(v.visited_on <= query["date_to"])
    return paginate(session, q, query["page"], query["per_page"])


def _totals(session, column, where):
    v = CommunityVisit
    q = (select(column, func.count(), func.coalesce(func.sum(v.hours), 0),
                func.coalesce(func.sum(v.residents_served), 0), func.count(distinct(v.lawyer)))
         .where(*where).group_by(column).order_by(column))
    return [{"code": code, "visits": n, "hours": float(hours), "residents_served": int(served),
             "lawyers": lawyers} for code, n, hours, served, lawyers in session.execute(q)]


def visit_totals(session, query, scope):
    """Visits, hours, residents served and lawyers per community and per county."""
    v = CommunityVisit
    where = [v.visited_on.between(query["date_from"], query["date_to"])]
    if scope.prefix:
        where.append(v.community_code.startswith(scope.prefix))
    if query.get("county_code"):
        where.append(v.county_code == query["county_code"])
    communities = _totals(session, v.community_code, where)
    c = CommunityAdviser
    advisers = dict(session.execute(select(c.community_code, c.adviser_name).where(
        c.removed_on.is_(None), c.community_code.in_([r["code"] for r in communities]))).all())
    for row in communities:
        row["legal_adviser"] = advisers.get(row["code"])
    return {"date_from": query["date_from"], "date_to": query["date_to"],
            "communities": communities, "counties": _totals(session, v.county_code, where)}
