"""The gateway's view of communities (gateway.unit_views): a community is served from it
once the registry's event has reached it, the writer reads its own write at once, roles and
areas are checked as the registry checks them, and an ETag answers a conditional request."""
import pytest
from sqlalchemy import select

from gateway.app import create_app
from gateway.models import CommunityView
from gateway.view_keeper import GatewayViewKeeper
from tests.conftest import AuthedClient
from tests.helpers import wait_until
from tests.registry.test_gateway_e2e import COUNTY, TOWN, _setup_town, _village

R = "/api/v1/registry"


@pytest.fixture
def viewing(gateway_config):
    """A second gateway app on the same account database, its view of communities on."""
    app = create_app({**gateway_config, "COMMUNITY_VIEW": True})
    yield app
    app.extensions["rpc"].close()


def _held(app, code):
    with app.extensions["db"]() as session:
        return session.scalar(select(CommunityView.body).where(CommunityView.code == code))


def test_served_from_the_view_checked_and_conditional(registry, gateway, viewing,
                                                      container_factory, gateway_config):
    keeper = container_factory(GatewayViewKeeper, {**gateway_config})
    keeper.start()
    admin = AuthedClient(viewing).as_role("platform_admin")
    _setup_town(gateway)
    # registered through the other gateway: this one learns it from the event
    code = _village(gateway, "201", "大陆村")["code"]
    from_registry = gateway.get(f"{R}/communities/{code}").json
    wait_until(lambda: _held(viewing, code))
    registry.stop()  # from here only the view can answer

    shown = admin.get(f"{R}/communities/{code}")
    assert shown.status_code == 200 and shown.json == from_registry
    assert shown.headers["Cache-Control"] == "private, no-cache"
    again = admin.get(f"{R}/communities/{code}",
                      headers={"If-None-Match": shown.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == shown.headers["ETag"]

    # roles and areas as the registry checks them: a viewer of the county sees it, one of
    # another county is told it does not exist (asked of the registry, which is down: 503
    # there, never the unit), a resident may not read the registry
    assert admin.as_role("viewer", COUNTY).get(f"{R}/communities/{code}").status_code == 200
    elsewhere = admin.as_role("viewer", "330106000000").get(f"{R}/communities/{code}")
    assert elsewhere.status_code in (404, 503) and "大陆村" not in elsewhere.text
    assert admin.as_role("resident").get(f"{R}/communities/{code}").status_code == 403


def test_the_writer_reads_its_own_write_at_once(registry, gateway, viewing):
    # no keeper runs: only the gateway's own writes fill its view
    admin = AuthedClient(viewing).as_role("platform_admin")
    _setup_town(admin)
    code = _village(admin, "201", "大陆村")["code"]
    _village(admin, "202", "安溪村")
    assert admin.patch(f"{R}/communities/{code}",
                       json={"economic_tier": "tier_1"}).status_code == 200
    assert '"tier_1"' in _held(viewing, code)
    assert admin.get(f"{R}/communities/{code}").json["economic_tier"] == "tier_1"

    # a reorganisation: its units are read from the registry, which says what became of them
    assert admin.post(f"{R}/reorganisations", json={
        "kind": "merge", "effective_on": "2024-03-01",
        "source_codes": [code, TOWN[:9] + "202"], "result_code": TOWN[:9] + "301",
        "new_unit": {"name": "良渚社区", "kind": "rural_community", "town_code": TOWN},
    }).status_code == 201
    assert _held(viewing, code) is None
    assert admin.get(f"{R}/communities/{code}").json["status"] == "inactive"
