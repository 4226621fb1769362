#!/usr/bin/env python3
"""An RPC round trip through our stack vs a raw AMQP request/reply on the same broker.

Both sides run in child processes on one throw-away vhost: a nameko service with one
signed ``echo`` RPC (``fazhi_common.identity.rpc``, so identity checking is included) and
a bare kombu responder that echoes on ``reply_to``. The caller is the gateway's own
``RpcPool`` (a timeout, requests ``mandatory`` without publisher confirms), carrying a
signed identity and a request id as the gateway does for a busy caller (the identity
signed again each ``AUTH_RECHECK_SECONDS``, its default), and a bare kombu client (no
confirms). Prints the sequential p50,
calls/s with 8 callers, and the ratio nameko / raw, the callers taking turns in rounds.
The raw responder is timed twice: on a transient classic queue (the textbook anchor) and
on a quorum queue declared as our services declare their RPC request queues (replicated,
so that RPC survives the loss of a node): the second ratio is like for like in the
broker's work.

    .venv/bin/python bench/rpc_roundtrip.py [--calls 2000]
"""
import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "common"), str(ROOT / "gateway"), str(ROOT / "bench")]
RAW_QUEUES = {"classic": "bench-raw-echo", "quorum": "bench-raw-echo-quorum"}
RECHECK_SECONDS = 2  # the gateway's AUTH_RECHECK_SECONDS by default


def serve_nameko(amqp_uri, public_key):
    # isort: off
    import fazhi_common  # noqa: F401 (its warning filters, before eventlet is imported)
    import eventlet
    # isort: on
    eventlet.monkey_patch()
    from nameko.runners import ServiceRunner

    from fazhi_common.contracts.roles import EVERYONE
    from fazhi_common.identity import Caller, rpc

    class EchoService:
        name = "bench_echo"
        caller = Caller()

        @rpc(roles=EVERYONE)
        def echo(self, value):
            return {"value": value, "by": self.caller.subject}

    runner = ServiceRunner({"AMQP_URI": amqp_uri, "GATEWAY_VERIFY_KEYS": public_key,
                            "max_workers": 16})
    runner.add_service(EchoService)
    runner.start()
    runner.wait()


def serve_raw(amqp_uri, kind):
    from kombu import Connection, Consumer, Producer, Queue

    from fazhi_common.messaging import quorum_arguments

    if kind == "quorum":  # as a service's rpc-<service> queue is declared
        queue = Queue(RAW_QUEUES[kind], durable=True,
                      queue_arguments=quorum_arguments(dead_letter=False))
    else:
        queue = Queue(RAW_QUEUES[kind], durable=False, auto_delete=True)
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        channel.basic_qos(0, 16, False)
        producer = Producer(channel, serializer="json")

        def on_request(body, message):
            producer.publish({"result": {"value": body["value"]}, "error": None},
                             routing_key=message.properties["reply_to"],
                             correlation_id=message.properties["correlation_id"])
            message.ack()

        with Consumer(channel, [queue], callbacks=[on_request]):
            while True:
                conn.drain_events()


class RawClient:
    """A request/reply client in the textbook shape: one exclusive reply queue."""

    def __init__(self, amqp_uri, request_queue):
        from kombu import Connection, Consumer, Producer, Queue

        self.request_queue = request_queue
        self.conn = Connection(amqp_uri)
        channel = self.conn.channel()
        self.reply_queue = Queue(f"bench-raw-reply-{uuid.uuid4().hex}", exclusive=True,
                                 auto_delete=True)
        self.producer = Producer(channel, serializer="json")
        self.replies = {}
        self.consumer = Consumer(channel, [self.reply_queue], callbacks=[self._on_reply],
                                 no_ack=True)
        self.consumer.consume()

    def _on_reply(self, body, message):
        self.replies[message.properties["correlation_id"]] = body

    def call(self, value):
        cid = uuid.uuid4().hex
        self.producer.publish({"value": value}, routing_key=self.request_queue,
                              reply_to=self.reply_queue.name, correlation_id=cid)
        while cid not in self.replies:
            self.conn.drain_events(timeout=5)
        return self.replies.pop(cid)["result"]


def measure(factories, calls, threads, rounds=10):
    """``{name: (sequential p50 ms, calls/s with threads callers)}`` for each caller.

    The callers take turns, a slice of the calls each per round, in alternating order:
    this machine is shared and its load moves, so a figure taken minutes after its anchor
    would compare two different machines.
    """
    single = {name: factory() for name, factory in factories.items()}
    crowd = {name: [factory() for _ in range(threads)] for name, factory in factories.items()}
    for call in single.values():
        for i in range(50):  # warm up
            call(i)
    latencies = {name: [] for name in factories}
    busy, done = dict.fromkeys(factories, 0.0), dict.fromkeys(factories, 0)
    per_round, per_thread = calls // rounds, max(1, calls // rounds // threads)

    def run(call):
        for i in range(per_thread):
            call(i)

    for turn in range(rounds):
        for name in list(factories)[:: 1 if turn % 2 == 0 else -1]:
            for i in range(per_round):
                started = time.perf_counter()
                single[name](i)
                latencies[name].append(time.perf_counter() - started)
            workers = [threading.Thread(target=run, args=(c,)) for c in crowd[name]]
            started = time.perf_counter()
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            busy[name] += time.perf_counter() - started
            done[name] += per_thread * threads
    return {name: (statistics.median(latencies[name]) * 1000, done[name] / busy[name])
            for name in factories}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--amqp-uri", help="a vhost to use (made and removed if omitted)")
    args = parser.parse_args()

    from benchlib import rabbit_vhost

    from fazhi_common.contracts.roles import PLATFORM_ADMIN, Identity
    from fazhi_common.identity import (
        CONTEXT_KEY,
        REQUEST_ID_KEY,
        keygen,
        sign_identity,
        signing_key,
    )
    from gateway.rpc import RpcPool

    private, public = keygen()
    with rabbit_vhost(args.amqp_uri) as amqp_uri:
        here = Path(__file__).resolve()
        children = [
            subprocess.Popen([sys.executable, str(here), "serve-nameko", amqp_uri, public]),
            *(subprocess.Popen([sys.executable, str(here), "serve-raw", amqp_uri, kind])
              for kind in RAW_QUEUES),
        ]
        try:
            key = signing_key(private)
            identity = Identity(subject="bench", role=PLATFORM_ADMIN, department="bench")
            pool = RpcPool({"AMQP_URI": amqp_uri}, size=args.threads + 1, timeout=10)

            signed = [None, 0.0]  # the identity as the gateway holds it: signed, when

            def nameko_call_factory():
                def call(value):
                    if time.monotonic() - signed[1] >= RECHECK_SECONDS:
                        signed[:] = sign_identity(identity, key), time.monotonic()
                    context = {CONTEXT_KEY: signed[0], REQUEST_ID_KEY: uuid.uuid4().hex}
                    return pool.call("bench_echo", "echo", value, context=context)
                return call

            def raw_call_factory(kind="classic"):
                return RawClient(amqp_uri, RAW_QUEUES[kind]).call

            def raw_quorum_call_factory():
                return raw_call_factory("quorum")

            deadline = time.time() + 60
            while True:  # both responders up?
                try:
                    nameko_call_factory()(0)
                    raw_call_factory()(0)
                    raw_quorum_call_factory()(0)
                    break
                except Exception:
                    if time.time() > deadline:
                        raise
                    time.sleep(0.5)
            figures = measure({"raw": raw_call_factory, "raw_quorum": raw_quorum_call_factory,
                               "nameko": nameko_call_factory}, args.calls, args.threads)
            (raw_p50, raw_rate), (nameko_p50, nameko_rate) = figures["raw"], figures["nameko"]
            quorum_p50, quorum_rate = figures["raw_quorum"]
            pool.close()
        finally:
            for child in children:
                child.terminate()
                child.wait()
    load = os.getloadavg()[0]
    # the headline anchor is like for like: a raw request/reply on a quorum request queue
    # declared as our services declare theirs; the transient classic queue follows it
    print(f"rpc.nameko_p50_ms={nameko_p50:.2f}  ({nameko_rate:.0f} calls/s with "
          f"{args.threads} callers; load {load:.1f})")
    print(f"rpc.raw_quorum_p50_ms={quorum_p50:.2f}  (anchor: raw, on a quorum request queue "
          f"as ours; {quorum_rate:.0f} calls/s)")
    print(f"rpc.latency_ratio={nameko_p50 / quorum_p50:.2f}  (nameko p50 / raw p50 on the "
          f"same kind of request queue; goal <= 2); throughput ratio "
          f"{quorum_rate / nameko_rate:.2f}")
    print(f"rpc.raw_classic_p50_ms={raw_p50:.2f}  (raw on a transient classic queue, which "
          f"ours are not; {raw_rate:.0f} calls/s)")
    print(f"rpc.latency_ratio_classic={nameko_p50 / raw_p50:.2f}  (nameko p50 / raw classic "
          f"p50); throughput ratio {raw_rate / nameko_rate:.2f}")

if __name__ == "__main__":
    if sys.argv[1:2] == ["serve-nameko"]:
        serve_nameko(*sys.argv[2:4])
    elif sys.argv[1:2] == ["serve-raw"]:
        serve_raw(*sys.argv[2:4])
    else:
        os.environ.setdefault("PYTHONUNBUFFERED", "1")
        main()
