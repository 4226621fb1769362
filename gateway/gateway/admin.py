"""Operator commands for the gateway's accounts.

    python -m gateway.admin create-user --username admin --role platform_admin \
        --department 市司法局 [--area 330100000000] [--password-stdin]

Without ``--password-stdin`` a strong password is generated and printed once.
"""
import argparse
import secrets
import sys

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from fazhi_common.config import load_config
from fazhi_common.contracts.roles import ROLES
from fazhi_common.db import make_engine
from gateway.app import DEFAULT_CONFIG
from gateway.auth import hash_password
from gateway.models import UserAccount


def create_user(session_factory, username, role, department, area=None, password=None):
    """Create the account unless it exists; return the password set, or None if it existed."""
    with session_factory() as session:
        if session.scalar(select(UserAccount).where(UserAccount.username == username)):
            return None
        password = password or secrets.token_urlsafe(15)
        session.add(UserAccount(username=username, role=role, department=department,
                                area=area, password_hash=hash_password(password)))
        session.commit()
        return password


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m gateway.admin")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create-user", help="create an account (no-op if it exists)")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--department", required=True)
    create.add_argument("--area", help="12-digit division code the account is limited to")
    create.add_argument("--password-stdin", action="store_true")
    create.add_argument("--config", default=str(DEFAULT_CONFIG))
    args = parser.parse_args(argv)

    engine = make_engine(load_config(args.config)["DATABASE_URL"])
    password = sys.stdin.readline().strip() if args.password_stdin else None
    created = create_user(sessionmaker(engine), args.username, args.role, args.department,
                          args.area, password)
    engine.dispose()
    if created is None:
        print(f"user {args.username} already exists; nothing changed")
    elif password is None:
        print(f"created {args.username}; password (shown once): {created}")
    else:
        print(f"created {args.username}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
