"""The RPC entrypoint our services expose: requests on a quorum queue (it survives a
node's loss), replies over one connection each container keeps.

(``fazhi_common.identity.SignedRpc`` builds on ``QuorumRpc`` to admit only a signed caller.)
"""

import inspect
import logging
import sys

import kombu.serialization
from eventlet.semaphore import Semaphore
from kombu import Connection, Producer
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY,
    AMQP_URI_CONFIG_KEY,
    LOGIN_METHOD_CONFIG_KEY,
    NON_PERSISTENT,
)
from nameko.exceptions import (
    IncorrectSignature,
    UnserializableValueError,
    serialize,
)
from nameko.extensions import SharedExtension
from nameko.rpc import Rpc, RpcConsumer, get_rpc_exchange

from fazhi_common.messaging import broker_spoke, connect_timeout, rpc_queue, settle

log = logging.getLogger(__name__)


class RpcReplies(SharedExtension):
    """Sends a container's RPC replies over one connection it keeps for them.

    nameko's ``Responder`` takes a connection from kombu's pool, builds a producer,
    serialises the result twice (once to see that it can) and wraps the publish in
    retries, for every reply. Here a reply is serialised once and published transient,
    without a publisher confirm, on a channel kept open: the reply queue is the caller's
    own, and a reply lost with a broker failure is the caller's timeout either way.
    Concurrent workers take turns (a large reply is written in several pieces).
    """

    PROBE_SECONDS = 1.0  # to read a frame the broker has already sent

    def setup(self):
        self._turn = Semaphore()
        self._connection = self._producer = None

    def stop(self):
        self._close()

    def kill(self):
        self._close()

    def _close(self):
        connection, self._connection, self._producer = self._connection, None, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # already gone
                log.debug("closing the reply connection", exc_info=True)

    def _live_producer(self):
        if self._connection is not None and broker_spoke(self._connection):
            try:  # a flow notice is read and the connection kept; a close ends it
                self._connection.drain_events(timeout=self.PROBE_SECONDS)
            except TimeoutError:  # no whole frame (TLS records of its own): keep it
                pass
            except Exception as exc:
                log.info("reply connection closed by the broker (%s); reconnecting", exc)
                self._close()
        if self._producer is None:
            config = self.container.config
            self._connection = Connection(config[AMQP_URI_CONFIG_KEY],
                                          connect_timeout=connect_timeout(config),
                                          ssl=config.get(AMQP_SSL_CONFIG_KEY),
                                          login_method=config.get(LOGIN_METHOD_CONFIG_KEY))
            self._producer = Producer(self._connection.channel(),
                                      exchange=get_rpc_exchange(config), auto_declare=False)
        return self._producer

    def send(self, message, result, exc_info):
        """Reply to the request ``message``; returns ``result, exc_info`` as sent."""
        error = None if exc_info is None else serialize(exc_info[1])
        # encoded the way the request was
        serializer = kombu.serialization.registry.type_to_name[
            message.properties["content_type"]]
        try:
            content_type, encoding, body = kombu.serialization.dumps(
                {"result": result, "error": error}, serializer)
        except Exception:  # nameko's answer to a result that cannot be sent
            exc_info, error = sys.exc_info(), serialize(UnserializableValueError(result))
            result = None
            content_type, encoding, body = kombu.serialization.dumps(
                {"result": None, "error": error}, serializer)
        reply = dict(routing_key=message.properties["reply_to"],
                     correlation_id=message.properties.get("correlation_id"),
                     content_type=content_type, content_encoding=encoding,
                     delivery_mode=NON_PERSISTENT)
        with self._turn:
            try:
                self._live_producer().publish(body, **reply)
            except Exception as exc:  # the connection broke: once more on a new one
                log.info("reply connection failed (%s); reconnecting", exc)
                self._close()
                self._live_producer().publish(body, **reply)
        return result, exc_info


class QuorumRpcConsumer(RpcConsumer):
    """nameko's shared RPC consumer, declaring ``rpc_queue`` and replying with
    ``RpcReplies``."""

    replies = RpcReplies()

    def setup(self):
        if self.queue is None:
            self.queue = rpc_queue(self.container.service_name, self.container.config)
            self.queue_consumer.register_provider(self)
            self._registered = True

    def respond(self, message, result, exc_info):
        """Send the reply, then ack the request."""
        result, exc_info = self.replies.send(message, result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info

    def handle_result(self, message, result, exc_info):
        try:
            return self.respond(message, result, exc_info)
        except Exception as exc:
            # The reply could not be sent: the caller's reply queue went with a node. The
            # caller times out and asks again; the work is done and must not be run twice,
            # so the request is acked, not requeued. (In nameko this error killed the
            # service.)
            log.warning("reply to %s not delivered: %s", message.delivery_info.get(
                "routing_key"), exc)
            settle(self.queue_consumer.ack_message, message)
            return result, exc_info


class QuorumRpc(Rpc):
    """nameko's ``@rpc`` whose request queue is a quorum queue."""

    rpc_consumer = QuorumRpcConsumer()

    def setup(self):
        super().setup()
        # nameko checks the arguments with inspect.getcallargs, which reads the method's
        # signature anew for every call; read it once (as getcallargs reads it: unwrapped)
        method = getattr(self.container.service_cls, self.method_name)
        self.signature = inspect.signature(method, follow_wrapped=False)

    def check_signature(self, args, kwargs):
        try:
            self.signature.bind(None, *args, **kwargs)  # None: the unbound method's self
        except TypeError as exc:
            raise IncorrectSignature(str(exc)) from None
