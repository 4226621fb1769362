"""Who is calling: roles, areas, and the signed identity that travels with every RPC.

The gateway authenticates a request, then signs the caller's identity with its Ed25519
private key (``GATEWAY_SIGNING_KEY``, held by the gateway alone) into the RPC's context
data. Each service holds only the public keys (``GATEWAY_VERIFY_KEYS``; several, so the
gateway's key can be rotated), and its ``@rpc`` entrypoint refuses a call whose identity
is missing, badly signed, stale, or of a role the method does not admit. A client that
talks to the bus directly — even another service — cannot mint an identity.

What the signature protects, and what it does not:
- who: subject, role, department and area, exactly as the gateway checked them (no one
  without the private key can mint or alter one);
- when: ``iat``, the time of signing. A service refuses an identity signed more than
  ``MAX_AGE_SECONDS`` away from its own clock, which bounds how long a captured one can be
  replayed on the bus and how long an old key's signatures stay in flight.
It binds nothing to one request: the gateway signs an identity once per checked credential
and reuses it, byte for byte, for that credential's requests while the check holds
(``AUTH_RECHECK_SECONDS``, far under ``MAX_AGE_SECONDS``), and a service verifies each
distinct signature once (``IdentityVerifier``). The request id travels beside it, unsigned
(``REQUEST_ID_KEY``): the HTTP client chooses it (``X-Request-Id``), so a signature over it
proved nothing, and it serves only to correlate logs.

``python -m fazhi_common.identity keygen`` prints a new key pair.

The roles and the ``Identity`` value are contracts (``fazhi_common.contracts.roles``); this
module is the machinery that signs, verifies and admits them.
"""
import base64
import json
import sys
import time
from dataclasses import fields

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from nameko.extensions import DependencyProvider, SharedExtension

from fazhi_common.contracts.errors import FazhiError, Unauthenticated
from fazhi_common.contracts.roles import ROLES, STAFF, SYSTEM, Identity
from fazhi_common.rpc import QuorumRpc

CONTEXT_KEY = "fazhi_identity"
REQUEST_ID_KEY = "fazhi_request_id"  # context data beside the identity; not signed
MAX_AGE_SECONDS = 300



def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signing_key(encoded):
    """The gateway's private key from its base64 form (32 raw bytes)."""
    return Ed25519PrivateKey.from_private_bytes(_unb64(encoded))


def verify_keys(encoded):
    """Public keys from a list, or a comma-separated string, of base64 keys."""
    if isinstance(encoded, str):
        encoded = [part for part in encoded.replace(" ", "").split(",") if part]
    return [Ed25519PublicKey.from_public_bytes(_unb64(k)) for k in encoded]


def keygen():
    """A new ``(private, public)`` key pair, base64-encoded for config files."""
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return _b64(private.private_bytes_raw()), _b64(public)


def sign_identity(identity, private_key, now=None):
    # the fields as they are (asdict would deep-copy each, parsing the area's code again)
    payload = {field.name: getattr(identity, field.name) for field in fields(Identity)}
    payload["iat"] = int(now if now is not None else time.time())
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_b64(private_key.sign(body.encode()))}"


def _signed_by_one_of(public_keys, signature, body):
    for key in public_keys:
        try:
            key.verify(signature, body)
            return True
        except InvalidSignature:
            continue
    return False


def verify_identity(token, public_keys, now=None, max_age=MAX_AGE_SECONDS):
    """The identity in ``token``; Unauthenticated unless the gateway signed it lately."""
    return _verified(token, public_keys, now, max_age)[0]


def _verified(token, public_keys, now, max_age):
    """``(identity, issued_at)`` of a token ``verify_identity`` admits."""
    if not token or not isinstance(token, str) or token.count(".") != 1:
        raise Unauthenticated("This call carries no identity signed by the gateway.")
    body, signature = token.split(".")
    try:
        valid = _signed_by_one_of(public_keys, _unb64(signature), body.encode())
        payload = json.loads(_unb64(body)) if valid else None
    except (ValueError, TypeError):
        valid = False
    if not valid:
        raise Unauthenticated("The caller's identity is not signed by the gateway.")
    now = now if now is not None else time.time()
    issued_at = payload.pop("iat", 0)
    payload.pop("request_id", None)  # signed in by a gateway of an earlier version
    if abs(now - issued_at) > max_age:
        raise Unauthenticated("The caller's identity has expired.")
    if payload.get("role") not in ROLES:
        raise Unauthenticated("The caller's identity names no known role.")
    return Identity(**payload), issued_at


class IdentityVerifier(SharedExtension):
    """Verifies signed identities for one container, each token's signature once.

    The entrypoint checks the identity before a worker exists and ``self.caller`` needs it
    again inside the worker: the second look finds the token among those whose signature
    this container already verified, and only the age is checked again. A token is the
    exact signed bytes, so a remembered one can only be that same verified identity.
    """

    REMEMBERED = 4096

    def __init__(self, public_keys=None):
        super().__init__()
        self.public_keys = public_keys
        self._seen = {}

    def setup(self):
        self.public_keys = verify_keys(self.container.config["GATEWAY_VERIFY_KEYS"])

    def verify(self, token, now=None, max_age=MAX_AGE_SECONDS):
        seen = self._seen.get(token) if isinstance(token, str) else None
        if seen is None:
            identity, issued_at = _verified(token, self.public_keys, now, max_age)
            if len(self._seen) >= self.REMEMBERED:  # forget the oldest half, stay bounded
                for key in list(self._seen)[: self.REMEMBERED // 2]:
                    del self._seen[key]
            self._seen[token] = (identity, issued_at)
            return identity
        identity, issued_at = seen
        now = now if now is not None else time.time()
        if abs(now - issued_at) > max_age:
            raise Unauthenticated("The caller's identity has expired.")
        return identity


class SignedRpc(QuorumRpc):
    """``@rpc`` that admits only calls signed by the gateway, by a role in ``roles``."""

    verifier = IdentityVerifier()

    def __init__(self, roles=STAFF, **kwargs):
        self.roles = frozenset(roles)
        # a caller's mistake is logged as a warning, not as a failure with a traceback
        kwargs.setdefault("expected_exceptions", FazhiError)
        super().__init__(**kwargs)

    def handle_message(self, body, message):
        # raised here, before a worker exists, the error goes back to the caller as the reply
        context = self.unpack_message_headers(message)
        identity = self.verifier.verify(context.get(CONTEXT_KEY))
        identity.require_role(self.roles)
        super().handle_message(body, message)


rpc = SignedRpc.decorator


class Caller(DependencyProvider):
    """``self.caller``: the verified identity of whoever made this call.

    Event handlers and timers act for the platform itself (``SYSTEM``).
    """

    verifier = IdentityVerifier()

    def get_dependency(self, worker_ctx):
        token = worker_ctx.data.get(CONTEXT_KEY)
        if token is None:
            return SYSTEM
        return self.verifier.verify(token)


if __name__ == "__main__":
    if sys.argv[1:] != ["keygen"]:
        sys.exit("usage: python -m fazhi_common.identity keygen")
    private, public = keygen()
    print(f"GATEWAY_SIGNING_KEY={private}    # the gateway only")
    print(f"GATEWAY_VERIFY_KEYS={public}     # every service")
