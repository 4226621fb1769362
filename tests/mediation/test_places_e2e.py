"""Places checked against the registry: mediation keeps the registry's units from its
events (relayed over the real broker), refuses unknown and inactive units, names what a
merged village became, and needs no registry running to do so."""
from datetime import date

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from fazhi_common.db import make_engine
from fazhi_common.outbox import OutboxEvent, OutboxRelay, ProcessedEvent, record_event
from mediation.models import KnownUnit
from registry import cli
from registry.models import Community, County, Reorganisation, ReorganisationSource, Town
from tests.helpers import wait_until
from tests.mediation.factories import M, organisation, party, referral, register_organisations

COUNTY, TOWN = "330106000000", "330106005000"
VILLAGE_A, VILLAGE_B, MERGED = "330106005201", "330106005202", "330106005101"
AREA = {"county_code": COUNTY, "town_code": TOWN}


@pytest.fixture
def outbox(database_url):
    """A database shaped like the registry's, standing in for its outbox."""
    engine = make_engine(database_url("registry"))
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


def publish(outbox, rabbit_config, events):
    with outbox() as session:
        for event_type, data in events:
            record_event(session, event_type, data)
        session.commit()
    OutboxRelay("registry", outbox, rabbit_config).publish_pending()


def known(mediation, code):
    engine = make_engine(mediation.config["DATABASE_URL"])
    try:
        with sessionmaker(engine)() as session:
            unit = session.get(KnownUnit, code)
            return None if unit is None else (unit.active, unit.successor_code)
    finally:
        engine.dispose()


def test_units_from_registry_events_and_refusals(mediation, gateway, outbox, rabbit_config):
    register_organisations(gateway)
    publish(outbox, rabbit_config, [
        ("county_registered", {"county_code": COUNTY, "name": "西湖区", "kind": "district"}),
        ("town_registered", {**AREA, "name": "转塘街道", "kind": "street"}),
        *[("community_registered", {**AREA, "community_code": code, "name": name,
                                    "kind": "village"})
          for code, name in ((VILLAGE_A, "大诸桥村"), (VILLAGE_B, "小诸桥村"))],
    ])
    wait_until(lambda: known(mediation, VILLAGE_B) == (True, None))
    # the registry is not running in this test: the read model answers on its own
    people = gateway.post(f"{M}/organisations", json=organisation(
        "people", county=COUNTY, town=TOWN, department="justice-330106005"))
    assert people.status_code == 201, people.json
    resident = gateway.anonymous()
    application = {"community_code": VILLAGE_A, "dispute_category": "land",
                   "description": "A boundary dispute.", "parties": [party()]}
    assert resident.post(f"{M}/applications", json=application).status_code == 201

    # 并: the two villages merge into a new community
    publish(outbox, rabbit_config, [
        ("community_reorganised", {**AREA, "community_code": MERGED, "reorganisation_id": 7,
                                   "reorganisation_kind": "merge", "effective_on": date(2025, 3, 1),
                                   "source_codes": [VILLAGE_A, VILLAGE_B],
                                   "deactivated_codes": [VILLAGE_A, VILLAGE_B]}),
        ("community_registered", {**AREA, "community_code": MERGED, "name": "诸桥社区",
                                  "kind": "rural_community"})])
    wait_until(lambda: known(mediation, VILLAGE_A) == (False, MERGED)
               and known(mediation, MERGED) == (True, None))
    refused = resident.post(f"{M}/applications", json=application)
    assert refused.status_code == 422
    assert MERGED in refused.json["detail"] and "merge on 2025-03-01" in refused.json["detail"]
    assert refused.json["fields"]["community_code"] == [f"inactive; now {MERGED}"]
    moved = resident.post(f"{M}/applications", json={**application, "community_code": MERGED})
    assert moved.status_code == 201, moved.json

    # the examples: an unknown community and a county that does not exist
    unknown = gateway.post(f"{M}/referrals", json=referral(
        people.json["id"], "court", "U-1", community_code="330106501777"))
    assert unknown.status_code == 422
    assert unknown.json["fields"]["community_code"] == ["unknown community or village"]
    nowhere = gateway.post(f"{M}/organisations", json=organisation("medical",
                                                                    county="339988000000"))
    assert nowhere.status_code == 422 and nowhere.json["fields"]["county_code"] == [
        "unknown county"]
    bad_town = gateway.post(f"{M}/organisations", json=organisation(
        "medical", county=COUNTY, town="330106009000"))
    assert bad_town.status_code == 422 and "town_code" in bad_town.json["fields"]
    # (legal aid's own refusals of unknown places: tests/legalservices/test_services_e2e.py)
    # the coverage report shows the registry's new county though it has one organisation
    coverage = {c["county_code"]: c for c in gateway.get(f"{M}/coverage").json["counties"]}
    assert coverage[COUNTY]["organisations"] == {"people": 1}
    assert gateway.get(f"{M}/cases").json["total"] == 2  # nothing refused was stored


# -- units from before an upgrade: the registry replays them (fazhi-registry announce-units) --

OLD_COUNTY, OLD_TOWN = "330108000000", "330108002000"
OLD_VILLAGE, OLD_MERGED, OLD_RESULT = "330108002201", "330108002202", "330108002101"


@pytest.fixture
def old_registry(database_url, tmp_path):
    """A registry database holding units written straight into it, as an installation
    from before the read model of units has them: no event ever announced them."""
    url = database_url("registry")
    config = tmp_path / "registry.yml"
    config.write_text(yaml.safe_dump({"DATABASE_URL": url}))
    engine = make_engine(url)
    sessions = sessionmaker(engine, expire_on_commit=False)
    with sessions() as session:
        session.add(County(code=OLD_COUNTY, name="滨江区", kind="district"))
        session.flush()
        session.add(Town(code=OLD_TOWN, county_code=OLD_COUNTY, name="长河街道", kind="street"))
        session.flush()
        for code, name, kind, status in (
                (OLD_VILLAGE, "山一村", "village", "active"),
                (OLD_MERGED, "山二村", "village", "inactive"),
                (OLD_RESULT, "长河社区", "rural_community", "active")):
            session.add(Community(code=code, town_code=OLD_TOWN, county_code=OLD_COUNTY,
                                  name=name, kind=kind, status=status))
        session.flush()
        session.add(Reorganisation(kind="merge", effective_on=date(2024, 6, 1),
                                   result_code=OLD_RESULT, sources=[
                                       ReorganisationSource(source_code=OLD_MERGED)]))
        session.commit()
    yield str(config), sessions
    engine.dispose()


def read_model(mediation):
    engine = make_engine(mediation.config["DATABASE_URL"])
    try:
        with sessionmaker(engine)() as session:
            units = {u.code: (u.level, u.name, u.active, u.successor_code,
                              u.reorganisation_kind, u.reorganised_on)
                     for u in session.scalars(select(KnownUnit).where(
                         KnownUnit.county_code == OLD_COUNTY))}
            handled = session.scalar(select(func.count()).select_from(ProcessedEvent).where(
                ProcessedEvent.handler == "on_unit_snapshot"))
            return units, handled
    finally:
        engine.dispose()


def announce(config, sessions, rabbit_config):
    assert cli.main(["--config", config, "announce-units", "--chunk", "2"]) == 0
    OutboxRelay("registry", sessions, rabbit_config).publish_pending()


def test_units_from_before_the_upgrade_are_replayed_once(mediation, gateway, old_registry,
                                                         rabbit_config, capsys):
    config, sessions = old_registry
    resident = gateway.anonymous()
    application = {"community_code": OLD_VILLAGE, "dispute_category": "land",
                   "description": "A boundary dispute.", "parties": [party()]}
    people = organisation("people", county=OLD_COUNTY, town=OLD_TOWN,
                          department="justice-330108002")
    # the old units are unknown to mediation: it refuses them
    refused = resident.post(f"{M}/applications", json=application)
    assert refused.status_code == 422
    assert refused.json["fields"]["community_code"] == ["unknown community or village"]
    assert gateway.post(f"{M}/organisations", json=people).status_code == 422

    announce(config, sessions, rabbit_config)
    assert "announced 5 units in 4 unit_snapshot events" in capsys.readouterr().out
    with sessions() as session:
        # a replay, not registrations: evaluation hears nothing it would rescore
        assert sorted(session.scalars(select(OutboxEvent.event_type)).all()) == \
            ["unit_snapshot"] * 4
    units, _ = wait_until(lambda: (r := read_model(mediation))[1] == 4 and r)
    assert units == {
        OLD_COUNTY: ("county", "滨江区", True, None, None, None),
        OLD_TOWN: ("town", "长河街道", True, None, None, None),
        OLD_VILLAGE: ("community", "山一村", True, None, None, None),
        OLD_MERGED: ("community", "山二村", False, OLD_RESULT, "merge", date(2024, 6, 1)),
        OLD_RESULT: ("community", "长河社区", True, None, None, None)}

    assert gateway.post(f"{M}/organisations", json=people).status_code == 201
    accepted = resident.post(f"{M}/applications", json=application)
    assert accepted.status_code == 201, accepted.json
    merged = resident.post(f"{M}/applications",
                           json={**application, "community_code": OLD_MERGED})
    assert merged.status_code == 422
    assert OLD_RESULT in merged.json["detail"] and "merge on 2024-06-01" in \
        merged.json["detail"]
    assert merged.json["fields"]["community_code"] == [f"inactive; now {OLD_RESULT}"]

    # a second run announces the same states again: handled, and nothing changes
    announce(config, sessions, rabbit_config)
    again, _ = wait_until(lambda: (r := read_model(mediation))[1] == 8 and r)
    assert again == units
    assert gateway.get(f"{M}/cases").json["total"] == 1
