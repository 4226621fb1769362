"""The deployment step that removes event queues no contract declares any more."""
import subprocess
import sys

import pytest
import requests
from kombu import Connection, Exchange, Queue

from deploy.rabbitmq.prune_queues import declared_queue_names, prune, stale_queues
from fazhi_common.messaging import event_queue_name
from tests.helpers import wait_until

# declares stale queues of its own and counts the vhost's queues: a vhost no other test used
pytestmark = pytest.mark.fresh_vhost

STALE = event_queue_name("mediation", "mediation_case_received", "evaluation")
KEPT = event_queue_name("mediation", "mediation_case_closed", "evaluation")


def _queues(api, vhost):
    response = requests.get(f"{api}/api/queues/{requests.utils.quote(vhost, safe='')}",
                            timeout=30)
    return {q["name"] for q in response.json()}


def test_stale_event_queues_are_removed_and_the_declared_ones_kept(rabbit_config, request):
    api = request.config.getoption("RABBIT_API_URI").rstrip("/")
    vhost = rabbit_config["vhost"]
    assert STALE not in declared_queue_names() and KEPT in declared_queue_names()
    with Connection(rabbit_config["AMQP_URI"]) as conn:
        channel = conn.channel()
        for name in (STALE, KEPT, "rpc-registry"):
            Queue(name, Exchange(""), durable=True, channel=channel).declare()
        producer = conn.Producer(channel)
        for _ in range(3):  # what piled up for nobody
            producer.publish({"x": 1}, routing_key=STALE, exchange="")

    # the management API counts messages every few seconds: wait until it has
    wait_until(lambda: [q["messages"] for q in stale_queues(api, vhost)] == [3], timeout=30,
               interval=0.5)
    lines = []
    assert prune(api, vhost, apply=False, out=lines.append) == [STALE]
    assert STALE in _queues(api, vhost)  # a dry run deletes nothing
    assert any("3 message(s)" in line for line in lines), lines

    assert prune(api, vhost, apply=True, out=lines.append) == [STALE]
    assert _queues(api, vhost) >= {KEPT, "rpc-registry"}
    assert STALE not in _queues(api, vhost)
    assert prune(api, vhost, apply=True, out=lines.append) == []  # it can run again


def test_a_stale_queue_still_consumed_is_left_alone(rabbit_config, request):
    api = request.config.getoption("RABBIT_API_URI").rstrip("/")
    with Connection(rabbit_config["AMQP_URI"]) as conn:
        queue = Queue(STALE, Exchange(""), durable=True, channel=conn.channel())
        queue.declare()
        with conn.Consumer([queue], callbacks=[lambda body, message: None]):
            lines = []
            # listed as unused or not (the API's counts lag), the delete is if-unused
            assert prune(api, rabbit_config["vhost"], apply=True, out=lines.append) == []
            assert lines[0].startswith(f"kept    {STALE}"), lines
    assert STALE in _queues(api, rabbit_config["vhost"])


def test_the_command_runs_from_the_repository():
    done = subprocess.run([sys.executable, "deploy/rabbitmq/prune_queues.py", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "--apply" in done.stdout
