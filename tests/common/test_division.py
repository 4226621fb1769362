"""The division code value type: parsing, levels, lineage, areas, NBS numbering."""
import json
import pickle

import pytest
from marshmallow import Schema, ValidationError

from fazhi_common.division import (
    COMMUNITY,
    COUNTY,
    PREFECTURE,
    PROVINCE,
    TOWN,
    Division,
    DivisionField,
    InvalidDivision,
    parse,
    prefix_of,
)

DONGGUAN = "441900000000"
DONGGUAN_TOWN = "441900003000"      # 东城街道, directly under the city
DONGGUAN_COMMUNITY = "441900003001"


@pytest.mark.parametrize("code, level", [
    ("330000000000", PROVINCE),
    ("330100000000", PREFECTURE),
    ("330102000000", COUNTY),
    ("330102001000", TOWN),
    ("330102001001", COMMUNITY),
    ("330102001201", COMMUNITY),
    (DONGGUAN, PREFECTURE),
    (DONGGUAN_TOWN, TOWN),
    (DONGGUAN_COMMUNITY, COMMUNITY),
    ("442000001000", TOWN),          # Zhongshan
    ("460400100000", TOWN),          # Danzhou
    ("620200100201", COMMUNITY),     # Jiayuguan
    ("429004001000", TOWN),          # a county-level city under the province (仙桃)
])
def test_level(code, level):
    assert Division(code).level == level


@pytest.mark.parametrize("code, problem", [
    ("33010200100", "exactly 12 digits"),
    ("3301020010011", "exactly 12 digits"),
    ("33010200100a", "exactly 12 digits"),
    ("33010200100１", "exactly 12 digits"),  # a full-width digit is no digit here
    (" 330102001001", "exactly 12 digits"),
    ("", "exactly 12 digits"),
    ("000000000000", "province"),
    ("003301000000", "province"),
    ("330001000000", "prefecture part"),
    ("330100001000", "county part"),        # a town under a city that has counties
    ("330100001001", "county part"),
    ("330102000001", "town part"),
    ("441900000001", "town part"),          # even a city without counties has towns
])
def test_invalid(code, problem):
    with pytest.raises(InvalidDivision, match=problem):
        Division(code)


@pytest.mark.parametrize("value", [None, 330102001001, b"330102001001"])
def test_only_text_is_a_code(value):
    with pytest.raises(InvalidDivision):
        Division(value)


def test_a_division_is_its_code():
    d = Division("330102001001")
    assert d == "330102001001" and hash(d) == hash("330102001001")
    assert d.code == "330102001001" and type(d.code) is str
    assert json.dumps({"c": d}) == '{"c": "330102001001"}'
    assert pickle.loads(pickle.dumps(d)) == d
    assert Division(d) is d
    assert repr(d) == "Division('330102001001')"
    with pytest.raises(AttributeError):
        d.extra = 1


def test_parent_and_ancestors():
    community = Division("330102001001")
    assert community.parent == "330102001000"
    assert community.ancestors == ("330000000000", "330100000000", "330102000000",
                                   "330102001000")
    assert all(isinstance(a, Division) for a in community.ancestors)
    assert community.lineage()[-1] is community
    assert Division("330000000000").parent is None
    assert Division("330000000000").ancestors == ()


def test_city_without_counties_holds_towns_in_a_countys_place():
    town, community = Division(DONGGUAN_TOWN), Division(DONGGUAN_COMMUNITY)
    assert town.parent == DONGGUAN
    assert community.ancestors == ("440000000000", DONGGUAN, DONGGUAN_TOWN)
    assert town.county == DONGGUAN and community.county == DONGGUAN
    assert community.town == DONGGUAN_TOWN
    assert Division(DONGGUAN).stands_as_county and Division(DONGGUAN).without_counties
    assert Division(DONGGUAN).county == DONGGUAN
    # an ordinary city is not a county, and has none of its own
    assert not Division("330100000000").stands_as_county
    assert Division("330100000000").county is None
    assert Division("330102001001").county == "330102000000"
    assert Division("330102000000").town is None


@pytest.mark.parametrize("area, prefix", [
    ("330000000000", "33"), ("330100000000", "3301"), ("330102000000", "330102"),
    ("330102001000", "330102001"), ("330102001001", "330102001001"),
    (DONGGUAN, "4419"), (DONGGUAN_TOWN, "441900003"),
])
def test_prefix(area, prefix):
    assert Division(area).prefix == prefix
    assert prefix_of(area) == prefix


def test_covers():
    city = Division("330100000000")
    assert city.covers("330102001001") and city.covers(Division("330102000000"))
    assert city.covers(city)
    assert not city.covers("330200000000") and not city.covers(None)
    assert not Division("330102001000").covers("330102000000")  # not upwards
    assert Division(DONGGUAN).covers(DONGGUAN_COMMUNITY)
    assert not Division(DONGGUAN).covers("442000001000")
    assert Division("440000000000").covers(DONGGUAN_COMMUNITY)
    assert prefix_of(None) == "" and prefix_of("") == ""


@pytest.mark.parametrize("code, numbered_as", [
    ("330102001001", "community"), ("330102001199", "community"),
    ("330102001200", "village"), ("330102001399", "village"),
    ("330102001400", None), ("330102001000", None), ("330102000000", None),
])
def test_nbs_numbering(code, numbered_as):
    assert Division(code).numbered_as == numbered_as


def test_parse_keeps_absence():
    assert parse(None) is None and parse("") is None
    assert parse("330102001001") == "330102001001"


class Row(Schema):
    code = DivisionField(required=True)
    town_code = DivisionField(levels=(TOWN,), allow_none=True)


def test_field_loads_a_division():
    loaded = Row().load({"code": DONGGUAN_COMMUNITY, "town_code": DONGGUAN_TOWN})
    assert isinstance(loaded["code"], Division) and loaded["code"].level == COMMUNITY
    assert Row().load({"code": "330102001001", "town_code": None})["town_code"] is None
    assert Row().dump(loaded) == {"code": DONGGUAN_COMMUNITY, "town_code": DONGGUAN_TOWN}


@pytest.mark.parametrize("data, field, problem", [
    ({"code": "12345"}, "code", "exactly 12 digits"),
    ({"code": 330102001001}, "code", "Not a valid string"),
    ({"code": "330100001000"}, "code", "county part"),
    ({"code": "330102001001", "town_code": "330102000000"}, "town_code",
     "is a county code, not a town code"),
])
def test_field_refuses(data, field, problem):
    with pytest.raises(ValidationError) as caught:
        Row().load(data)
    assert problem in caught.value.messages[field][0]


def test_widened_to():
    assert Division("330102001001").widened_to(COUNTY) == "330102000000"
    assert Division("330102001001").widened_to(TOWN) == "330102001000"
    assert Division("330102001000").widened_to(TOWN) == "330102001000"
    assert Division("330100000000").widened_to(COUNTY) == "330100000000"
    assert Division(DONGGUAN_COMMUNITY).widened_to(COUNTY) == DONGGUAN
    assert Division(DONGGUAN).widened_to(COUNTY) == DONGGUAN


def test_child():
    assert Division("330102000000").child(1) == "330102001000"
    assert Division("330102001000").child(201) == "330102001201"
    assert Division(DONGGUAN).child(3) == DONGGUAN_TOWN          # no county in between
    assert Division("330100000000").child(2) == "330102000000"
    assert Division("330000000000").child(1) == "330100000000"
    for bad in (0, 1000):
        with pytest.raises(InvalidDivision):
            Division("330102001000").child(bad)
    with pytest.raises(InvalidDivision):
        Division("330102001001").child(1)


def test_jiayuguan_coded_under_its_own_county_part_is_an_ordinary_county():
    """The national list codes 嘉峪关市's one county-level part 620201 (not 00): its towns
    lie under 620201000000, which lies under the city; the 00 shape still reads as before."""
    town = Division("620201100000")
    assert town.parent == "620201000000" and town.county == "620201000000"
    assert Division("620201100201").ancestors == (
        "620000000000", "620200000000", "620201000000", "620201100000")
    assert Division("620201000000").stands_as_county
    assert not Division("620201000000").without_counties
    assert Division("620200100000").parent == "620200000000"  # the 00 shape
