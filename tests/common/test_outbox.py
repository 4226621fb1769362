"""The outbox relay and the idempotent event handler, against the real broker."""

import pytest
from amqp.exceptions import MessageNacked
from kombu import Connection
from kombu.exceptions import OperationalError
from nameko.testing.services import entrypoint_hook
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from fazhi_common.db import Database, make_engine, writer
from fazhi_common.division import Division
from fazhi_common.messaging import DELIVERY_LIMIT, dead_letter_queue, event_handler
from fazhi_common.outbox import (
    OutboxEvent,
    OutboxRelay,
    ProcessedEvent,
    claim_event,
    claim_events,
    record_event,
)
from tests.helpers import queued_events, wait_until

COUNTY = {"county_code": "330110000000", "name": "余杭区", "kind": "district"}


@pytest.fixture
def registry_db(database_url):
    engine = make_engine(database_url("registry"))
    # the way a service writes (on SQLite: queue for the write lock with the service's own)
    yield sessionmaker(writer(engine), expire_on_commit=False)
    engine.dispose()


def _pending(session_factory):
    with session_factory() as session:
        return session.scalars(select(OutboxEvent).where(OutboxEvent.sent_at.is_(None))).all()


def test_event_is_written_with_the_change_and_relayed_once(registry_db, rabbit_config):
    with registry_db() as session:
        record_event(session, "county_registered", COUNTY)
        session.commit()
    relay = OutboxRelay("registry", registry_db, rabbit_config)
    assert relay.publish_pending() == 1
    assert relay.publish_pending() == 0  # marked sent: not published twice
    events = queued_events(rabbit_config["AMQP_URI"], "registry", "county_registered",
                           "notifications", expect=2, timeout=1)
    assert [e["data"] for e in events] == [COUNTY]


def test_rolled_back_change_announces_nothing(registry_db):
    with registry_db() as session:
        record_event(session, "county_registered", COUNTY)
        session.rollback()
    assert _pending(registry_db) == []


def test_invalid_payload_fails_the_transaction(registry_db):
    from fazhi_common.contracts.errors import ValidationFailed

    with registry_db() as session, pytest.raises(ValidationFailed):
        record_event(session, "county_registered", {"county_code": "33", "name": "x"})


def test_unreachable_broker_keeps_the_event_until_it_is_back(registry_db, rabbit_config):
    with registry_db() as session:
        record_event(session, "county_registered", COUNTY)
        session.commit()
    nowhere = dict(rabbit_config, AMQP_URI="pyamqp://guest:guest@127.0.0.1:1/")
    with pytest.raises(OperationalError):
        OutboxRelay("registry", registry_db, nowhere).publish_pending()
    [row] = _pending(registry_db)
    assert row.attempts == 1 and row.last_error

    assert OutboxRelay("registry", registry_db, rabbit_config).publish_pending() == 1
    assert queued_events(rabbit_config["AMQP_URI"], "registry", "county_registered",
                         "notifications")[0]["id"] == row.event_id


@pytest.mark.fresh_vhost  # a policy of its own on the vhost
def test_a_batch_the_broker_refuses_in_part_marks_only_the_confirmed_rows_sent(
        registry_db, rabbit_config, rabbit_manager):
    # notifications' queue of county events takes two, then refuses (nacks) more
    limit = {"pattern": "^evt-registry-county_registered--notifications$",
             "apply-to": "queues", "priority": 10,
             "definition": {"max-length": 2, "overflow": "reject-publish"}}
    rabbit_manager._put("policies", rabbit_config["vhost"], "two-at-most", json=limit)
    relay = OutboxRelay("registry", registry_db, rabbit_config)

    def record(event_type, count, first):
        with registry_db() as session:
            ids = [record_event(session, event_type, dict(
                COUNTY, county_code=f"3301{first + i:02d}000000",
                **({"town_code": f"3301{first + i:02d}001000"}
                   if event_type == "town_registered" else {})))["id"]
                for i in range(count)]
            session.commit()
        return ids

    def queued(event_type):
        return [e["id"] for e in queued_events(rabbit_config["AMQP_URI"], "registry",
                                               event_type, "notifications", expect=20,
                                               timeout=1)]

    counties = record("county_registered", 3, 10)
    assert relay.publish_pending() == 3  # the queue is over its limit now

    def refused():
        # the queue tells the broker's channels it is full a moment after it is
        counties.extend(record("county_registered", 1, 20 + len(counties)))
        try:
            relay.publish_pending()
        except MessageNacked:
            return True
        return False

    wait_until(refused)
    # one batch: the towns are confirmed, the counties refused
    towns = record("town_registered", 3, 40)
    counties += record("county_registered", 2, 50)
    with pytest.raises(MessageNacked):
        relay.publish_pending()
    with registry_db() as session:
        unsent = {r.event_id: (r.attempts, r.last_error) for r in session.scalars(
            select(OutboxEvent).where(OutboxEvent.sent_at.is_(None)))}
    assert queued("town_registered") == towns
    assert unsent.keys() == set(counties[3:]) and (
        unsent[counties[-1]] == (1, "refused by the broker (nack)"))

    # the queue has room again: the refused rows go out on the next try, once each
    in_queue = queued("county_registered")
    assert relay.publish_pending() == len(unsent)
    assert sorted(in_queue + queued("county_registered")) == sorted(counties)
    assert relay.publish_pending() == 0


# -- consumers: a stand-in for the notifications service -----------------------------

class Listener:
    """Consumes county_registered as 'notifications' would, counting the work it does."""

    name = "notifications"
    db = Database(relay_outbox=False)
    calls = []
    payloads = []
    work = []
    finished = []  # deliveries whose transaction committed (work done or skipped)
    fail_times = {"n": 0}

    @event_handler("registry", "county_registered")
    def on_county_registered(self, envelope, payload):
        self.calls.append(envelope["id"])
        self.payloads.append(payload)
        if self.fail_times["n"] > 0:
            self.fail_times["n"] -= 1
            raise RuntimeError("transient failure")
        with self.db.transaction() as session:
            if claim_event(session, envelope, "on_county_registered"):
                self.work.append(envelope["id"])
        self.finished.append(envelope["id"])


@pytest.fixture
def listener(container_factory, service_config):
    Listener.calls = []
    Listener.payloads = []
    Listener.work = []
    Listener.finished = []
    Listener.fail_times = {"n": 0}
    # the listener keeps its processed-event marks in a database shaped like any service's
    container = container_factory(Listener, service_config("registry"))
    container.start()
    return container


def _publish_twice(registry_db, rabbit_config):
    with registry_db() as session:
        envelope = record_event(session, "county_registered", COUNTY)
        session.commit()
    relay = OutboxRelay("registry", registry_db, rabbit_config)
    relay.publish_pending()
    # a redelivery: the same envelope published a second time
    with registry_db() as session:
        session.scalars(select(OutboxEvent)
                        .where(OutboxEvent.event_id == envelope["id"])).one().sent_at = None
        session.commit()
    relay.publish_pending()
    return envelope


def test_a_redelivered_event_does_its_work_once(listener, registry_db, rabbit_config):
    envelope = _publish_twice(registry_db, rabbit_config)
    # the two deliveries may run concurrently; wait until both have committed
    wait_until(lambda: len(Listener.finished) == 2)
    assert Listener.work == [envelope["id"]]
    # the handler got the payload typed by its contract
    county = Listener.payloads[0]["county_code"]
    assert isinstance(county, Division) and county.level == "county"
    listener_db = sessionmaker(make_engine(listener.config["DATABASE_URL"]))
    with listener_db() as session:
        assert [p.event_id for p in session.scalars(select(ProcessedEvent))] == [envelope["id"]]


def test_a_failing_handler_is_retried_not_lost(listener, registry_db, rabbit_config):
    Listener.fail_times["n"] = 2
    with registry_db() as session:
        envelope = record_event(session, "county_registered", COUNTY)
        session.commit()
    OutboxRelay("registry", registry_db, rabbit_config).publish_pending()
    wait_until(lambda: Listener.work == [envelope["id"]], timeout=10)


def _dead_lettered(rabbit_config):
    def poll():
        try:
            with Connection(rabbit_config["AMQP_URI"]) as conn:
                message = conn.SimpleQueue(dead_letter_queue()).get(block=True, timeout=0.5)
                message.ack()
                return message
        except Exception:
            return None

    return wait_until(poll, timeout=15)


def test_a_poison_event_ends_in_the_dead_letter_queue(listener, registry_db, rabbit_config):
    Listener.fail_times["n"] = 100
    with registry_db() as session:
        envelope = record_event(session, "county_registered", COUNTY)
        session.commit()
    OutboxRelay("registry", registry_db, rabbit_config).publish_pending()

    def dead_lettered():
        with Connection(rabbit_config["AMQP_URI"]) as conn:
            message = conn.SimpleQueue(dead_letter_queue()).get(block=True, timeout=0.5)
            message.ack()
            return message

    def poll():
        try:
            return dead_lettered()
        except Exception:
            return None

    message = wait_until(poll, timeout=15)
    assert message.payload["id"] == envelope["id"]
    # moved there by the broker: the event queue counted the deliveries
    assert message.headers["x-first-death-reason"] == "delivery_limit"
    assert message.headers["x-first-death-queue"] == "evt-registry-county_registered--notifications"
    assert Listener.calls == [envelope["id"]] * DELIVERY_LIMIT
    assert Listener.work == []


def test_a_payload_its_contract_refuses_is_dead_lettered_unhandled(listener, registry_db,
                                                                   rabbit_config):
    # written past record_event's check, as a publisher with an older contract might
    envelope = {"id": "00000000-0000-0000-0000-000000000001", "type": "county_registered",
                "source": "registry", "occurred_at": "2026-01-01T00:00:00+00:00",
                "data": {**COUNTY, "county_code": "330100001000"}}  # no county part
    with registry_db() as session:
        session.add(OutboxEvent(event_id=envelope["id"], event_type="county_registered",
                                envelope=envelope))
        session.commit()
    OutboxRelay("registry", registry_db, rabbit_config).publish_pending()

    message = _dead_lettered(rabbit_config)
    assert message.payload["id"] == envelope["id"]
    assert message.headers["x-first-death-reason"] == "delivery_limit"
    assert Listener.calls == []  # the handler never saw it


def test_a_batch_claims_each_event_once_per_handler_in_arrival_order(registry_db):
    envelopes = [{"id": f"00000000-0000-0000-0000-00000000000{n}"} for n in range(6)]
    with registry_db() as session:
        assert claim_event(session, envelopes[2], "on_a")
        session.commit()
    with registry_db() as session:
        # arrival order kept, one claimed before left out, a repeat claimed once
        arrived = [envelopes[4], envelopes[1], envelopes[2], envelopes[4], envelopes[0]]
        assert claim_events(session, arrived, "on_a") == [envelopes[4], envelopes[1],
                                                          envelopes[0]]
        assert claim_events(session, envelopes, "on_b") == envelopes  # another handler's
        session.rollback()  # nothing claimed: the work it stood for did not commit
    with registry_db() as session:
        assert claim_events(session, envelopes, "on_a") == [
            e for n, e in enumerate(envelopes) if n != 2]
        session.commit()
        assert claim_events(session, envelopes, "on_a") == []
        marks = session.scalars(select(ProcessedEvent.processed_at)).all()
    assert len(marks) == 6 and all(m.tzinfo is not None for m in marks)


# -- a batch handler: one transaction for what has arrived, each event alone on failure ----

class BatchListener:
    """Takes county_registered in batches; an event named "poison" always fails."""

    name = "notifications"
    db = Database(relay_outbox=False)
    gate = None  # the first call waits here until the test has the rest queued behind it
    calls = []
    work = []

    @event_handler("registry", "county_registered", batch=True)
    def on_county_registered(self, events):
        self.calls.append([envelope["id"] for envelope, _payload in events])
        if len(self.calls) == 1:
            self.gate.wait()
        if any(payload["name"] == "poison" for _envelope, payload in events):
            raise RuntimeError("this event always fails")
        with self.db.transaction() as session:
            fresh = claim_events(session, [envelope for envelope, _ in events] * 2,
                                 "on_county_registered")
            self.work.extend(envelope["id"] for envelope in fresh)


def test_a_batch_handler_takes_what_waits_and_a_poison_event_fails_alone(
        container_factory, service_config, registry_db, rabbit_config):
    import eventlet

    BatchListener.gate, BatchListener.calls, BatchListener.work = eventlet.Event(), [], []
    # one event worker: the second call takes everything that arrived during the first
    container = container_factory(BatchListener, service_config(
        "registry", EVENT_MAX_WORKERS=1))
    container.start()
    names = ["余杭区"] * 5 + ["poison"] + ["余杭区"] * 6
    with registry_db() as session:
        envelopes = [record_event(session, "county_registered",
                                  dict(COUNTY, county_code=f"3301{i + 10:02d}000000", name=n))
                     for i, n in enumerate(names)]
        session.commit()
    assert OutboxRelay("registry", registry_db, rabbit_config).publish_pending() == 12
    [handler] = [e for e in container.entrypoints if e.method_name == "on_county_registered"]
    wait_until(lambda: BatchListener.calls
               and len(handler.waiting) == 12 - len(BatchListener.calls[0]))
    BatchListener.gate.send()

    ids = [e["id"] for e in envelopes]
    poison = ids[5]
    message = _dead_lettered(rabbit_config)
    assert message.payload["id"] == poison
    wait_until(lambda: sorted(BatchListener.work) == sorted(set(ids) - {poison}))
    # the poison event came in a batch with others, which failed as a whole; then each
    # went alone, and only the poison event was retried until it was dead-lettered
    batches = [c for c in BatchListener.calls if poison in c]
    assert len(batches[0]) > 1
    assert batches[1:] == [[poison]] * DELIVERY_LIMIT
    # the work of each good event was done once, though claimed twice in its batch
    assert len(BatchListener.work) == len(set(BatchListener.work)) == 11


def test_a_drained_backlog_is_acked_and_does_not_come_back(
        container_factory, service_config, registry_db, rabbit_config):
    """Acks of whole batches (``basic.ack`` with ``multiple``) settle every message: once
    the service stops, none of the backlog is delivered again."""
    import eventlet

    BatchListener.gate, BatchListener.calls, BatchListener.work = eventlet.Event(), [], []
    BatchListener.gate.send()
    with registry_db() as session:
        envelopes = [record_event(session, "county_registered",
                                  dict(COUNTY, county_code=f"3301{i + 10:02d}000000"))
                     for i in range(60)]
        session.commit()
    assert OutboxRelay("registry", registry_db, rabbit_config).publish_pending() == 60
    # queued before the service starts: it takes them in batches, several workers at once
    container = container_factory(BatchListener, service_config("registry"))
    container.start()
    ids = sorted(e["id"] for e in envelopes)
    wait_until(lambda: sorted(BatchListener.work) == ids)
    assert any(len(c) > 1 for c in BatchListener.calls)
    container.stop()
    assert queued_events(rabbit_config["AMQP_URI"], "registry", "county_registered",
                         "notifications", timeout=1) == []


class _Channel:
    """What the consumer needs of a channel: its connection and the acks sent on it."""

    connection = True
    no_ack_consumers = ()

    def __init__(self):
        self.acks = []

    def basic_ack(self, tag, multiple=False):
        self.acks.append((tag, multiple))


def test_acks_cover_only_messages_that_are_done():
    from kombu.message import Message

    from fazhi_common.messaging import EventQueueConsumer

    consumer, channel = EventQueueConsumer(), _Channel()
    consumer.unsettled = {}
    messages = {tag: Message(channel=channel, delivery_tag=tag) for tag in range(1, 9)}
    for message in messages.values():
        consumer.unsettled.setdefault(channel, {})[message.delivery_tag] = None
    consumer.ack_messages([messages[2], messages[1], messages[3]])  # the oldest: one frame
    consumer.ack_messages([messages[5], messages[6]])  # 4 is not done: each alone
    consumer.requeue = consumer._forget  # (4 went back to its queue)
    consumer.requeue(messages[4])
    consumer.ack_messages([messages[7], messages[8]])  # the oldest again
    assert channel.acks == [(3, True), (5, False), (6, False), (8, True)]
    assert consumer.unsettled[channel] == {}


# -- the whole service with the broker really stopped ---------------------------------------


@pytest.mark.broker_outage
def test_change_commits_while_broker_is_stopped_and_its_event_follows(
        container_factory, service_config, rabbit_config, broker_node):
    from registry.service import RegistryService

    config = service_config("registry", OUTBOX_MAX_BACKOFF_SECONDS=1.0)
    container = container_factory(RegistryService, config)
    container.start()
    session_factory = sessionmaker(make_engine(config["DATABASE_URL"]))
    broker_node.ctl("stop_app")
    try:
        with entrypoint_hook(container, "register_county") as register:
            register({"code": "330110000000", "name": "余杭区", "kind": "district"})
        with session_factory() as session:
            rows = session.scalars(select(OutboxEvent)).all()
        assert [r.event_type for r in rows] == ["county_registered"]
        assert rows[0].sent_at is None
    finally:
        broker_node.ctl("start_app")
        broker_node.ctl("await_startup")
    events = queued_events(rabbit_config["AMQP_URI"], "registry", "county_registered",
                           "notifications", timeout=30)
    assert [e["data"]["county_code"] for e in events] == ["330110000000"]


def test_no_broker_password_reaches_the_logs_from_a_failover_url(caplog):
    import logging

    import fazhi_common.messaging  # noqa: F401  (installs the filter)

    # the line nameko logs when it cannot connect, its own masking applied to the first
    logging.getLogger("nameko.messaging").warning(
        "Error connecting to broker at pyamqp://fazhi-registry:********@b1:5672/fazhi;"
        "pyamqp://fazhi-registry:s3cret-two@b2:5672/fazhi;"
        "pyamqp://fazhi-registry:s3cret-three@b3:5672/fazhi (refused)")
    assert "s3cret" not in caplog.text
    assert caplog.text.count("fazhi-registry:********@") == 3
