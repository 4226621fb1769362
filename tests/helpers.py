"""Small helpers for tests: read what reached a queue, wait for a condition."""
import importlib
import os
import time

import eventlet
from kombu import Connection

from fazhi_common.messaging import event_queue

# How long a helper waits for something to happen scales with this, for a machine whose
# CPU is shared or saturated (docs/testing.md). Waiting ends as soon as the thing happens,
# so a larger scale costs time only where a test checks that nothing more arrives.
WAIT_SCALE = float(os.environ.get("FAZHI_TEST_WAIT_SCALE", "1"))


def queued_events(amqp_uri, source, event_type, consumer, timeout=5.0, expect=1, until=None):
    """Envelopes waiting in ``consumer``'s queue for ``source``'s ``event_type``.

    Reads until ``expect`` messages arrived (or ``until(found)`` holds) or ``timeout``
    passed; acks what it reads.
    """
    until = until or (lambda found: len(found) >= expect)
    queue = event_queue(source, event_type, consumer, {"AMQP_URI": amqp_uri})
    found, deadline = [], time.monotonic() + timeout * WAIT_SCALE

    def receive(body, message):
        found.append(body)
        message.ack()

    # a saturated broker opens a connection late, not never (as the services allow it)
    with Connection(amqp_uri, connect_timeout=15) as conn, \
            conn.Consumer([queue], callbacks=[receive], prefetch_count=100):
        while not until(found) and time.monotonic() < deadline:
            try:
                conn.drain_events(timeout=0.2)
            except TimeoutError:
                continue
    return found


def resident_number(serial, born="19900307"):
    """A valid 18-character resident ID number (GB 11643), different for each serial."""
    from fazhi_common.contracts.resident_id import check_character

    first17 = f"330106{born}{serial % 1000:03d}"
    return first17 + check_character(first17)


def survey_answer(client, community_code, body, verify=True, **kwargs):
    """A resident's answer through the portal, and (``verify``) the one-time code the
    service sent to the phone given back, as the resident would: the answer then counts.
    The code is read where the development sender keeps it (``evaluation.senders.SENT``)."""
    from evaluation import senders

    phone = body.get("phone") or f"139{abs(hash(body['respondent_id'])) % 10**8:08d}"
    answered = client.post(f"/api/v1/evaluation/communities/{community_code}/survey-answers",
                           json={**body, "phone": phone}, **kwargs)
    if not verify or answered.status_code != 201:
        return answered
    code = next(code for sent_to, code in reversed(senders.SENT) if sent_to == phone)
    verified = client.post(
        f"/api/v1/evaluation/communities/{community_code}/survey-answers/verification",
        json={"receipt": answered.json["receipt"], "code": code}, **kwargs)
    assert verified.status_code == 200 and verified.json["verified"], verified.json
    return answered


def wait_until(predicate, timeout=10.0, interval=0.05):
    deadline = time.monotonic() + timeout * WAIT_SCALE
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


def register(client, path, body, timeout=60):
    """POST a unit (or any create that refuses a duplicate with 409) until it is done. A
    saturated machine may answer 503 (the broker slow to take the call) after the unit
    was stored: asked again, the registry answers 409, which is as good as 201 here."""
    def done():
        response = client.post(path, json=body)
        assert response.status_code in (201, 409, 503), (path, response.json)
        return response.status_code in (201, 409)
    wait_until(done, timeout=timeout, interval=0.5)


class TcpProxy:
    """A TCP forwarder a test can cut and restore, to take a server away from a client.

    It runs on real OS threads and sockets, outside eventlet, so closing its sockets can
    never disturb a green socket that happens to reuse the same file descriptor.
    """

    def __init__(self, target_host, target_port):
        self._socket = eventlet.patcher.original("socket")
        self._threading = eventlet.patcher.original("threading")
        self.target = (target_host, target_port)
        self.listener = self._socket.socket(self._socket.AF_INET, self._socket.SOCK_STREAM)
        self.listener.setsockopt(self._socket.SOL_SOCKET, self._socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.listener.listen(64)
        self.open = True
        self.connections = []
        self._lock = self._threading.Lock()
        self._threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:  # closed
                return
            if not self.open:
                client.close()
                continue
            try:
                upstream = self._socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self.open:  # not cut while this connection was being made
                    self.connections += [client, upstream]
            if (client, upstream) != tuple(self.connections[-2:]):
                client.close()
                upstream.close()
                continue
            for a, b in ((client, upstream), (upstream, client)):
                self._threading.Thread(target=self._pipe, args=(a, b, self._socket),
                                       daemon=True).start()

    @staticmethod
    def _pipe(source, sink, socket_module):
        """Copy one direction. Each thread closes only its own source: a socket closed by
        one thread while another is blocked reading it stays open under that reader (on
        Linux the read is not woken), and a connection the test cut would live on. So
        the ends are shut down first, which does wake the other direction's reader."""
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket_module.SHUT_RDWR)
                except OSError:
                    pass
            source.close()

    def cut(self):
        """Refuse new connections and break every open one."""
        with self._lock:
            self.open = False
            connections, self.connections = self.connections, []
        for conn in connections:
            try:
                conn.shutdown(self._socket.SHUT_RDWR)
            except OSError:
                pass

    def restore(self):
        self.open = True

    def close(self):
        """Break every connection and stop listening: no thread of the proxy outlives it."""
        self.cut()
        try:
            self.listener.shutdown(self._socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


SERVICES = ("registry", "evaluation", "mediation", "legalservices", "notifications", "corrections")


def service_class(name):
    """The nameko service class of ``name`` (from its own package, as `nameko run` finds it)."""
    module = importlib.import_module(f"{name}.service")
    return next(value for value in vars(module).values()
                if isinstance(value, type) and getattr(value, "name", None) == name)


def seed_units(database_url, read_model, events):
    """Apply the registry's unit events (``[(type, data), ...]``) straight to a service's
    read model of units (fazhi_common.units), as its event handlers would: for tests about
    something else that need the units to exist. The event path itself is tested on its own."""
    from sqlalchemy.orm import sessionmaker

    from fazhi_common.db import make_engine, writer

    engine = make_engine(database_url)
    try:
        with sessionmaker(writer(engine))() as session:
            for event_type, data in events:
                read_model.apply(session, event_type, data)
            session.commit()
    finally:
        engine.dispose()
