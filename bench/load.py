#!/usr/bin/env python3
"""Sustained mixed load against the real gateway (gunicorn) and registry (nameko run).

Starts both as processes on a throw-away RabbitMQ vhost and fresh databases, then for
--minutes keeps --clients clients busy with reads (lists, units, stage, lineage) and
writes (registering villages, each announcing an event). Prints the error rate,
throughput and p50/p99 latency, then counts that every accepted write exists exactly once
and every one of its events arrived exactly once.

    .venv/bin/python bench/load.py --minutes 2 --clients 16 [--database-url postgresql://...]
"""
import argparse
import collections
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from benchlib import (
    create_admin,
    free_port,
    make_vhost,
    service_config_file,
    stop,
    wait_answering,
)
from kombu import Connection

from fazhi_common.division import Division

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "common"), str(ROOT / "tests")]
VENV_BIN = Path(sys.executable).parent
COUNTY = Division("330110000000")
TOWNS = [COUNTY.child(t) for t in range(1, 41)]


def start_platform(workdir, amqp_uri, registry_db, port, workers=2, threads=16,
                   community_view=False):
    """The registry and the gateway (its environment kept as ``gateway.fazhi_env``)."""
    from fazhi_common.identity import keygen
    from fazhi_common.migrate import upgrade

    private, public = keygen()
    gateway_db = f"sqlite:///{workdir}/gateway.db"
    upgrade(ROOT / "services/registry", registry_db)
    upgrade(ROOT / "gateway", gateway_db)
    registry_cfg = service_config_file(
        workdir / "registry.yml", ROOT, "registry", AMQP_URI=amqp_uri,
        DATABASE_URL=registry_db, GATEWAY_VERIFY_KEYS=public, max_workers=20,
        OUTBOX_POLL_SECONDS=0.5)
    env = dict(os.environ, AMQP_URI=amqp_uri, GATEWAY_DATABASE_URL=gateway_db,
               GATEWAY_SIGNING_KEY=private, PUBLIC_RATE_PER_MINUTE="100000",
               FAZHI_SERVICES="[registry]", COMMUNITY_VIEW=str(community_view).lower())
    with open(workdir / "registry.log", "w") as log:  # the child keeps its own copy
        registry = subprocess.Popen(
            # BENCH_REGISTRY_PREFIX: e.g. "python -m cProfile -o registry.prof" to profile it
            [*os.environ.get("BENCH_REGISTRY_PREFIX", "").split(), str(VENV_BIN / "fazhi-service"),
             "--config", str(registry_cfg), "registry.service"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
    with open(workdir / "gateway.log", "w") as log:
        gateway = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "--workers", str(workers), "--threads", str(threads),
             "--bind",
             f"127.0.0.1:{port}", "gateway.wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    gateway.fazhi_env = env
    create_admin(env, ROOT, "load", "load-test-password")
    return registry, gateway


def wait_ready(base):
    wait_answering(f"{base}/health/ready", "the platform's readiness check", seconds=180)


class Client(threading.Thread):
    def __init__(self, base, token, until, codes):
        super().__init__(daemon=True)
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.base, self.until, self.codes = base, until, codes
        self.samples = []  # (kind, status, seconds)
        self.created = []

    def run(self):
        rng = random.Random()
        while time.monotonic() < self.until:
            if rng.random() < 0.3:
                kind, code = "write", next(self.codes)
                request = ("POST", "/api/v1/registry/communities",
                           {"code": code, "town_code": Division(code).town, "name": "压测村",
                            "kind": "village"})
            else:
                kind = "read"
                some = rng.choice(self.created) if self.created else None
                path = rng.choice([
                    "/api/v1/registry/communities?per_page=20",
                    f"/api/v1/registry/communities/{some}" if some else "/api/v1/registry/towns",
                    f"/api/v1/registry/communities/{some}/stage?year=2026" if some else
                    "/api/v1/registry/counties",
                    f"/api/v1/registry/communities/{some}/lineage" if some else
                    "/api/v1/registry/coverage"])
                request = ("GET", path, None)
            started = time.monotonic()
            try:
                response = self.session.request(request[0], self.base + request[1],
                                                json=request[2], timeout=30)
                status = response.status_code
            except requests.RequestException:
                status = 0
            self.samples.append((kind, status, time.monotonic() - started))
            if kind == "write" and status == 201:
                self.created.append(request[2]["code"])


def village_codes():
    lock = threading.Lock()
    counter = iter(range(10**6))

    def gen():
        while True:
            with lock:
                n = next(counter)
            yield TOWNS[n % len(TOWNS)].child(n // len(TOWNS) + 1)
    return gen()


def count_events(amqp_uri, expected):
    from fazhi_common.messaging import event_queue

    queue = event_queue("registry", "community_registered", "evaluation",
                        {"AMQP_URI": amqp_uri})
    seen = collections.Counter()
    deadline = time.monotonic() + 120

    def receive(body, message):
        seen[body["data"]["community_code"]] += 1
        message.ack()

    with Connection(amqp_uri) as conn, conn.Consumer([queue], callbacks=[receive],
                                                     prefetch_count=500):
        idle_until = None
        while time.monotonic() < deadline:
            before = sum(seen.values())
            try:
                conn.drain_events(timeout=1)
            except TimeoutError:
                pass
            if sum(seen.values()) >= expected:
                idle_until = idle_until or time.monotonic() + 3  # then make sure no extras
                if time.monotonic() > idle_until and sum(seen.values()) == before:
                    break
    return seen


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=2)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--database-url", help="registry database (default: SQLite file)")
    parser.add_argument("--api", default="http://guest:guest@127.0.0.1:15672")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="fazhi-load-"))
    vhost = make_vhost(args.api, "fazhi_load")
    amqp_uri = f"pyamqp://guest:guest@127.0.0.1:5672/{vhost}"
    registry_db = args.database_url or f"sqlite:///{workdir}/registry.db"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    registry, gateway = start_platform(workdir, amqp_uri, registry_db, port)
    try:
        wait_ready(base)
        token = requests.post(f"{base}/api/v1/auth/login", json={
            "username": "load", "password": "load-test-password"}).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        requests.post(f"{base}/api/v1/registry/counties", headers=auth, json={
            "code": COUNTY, "name": "余杭区", "kind": "district"}).raise_for_status()
        for town in TOWNS:
            requests.post(f"{base}/api/v1/registry/towns", headers=auth, json={
                "code": town, "county_code": COUNTY, "name": "镇",
                "kind": "town"}).raise_for_status()

        until = time.monotonic() + args.minutes * 60
        codes = village_codes()
        clients = [Client(base, token, until, codes) for _ in range(args.clients)]
        started = time.monotonic()
        for c in clients:
            c.start()
        for c in clients:
            c.join()
        elapsed = time.monotonic() - started

        samples = [s for c in clients for s in c.samples]
        created = [code for c in clients for code in c.created]
        errors = [s for s in samples if s[1] >= 500 or s[1] == 0]
        print(f"load: {args.clients} clients for {elapsed:.0f} s, registry on "
              f"{'PostgreSQL' if args.database_url else 'SQLite'}")
        print(f"requests: {len(samples)}  throughput: {len(samples) / elapsed:.1f} req/s  "
              f"errors (5xx or no answer): {len(errors)} ({len(errors) / len(samples):.3%})")
        for kind in ("read", "write"):
            lat = sorted(s[2] * 1000 for s in samples if s[0] == kind)
            if lat:
                print(f"  {kind:5}: {len(lat):6} requests  p50 {statistics.median(lat):6.1f} ms"
                      f"  p99 {lat[int(len(lat) * 0.99) - 1]:7.1f} ms")
        statuses = collections.Counter(s[1] for s in samples)
        print(f"statuses: {dict(sorted(statuses.items()))}")

        listed, page = set(), 1
        while True:
            body = requests.get(f"{base}/api/v1/registry/communities", headers=auth,
                                params={"per_page": 500, "page": page}).json()
            listed |= {c["code"] for c in body["items"]}
            if page * 500 >= body["total"]:
                break
            page += 1
        events = count_events(amqp_uri, len(created))
        lost_writes = set(created) - listed
        phantom = listed - set(created)
        lost_events = [c for c in created if events[c] == 0]
        doubled = [c for c, n in events.items() if n > 1]
        print(f"writes accepted: {len(created)}  stored: {len(listed)}  lost: "
              f"{len(lost_writes)}  stored without an accepted answer: {len(phantom)}")
        print(f"events: {sum(events.values())}  lost: {len(lost_events)}  "
              f"duplicated: {len(doubled)}")
    finally:
        stop((gateway, registry), seconds=15)
        requests.delete(f"{args.api}/api/vhosts/{vhost}")


if __name__ == "__main__":
    main()
