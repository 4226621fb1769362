"""Logging in, tokens, key rotation and revocation, API keys, rate limits."""
import secrets
import time
from datetime import timedelta

import jwt
import pytest
from sqlalchemy import event

from fazhi_common.clock import utcnow
from fazhi_common.identity import (
    CONTEXT_KEY,
    MAX_AGE_SECONDS,
    REQUEST_ID_KEY,
    verify_identity,
    verify_keys,
)
from gateway.admin import create_user
from gateway.app import create_app
from tests.conftest import TOKEN_KEY, VERIFY_KEY

A = "/api/v1/auth"
PASSWORD = "correct horse battery"
K1 = TOKEN_KEY  # as tests/conftest.py
K2 = secrets.token_urlsafe(32)


def _login(client, username, password=PASSWORD):
    return client.post(f"{A}/login", json={"username": username, "password": password})


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_login_gives_a_token_that_carries_role_and_area(gateway_app):
    create_user(gateway_app.extensions["db"], "officer", "justice_officer", "justice-330110",
                "330110000000", PASSWORD)
    client = gateway_app.test_client()
    token = _login(client, "officer").json["access_token"]
    me = client.get(f"{A}/me", headers=_bearer(token)).json
    assert me == {"subject": "officer", "role": "justice_officer",
                  "department": "justice-330110", "area": "330110000000"}


def test_wrong_password_unknown_user_and_missing_token_are_401(gateway_app):
    create_user(gateway_app.extensions["db"], "officer", "viewer", "d", None, PASSWORD)
    client = gateway_app.test_client()
    wrong, unknown = _login(client, "officer", "nope"), _login(client, "ghost")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json["detail"] == unknown.json["detail"]  # no hint which one it was
    assert client.get(f"{A}/me").status_code == 401
    assert client.get(f"{A}/me", headers=_bearer("not.a.token")).status_code == 401


def test_expired_and_forged_tokens_are_refused(gateway_app, gateway_config):
    create_user(gateway_app.extensions["db"], "officer", "viewer", "d", None, PASSWORD)
    client = gateway_app.test_client()
    claims = {"sub": "officer", "role": "platform_admin", "jti": "x",
              "iat": utcnow() - timedelta(hours=2), "exp": utcnow() - timedelta(hours=1)}
    expired = jwt.encode(claims, K1, algorithm="HS256", headers={"kid": "k1"})
    assert client.get(f"{A}/me", headers=_bearer(expired)).json["detail"].startswith(
        "The token has expired")
    forged = jwt.encode(dict(claims, exp=utcnow() + timedelta(hours=1)),
                        "a guessed key, as long as a real one (32 bytes+)",
                        algorithm="HS256", headers={"kid": "k1"})
    assert client.get(f"{A}/me", headers=_bearer(forged)).status_code == 401


def test_account_changes_apply_to_tokens_already_issued(gateway_app):
    db = gateway_app.extensions["db"]
    create_user(db, "officer", "viewer", "d", None, PASSWORD)
    create_user(db, "admin", "platform_admin", "platform", None, PASSWORD)
    client = gateway_app.test_client()
    token = _bearer(_login(client, "officer").json["access_token"])
    admin = _bearer(_login(client, "admin").json["access_token"])
    users = client.get(f"{A}/users", headers=admin).json["items"]
    officer_id = next(u["id"] for u in users if u["username"] == "officer")

    client.patch(f"{A}/users/{officer_id}", json={"role": "evaluator"}, headers=admin)
    assert client.get(f"{A}/me", headers=token).json["role"] == "evaluator"
    client.patch(f"{A}/users/{officer_id}", json={"active": False}, headers=admin)
    assert client.get(f"{A}/me", headers=token).status_code == 401


def test_logout_and_revoke_all_tokens(gateway_app, monkeypatch):
    # every instant the same second: revocation must not depend on the clock
    frozen = utcnow()
    monkeypatch.setattr("gateway.auth.utcnow", lambda: frozen)
    monkeypatch.setattr("gateway.blueprints.auth.utcnow", lambda: frozen)
    db = gateway_app.extensions["db"]
    create_user(db, "officer", "viewer", "d", None, PASSWORD)
    create_user(db, "admin", "platform_admin", "platform", None, PASSWORD)
    client = gateway_app.test_client()
    first, second = (_login(client, "officer").json["access_token"] for _ in range(2))
    assert client.post(f"{A}/logout", headers=_bearer(first)).status_code == 204
    assert client.get(f"{A}/me", headers=_bearer(first)).status_code == 401
    assert client.get(f"{A}/me", headers=_bearer(second)).status_code == 200

    admin = _bearer(_login(client, "admin").json["access_token"])
    officer_id = next(u["id"] for u in client.get(f"{A}/users", headers=admin).json["items"]
                      if u["username"] == "officer")
    assert client.post(f"{A}/users/{officer_id}/revoke-tokens",
                       headers=admin).status_code == 204
    assert client.get(f"{A}/me", headers=_bearer(second)).status_code == 401
    third = _bearer(_login(client, "officer").json["access_token"])
    assert client.get(f"{A}/me", headers=third).status_code == 200
    # disabled then enabled again: the tokens of before stay void
    for active in (False, True):
        client.patch(f"{A}/users/{officer_id}", json={"active": active}, headers=admin)
    assert client.get(f"{A}/me", headers=third).status_code == 401


def test_signing_key_rotation(gateway_config):
    old_app = create_app(gateway_config)
    create_user(old_app.extensions["db"], "officer", "viewer", "d", None, PASSWORD)
    old_token = _login(old_app.test_client(), "officer").json["access_token"]

    rotated = dict(gateway_config, TOKEN_KEYS={"k1": K1, "k2": K2},
                   TOKEN_SIGNING_KID="k2")
    client = create_app(rotated).test_client()
    new_token = _login(client, "officer").json["access_token"]
    assert jwt.get_unverified_header(new_token)["kid"] == "k2"
    assert client.get(f"{A}/me", headers=_bearer(old_token)).status_code == 200

    retired = dict(rotated, TOKEN_KEYS={"k2": K2})
    client = create_app(retired).test_client()
    assert client.get(f"{A}/me", headers=_bearer(old_token)).status_code == 401
    assert client.get(f"{A}/me", headers=_bearer(new_token)).status_code == 200


def test_api_keys_authenticate_portals_and_can_be_revoked(gateway):
    created = gateway.post(f"{A}/api-keys", json={
        "name": "resident portal", "department": "portal", "role": "viewer",
        "area": "330110000000"})
    assert created.status_code == 201
    key = created.json["key"]
    assert "key" not in gateway.get(f"{A}/api-keys").json[0]  # the secret is shown once
    portal = gateway.anonymous()
    me = portal.get(f"{A}/me", headers={"X-API-Key": key}).json
    assert me["role"] == "viewer" and me["area"] == "330110000000"
    bad = key[:-2] + ("AA" if not key.endswith("AA") else "BB")
    assert portal.get(f"{A}/me", headers={"X-API-Key": bad}).status_code == 401
    assert portal.post(f"{A}/users", json={}, headers={"X-API-Key": key}).status_code == 403
    assert gateway.post(f"{A}/api-keys/{created.json['id']}/revoke").status_code == 204
    assert portal.get(f"{A}/me", headers={"X-API-Key": key}).status_code == 401


def test_only_a_platform_admin_manages_accounts(gateway):
    officer = gateway.as_role("civil_affairs_officer", "330110000000")
    response = officer.post(f"{A}/users", json={
        "username": "mallory", "password": PASSWORD, "department": "d",
        "role": "platform_admin"})
    assert response.status_code == 403
    weak = gateway.post(f"{A}/users", json={"username": "bob", "password": "short",
                                            "department": "d", "role": "viewer"})
    assert weak.status_code == 422 and "password" in weak.json["fields"]


def test_public_endpoints_are_rate_limited_across_workers(gateway_config):
    # two gateway processes on one account database, one minute for the whole test
    workers = [create_app(dict(gateway_config, PUBLIC_RATE_PER_MINUTE=3)) for _ in range(2)]
    for app in workers:
        app.extensions["rate_limiter"].clock = lambda: 1_800_000_030.0
    first, second = (app.test_client() for app in workers)
    statuses = [_login(client, "nobody").status_code for client in (first, second, first)]
    assert statuses == [401, 401, 401]
    limited = _login(second, "nobody")
    assert limited.status_code == 429
    assert limited.json["code"] == "rate_limited" and int(limited.headers["Retry-After"]) >= 1


def test_token_keys_are_long_enough_that_jwt_never_warns():
    import warnings

    import pytest

    from gateway.auth import TokenIssuer

    issuer = TokenIssuer({"k1": K1}, "k1", 60)
    account = type("Account", (), {"username": "u", "department": "d", "role": "viewer",
                                   "area": None, "token_generation": 0})()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # jwt's InsecureKeyLengthWarning would raise here
        token, _ = issuer.issue(account)
        jwt.decode(token, K1, algorithms=["HS256"])
    with pytest.raises(ValueError, match="shorter than 32 bytes"):
        TokenIssuer({"k1": "short"}, "k1", 60)


def _officer_token(app, username="officer"):
    create_user(app.extensions["db"], username, "viewer", "d", None, PASSWORD)
    return _bearer(_login(app.test_client(), username).json["access_token"])


def test_a_token_checked_lately_is_not_looked_up_again(gateway_app):
    token = _officer_token(gateway_app)
    client = gateway_app.test_client()
    assert client.get(f"{A}/me", headers=token).status_code == 200
    engine = gateway_app.extensions["db"].kw["bind"]
    queries = []

    def count(_conn, _cursor, statement, *_args):
        queries.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(f"{A}/me", headers=token).json["subject"] == "officer"
        assert queries == []
        # another credential is looked up, and so is a forged variant of the cached one
        assert client.get(f"{A}/me", headers=_bearer("not.a.token")).status_code == 401
        tampered = token["Authorization"][:-2] + (
            "AA" if not token["Authorization"].endswith("AA") else "BB")
        assert client.get(f"{A}/me", headers={"Authorization": tampered}).status_code == 401
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_revocation_in_another_gateway_process_holds_within_the_recheck_bound(
        gateway_config):
    this = create_app(dict(gateway_config, AUTH_RECHECK_SECONDS=0.5))
    other = create_app(dict(gateway_config, AUTH_RECHECK_SECONDS=0.5))  # same accounts
    token = _officer_token(this)
    assert other.test_client().get(f"{A}/me", headers=token).status_code == 200
    assert this.test_client().post(f"{A}/logout", headers=token).status_code == 204
    assert this.test_client().get(f"{A}/me", headers=token).status_code == 401  # at once
    time.sleep(0.6)
    assert other.test_client().get(f"{A}/me", headers=token).status_code == 401

    never = create_app(dict(gateway_config, AUTH_RECHECK_SECONDS=0))
    second = _officer_token(never, "second")
    assert never.test_client().get(f"{A}/me", headers=second).status_code == 200
    assert this.test_client().post(f"{A}/logout", headers=second).status_code == 204
    assert never.test_client().get(f"{A}/me", headers=second).status_code == 401


def test_a_remembered_token_still_expires(gateway_config):
    app = create_app(dict(gateway_config, AUTH_RECHECK_SECONDS=MAX_AGE_SECONDS // 2))
    create_user(app.extensions["db"], "officer", "viewer", "d", None, PASSWORD)
    expires = int(time.time()) + 5  # made here, not by a login: a slow login eats no margin
    token = _bearer(jwt.encode({"sub": "officer", "jti": "short-lived", "iat": expires - 6,
                                "gen": 0,
                                "exp": expires}, K1, algorithm="HS256",
                               headers={"kid": "k1"}))
    client = app.test_client()
    assert client.get(f"{A}/me", headers=token).status_code == 200
    time.sleep(max(0.0, expires - time.time()) + 0.1)
    refused = client.get(f"{A}/me", headers=token)
    assert refused.status_code == 401 and refused.json["detail"].startswith(
        "The token has expired")


def test_the_identity_signed_at_a_check_serves_its_requests_until_the_account_changes(
        gateway_config, monkeypatch):
    """One signature per checked credential, not per request: the services then verify
    it once. The request id travels beside it, and a change to the account signs anew."""
    app = create_app(dict(gateway_config, AUTH_RECHECK_SECONDS=MAX_AGE_SECONDS // 2))
    db = app.extensions["db"]
    create_user(db, "officer", "viewer", "d", "330110000000", PASSWORD)
    create_user(db, "admin", "platform_admin", "platform", None, PASSWORD)
    client = app.test_client()
    token = _bearer(_login(client, "officer").json["access_token"])
    admin = _bearer(_login(client, "admin").json["access_token"])
    sent = []
    monkeypatch.setattr(app.extensions["rpc"], "call",
                        lambda service, method, *args, context: sent.append(context) or {})

    def read(request_id):
        path = "/api/v1/registry/communities/330110001001"
        assert client.get(path, headers={**token, "X-Request-Id": request_id}).status_code == 200
        return sent[-1]

    first, second = read("r-1"), read("r-2")
    assert first[CONTEXT_KEY] == second[CONTEXT_KEY]
    assert (first[REQUEST_ID_KEY], second[REQUEST_ID_KEY]) == ("r-1", "r-2")
    signed = verify_identity(first[CONTEXT_KEY], verify_keys(VERIFY_KEY))
    assert (signed.subject, signed.role, signed.area) == ("officer", "viewer", "330110000000")

    users = client.get(f"{A}/users", headers=admin).json["items"]
    officer_id = next(u["id"] for u in users if u["username"] == "officer")
    client.patch(f"{A}/users/{officer_id}", json={"role": "evaluator"}, headers=admin)
    changed = read("r-3")[CONTEXT_KEY]
    assert verify_identity(changed, verify_keys(VERIFY_KEY)).role == "evaluator"


def test_a_recheck_interval_that_would_outlive_a_signed_identity_is_refused(gateway_config):
    with pytest.raises(ValueError, match="AUTH_RECHECK_SECONDS"):
        create_app(dict(gateway_config, AUTH_RECHECK_SECONDS=MAX_AGE_SECONDS // 2 + 1))
