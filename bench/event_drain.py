#!/usr/bin/env python3
"""A province's registry events drained into evaluation and notifications, end to end.

Starts evaluation (with the gateway in front of it) and notifications as processes on a
throw-away vhost and fresh databases, writes --events ``community_registered`` events into
a registry outbox (the table every service has, as an import leaves it) and publishes them
with the real ``OutboxRelay``. Clocks from the first publish until both services have
handled every event (each claims it once in its inbox), while --readers clients read from
evaluation through the gateway without pause. Prints events/s end to end and the reads'
p50/p99 meanwhile.

The anchor, in the same run: a bare kombu consumer (prefetch as the services', one ack
per message, no database) draining the same backlog from a third subscriber's queue
(mediation's, which holds the same messages; mediation does not run here).

    .venv/bin/python bench/event_drain.py --events 27000 [--database-url postgresql://...]

(--database-url names a PostgreSQL server: scratch databases are made on it and dropped.)
"""
import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "common"), str(ROOT / "bench")]

from benchlib import (  # noqa: E402
    RABBIT_API,
    RABBIT_HOST,
    cpu_seconds,
    free_port,
    make_vhost,
    stop,
)
from evaluation_flood import (  # noqa: E402
    Token,
    percentile,
    read_until,
    start_platform,
    wait_answering,
)
from notifications_throughput import start_service  # noqa: E402
from registry_import import drop_database, fresh_database  # noqa: E402

EVENT_TYPE = "community_registered"


def fill_outbox(workdir, events):
    """A registry outbox holding ``events`` community registrations; their ids."""
    from fazhi_common import division
    from fazhi_common.db import make_engine
    from fazhi_common.outbox import record_events
    from fazhi_common.tables import CommonBase

    engine = make_engine(f"sqlite:///{workdir}/registry-outbox.db")
    CommonBase.metadata.create_all(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    county = division.parse("330110000000")

    def payloads():
        for n in range(events):
            town = county.child(n // 500 + 1)
            yield {"county_code": county, "town_code": town,
                   "community_code": town.child(n % 500 + 1), "name": f"村{n}",
                   "kind": "village"}

    with sessions() as session:
        record_events(session, EVENT_TYPE, payloads())
        session.commit()
        ids = list(session.scalars(text("SELECT event_id FROM outbox_event")))
    return sessions, engine, ids


def mark_expected(database_url, ids):
    """The registry events' ids in a table of the (scratch) database, to count them."""
    from fazhi_common.db import make_engine

    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE bench_expected (event_id VARCHAR(36) PRIMARY KEY)"))
        conn.execute(text("INSERT INTO bench_expected VALUES (:i)"), [{"i": i} for i in ids])
    return engine


HANDLED = text("SELECT count(DISTINCT p.event_id) FROM processed_event p "
               "JOIN bench_expected e ON e.event_id = p.event_id")


def wait_consuming(api, vhost, consumers, timeout=120):
    """Until each named queue has a consumer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        queues = {q["name"]: q for q in requests.get(f"{api}/api/queues/{vhost}").json()}
        if all(queues.get(name, {}).get("consumers", 0) >= 1 for name in consumers):
            return
        time.sleep(0.5)
    raise SystemExit(f"no consumer on {consumers} within {timeout}s")


def raw_drain(amqp_uri, queue_name, expected, prefetch, timeout):
    """The anchor: a bare kombu consumer acking ``expected`` messages of ``queue_name``."""
    from kombu import Connection, Consumer

    from fazhi_common.messaging import event_queue

    got = {"n": 0}

    def on_message(body, message):
        got["n"] += 1
        message.ack()

    with Connection(amqp_uri) as connection:
        queue = event_queue("registry", EVENT_TYPE, queue_name, {"AMQP_URI": amqp_uri})
        with Consumer(connection, queues=[queue], callbacks=[on_message],
                      accept=["json"], prefetch_count=prefetch):
            started = time.monotonic()
            while got["n"] < expected and time.monotonic() - started < timeout:
                try:
                    connection.drain_events(timeout=5)
                except TimeoutError:
                    break
            return got["n"], time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=27_000)
    parser.add_argument("--readers", type=int, default=1)
    parser.add_argument("--database-url", help="the services' database server "
                        "(default: SQLite files)")
    parser.add_argument("--api", default=RABBIT_API)
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()

    from fazhi_common.messaging import DEFAULT_EVENT_PREFETCH, event_queue_name
    from fazhi_common.migrate import upgrade
    from fazhi_common.outbox import OutboxRelay

    workdir = Path(tempfile.mkdtemp(prefix="fazhi-drain-bench-"))
    vhost = make_vhost(args.api)
    amqp_uri = f"pyamqp://guest:guest@{RABBIT_HOST}/{vhost}"
    evaluation_url, evaluation_scratch = fresh_database(args.database_url, workdir,
                                                        "evaluation")
    notifications_url, notifications_scratch = fresh_database(args.database_url, workdir,
                                                              "notifications")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    processes, engines = [], []
    try:
        sessions, outbox_engine, ids = fill_outbox(workdir, args.events)
        upgrade(ROOT / "services/notifications", notifications_url)
        processes = start_platform(workdir, amqp_uri, evaluation_url, port)
        processes.append(start_service(workdir, amqp_uri, notifications_url, 10))
        engines = [mark_expected(evaluation_url, ids), mark_expected(notifications_url, ids)]
        wait_answering(f"{base}/health/live", "the gateway")
        wait_consuming(args.api, vhost, [event_queue_name("registry", EVENT_TYPE, c)
                                         for c in ("evaluation", "notifications")])
        token = Token(base)
        relay = OutboxRelay("registry", sessions, {"AMQP_URI": amqp_uri}, batch_size=1000)
        published = {"n": 0, "done": None}

        def publish_all():
            while (sent := relay.publish_pending()) > 0:
                published["n"] += sent
            published["done"] = time.monotonic()

        state = {"drained": None, "asked": 0.0, "handled": (0, 0)}

        def drained(_reads):
            # asked between reads, of the databases at most every half second
            now = time.monotonic()
            if state["drained"] is None and now - state["asked"] >= 0.5:
                state["asked"] = now
                counts = []
                for engine in engines:
                    with engine.connect() as conn:
                        counts.append(conn.scalar(HANDLED))
                state["handled"] = tuple(counts)
                for name, count in zip(("evaluation", "notifications"), counts, strict=True):
                    if count >= len(ids):
                        state.setdefault(name, now - started)
                if min(counts) >= len(ids):
                    state["drained"] = now
            return state["drained"] is not None or now - started > args.timeout

        # evaluation and notifications: the CPU each spends on the drain
        services = {"evaluation": processes[0].pid, "notifications": processes[-1].pid}
        cpu = {name: cpu_seconds(pid) for name, pid in services.items()}
        started = time.monotonic()
        threading.Thread(target=publish_all, daemon=True).start()
        during = read_until(base, token, args.readers, drained)
        drain_seconds = (state["drained"] or time.monotonic()) - started
        publish_seconds = (published["done"] or time.monotonic()) - started
        cpu = {name: cpu_seconds(pid) - cpu[name] for name, pid in services.items()}
        time.sleep(1.0)  # anything handled twice would show now
        with engines[0].connect() as conn:
            facts = conn.scalar(text("SELECT count(*) FROM community_fact"))
            results = conn.scalar(text("SELECT count(*) FROM result"))
        stop(processes, seconds=30)
        processes = []
        # the anchor: the same backlog, waiting in mediation's queue, by a bare consumer
        raw_n, raw_seconds = raw_drain(amqp_uri, "mediation", len(ids),
                                       DEFAULT_EVENT_PREFETCH, args.timeout)
        outbox_engine.dispose()
    finally:
        stop(processes, seconds=30)
        for engine in engines:
            engine.dispose()
        requests.delete(f"{args.api}/api/vhosts/{vhost}")
        for scratch in (evaluation_scratch, notifications_scratch):
            if scratch:
                drop_database(args.database_url, scratch)

    def figures(samples):
        ok = [seconds * 1000 for seconds, status in samples if status == 200]
        errors = sum(1 for _seconds, status in samples if status != 200)
        return percentile(ok, 50), percentile(ok, 99), len(samples), errors

    kind = evaluation_url.split(":")[0]
    rate = len(ids) / drain_seconds
    raw_rate = raw_n / raw_seconds
    r50, r99, rn, rerr = figures(during)
    print(f"drain.events={len(ids)}  ({EVENT_TYPE}, from a registry outbox; {kind}; "
          f"published in {publish_seconds:.1f} s, {published['n'] / publish_seconds:.0f}/s)")
    print(f"drain.events_per_s={rate:.0f}  ({drain_seconds:.1f} s until evaluation and "
          f"notifications had each handled all; goal ≥ 2000)")
    print(f"drain.handled={state['handled'][0]} evaluation, {state['handled'][1]} "
          f"notifications  (all handled after {state.get('evaluation', float('nan')):.1f} s "
          f"and {state.get('notifications', float('nan')):.1f} s; {facts} communities, "
          f"{results} results)")
    for name, seconds in cpu.items():
        print(f"drain.{name}_cpu_ms_per_event={seconds * 1000 / len(ids):.2f}  ({seconds:.1f} "
              f"CPU seconds for the drain: {len(ids) / seconds:.0f} events per CPU second)")
    print(f"drain.raw_events_per_s={raw_rate:.0f}  (anchor: a bare kombu consumer acking "
          f"{raw_n} of the same messages in {raw_seconds:.1f} s)")
    print(f"drain.ratio={rate / raw_rate:.2f}  (drain end to end / bare consumer)")
    print(f"drain.reads_p50_ms={r50:.1f}  p99 {r99:.1f} ms, {rn} reads through the "
          f"gateway during the drain, {rerr} not 200 (goal p99 < 1000)")
    return 0 if min(state["handled"]) == len(ids) == facts else 1


if __name__ == "__main__":
    sys.exit(main())
