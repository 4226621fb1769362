"""Units (counties, towns, communities), their reorganisation, lineage and stage.

The bottom of the registry's operations: ``get_in_area`` and ``reference``, which every
other module uses to find the rows a call names, live here.
"""
from datetime import date
from functools import partial

from sqlalchemy import select

from fazhi_common import db as fazhi_db
from fazhi_common.campaign import campaign_stage
from fazhi_common.contracts.errors import Conflict, NotFound, field_error
from fazhi_common.contracts.events import area_of
from fazhi_common.db import paginate
from fazhi_common.outbox import record_event
from registry import domain
from registry.models import Community, County, Reorganisation, ReorganisationSource, Town


def unit_code(row):
    return row.code


# a unit (or a row keyed by one, given its ``code_of``) the caller may see; 404 otherwise
get_in_area = partial(fazhi_db.get_in_area, code_of=unit_code)


def row_in_area(db, model, key, what, scope):
    """As ``get_in_area``, the row's own columns read without an ORM session (``db.row``):
    for reads that answer just the row."""
    row = db.row(model, key)
    if row is None or not scope.covers(row["code"]):
        raise NotFound(f"No {what} {key} is registered.")
    return row


def reference(session, model, key, field, what):
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
    reference(session, County, data["county_code"], "county_code", "county")
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
    town = reference(session, Town, data["town_code"], "town_code", "town")
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
            "economic_tier": unit.economic_tier, "reorganised_on": unit.reorganised_on,
            "collective_finances_busy": bool(getattr(unit, "collective_finances_busy", False)),
            # the whole answer for the unit: the gateway serves it from its view
            "urban_rural_code": getattr(unit, "urban_rural_code", None),
            "status": unit.status, "deactivated_on": getattr(unit, "deactivated_on", None),
            "federated_into": getattr(unit, "federated_into", None)}


def update_community(session, code, changes, scope):
    community = get_in_area(session, Community, code, "community", scope)
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


# a read of one unit answers its own columns: no ORM session needed (``row_in_area``)
def get_county(db, code, scope):
    return row_in_area(db, County, code, "county", scope)


def get_town(db, code, scope):
    return row_in_area(db, Town, code, "town", scope)


def get_community(db, code, scope):
    return row_in_area(db, Community, code, "community", scope)


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
        town = reference(session, Town, new_unit["town_code"], "new_unit", "town")
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
                           economic_tier=new_unit.get("economic_tier"),
                           # announced with its registration: evaluation may hear of the
                           # unit before it hears of the reorganisation that made it
                           reorganised_on=data["effective_on"])
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
    get_in_area(session, Community, code, "unit", scope)

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
    unit = get_in_area(session, Community, code, "community", scope)
    return {"code": code, "year": year, "reorganised_on": unit.reorganised_on,
            "stage": campaign_stage(unit.reorganised_on, year)}
