"""Runs the whole test suite as parallel pytest processes: SQLite and PostgreSQL passes at once.

The tests spend most of their time waiting (for the broker, the databases, service processes,
Chromium), so a few pytest processes share two cores well. Each shard is a pytest session of
its own, with its own migrated databases, broker vhosts and temporary directory. Test files are
dealt to shards longest first, by the times in tests/durations.json (``--record`` rewrites it
from the run just made; a file it does not know counts DEFAULT_SECONDS). The run starts a
RabbitMQ node of its own for the tests (``start_broker``; the machine's broker when
rabbitmq-server is not installed here, or with FAZHI_TEST_SHARED_BROKER=1), and the processes
take over each other's emptied vhosts by slot (tests/conftest.py ``Vhosts``). No test stops the
run's broker (those that stop a broker start their own: tests/conftest.py ``broker_node``).

    python scripts/shards.py [--jobs N] [--postgres URL] [--record]

Exit status 0 when every shard passed. A failed shard's whole output is printed.
"""
import argparse
import base64
import heapq
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DURATIONS = ROOT / "tests" / "durations.json"
DEFAULT_SECONDS = 20.0
# the broker's management API, as the tests' RABBIT_API_URI has it by default
BROKER_API = "http://localhost:15672/api"
# with PostgreSQL there, the minutes-long tests run once, on the stricter database
ONCE = "fuzz or browser or once"


# The test processes (and the services, browsers and tools they start) run at a lower CPU
# priority than the broker and the database they all wait on: with two cores saturated by
# four test processes, a broker on an equal footing fell minutes behind and every test
# waiting on it timed out.
NICENESS = 5


def _yield_cpu():
    os.nice(NICENESS)


class Shard:
    def __init__(self, name, database, marker, files):
        self.name, self.database, self.marker, self.files = name, database, marker, files
        self.seconds, self.status, self.output = 0.0, None, ""

    def command(self, work, broker=()):
        marker = ["-m", self.marker] if self.marker else []
        # a test slowed by the run's own load gets 300 s, not 120: pytest's timeout ends
        # the whole process, and every test of the shard after it with it
        return [sys.executable, "-m", "pytest", "-q", "-rs", "-W", "ignore::DeprecationWarning",
                "-o", "timeout=300", *marker, f"--basetemp={work / self.name}",
                f"--junitxml={work / (self.name + '.xml')}",
                # every test's log, kept even when a timeout ends the process
                f"--log-file={work / (self.name + '.debug.log')}", "--log-file-level=INFO",
                "--log-file-format=%(asctime)s %(levelname)s %(name)s: %(message)s",
                *broker, *self.files]

    def run(self, work, slots, broker=()):
        # the processes load the machine themselves (four of them on two cores: a load of
        # 8): waits for a condition get three times their time (they end as soon as it
        # holds; tests/helpers.py WAIT_SCALE)
        slot = slots.get()  # the broker vhosts it takes over (tests/conftest.py Vhosts)
        env = dict(os.environ, FAZHI_TEST_DATABASE=self.database, FAZHI_TEST_SLOT=str(slot),
                   FAZHI_TEST_WAIT_SCALE=os.environ.get("FAZHI_TEST_WAIT_SCALE", "3"))
        started = time.monotonic()
        log = work / (self.name + ".log")  # to watch while it runs
        try:
            with log.open("w") as out:
                done = subprocess.run(self.command(work, broker), cwd=ROOT, env=env, stdout=out,
                                      stderr=subprocess.STDOUT, preexec_fn=_yield_cpu)
        finally:
            slots.put(slot)
        self.seconds = time.monotonic() - started
        # 5: nothing selected (a file holding only tests of the other pass)
        self.status = 0 if done.returncode == 5 else done.returncode
        self.output = log.read_text(errors="replace")
        return self

    def summary(self):
        last = [line for line in self.output.splitlines() if line.strip()][-1:] or ["(no output)"]
        mark = "ok  " if self.status == 0 else "FAIL"
        return f"{mark} {self.name:<16} {len(self.files):>3} files {self.seconds:6.0f} s  {last[0]}"


def start_broker(work):
    """A RabbitMQ node of the run's own (Debian's rabbitmq-server, free ports, its data
    under the run's directory), with room for the files its queues open: the run's test
    processes hold some hundreds of quorum queues at once, and a broker started with the
    system's default limit of 1,024 open files stalled every file operation (a vhost made,
    a connection opened) for 15 to 60 s at a time. Returns the cluster and the pytest
    options that point the tests at it; ``None, ()`` (the machine's broker, as the tests
    find it by default) when rabbitmq-server is not installed here."""
    sys.path.insert(0, str(ROOT))
    from tests.rabbit_cluster import SBIN, RabbitCluster

    if os.environ.get("FAZHI_TEST_SHARED_BROKER") or not (SBIN / "rabbitmq-server").exists():
        return None, ()
    cluster = RabbitCluster(work / "broker", prefix=f"fazhi-suite{os.getpid()}-", size=1,
                            die_with_parent=True, open_files=65536, log_level="warning")
    cluster.start()
    node = cluster.nodes[0]
    return cluster, (f"--amqp-uri={node.amqp_uri}",
                     f"--rabbit-api-uri=http://guest:guest@127.0.0.1:{node.management_port}")


def delete_slot_vhosts(api=BROKER_API):
    """The broker vhosts the run's slots kept (tests/conftest.py Vhosts), deleted once no
    test runs. A vhost left (the broker's answer late) is taken over by the next run."""
    auth = {"Authorization": "Basic " + base64.b64encode(b"guest:guest").decode()}

    def call(path, method="GET"):
        request = urllib.request.Request(f"{api}/{path}", headers=auth, method=method)
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.read()

    try:
        for vhost in json.loads(call("vhosts?columns=name")):
            if vhost["name"].startswith("nameko_test_slot"):
                call(f"vhosts/{urllib.parse.quote(vhost['name'], safe='')}", "DELETE")
    except OSError as exc:
        print(f"the run's broker vhosts were not all deleted ({exc}): the next run takes "
              "them over", flush=True)


def test_files():
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").rglob("test_*.py"))


def deal(files, weights, count):
    """Longest processing time first: each file to the shard with the least work so far."""
    shards = [(0.0, i, []) for i in range(count)]
    for name in sorted(files, key=lambda f: -weights.get(f, DEFAULT_SECONDS)):
        load, i, chosen = heapq.heappop(shards)
        chosen.append(name)
        heapq.heappush(shards, (load + weights.get(name, DEFAULT_SECONDS), i, chosen))
    return [chosen for _, _, chosen in sorted(shards, key=lambda s: s[1]) if chosen]


def plan(passes, jobs, recorded):
    """Shards of about equal work across the passes, about three per job for balance."""
    files = test_files()
    totals = {label: sum(recorded.get(label, {}).get(f, DEFAULT_SECONDS) for f in files)
              for label, _, _ in passes}
    target = sum(totals.values()) / (3 * jobs)
    shards = []
    for label, database, marker in passes:
        count = max(1, round(totals[label] / target))
        for i, chosen in enumerate(deal(files, recorded.get(label, {}), count)):
            shards.append(Shard(f"{label}-{i + 1}", database, marker, chosen))
    weight = {s.name: sum(recorded.get(s.name.rsplit("-", 1)[0], {}).get(f, DEFAULT_SECONDS)
                          for f in s.files) for s in shards}
    return sorted(shards, key=lambda s: -weight[s.name])


def file_times(xml_path):
    """Seconds per test file in one junit report (setup, call and teardown together)."""
    times = {}
    for case in ET.parse(xml_path).iter("testcase"):
        parts = case.get("classname", "").split(".")
        while parts and not (ROOT / ("/".join(parts) + ".py")).exists():
            parts.pop()
        if parts:
            path = "/".join(parts) + ".py"
            times[path] = times.get(path, 0.0) + float(case.get("time", 0))
    return times


def record(shards, work):
    recorded = {}
    for shard in shards:
        report = work / (shard.name + ".xml")
        if report.exists():
            label = shard.name.rsplit("-", 1)[0]
            for path, seconds in file_times(report).items():
                recorded.setdefault(label, {})[path] = round(
                    recorded.get(label, {}).get(path, 0.0) + seconds, 1)
    DURATIONS.write_text(json.dumps({k: dict(sorted(v.items())) for k, v in recorded.items()},
                                    indent=1, ensure_ascii=False) + "\n")
    print(f"recorded the times of {sum(map(len, recorded.values()))} files in {DURATIONS}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("FAZHI_TEST_JOBS", 4)))
    parser.add_argument("--postgres", help="server URL for the PostgreSQL pass (none: SQLite only)")
    parser.add_argument("--record", action="store_true", help=f"rewrite {DURATIONS.name}")
    args = parser.parse_args()

    if args.postgres:
        passes = [("sqlite", "sqlite", f"not ({ONCE})"), ("postgresql", args.postgres, "")]
    else:
        passes = [("sqlite", "sqlite", "")]
    recorded = json.loads(DURATIONS.read_text()) if DURATIONS.exists() else {}
    shards = plan(passes, args.jobs, recorded)
    work = Path(tempfile.mkdtemp(prefix="fazhi-shards-"))
    started = time.monotonic()
    print(f"{len(shards)} shards, {args.jobs} at a time (output of each: {work})", flush=True)
    slots = queue.Queue()
    for slot in range(args.jobs):
        slots.put(slot)
    cluster, broker = start_broker(work)
    print(f"broker: {broker[0] if broker else 'the machine broker (localhost:5672)'}",
          flush=True)
    try:
        with ThreadPoolExecutor(args.jobs) as pool:
            for future in as_completed([pool.submit(s.run, work, slots, broker)
                                        for s in shards]):
                print(future.result().summary(), flush=True)
    finally:
        if cluster is None:
            delete_slot_vhosts()
        else:
            cluster.stop()
            shutil.rmtree(work / "broker", ignore_errors=True)
    failed = [s for s in shards if s.status != 0]
    for shard in failed:
        print(f"\n{'=' * 30} {shard.name}: {' '.join(shard.files)}\n{shard.output}")
    if args.record and not failed:
        record(shards, work)
    print(f"{len(shards)} shards in {time.monotonic() - started:.0f} s, "
          f"{len(failed)} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
