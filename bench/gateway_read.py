#!/usr/bin/env python3
"""A gateway read vs the same read in bare Flask, same WSGI server, same connections.

Starts the registry (``nameko run``) and the gateway (gunicorn) on a throw-away vhost and
SQLite files, registers one community, and starts ``bench/bare_flask.py`` under gunicorn
with the same settings on the registry's file. Then ``--connections`` keep-alive clients
(spread over processes, so the client is not the bottleneck) read that community for
``--seconds`` from each. Prints req/s and p50 of both and the ratio gateway / bare.

    .venv/bin/python bench/gateway_read.py [--seconds 10] [--connections 16]
"""
import argparse
import http.client
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import free_port, rabbit_vhost, stop  # noqa: E402
from load import COUNTY, ROOT, VENV_BIN, start_platform, wait_ready  # noqa: E402

TOWN, COMMUNITY = COUNTY[:6] + "001000", COUNTY[:6] + "001001"


def _client(port, path, headers, until, threads, out):
    import threading

    samples = []

    def run():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.monotonic() < until:
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append((response.status, time.perf_counter() - started))
        samples.extend(mine)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.put(samples)


def hammer(port, path, headers, seconds, connections):
    processes = max(1, min(4, connections // 4))
    per_process = connections // processes
    out = multiprocessing.Queue()
    until = time.monotonic() + seconds
    procs = [multiprocessing.Process(target=_client,
                                     args=(port, path, headers, until, per_process, out))
             for _ in range(processes)]
    for p in procs:
        p.start()
    samples = [s for _ in procs for s in out.get()]
    for p in procs:
        p.join()
    ok = [s[1] for s in samples if s[0] == 200]
    if len(ok) < len(samples):
        raise SystemExit(f"{path}: {len(samples) - len(ok)} answers were not 200")
    return len(ok) / seconds, statistics.median(ok) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="fazhi-gateway-read-"))
    registry_db = f"sqlite:///{workdir}/registry.db"
    port, bare_port = free_port(), free_port()
    with rabbit_vhost() as amqp_uri:
        registry, gateway = start_platform(workdir, amqp_uri, registry_db, port,
                                           workers=args.workers, threads=args.threads)
        bare = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "--workers", str(args.workers), "--threads",
             str(args.threads), "--bind", f"127.0.0.1:{bare_port}", "bare_flask:app"],
            cwd=ROOT / "bench", env=dict(os.environ, BENCH_REGISTRY_DB=registry_db),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(base)
            token = requests.post(f"{base}/api/v1/auth/login", json={
                "username": "load", "password": "load-test-password"}).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            for path, body in (
                    ("counties", {"code": COUNTY, "name": "余杭区", "kind": "district"}),
                    ("towns", {"code": TOWN, "county_code": COUNTY, "name": "镇",
                               "kind": "town"}),
                    ("communities", {"code": COMMUNITY, "town_code": TOWN, "name": "村",
                                     "kind": "village"})):
                requests.post(f"{base}/api/v1/registry/{path}", headers=auth,
                              json=body).raise_for_status()
            for _ in range(60):
                try:
                    bare_body = requests.get(
                        f"http://127.0.0.1:{bare_port}/communities/{COMMUNITY}").json()
                    break
                except requests.RequestException:
                    time.sleep(0.5)
            gateway_body = requests.get(f"{base}/api/v1/registry/communities/{COMMUNITY}",
                                        headers=auth).json()
            assert bare_body == gateway_body, (bare_body, gateway_body)
            bare_rate, bare_p50 = hammer(bare_port, f"/communities/{COMMUNITY}", {},
                                         args.seconds, args.connections)
            gw_rate, gw_p50 = hammer(port, f"/api/v1/registry/communities/{COMMUNITY}", auth,
                                     args.seconds, args.connections)
            live_rate, live_p50 = hammer(port, "/health/live", {}, args.seconds,
                                         args.connections)
            me_rate, me_p50 = hammer(port, "/api/v1/auth/me", auth, args.seconds,
                                     args.connections)
        finally:
            stop((bare, gateway, registry), seconds=15)
    print(f"gateway_read.bare_flask_req_per_s={bare_rate:.0f}  p50 {bare_p50:.2f} ms")
    print(f"gateway_read.gateway_req_per_s={gw_rate:.0f}  p50 {gw_p50:.2f} ms")
    print(f"gateway_read.health_live_req_per_s={live_rate:.0f}  p50 {live_p50:.2f} ms")
    print(f"gateway_read.auth_me_req_per_s={me_rate:.0f}  p50 {me_p50:.2f} ms")
    print(f"gateway_read.ratio={gw_rate / bare_rate:.3f}  (gateway / bare Flask req/s; "
          f"goal >= 0.5)")
    print(json.dumps({"connections": args.connections, "workers": args.workers,
                      "threads": args.threads}))


if __name__ == "__main__":
    main()
