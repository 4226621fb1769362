#!/usr/bin/env python3
"""A gateway read vs the same read in bare Flask, same WSGI server, same connections.

Starts the registry (``fazhi-service``), imports a province's unit list (27,023 units)
and waits until the gateway's view of communities holds every community (its events
drained). Two gateways (gunicorn) run on the same account database: one serving a
community from its view (``COMMUNITY_VIEW``, kept by ``gateway.view_keeper``), one asking
the registry over RPC as before the view existed. ``bench/bare_flask.py`` runs under
gunicorn with the same settings on the registry's file. wrk (a C load generator, Debian's
``wrk``) reads one community for ``--seconds`` from each with the same threads and
connections. Prints req/s and p50 of each beside the anchor's, the ratio to bare Flask,
the load average at each measurement, and where the CPU of each request went: milliseconds
of CPU per request in the gateway's workers, the registry, the bare app and the broker
when it runs on this machine (read from /proc).

    .venv/bin/python bench/gateway_read.py [--seconds 10] [--connections 16] [--threads 2]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import free_port, rabbit_vhost, stop  # noqa: E402
from load import ROOT, VENV_BIN, start_platform, wait_ready  # noqa: E402
from province import province_units, with_quirks, write_csv  # noqa: E402


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


def wrk(url, headers, seconds, threads, connections):
    """``(req/s, p50 ms)`` of wrk reading ``url``; every answer must be 200."""
    script = Path(tempfile.mkdtemp(prefix="fazhi-wrk-")) / "p50.lua"
    # wrk's summary has no median by default: the done() hook prints it
    script.write_text('done = function(summary, latency, requests)\n'
                      '  io.write(string.format("p50_us %d\\n", latency:percentile(50)))\n'
                      'end\n')
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s",
               "-s", str(script), "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    shutil.rmtree(script.parent, ignore_errors=True)
    if "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit(f"{url}: not every answer was 200:\n{out}")
    rate = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
    return rate, int(re.search(r"p50_us (\d+)", out).group(1)) / 1000


def measure(processes, url, headers, args):
    """wrk's figures, the load average just before, and the CPU milliseconds per request
    each named process group used meanwhile."""
    load = os.getloadavg()[0]
    before = {name: _cpu_seconds(pids) for name, pids in processes.items()}
    rate, p50 = wrk(url, headers, args.seconds, args.threads, args.connections)
    served = max(1, rate * args.seconds)
    cpu = {name: (_cpu_seconds(pids) - before[name]) * 1000 / served
           for name, pids in processes.items()}
    return {"rate": rate, "p50": p50, "cpu": cpu, "load": load}


def _import_province(workdir, registry_db, base, auth, views):
    """The province's list imported with the registry's command; returns one community's
    code once the view holds every community (the gateway's events drained)."""
    csv_path = write_csv(workdir / "province.csv", with_quirks(province_units()))
    config = workdir / "registry-cli.yml"
    config.write_text(f"DATABASE_URL: {registry_db}\n")
    subprocess.run([str(VENV_BIN / "fazhi-registry"), "--config", str(config), "import",
                    str(csv_path)], check=True, capture_output=True, cwd=workdir)
    from sqlalchemy import create_engine, text

    registry = create_engine(registry_db)
    with registry.connect() as connection:
        communities = connection.scalar(text("SELECT count(*) FROM community"))
        code = connection.scalar(text("SELECT min(code) FROM community"))
    deadline = time.monotonic() + 600
    held = 0
    while time.monotonic() < deadline:
        with views.connect() as connection:
            held = connection.scalar(text(
                "SELECT count(*) FROM community_view WHERE body IS NOT NULL"))
        if held >= communities:
            return code, communities
        time.sleep(1)
    raise SystemExit(f"the gateway's view held {held} of {communities} communities after 600 s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--server-threads", type=int, default=8)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    from sqlalchemy import create_engine

    workdir = Path(tempfile.mkdtemp(prefix="fazhi-gateway-read-"))
    registry_db = f"sqlite:///{workdir}/registry.db"
    port, rpc_port, bare_port = free_port(), free_port(), free_port()
    gunicorn = [str(VENV_BIN / "gunicorn"), "--workers", str(args.workers), "--threads",
                str(args.server_threads)]
    with rabbit_vhost() as amqp_uri:
        registry, gateway = start_platform(workdir, amqp_uri, registry_db, port,
                                           workers=args.workers, threads=args.server_threads,
                                           community_view=True)
        env = gateway.fazhi_env
        with open(workdir / "keeper.log", "w") as log:  # the child keeps its own copy
            keeper = subprocess.Popen(
                [str(VENV_BIN / "fazhi-service"), "--config",
                 str(ROOT / "gateway/config.yml"), "gateway.view_keeper"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
        # the same gateway without its view: every read over RPC, as before the view
        by_rpc = subprocess.Popen(
            [*gunicorn, "--bind", f"127.0.0.1:{rpc_port}", "gateway.wsgi:app"], cwd=ROOT,
            env=dict(env, COMMUNITY_VIEW="false"),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        bare = subprocess.Popen(
            [*gunicorn, "--bind", f"127.0.0.1:{bare_port}", "bare_flask:app"],
            cwd=ROOT / "bench", env=dict(os.environ, BENCH_REGISTRY_DB=registry_db),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(base)
            wait_ready(f"http://127.0.0.1:{rpc_port}")
            token = requests.post(f"{base}/api/v1/auth/login", json={
                "username": "load", "password": "load-test-password"}).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            started = time.monotonic()
            code, communities = _import_province(
                workdir, registry_db, base, auth,
                create_engine(f"sqlite:///{workdir}/gateway.db"))
            drained = time.monotonic() - started
            path = f"/api/v1/registry/communities/{code}"
            for _ in range(60):
                try:
                    bare_body = requests.get(
                        f"http://127.0.0.1:{bare_port}/communities/{code}").json()
                    break
                except requests.RequestException:
                    time.sleep(0.5)
            viewed = requests.get(base + path, headers=auth)
            asked = requests.get(f"http://127.0.0.1:{rpc_port}{path}", headers=auth).json()
            assert bare_body == viewed.json() == asked, (bare_body, viewed.json(), asked)
            # the gunicorn masters' children are the workers that serve
            processes = {"gateway": [gateway.pid, by_rpc.pid], "registry": [registry.pid],
                         "bare": [bare.pid]}
            broker = _listener(urlparse(amqp_uri).port or 5672)
            if broker is not None:
                processes["broker"] = [broker]
            bare_run = measure(processes, f"http://127.0.0.1:{bare_port}/communities/{code}",
                               {}, args)
            view_run = measure(processes, base + path, auth, args)
            rpc_run = measure(processes, f"http://127.0.0.1:{rpc_port}{path}", auth, args)
            me_run = measure(processes, f"{base}/api/v1/auth/me", auth, args)
            # the anchor again, after: a figure beside the mean of two anchors is fairer on a
            # machine whose load moves
            bare_after = measure(processes, f"http://127.0.0.1:{bare_port}/communities/{code}",
                                 {}, args)
        finally:
            stop((bare, by_rpc, gateway, keeper, registry), seconds=15)

    anchor = (bare_run["rate"] + bare_after["rate"]) / 2

    def line(label, run, note, *names):
        cpu = ", ".join(f"{n} {run['cpu'][n]:.2f}" for n in names if n in run["cpu"])
        print(f"gateway_read.{label}_req_per_s={run['rate']:.0f}  p50 {run['p50']:.2f} ms; "
              f"ratio to bare Flask {run['rate'] / anchor:.3f}; load {run['load']:.1f}; "
              f"CPU ms/request: {cpu}  ({note})")

    print(f"gateway_read.province={communities} communities  (imported by fazhi-registry, "
          f"the view filled from their events in {drained:.0f} s)")
    print(f"gateway_read.bare_flask_req_per_s={anchor:.0f}  (anchor: mean of "
          f"{bare_run['rate']:.0f} before and {bare_after['rate']:.0f} after; p50 "
          f"{bare_run['p50']:.2f} ms; load {bare_run['load']:.1f} and "
          f"{bare_after['load']:.1f}; CPU ms/request: bare {bare_run['cpu']['bare']:.2f})")
    line("gateway_view", view_run, "served from the gateway's view of communities",
         "gateway", "registry", "broker")
    line("gateway_rpc", rpc_run, "the same read over RPC to the registry, as before the view",
         "gateway", "registry", "broker")
    line("auth_me", me_run, "authentication alone, no service", "gateway")
    print(f"gateway_read.ratio={view_run['rate'] / anchor:.3f}  (gateway from its view / "
          f"bare Flask req/s, same run; goal >= 0.5; over RPC "
          f"{rpc_run['rate'] / anchor:.3f})")
    print(json.dumps({"client": "wrk", "wrk_threads": args.threads,
                      "connections": args.connections, "workers": args.workers,
                      "server_threads": args.server_threads, "seconds": args.seconds}))


if __name__ == "__main__":
    main()
