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

import eventlet
from nameko.amqp.publish import Publisher, UndeliverableMessage
from nameko.events import get_event_exchange
from sqlalchemy import JSON, Integer, String, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from fazhi_common import events
from fazhi_common.bulk import insert_for
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


def _envelope(event_type, data):
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "source": events.contract(event_type).source,
        "occurred_at": utcnow().isoformat(),
        "data": events.serialise_payload(event_type, data),
    }


def record_event(session, event_type, data):
    """Add an event to the outbox in ``session``'s transaction; return its envelope."""
    envelope = _envelope(event_type, data)
    session.add(OutboxEvent(event_id=envelope["id"], event_type=event_type, envelope=envelope))
    session.info.setdefault("outbox_pending", 0)
    session.info["outbox_pending"] += 1
    return envelope


def record_events(session, event_type, datas):
    """``record_event`` for many payloads in one bulk INSERT: no object per event stays in
    the session, so a list of a million units records its events in bounded memory."""
    rows = [{"event_id": envelope["id"], "event_type": event_type, "envelope": envelope}
            for envelope in (_envelope(event_type, data) for data in datas)]
    if rows:
        session.execute(insert(OutboxEvent), rows)
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


class OutboxRelay:
    """Publishes a service's unsent outbox rows; runs in the service's container.

    Wakes when a transaction that wrote events commits, and polls every
    ``poll_interval`` seconds anyway (events written by another process, a broker that
    came back). Rows are taken with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL so several
    instances of a service share the work without publishing a row twice; on SQLite give
    it sessions from ``fazhi_common.db.writer(engine)`` for the same guarantee.
    """

    def __init__(self, service_name, session_factory, config, poll_interval=1.0,
                 batch_size=200, max_backoff=30.0):
        self.service_name = service_name
        self.session_factory = session_factory
        self.config = config
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self.max_backoff = max_backoff
        self.exchange = get_event_exchange(service_name, config)
        self.publisher = Publisher(
            config["AMQP_URI"], use_confirms=True, mandatory=True, delivery_mode=2,
            serializer="json", retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0.2, "interval_step": 0.5},
        )
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
            query = (select(OutboxEvent).where(OutboxEvent.sent_at.is_(None))
                     .order_by(OutboxEvent.seq).limit(self.batch_size))
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            # (SQLite has no row locks: the Database provider gives the relay sessions that
            # begin IMMEDIATE, so a second relay on the same file waits, then sees them sent)
            rows = session.scalars(query).all()
            sent = 0
            for row in rows:
                try:
                    # declaring the queues once a batch is enough to have them before the
                    # batch's events; per message it cost more CPU than the publish itself
                    self._publish(row, self.declarations if sent == 0 else [])
                except UndeliverableMessage:
                    # No queue bound: nothing we declared listens; keep it, and say so.
                    row.attempts += 1
                    row.last_error = "unroutable: no queue bound for this event type"
                    break
                except Exception as exc:
                    row.attempts += 1
                    row.last_error = str(exc)[:500]
                    session.commit()
                    raise
                row.sent_at = utcnow()
                sent += 1
            session.commit()
            return sent

    def _publish(self, row, declare):
        self.publisher.publish(
            row.envelope,
            exchange=self.exchange,
            routing_key=row.event_type,
            declare=declare,
            headers={"nameko.fazhi_event_id": row.event_id},
            message_id=row.event_id,
        )

    def pending_count(self):
        with self.session_factory() as session:
            return session.query(OutboxEvent).filter(OutboxEvent.sent_at.is_(None)).count()
