"""Container and probe health check, with no curl and no identity.

    python -m fazhi_common.healthcheck --config services/registry/config.yml --service registry
    python -m fazhi_common.healthcheck --url http://127.0.0.1:8080/health/live   (gateway)

A service's ``health`` RPC needs an identity only the gateway can sign, so the check
looks from outside instead: the database answers ``SELECT 1``, the broker accepts the
service's credentials, and the service's RPC queue ``rpc-<service>`` exists with at
least one consumer (some replica is serving; a passive declare needs no permission).
``--check broker`` narrows it to the broker connection (a liveness probe that does not
restart the service while its database is down). Exit status 0 healthy, 1 not; one line
on stdout says why.
"""
import argparse
import os
import sys
import urllib.request

from sqlalchemy import pool, text

from fazhi_common.config import load_config
from fazhi_common.db import make_engine

CHECKS = ("database", "broker", "consumers")


def check_http(url, timeout):
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (our own URL)
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}")
    return f"{url} ok"


def check_database(url, timeout):
    connect_args = {"connect_timeout": int(timeout)} if url.startswith("postgresql") else {}
    engine = make_engine(url, poolclass=pool.NullPool, **(
        {"connect_args": connect_args} if connect_args else {}))
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    finally:
        engine.dispose()
    return "database ok"


def check_broker(amqp_uri, service, timeout, consumers):
    from kombu import Connection

    with Connection(amqp_uri, connect_timeout=timeout, transport_options={
            "max_retries": 0}) as connection:
        connection.ensure_connection(max_retries=1)
        if not consumers:
            return "broker ok"
        channel = connection.channel()
        _, _, consumer_count = channel.queue_declare(f"rpc-{service}", passive=True)
        if consumer_count < 1:
            raise RuntimeError(f"rpc-{service} has no consumer")
        return f"broker ok, rpc-{service} has {consumer_count} consumer(s)"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m fazhi_common.healthcheck",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="HTTP URL that must answer 200 (the gateway)")
    parser.add_argument("--config", help="the service's config.yml")
    parser.add_argument("--service", default=os.environ.get("FAZHI_SERVICE"),
                        help="service name (default $FAZHI_SERVICE)")
    parser.add_argument("--check", action="append", choices=CHECKS,
                        help="what to check (repeatable; default all)")
    parser.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args(argv)
    try:
        if args.url:
            print(check_http(args.url, args.timeout))
            return 0
        if not (args.config and args.service):
            parser.error("give --url, or --config and --service")
        config = load_config(args.config)
        checks = set(args.check or CHECKS)
        report = []
        if "database" in checks:
            report.append(check_database(config["DATABASE_URL"], args.timeout))
        if checks & {"broker", "consumers"}:
            report.append(check_broker(config["AMQP_URI"], args.service, args.timeout,
                                       "consumers" in checks))
        print("; ".join(report))
        return 0
    except Exception as exc:  # any failure is "unhealthy", said in one line
        print(f"unhealthy: {type(exc).__name__}: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
