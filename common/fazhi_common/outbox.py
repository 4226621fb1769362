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
import socket
import uuid
from contextlib import contextmanager
from datetime import datetime

import eventlet
from amqp import Message
from amqp.exceptions import MessageNacked
from kombu import Connection
from kombu.common import maybe_declare
from kombu.pools import connections
from nameko.constants import DEFAULT_TRANSPORT_OPTIONS
from nameko.events import get_event_exchange
from sqlalchemy import JSON, Integer, String, Text, cast, select, text, update
from sqlalchemy.orm import Mapped, mapped_column

from fazhi_common.bulk import insert_for, insert_rows
from fazhi_common.clock import UtcDateTime, utcnow
from fazhi_common.contracts import events
from fazhi_common.messaging import connect_timeout, dead_letter_queue, event_queue
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


_CLAIM_ARRAY = text(
    "INSERT INTO processed_event (event_id, handler, processed_at) "
    "SELECT unnest(CAST(:ids AS varchar[])), :handler, :now "
    "ON CONFLICT DO NOTHING RETURNING event_id")


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
    if session.get_bind().dialect.name == "postgresql":
        # the ids as one array: no parameters to process row by row
        claimed = set(session.scalars(_CLAIM_ARRAY, {"ids": ids, "handler": handler,
                                                     "now": now}))
    else:
        # one statement whatever the batch's size (compiled once, cached): SQLAlchemy
        # sends the rows as one INSERT of many VALUES because of RETURNING
        table = ProcessedEvent.__table__
        insert = (insert_for(session, table).on_conflict_do_nothing()
                  .returning(table.c.event_id))
        claimed = set(session.scalars(insert, [
            {"event_id": i, "handler": handler, "processed_at": now} for i in ids]))
    fresh = []
    for envelope in envelopes:
        if envelope["id"] in claimed:
            claimed.discard(envelope["id"])
            fresh.append(envelope)
    return fresh


class BatchConfirms:
    """What the broker answered of a batch published on one confirming channel."""

    def __init__(self, rows):
        self.waiting = dict(enumerate(rows, 1))  # delivery tag -> row not answered yet
        self.confirmed, self.refused, self.unroutable = [], [], set()

    def on_fresh_channel(self):
        """The rows not answered yet, to publish (again) on a fresh channel, where their
        delivery tags count from 1."""
        self.waiting = dict(enumerate(self.waiting.values(), 1))
        return list(self.waiting.values())

    def _answered(self, tag, multiple):
        if not multiple:
            row = self.waiting.pop(tag, None)
            return [] if row is None else [row]
        tags = []
        for waiting in self.waiting:
            if waiting > tag:
                break
            tags.append(waiting)
        return [self.waiting.pop(t) for t in tags]

    def ack(self, tag, multiple):
        self.confirmed += self._answered(tag, multiple)

    def nack(self, tag, multiple):
        self.refused += self._answered(tag, multiple)

    def returned(self, _exc, _exchange, _routing_key, message):
        self.unroutable.add(message.properties.get("message_id"))


@contextmanager
def _corked(connection):
    """Hold small writes on ``connection``'s socket and send them as full TCP segments
    when the block ends (Linux's TCP_CORK), instead of a segment per message."""
    sock = getattr(connection.connection, "sock", None)
    cork = getattr(socket, "TCP_CORK", None)
    if sock is None or cork is None:
        yield
        return
    sock.setsockopt(socket.IPPROTO_TCP, cork, 1)
    try:
        yield
    finally:
        sock.setsockopt(socket.IPPROTO_TCP, cork, 0)


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
        self.connection = Connection(config["AMQP_URI"], connect_timeout=connect_timeout(config),
                                     transport_options=DEFAULT_TRANSPORT_OPTIONS.copy())
        self.confirm_timeout = confirm_timeout
        self._wakeup = eventlet.event.Event()
        self._running = False
        self.declarations = self._declarations()
        # the envelope as the JSON text stored: published as it is
        self.pending = (select(OutboxEvent.seq, OutboxEvent.event_id, OutboxEvent.event_type,
                               cast(OutboxEvent.envelope, Text).label("body"))
                        .where(OutboxEvent.sent_at.is_(None)).order_by(OutboxEvent.seq))

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
        """Publish up to one batch of unsent events; return how many went out.

        A row is marked sent only once the broker confirmed it; what it refused, returned
        unroutable or never answered (a lost connection, a timeout) waits, with its error,
        for the next try.
        """
        with self.session_factory() as session:
            query = self.pending.limit(self.batch_size)
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            # (SQLite has no row locks: the Database provider gives the relay sessions that
            # begin IMMEDIATE, so a second relay on the same file waits, then sees them sent)
            rows = session.execute(query).all()
            if not rows:
                session.commit()
                return 0
            confirms = BatchConfirms(rows)
            error = None
            try:
                self._publish_batch(confirms)
            except Exception as exc:  # what the broker confirmed before is sent all the same
                error = exc
            sent = [r.seq for r in confirms.confirmed if r.event_id not in confirms.unroutable]
            if sent:
                session.execute(update(OutboxEvent).where(OutboxEvent.seq.in_(sent))
                                .values(sent_at=utcnow()))
            # No queue bound: nothing we declared listens; keep them, and say so.
            self._failed(session, [r for r in confirms.confirmed
                                   if r.event_id in confirms.unroutable],
                         "unroutable: no queue bound for this event type")
            self._failed(session, confirms.refused, "refused by the broker (nack)")
            if error is not None:
                self._failed(session, confirms.waiting.values(), str(error))
            session.commit()
            if error is not None:
                raise error
            if confirms.refused:
                raise MessageNacked(f"the broker refused {len(confirms.refused)} of "
                                    f"{len(rows)} events")
            return len(sent)

    @staticmethod
    def _failed(session, rows, error):
        seqs = [r.seq for r in rows]
        if seqs:
            session.execute(update(OutboxEvent).where(OutboxEvent.seq.in_(seqs))
                            .values(attempts=OutboxEvent.attempts + 1, last_error=error[:500]))

    def _publish_batch(self, confirms):
        """Publish the rows of ``confirms`` on one channel in confirm mode and wait for the broker's
        confirms once for the whole batch, filing its answers in ``confirms``.

        Waiting for each message's confirm before the next (nameko's ``Publisher``) cost a
        broker round trip per event and bounded a relay to a few hundred events a second.
        The guarantee is the same: a row is marked sent only after the broker confirmed it.
        """
        with connections[self.connection].acquire(block=True) as connection:
            for attempt in (1, 2):
                connection.ensure_connection(**self.RECONNECT)
                try:
                    return self._publish_on(connection, confirms)
                except connection.recoverable_connection_errors:
                    # a pooled connection the broker dropped while it was idle: what it
                    # had not confirmed once more on a fresh one (a row published twice is
                    # deduplicated by consumers)
                    connection.collect()
                    if attempt == 2:
                        raise

    def _publish_on(self, connection, confirms):
        channel = connection.channel()
        rows = confirms.on_fresh_channel()
        channel.events["basic_ack"].add(confirms.ack)
        channel.events["basic_nack"].add(confirms.nack)
        channel.events["basic_return"].add(confirms.returned)
        try:
            channel.confirm_select()
            for entity in self.declarations:
                maybe_declare(entity, channel)
            # each envelope goes as the JSON text the outbox holds (no decoding and
            # encoding again), the frames of a batch in as few TCP segments as they fill
            with _corked(connection):
                for row in rows:
                    channel.basic_publish(
                        Message(row.body, content_type="application/json",
                                content_encoding="utf-8", delivery_mode=2, priority=0,
                                message_id=row.event_id,
                                application_headers={"nameko.fazhi_event_id": row.event_id}),
                        exchange=self.exchange.name, routing_key=row.event_type,
                        mandatory=True)
            # a return comes before the confirm of the same message, so once every
            # confirm is in, every return is too
            while confirms.waiting:
                connection.drain_events(timeout=self.confirm_timeout)
        finally:
            try:
                channel.close()
            except Exception:  # the connection went: the error that matters is raised
                pass

    def pending_count(self):
        with self.session_factory() as session:
            return session.query(OutboxEvent).filter(OutboxEvent.sent_at.is_(None)).count()
