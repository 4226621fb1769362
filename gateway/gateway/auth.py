"""Authentication at the gateway: passwords, short-lived signed tokens, API keys.

Users log in with a password (argon2 hash) for a JWT that names their department, role
and area; it lives ``TOKEN_TTL_SECONDS``. Tokens are signed with one of ``TOKEN_KEYS``
(``kid`` → secret); new tokens use ``TOKEN_SIGNING_KID``, and every listed key still
verifies, so a key is rotated by adding a new one, signing with it, and removing the old
one once its tokens have expired. A token is revoked by logging out (its ``jti``), by
disabling the account, or by voiding all of a user's earlier tokens.

A credential looked up in the account database is remembered for
``AUTH_RECHECK_SECONDS`` (``RecentChecks``): a revocation made through this gateway
process holds from its next request on; one made through another process holds there
within that many seconds. The caller's identity is signed for the services at the check
and the same signed identity serves the credential's requests while the check holds.

Portal systems use API keys ``<key_id>.<secret>`` sent as ``X-API-Key``; only a hash of
the secret is stored, and a key is revoked by marking it.
"""
import hashlib
import hmac
import secrets
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from fazhi_common.clock import utcnow
from fazhi_common.contracts.errors import Unauthenticated
from fazhi_common.contracts.roles import Identity
from fazhi_common.identity import MAX_AGE_SECONDS
from gateway.models import ApiKey, RevokedToken, UserAccount

hasher = PasswordHasher()
# verifying against this when the user is unknown keeps login time the same either way
_DUMMY_HASH = hasher.hash(secrets.token_hex(16))


def hash_password(password):
    return hasher.hash(password)


def check_password(account, password):
    try:
        return hasher.verify(account.password_hash if account else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False


MIN_KEY_BYTES = 32


class TokenIssuer:
    def __init__(self, keys, signing_kid, ttl_seconds):
        if signing_kid not in keys:
            raise ValueError(f"TOKEN_SIGNING_KID {signing_kid!r} is not among TOKEN_KEYS")
        short = sorted(str(k) for k, v in keys.items() if len(str(v).encode()) < MIN_KEY_BYTES)
        if short:  # RFC 7518 3.2: an HS256 key needs at least 256 bits
            raise ValueError(f"TOKEN_KEYS {', '.join(short)} are shorter than {MIN_KEY_BYTES} "
                             "bytes; use e.g. `python -c 'import secrets; "
                             "print(secrets.token_urlsafe(32))'`")
        self.keys = {str(k): str(v) for k, v in keys.items()}
        self.signing_kid = str(signing_kid)
        self.ttl = int(ttl_seconds)

    def issue(self, account):
        now = utcnow()
        claims = {"sub": account.username, "dept": account.department, "role": account.role,
                  "area": account.area, "iat": now, "exp": now + timedelta(seconds=self.ttl),
                  "jti": str(uuid.uuid4())}
        token = jwt.encode(claims, self.keys[self.signing_kid], algorithm="HS256",
                           headers={"kid": self.signing_kid})
        return token, self.ttl

    def csrf_token(self, claims):
        """The CSRF token of a browser session: bound to the session's token (its ``jti``),
        so a value planted by another site or left from another session never matches."""
        key = self.keys[self.signing_kid].encode()
        return hmac.new(key, f"csrf:{claims['jti']}".encode(), hashlib.sha256).hexdigest()

    def csrf_matches(self, claims, presented):
        return bool(presented) and any(
            hmac.compare_digest(hmac.new(key.encode(), f"csrf:{claims['jti']}".encode(),
                                         hashlib.sha256).hexdigest(), presented)
            for key in self.keys.values())

    def decode(self, token):
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self.keys[kid]
            return jwt.decode(token, key, algorithms=["HS256"],
                              options={"require": ["exp", "iat", "jti", "sub"]})
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("The token has expired; log in again.") from None
        except (jwt.InvalidTokenError, KeyError, TypeError):
            raise Unauthenticated("The token is not valid.") from None


class Checked(NamedTuple):
    """A credential's caller as the account database has it, signed for the services."""

    identity: Identity
    claims: dict | None  # a login token's claims; None for an API key
    signed: str  # ``identity`` signed at the check (``fazhi_common.identity``)


class RecentChecks:
    """Credentials checked against the account database in the last ``seconds``.

    Looking the account up (active, role, area, revoked tokens) on every request was most
    of the gateway's own work per request; a busy client repeats the same credential many
    times a second. A credential seen again within ``seconds`` of its check is taken from
    here, keyed by the exact credential string (only what was verified can match). Every
    revocation or account change made through this process calls ``forget`` once it is
    committed, so it holds here from the next request on; one made through another gateway
    process holds there within ``seconds`` at most. ``seconds`` 0 checks every request.

    The identity signed at the check is remembered with it and sent again as it is: the
    services refuse a signature older than ``MAX_AGE_SECONDS``, so ``seconds`` must stay
    well under that (at most half, leaving the rest for requests that run long).
    """

    REMEMBERED = 4096

    def __init__(self, seconds):
        self.seconds = float(seconds)
        if self.seconds > MAX_AGE_SECONDS / 2:
            raise ValueError(f"AUTH_RECHECK_SECONDS is {seconds}; it may be at most "
                             f"{MAX_AGE_SECONDS // 2}, as identities signed at a check are "
                             f"reused while it holds and refused after {MAX_AGE_SECONDS}s")
        self._checked = {}
        self._lock = threading.Lock()
        self._generation = 0

    def generation(self):
        """Taken before a lookup and given to ``remember``: a ``forget`` in between wins."""
        return self._generation

    def recall(self, credential):
        """The ``Checked`` of ``credential`` within ``seconds``, else None."""
        found = self._checked.get(credential)
        if found is None:
            return None
        checked, checked_at = found
        if time.monotonic() - checked_at >= self.seconds:
            return None
        if checked.claims is not None and time.time() >= checked.claims["exp"]:
            raise Unauthenticated("The token has expired; log in again.")
        return checked

    def remember(self, credential, checked, generation):
        if self.seconds <= 0:
            return
        with self._lock:
            if generation != self._generation:
                return  # a revocation committed during the lookup: do not keep its result
            if len(self._checked) >= self.REMEMBERED:  # forget the oldest half, stay bounded
                for key in list(self._checked)[: self.REMEMBERED // 2]:
                    del self._checked[key]
            self._checked[credential] = (checked, time.monotonic())

    def forget(self):
        """After a revocation or account change commits: check every credential afresh."""
        with self._lock:
            self._generation += 1
            self._checked = {}


def _authenticate(recent, credential, look_up, sign):
    """The ``Checked`` of ``credential``: checked lately, or looked up now with
    ``look_up()`` (``(identity, claims)``) and signed with ``sign``."""
    found = recent.recall(credential)
    if found is not None:
        return found
    generation = recent.generation()
    identity, claims = look_up()
    checked = Checked(identity, claims, sign(identity))
    recent.remember(credential, checked, generation)
    return checked


def authenticate_token(sessions, recent, issuer, token, sign):
    """The ``Checked`` of a login token."""
    def look_up():
        with sessions() as session:
            return identity_from_token(session, issuer, token)
    return _authenticate(recent, token, look_up, sign)


def authenticate_api_key(sessions, recent, presented, sign):
    """The ``Checked`` of a portal's API key."""
    def look_up():
        with sessions() as session:
            return identity_from_api_key(session, presented), None
    return _authenticate(recent, presented, look_up, sign)


def identity_from_token(session, issuer, token):
    claims = issuer.decode(token)
    # one round trip per request: the account as it is now, and whether this token was
    # revoked (looked up afresh every time: a logout holds from the next request on)
    row = session.execute(
        select(UserAccount, RevokedToken.jti)
        .outerjoin(RevokedToken, RevokedToken.jti == claims["jti"])
        .where(UserAccount.username == claims["sub"])).first()
    if row is not None and row.jti is not None:
        raise Unauthenticated("The token was revoked.")
    account = row[0] if row is not None else None
    if account is None or not account.active:
        raise Unauthenticated("The account is disabled.")
    valid_after = account.tokens_valid_after
    if valid_after is not None and claims["iat"] < int(valid_after.timestamp()):
        raise Unauthenticated("The token was revoked.")
    # role and area come from the account as it is now, not as it was at login
    return Identity(subject=account.username, role=account.role,
                    department=account.department, area=account.area), claims


def new_api_key():
    """``(key_id, secret, secret_hash)``; the full key is ``key_id.secret``."""
    key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    return key_id, secret, hashlib.sha256(secret.encode()).hexdigest()


def identity_from_api_key(session, presented):
    key_id, _, secret = (presented or "").partition(".")
    key = session.scalar(select(ApiKey).where(ApiKey.key_id == key_id)) if key_id else None
    digest = hashlib.sha256(secret.encode()).hexdigest()
    if key is None or not hmac.compare_digest(key.secret_hash, digest):
        raise Unauthenticated("The API key is not valid.")
    if key.revoked_at is not None:
        raise Unauthenticated("The API key was revoked.")
    return Identity(subject=f"api-key:{key.name}", role=key.role, department=key.department,
                    area=key.area)


def revoke_token(session, claims):
    expires_at = datetime.fromtimestamp(claims["exp"], tz=timezone.utc)
    session.merge(RevokedToken(jti=claims["jti"], expires_at=expires_at))
