"""A pool of nameko standalone RPC clients, safe to share between request threads.

nameko's ``ClusterRpcProxy`` is single-threaded, keeps no heartbeat, cannot be reused
after a disconnect and waits forever without a timeout. So: each request thread borrows
a started client from the pool, every call carries a timeout, and a client that timed
out or lost its connection is thrown away rather than returned. Requests also carry an
AMQP expiration equal to the timeout, so a request the gateway gave up on (a 503 to the
caller) is not executed later when a stalled service comes back. Requests are transient:
the broker confirms them once queued, without writing them to disk first (a request
outlives neither its timeout nor the broker anyway). The confirm itself stays, with
``mandatory``: it is how nameko learns at once that no service is listening.
"""
import logging
import queue
import threading
from contextlib import contextmanager

from nameko.constants import NON_PERSISTENT
from nameko.exceptions import RpcTimeout, UnknownService
from nameko.rpc import ServiceProxy
from nameko.standalone.rpc import ClusterRpcProxy

log = logging.getLogger(__name__)


class ServiceUnavailable(Exception):
    """The service did not answer: not running, broker unreachable, or too slow."""

    def __init__(self, service, reason):
        super().__init__(f"{service}: {reason}")
        self.service = service
        self.reason = reason


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
        client = ClusterRpcProxy(self.config, timeout=self.timeout)
        client.start()
        return client

    def _discard(self, client):
        """Throw away a borrowed client and free its slot. The client is closed in the
        background: the request that found it broken answers now, not after a goodbye
        to the broker that may itself wait out a timeout."""
        with self._lock:
            self._open -= 1
        self._slots.release()
        threading.Thread(target=self._close, args=(client,), daemon=True).start()

    def _stop(self, client):
        with self._lock:
            self._open -= 1
        self._close(client)

    def _close(self, client):
        try:
            # Closing says goodbye to the broker and waits for its answer with no limit of
            # its own; on a connection that just failed that wait must be bounded too.
            # (kombu's connection wraps py-amqp's, whose transport holds the socket)
            consumer = client._reply_listener.queue_consumer
            consumer.connection.connection.transport.sock.settimeout(self.timeout)
        except AttributeError:  # never connected, or the socket is already gone
            pass
        try:
            client.stop()
        except Exception:  # already broken; nothing more to release
            log.debug("discarding a broken RPC client", exc_info=True)

    def _give_back(self, client):
        self._idle.put(client)
        self._slots.release()

    def _borrow(self, service):
        if not self._slots.acquire(timeout=self.timeout):
            raise ServiceUnavailable(service, "the gateway is at capacity")
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
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
            client._worker_ctx.data = dict(context or {})
            proxy = ServiceProxy(client._worker_ctx, service, client._reply_listener,
                                 expiration=self.timeout, delivery_mode=NON_PERSISTENT)
            return getattr(proxy, method)(*args, **kwargs)

    def close(self):
        while True:
            try:
                self._stop(self._idle.get_nowait())  # idle clients hold no slot
            except queue.Empty:
                return
