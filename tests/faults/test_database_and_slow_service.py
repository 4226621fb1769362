"""Faults the gateway and services must ride out: a database that goes away, a slow
service. Each test checks that nothing is lost and nothing is done twice."""
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit, urlunsplit

import eventlet
import pytest
from nameko.rpc import rpc as plain_rpc

from gateway.openapi import documented
from gateway.views import call
from registry.service import RegistryService
from tests.conftest import TEST_DATABASE
from tests.helpers import TcpProxy

R = "/api/v1/registry"


def _county(n):
    return {"code": f"3301{n:02d}000000", "name": f"县{n}", "kind": "county"}


class SlowService:
    """Stands in for a service that has stalled."""

    name = "slowpoke"

    @plain_rpc
    def nap(self, seconds):
        eventlet.sleep(seconds)
        return "awake"


SLOW_TEST_TIMEOUT = 100  # pytest-timeout of the test below


@pytest.mark.timeout(SLOW_TEST_TIMEOUT)
def test_a_slow_service_gets_503_quickly_without_piling_up(container_factory, rabbit_config,
                                                           registry_container, gateway_config):
    from gateway.app import create_app
    from tests.conftest import AuthedClient

    container_factory(SlowService, rabbit_config).start()
    app = create_app(gateway_config)
    pool = app.extensions["rpc"]
    requests = 8
    # "Quickly" is the test's own pytest-timeout, not a guess about the machine: the
    # service naps far longer, so a gateway that waited for it (or for a free client
    # without bound) ends the test by that timeout instead of answering 503.
    nap = 10 * SLOW_TEST_TIMEOUT

    @documented("test only", public=True)
    def slow_view():
        return {"answer": call("slowpoke", "nap", nap)}

    app.add_url_rule("/test/slow", "slow_view", slow_view)
    gateway = AuthedClient(app).as_role("viewer")
    client = app.test_client()
    with ThreadPoolExecutor(max_workers=requests) as threads:
        answers = list(threads.map(lambda _: client.get("/test/slow"), range(requests)))
    assert [a.status_code for a in answers] == [503] * requests
    assert {a.json["code"] for a in answers} == {"service_unavailable"}
    assert pool._open <= pool.size  # never more clients than the pool allows
    # other services behind the same gateway still answer
    assert gateway.get(f"{R}/counties").status_code == 200
    pool.close()


@pytest.fixture
def registry_container(container_factory, service_config):
    container = container_factory(RegistryService, service_config("registry"))
    container.start()
    return container


@pytest.fixture
def database_proxy(service_config):
    """A proxy in front of the registry's database. Requested before the containers, so
    it closes after they stop: no thread or connection of it outlives the test."""
    url = urlsplit(service_config("registry")["DATABASE_URL"])
    with TcpProxy(url.hostname, url.port or 5432) as proxy:
        yield proxy


@pytest.mark.skipif(TEST_DATABASE == "sqlite", reason="an embedded database cannot go away")
def test_database_outage_gives_503s_then_recovers(database_proxy, container_factory,
                                                  service_config, gateway):
    proxy = database_proxy
    config = service_config("registry")
    url = urlsplit(config["DATABASE_URL"])
    proxied = urlunsplit(url._replace(netloc=f"{url.username}@127.0.0.1:{proxy.port}"))
    container = container_factory(RegistryService, dict(config, DATABASE_URL=proxied))
    container.start()

    assert gateway.post(f"{R}/counties", json=_county(1)).status_code == 201
    proxy.cut()
    during = [gateway.post(f"{R}/counties", json=_county(n)) for n in (2, 3)]
    assert [r.status_code for r in during] == [503, 503]
    assert {r.json["code"] for r in during} == {"service_unavailable"}
    assert gateway.get(f"{R}/counties").status_code == 503
    proxy.restore()

    assert gateway.post(f"{R}/counties", json=_county(2)).status_code == 201
    codes = [c["code"] for c in gateway.get(f"{R}/counties").json["items"]]
    assert codes == ["330101000000", "330102000000"]  # 3 never committed, none twice
