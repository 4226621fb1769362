"""Queue topology and the event-handler entrypoint every consumer uses.

nameko's own ``@event_handler`` acks a message even when the handler raises
(``requeue_on_error=False``), which loses the event; requeueing instead would loop a
poison message forever. Ours does neither: a failed event is published back onto its
queue with an attempt count (with publisher confirms, before the original is acked),
and after ``DELIVERY_LIMIT`` attempts it goes to the durable dead-letter queue, where it
waits to be inspected and replayed. Nothing is acked before its successor is safely
stored by the broker.

Queues are classic durable queues named by (source, event type, consuming service), one
handler per event per service, so the publishing side can declare them from the
contracts alone. (Broker-side at-least-once dead-lettering needs quorum queues, and
RabbitMQ 3.10's implementation crashed under vhost deletion in our tests.)
"""
import logging
import sys
from functools import partial

import eventlet
from kombu import Exchange, Queue
from nameko.amqp.publish import Publisher
from nameko.events import EventHandler, get_event_exchange
from nameko.exceptions import ContainerBeingKilled

from fazhi_common import events

log = logging.getLogger(__name__)

DELIVERY_LIMIT = 5
RETRY_DELAY_SECONDS = 0.2
ATTEMPTS_HEADER = "x-fazhi-attempts"
DEAD_LETTER_QUEUE = "fazhi.dead-letter"


def dead_letter_queue():
    # bound to the default exchange by name; no exchange of its own
    return Queue(DEAD_LETTER_QUEUE, durable=True, auto_delete=False)


def event_queue_name(source, event_type, consumer):
    return f"evt-{source}-{event_type}--{consumer}"


def event_queue(source, event_type, consumer, config):
    """The durable queue through which ``consumer`` receives ``source``'s ``event_type``."""
    return Queue(
        event_queue_name(source, event_type, consumer),
        exchange=get_event_exchange(source, config),
        routing_key=event_type,
        durable=True,
        auto_delete=False,
    )


class ReliableEventHandler(EventHandler):
    """An ``@event_handler`` that never loses an event to a handler error.

    Every handler takes ``(self, envelope, payload)``: the envelope as published (its
    ``id`` for ``claim_event``; JSON, to store or forward) and the payload loaded through
    the event's contract schema (dates are dates, division codes are ``Division``s).
    A payload its contract refuses is retried and dead-lettered like a failing handler.
    """

    def setup(self):
        super().setup()
        self.queue = event_queue(self.source_service, self.event_type,
                                 self.container.service_name, self.container.config)
        self.forwarder = Publisher(self.container.config["AMQP_URI"], use_confirms=True,
                                   delivery_mode=2, serializer="json")

    def handle_message(self, body, message):
        try:
            payload = events.load_payload(self.event_type, body["data"])
        except Exception:
            self.handle_message_processed(message, exc_info=sys.exc_info())
            return
        handle_result = partial(self.handle_result, message)
        try:
            self.container.spawn_worker(self, (body, payload), {},
                                        context_data=self.unpack_message_headers(message),
                                        handle_result=handle_result)
        except ContainerBeingKilled:
            self.queue_consumer.requeue_message(message)

    def handle_message_processed(self, message, result=None, exc_info=None):
        if exc_info is None:
            self.queue_consumer.ack_message(message)
            return
        attempts = int((message.headers or {}).get(ATTEMPTS_HEADER, 0)) + 1
        try:
            self._forward(message, attempts, exc_info[1])
        except Exception:
            # the broker is in trouble: leave the message unacked, it will come back
            log.exception("could not forward failed event on %s", self.queue.name)
            self.queue_consumer.requeue_message(message)
            return
        self.queue_consumer.ack_message(message)

    def _forward(self, message, attempts, error):
        headers = dict(message.headers or {})
        headers[ATTEMPTS_HEADER] = attempts
        headers["x-fazhi-last-error"] = f"{type(error).__name__}: {error}"[:500]
        headers["x-fazhi-origin-queue"] = self.queue.name
        if attempts < DELIVERY_LIMIT:
            eventlet.sleep(RETRY_DELAY_SECONDS * attempts)
            target, declare = self.queue.name, [self.queue]
            log.warning("event on %s failed (attempt %d): %s", self.queue.name, attempts, error)
        else:
            target, declare = DEAD_LETTER_QUEUE, [dead_letter_queue()]
            log.error("event on %s dead-lettered after %d attempts: %s",
                      self.queue.name, attempts, error)
        self.forwarder.publish(message.payload, exchange=Exchange(""), routing_key=target,
                               headers=headers, declare=declare)


event_handler = ReliableEventHandler.decorator
