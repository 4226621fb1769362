"""The tests' broker vhosts (tests/conftest.py ``Vhosts``): a vhost a test is done with goes
to the next test empty, its services' RPC queues gone; a test that asks for a fresh one
gets a vhost no test used."""
import pytest
from kombu import Connection
from kombu.exceptions import ChannelError

from tests.conftest import Vhosts

QUORUM = {"x-queue-type": "quorum"}


def _declare_and_fill(amqp_uri, names):
    with Connection(amqp_uri) as connection:
        channel = connection.channel()
        for name in names:
            channel.queue_declare(name, durable=True, auto_delete=False, arguments=QUORUM)
            channel.basic_publish(channel.prepare_message(b"left by the last test"),
                                  exchange="", routing_key=name)


def test_a_vhost_goes_to_the_next_test_emptied_and_a_fresh_one_is_new(request, monkeypatch):
    monkeypatch.delenv("FAZHI_TEST_SLOT", raising=False)  # vhosts of this process's own
    amqp = request.config.getoption("RABBIT_AMQP_URI").rstrip("/")
    pipeline = Vhosts(request.config.getoption("RABBIT_API_URI"), amqp, "guest")
    used = []
    try:
        vhost = pipeline.get()
        used.append(vhost)
        _declare_and_fill(f"{amqp}/{vhost}", ["evt-registry-county_registered--evaluation",
                                              "rpc-registry"])
        pipeline.give_back(vhost)

        assert pipeline.get() == vhost  # the next test takes it over
        with Connection(f"{amqp}/{vhost}") as connection:
            kept = connection.channel().queue_declare(
                "evt-registry-county_registered--evaluation", durable=True,
                auto_delete=False, arguments=QUORUM)
            assert kept.message_count == 0  # declared still, and empty
            with pytest.raises(ChannelError):  # a service not running has no RPC queue
                connection.channel().queue_declare("rpc-registry", passive=True)

        fresh = pipeline.get(fresh=True)
        used.append(fresh)
        assert fresh != vhost
        with Connection(f"{amqp}/{fresh}") as connection, pytest.raises(ChannelError):
            connection.channel().queue_declare(
                "evt-registry-county_registered--evaluation", passive=True)
    finally:
        for name in used:
            pipeline.give_back(name, reuse=False)
        pipeline.close()
