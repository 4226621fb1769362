"""Queue topology and the event-handler entrypoint every consumer uses.

Every durable queue the platform owns is a quorum queue: Raft-replicated over the nodes
of a RabbitMQ cluster, so losing one node loses neither the queue nor its messages, and
the same declaration works on a single node (the quick start). One function here gives
each kind of queue its arguments, and everyone who declares a queue (the outbox relays,
the consumers, the RPC entrypoints, the tests) goes through it: RabbitMQ refuses a
re-declaration with different arguments.

nameko's own ``@event_handler`` acks a message even when the handler raises
(``requeue_on_error=False``), which loses the event. Ours gives a failed event back to
its queue (after a short pause that grows with each attempt); the queue counts the
deliveries, and after ``DELIVERY_LIMIT`` attempts the broker moves the message to the
durable dead-letter queue (at-least-once where the broker policy ``DEAD_LETTER_POLICY``
is applied: the dead-letter queue confirms it before the message leaves its own queue),
where it waits to be inspected
and replayed. A delivery lost with a dropped connection or a failed node counts too.

Event queues are named by (source, event type, consuming service), one handler per event
per service, so the publishing side can declare them from the contracts alone.
"""
import logging
import re
import sys
from collections import deque
from functools import partial

import eventlet
from amqp.exceptions import AMQPError
from eventlet.semaphore import Semaphore
from kombu import Connection, Queue
from nameko.events import EventHandler, get_event_exchange
from nameko.exceptions import (
    ContainerBeingKilled,
)
from nameko.extensions import SharedExtension
from nameko.messaging import QueueConsumer
from nameko.rpc import RPC_QUEUE_TEMPLATE, get_rpc_exchange

import fazhi_common.remote  # noqa: F401  (contract errors cross the bus as themselves)
from fazhi_common.contracts.events import load_payload

log = logging.getLogger(__name__)


class HidePasswords(logging.Filter):
    """Masks every password of a failover ``AMQP_URI`` in a log line.

    nameko logs the broker's address when it cannot connect, masking the password of the
    first address only: with several (``;``-separated) the others would reach the logs.
    """

    PASSWORD = re.compile(r"(://[^:/@;\s]+:)[^@;\s]+@")

    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = self.PASSWORD.sub(r"\1********@", record.msg)
        return True


logging.getLogger("nameko.messaging").addFilter(HidePasswords())

DELIVERY_LIMIT = 5  # attempts at one message before it is dead-lettered
RETRY_DELAY_SECONDS = 0.2
DELIVERY_COUNT_HEADER = "x-delivery-count"  # set by a quorum queue on a redelivery
DEAD_LETTER_QUEUE = "fazhi.dead-letter"
DEFAULT_EVENT_PREFETCH = 200


# At-least-once dead-lettering is switched on by this broker policy, not by a queue
# argument. RabbitMQ 3.10 (Debian's) starts a dead-letter worker per such queue; a queue
# deleted while its worker starts crashes the worker, and a burst of those (a vhost of
# fresh queues deleted, as every test does) takes down the workers' supervisor for good:
# from then on no at-least-once queue on the node can elect a leader until it restarts.
# Deployments, whose queues live for months, apply the policy (deploy/rabbitmq); the
# test vhosts, created and deleted by the thousand, run without it.
DEAD_LETTER_POLICY = {
    "name": "fazhi-dead-letter",
    "pattern": "^evt-",
    "apply-to": "queues",
    "definition": {"dead-letter-strategy": "at-least-once"},
    "priority": 0,
}


def quorum_arguments(dead_letter=True):
    """Arguments of a durable queue of ours: quorum, a delivery limit, and (for event
    queues) dead-lettering to ``DEAD_LETTER_QUEUE`` (at-least-once under
    ``DEAD_LETTER_POLICY``).

    The delivery limit counts redeliveries, so it is one less than the attempts.
    At-least-once dead-lettering requires ``reject-publish`` overflow; no queue has a
    length limit, so that only matters if an operator adds one by policy.
    """
    arguments = {"x-queue-type": "quorum", "x-delivery-limit": DELIVERY_LIMIT - 1}
    if dead_letter:
        arguments.update({
            "x-dead-letter-exchange": "",  # the default exchange: routed by queue name
            "x-dead-letter-routing-key": DEAD_LETTER_QUEUE,
            "x-overflow": "reject-publish",
        })
    return arguments


def dead_letter_queue():
    # bound to the default exchange by name; no exchange of its own. A quorum queue with
    # no delivery limit or dead-lettering of its own: what reaches it waits for a person.
    return Queue(DEAD_LETTER_QUEUE, durable=True, auto_delete=False,
                 queue_arguments={"x-queue-type": "quorum"})


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
        queue_arguments=quorum_arguments(),
    )


def rpc_queue(service, config):
    """``rpc-<service>``: nameko's RPC request queue, as a quorum queue.

    A request that fails in the service is answered with the error and acked; only a
    request whose delivery dies with the service process comes back. The delivery limit
    stops one that kills every instance it reaches; it is dropped, not dead-lettered (its
    caller gave up long before, and a request is no event to replay).
    """
    return Queue(
        RPC_QUEUE_TEMPLATE.format(service),
        exchange=get_rpc_exchange(config),
        routing_key=f"{service}.*",
        durable=True,
        queue_arguments=quorum_arguments(dead_letter=False),
    )


def settle(how, message):
    """Ack or requeue ``message`` with ``how``; if the connection it came on is gone (its
    node stopped), the broker has already taken it back, and there is nothing to do.

    (nameko ignores only an AMQP-level connection error there; a reset socket escaped,
    ended the worker with an error, and so killed the whole service.)
    """
    try:
        how(message)
    except (OSError, AMQPError) as exc:
        log.warning("could not settle a delivery, its connection is gone: %s", exc)


_select = eventlet.patcher.original("select")  # a real poll, even in a green process


def connect_timeout(config):
    """Seconds a new broker connection may take to open before the broker counts as
    unreachable (``BROKER_CONNECT_TIMEOUT``, 5 as kombu's own default): a machine whose
    CPU is saturated answers the handshake late, not never."""
    return float(config.get("BROKER_CONNECT_TIMEOUT", 5))


def broker_spoke(connection):
    """True if the broker has sent something on ``connection`` (kombu) nobody has read.

    On a connection we only publish on, or hold between RPC calls, that is the broker
    closing it (a restart, an operator, a lost node) or a flow notice. Publishing on a
    connection the broker already closed is lost without an error: look first.
    """
    try:
        sock = connection.connection.sock
        return bool(_select.select([sock], [], [], 0)[0])
    except (AttributeError, OSError, ValueError):  # no socket any more
        return True


class DeadLetterQueueDeclaration(SharedExtension):
    """Declares the dead-letter queue once per container, before its handlers consume.

    (The relays declare it too; a consumer should not depend on a publisher having run.
    If it cannot be declared now, nothing is lost where the dead-letter policy applies:
    at-least-once dead-lettering keeps a message in its own queue until the dead-letter
    queue exists.)
    """

    def start(self):
        try:
            config = self.container.config
            with Connection(config["AMQP_URI"],
                            connect_timeout=connect_timeout(config)) as connection:
                connection.ensure_connection(max_retries=3)
                dead_letter_queue()(connection.default_channel).declare()
        except Exception as exc:
            log.warning("could not declare %s yet: %s", DEAD_LETTER_QUEUE, exc)


class EventQueueConsumer(QueueConsumer):
    """Events arrive on a connection of their own, apart from RPC requests.

    nameko gives every entrypoint of a container one queue consumer, with a prefetch of
    ``max_workers`` per queue and one pool of workers. A backlog of events then fills that
    pool and RPC requests wait behind it: reads stop answering while events are worked
    off. Here events have their own connection and prefetch (``EVENT_PREFETCH``), and at
    most ``EVENT_MAX_WORKERS`` workers (default: half of ``max_workers``) handle events
    at once, so the other workers are always free for RPC.

    A message is filed with its handler in the consumer's own thread (nameko spawns a
    thread per message; a backlog of thousands then waited in thousands of threads) and
    a worker starts whenever one is free, taking what waits. Acks follow the commit:
    where a batch's messages are all the oldest unsettled on their channel, one
    ``basic.ack`` with ``multiple`` settles them at once; any other is acked alone, so an
    ack never covers a message that is not done.
    """

    @property
    def prefetch_count(self):
        # RabbitMQ's guides put throughput at 100-300 unacked; a batch handler needs at
        # least a batch waiting per worker to take it
        return int(self.container.config.get("EVENT_PREFETCH", DEFAULT_EVENT_PREFETCH))

    @property
    def max_event_workers(self):
        default = max(1, self.container.max_workers // 2)
        return max(1, min(int(self.container.config.get("EVENT_MAX_WORKERS", default)),
                          self.container.max_workers - 1 or 1))

    def setup(self):
        super().setup()
        self.event_workers = Semaphore(self.max_event_workers)
        self.unsettled = {}  # channel -> {delivery tag: None}, oldest first
        self.ready = {}  # handlers with events waiting for a worker, in turn

    def get_consumers(self, consumer_cls, channel):
        self.unsettled = {}  # a new connection: the old one's deliveries went back
        return super().get_consumers(consumer_cls, channel)

    def handle_message(self, provider, body, message):
        self.unsettled.setdefault(message.channel, {})[message.delivery_tag] = None
        provider.handle_message(body, message)

    def dispatch(self, provider=None):
        """Start workers on what waits (``provider`` has something new), while workers
        are free; handlers with something waiting take turns."""
        if provider is not None:
            self.ready[provider] = None
        while self.ready and self.event_workers.acquire(blocking=False):
            provider = next(iter(self.ready))
            del self.ready[provider]
            if not provider.has_waiting():
                self.event_workers.release()
                continue
            provider.run_next()
            if provider.has_waiting():
                self.ready[provider] = None  # behind the others that wait

    def _forget(self, message):
        tags = self.unsettled.get(message.channel)
        if tags is not None:
            tags.pop(message.delivery_tag, None)

    def ack_messages(self, messages):
        """Ack ``messages`` (done), as few frames as their delivery tags allow."""
        by_channel = {}
        for message in messages:
            by_channel.setdefault(message.channel, []).append(message)
        for channel, done in by_channel.items():
            tags = self.unsettled.get(channel, {})
            done_tags = {m.delivery_tag for m in done}
            oldest = []
            for tag in tags:
                if tag not in done_tags:
                    break
                oldest.append(tag)
            if len(oldest) > 1:
                for tag in oldest:
                    del tags[tag]
                settle(partial(self._ack_up_to, channel), oldest[-1])
                acked = set(oldest)
                done = [m for m in done if m.delivery_tag not in acked]
            for message in done:
                self._forget(message)
                settle(self.ack_message, message)

    @staticmethod
    def _ack_up_to(channel, tag):
        if channel.connection:  # else the broker has taken them back already
            channel.basic_ack(tag, multiple=True)

    def requeue(self, message):
        self._forget(message)
        settle(self.requeue_message, message)


class ReliableEventHandler(EventHandler):
    """An ``@event_handler`` that never loses an event to a handler error.

    Every handler takes ``(self, envelope, payload)``: the envelope as published (its
    ``id`` for ``claim_event``; JSON, to store or forward) and the payload loaded through
    the event's contract schema (dates are dates, division codes are ``Division``s).
    A payload its contract refuses is retried and dead-lettered like a failing handler.

    ``batch=True``: the handler takes ``(self, events)``, a list of ``(envelope,
    payload)``, and does them in one transaction (``claim_events``). A worker takes what
    has arrived while the others were busy, up to ``EVENT_BATCH_SIZE``: one event when
    they come one by one, hundreds when a backlog drains, without waiting for a batch to
    fill. Every message is acked after the batch's worker returned. If the batch fails,
    each of its events goes again alone, so only one that fails by itself is retried and
    dead-lettered.
    """

    queue_consumer = EventQueueConsumer()
    dead_letter_queue = DeadLetterQueueDeclaration()

    def __init__(self, source_service, event_type, batch=False, **kwargs):
        self.batch = batch
        super().__init__(source_service, event_type, **kwargs)

    def handle_message(self, body, message):
        # runs in the consumer's thread: it must not wait (a failure's pause below gets a
        # thread of its own)
        try:
            payload = load_payload(self.event_type, body["data"])
        except Exception:
            # a payload its contract refuses goes the way of a failing handler
            self.container.spawn_managed_thread(partial(
                self.handle_message_processed, message, exc_info=sys.exc_info()))
            return
        self.waiting.append((body, payload, message))
        self.queue_consumer.dispatch(self)

    def has_waiting(self):
        return bool(self.alone or self.waiting)

    def run_next(self):
        """Run what waits next on a worker the caller has taken: an event of a failed
        batch alone, or else up to a batch of what arrived."""
        if self.alone:
            events = [self.alone.popleft()]
        else:
            size = self.batch_size if self.batch else 1
            events, self.waiting[:size] = self.waiting[:size], []
        envelope, payload, message = events[0]
        args = ([(e, p) for e, p, _m in events],) if self.batch else (envelope, payload)
        try:
            self.container.spawn_worker(
                self, args, {}, context_data=self.unpack_message_headers(message),
                handle_result=partial(self.handle_result, events))
        except ContainerBeingKilled:
            self.queue_consumer.event_workers.release()
            for *_, message in events:
                self.queue_consumer.requeue(message)
        except BaseException:
            self.queue_consumer.event_workers.release()
            raise

    def handle_result(self, events, worker_ctx, result=None, exc_info=None):
        try:
            if exc_info is not None and len(events) > 1:
                # the batch rolled back as a whole: each event again alone, so an event
                # that fails by itself does not take the others to the dead-letter queue
                self.alone.extend(events)
                self.queue_consumer.ready[self] = None
            elif exc_info is None:
                self.queue_consumer.ack_messages([message for *_, message in events])
            else:
                self.handle_message_processed(events[0][2], result, exc_info)
            return result, exc_info
        finally:
            self.queue_consumer.event_workers.release()
            self.queue_consumer.dispatch()

    def setup(self):
        super().setup()
        self.queue = event_queue(self.source_service, self.event_type,
                                 self.container.service_name, self.container.config)
        self.waiting = []
        self.alone = deque()
        self.batch_size = max(1, int(self.container.config.get("EVENT_BATCH_SIZE", 100)))

    def handle_message_processed(self, message, result=None, exc_info=None):
        if exc_info is None:
            self.queue_consumer.ack_messages([message])
            return
        attempt = int((message.headers or {}).get(DELIVERY_COUNT_HEADER, 0)) + 1
        error = exc_info[1]
        if attempt < DELIVERY_LIMIT:
            log.warning("event on %s failed (attempt %d): %s", self.queue.name, attempt, error)
            # a pause before the retry, so a passing fault (a database restarting) can pass
            eventlet.sleep(RETRY_DELAY_SECONDS * attempt)
        else:
            log.error("event on %s dead-lettered after %d attempts: %s",
                      self.queue.name, attempt, error)
        # back to the queue, which counts it and dead-letters it past the limit
        self.queue_consumer.requeue(message)


event_handler = ReliableEventHandler.decorator
