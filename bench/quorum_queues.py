"""Event queues as the platform declares them: publish with confirms (as the outbox relay
does, one confirm per event), then consume and ack (as a handler does), and what the broker
holds meanwhile. Classic against quorum on one node, and quorum on a three-node cluster
(``scripts/rabbit-cluster start`` first, then ``--amqp-uri`` with its AMQP_URI).

    .venv/bin/python bench/quorum_queues.py [--events 5000] [--amqp-uri URI] [--classic]
"""
import argparse
import json
import sys
import time
import uuid
from pathlib import Path

from kombu import Connection, Exchange, Queue

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.benchlib import rabbit_vhost  # noqa: E402
from fazhi_common.messaging import event_queue  # noqa: E402


def envelope(n):
    # the size of a real community_registered envelope (about 400 bytes of JSON)
    return {"id": str(uuid.uuid4()), "type": "community_registered", "source": "registry",
            "occurred_at": "2026-11-25T08:00:00+00:00",
            "data": {"county_code": "330110000000", "town_code": "330110001000",
                     "community_code": f"330110{n:06d}", "name": f"第{n}村",
                     "kind": "village", "economic_tier": None, "reorganised_on": None}}


def run(uri, events, classic):
    queue = event_queue("registry", "community_registered", "evaluation", {"AMQP_URI": uri})
    if classic:
        queue = Queue(queue.name, exchange=queue.exchange, routing_key=queue.routing_key,
                      durable=True)
    exchange = Exchange("registry.events", type="topic", durable=True)
    with Connection(uri, transport_options={"confirm_publish": True}) as conn:
        channel = conn.channel()
        queue(channel).declare()
        producer = conn.Producer(channel, exchange=exchange)
        started = time.monotonic()
        for n in range(events):
            producer.publish(envelope(n), routing_key="community_registered",
                             delivery_mode=2, mandatory=True)
        published = time.monotonic() - started
        depth = channel.queue_declare(queue.name, passive=True).message_count
    got = 0
    with Connection(uri) as conn:
        def ack(body, message):
            nonlocal got
            got += 1
            message.ack()
        started = time.monotonic()
        with conn.Consumer([queue], callbacks=[ack], prefetch_count=100):
            while got < events:
                conn.drain_events(timeout=10)
        consumed = time.monotonic() - started
    return {"queue": "classic" if classic else "quorum", "events": events,
            "publish_per_s": round(events / published), "consume_per_s": round(events / consumed),
            "depth_after_publish": depth}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--amqp-uri", help="a vhost to use as it is (e.g. the test cluster)")
    parser.add_argument("--classic", action="store_true", help="a classic queue, for contrast")
    args = parser.parse_args()
    with rabbit_vhost(args.amqp_uri) as uri:
        print(json.dumps(run(uri, args.events, args.classic)))


if __name__ == "__main__":
    main()
