#!/usr/bin/env python3
"""Remove event queues the contracts no longer declare: a deployment migration step.

A publisher's outbox relay declares a durable queue ``evt-<source>-<event>--<consumer>``
for every subscriber its event contracts name. When a contract stops naming a consumer
(because it never handled that event, or no longer does), the queue stays on the broker
and keeps filling with messages nobody reads. Run this after deploying such a change:

  prune_queues.py --api http://admin:PW@broker:15672 --vhost fazhi            # dry run
  prune_queues.py --api http://admin:PW@broker:15672 --vhost fazhi --apply    # delete

Only ``evt-`` queues are considered. A queue that still has consumers (an old version
still running) is reported and left alone; run the step again once it has stopped. The
messages in a removed queue were addressed to a service that never handles them.
"""
import argparse
import sys
from pathlib import Path
from urllib.parse import quote

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

EVENT_QUEUE_PREFIX = "evt-"


def declared_queue_names():
    """Every event queue the current contracts have publishers declare."""
    from fazhi_common.contracts.events import CONTRACTS
    from fazhi_common.messaging import event_queue_name

    return {event_queue_name(c.source, c.type, consumer)
            for c in CONTRACTS.values() for consumer in c.subscribers}


def stale_queues(api, vhost, session=None):
    """``[{name, messages, consumers}]`` of event queues no contract declares any more."""
    import requests

    session = session or requests.Session()
    response = session.get(f"{api.rstrip('/')}/api/queues/{quote(vhost, safe='')}",
                           params={"columns": "name,messages,consumers"}, timeout=30)
    response.raise_for_status()
    declared = declared_queue_names()
    return sorted(({"name": q["name"], "messages": q.get("messages", 0) or 0,
                    "consumers": q.get("consumers", 0) or 0}
                   for q in response.json()
                   if q["name"].startswith(EVENT_QUEUE_PREFIX) and q["name"] not in declared),
                  key=lambda q: q["name"])


def prune(api, vhost, apply=False, out=print):
    """Report stale event queues and, with ``apply``, delete those without consumers.

    Returns the names deleted (or that would be, on a dry run).
    """
    import requests

    session = requests.Session()
    removed = []
    for queue in stale_queues(api, vhost, session):
        if queue["consumers"]:
            out(f"kept    {queue['name']}: {queue['consumers']} consumer(s) still attached")
            continue
        if apply:
            # if-unused: a consumer that attached since the listing keeps its queue
            response = session.delete(
                f"{api.rstrip('/')}/api/queues/{quote(vhost, safe='')}/"
                f"{quote(queue['name'], safe='')}", params={"if-unused": "true"}, timeout=30)
            if response.status_code not in (200, 204, 404):
                out(f"kept    {queue['name']}: {response.status_code} {response.text[:200]}")
                continue
        out(f"{'removed' if apply else 'stale  '} {queue['name']} "
            f"({queue['messages']} message(s) for no consumer)")
        removed.append(queue["name"])
    if not apply and removed:
        out("dry run: nothing deleted; add --apply to delete them")
    return removed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api", default="http://guest:guest@127.0.0.1:15672")
    parser.add_argument("--vhost", default="/")
    parser.add_argument("--apply", action="store_true", help="delete (default: report)")
    args = parser.parse_args(argv)
    removed = prune(args.api, args.vhost, apply=args.apply)
    if not removed:
        print("no stale event queues")
    return 0


if __name__ == "__main__":
    sys.exit(main())
