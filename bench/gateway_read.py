#!/usr/bin/env python3
"""A gateway read vs the same read in bare Flask, same WSGI server, same connections.

Starts the registry (``nameko run``) and the gateway (gunicorn) on a throw-away vhost and
SQLite files, registers one community, and starts ``bench/bare_flask.py`` under gunicorn
with the same settings on the registry's file. Then ``--connections`` keep-alive clients
(spread over processes, so the client is not the bottleneck) read that community for
``--seconds`` from each. Prints req/s and p50 of both and the ratio gateway / bare, and
where the CPU of each request went: milliseconds of CPU per request in the gateway's
workers, the registry, the bare app and the broker when it runs on this machine (read
from /proc).

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
from urllib.parse import urlparse

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


def _cpu_seconds(pids):
    """CPU (user + system) used so far by ``pids`` and their children, from /proc."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/task/{pid}/children") as children:
                kids = [int(k) for k in children.read().split()]
        except OSError:  # not Linux, or gone
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        total += _cpu_seconds(kids)
    return total


def _listener(port):
    """The pid of the local process listening on TCP ``port``, or None (not local, not
    Linux, or not ours to see)."""
    try:
        with open("/proc/net/tcp") as tcp, open("/proc/net/tcp6") as tcp6:
            rows = [line.split() for line in [*tcp.readlines()[1:], *tcp6.readlines()[1:]]]
    except OSError:
        return None
    inodes = {f"socket:[{row[9]}]" for row in rows
              if row[3] == "0A" and int(row[1].rsplit(":", 1)[1], 16) == port}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if any(os.readlink(f"/proc/{pid}/fd/{fd}") in inodes
                   for fd in os.listdir(f"/proc/{pid}/fd")):
                return int(pid)
        except OSError:
            continue
    return None


def measure(processes, port, path, headers, seconds, connections):
    """``hammer`` plus the CPU milliseconds per request each named process group used."""
    before = {name: _cpu_seconds(pids) for name, pids in processes.items()}
    rate, p50 = hammer(port, path, headers, seconds, connections)
    served = max(1, rate * seconds)
    cpu = {name: (_cpu_seconds(pids) - before[name]) * 1000 / served
           for name, pids in processes.items()}
    return rate, p50, cpu


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
            # the gunicorn masters' children are the workers that serve
            processes = {"gateway": [gateway.pid], "registry": [registry.pid],
                         "bare": [bare.pid]}
            broker = _listener(urlparse(amqp_uri).port or 5672)
            if broker is not None:
                processes["broker"] = [broker]
            bare_rate, bare_p50, bare_cpu = measure(
                processes, bare_port, f"/communities/{COMMUNITY}", {}, args.seconds,
                args.connections)
            gw_rate, gw_p50, gw_cpu = measure(
                processes, port, f"/api/v1/registry/communities/{COMMUNITY}", auth,
                args.seconds, args.connections)
            live_rate, live_p50, live_cpu = measure(processes, port, "/health/live", {},
                                                    args.seconds, args.connections)
            me_rate, me_p50, me_cpu = measure(processes, port, "/api/v1/auth/me", auth,
                                              args.seconds, args.connections)
        finally:
            stop((bare, gateway, registry), seconds=15)
    def cpu(used, *names):
        return ", ".join(f"{name} {used[name]:.2f}" for name in names)

    print(f"gateway_read.bare_flask_req_per_s={bare_rate:.0f}  p50 {bare_p50:.2f} ms; "
          f"CPU ms/request: {cpu(bare_cpu, 'bare')}")
    print(f"gateway_read.gateway_req_per_s={gw_rate:.0f}  p50 {gw_p50:.2f} ms; "
          f"CPU ms/request: {cpu(gw_cpu, *[n for n in gw_cpu if n != 'bare'])}")
    print(f"gateway_read.health_live_req_per_s={live_rate:.0f}  p50 {live_p50:.2f} ms; "
          f"CPU ms/request: {cpu(live_cpu, 'gateway')}")
    print(f"gateway_read.auth_me_req_per_s={me_rate:.0f}  p50 {me_p50:.2f} ms; "
          f"CPU ms/request: {cpu(me_cpu, 'gateway')}")
    print(f"gateway_read.ratio={gw_rate / bare_rate:.3f}  (gateway / bare Flask req/s; "
          f"goal >= 0.5)")
    print(json.dumps({"connections": args.connections, "workers": args.workers,
                      "threads": args.threads}))


if __name__ == "__main__":
    main()
