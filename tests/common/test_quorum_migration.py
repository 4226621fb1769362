"""Moving an installation from classic queues (the previous release) to quorum queues.

The broker starts in the old shape: every queue classic, events waiting in them, a
dead-lettered event in the dead-letter queue, and the registry's database holding an event
it had not yet sent when the services were stopped. After the migration every queue is a
quorum queue with its messages, and the new services handle old and new events once.
"""
import uuid

import pytest
import requests
from kombu import Connection, Queue
from nameko.testing.services import entrypoint_hook
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from evaluation.models import CommunityFact
from evaluation.service import EvaluationService
from fazhi_common.contracts.events import serialise_payload
from fazhi_common.db import make_engine, writer
from fazhi_common.messaging import DEAD_LETTER_QUEUE, event_queue_name
from fazhi_common.outbox import record_event
from fazhi_common.quorum_migration import MigrationRefused, migrate, owned_queues
from registry.service import RegistryService
from tests.helpers import wait_until

# declares classic queues under the names the services use: a vhost no other test used
pytestmark = pytest.mark.fresh_vhost

COUNTY, TOWN = "330110000000", "330110001000"
QUEUE = event_queue_name("registry", "community_registered", "evaluation")


def _community(n):
    return {"county_code": COUNTY, "town_code": TOWN, "community_code": f"330110001{n:03d}",
            "name": f"村{n}", "kind": "village"}


def _envelope(n):
    return {"id": str(uuid.uuid4()), "type": "community_registered", "source": "registry",
            "occurred_at": "2026-01-05T08:00:00+00:00",
            "data": serialise_payload("community_registered", _community(n))}


def _old_shape(uri, config):
    """Declare every queue as the previous release did (classic, no arguments); fill some."""
    with Connection(uri) as conn:
        channel = conn.channel()
        for queue in owned_queues(config):
            Queue(queue.name, exchange=queue.exchange, routing_key=queue.routing_key,
                  durable=True, auto_delete=False)(channel).declare()
        producer = conn.Producer(channel)
        for n in (1, 2, 3):
            producer.publish(_envelope(n), exchange="registry.events",
                             routing_key="community_registered", delivery_mode=2)
        producer.publish(_envelope(9), exchange="", routing_key=DEAD_LETTER_QUEUE,
                         delivery_mode=2, headers={"x-fazhi-attempts": 5,
                                                   "x-fazhi-origin-queue": QUEUE})


@pytest.fixture
def management(request, rabbit_config):
    api = request.config.getoption("RABBIT_API_URI").rstrip("/")
    vhost = rabbit_config["vhost"]

    def queues():
        found = requests.get(f"{api}/api/queues/{vhost}", timeout=30).json()
        return {q["name"]: q for q in found}
    return queues


def test_classic_queues_become_quorum_queues_and_keep_their_messages(
        rabbit_config, service_config, container_factory, management):
    uri = rabbit_config["AMQP_URI"]
    registry_config = service_config("registry")
    _old_shape(uri, registry_config)
    engine = make_engine(registry_config["DATABASE_URL"])
    with sessionmaker(writer(engine))() as session:  # stopped before it could send this one
        record_event(session, "community_registered", _community(4))
        session.commit()
    old = management()
    assert {old[q.name]["type"] for q in owned_queues(registry_config)} == {"classic"}

    report = migrate(uri)

    assert all("now a quorum queue" in line for line in report), report
    queues = management()
    assert {queues[q.name]["type"] for q in owned_queues(registry_config)} == {"quorum"}
    assert not [name for name in queues if name.endswith(".migrating")]
    with Connection(uri) as conn:
        events = conn.SimpleQueue(Queue(QUEUE, no_declare=True))
        messages = [events.get(timeout=5) for _ in range(3)]
        dead = conn.SimpleQueue(Queue(DEAD_LETTER_QUEUE, no_declare=True)).get(timeout=5)
        # left unsettled: they go back to their queues for the service to find
    assert sorted(m.payload["data"]["community_code"] for m in messages) == [
        "330110001001", "330110001002", "330110001003"]
    assert dead.headers["x-fazhi-origin-queue"] == QUEUE
    assert dead.payload["data"]["community_code"] == "330110001009"
    # a second run finds nothing to do
    assert all("already a quorum queue" in line for line in migrate(uri))

    # the new services declare the same queues without a complaint and handle old and new
    registry = container_factory(RegistryService, registry_config)
    evaluation = container_factory(EvaluationService, service_config("evaluation"))
    registry.start()
    evaluation.start()
    with entrypoint_hook(registry, "register_county") as register:
        register({"code": COUNTY, "name": "余杭区", "kind": "district"})
    with entrypoint_hook(registry, "register_town") as register:
        register({"code": TOWN, "county_code": COUNTY, "name": "良渚街道", "kind": "street"})
    with entrypoint_hook(registry, "register_community") as register:
        register({"code": "330110001005", "town_code": TOWN, "name": "村5", "kind": "village"})
    evaluation_db = sessionmaker(make_engine(evaluation.config["DATABASE_URL"]))

    def facts():
        with evaluation_db() as session:
            return sorted(session.scalars(select(CommunityFact.code)))
    wait_until(lambda: len(facts()) == 5, timeout=30)
    assert facts() == [f"330110001{n:03d}" for n in (1, 2, 3, 4, 5)]
    with evaluation_db() as session:
        assert session.scalar(select(func.count()).select_from(CommunityFact)) == 5


def test_migration_refuses_a_queue_still_consumed(rabbit_config, service_config):
    uri = rabbit_config["AMQP_URI"]
    _old_shape(uri, service_config("registry"))
    with Connection(uri) as conn, conn.Consumer(
            [Queue(QUEUE, no_declare=True)], callbacks=[lambda body, message: None]), \
            pytest.raises(MigrationRefused, match="stop every service"):
        migrate(uri)
    # once the consumer is gone, the interrupted run is finished and nothing is lost
    migrate(uri)
    with Connection(uri) as conn:
        channel = conn.channel()
        assert channel.queue_declare(QUEUE, passive=True).message_count == 3
