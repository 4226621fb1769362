"""RPC between the gateway and a service, without publisher confirms on either leg.

Requests and replies go out transient and unconfirmed; what confirms used to buy must
still hold: a call to a service that never ran fails at once, and a connection the broker
closed is noticed before anything is published on it (a publish there is lost silently).
"""

import eventlet
import pytest
import requests
from kombu import Connection, Queue
from nameko.exceptions import IncorrectSignature, RemoteError
from nameko.rpc import get_rpc_exchange

from fazhi_common.contracts.errors import Unauthenticated
from fazhi_common.contracts.roles import EVERYONE, VIEWER, Identity
from fazhi_common.identity import CONTEXT_KEY, Caller, rpc, sign_identity, signing_key
from fazhi_common.messaging import broker_spoke
from fazhi_common.rpc import RpcReplies
from gateway.rpc import RpcPool, ServiceUnavailable
from tests.conftest import SIGNING_KEY, VERIFY_KEY
from tests.helpers import wait_until

CALLER = Identity(subject="rpc-test", role=VIEWER, department="tests")


class EchoService:
    name = "echo"
    caller = Caller()

    @rpc(roles=EVERYONE)
    def echo(self, value):
        return {"value": value, "by": self.caller.subject}

    @rpc(roles=EVERYONE)
    def unsendable(self):
        return object()


def _context():
    return {CONTEXT_KEY: sign_identity(CALLER, signing_key(SIGNING_KEY))}


@pytest.fixture
def echo(container_factory, rabbit_config):
    container = container_factory(EchoService, dict(rabbit_config,
                                                    GATEWAY_VERIFY_KEYS=VERIFY_KEY))
    container.start()
    return container


@pytest.fixture
def pool(rabbit_config):
    pool = RpcPool({"AMQP_URI": rabbit_config["AMQP_URI"]}, size=1, timeout=60)
    yield pool
    pool.close()


def _close_from_the_broker(request, rabbit_config, connection):
    """Closes ``connection`` the way a broker restart or an operator does: from its side."""
    api = request.config.getoption("RABBIT_API_URI").rstrip("/")
    port = connection.connection.sock.getsockname()[1]
    vhost = requests.utils.quote(rabbit_config["vhost"], safe="")

    def named():
        listed = requests.get(f"{api}/api/vhosts/{vhost}/connections", timeout=30).json()
        return [c["name"] for c in listed if c.get("peer_port") == port]

    [name] = wait_until(named, timeout=30, interval=0.5)  # the API lists it with a lag
    requests.delete(f"{api}/api/connections/{requests.utils.quote(name, safe='')}",
                    timeout=30).raise_for_status()
    wait_until(lambda: broker_spoke(connection), timeout=30)


NEVER_RAN_TEST_TIMEOUT = 100  # pytest-timeout of the test below


@pytest.mark.timeout(NEVER_RAN_TEST_TIMEOUT)
def test_a_service_that_never_ran_fails_the_call_at_once_and_the_client_is_kept(
        echo, rabbit_config):
    # the call's timeout is far beyond the test's own: waiting it out fails the test
    pool = RpcPool({"AMQP_URI": rabbit_config["AMQP_URI"]}, size=1,
                   timeout=10 * NEVER_RAN_TEST_TIMEOUT)
    try:
        with pytest.raises(ServiceUnavailable, match="not running"):
            pool.call("nobody", "anything", context=_context())
        assert pool._open == 1
        assert pool.call("echo", "echo", 1, context=_context()) == {"value": 1, "by": "rpc-test"}
        assert pool._open == 1  # the same client, kept after the unknown service
    finally:
        pool.close()


def test_a_request_is_transient_carries_its_context_and_expires_with_the_timeout(
        rabbit_config):
    pool = RpcPool({"AMQP_URI": rabbit_config["AMQP_URI"]}, size=1, timeout=20)
    spy = Queue("rpc-spy", exchange=get_rpc_exchange({}), routing_key="spy.*")
    with Connection(rabbit_config["AMQP_URI"]) as conn:
        spy(conn.default_channel).declare()
        caller = eventlet.spawn(pool.call, "spy", "look", 7, context={"who": "me", "none": None})
        message = wait_until(lambda: spy(conn.default_channel).get(), timeout=20)
        assert message.payload == {"args": [7], "kwargs": {}}
        assert message.properties["delivery_mode"] == 1
        assert message.properties["expiration"] == "20000"
        assert message.headers == {"nameko.who": "me"}
        conn.Producer(serializer="json").publish(
            {"result": "seen", "error": None}, exchange=get_rpc_exchange({}),
            routing_key=message.properties["reply_to"],
            correlation_id=message.properties["correlation_id"])
        assert caller.wait() == "seen"
    pool.close()


def test_a_reply_connection_the_broker_closed_is_replaced_before_a_reply_is_lost(
        echo, pool, rabbit_config, request):
    assert pool.call("echo", "echo", 1, context=_context())["value"] == 1
    [replies] = [e for e in echo.subextensions if isinstance(e, RpcReplies)]
    _close_from_the_broker(request, rabbit_config, replies._connection)
    # published on the closed connection, this reply would be lost and the call wait 60 s
    assert pool.call("echo", "echo", 2, context=_context())["value"] == 2


def test_a_pooled_client_the_broker_closed_is_replaced_before_a_request_is_lost(
        echo, pool, rabbit_config, request):
    assert pool.call("echo", "echo", 1, context=_context())["value"] == 1
    [idle] = list(pool._idle.queue)
    _close_from_the_broker(request, rabbit_config, idle.connection)
    assert pool.call("echo", "echo", 2, context=_context())["value"] == 2
    assert pool._open == 1 and pool._idle.queue[0] is not idle


def test_what_the_service_refuses_comes_back_as_errors(echo, pool):
    with pytest.raises(IncorrectSignature):
        pool.call("echo", "echo", 1, 2, context=_context())
    with pytest.raises(RemoteError, match="UnserializableValueError"):
        pool.call("echo", "unsendable", context=_context())
    # a call without the gateway's signature is refused before any worker runs
    with pytest.raises(Unauthenticated):
        pool.call("echo", "echo", 1, context={})
    assert pool.call("echo", "echo", 3, context=_context())["value"] == 3
    assert pool._open == 1  # errors the service raised leave the client usable
