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

import eventlet
from eventlet.semaphore import Semaphore
from kombu import Exchange, Queue
from nameko.amqp.publish import Publisher
from nameko.events import EventHandler, get_event_exchange
from nameko.messaging import QueueConsumer

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


class EventQueueConsumer(QueueConsumer):
    """Events arrive on a connection of their own, apart from RPC requests.

    nameko gives every entrypoint of a container one queue consumer, with a prefetch of
    ``max_workers`` per queue and one pool of workers. A backlog of events then fills that
    pool and RPC requests wait behind it: reads stop answering while events are worked
    off. Here events have their own connection and prefetch (``EVENT_PREFETCH``), and at
    most ``EVENT_MAX_WORKERS`` workers (default: half of ``max_workers``) handle events
    at once, so the other workers are always free for RPC.
    """

    @property
    def prefetch_count(self):
        return int(self.container.config.get("EVENT_PREFETCH", self.max_event_workers))

    @property
    def max_event_workers(self):
        default = max(1, self.container.max_workers // 2)
        return max(1, min(int(self.container.config.get("EVENT_MAX_WORKERS", default)),
                          self.container.max_workers - 1 or 1))

    def setup(self):
        super().setup()
        self.event_workers = Semaphore(self.max_event_workers)


class ReliableEventHandler(EventHandler):
    """An ``@event_handler`` that never loses an event to a handler error."""

    queue_consumer = EventQueueConsumer()

    def handle_message(self, body, message):
        # runs in a thread of its own per message: waiting here holds back only events
        self.queue_consumer.event_workers.acquire()
        try:
            super().handle_message(body, message)
        except BaseException:
            self.queue_consumer.event_workers.release()
            raise

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        try:
            return super().handle_result(message, worker_ctx, result, exc_info)
        finally:
            self.queue_consumer.event_workers.release()

    def setup(self):
        super().setup()
        self.queue = event_queue(self.source_service, self.event_type,
                                 self.container.service_name, self.container.config)
        self.forwarder = Publisher(self.container.config["AMQP_URI"], use_confirms=True,
                                   delivery_mode=2, serializer="json")

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
