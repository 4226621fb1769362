"""RPC from the gateway to the services: a pool of clients shared by request threads.

Each client is one broker connection with one channel, on which it both publishes its
requests and consumes its replies (nameko's wire format: the ``nameko-rpc`` exchange,
``<service>.<method>``, context data as ``nameko.*`` headers). A request thread borrows a
client, every call carries a timeout, and a client that timed out or lost its connection
is thrown away rather than returned.

Requests are transient and need no publisher confirm: the caller waits for its reply
with its own timeout either way, and a confirm would cost a broker round trip per call.
They are published ``mandatory``: a request no queue takes (no service of that name has
ever run) comes back as ``basic.return`` on the channel the caller is already draining
for its reply, and fails that call at once as "not running". Requests also carry an
AMQP expiration equal to the timeout, so a request the gateway gave up on (a 503 to the
caller) is not executed later when a stalled service comes back.
"""
import logging
import queue
import threading
import time
import uuid
from contextlib import contextmanager

from kombu import Connection, Consumer, Producer, Queue
from nameko.constants import HEADER_PREFIX, NON_PERSISTENT
from nameko.exceptions import RpcTimeout, UnknownService, deserialize
from nameko.rpc import RPC_REPLY_QUEUE_TEMPLATE, get_rpc_exchange

from fazhi_common.messaging import broker_spoke, connect_timeout

log = logging.getLogger(__name__)

# The gateway's broker user may use reply queues of this name only (deploy/rabbitmq).
REPLY_QUEUE_OWNER = "standalone_rpc_proxy"


class ServiceUnavailable(Exception):
    """The service did not answer: not running, broker unreachable, or too slow."""

    def __init__(self, service, reason):
        super().__init__(f"{service}: {reason}")
        self.service = service
        self.reason = reason


class RpcClient:
    """One connection and channel: requests out; their replies, or their return, back in.

    Used by one thread at a time, for one call at a time. The reply queue is exclusive:
    it goes with the connection, so a client thrown away leaves nothing behind.
    """

    def __init__(self, config, timeout):
        self.timeout = timeout
        self.connection = Connection(config["AMQP_URI"], connect_timeout=connect_timeout(config))
        try:
            channel = self.connection.channel()
            exchange = get_rpc_exchange(config)
            self.reply_to = str(uuid.uuid4())
            replies = Queue(RPC_REPLY_QUEUE_TEMPLATE.format(REPLY_QUEUE_OWNER, self.reply_to),
                            exchange=exchange, routing_key=self.reply_to,
                            exclusive=True, auto_delete=True)
            self.producer = Producer(channel, exchange=exchange, serializer="json",
                                     on_return=self._on_return)
            # no acks: the queue is this connection's alone and goes with it
            Consumer(channel, [replies], callbacks=[self._on_reply], no_ack=True,
                     accept=["json"]).consume()
        except BaseException:
            self.close()
            raise
        self._expected = self._reply = None
        self._returned = False

    def _on_reply(self, body, message):
        # a late reply to a call this client gave up on is not this call's
        if message.properties.get("correlation_id") == self._expected:
            self._reply = body

    def _on_return(self, exc, exchange, routing_key, message):
        if message.properties.get("correlation_id") == self._expected:
            self._returned = True

    def call(self, service, method, args, kwargs, context):
        self._expected, self._reply, self._returned = uuid.uuid4().hex, None, False
        headers = {f"{HEADER_PREFIX}.{key}": value for key, value in context.items()
                   if value is not None}
        self.producer.publish(
            {"args": args, "kwargs": kwargs}, routing_key=f"{service}.{method}",
            mandatory=True, reply_to=self.reply_to, correlation_id=self._expected,
            headers=headers, delivery_mode=NON_PERSISTENT, expiration=self.timeout)
        deadline = time.monotonic() + self.timeout
        while self._reply is None:
            if self._returned:
                raise UnknownService(service)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RpcTimeout(self.timeout)
            try:
                self.connection.drain_events(timeout=remaining)
            except TimeoutError:
                raise RpcTimeout(self.timeout) from None
        error = self._reply.get("error")
        if error:
            raise deserialize(error)
        return self._reply["result"]

    def close(self):
        try:
            # Closing says goodbye to the broker and waits for its answer with no limit of
            # its own; on a connection that just failed that wait must be bounded too.
            # (kombu's connection wraps py-amqp's, whose transport holds the socket)
            self.connection.connection.transport.sock.settimeout(self.timeout)
        except (AttributeError, OSError):  # never connected, or the socket is already gone
            pass
        try:
            self.connection.close()
        except Exception:  # already broken; nothing more to release
            log.debug("discarding a broken RPC client", exc_info=True)


class RpcPool:
    def __init__(self, config, size=16, timeout=5.0):
        self.config = config
        self.size = size
        self.timeout = timeout
        self._idle = queue.LifoQueue()
        self._lock = threading.Lock()
        self._open = 0
        # One slot per client that may exist. A request waits (bounded) for a slot, not
        # for an idle client: a client thrown away after a timeout frees its slot at once,
        # where waiting for it to come back idle would leave waiters to time out for
        # nothing.
        self._slots = threading.BoundedSemaphore(size)

    def _start_client(self):
        return RpcClient(self.config, self.timeout)

    def _discard(self, client):
        """Throw away a borrowed client and free its slot. The client is closed in the
        background: the request that found it broken answers now, not after a goodbye
        to the broker that may itself wait out a timeout."""
        with self._lock:
            self._open -= 1
        self._slots.release()
        threading.Thread(target=client.close, daemon=True).start()

    def _stop(self, client):
        with self._lock:
            self._open -= 1
        client.close()

    def _give_back(self, client):
        self._idle.put(client)
        self._slots.release()

    def _borrow(self, service):
        if not self._slots.acquire(timeout=self.timeout):
            raise ServiceUnavailable(service, "the gateway is at capacity")
        while True:
            try:
                client = self._idle.get_nowait()
            except queue.Empty:
                break
            if not broker_spoke(client.connection):
                return client
            # closed by the broker while idle (a restart, a lost node): a request published
            # on it would be lost without an error
            with self._lock:
                self._open -= 1
            threading.Thread(target=client.close, daemon=True).start()
        with self._lock:
            self._open += 1
        try:
            return self._start_client()
        except Exception as exc:
            with self._lock:
                self._open -= 1
            self._slots.release()
            raise ServiceUnavailable(service, f"message broker unreachable ({exc})") from None

    @contextmanager
    def client(self, service):
        client = self._borrow(service)
        healthy = False
        try:
            yield client
            healthy = True
        except UnknownService:
            healthy = True
            raise ServiceUnavailable(service, "the service is not running") from None
        except RpcTimeout:
            raise ServiceUnavailable(service, f"no answer within {self.timeout:g}s") from None
        except (OSError, ConnectionError) as exc:
            raise ServiceUnavailable(service, f"connection lost ({exc})") from None
        except Exception as exc:
            # Errors the service raised arrive as exceptions on a healthy connection;
            # anything from the AMQP layer means this client is no longer usable.
            healthy = not type(exc).__module__.startswith(("amqp", "kombu"))
            if not healthy:
                raise ServiceUnavailable(service, f"broker error ({exc})") from None
            raise
        finally:
            if healthy:
                self._give_back(client)
            else:
                self._discard(client)

    def call(self, service, method, *args, context=None, **kwargs):
        """Call ``service.method`` with ``context`` carried as nameko context data."""
        with self.client(service) as client:
            return client.call(service, method, args, kwargs, context or {})

    def close(self):
        while True:
            try:
                self._stop(self._idle.get_nowait())  # idle clients hold no slot
            except queue.Empty:
                return
