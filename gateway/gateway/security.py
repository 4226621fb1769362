"""Every request is authenticated before its view runs, and checked against the roles the
view admits; the identity, signed for the services when its credential was checked, goes
into the RPC context with the request id beside it.

Public views (``@documented(public=True)``) are open to anonymous residents and are
rate-limited per client address.

Besides a bearer token or an API key, the console's browser session is accepted: the same
login token in an HttpOnly, SameSite=Strict cookie, with a CSRF token in a header on every
write. Every answer carries the security headers.
"""
import threading
import time
import uuid
from contextlib import contextmanager

from flask import current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from fazhi_common.contracts.errors import Forbidden, Unauthenticated
from fazhi_common.contracts.roles import RESIDENT, Identity
from fazhi_common.identity import CONTEXT_KEY, REQUEST_ID_KEY, sign_identity
from gateway.auth import Checked, authenticate_api_key, authenticate_token

SESSION_COOKIE = "fazhi_session"
CSRF_COOKIE = "fazhi_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# the API answers JSON and files only: nothing of it may run, be framed or leak a referrer
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


class TooManyRequests(Exception):
    def __init__(self, retry_after):
        super().__init__("too many requests")
        self.retry_after = retry_after


class RateLimiter:
    """A token bucket per client: ``per_minute`` requests, bursts up to ``burst``."""

    def __init__(self, per_minute, burst=None):
        self.rate = per_minute / 60.0
        self.burst = float(burst or per_minute)
        self._buckets = {}
        self._lock = threading.Lock()

    def take(self, client):
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens < 1:
                self._buckets[client] = (tokens, now)
                raise TooManyRequests(retry_after=max(1, int((1 - tokens) / self.rate) + 1))
            self._buckets[client] = (tokens - 1, now)
            if len(self._buckets) > 100_000:  # forget idle clients rather than grow forever
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 600}


@contextmanager
def db_session():
    with current_app.extensions["db"]() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _authenticate(public, sign):
    """The ``Checked`` caller of this request, or None if it presents no credential."""
    header = request.headers.get("Authorization", "")
    tokens = current_app.extensions["tokens"]
    recent = current_app.extensions["recent_checks"]
    if header.startswith("Bearer "):
        checked = authenticate_token(db_session, recent, tokens, header[7:].strip(), sign)
        g.token_claims = checked.claims
        return checked
    if request.headers.get("X-API-Key"):
        return authenticate_api_key(db_session, recent, request.headers["X-API-Key"], sign)
    cookie = request.cookies.get(SESSION_COOKIE)
    # a stale console cookie must not lock anyone out of the sign-in page and its files
    if cookie and not public:
        checked = authenticate_token(db_session, recent, tokens, cookie, sign)
        # the browser sends the cookie on its own; only the console's script can also
        # send the session's CSRF token, so a write without it came from elsewhere
        if request.method not in SAFE_METHODS and not tokens.csrf_matches(
                checked.claims, request.headers.get(CSRF_HEADER, "")):
            raise Forbidden("The request lacks the console's CSRF token; reload the page.",
                            {"csrf": ["missing or wrong"]})
        g.token_claims = checked.claims
        return checked
    return None


def client_address():
    if current_app.config["FAZHI"].get("TRUST_PROXY_HEADERS"):
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.remote_addr or "unknown"


MAX_BODY_BYTES = 1024 * 1024  # a JSON request: far more than any form of ours needs
MAX_IMPORT_BYTES = 16 * 1024 * 1024  # a bulk list (base64 or multipart) for an import


def bound_body(config, meta):
    """413 for a body over the limit, before it is read, parsed, authenticated or forwarded.

    A declared ``Content-Length`` is refused at once; a chunked body is read up to the
    limit and refused if it fills it.
    """
    large = bool(meta and meta.get("large_body"))
    limit = int(config.get("MAX_IMPORT_BYTES", MAX_IMPORT_BYTES) if large
                else config.get("MAX_BODY_BYTES", MAX_BODY_BYTES))
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge(f"The body is {request.content_length} bytes; this "
                                    f"endpoint accepts at most {limit}.")
    # chunked: werkzeug stops reading at the limit but hands back what it read as if it
    # were all, so read it here (at most ``limit`` bytes) and refuse a full buffer
    chunked = request.content_length is None and request.environ.get("wsgi.input_terminated")
    if chunked and len(request.get_data(cache=True)) >= limit:
        raise RequestEntityTooLarge(f"The body is longer than the {limit} bytes this "
                                    "endpoint accepts.")


class UndeclaredRoutes(RuntimeError):
    """The gateway will not start with a route that says nothing about who may call it."""


def check_routes(app):
    """Refuse to start if any route lacks its access metadata (``@documented``)."""
    missing = sorted(rule.rule for rule in app.url_map.iter_rules()
                     if getattr(app.view_functions.get(rule.endpoint), "openapi", None) is None)
    if missing:
        raise UndeclaredRoutes(
            "These routes declare no access rules (decorate their views with @documented): "
            + ", ".join(missing))


def install(app):
    limiter = RateLimiter(int(app.config["FAZHI"].get("PUBLIC_RATE_PER_MINUTE", 30)))
    identity_key = app.extensions["identity_key"]

    def sign(identity):
        return sign_identity(identity, identity_key)

    @app.before_request
    def authenticate_and_authorise():
        if request.endpoint is None:
            return  # no route matched: Flask answers 404 or 405, nothing was served
        meta = getattr(app.view_functions.get(request.endpoint), "openapi", None)
        bound_body(app.config["FAZHI"], meta)
        if meta is None:
            # Deny by default: a route added after start-up without its access rules is
            # served to no one (start-up itself refuses them: ``check_routes``).
            raise Forbidden("This route declares no access rules; it is served to no one.")
        g.request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex
        checked = _authenticate(meta["public"], sign)
        if meta["public"]:
            if meta["rate_limited"]:
                limiter.take(client_address())
            if checked is None:
                anonymous = Identity(subject=f"anonymous@{client_address()}", role=RESIDENT,
                                     department="public")
                checked = Checked(anonymous, None, sign(anonymous))
        elif checked is None:
            raise Unauthenticated("Log in (Authorization: Bearer <token>) or send X-API-Key.")
        elif checked.identity.role not in meta["roles"]:
            raise Forbidden(f"The role {checked.identity.role} may not do this.",
                            {"role": [checked.identity.role]})
        g.identity = checked.identity
        g.rpc_context = {CONTEXT_KEY: checked.signed, REQUEST_ID_KEY: g.request_id}

    @app.after_request
    def tag_response(response):
        if getattr(g, "request_id", None):
            response.headers["X-Request-Id"] = g.request_id
        for header, value in SECURITY_HEADERS.items():
            response.headers.setdefault(header, value)  # the console sets its own policy
        return response
