#!/usr/bin/env python3
"""Reads while evaluation works off a flood of events, against the same reads idle.

Queues --events ``community_registered`` events (a registry's outbox, published with the
real ``OutboxRelay`` into evaluation's durable queue) before evaluation starts, then
starts evaluation (``fazhi-service``, its own config.yml) and the gateway (gunicorn) as
processes on a throw-away vhost and fresh databases. While evaluation drains the
backlog, --readers clients read through the gateway without pause (schemes, a scheme,
titles: reads whose work does not grow with the backlog); once every event is handled,
the same clients read the idle service for as many requests. Prints p50/p99 of both
phases and their ratio (the anchor is the idle service, same process, same run), the
drain rate, and that every event was handled exactly once.

    .venv/bin/python bench/evaluation_flood.py --events 20000 [--database-url postgresql://...]

(--database-url names a PostgreSQL server: a scratch database is made on it and dropped.)
"""
import argparse
import os
import statistics
import subprocess
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
VENV_BIN = Path(sys.executable).parent
READS = ("/api/v1/evaluation/schemes", "/api/v1/evaluation/schemes/1",
         "/api/v1/evaluation/titles")
WARM_UP = 5  # first reads of each client (connections being made) are not counted

from benchlib import (  # noqa: E402
    RABBIT_API,
    RABBIT_HOST,
    create_admin,
    free_port,
    make_vhost,
    run_secrets,
    stop,
    wait_answering,
)
from registry_import import drop_database, fresh_database  # noqa: E402


def queue_backlog(workdir, amqp_uri, events):
    """``events`` community registrations waiting in evaluation's queue."""
    from fazhi_common import division
    from fazhi_common.db import make_engine
    from fazhi_common.outbox import OutboxRelay, record_event
    from fazhi_common.tables import CommonBase

    engine = make_engine(f"sqlite:///{workdir}/registry-outbox.db")
    CommonBase.metadata.create_all(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    county = division.parse("330110000000")
    with sessions() as session:
        for n in range(events):
            town = county.child(n // 500 + 1)
            record_event(session, "community_registered", {
                "county_code": county, "town_code": town,
                "community_code": town.child(n % 500 + 1), "name": f"村{n}",
                "kind": "village"})
        session.commit()
    relay = OutboxRelay("registry", sessions, {"AMQP_URI": amqp_uri}, batch_size=1000)
    started = time.monotonic()
    sent = 0
    while (batch := relay.publish_pending()) > 0:
        sent += batch
    engine.dispose()
    return sent, time.monotonic() - started


def start_platform(workdir, amqp_uri, database_url, port):
    from fazhi_common.identity import keygen
    from fazhi_common.migrate import upgrade

    private, public = keygen()
    gateway_db = f"sqlite:///{workdir}/gateway.db"
    upgrade(ROOT / "services/evaluation", database_url)
    upgrade(ROOT / "gateway", gateway_db)
    env = dict(os.environ, AMQP_URI=amqp_uri, EVALUATION_DATABASE_URL=database_url,
               GATEWAY_VERIFY_KEYS=public, GATEWAY_DATABASE_URL=gateway_db,
               GATEWAY_SIGNING_KEY=private, PUBLIC_RATE_PER_MINUTE="100000",
               FAZHI_SERVICES="[evaluation]", **run_secrets())
    with open(workdir / "evaluation.log", "w") as log:
        # BENCH_EVALUATION_PREFIX: e.g. "python -m cProfile -o evaluation.prof"
        evaluation = subprocess.Popen(
            [*os.environ.get("BENCH_EVALUATION_PREFIX", "").split(),
             str(VENV_BIN / "fazhi-service"), "--config", "services/evaluation/config.yml",
             "evaluation.service"], cwd=ROOT, env=env, stdout=log, stderr=log)
    with open(workdir / "gateway.log", "w") as log:
        gateway = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "--workers", "2", "--threads", "8", "--bind",
             f"127.0.0.1:{port}", "gateway.wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    create_admin(env, ROOT, "bench", "bench-flood-password")
    return [evaluation, gateway]


class Token:
    """One login shared by the readers, renewed when the gateway says it expired (a drain
    outlives a token; logins are rate-limited, so not one per reader)."""

    def __init__(self, base):
        self.base, self.lock, self.value = base, threading.Lock(), None
        self.renew(None)

    def renew(self, stale):
        with self.lock:
            while self.value == stale:
                answer = requests.post(f"{self.base}/api/v1/auth/login", json={
                    "username": "bench", "password": "bench-flood-password"}, timeout=30)
                if answer.status_code == 200:
                    self.value = answer.json()["access_token"]
                else:
                    time.sleep(1.0)
        return self.value


def read_until(base, token, readers, stop):
    """(seconds, status) of every read of ``readers`` clients until ``stop(reads so far)``;
    a read refused for an expired token is not counted (it says nothing of latency)."""
    samples, lock = [], threading.Lock()

    def client(offset):
        session = requests.Session()
        current = token.value
        n = 0
        while not stop(len(samples)):
            path = READS[(n + offset) % len(READS)]
            session.headers["Authorization"] = f"Bearer {current}"
            started = time.monotonic()
            try:
                status = session.get(base + path, timeout=30).status_code
            except requests.RequestException:
                status = 0
            if status == 401:
                current = token.renew(current)
                continue
            if n >= WARM_UP:
                with lock:
                    samples.append((time.monotonic() - started, status))
            n += 1

    threads = [threading.Thread(target=client, args=(i,), daemon=True)
               for i in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


def percentile(values, q):
    if len(values) < 2:
        return float("nan")  # no answers to measure: the line says how many were not 200
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--readers", type=int, default=2)
    parser.add_argument("--database-url", help="evaluation's database (default: SQLite)")
    parser.add_argument("--api", default=RABBIT_API)
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()

    from fazhi_common.db import make_engine

    workdir = Path(tempfile.mkdtemp(prefix="fazhi-flood-bench-"))
    vhost = make_vhost(args.api)
    amqp_uri = f"pyamqp://guest:guest@{RABBIT_HOST}/{vhost}"
    database_url, scratch = fresh_database(args.database_url, workdir, "evaluation")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    processes, engine = [], None
    try:
        queued, publish_seconds = queue_backlog(workdir, amqp_uri, args.events)
        processes = start_platform(workdir, amqp_uri, database_url, port)
        started = time.monotonic()  # evaluation consumes from the moment it is up
        wait_answering(f"{base}/health/live", "the gateway")
        token = Token(base)
        engine = make_engine(database_url)

        def handled():
            with engine.connect() as conn:
                return conn.scalar(text("SELECT count(*) FROM processed_event"))

        state = {"drained": None, "asked": 0.0}

        def flood_over(_reads):
            # asked between reads, of the database at most every half second
            now = time.monotonic()
            if state["drained"] is None and now - state["asked"] >= 0.5:
                state["asked"] = now
                if handled() >= queued:
                    state["drained"] = now
            return state["drained"] is not None or now - started > args.timeout

        during = read_until(base, token, args.readers, flood_over)
        drain_seconds = (state["drained"] or time.monotonic()) - started
        # the anchor: as many of the same reads on the same service, idle
        idle = read_until(base, token, args.readers, lambda reads: reads >= len(during))
        time.sleep(1.0)  # anything handled twice would show now
        with engine.connect() as conn:
            marks = conn.scalar(text("SELECT count(DISTINCT event_id) FROM processed_event"))
            rows = conn.scalar(text("SELECT count(*) FROM processed_event"))
            facts = conn.scalar(text("SELECT count(*) FROM community_fact"))
    finally:
        stop(processes, seconds=30)
        if engine is not None:
            engine.dispose()
        requests.delete(f"{args.api}/api/vhosts/{vhost}")
        if scratch:
            drop_database(args.database_url, scratch)

    def figures(samples):
        ok = [seconds * 1000 for seconds, status in samples if status == 200]
        errors = sum(1 for _seconds, status in samples if status != 200)
        return percentile(ok, 50), percentile(ok, 99), max(ok, default=float("nan")), \
            len(samples), errors

    f50, f99, fmax, fn, ferr = figures(during)
    i50, i99, imax, inn, ierr = figures(idle)
    kind = database_url.split(":")[0]
    print(f"flood.events={queued}  (queued before evaluation started: published in "
          f"{publish_seconds:.1f} s; {kind})")
    print(f"flood.drain_events_per_s={queued / drain_seconds:.0f}  "
          f"({drain_seconds:.1f} s for the backlog while {args.readers} clients read)")
    print(f"flood.handled_exactly_once={rows == marks == facts == queued}  "
          f"({rows} handled, {marks} distinct, {facts} communities)")
    print(f"flood.reads_during_p50_ms={f50:.1f}  p99 {f99:.1f} ms, max {fmax:.0f} ms, "
          f"{fn} reads, {ferr} not 200")
    print(f"flood.reads_idle_p50_ms={i50:.1f}  p99 {i99:.1f} ms, max {imax:.0f} ms, "
          f"{inn} reads, {ierr} not 200 (anchor: the same reads, same service, idle)")
    print(f"flood.p99_ms={f99:.0f}  (goal < 1000)")
    print(f"flood.p99_ratio={f99 / i99:.2f}  (p99 during the drain / p99 idle)")
    print(f"flood.p50_ratio={f50 / i50:.2f}  (p50 during the drain / p50 idle)")


if __name__ == "__main__":
    main()
