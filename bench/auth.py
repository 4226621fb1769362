#!/usr/bin/env python3
"""How long logging in and checking a token take at the gateway.

Measures, in-process against a fresh SQLite account database:
  - login: POST /api/v1/auth/login (argon2 verification dominates, on purpose);
  - token check: GET /api/v1/auth/me with a bearer token (signature, revocation and
    account look-ups, identity signing for the services) — the cost every request pays;
  - API-key check: the same with X-API-Key;
  - the pieces alone: argon2 verify, JWT decode, Ed25519 identity sign and verify.

    .venv/bin/python bench/auth.py [--seconds 5]
"""
import argparse
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "common"), str(ROOT / "gateway")]


def measure(label, fn, seconds):
    samples, deadline = [], time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    samples.sort()
    print(f"{label:28} {len(samples) / sum(samples):9.0f} /s   p50 "
          f"{statistics.median(samples) * 1e3:7.3f} ms   p99 "
          f"{samples[int(len(samples) * 0.99) - 1] * 1e3:7.3f} ms   (n={len(samples)})")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args()

    from fazhi_common.contracts.roles import Identity
    from fazhi_common.identity import (
        keygen,
        sign_identity,
        signing_key,
        verify_identity,
        verify_keys,
    )
    from fazhi_common.migrate import upgrade
    from gateway.admin import create_user
    from gateway.app import create_app
    from gateway.auth import check_password

    db = f"sqlite:///{tempfile.mkdtemp(prefix='fazhi-auth-')}/gateway.db"
    upgrade(ROOT / "gateway", db)
    private, public = keygen()
    app = create_app({"AMQP_URI": "pyamqp://guest:guest@127.0.0.1:5672/", "DATABASE_URL": db,
                      "GATEWAY_SIGNING_KEY": private,
                      "TOKEN_KEYS": {"k1": secrets.token_urlsafe(32)},
                      "TOKEN_SIGNING_KID": "k1", "PUBLIC_RATE_PER_MINUTE": 10**9})
    create_user(app.extensions["db"], "officer", "justice_officer", "justice-330110",
                "330110000000", "bench password 123")
    client = app.test_client()
    credentials = {"username": "officer", "password": "bench password 123"}
    token = client.post("/api/v1/auth/login", json=credentials).json["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    admin_key = create_user(app.extensions["db"], "admin", "platform_admin", "p", None,
                            "bench password 123")
    admin = client.post("/api/v1/auth/login", json={"username": "admin",
                                                    "password": admin_key}).json
    key = client.post("/api/v1/auth/api-keys", headers={
        "Authorization": f"Bearer {admin['access_token']}"}, json={
        "name": "portal", "department": "portal", "role": "viewer"}).json["key"]

    print(f"gateway authentication, {args.seconds:g} s each, one thread")
    measure("login (HTTP)", lambda: client.post("/api/v1/auth/login", json=credentials),
            args.seconds)
    measure("token check (HTTP /me)", lambda: client.get("/api/v1/auth/me", headers=bearer),
            args.seconds)
    measure("API-key check (HTTP /me)",
            lambda: client.get("/api/v1/auth/me", headers={"X-API-Key": key}), args.seconds)
    with app.extensions["db"]() as session:
        from sqlalchemy import select

        from gateway.models import UserAccount
        account = session.scalar(select(UserAccount).where(UserAccount.username == "officer"))
    measure("argon2 verify", lambda: check_password(account, "bench password 123"),
            args.seconds)
    issuer = app.extensions["tokens"]
    measure("JWT decode", lambda: issuer.decode(token), args.seconds)
    identity = Identity(subject="officer", role="justice_officer", area="330110000000")
    key_private, keys_public = signing_key(private), verify_keys(public)
    signed = sign_identity(identity, key_private)
    measure("identity sign (Ed25519)", lambda: sign_identity(identity, key_private),
            args.seconds)
    measure("identity verify (Ed25519)", lambda: verify_identity(signed, keys_public),
            args.seconds)


if __name__ == "__main__":
    main()
