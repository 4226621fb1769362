"""A broker node lost while mediation cases are filed and closed: each case exists once,
and each of its events reaches notifications once and its closing evaluation once.

As in ``test_node_loss``: three nodes, every queue led by the first, which is killed in the
middle of the stream and comes back. A write answered 503 may still have been done: the
writer looks before repeating it (a referral by its reference, a decline by the case's
status), as a client would.
"""
import eventlet
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from evaluation.service import EvaluationService
from fazhi_common.crypto import new_key
from fazhi_common.db import make_engine
from fazhi_common.messaging import DEAD_LETTER_QUEUE, event_queue_name
from fazhi_common.outbox import OutboxEvent, ProcessedEvent
from mediation.operations import UNITS
from mediation.service import MediationService
from notifications.service import NotificationsService
from tests.cluster.conftest import management
from tests.cluster.test_node_loss import _queue
from tests.helpers import seed_units, wait_until
from tests.mediation.factories import M, referral, register_organisations, unit_events

CLOSED_QUEUE = event_queue_name("mediation", "mediation_case_closed", "evaluation")


class CaseWriter:
    """Refers a case and declines it (which closes it), one case after another."""

    def __init__(self, gateway, organisation):
        self.gateway, self.organisation = gateway, organisation
        self.statuses = {}  # reference -> every status its writes got
        self.closed = []
        self.running = True
        self.thread = eventlet.spawn(self.run)

    def _until_answered(self, reference, send, done):
        """``send()`` until answered; after a 503 a refusal means it was done (``done()``)."""
        statuses = self.statuses.setdefault(reference, [])
        while True:
            response = send()
            statuses.append(response.status_code)
            if response.status_code in (200, 201):
                return response.json
            assert response.status_code in (503, 409), statuses  # never a 500
            if response.status_code == 409 or 503 in statuses:
                found = done()
                if found:
                    return found
            eventlet.sleep(0.3)

    def _case(self, reference):
        cases = self.gateway.get(f"{M}/cases?per_page=500")
        if cases.status_code != 200:
            return None
        return next((c for c in cases.json["items"]
                     if c["referrer_reference"] == reference), None)

    def one_case(self, reference):
        case = self._until_answered(
            reference, lambda: self.gateway.post(f"{M}/referrals", json=referral(
                self.organisation, "court", reference, referrer_department="余杭区人民法院")),
            lambda: self._case(reference))

        def declined():
            found = self._case(reference)
            return found if found and found["status"] != "received" else None

        self._until_answered(
            reference, lambda: self.gateway.post(
                f"{M}/cases/{case['id']}/decline", json={"reason": "已由法院受理。"}),
            declined)
        self.closed.append(reference)

    def run(self):
        n = 0
        while self.running:
            n += 1
            self.one_case(f"(2026)浙0110民诉前调{n}号")
            eventlet.sleep(0.1)

    def wait_for(self, more, timeout=120):
        target = len(self.closed) + more
        wait_until(lambda: len(self.closed) >= target, timeout=timeout, interval=0.2)

    def stop(self):
        self.running = False
        self.thread.wait()


def _ids(url, model, column, *where):
    engine = make_engine(url)
    try:
        with sessionmaker(engine)() as session:
            return list(session.scalars(select(column).where(*where)))
    finally:
        engine.dispose()


def test_losing_the_leading_node_during_cases_loses_and_doubles_nothing(
        rabbit_cluster, rabbit_config, container_factory, service_config, gateway):
    mediation = container_factory(MediationService, service_config(
        "mediation", MEDIATION_DATA_KEY=new_key(), OUTBOX_MAX_BACKOFF_SECONDS=1.0))
    evaluation = container_factory(EvaluationService, service_config("evaluation"))
    notifications = container_factory(NotificationsService, service_config("notifications"))
    for container in (mediation, evaluation, notifications):
        container.start()
    seed_units(mediation.config["DATABASE_URL"], UNITS, unit_events())
    organisation = register_organisations(gateway)["litigation"]
    vhost = rabbit_config["vhost"]

    writer = CaseWriter(gateway, organisation)
    try:
        writer.wait_for(3)
        leader_name = _queue(rabbit_cluster, vhost, CLOSED_QUEUE)["leader"]
        [leader] = [n for n in rabbit_cluster.nodes if n.name == leader_name]
        leader.kill()  # the node goes, with every connection it held
        writer.wait_for(5)
        assert _queue(rabbit_cluster, vhost, CLOSED_QUEUE)["leader"] != leader_name
        rabbit_cluster.restart(leader)
        wait_until(lambda: leader.name in rabbit_cluster.members(rabbit_cluster.nodes[0])
                   and leader.name in _queue(rabbit_cluster, vhost, CLOSED_QUEUE)["online"],
                   timeout=60, interval=0.5)
        writer.wait_for(2)
    finally:
        writer.stop()

    # every case asked for exists once, declined (closed)
    cases = gateway.get(f"{M}/cases?per_page=500").json
    assert cases["total"] < 500
    references = sorted(c["referrer_reference"] for c in cases["items"])
    assert references == sorted(writer.statuses)
    assert {c["status"] for c in cases["items"]} == {"declined"}

    # every event announced once per case, and handled once by each subscriber
    mediation_db = mediation.config["DATABASE_URL"]
    wait_until(lambda: not _ids(mediation_db, OutboxEvent, OutboxEvent.event_id,
                                OutboxEvent.sent_at.is_(None)), timeout=60, interval=0.5)
    announced = {kind: set(_ids(mediation_db, OutboxEvent, OutboxEvent.event_id,
                                OutboxEvent.event_type == kind))
                 for kind in ("mediation_case_received", "mediation_case_declined",
                              "mediation_case_closed")}
    assert {kind: len(ids) for kind, ids in announced.items()} == dict.fromkeys(
        announced, len(references))
    every = set().union(*announced.values())

    def handled(container, handler):
        ids = _ids(container.config["DATABASE_URL"], ProcessedEvent, ProcessedEvent.event_id,
                   ProcessedEvent.handler == handler)
        return sorted(i for i in ids if i in every)

    wait_until(lambda: len(handled(notifications, "notifications.route")) == len(every)
               and len(handled(evaluation, "on_mediation_case_closed")) == len(references),
               timeout=60, interval=0.5)
    assert handled(notifications, "notifications.route") == sorted(every)
    assert handled(evaluation, "on_mediation_case_closed") == sorted(
        announced["mediation_case_closed"])

    # and nothing left behind: the queues drained, nothing dead-lettered
    queues = [event_queue_name("mediation", kind, "notifications") for kind in announced]
    wait_until(lambda: all(_queue(rabbit_cluster, vhost, q).get("messages") == 0
                           for q in [*queues, CLOSED_QUEUE]), timeout=30, interval=0.5)
    assert management(rabbit_cluster, "GET", f"/queues/{vhost}/{DEAD_LETTER_QUEUE}").get(
        "messages", 0) == 0
