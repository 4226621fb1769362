#!/usr/bin/env python3
"""RabbitMQ users and permissions: each service and the gateway get only what they need.

Permissions are derived from the event contracts (who publishes and who consumes what),
so they follow the code. Each service may:
  configure  its RPC queue, its events exchange, the queues of its events' subscribers,
             its own event queues and the exchanges they bind to, the dead-letter queue;
  write      its events exchange, nameko-rpc (replies), the default exchange (retries and
             dead letters), and the queues it binds;
  read       its RPC queue and its own event queues, and the exchanges they bind to; the
             queues of its events' subscribers (declaring a queue with a dead-letter
             exchange needs it: RabbitMQ checks read permission on the queue).
The gateway may publish RPC requests and read its own reply queues; its view keeper
(``gateway.view_keeper``) consumes its own event queues like a service. A service that asks
the registry on a read-model miss (``fazhi_common.units.READ_THROUGH_SERVICES``) may also
use reply queues of its own name.

The dead-letter policy (at-least-once dead-lettering for event queues) comes with the
users in every form.

Usage:
  broker_users.py print --vhost / [--password-file var/broker-passwords.txt]
      print the rabbitmqctl commands
  broker_users.py apply --api http://guest:guest@127.0.0.1:15672 --vhost / \
      [--password-file FILE]    create the vhost, users and permissions via the management API
  broker_users.py definitions --vhost fazhi [--department justice] [--password-file FILE]
      print a RabbitMQ definitions document (load_definitions / import_definitions);
      with --no-passwords the users carry no password (set them later with apply)
Passwords are taken from BROKER_PASSWORD_<NAME> in the environment (NAME: REGISTRY, ...,
GATEWAY), else from FILE (lines "user password"), else generated and appended to FILE.
--department limits the users to that department's (see DEPARTMENTS).
"""
import argparse
import base64
import hashlib
import json
import os
import re
import secrets
import sys
from pathlib import Path
from urllib.parse import quote

SERVICES = ("registry", "evaluation", "mediation", "legalservices", "notifications", "corrections")
# What each department runs (evaluation is run by both; its replicas share one database).
DEPARTMENTS = {
    "civil-affairs": ("registry", "evaluation"),
    "justice": ("mediation", "legalservices", "corrections", "notifications", "evaluation"),
    "city": ("gateway",),
}


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
    write_parts = [f"{e(service)}\\.events", "nameko-rpc", "amq\\.default", f"rpc-{e(service)}",
                   own_queues, "fazhi\\.dead-letter"]
    if subscriber_queues:
        write_parts.append(subscriber_queues)
    read_parts = [f"rpc-{e(service)}", own_queues, "nameko-rpc", f"{e(service)}\\.events",
                  *exchanges]
    if subscriber_queues:
        # RabbitMQ lets only a user that may read a queue declare it with a dead-letter
        # exchange, and the relay declares its subscribers' queues (it may read only
        # events it published itself)
        read_parts.append(subscriber_queues)
    from fazhi_common.units import READ_THROUGH_SERVICES

    if service in READ_THROUGH_SERVICES:  # nameko's reply queue of the service's RpcProxy
        replies = f"rpc\\.reply-{e(service)}-.*"
        own, write_parts, read_parts = [*own, replies], [*write_parts, replies], \
            [*read_parts, replies]
    return _alt(*own), _alt(*write_parts), _alt(*read_parts)


def gateway_permissions(contracts=()):
    """The web workers' RPC, and the view keeper's event queues (from the contracts)."""
    e = re.escape
    replies = "rpc\\.reply-standalone_rpc_proxy-.*"
    sources = sorted({c.source for c in contracts if "gateway" in c.subscribers})
    events = ["evt-.*--gateway", "fazhi\\.dead-letter"] if sources else []
    exchanges = [f"{e(s)}\\.events" for s in sources]
    return (_alt("nameko-rpc", replies, *events, *exchanges),
            _alt("nameko-rpc", replies, *events, *(["amq\\.default"] if sources else [])),
            _alt("nameko-rpc", replies, *events[:1], *exchanges))


def all_permissions(prefix="fazhi-"):
    """``{user: (configure, write, read)}`` for every service and the gateway."""
    from fazhi_common.contracts.events import CONTRACTS

    contracts = list(CONTRACTS.values())
    table = {f"{prefix}{s}": service_permissions(s, contracts) for s in SERVICES}
    table[f"{prefix}gateway"] = gateway_permissions(contracts)
    return table


def passwords(path, users, environ=None, prefix="fazhi-"):
    environ = os.environ if environ is None else environ
    known = {}
    if path and Path(path).exists():
        for line in Path(path).read_text().splitlines():
            if line.strip():
                user, password = line.split(None, 1)
                known[user] = password.strip()
    for user in users:
        from_env = environ.get(f"BROKER_PASSWORD_{user.removeprefix(prefix).upper()}")
        if from_env:
            known[user] = from_env
    new = {u: secrets.token_urlsafe(24) for u in users if u not in known}
    if path and new:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a") as fh:
            fh.writelines(f"{u} {p}\n" for u, p in new.items())
        Path(path).chmod(0o600)
    return {**known, **new}


def password_hash(password, salt=None):
    """RabbitMQ's rabbit_password_hashing_sha256: base64(salt + sha256(salt + password))."""
    salt = os.urandom(4) if salt is None else salt
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def definitions(vhost, table, secrets_by_user=None):
    """A definitions document: the vhost, the users (no password if none given), permissions
    and the dead-letter policy."""
    from fazhi_common.messaging import DEAD_LETTER_POLICY

    users = []
    for user in table:
        entry = {"name": user, "tags": [], "hashing_algorithm": "rabbit_password_hashing_sha256",
                 "password_hash": ""}
        if secrets_by_user:
            entry["password_hash"] = password_hash(secrets_by_user[user])
        users.append(entry)
    return {
        "vhosts": [{"name": vhost}],
        "users": users,
        "permissions": [{"user": user, "vhost": vhost, "configure": configure, "write": write,
                         "read": read} for user, (configure, write, read) in table.items()],
        "policies": [dict(DEAD_LETTER_POLICY, vhost=vhost)],
    }


def ensure_vhost(api, vhost):
    import requests

    requests.put(f"{api}/api/vhosts/{quote(vhost, safe='')}", timeout=30).raise_for_status()


def apply(api, vhost, table, secrets_by_user):
    import requests

    from fazhi_common.messaging import DEAD_LETTER_POLICY

    session = requests.Session()
    policy = {key: value for key, value in DEAD_LETTER_POLICY.items() if key != "name"}
    session.put(f"{api}/api/policies/{quote(vhost, safe='')}/{DEAD_LETTER_POLICY['name']}",
                json=policy).raise_for_status()
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
    parser.add_argument("command", choices=["print", "apply", "definitions"])
    parser.add_argument("--vhost", default="/")
    parser.add_argument("--api", default="http://guest:guest@127.0.0.1:15672")
    parser.add_argument("--password-file")
    parser.add_argument("--user-prefix", default="fazhi-")
    parser.add_argument("--department", choices=sorted(DEPARTMENTS))
    parser.add_argument("--no-passwords", action="store_true",
                        help="definitions: leave passwords out (review, version control)")
    args = parser.parse_args(argv)
    table = all_permissions(args.user_prefix)
    if args.department:
        wanted = {f"{args.user_prefix}{part}" for part in DEPARTMENTS[args.department]}
        table = {user: perms for user, perms in table.items() if user in wanted}
    if args.command == "definitions" and args.no_passwords:
        print(json.dumps(definitions(args.vhost, table), indent=2))
        return 0
    secrets_by_user = passwords(args.password_file, table, prefix=args.user_prefix)
    if args.command == "definitions":
        print(json.dumps(definitions(args.vhost, table, secrets_by_user), indent=2))
        return 0
    if args.command == "apply":
        ensure_vhost(args.api, args.vhost)
        apply(args.api, args.vhost, table, secrets_by_user)
        print(f"{len(table)} users set up on vhost {args.vhost}")
        return 0
    for user, (configure, write, read) in table.items():
        print(f"rabbitmqctl add_user {user} '{secrets_by_user[user]}' || "
              f"rabbitmqctl change_password {user} '{secrets_by_user[user]}'")
        print(f"rabbitmqctl set_permissions -p '{args.vhost}' {user} "
              f"'{configure}' '{write}' '{read}'")
    from fazhi_common.messaging import DEAD_LETTER_POLICY as policy

    print(f"rabbitmqctl set_policy -p '{args.vhost}' --apply-to {policy['apply-to']} "
          f"{policy['name']} '{policy['pattern']}' '{json.dumps(policy['definition'])}'")
    return 0


if __name__ == "__main__":
    sys.exit(main())
