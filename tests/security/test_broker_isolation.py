"""Each service's broker user reaches only its own queues and exchanges."""
import uuid

import pytest
import requests
from amqp.exceptions import AccessRefused
from kombu import Connection, Exchange

from deploy.rabbitmq.broker_users import all_permissions, apply, passwords
from fazhi_common.messaging import rpc_queue
from registry.service import RegistryService
from tests.helpers import queued_events

# gives broker users of its own permissions on the vhost: a vhost no other test used
pytestmark = pytest.mark.fresh_vhost

R = "/api/v1/registry"


@pytest.fixture
def broker_users(rabbit_config, request):
    host, vhost = rabbit_config["AMQP_URI"].split("@", 1)[1].rsplit("/", 1)
    api = request.config.getoption("RABBIT_API_URI").rstrip("/")
    prefix = f"t{uuid.uuid4().hex[:8]}-"
    table = all_permissions(prefix)
    secrets = passwords(None, table)
    apply(api, vhost, table, secrets)

    def uri(user):
        return f"pyamqp://{prefix}{user}:{secrets[prefix + user]}@{host}/{vhost}"
    yield uri
    for user in table:
        requests.delete(f"{api}/api/users/{user}")


def _refused(uri, action):
    with Connection(uri) as conn, pytest.raises(AccessRefused):
        # publishes wait for the broker's confirm, so a refusal is reported, not dropped
        action(conn.channel())


def test_services_work_under_their_own_users(broker_users, container_factory,
                                              service_config, gateway_config, rabbit_config):
    from gateway.app import create_app
    from tests.conftest import AuthedClient

    registry = container_factory(RegistryService, service_config(
        "registry", AMQP_URI=broker_users("registry")))
    registry.start()
    app = create_app(dict(gateway_config, AMQP_URI=broker_users("gateway")))
    client = AuthedClient(app).as_role("platform_admin")
    created = client.post(f"{R}/counties", json={"code": "330110000000", "name": "余杭区",
                                                 "kind": "district"})
    assert created.status_code == 201
    [event] = queued_events(rabbit_config["AMQP_URI"], "registry", "county_registered",
                            "notifications")
    assert event["data"]["county_code"] == "330110000000"
    app.extensions["rpc"].close()


def test_a_service_user_cannot_touch_another_services_traffic(broker_users, rabbit_config):
    with Connection(rabbit_config["AMQP_URI"]) as admin:  # what other services would declare
        channel = admin.channel()
        rpc_queue("mediation", {})(channel).declare()
        Exchange("mediation.events", type="topic", durable=True)(channel).declare()

    registry = broker_users("registry")
    _refused(registry, lambda ch: ch.basic_consume("rpc-mediation", callback=print))
    _refused(registry, lambda ch: ch.basic_publish_confirm(
        ch.prepare_message(b"{}"), exchange="mediation.events", routing_key="x"))
    _refused(registry, lambda ch: ch.queue_declare("rpc-mediation", durable=True))

    gateway = broker_users("gateway")
    _refused(gateway, lambda ch: ch.basic_consume("rpc-mediation", callback=print))
    _refused(gateway, lambda ch: ch.basic_publish_confirm(
        ch.prepare_message(b"{}"), exchange="mediation.events", routing_key="x"))
