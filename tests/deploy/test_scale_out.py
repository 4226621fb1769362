"""Scaling out: several instances of a service on one broker and database share the work,
and nothing is done twice; a second gateway instance serves the same API."""
import collections

import eventlet
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from fazhi_common.db import Database, make_engine
from fazhi_common.messaging import event_handler
from fazhi_common.outbox import ProcessedEvent, claim_event
from registry.service import RegistryService
from tests.conftest import AuthedClient
from tests.helpers import queued_events, wait_until

R = "/api/v1/registry"
TOWN = "330110001000"
VILLAGES = 40


def _count_workers(container, counts, method):
    """Count the workers ``container`` runs for ``method`` (observing, not changing it)."""
    spawn = container.spawn_worker

    def counting(entrypoint, *args, **kwargs):
        if entrypoint.method_name == method:
            counts[container] += 1
        return spawn(entrypoint, *args, **kwargs)

    container.spawn_worker = counting


@pytest.fixture
def two_registries(container_factory, service_config):
    config = service_config("registry")  # one database, one broker: two instances
    instances = [container_factory(RegistryService, config) for _ in range(2)]
    for instance in instances:
        instance.start()
    return instances


def _register_town(gateway):
    assert gateway.post(f"{R}/counties", json={"code": "330110000000", "name": "余杭区",
                                                "kind": "district"}).status_code == 201
    assert gateway.post(f"{R}/towns", json={"code": TOWN, "county_code": "330110000000",
                                             "name": "良渚街道",
                                             "kind": "street"}).status_code == 201


def test_two_registry_instances_split_the_writes_and_announce_each_once(
        two_registries, gateway, rabbit_config):
    _register_town(gateway)
    counts = collections.Counter()
    for instance in two_registries:
        _count_workers(instance, counts, "register_community")

    def register(n):
        return gateway.post(f"{R}/communities", json={
            "code": f"{TOWN[:9]}{n:03d}", "town_code": TOWN, "name": f"第{n}村",
            "kind": "village"}).status_code

    pool = eventlet.GreenPool(8)
    assert list(pool.imap(register, range(1, VILLAGES + 1))) == [201] * VILLAGES

    assert len(counts) == 2, counts  # both instances worked
    assert sum(counts.values()) == VILLAGES
    assert gateway.get(f"{R}/communities?per_page=100").json["total"] == VILLAGES
    # both instances run an outbox relay on the same table: each event still goes out once
    events = queued_events(rabbit_config["AMQP_URI"], "registry", "community_registered",
                           "evaluation", expect=VILLAGES + 1, timeout=5)
    ids = [e["id"] for e in events]
    assert len(ids) == VILLAGES and len(set(ids)) == VILLAGES


class Consumer:
    """Two instances of one consuming service (the evaluation queue), sharing its database."""

    name = "evaluation"
    db = Database(relay_outbox=False)
    handled = collections.Counter()

    @event_handler("registry", "community_registered")
    def on_community_registered(self, envelope, payload):
        with self.db.transaction() as session:
            if claim_event(session, envelope, "on_community_registered"):
                self.handled[envelope["id"]] += 1


def test_two_consumer_instances_share_one_queue_and_handle_each_event_once(
        two_registries, gateway, container_factory, service_config):
    Consumer.handled = collections.Counter()
    config = service_config("registry")  # the consumers' own database: any migrated one
    consumers = [container_factory(Consumer, config) for _ in range(2)]
    counts = collections.Counter()
    for consumer in consumers:
        _count_workers(consumer, counts, "on_community_registered")
        consumer.start()

    _register_town(gateway)
    for n in range(1, VILLAGES + 1):
        assert gateway.post(f"{R}/communities", json={
            "code": f"{TOWN[:9]}{n:03d}", "town_code": TOWN, "name": f"第{n}村",
            "kind": "village"}).status_code == 201

    wait_until(lambda: len(Consumer.handled) == VILLAGES, timeout=20)
    assert set(Consumer.handled.values()) == {1}  # nothing done twice
    assert len(counts) == 2 and sum(counts.values()) >= VILLAGES, counts
    engine = make_engine(config["DATABASE_URL"])
    with sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).select_from(ProcessedEvent)) == VILLAGES
    engine.dispose()


def test_a_second_gateway_instance_serves_the_same_api(two_registries, gateway_config):
    from gateway.admin import create_user
    from gateway.app import create_app

    # each instance trusts a token it checked for AUTH_RECHECK_SECONDS before asking its
    # account database again; a revocation made on the other instance holds after that
    config = {**gateway_config, "AUTH_RECHECK_SECONDS": 1}
    first, second = create_app(config), create_app(config)
    try:
        create_user(first.extensions["db"], "officer", "civil_affairs_officer", "civil-affairs",
                    "330110000000", password="correct horse battery")
        login = second.test_client().post("/api/v1/auth/login", json={
            "username": "officer", "password": "correct horse battery"})
        assert login.status_code == 200
        token = {"Authorization": f"Bearer {login.json['access_token']}"}
        on_first = AuthedClient(first, token)
        on_second = AuthedClient(second, token)

        assert on_first.post(f"{R}/counties", json={
            "code": "330110000000", "name": "余杭区", "kind": "district"}).status_code == 201
        assert on_second.get(f"{R}/counties/330110000000").json["name"] == "余杭区"
        # revoking the token on one instance shuts it out of that one at once, and out of
        # the other once its recheck interval is over
        assert on_second.post("/api/v1/auth/logout").status_code in (200, 204)
        assert on_second.get(f"{R}/counties/330110000000").status_code == 401
        wait_until(lambda: on_first.get(f"{R}/counties/330110000000").status_code == 401,
                   timeout=10)
    finally:
        first.extensions["rpc"].close()
        second.extensions["rpc"].close()
