"""Domain errors that cross the bus intact: the contract of what a caller may be told.

``fazhi_common.remote`` registers each with nameko's exception registry, so a service
raising ``NotFound`` makes the gateway's RPC proxy raise ``NotFound`` too (not a
``RemoteError``), and the gateway maps it to HTTP in one place. nameko rebuilds an
exception from its ``args`` after turning every scalar into a string, so constructors take
only strings, lists and dicts of strings. ``title`` is what a person reads (zh-CN).
"""


class FazhiError(Exception):
    """Base of every error a caller is meant to see. ``code`` is machine-readable."""

    code = "error"
    status = 400

    def __init__(self, message, fields=None):
        super().__init__(message, fields or {})
        self.message = message
        self.fields = fields or {}

    def __str__(self):
        return self.message


class ValidationFailed(FazhiError):
    """Input is malformed or inconsistent; ``fields`` maps each field to its problems."""

    code = "validation_failed"
    status = 422


class UnitNotAnnounced(ValidationFailed):
    """A unit code a service's read model of the registry's units does not hold: the
    registry has not announced such a unit, or not yet (``fazhi_common.units``)."""


class NotFound(FazhiError):
    code = "not_found"
    status = 404


class Conflict(FazhiError):
    """The request is well-formed but the current state forbids it."""

    code = "conflict"
    status = 409


class Unauthenticated(FazhiError):
    code = "unauthenticated"
    status = 401


class Forbidden(FazhiError):
    code = "forbidden"
    status = 403


class Unavailable(FazhiError):
    """Something the service depends on (its database) cannot be reached just now."""

    code = "service_unavailable"
    status = 503


def field_error(field, message, status_cls=ValidationFailed):
    """Shorthand for an error about one field."""
    return status_cls(message, {field: [message]})
