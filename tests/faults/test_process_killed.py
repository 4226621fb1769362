"""A consumer process killed in the middle of handling an event: the event comes back
to the next process and its work is done once."""
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import sessionmaker

from fazhi_common.audit import AuditEntry
from fazhi_common.db import make_engine
from fazhi_common.outbox import OutboxRelay, ProcessedEvent, record_event
from tests.helpers import wait_until

# runs services as processes, killed at the end: a vhost no other test used
pytestmark = pytest.mark.fresh_vhost

ROOT = Path(__file__).resolve().parents[2]


def _start(config_file, deliveries, pause=None):
    env = dict(os.environ, DELIVERIES_FILE=str(deliveries), PYTHONPATH=str(ROOT))
    env.pop("PAUSE_AFTER_COMMIT", None)
    if pause:
        env["PAUSE_AFTER_COMMIT"] = str(pause)
    return subprocess.Popen(
        [sys.executable, "-m", "nameko", "run", "--config", str(config_file),
         "tests.faults.crashing_consumer"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _deliveries(path):
    return path.read_text().split() if path.exists() else []


def test_killed_mid_handling_is_redelivered_and_done_once(rabbit_config, database_url,
                                                          tmp_path):
    consumer_db = database_url("registry")  # any service schema: it has the common tables
    config_file = tmp_path / "consumer.yml"
    config_file.write_text(yaml.safe_dump({"AMQP_URI": rabbit_config["AMQP_URI"],
                                           "DATABASE_URL": consumer_db}))
    deliveries = tmp_path / "deliveries.txt"

    first = _start(config_file, deliveries, pause=60)
    try:
        # the event is published from the same database's outbox, as the registry would
        publisher_engine = make_engine(consumer_db)
        publisher_db = sessionmaker(publisher_engine)
        with publisher_db() as session:
            envelope = record_event(session, "county_registered", {
                "county_code": "330110000000", "name": "余杭区", "kind": "district"})
            session.commit()
        relay = OutboxRelay("registry", publisher_db, rabbit_config)
        wait_until(lambda: relay.publish_pending() or relay.pending_count() == 0, timeout=30)

        engine = create_engine(consumer_db.replace("postgresql://", "postgresql+psycopg2://"))

        def processed():
            with engine.connect() as conn:
                return conn.execute(select(func.count()).select_from(ProcessedEvent)).scalar()

        wait_until(lambda: processed() == 1, timeout=30)  # committed, not yet acked
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()

    second = _start(config_file, deliveries)
    try:
        wait_until(lambda: len(_deliveries(deliveries)) == 2, timeout=60)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=20)

    assert _deliveries(deliveries) == [envelope["id"], envelope["id"]]  # delivered twice
    with engine.connect() as conn:
        work = conn.execute(select(AuditEntry.subject)).scalars().all()
        marks = conn.execute(text("SELECT count(*) FROM processed_event")).scalar()
    assert work == [envelope["id"]] and marks == 1  # done once
    engine.dispose()
    publisher_engine.dispose()
