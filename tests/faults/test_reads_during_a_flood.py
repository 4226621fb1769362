"""Reads keep answering while a service works off a backlog of events: events and RPC do
not share one consumer, prefetch window and pool of workers.

The events here are made slow on purpose (each holds a worker for seconds), so that with
one shared pool every worker would be taken by events and a read would wait longer than
the gateway's RPC timeout (503). Figures for a real flood (20,000 events, p50/p99 of
reads against the idle service) come from bench/evaluation_flood.py.
"""
import eventlet
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from evaluation import service as evaluation_service
from evaluation.service import EvaluationService
from fazhi_common.db import make_engine
from fazhi_common.outbox import OutboxRelay, ProcessedEvent, record_event
from tests.helpers import wait_until

E = "/api/v1/evaluation"
pytestmark = pytest.mark.once


@pytest.fixture
def slow_events(monkeypatch):
    seconds = 4.0  # longer than the gateway waits for an answer (3 s in tests)
    real = evaluation_service.ops.on_communities_registered

    def slow(*args, **kwargs):
        eventlet.sleep(seconds)  # a handler that holds its worker (yielding, as ours do)
        return real(*args, **kwargs)

    monkeypatch.setattr(evaluation_service.ops, "on_communities_registered", slow)
    return seconds


def test_reads_answer_while_a_backlog_of_events_is_worked_off(
        slow_events, container_factory, service_config, database_url, rabbit_config,
        gateway, gateway_config):
    events = 8
    publisher_engine = make_engine(database_url("registry"))
    publisher = sessionmaker(publisher_engine)
    with publisher() as session:
        for n in range(events):
            record_event(session, "community_registered", {
                "county_code": "330110000000", "town_code": "330110001000",
                "community_code": f"330110001{n + 1:03d}", "name": f"村{n}", "kind": "village"})
        session.commit()
    relay = OutboxRelay("registry", publisher, rabbit_config)
    while relay.publish_pending():
        pass
    publisher_engine.dispose()

    # four workers: with one shared pool, four slow events would hold all of them
    config = service_config("evaluation", max_workers=4)
    container = container_factory(EvaluationService, config)
    container.start()
    engine = make_engine(config["DATABASE_URL"])
    sessions = sessionmaker(engine)

    def handled():
        with sessions() as session:
            return session.scalar(select(func.count()).select_from(ProcessedEvent))

    answers = []
    while handled() < events // 2:  # the backlog is being worked off meanwhile
        answers.append(gateway.get(f"{E}/schemes").status_code)
        eventlet.sleep(0.2)
    assert len(answers) >= 3
    assert set(answers) == {200}, answers  # never 503: a worker was free for each read
    wait_until(lambda: handled() == events, timeout=120, interval=0.5)
    engine.dispose()
