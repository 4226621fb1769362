"""The transactional outbox and the processed-event inbox.

A change and the event announcing it are written in one database transaction
(``record_event``); the ``OutboxRelay`` publishes unsent events to RabbitMQ with
publisher confirms and marks them sent. If the broker is down the rows wait and go out
when it is back. Consumers call ``claim_event`` inside their own transaction, so a
redelivered event does its work once.

Both tables live in every service's own database; each service's Alembic environment
includes ``CommonBase.metadata``.
"""
import logging
import uuid
from datetime import datetime
from functools import partial

import eventlet
from amqp.exceptions import MessageNacked
from kombu import Connection, Producer
from kombu.common import maybe_declare
from kombu.pools import connections
from nameko.constants import DEFAULT_TRANSPORT_OPTIONS
from nameko.events import get_event_exchange
from sqlalchemy import JSON, Integer, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from fazhi_common import events
from fazhi_common.bulk import insert_for, insert_rows
from fazhi_common.clock import UtcDateTime, utcnow
from fazhi_common.messaging import dead_letter_queue, event_queue
from fazhi_common.tables import CommonBase

log = logging.getLogger(__name__)


class OutboxEvent(CommonBase):
    __tablename__ = "outbox_event"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    event_type: Mapped[str] = mapped_column(String(64))
    envelope: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))


class ProcessedEvent(CommonBase):
    __tablename__ = "processed_event"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    handler: Mapped[str] = mapped_column(String(100), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


def _envelope(event_type, payload):
    """The envelope of a payload already validated and serialised by its contract."""
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "source": events.contract(event_type).source,
        "occurred_at": utcnow().isoformat(),
        "data": payload,
    }


def record_event(session, event_type, data):
    """Add an event to the outbox in ``session``'s transaction; return its envelope."""
    envelope = _envelope(event_type, events.serialise_payload(event_type, data))
    session.add(OutboxEvent(event_id=envelope["id"], event_type=event_type, envelope=envelope))
    session.info.setdefault("outbox_pending", 0)
    session.info["outbox_pending"] += 1
    return envelope


def record_events(session, event_type, datas):
    """``record_event`` for many payloads in one bulk INSERT: no object per event stays in
    the session, so a list of a million units records its events in bounded memory."""
    payloads = events.serialise_payloads(event_type, datas)  # validated as one batch
    rows = [{"event_id": envelope["id"], "event_type": event_type, "envelope": envelope}
            for envelope in (_envelope(event_type, payload) for payload in payloads)]
    if rows:
        insert_rows(session, OutboxEvent.__table__, rows)
        session.info["outbox_pending"] = session.info.get("outbox_pending", 0) + len(rows)
    return len(rows)


def claim_event(session, envelope, handler):
    """Mark ``envelope`` handled by ``handler``; False if it was handled before.

    Call it first thing inside the handler's transaction: the mark commits with the
    work or not at all. One ``INSERT ... ON CONFLICT DO NOTHING``: when two instances race
    on one event, the second waits for the first's transaction and, if it committed, is
    told False; if it rolled back, the second does the work.
    """
    insert = insert_for(session, ProcessedEvent)
    result = session.execute(insert.values(event_id=envelope["id"], handler=handler,
                                           processed_at=utcnow()).on_conflict_do_nothing())
    return result.rowcount == 1


def claim_events(session, envelopes, handler):
    """``claim_event`` for a batch in one statement; return the envelopes not handled
    before (each once, in their order).

    Ids are inserted in sorted order, so two instances claiming overlapping batches take
    the rows' locks in the same order and wait for each other rather than deadlock.
    """
    if not envelopes:
        return []
    now = utcnow()
    ids = sorted({envelope["id"] for envelope in envelopes})
    # one statement whatever the batch's size (compiled once, cached): SQLAlchemy sends
    # the rows as one INSERT of many VALUES because of RETURNING ("insertmanyvalues")
    table = ProcessedEvent.__table__
    insert = insert_for(session, table).on_conflict_do_nothing().returning(table.c.event_id)
    claimed = set(session.scalars(insert, [
        {"event_id": i, "handler": handler, "processed_at": now} for i in ids]))
    fresh = []
    for envelope in envelopes:
        if envelope["id"] in claimed:
            claimed.discard(envelope["id"])
            fresh.append(envelope)
    return fresh


class OutboxRelay:
    RECONNECT = {"max_retries": 1, "interval_start": 0.2, "interval_step": 0.5}

    """Publishes a service's unsent outbox rows; runs in the service's container.

    Wakes when a transaction that wrote events commits, and polls every
    ``poll_interval`` seconds anyway (events written by another process, a broker that
    came back). Rows are taken with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL so several
    instances of a service share the work without publishing a row twice; on SQLite give
    it sessions from ``fazhi_common.db.writer(engine)`` for the same guarantee.
    """

    def __init__(self, service_name, session_factory, config, poll_interval=1.0,
                 batch_size=200, max_backoff=30.0, confirm_timeout=30.0):
        self.service_name = service_name
        self.session_factory = session_factory
        self.config = config
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self.max_backoff = max_backoff
        self.exchange = get_event_exchange(service_name, config)
        self.connection = Connection(config["AMQP_URI"],
                                     transport_options=DEFAULT_TRANSPORT_OPTIONS.copy())
        self.confirm_timeout = confirm_timeout
        self._wakeup = eventlet.event.Event()
        self._running = False
        self.declarations = self._declarations()

    def _declarations(self):
        declare = [self.exchange, dead_letter_queue()]
        for c in events.contracts_from(self.service_name):
            for consumer in c.subscribers:
                declare.append(event_queue(c.source, c.type, consumer, self.config))
        return declare

    def wake(self):
        if not self._wakeup.ready():
            self._wakeup.send(True)

    def run(self):
        self._running = True
        backoff = self.poll_interval
        while self._running:
            try:
                published = self.publish_pending()
                backoff = self.poll_interval
            except Exception as exc:  # broker or database away: keep the rows, retry later
                log.warning("outbox relay of %s: %s; retrying in %.1fs",
                            self.service_name, exc, backoff)
                published = 0
                backoff = min(backoff * 2, self.max_backoff)
            if published >= self.batch_size:
                eventlet.sleep(0)
                continue
            with eventlet.Timeout(backoff, False):
                self._wakeup.wait()
            self._wakeup = eventlet.event.Event()

    def stop(self):
        self._running = False
        self.wake()

    def publish_pending(self):
        """Publish up to one batch of unsent events; return how many went out."""
        with self.session_factory() as session:
            query = (select(OutboxEvent.seq, OutboxEvent.event_id, OutboxEvent.event_type,
                            OutboxEvent.envelope)
                     .where(OutboxEvent.sent_at.is_(None))
                     .order_by(OutboxEvent.seq).limit(self.batch_size))
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            # (SQLite has no row locks: the Database provider gives the relay sessions that
            # begin IMMEDIATE, so a second relay on the same file waits, then sees them sent)
            rows = session.execute(query).all()
            if not rows:
                session.commit()
                return 0
            try:
                unroutable = self._publish_batch(rows)
            except Exception as exc:  # nothing confirmed: every row waits for the next try
                self._failed(session, [r.seq for r in rows], str(exc))
                session.commit()
                raise
            sent = [r.seq for r in rows if r.event_id not in unroutable]
            if sent:
                session.execute(update(OutboxEvent).where(OutboxEvent.seq.in_(sent))
                                .values(sent_at=utcnow()))
            if unroutable:
                # No queue bound: nothing we declared listens; keep them, and say so.
                self._failed(session, [r.seq for r in rows if r.event_id in unroutable],
                             "unroutable: no queue bound for this event type")
            session.commit()
            return len(sent)

    @staticmethod
    def _failed(session, seqs, error):
        session.execute(update(OutboxEvent).where(OutboxEvent.seq.in_(seqs))
                        .values(attempts=OutboxEvent.attempts + 1, last_error=error[:500]))

    def _publish_batch(self, rows):
        """Publish ``rows`` on one channel in confirm mode and wait for the broker's
        confirms once for the whole batch; return the ids of events it returned unroutable.

        Waiting for each message's confirm before the next (nameko's ``Publisher``) cost a
        broker round trip per event and bounded a relay to a few hundred events a second.
        The guarantee is the same: a row is marked sent only after the broker confirmed it.
        """
        with connections[self.connection].acquire(block=True) as connection:
            for attempt in (1, 2):
                connection.ensure_connection(**self.RECONNECT)
                try:
                    return self._publish_on(connection, rows)
                except connection.recoverable_connection_errors:
                    # a pooled connection the broker dropped while it was idle: once more
                    # on a fresh one (a row published twice is deduplicated by consumers)
                    connection.collect()
                    if attempt == 2:
                        raise
        return set()  # not reached

    def _publish_on(self, connection, rows):
        channel = connection.channel()
        unconfirmed = set(range(1, len(rows) + 1))  # delivery tags, in publish order
        refused, unroutable = [], set()

        def confirmed(tag, multiple, into=None):
            tags = {t for t in unconfirmed if t <= tag} if multiple else {tag}
            unconfirmed.difference_update(tags)
            if into is not None:
                into.extend(tags)

        channel.events["basic_ack"].add(confirmed)
        channel.events["basic_nack"].add(partial(confirmed, into=refused))
        channel.events["basic_return"].add(
            lambda _exc, _exchange, _key, message: unroutable.add(
                message.properties.get("message_id")))
        try:
            channel.confirm_select()
            for entity in self.declarations:
                maybe_declare(entity, channel)
            producer = Producer(channel, exchange=self.exchange, serializer="json",
                                auto_declare=False)
            for row in rows:
                producer.publish(row.envelope, routing_key=row.event_type, mandatory=True,
                                 delivery_mode=2, message_id=row.event_id,
                                 headers={"nameko.fazhi_event_id": row.event_id})
            # a return comes before the confirm of the same message, so once every
            # confirm is in, every return is too
            while unconfirmed:
                connection.drain_events(timeout=self.confirm_timeout)
        finally:
            try:
                channel.close()
            except Exception:  # the connection went: the error that matters is raised
                pass
        if refused:
            raise MessageNacked(f"the broker refused {len(refused)} of {len(rows)} events")
        return unroutable

    def pending_count(self):
        with self.session_factory() as session:
            return session.query(OutboxEvent).filter(OutboxEvent.sent_at.is_(None)).count()
