"""The registry-units read model (fazhi_common.units) on its own, on an in-memory SQLite."""
from datetime import date

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, Session

from fazhi_common.contracts.errors import ValidationFailed
from fazhi_common.division import COMMUNITY, COUNTY, TOWN
from fazhi_common.units import UnitColumns, UnitReadModel


class Base(DeclarativeBase):
    pass


class Unit(UnitColumns, Base):
    __tablename__ = "unit"


AREA = {"county_code": "330110000000", "town_code": "330110001000"}


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield session


def test_registered_units_are_known_at_their_level(session):
    units = UnitReadModel(Unit)
    units.apply(session, "county_registered", {"county_code": "330110000000",
                                               "name": "余杭区", "kind": "district"})
    units.apply(session, "town_registered", {**AREA, "name": "良渚街道", "kind": "street"})
    for _ in range(2):  # the same event twice changes nothing more
        units.apply(session, "community_registered", {**AREA, "community_code": "330110001201",
                                                      "name": "大陆村", "kind": "village"})
    assert units.require(session, "330110000000", COUNTY, "county_code").name == "余杭区"
    assert units.require(session, "330110001000", TOWN, "town_code").county_code == \
        "330110000000"
    assert units.require(session, "330110001201", COMMUNITY, "c").town_code == "330110001000"
    with pytest.raises(ValidationFailed) as caught:
        units.require(session, "330110001000", COMMUNITY, "community_code")  # a town
    assert caught.value.fields == {"community_code": ["unknown community or village"]}
    with pytest.raises(ValidationFailed):
        units.require(session, "330110001299", COMMUNITY, "community_code")


def test_a_merge_deactivates_and_names_the_successor_in_any_order(session):
    units = UnitReadModel(Unit)
    # the reorganisation arrives before the villages' and the result's registrations
    units.apply(session, "community_reorganised", {
        **AREA, "community_code": "330110001101", "reorganisation_id": 1,
        "reorganisation_kind": "merge", "effective_on": "2024-03-01",
        "source_codes": ["330110001201", "330110001202"],
        "deactivated_codes": ["330110001201", "330110001202"]})
    units.apply(session, "community_registered", {**AREA, "community_code": "330110001201",
                                                  "name": "大陆村", "kind": "village"})
    with pytest.raises(ValidationFailed) as caught:
        units.require(session, "330110001201", COMMUNITY, "community_code")
    assert "大陆村" in caught.value.message and "330110001101" in caught.value.message
    assert "merge on 2024-03-01" in caught.value.message
    result = units.require(session, "330110001101", COMMUNITY, "community_code")
    assert result.active and result.county_code == "330110000000"
    # a convert that keeps the code keeps the unit active
    units.apply(session, "community_reorganised", {
        **AREA, "community_code": "330110001203", "reorganisation_id": 2,
        "reorganisation_kind": "convert", "effective_on": date(2024, 5, 1),
        "source_codes": ["330110001203"], "deactivated_codes": ["330110001203"]})
    assert units.require(session, "330110001203", COMMUNITY, "c").active


def snapshot(taken_at, *units):
    return {"taken_at": taken_at, "units": [
        {"code": code, "level": COMMUNITY, "name": name, "kind": "village", **AREA,
         "active": active, "successor_code": successor,
         "reorganisation_kind": "merge" if successor else None,
         "reorganised_on": "2024-03-01" if successor else None}
        for code, name, active, successor in units]}


def test_a_snapshot_teaches_units_and_a_second_one_changes_nothing(session):
    units = UnitReadModel(Unit)
    first = snapshot("2026-11-25T10:00:00+00:00", ("330110001201", "大陆村", False,
                                                   "330110001101"),
                     ("330110001101", "诸桥社区", True, None))
    assert units.apply_snapshot(session, first) == 2
    with pytest.raises(ValidationFailed) as caught:
        units.require(session, "330110001201", COMMUNITY, "community_code")
    assert "330110001101" in caught.value.message and "merge on 2024-03-01" in \
        caught.value.message
    assert units.require(session, "330110001101", COMMUNITY, "c").name == "诸桥社区"
    # the same snapshot again, or a later one of the same states: nothing changes
    assert units.apply_snapshot(session, first) == 0
    assert units.apply_snapshot(session, {**first,
                                          "taken_at": "2026-11-25T11:00:00+00:00"}) == 0


def test_a_snapshot_never_undoes_a_newer_fact_nor_an_older_event_a_snapshot(session):
    units = UnitReadModel(Unit)
    code = "330110001201"
    # renamed at 12:00; a snapshot read at 11:00 arrives afterwards and is ignored for it
    units.apply(session, "community_updated", {**AREA, "community_code": code,
                                               "name": "新名村", "kind": "village"},
                "2026-11-25T12:00:00+00:00")
    assert units.apply_snapshot(session, snapshot("2026-11-25T11:00:00+00:00",
                                                  (code, "旧名村", True, None))) == 0
    assert units.require(session, code, COMMUNITY, "c").name == "新名村"
    # a snapshot at 13:00 wins, and an event of 12:30 arriving late does not undo it
    assert units.apply_snapshot(session, snapshot("2026-11-25T13:00:00+00:00",
                                                  (code, "今名村", True, None))) == 1
    units.apply(session, "community_updated", {**AREA, "community_code": code,
                                               "name": "过时村", "kind": "village"},
                "2026-11-25T12:30:00+00:00")
    assert units.require(session, code, COMMUNITY, "c").name == "今名村"
    # an event after the snapshot is applied
    units.apply(session, "community_updated", {**AREA, "community_code": code,
                                               "name": "最新村", "kind": "village"},
                "2026-11-25T14:00:00+00:00")
    assert units.require(session, code, COMMUNITY, "c").name == "最新村"
