"""Moves an installation's classic queues to quorum queues, keeping every message.

A classic queue cannot become a quorum queue in place (RabbitMQ refuses a declaration
whose arguments differ), so for each queue the platform owns (every event queue of the
contracts, every service's RPC queue, the dead-letter queue) that exists in the old shape:

1. declare ``<queue>.migrating``, a quorum queue, and move the messages into it;
2. delete the old queue (only when empty and without consumers);
3. declare the queue anew, as a quorum queue with its bindings;
4. move the messages back and delete ``<queue>.migrating``.

Each message is republished with publisher confirms, as it was (body, headers,
properties), and acked from its source only once the broker confirmed the copy: a crash
at any point loses nothing (at worst a message is copied twice, and every consumer
claims events idempotently). Running it again finishes an interrupted run and otherwise
does nothing. Stop every service (and gateway) first: a queue with consumers is refused.

    python -m fazhi_common.quorum_migration --amqp-uri pyamqp://admin:...@broker:5672/fazhi
    python -m fazhi_common.quorum_migration --dry-run     # AMQP_URI from the environment
"""
import argparse
import os
import sys

import amqp
from amqp.exceptions import NotFound, PreconditionFailed
from kombu import Connection, Queue

from fazhi_common.contracts import events
from fazhi_common.messaging import dead_letter_queue, event_queue, rpc_queue

SUFFIX = ".migrating"


def owned_queues(config, services=None):
    """Every durable queue the platform declares, as the current code declares it."""
    contracts = list(events.CONTRACTS.values())
    if services is None:
        services = sorted({c.source for c in contracts}
                          | {s for c in contracts for s in c.subscribers})
    queues = [event_queue(c.source, c.type, consumer, config)
              for c in contracts for consumer in c.subscribers]
    queues += [rpc_queue(service, config) for service in services]
    queues.append(dead_letter_queue())
    return queues


def _holding_queue(queue):
    return Queue(queue.name + SUFFIX, durable=True, auto_delete=False,
                 queue_arguments={"x-queue-type": "quorum"})


def probe(connection, queue):
    """'absent', 'current' (declared as ``queue`` says), or 'old' (other arguments)."""
    channel = connection.channel()
    try:
        channel.queue_declare(queue.name, passive=True)
    except NotFound:
        return "absent"
    finally:
        _close(channel)
    channel = connection.channel()
    try:
        channel.queue_declare(queue.name, durable=True, auto_delete=False,
                              arguments=queue.queue_arguments)
        return "current"
    except PreconditionFailed:
        return "old"
    finally:
        _close(channel)


def _exists(connection, name):
    channel = connection.channel()
    try:
        channel.queue_declare(name, passive=True)
        return True
    except NotFound:
        return False
    finally:
        _close(channel)


def _close(channel):
    try:
        channel.close()
    except Exception:  # the broker closed it already (that is how it answers a refusal)
        pass


def move(connection, source, target):
    """Move every ready message of queue ``source`` to queue ``target``; return how many."""
    channel = connection.channel()
    channel.confirm_select()
    moved = 0
    try:
        while True:
            message = channel.basic_get(source, no_ack=False)
            if message is None:
                return moved
            properties = dict(message.properties, delivery_mode=2)
            channel.basic_publish_confirm(amqp.Message(message.body, **properties),
                                          exchange="", routing_key=target, mandatory=True)
            channel.basic_ack(message.delivery_tag)
            moved += 1
    finally:
        _close(channel)


class MigrationRefused(Exception):
    """A queue is still in use: the services must be stopped first."""


def _on_channel(connection, work):
    channel = connection.channel()
    try:
        return work(channel)
    finally:
        _close(channel)


def migrate_queue(connection, queue, dry_run=False):
    """Bring one queue to its current declaration; return a line saying what was done."""
    holding = _holding_queue(queue)
    state = probe(connection, queue)
    held = _exists(connection, holding.name)
    if state == "current" and not held:
        return f"{queue.name}: already a quorum queue"
    if dry_run:
        return f"{queue.name}: would be migrated ({state}{', half done' if held else ''})"
    if state == "old":
        _on_channel(connection, lambda channel: holding(channel).declare())
        held = True
        move(connection, queue.name, holding.name)
        try:
            _on_channel(connection, lambda channel: channel.queue_delete(
                queue.name, if_unused=True, if_empty=True))
        except PreconditionFailed as exc:
            raise MigrationRefused(
                f"{queue.name} has consumers or got new messages: stop every service and "
                f"the gateway, then run this again ({exc})") from exc
    # the quorum queue, with its exchange and binding
    _on_channel(connection, lambda channel: queue(channel).declare())
    kept = 0
    if held:
        kept = move(connection, holding.name, queue.name)
        # (a quorum queue cannot be deleted "if empty": look, then delete)
        left = _on_channel(connection, lambda channel: channel.queue_declare(
            holding.name, passive=True).message_count)
        if left:
            raise MigrationRefused(f"{holding.name} still holds {left} message(s)")
        _on_channel(connection, lambda channel: channel.queue_delete(holding.name))
    return f"{queue.name}: now a quorum queue ({kept} message(s) kept)"


def migrate(amqp_uri, config=None, dry_run=False, services=None):
    """Migrate every owned queue; return the report lines."""
    config = dict(config or {}, AMQP_URI=amqp_uri)
    with Connection(amqp_uri) as connection:
        connection.ensure_connection(max_retries=3)
        return [migrate_queue(connection, queue, dry_run)
                for queue in owned_queues(config, services)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--amqp-uri", default=os.environ.get("AMQP_URI"),
                        help="a broker user that may configure, read and write every queue "
                             "of the vhost (default: $AMQP_URI)")
    parser.add_argument("--dry-run", action="store_true", help="say what would be done")
    args = parser.parse_args(argv)
    if not args.amqp_uri:
        parser.error("give --amqp-uri or set AMQP_URI")
    try:
        for line in migrate(args.amqp_uri, dry_run=args.dry_run):
            print(line)
    except MigrationRefused as exc:
        sys.exit(str(exc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
