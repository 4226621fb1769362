"""A three-node RabbitMQ cluster for the tests in this directory (marked ``cluster``).

The cluster is started once for the session from Debian's rabbitmq-server, on free ports,
under a temporary directory, and torn down at the end; each test gets a vhost of its own
on it and sees it as ``rabbit_config``, so ``service_config`` and ``gateway_config`` point
services and gateway at all three nodes with one failover URL.
"""
import os
import shutil
import uuid

import pytest
import requests

from tests.rabbit_cluster import SBIN, RabbitCluster


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/cluster/" in str(item.fspath):
            item.add_marker(pytest.mark.cluster)
            item.add_marker(pytest.mark.once)  # scripts/test runs them in one pass only
            # the first test also starts and clusters three Erlang nodes, each step bounded
            # on its own (two minutes); on a saturated CPU that alone can take minutes
            item.add_marker(pytest.mark.timeout(900))


@pytest.fixture(scope="session")
def rabbit_cluster(tmp_path_factory):
    if not (SBIN / "rabbitmq-server").exists():
        missing = f"no rabbitmq-server under {SBIN} (apt-get install rabbitmq-server)"
        if os.environ.get("FAZHI_REQUIRE_CLUSTER") == "1":  # CI (.ci/run): no skipping
            pytest.fail(missing)
        pytest.skip(missing)
    base = tmp_path_factory.mktemp("rabbit-cluster")
    cluster = RabbitCluster(base, prefix=f"fazhi-t{os.getpid()}-", die_with_parent=True)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


def management(cluster, method, path, **kwargs):
    """A management API call on the first node that answers."""
    for node in cluster.nodes:
        if not node.running():
            continue
        try:
            response = requests.request(
                method, f"http://127.0.0.1:{node.management_port}/api{path}",
                auth=("guest", "guest"), timeout=10, **kwargs)
        except (requests.ConnectionError, requests.Timeout):
            # a node that is rejoining may accept the connection and answer late: ask the next
            continue
        response.raise_for_status()
        return response.json() if response.content else None
    raise AssertionError("no node of the cluster answers")


@pytest.fixture
def rabbit_config(rabbit_cluster):
    vhost = f"test-{uuid.uuid4().hex[:8]}"
    management(rabbit_cluster, "PUT", f"/vhosts/{vhost}")
    management(rabbit_cluster, "PUT", f"/permissions/{vhost}/guest",
               json={"configure": ".*", "write": ".*", "read": ".*"})
    uri = ";".join(f"{node.amqp_uri}{vhost}" for node in rabbit_cluster.nodes)
    yield {"AMQP_URI": uri, "username": "guest", "vhost": vhost}
    for node in rabbit_cluster.nodes:  # every node back for the next test
        if not node.running():
            rabbit_cluster.restart(node)
    try:
        management(rabbit_cluster, "DELETE", f"/vhosts/{vhost}")
    except AssertionError:
        # a cluster still settling after a restart may not answer in time; the vhost is
        # private to this test and the cluster goes away with the session
        pass
