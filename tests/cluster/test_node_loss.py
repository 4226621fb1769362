"""A broker node lost while writes and events flow: nothing lost, nothing doubled.

Three RabbitMQ nodes; the registry (publisher), evaluation (consumer) and the gateway know
all three by one failover URL. Every queue is declared through the first node, so it
leads the event queues, the RPC queues, and holds every connection: we take exactly that
node away (an orderly stop, or ``kill -9``) in the middle of a stream of writes. The
quorum queues elect a new leader on the two survivors, the clients reconnect to a
survivor by themselves, and the node comes back and rejoins. No service is restarted.

A write the gateway answered 503 may still have been done (its reply was lost with the
node), so the writer repeats it, as a client would, until it is answered: 201, or 409 for
"already registered" after a 503. Every community asked for must then exist once, and
every one's event must have been handled once by evaluation.
"""
import eventlet
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from evaluation.models import CommunityFact
from evaluation.service import EvaluationService
from fazhi_common.db import make_engine
from fazhi_common.messaging import DEAD_LETTER_QUEUE, event_queue_name
from fazhi_common.outbox import OutboxEvent, ProcessedEvent
from registry.service import RegistryService
from tests.cluster.conftest import management
from tests.helpers import wait_until

R = "/api/v1/registry"
TOWN = "330110001000"
EVENT_QUEUE = event_queue_name("registry", "community_registered", "evaluation")


def _village(n):
    return {"code": f"330110001{n:03d}", "town_code": TOWN, "name": f"村{n}",
            "kind": "village"}


class Writer:
    """Registers villages one after another through the gateway until stopped."""

    def __init__(self, gateway):
        self.gateway = gateway
        self.answers = {}  # code -> the statuses it got, in order
        self.running = True
        self.thread = eventlet.spawn(self.run)

    def run(self):
        n = 0
        while self.running:
            n += 1
            village = _village(n)
            statuses = self.answers.setdefault(village["code"], [])
            while True:
                status = self.gateway.post(f"{R}/communities", json=village).status_code
                statuses.append(status)
                if status in (201, 409):
                    break
                assert status == 503, statuses  # a lost node is "try again", never a 500
                eventlet.sleep(0.3)
            eventlet.sleep(0.1)

    def done(self):
        """Codes whose write was answered (the one in flight may still be retrying)."""
        return [code for code, statuses in self.answers.items()
                if statuses and statuses[-1] in (201, 409)]

    def wait_for(self, more, timeout=120):
        target = len(self.done()) + more
        wait_until(lambda: len(self.done()) >= target, timeout=timeout, interval=0.2)

    def stop(self):
        self.running = False
        self.thread.wait()


def _queue(cluster, vhost, name):
    return management(cluster, "GET", f"/queues/{vhost}/{name}")


def _count(url, model, *where):
    engine = make_engine(url)
    try:
        with sessionmaker(engine)() as session:
            return session.scalar(select(func.count()).select_from(model).where(*where))
    finally:
        engine.dispose()


@pytest.fixture
def platform(container_factory, service_config, gateway):
    registry = container_factory(RegistryService, service_config(
        "registry", OUTBOX_MAX_BACKOFF_SECONDS=1.0))
    evaluation = container_factory(EvaluationService, service_config("evaluation"))
    registry.start()
    evaluation.start()
    assert gateway.post(f"{R}/counties", json={"code": "330110000000", "name": "余杭区",
                                                "kind": "district"}).status_code == 201
    assert gateway.post(f"{R}/towns", json={"code": TOWN, "county_code": "330110000000",
                                             "name": "良渚街道", "kind": "street"}
                        ).status_code == 201
    return registry, evaluation


@pytest.mark.parametrize("how", ["stop", "kill"])
def test_losing_the_leading_node_loses_nothing_and_doubles_nothing(
        how, rabbit_cluster, rabbit_config, platform, gateway):
    registry, evaluation = platform
    vhost = rabbit_config["vhost"]
    writer = Writer(gateway)
    try:
        writer.wait_for(5)
        leader_name = _queue(rabbit_cluster, vhost, EVENT_QUEUE)["leader"]
        [leader] = [n for n in rabbit_cluster.nodes if n.name == leader_name]
        getattr(leader, how)()  # the node goes, with every connection it held

        # the survivors elect new leaders; services and gateway find them by themselves
        writer.wait_for(8)
        assert _queue(rabbit_cluster, vhost, EVENT_QUEUE)["leader"] != leader_name

        rabbit_cluster.restart(leader)
        wait_until(lambda: leader.name in rabbit_cluster.members(rabbit_cluster.nodes[0])
                   and leader.name in _queue(rabbit_cluster, vhost, EVENT_QUEUE)["online"],
                   timeout=60, interval=0.5)
        writer.wait_for(3)
    finally:
        writer.stop()

    answers = writer.answers
    for statuses in answers.values():  # "already registered" only after a lost answer
        assert statuses[-1] == 201 or (statuses[-1] == 409 and 503 in statuses), statuses

    # every write asked for is stored, once
    listed = gateway.get(f"{R}/communities?per_page=500").json
    assert listed["total"] < 500  # all on one page
    assert sorted(c["code"] for c in listed["items"]) == sorted(answers)

    # every one announced once, and handled once by evaluation
    registry_db = registry.config["DATABASE_URL"]
    evaluation_db = evaluation.config["DATABASE_URL"]
    wait_until(lambda: _count(registry_db, OutboxEvent, OutboxEvent.sent_at.is_(None)) == 0,
               timeout=60, interval=0.5)
    assert _count(registry_db, OutboxEvent,
                  OutboxEvent.event_type == "community_registered") == len(answers)
    wait_until(lambda: _count(evaluation_db, CommunityFact) == len(answers),
               timeout=60, interval=0.5)
    assert _count(evaluation_db, ProcessedEvent,
                  ProcessedEvent.handler == "on_community_registered") == len(answers)
    with sessionmaker(make_engine(evaluation_db))() as session:
        facts = sorted(session.scalars(select(CommunityFact.code)))
    assert facts == sorted(answers)

    # and nothing is left behind: the queue drained, nothing dead-lettered
    def drained():
        queue = _queue(rabbit_cluster, vhost, EVENT_QUEUE)
        return queue.get("messages") == 0
    wait_until(drained, timeout=30, interval=0.5)
    assert _queue(rabbit_cluster, vhost, DEAD_LETTER_QUEUE).get("messages", 0) == 0
