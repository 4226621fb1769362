"""Login, logout, and the platform administrator's accounts and API keys."""
from flask import Blueprint, current_app, g, jsonify
from sqlalchemy import select

from fazhi_common.audit import append_audit
from fazhi_common.clock import utcnow
from fazhi_common.contracts.api import PageQuery
from fazhi_common.contracts.errors import Conflict, NotFound, Unauthenticated
from fazhi_common.contracts.roles import EVERYONE, PLATFORM_ADMIN, Identity
from gateway import auth
from gateway import schemas as s
from gateway.models import ApiKey, UserAccount
from gateway.openapi import documented
from gateway.security import client_address, db_session
from gateway.views import created, json_body, query_args

bp = Blueprint("auth", __name__, url_prefix="/api/v1/auth")
TAG = "auth"
ADMIN = {PLATFORM_ADMIN}


def _audit(session, action, subject, details=None, identity=None):
    append_audit(session, identity or g.identity, f"gateway.{action}", subject, details)


@bp.post("/login")
@documented("Log in for a short-lived token", body=s.LoginIn, response=s.TokenOut,
            tag=TAG, public=True, rate_limited=True)
def login():
    data = s.LoginIn().load(json_body(s.LoginIn))
    token, ttl = password_login(data["username"], data["password"])
    return jsonify({"access_token": token, "token_type": "Bearer", "expires_in": ttl})


def password_login(username, password):
    """``(token, ttl)`` for a right password of an active account; audited either way.

    The API's login and the console's sign-in both come through here.
    """
    with db_session() as session:
        account = session.scalar(select(UserAccount).where(UserAccount.username == username))
        ok = auth.check_password(account, password) and account.active
        who = Identity(subject=username, role=account.role if account else "unknown",
                       department=account.department if account else "")
        _audit(session, "login" if ok else "login_failed", username,
               {"address": client_address()}, identity=who)
    if not ok:
        # one answer for unknown user, wrong password and disabled account
        raise Unauthenticated("Wrong username or password.")
    return current_app.extensions["tokens"].issue(account)


@bp.post("/logout")
@documented("Revoke the token of this request", tag=TAG, roles=EVERYONE, status=204)
def logout():
    end_session()
    return "", 204


def end_session():
    """Revoke the login token this request came with (bearer or console cookie)."""
    claims = getattr(g, "token_claims", None)
    if claims is None:
        raise Unauthenticated("Only a login token can be logged out.")
    with db_session() as session:
        auth.revoke_token(session, claims)
        _audit(session, "logout", g.identity.subject)
    current_app.extensions["recent_checks"].forget()


@bp.get("/me")
@documented("Who the caller is", response=s.Me, tag=TAG, roles=EVERYONE)
def me():
    return jsonify(s.Me().dump(g.identity))


def _account(session, user_id):
    account = session.get(UserAccount, user_id)
    if account is None:
        raise NotFound(f"No user {user_id}.")
    return account


@bp.post("/users")
@documented("Create a user account", body=s.UserIn, response=s.User, status=201, tag=TAG,
            roles=ADMIN)
def create_user():
    data = s.UserIn().load(json_body(s.UserIn))
    with db_session() as session:
        if session.scalar(select(UserAccount).where(UserAccount.username == data["username"])):
            raise Conflict("That username is taken.", {"username": ["taken"]})
        account = UserAccount(password_hash=auth.hash_password(data.pop("password")), **data)
        session.add(account)
        session.flush()
        _audit(session, "create_user", account.username, data)
        return created(s.User().dump(account))


@bp.get("/users")
@documented("List user accounts", query=PageQuery, tag=TAG, roles=ADMIN)
def list_users():
    page = query_args(PageQuery)
    with db_session() as session:
        q = select(UserAccount).order_by(UserAccount.id)
        total = len(session.scalars(q).all())
        items = session.scalars(q.limit(page["per_page"]).offset(
            (page["page"] - 1) * page["per_page"])).all()
        return jsonify({"items": s.User(many=True).dump(items), "total": total, **page})


@bp.patch("/users/<int:user_id>")
@documented("Change, disable or re-enable a user account", body=s.UserChange,
            response=s.User, tag=TAG, roles=ADMIN)
def change_user(user_id):
    data = s.UserChange().load(json_body(s.UserChange))
    with db_session() as session:
        account = _account(session, user_id)
        if "password" in data:
            account.password_hash = auth.hash_password(data.pop("password"))
            account.tokens_valid_after = utcnow()
        for key, value in data.items():
            setattr(account, key, value)
        _audit(session, "change_user", account.username, data)
        body = s.User().dump(account)
    current_app.extensions["recent_checks"].forget()  # role, area or active may have changed
    return jsonify(body)


@bp.post("/users/<int:user_id>/revoke-tokens")
@documented("Void every token the user holds", tag=TAG, roles=ADMIN, status=204)
def revoke_user_tokens(user_id):
    with db_session() as session:
        account = _account(session, user_id)
        account.tokens_valid_after = utcnow()
        _audit(session, "revoke_tokens", account.username)
    current_app.extensions["recent_checks"].forget()
    return "", 204


@bp.post("/api-keys")
@documented("Issue an API key for a portal system (the key is shown once)",
            body=s.ApiKeyIn, response=s.ApiKeyOut, status=201, tag=TAG, roles=ADMIN)
def create_api_key():
    data = s.ApiKeyIn().load(json_body(s.ApiKeyIn))
    key_id, secret, secret_hash = auth.new_api_key()
    with db_session() as session:
        key = ApiKey(key_id=key_id, secret_hash=secret_hash, **data)
        session.add(key)
        session.flush()
        _audit(session, "create_api_key", key_id, data)
        return created({**s.ApiKeyOut().dump(key), "key": f"{key_id}.{secret}"})


@bp.get("/api-keys")
@documented("List API keys (never their secrets)", tag=TAG, roles=ADMIN)
def list_api_keys():
    with db_session() as session:
        keys = session.scalars(select(ApiKey).order_by(ApiKey.id)).all()
        return jsonify(s.ApiKeyOut(many=True, exclude=["key"]).dump(keys))


@bp.post("/api-keys/<int:key_pk>/revoke")
@documented("Revoke an API key", tag=TAG, roles=ADMIN, status=204)
def revoke_api_key(key_pk):
    with db_session() as session:
        key = session.get(ApiKey, key_pk)
        if key is None:
            raise NotFound(f"No API key {key_pk}.")
        key.revoked_at = key.revoked_at or utcnow()
        _audit(session, "revoke_api_key", key.key_id)
    current_app.extensions["recent_checks"].forget()
    return "", 204
