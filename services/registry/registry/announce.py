"""Replaying the registry's units to the services that keep a read model of them.

A read model learns units from the registry's events; units registered before a service
started keeping one (an upgraded installation) were never announced to it. ``announce_units``
publishes every unit's current state as ``unit_snapshot`` events through the outbox, so
nothing is lost while the broker is down. It is not a registration: evaluation hears no
``community_registered`` again, so nothing is rescored.

The units are read in chunks by code (keyset, never the whole list in memory: a nation has
some 650 000), one transaction and one event per chunk. Each chunk's rows are read under a
share lock (PostgreSQL) and its time taken after reading them: a change committed later
is announced later, so a read model that applies snapshots only over older facts never
undoes it. Running it again announces the same states, which change nothing.
"""
from sqlalchemy import func, select

from fazhi_common.clock import utcnow
from fazhi_common.outbox import record_event
from registry import domain
from registry.models import Community, County, Reorganisation, ReorganisationSource, Town

CHUNK = 500


def _counties(session, after, size):
    rows = session.execute(select(County.code, County.name, County.kind)
                           .where(County.code > after).order_by(County.code).limit(size)
                           .with_for_update(read=True))
    return [{"code": code, "level": domain.COUNTY, "name": name, "kind": kind,
             "county_code": code, "town_code": None, "active": True}
            for code, name, kind in rows]


def _towns(session, after, size):
    rows = session.execute(select(Town.code, Town.name, Town.kind, Town.county_code)
                           .where(Town.code > after).order_by(Town.code).limit(size)
                           .with_for_update(read=True))
    return [{"code": code, "level": domain.TOWN, "name": name, "kind": kind,
             "county_code": county, "town_code": code, "active": True}
            for code, name, kind, county in rows]


def _communities(session, after, size):
    # what an inactive unit became: the latest reorganisation it was a source of that
    # produced another unit (a convert keeps the code and so names no successor); looked
    # up per inactive row through the index on source_code, not over every reorganisation
    latest = (select(func.max(Reorganisation.id))
              .join(ReorganisationSource,
                    Reorganisation.id == ReorganisationSource.reorganisation_id)
              .where(ReorganisationSource.source_code == Community.code,
                     Reorganisation.result_code != Community.code)
              .correlate(Community).scalar_subquery())
    query = (select(Community.code, Community.name, Community.kind, Community.county_code,
                    Community.town_code, Community.status, latest)
             .where(Community.code > after).order_by(Community.code).limit(size)
             .with_for_update(read=True, of=Community))
    rows = session.execute(query).all()
    became = {r.id: r for r in session.execute(
        select(Reorganisation.id, Reorganisation.result_code, Reorganisation.kind,
               Reorganisation.effective_on)
        .where(Reorganisation.id.in_({row[6] for row in rows if row[5] != "active"
                                      and row[6] is not None})))}
    units = []
    for code, name, kind, county, town, status, reorganisation_id in rows:
        active = status == "active"
        how = None if active else became.get(reorganisation_id)
        units.append({"code": code, "level": domain.COMMUNITY, "name": name, "kind": kind,
                      "county_code": county, "town_code": town, "active": active,
                      "successor_code": how and how.result_code,
                      "reorganisation_kind": how and how.kind,
                      "reorganised_on": how and how.effective_on})
    return units


READERS = ((domain.COUNTY, County, _counties), (domain.TOWN, Town, _towns),
           (domain.COMMUNITY, Community, _communities))


def count_units(session):
    return {level: session.scalar(select(func.count()).select_from(model))
            for level, model, _ in READERS}


def announce_units(sessions, chunk=CHUNK, progress=None):
    """Put every unit into the outbox as ``unit_snapshot`` events, ``chunk`` units an
    event, each chunk committed on its own (``sessions``: a session factory). Returns
    ``{"units": n, "events": m}``. ``progress(stage, done, total)`` is told along."""
    with sessions() as session:
        totals = count_units(session)
    units = events = 0
    for level, _, read in READERS:
        after, done = "", 0
        while True:
            with sessions() as session:
                batch = read(session, after, chunk)
                if not batch:
                    break
                # taken after reading, under the rows' lock: see the module's note
                record_event(session, "unit_snapshot",
                             {"taken_at": utcnow(), "units": batch})
                session.commit()
            after, done = batch[-1]["code"], done + len(batch)
            units, events = units + len(batch), events + 1
            if progress:
                progress(level, done, max(totals[level], done))
    return {"units": units, "events": events}
