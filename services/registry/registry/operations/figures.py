"""The self-governance figures a civil-affairs bureau files, by town and county over a
period: units by kind, party organisations, assemblies and their quorum, conventions,
grids, elections due and held.

Each figure is one GROUP BY town in the database over the whole area (a province is
~27,000 units); only a row per town leaves it.
"""
from sqlalchemy import func, or_, select

from registry import domain
from registry.models import (
    Community,
    County,
    Election,
    GovernanceBody,
    Grid,
    Meeting,
    ResidentsConvention,
    Town,
)

FIGURES = ("communities", "villages", "with_party_organisation", "assemblies",
           "quorate_assemblies", "with_convention", "grids", "elections_due",
           "elections_held")


def _per_town(date_from, date_to):
    """figure -> a query of (town code, count) over the active units."""
    u = Community
    active = u.status == "active"

    def by_town(*columns, joins=(), where=()):
        q = select(u.town_code, *columns)
        for target, on in joins:
            q = q.join(target, on)
        return q.where(active, *where).group_by(u.town_code)

    body = (GovernanceBody, GovernanceBody.community_code == u.code)
    return {
        "units": by_town(func.count().filter(u.kind != "village"),
                         func.count().filter(u.kind == "village")),
        "with_party_organisation": by_town(
            func.count(u.code.distinct()), joins=(body,),
            where=(GovernanceBody.kind == "party_organisation",
                   or_(GovernanceBody.ended_on.is_(None),
                       GovernanceBody.ended_on > date_to))),
        "assemblies": by_town(func.count(), func.count().filter(Meeting.quorate.is_(True)),
                              joins=((Meeting, Meeting.community_code == u.code),),
                              where=(Meeting.held_on.between(date_from, date_to),)),
        "with_convention": by_town(
            func.count(u.code.distinct()),
            joins=((ResidentsConvention, ResidentsConvention.community_code == u.code),),
            where=(ResidentsConvention.adopted_on <= date_to,)),
        "grids": by_town(func.count(), joins=((Grid, Grid.community_code == u.code),),
                         where=(Grid.established_on <= date_to,
                                or_(Grid.ended_on.is_(None), Grid.ended_on > date_to))),
        # due by the period's end and not yet held (an election starts a new term)
        "elections_due": by_town(func.count(), joins=(body,), where=(
            GovernanceBody.term_ends_on <= date_to,
            or_(GovernanceBody.ended_on.is_(None), GovernanceBody.ended_on > date_to))),
        "elections_held": by_town(func.count(), joins=(
            body, (Election, Election.body_id == GovernanceBody.id)),
            where=(Election.held_on.between(date_from, date_to),)),
    }


def figures(session, query, scope):
    """The figures of ``query``'s period, by county and town, in the caller's area."""
    date_from, date_to = query["date_from"], query["date_to"]
    counties_q = scope.in_area(select(County.code, County.name).order_by(County.code),
                               County.code, level=domain.COUNTY)
    towns_q = scope.in_area(select(Town.code, Town.name, Town.county_code)
                            .order_by(Town.code), Town.code)
    if query.get("county_code"):
        counties_q = counties_q.where(County.code == query["county_code"])
        towns_q = towns_q.where(Town.county_code == query["county_code"])
    counties = {code: {"county_code": code, "county_name": name, "towns": [],
                       **dict.fromkeys(FIGURES, 0)}
                for code, name in session.execute(counties_q)}
    towns = {}
    for code, name, county in session.execute(towns_q):
        if county in counties:
            towns[code] = {"town_code": code, "town_name": name, **dict.fromkeys(FIGURES, 0)}
            counties[county]["towns"].append(towns[code])
    towns_in = select(Town.code).where(Town.code.in_(towns_q.with_only_columns(Town.code)))
    for figure, q in _per_town(date_from, date_to).items():
        names = (("communities", "villages") if figure == "units" else
                 ("assemblies", "quorate_assemblies") if figure == "assemblies" else
                 (figure,))
        for town, *counts in session.execute(q.where(Community.town_code.in_(towns_in))):
            if town in towns:
                towns[town].update(zip(names, counts, strict=True))
    for county in counties.values():
        for name in FIGURES:
            county[name] = sum(t[name] for t in county["towns"])
    return {"date_from": date_from, "date_to": date_to, "counties": list(counties.values())}
