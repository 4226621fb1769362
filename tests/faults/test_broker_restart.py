"""RabbitMQ stopped and started again while requests and events flow.

The services reconnect by themselves; requests made while the broker is away get a quick
503; changes committed meanwhile announce themselves once it is back; and in the end every
accepted write exists once and every event arrived once.
"""
import collections
import subprocess
import time

import pytest
from nameko.testing.services import entrypoint_hook

from registry.service import RegistryService
from tests.helpers import queued_events

R = "/api/v1/registry"
TOWN = "330110001000"


def _rabbitmqctl(*args):
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


def _village(n):
    return {"code": f"{TOWN[:9]}{n:03d}", "town_code": TOWN, "name": f"村{n}",
            "kind": "village"}


@pytest.mark.broker_outage
def test_broker_restart_loses_nothing_and_doubles_nothing(container_factory, service_config,
                                                          gateway, rabbit_config):
    container = container_factory(RegistryService, service_config(
        "registry", OUTBOX_MAX_BACKOFF_SECONDS=1.0))
    container.start()
    assert gateway.post(f"{R}/counties", json={"code": "330110000000", "name": "余杭区",
                                                "kind": "district"}).status_code == 201
    town = {"code": TOWN, "county_code": "330110000000", "name": "良渚街道", "kind": "street"}
    assert gateway.post(f"{R}/towns", json=town).status_code == 201
    accepted = [n for n in range(1, 6)
                if gateway.post(f"{R}/communities", json=_village(n)).status_code == 201]

    _rabbitmqctl("stop_app")
    try:
        started = time.monotonic()
        during = [gateway.post(f"{R}/communities", json=_village(n)).status_code
                  for n in range(6, 9)]
        assert during == [503, 503, 503]
        assert time.monotonic() - started < 15  # quick answers, not hangs
        # changes that reach the service by another path still commit
        with entrypoint_hook(container, "register_community") as register:
            for n in range(9, 12):
                register(_village(n))
                accepted.append(n)
    finally:
        _rabbitmqctl("start_app")
        _rabbitmqctl("await_startup")

    # the service reconnects by itself; the first calls may still find it reconnecting
    deadline = time.monotonic() + 60
    n = 12
    while time.monotonic() < deadline:
        status = gateway.post(f"{R}/communities", json=_village(n)).status_code
        if status == 201:
            accepted.append(n)
            break
        assert status == 503
        time.sleep(1)
    else:
        pytest.fail("the registry did not come back after the broker restarted")
    for n in range(13, 18):
        assert gateway.post(f"{R}/communities", json=_village(n)).status_code == 201
        accepted.append(n)

    listed = gateway.get(f"{R}/communities?per_page=100").json["items"]
    assert sorted(c["code"] for c in listed) == sorted(_village(n)["code"] for n in accepted)
    def drain(expect, timeout):
        return queued_events(rabbit_config["AMQP_URI"], "registry", "community_registered",
                             "evaluation", expect=expect, timeout=timeout)

    events = drain(len(accepted), 30) + drain(1, 2)  # and nothing more after them
    per_unit = collections.Counter(e["data"]["community_code"] for e in events)
    assert per_unit == {_village(n)["code"]: 1 for n in accepted}
