"""Real service processes (`fazhi-service`) killed with SIGKILL in the middle of their work,
then started again: nothing is lost, nothing is done twice, the counts are exact.

They start real processes and move thousands of rows: they run once, in the PostgreSQL
pass of scripts/test when there is one (marker ``once``).
"""
import base64
import os
import signal
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from kombu import Connection
from sqlalchemy import func, select, text
from sqlalchemy.orm import sessionmaker

from fazhi_common.db import make_engine
from fazhi_common.jobs import Job
from fazhi_common.messaging import event_queue, event_queue_name
from fazhi_common.outbox import OutboxRelay, ProcessedEvent, record_event
from tests.helpers import queued_events, wait_until

ROOT = Path(__file__).resolve().parents[2]
R = "/api/v1/registry"
# runs services as processes, killed: a vhost no other test used (tests/conftest.py Vhosts)
pytestmark = [pytest.mark.once, pytest.mark.timeout(400), pytest.mark.fresh_vhost]


class ServiceProcess:
    """``fazhi-service <service>.service`` (``nameko run``) with the test's config, as
    production runs it."""

    def __init__(self, service, config, tmp_path):
        self.service = service
        self.config_file = tmp_path / f"{service}.yml"
        self.config_file.write_text(yaml.safe_dump(config))
        self.log = tmp_path / f"{service}.log"
        self.process = None

    def start(self):
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "fazhi_common.serve", "--config", str(self.config_file),
                 f"{self.service}.service"], cwd=ROOT, stdout=log, stderr=log,
                env=dict(os.environ, PYTHONPATH=str(ROOT)))
        return self

    def kill9(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def writer_busy(url):
    """True while another connection holds an open write transaction on the database."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:  # "database is locked": a writer is mid-way
            return True
        finally:
            conn.close()
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return bool(conn.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL")))
    finally:
        engine.dispose()


def units_csv(towns, per_town):
    lines = ["统计用区划代码,名称", "330110000000,余杭区"]
    for t in range(1, towns + 1):
        lines.append(f"330110{t:03d}000,街道{t}")
        lines += [f"330110{t:03d}{c:03d},村{t}-{c}" for c in range(1, per_town + 1)]
    return "\n".join(lines) + "\n"


def _job_row(sessions, job_id):
    with sessions() as session:
        return session.get(Job, job_id)


@contextmanager
def job_row_locked(url, job_id):
    """PostgreSQL: the job's row held by another transaction. The import writes its
    progress to that row between chunks and must write it to commit, so while this holds
    the import can neither move on nor finish: it waits, mid-write, for its killer. Gives
    the job's status as the lock found it."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            yield conn.scalar(text("SELECT status FROM job WHERE id = :id FOR UPDATE"),
                              {"id": job_id})
            conn.rollback()
    finally:
        engine.dispose()


def waiting_on_a_lock(url):
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return bool(conn.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")))
    finally:
        engine.dispose()


def test_registry_killed_mid_bulk_import_resumes_the_job_and_imports_exactly_once(
        service_config, gateway_config, rabbit_config, tmp_path):
    from gateway.app import create_app
    from tests.conftest import AuthedClient

    towns, per_town = 10, 500
    expected = 1 + towns + towns * per_town
    config = service_config("registry", JOB_POLL_SECONDS=0.2)
    url = config["DATABASE_URL"]
    postgres = not url.startswith("sqlite")
    # a subscriber of the announcements, bound before anything is published
    subscriber = event_queue("registry", "community_registered", "kill-test", rabbit_config)
    with Connection(rabbit_config["AMQP_URI"]) as conn:
        subscriber(conn.default_channel).declare()
    registry = ServiceProcess("registry", config, tmp_path)
    # polls wait out the moments a busy import keeps the service from answering
    app = create_app(dict(gateway_config, RPC_TIMEOUT_SECONDS=30))
    admin = AuthedClient(app).as_role("platform_admin")
    engine = make_engine(url)
    sessions = sessionmaker(engine)

    def count(table):
        with sessions() as session:
            return session.scalar(text(f"SELECT count(*) FROM {table}"))

    def job(location):
        response = admin.get(location)
        assert response.status_code == 200, response.json
        return response.json

    upload = {"filename": "units.csv", "content_base64": base64.b64encode(
        units_csv(towns, per_town).encode()).decode()}
    try:
        registry.start()
        wait_until(lambda: admin.get(f"{R}/counties").status_code == 200, timeout=60,
                   interval=0.5)
        accepted = admin.post(f"{R}/imports", json=upload)
        assert accepted.status_code == 202, accepted.json
        location, job_id = accepted.headers["Location"], accepted.json["job"]["id"]

        if postgres:  # its progress says it is writing: units are in its open transaction
            wait_until(lambda: (lambda j: j["total"] is not None and j["done"] < j["total"])(
                job(location)), timeout=120, interval=0.05)
            with job_row_locked(url, job_id) as status:
                assert status == "running"  # not committed, and now it cannot commit
                wait_until(lambda: waiting_on_a_lock(url), timeout=60, interval=0.05)
                registry.kill9()
        else:  # SQLite shows no progress before the end; the job holds the write lock
            wait_until(lambda: job(location)["status"] == "running", timeout=120,
                       interval=0.05)
            wait_until(lambda: writer_busy(url), timeout=60, interval=0.02)
            registry.kill9()
        assert _job_row(sessions, job_id).status == "running"  # it really died mid-job
        assert count("community") == count("town") == count("county") == 0  # nothing
        assert count("outbox_event") == 0

        registry.start()  # the orphaned job is taken up again at once, and finishes
        finished = wait_until(lambda: (lambda j: j if j["status"] in ("done", "failed")
                                       else None)(job(location)), timeout=200, interval=0.5)
        assert finished["status"] == "done", finished
        assert (finished["result"]["created"], finished["result"]["failed"]) == (expected, 0)
        assert _job_row(sessions, job_id).state["interruptions"] == 1
        assert count("county") + count("town") + count("community") == expected

        # the same file again: accepted, imported, nothing new
        again = admin.post(f"{R}/imports", json=upload)
        assert again.status_code == 202, again.json
        repeated = wait_until(lambda: (lambda j: j if j["status"] in ("done", "failed")
                                       else None)(job(again.headers["Location"])),
                              timeout=200, interval=0.5)
        assert repeated["status"] == "done", repeated
        assert (repeated["result"]["created"], repeated["result"]["unchanged"]) == \
            (0, expected)
        assert count("county") + count("town") + count("community") == expected

        # every community announced once: all of them reach the subscriber, none twice
        wait_until(lambda: count("outbox_event WHERE sent_at IS NULL") == 0, timeout=120,
                   interval=0.5)
        received = queued_events(rabbit_config["AMQP_URI"], "registry",
                                 "community_registered", "kill-test", timeout=10,
                                 expect=towns * per_town + 1)
        ids = {envelope["id"] for envelope in received}
        assert len(received) == len(ids) == towns * per_town
        assert count("outbox_event WHERE event_type = 'community_registered'") == \
            towns * per_town
    finally:
        registry.stop()
        engine.dispose()
        app.extensions["rpc"].close()


def test_evaluation_killed_mid_backlog_counts_every_event_once(service_config, database_url,
                                                               rabbit_config, tmp_path):
    events = 600
    # the backlog: community_registered events from a registry outbox, on the broker
    publisher_url = database_url("registry")
    publisher_engine = make_engine(publisher_url)
    publisher = sessionmaker(publisher_engine)
    with publisher() as session:
        for n in range(events):
            town = n // 500 + 1
            record_event(session, "community_registered", {
                "county_code": "330110000000", "town_code": f"330110{town:03d}000",
                "community_code": f"330110{town:03d}{n % 500 + 1:03d}", "name": f"村{n}",
                "kind": "village"})
        session.commit()
    relay = OutboxRelay("registry", publisher, rabbit_config, batch_size=1000)
    while relay.publish_pending():
        pass
    assert relay.pending_count() == 0
    publisher_engine.dispose()

    config = service_config("evaluation")
    evaluation = ServiceProcess("evaluation", config, tmp_path)
    engine = make_engine(config["DATABASE_URL"])
    sessions = sessionmaker(engine)

    def handled():
        with sessions() as session:
            return session.scalar(select(func.count()).select_from(ProcessedEvent))

    def waiting():
        """Deliveries ready in evaluation's queue (a redelivered one among them)."""
        name = event_queue_name("registry", "community_registered", "evaluation")
        with Connection(rabbit_config["AMQP_URI"]) as conn:
            return conn.default_channel.queue_declare(queue=name, passive=True).message_count

    try:
        evaluation.start()
        wait_until(lambda: handled() >= events // 10, timeout=200, interval=0.05)
        # wherever the kill lands (mid-backlog or, on a fast machine, after its end) every
        # event must end handled once: the counts below hold either way
        evaluation.kill9()
        evaluation.start()
        wait_until(lambda: handled() == events and waiting() == 0, timeout=300, interval=0.5)
        evaluation.stop()  # in-flight deliveries (redelivered ones too) finish before it ends
        with sessions() as session:
            facts = session.scalar(text("SELECT count(*) FROM community_fact"))
            marks = session.scalar(text("SELECT count(DISTINCT event_id) FROM processed_event"))
        assert handled() == events and marks == events and facts == events
    finally:
        evaluation.stop()
        engine.dispose()

