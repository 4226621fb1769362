#!/usr/bin/env python3
"""RabbitMQ users and permissions: each service and the gateway get only what they need.

Permissions are derived from the event contracts (who publishes and who consumes what),
so they follow the code. Each service may:
  configure  its RPC queue, its events exchange, the queues of its events' subscribers,
             its own event queues and the exchanges they bind to, the dead-letter queue;
  write      its events exchange, nameko-rpc (replies), the default exchange (retries and
             dead letters), and the queues it binds;
  read       its RPC queue and its own event queues, and the exchanges they bind to.
The gateway may only publish RPC requests and read its own reply queues.

Usage:
  broker_users.py print --vhost / [--password-file var/broker-passwords.txt]
      print the rabbitmqctl commands
  broker_users.py apply --api http://guest:guest@127.0.0.1:15672 --vhost / \
      [--password-file FILE]    create or update users and permissions via the management API
Passwords are taken from FILE (lines "user password") or generated and appended to it.
"""
import argparse
import re
import secrets
import sys
from pathlib import Path
from urllib.parse import quote

SERVICES = ("registry", "evaluation", "mediation", "notifications")


def _alt(*patterns):
    return "^(" + "|".join(patterns) + ")$"


def service_permissions(service, contracts):
    """(configure, write, read) regular expressions for ``service``'s broker user."""
    e = re.escape
    published = [c for c in contracts if c.source == service]
    sources = sorted({c.source for c in contracts if service in c.subscribers})
    own_queues = f"evt-.*--{e(service)}"
    subscriber_queues = f"evt-{e(service)}-.*" if published else None
    exchanges = [f"{e(s)}\\.events" for s in sources]
    own = [f"rpc-{e(service)}", f"{e(service)}\\.events", "nameko-rpc", own_queues,
           "fazhi\\.dead-letter"] + exchanges
    if subscriber_queues:
        own.append(subscriber_queues)
    configure = _alt(*own)
    write_parts = [f"{e(service)}\\.events", "nameko-rpc", "amq\\.default", f"rpc-{e(service)}",
                   own_queues, "fazhi\\.dead-letter"]
    if subscriber_queues:
        write_parts.append(subscriber_queues)
    write = _alt(*write_parts)
    read = _alt(f"rpc-{e(service)}", own_queues, "nameko-rpc", f"{e(service)}\\.events",
                *exchanges)
    return configure, write, read


def gateway_permissions():
    replies = "rpc\\.reply-standalone_rpc_proxy-.*"
    return _alt("nameko-rpc", replies), _alt("nameko-rpc", replies), _alt("nameko-rpc", replies)


def all_permissions(prefix="fazhi-"):
    """``{user: (configure, write, read)}`` for every service and the gateway."""
    from fazhi_common.events import CONTRACTS

    contracts = list(CONTRACTS.values())
    table = {f"{prefix}{s}": service_permissions(s, contracts) for s in SERVICES}
    table[f"{prefix}gateway"] = gateway_permissions()
    return table


def passwords(path, users):
    known = {}
    if path and Path(path).exists():
        for line in Path(path).read_text().splitlines():
            if line.strip():
                user, password = line.split(None, 1)
                known[user] = password.strip()
    new = {u: secrets.token_urlsafe(24) for u in users if u not in known}
    if path and new:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a") as fh:
            fh.writelines(f"{u} {p}\n" for u, p in new.items())
        Path(path).chmod(0o600)
    return {**known, **new}


def apply(api, vhost, table, secrets_by_user):
    import requests

    session = requests.Session()
    for user, (configure, write, read) in table.items():
        response = session.put(f"{api}/api/users/{quote(user, safe='')}",
                               json={"password": secrets_by_user[user], "tags": ""})
        response.raise_for_status()
        response = session.put(
            f"{api}/api/permissions/{quote(vhost, safe='')}/{quote(user, safe='')}",
            json={"configure": configure, "write": write, "read": read})
        response.raise_for_status()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["print", "apply"])
    parser.add_argument("--vhost", default="/")
    parser.add_argument("--api", default="http://guest:guest@127.0.0.1:15672")
    parser.add_argument("--password-file")
    parser.add_argument("--user-prefix", default="fazhi-")
    args = parser.parse_args(argv)
    table = all_permissions(args.user_prefix)
    secrets_by_user = passwords(args.password_file, table)
    if args.command == "apply":
        apply(args.api, args.vhost, table, secrets_by_user)
        print(f"{len(table)} users set up on vhost {args.vhost}")
        return 0
    for user, (configure, write, read) in table.items():
        print(f"rabbitmqctl add_user {user} '{secrets_by_user[user]}' || "
              f"rabbitmqctl change_password {user} '{secrets_by_user[user]}'")
        print(f"rabbitmqctl set_permissions -p '{args.vhost}' {user} "
              f"'{configure}' '{write}' '{read}'")
    return 0


if __name__ == "__main__":
    sys.exit(main())
