"""RabbitMQ stopped and started again while requests and events flow.

The services reconnect by themselves; requests made while the broker is away get a quick
503; changes committed meanwhile announce themselves once it is back; and in the end every
accepted write exists once and every event arrived once.
"""
import collections

import pytest
from kombu import Connection
from nameko.testing.services import entrypoint_hook

from fazhi_common.messaging import event_queue_name
from registry.service import RegistryService
from tests.helpers import queued_events, wait_until

R = "/api/v1/registry"
TOWN = "330110001000"
TEST_TIMEOUT = 300  # pytest-timeout of the test below
# the gateway's RPC timeout while the broker is away, far beyond the test's own: a request
# that waited instead of failing fast ends the test by its timeout, not with a 503
OUTAGE_RPC_TIMEOUT = 10 * TEST_TIMEOUT



def _village(n):
    return {"code": f"{TOWN[:9]}{n:03d}", "town_code": TOWN, "name": f"村{n}",
            "kind": "village"}


@pytest.mark.broker_outage
@pytest.mark.timeout(TEST_TIMEOUT)
def test_broker_restart_loses_nothing_and_doubles_nothing(container_factory, service_config,
                                                          gateway, rabbit_config,
                                                          broker_node):
    container = container_factory(RegistryService, service_config(
        "registry", OUTBOX_MAX_BACKOFF_SECONDS=1.0))
    container.start()
    assert gateway.post(f"{R}/counties", json={"code": "330110000000", "name": "余杭区",
                                                "kind": "district"}).status_code == 201
    town = {"code": TOWN, "county_code": "330110000000", "name": "良渚街道", "kind": "street"}
    assert gateway.post(f"{R}/towns", json=town).status_code == 201
    accepted = [n for n in range(1, 6)
                if gateway.post(f"{R}/communities", json=_village(n)).status_code == 201]

    pool = gateway.app.extensions["rpc"]
    configured = pool.timeout
    pool.close()  # the idle clients were made with the configured timeout
    pool.timeout = OUTAGE_RPC_TIMEOUT
    broker_node.ctl("stop_app")
    try:
        during = [gateway.post(f"{R}/communities", json=_village(n)).status_code
                  for n in range(6, 9)]
        assert during == [503, 503, 503]  # answered at once: no timeout could end them
        # changes that reach the service by another path still commit
        with entrypoint_hook(container, "register_community") as register:
            for n in range(9, 12):
                register(_village(n))
                accepted.append(n)
    finally:
        pool.timeout = configured
        broker_node.ctl("start_app")
        broker_node.ctl("await_startup")

    # the service reconnects by itself; the first calls may still find it reconnecting
    def registered():
        status = gateway.post(f"{R}/communities", json=_village(12)).status_code
        assert status in (201, 503), status
        return status == 201

    wait_until(registered, timeout=60, interval=1)
    accepted.append(12)
    for n in range(13, 18):
        assert gateway.post(f"{R}/communities", json=_village(n)).status_code == 201
        accepted.append(n)

    listed = gateway.get(f"{R}/communities?per_page=100").json["items"]
    assert sorted(c["code"] for c in listed) == sorted(_village(n)["code"] for n in accepted)
    def drain(expect, timeout):
        return queued_events(rabbit_config["AMQP_URI"], "registry", "community_registered",
                             "evaluation", expect=expect, timeout=timeout)

    events = drain(len(accepted), 30)
    # and nothing more after them: the relay's duplicates, if any, were published while it
    # reconnected, before the last of these arrived
    with Connection(rabbit_config["AMQP_URI"]) as conn:
        name = event_queue_name("registry", "community_registered", "evaluation")
        assert conn.default_channel.queue_declare(queue=name, passive=True).message_count == 0
    per_unit = collections.Counter(e["data"]["community_code"] for e in events)
    assert per_unit == {_village(n)["code"]: 1 for n in accepted}
