#!/usr/bin/env python3
"""Events per second through the real broker into a running notifications service.

Starts the notifications service (``nameko run``) on a throw-away RabbitMQ vhost and a
fresh database, writes N mediation events into a publisher-shaped outbox (the table every
service has) and publishes them with the real ``OutboxRelay``. Clocks from the first
publish until every event is an alert in its department's inbox (default routing), then
prints events/second end to end and how many were lost or doubled.

    .venv/bin/python bench/notifications_throughput.py --events 20000 [--postgres URL]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date
from pathlib import Path

import requests
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from fazhi_common.division import Division

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import (  # noqa: E402
    RABBIT_API,
    RABBIT_HOST,
    cpu_seconds,
    make_vhost,
    service_config_file,
    stop,
)

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
# one alert each: a referral to the receiving office, an outcome to the referring court,
# an overdue case to the supervising bureau (three queues, as in real traffic)
KINDS = ("mediation_case_received", "mediation_case_closed", "mediation_case_overdue")
COUNTY = Division("330110000000")


def event(n):
    kind = KINDS[n % len(KINDS)]
    town = COUNTY.child(n % 40 + 1)
    data = {"county_code": COUNTY, "town_code": town,
            "community_code": town.child(201), "case_id": n + 1,
            "mediation_kind": "people", "dispute_category": "neighbour", "organisation_id": 1,
            "receiving_department": f"justice-{town.prefix}",
            "referrer_department": "court-330110", "referrer_reference": None}
    if kind == "mediation_case_received":
        data["received_on"] = date(2026, 3, 1)
    elif kind == "mediation_case_closed":
        data.update(outcome="agreement", closed_on=date(2026, 3, 20))
    else:
        data.update(deadline="mediation", due_on=date(2026, 4, 1),
                    supervising_department="justice-330110")
    return kind, data


def fill_outbox(sessions, numbers):
    from fazhi_common.outbox import record_event

    with sessions() as session:
        for n in numbers:
            record_event(session, *event(n))
        session.commit()


def start_service(workdir, amqp_uri, database_url, max_workers, instance=0):
    config = service_config_file(workdir / f"notifications-{instance}.yml", ROOT,
                                 "notifications", AMQP_URI=amqp_uri,
                                 DATABASE_URL=database_url, max_workers=max_workers)
    with open(workdir / f"notifications-{instance}.log", "w") as log:
        # BENCH_NOTIFICATIONS_PREFIX: e.g. "python -m cProfile -o notifications.prof"
        return subprocess.Popen(
            [*os.environ.get("BENCH_NOTIFICATIONS_PREFIX", "").split(),
             str(VENV_BIN / "fazhi-service"), "--config", str(config),
             "notifications.service"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)


def wait_consuming(api, vhost, queue_count, instances, timeout=60):
    """Until every event queue of notifications has a consumer from each instance."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        queues = requests.get(f"{api}/api/queues/{vhost}").json()
        ready = [q for q in queues if q["name"].endswith("--notifications")
                 and q.get("consumers", 0) >= instances]
        if len(ready) >= queue_count:
            return
        time.sleep(0.5)
    raise SystemExit("the notifications service did not start consuming")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--max-workers", type=int, default=10)
    parser.add_argument("--instances", type=int, default=1,
                        help="notifications service processes sharing the queues")
    parser.add_argument("--publishers", type=int, default=3,
                        help="mediation services publishing at once, each its own outbox")
    parser.add_argument("--preload", action="store_true",
                        help="queue every event before the service starts (consumer alone)")
    parser.add_argument("--postgres", help="route on PostgreSQL: a server URL (any "
                        "database; a scratch one is made and dropped); default SQLite")
    parser.add_argument("--api", default=RABBIT_API)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()

    sys.path[:0] = [str(ROOT / "common"), str(ROOT / "services/notifications")]
    from fazhi_common.contracts.api.notifications import EVENT_KINDS
    from fazhi_common.db import make_engine
    from fazhi_common.migrate import upgrade
    from fazhi_common.outbox import OutboxRelay
    from fazhi_common.tables import CommonBase

    workdir = Path(tempfile.mkdtemp(prefix="fazhi-notify-bench-"))
    vhost = make_vhost(args.api)
    amqp_uri = f"pyamqp://guest:guest@{RABBIT_HOST}/{vhost}"
    database_url, scratch = f"sqlite:///{workdir}/notifications.db", None
    if args.postgres:
        scratch = f"fazhi_bench_notifications_{uuid.uuid4().hex[:8]}"
        with make_engine(args.postgres).execution_options(
                isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{scratch}"'))
        database_url = args.postgres.rsplit("/", 1)[0] + "/" + scratch
    upgrade(ROOT / "services/notifications", database_url)

    # several departments' mediation services, each with its own outbox and relay
    outboxes = []
    for i in range(args.publishers):
        engine = make_engine(f"sqlite:///{workdir}/mediation-{i}-outbox.db")
        CommonBase.metadata.create_all(engine)
        outboxes.append(sessionmaker(engine, expire_on_commit=False))
    print(f"writing {args.events} events into {args.publishers} mediation outboxes ...",
          flush=True)
    for i, sessions in enumerate(outboxes):
        fill_outbox(sessions, range(i, args.events, args.publishers))
    relays = [OutboxRelay("mediation", sessions, {"AMQP_URI": amqp_uri})
              for sessions in outboxes]
    published = {"n": 0, "done": None, "cpu": 0.0}

    def publish_all():
        def drain(relay):
            cpu = time.thread_time()
            while (sent := relay.publish_pending()) > 0:
                published["n"] += sent
            published["cpu"] += time.thread_time() - cpu  # this relay's thread alone
        threads = [threading.Thread(target=drain, args=(r,)) for r in relays]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        published["done"] = time.monotonic()

    if args.preload:  # everything queued before the service starts: times the consumer alone
        publish_all()
    # with the backlog preloaded, a fast service routes much of it while it is still being
    # seen to consume: the clock and the CPU count start before the service does
    started = time.monotonic()
    services = [start_service(workdir, amqp_uri, database_url, args.max_workers, i)
                for i in range(args.instances)]
    try:
        wait_consuming(args.api, vhost, len(EVENT_KINDS), args.instances)
        engine = make_engine(database_url)
        service_cpu = 0.0 if args.preload else sum(cpu_seconds(s.pid) for s in services)
        if args.preload:
            published["done"] = started
        else:
            started = time.monotonic()
            threading.Thread(target=publish_all, daemon=True).start()
        routed = 0
        while time.monotonic() - started < args.timeout:
            with engine.connect() as conn:
                routed = conn.scalar(text("SELECT count(DISTINCT event_id) FROM alert"))
            if routed >= args.events:
                break
            time.sleep(0.2)
        finished = time.monotonic()
        service_cpu = sum(cpu_seconds(s.pid) for s in services) - service_cpu
        time.sleep(1.0)  # let stragglers land, so doubles would show
        with engine.connect() as conn:
            alerts = conn.scalar(text("SELECT count(*) FROM alert"))
            routed = conn.scalar(text("SELECT count(DISTINCT event_id) FROM alert"))
        engine.dispose()
    finally:
        stop(services)
        requests.delete(f"{args.api}/api/vhosts/{vhost}")
        if scratch:
            with make_engine(args.postgres).execution_options(
                    isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))

    elapsed = finished - started
    if args.preload:
        print("(preloaded: the time and the CPU include the service's start-up)")
    else:
        publish_seconds = (published["done"] or finished) - started
        print(f"published {published['n']} events in {publish_seconds:.1f} s "
              f"({published['n'] / publish_seconds:.0f}/s) by {args.publishers} relays")
    print(f"routed {routed} of {args.events} events into inboxes in {elapsed:.1f} s: "
          f"{routed / elapsed:.0f} events/s end to end "
          f"({args.instances} instance(s), max_workers {args.max_workers}, "
          f"{database_url.split(':')[0]})")
    print(f"notifications used {service_cpu * 1000 / args.events:.2f} ms of CPU per event "
          f"({args.events / service_cpu:.0f} events per CPU second); the relays "
          f"{published['cpu'] * 1000 / args.events:.2f} ms per event published "
          f"({args.events / published['cpu']:.0f} per CPU second)")
    print(f"lost: {args.events - routed}, doubled: {alerts - routed}")
    return 0 if routed == args.events and alerts == routed else 1


if __name__ == "__main__":
    sys.exit(main())
