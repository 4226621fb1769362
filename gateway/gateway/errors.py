"""Every error leaves the gateway as problem+json with a machine-readable ``code``.

Domain errors raised inside a service arrive here as the same exception classes (they
are registered with nameko's exception registry) and keep their status and fields. No
stack trace ever reaches a caller; unexpected failures are logged with an id the
caller can quote.
"""
import logging
import uuid

from flask import current_app, has_request_context, jsonify, request
from marshmallow import ValidationError
from nameko.exceptions import RemoteError
from werkzeug.exceptions import HTTPException

from fazhi_common.contracts import messages
from fazhi_common.contracts.errors import FazhiError
from gateway.rpc import ServiceUnavailable
from gateway.security import TooManyRequests

log = logging.getLogger(__name__)


def chinese():
    """Whether the caller reads Chinese: as its Accept-Language says; without one, the
    console and the public endpoints (people) do, other API clients get the original texts."""
    if not has_request_context():
        return False
    best = request.accept_languages.best_match(("zh-CN", "zh", "en"))
    if best:
        return best != "en"
    view = current_app.view_functions.get(request.endpoint)
    return request.path.startswith("/console") or bool(
        getattr(view, "openapi", {}).get("public"))


def language():
    """The language of the texts a person reads in this answer (``messages.LANGUAGES``)."""
    return messages.CHINESE if chinese() else messages.ENGLISH


def problem(status, code, title, detail=None, fields=None, headers=None):
    detail, fields = detail or title, fields or {}
    language_ = language()
    if language_ == messages.CHINESE:
        title = messages.TITLES.get(code, messages.translate(title))
        detail, fields = messages.translate(detail), messages.translate_fields(fields)
    body = {"type": f"https://fazhi.example/problems/{code}", "title": title,
            "status": status, "code": code, "detail": detail, "fields": fields}
    response = jsonify(body)
    response.headers["Content-Language"] = language_
    response.status_code = status
    response.mimetype = "application/problem+json"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def register_error_handlers(app):
    @app.errorhandler(FazhiError)
    def domain_error(exc):
        return problem(exc.status, exc.code, exc.message, fields=exc.fields)

    @app.errorhandler(ValidationError)
    def invalid(exc):
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        return problem(422, "validation_failed", "The request has invalid fields.",
                       fields=messages)

    @app.errorhandler(ServiceUnavailable)
    def unavailable(exc):
        return problem(503, "service_unavailable", f"The {exc.service} service is unavailable.",
                       detail=exc.reason, headers={"Retry-After": "5"})

    @app.errorhandler(TooManyRequests)
    def too_many(exc):
        return problem(429, "rate_limited", "Too many requests from this address.",
                       headers={"Retry-After": str(exc.retry_after)})

    @app.errorhandler(HTTPException)
    def http_error(exc):
        code = (exc.name or "error").lower().replace(" ", "_")
        return problem(exc.code, code, exc.name, detail=exc.description)

    @app.errorhandler(RemoteError)
    @app.errorhandler(Exception)
    def unexpected(exc):
        incident = uuid.uuid4().hex[:12]
        log.exception("unexpected error, incident %s", incident)
        return problem(500, "internal_error", "Something went wrong on our side.",
                       detail=f"Quote incident {incident} when reporting this.")
