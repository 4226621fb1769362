"""Real service processes (`nameko run`) killed with SIGKILL in the middle of their work,
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
from pathlib import Path

import eventlet
import pytest
import yaml
from sqlalchemy import func, select, text
from sqlalchemy.orm import sessionmaker

from fazhi_common.db import make_engine
from fazhi_common.outbox import OutboxEvent, OutboxRelay, ProcessedEvent, record_event
from tests.helpers import wait_until

ROOT = Path(__file__).resolve().parents[2]
R = "/api/v1/registry"
pytestmark = [pytest.mark.once, pytest.mark.timeout(400)]


class ServiceProcess:
    """``nameko run <service>.service`` with the test's config, as production runs it."""

    def __init__(self, service, config, tmp_path):
        self.service = service
        self.config_file = tmp_path / f"{service}.yml"
        self.config_file.write_text(yaml.safe_dump(config))
        self.log = tmp_path / f"{service}.log"
        self.process = None

    def start(self):
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "nameko", "run", "--config", str(self.config_file),
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


@pytest.mark.skip(reason="long imports became background jobs (202 and a job to poll, "
                  "tests/registry/test_import_streaming.py); this kill must follow the job: "
                  "to be rewritten")
def test_registry_killed_mid_bulk_import_imports_exactly_once(service_config, gateway_config,
                                                              tmp_path):
    from gateway.app import create_app
    from tests.conftest import AuthedClient

    towns, per_town = 20, 100
    expected = 1 + towns + towns * per_town
    # a quiet relay (it would take the write lock too), so a busy writer is the import
    config = service_config("registry", OUTBOX_POLL_SECONDS=60)
    url = config["DATABASE_URL"]
    registry = ServiceProcess("registry", config, tmp_path)
    # the caller waits long enough for its request to outlive the killed process
    app = create_app(dict(gateway_config, RPC_TIMEOUT_SECONDS=90))
    admin = AuthedClient(app).as_role("platform_admin")
    try:
        registry.start()
        wait_until(lambda: admin.get(f"{R}/counties").status_code == 200, timeout=60,
                   interval=0.5)
        upload = {"filename": "units.csv", "content_base64": base64.b64encode(
            units_csv(towns, per_town).encode()).decode()}
        answer = eventlet.spawn(admin.post, f"{R}/imports", json=upload)
        wait_until(lambda: writer_busy(url), timeout=60, interval=0.02)
        registry.kill9()  # mid-transaction: the import holds the write lock

        engine = make_engine(url)
        sessions = sessionmaker(engine)

        def count(table):
            with sessions() as session:
                return session.scalar(text(f"SELECT count(*) FROM {table}"))

        assert count("community") == count("town") == count("county") == 0  # all or nothing

        registry.start()  # the unacknowledged request comes back to the new process
        response = answer.wait()
        assert response.status_code == 201, response.json
        assert response.json["created"] == expected
        assert count("county") + count("town") + count("community") == expected
        with sessions() as session:  # one announcement per unit, one audit entry
            announced = session.scalar(select(func.count()).select_from(OutboxEvent))
            imports = session.scalar(text(
                "SELECT count(*) FROM audit_entry WHERE action = 'registry.import_file'"))
        assert announced == expected and imports == 1
        engine.dispose()
    finally:
        registry.stop()
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

    try:
        evaluation.start()
        wait_until(lambda: handled() >= events // 10, timeout=200, interval=0.05)
        evaluation.kill9()
        at_kill = handled()
        assert at_kill < events  # it really was mid-backlog
        evaluation.start()
        wait_until(lambda: handled() == events, timeout=300, interval=0.5)
        eventlet.sleep(2)  # anything redelivered twice would show now
        with sessions() as session:
            facts = session.scalar(text("SELECT count(*) FROM community_fact"))
            marks = session.scalar(text("SELECT count(DISTINCT event_id) FROM processed_event"))
        assert handled() == events and marks == events and facts == events
    finally:
        evaluation.stop()
        engine.dispose()

