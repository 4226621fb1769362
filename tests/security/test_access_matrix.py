"""Role × area × endpoint: every allow and every deny, through the real gateway."""
import itertools

import pytest

from fazhi_common.contracts.roles import ROLES

R = "/api/v1/registry"
HOME, OTHER = "330110000000", "330122000000"  # two counties of one city
CITY = "330100000000"
WRITERS = {"platform_admin", "civil_affairs_officer"}
LEGAL = {"platform_admin", "justice_officer"}
STAFF = set(ROLES) - {"resident"}
_serial = itertools.count(300)


@pytest.fixture
def county_pair(registry, gateway):
    """Each county with a town and a village; returns the village codes."""
    villages = {}
    for county in (HOME, OTHER):
        town = county[:6] + "001000"
        village = county[:6] + "001201"
        assert gateway.post(f"{R}/counties", json={"code": county, "name": f"县{county[:6]}",
                                                    "kind": "county"}).status_code == 201
        assert gateway.post(f"{R}/towns", json={"code": town, "county_code": county,
                                                 "name": "镇", "kind": "town"}).status_code == 201
        assert gateway.post(f"{R}/communities", json={
            "code": village, "town_code": town, "name": "村",
            "kind": "village"}).status_code == 201
        villages[county] = village
    return villages


def _new_village(county):
    # names are unique among a town's communities: each its own
    serial = next(_serial)
    return {"code": f"{county[:6]}001{serial:03d}", "town_code": county[:6] + "001000",
            "name": f"新村{serial}", "kind": "village"}


def _endpoints(villages):
    """(name, roles allowed, request in area, same request in the other area, kind)."""
    def get(path):
        return lambda client: client.get(path)

    def post(path, body_of):
        return lambda client, county: client.post(path, json=body_of(county))

    return [
        ("get community", STAFF,
         get(f"{R}/communities/{villages[HOME]}"), get(f"{R}/communities/{villages[OTHER]}"),
         "read"),
        ("stage", STAFF,
         get(f"{R}/communities/{villages[HOME]}/stage?year=2026"),
         get(f"{R}/communities/{villages[OTHER]}/stage?year=2026"), "read"),
        ("register community", WRITERS, post(f"{R}/communities", _new_village), None, "write"),
        ("assign adviser", LEGAL, post(f"{R}/legal-advisers", lambda county: {
            "community_code": _new_adviser_target(county), "adviser_name": "王律师",
            "adviser_kind": "lawyer", "assigned_on": "2026-01-05"}), None, "write"),
        ("list communities", STAFF, get(f"{R}/communities"), None, "list"),
    ]


_ADVISER_TARGETS = {}


def _new_adviser_target(county):
    # each assignment needs a community without a current adviser
    return _ADVISER_TARGETS[county].pop()


def test_every_role_in_every_area(registry, gateway, county_pair):
    villages = county_pair
    for county in (HOME, OTHER):
        _ADVISER_TARGETS[county] = []
        for _ in range(len(ROLES) * 2):
            body = _new_village(county)
            assert gateway.post(f"{R}/communities", json=body).status_code == 201
            _ADVISER_TARGETS[county].append(body["code"])

    anonymous = gateway.anonymous()
    for name, allowed, in_area, out_of_area, kind in _endpoints(villages):
        if kind == "write":
            assert in_area(anonymous, HOME).status_code == 401, name
        else:
            assert in_area(anonymous).status_code == 401, name

        for role in ROLES:
            client = gateway.as_role(role, HOME)
            if kind == "write":
                mine, theirs = in_area(client, HOME), in_area(client, OTHER)
            else:
                mine = in_area(client)
                theirs = out_of_area(client) if out_of_area else None
            if role not in allowed:
                assert mine.status_code == 403, (name, role, mine.json)
                assert mine.json["code"] == "forbidden"
                continue
            assert mine.status_code in (200, 201), (name, role, mine.json)
            if kind == "write":
                assert theirs.status_code == 403, (name, role, theirs.json)
            elif kind == "read":
                # another area's object is not even admitted to exist
                assert theirs.status_code == 404, (name, role, theirs.json)
            else:
                codes = {c["code"][:6] for c in mine.json["items"]}
                assert codes == {HOME[:6]}, (name, role)

    # a city-level officer sees both counties; a platform admin sees everything
    city = gateway.as_role("civil_affairs_officer", CITY)
    listed = city.get(f"{R}/communities?per_page=500").json["items"]
    assert {c["code"][:6] for c in listed} == {HOME[:6], OTHER[:6]}


def test_no_mass_assignment_of_fields_a_role_may_not_set(registry, gateway, county_pair):
    body = dict(_new_village(HOME), status="inactive", county_code=OTHER)
    response = gateway.post(f"{R}/communities", json=body)
    assert response.status_code == 422
    assert set(response.json["fields"]) == {"status", "county_code"}
    assert gateway.get(f"{R}/communities/{body['code']}").status_code == 404


def test_a_town_officer_is_confined_to_the_town(registry, gateway, county_pair):
    town_officer = gateway.as_role("civil_affairs_officer", HOME[:6] + "001000")
    other_town = {"code": HOME[:6] + "002000", "county_code": HOME, "name": "另一镇",
                  "kind": "town"}
    assert town_officer.post(f"{R}/towns", json=other_town).status_code == 403
    own_village = _new_village(HOME)
    assert town_officer.post(f"{R}/communities", json=own_village).status_code == 201
    assert town_officer.get(f"{R}/counties/{HOME}").status_code == 404
