"""Marshmallow at the service boundary: load or raise ``ValidationFailed``."""
from marshmallow import ValidationError

from fazhi_common.contracts.errors import ValidationFailed


def control_character_errors(data):
    """Field errors for strings holding NUL characters, which no database column stores.

    PostgreSQL refuses NUL in text outright; catching it here turns a would-be server
    error into a 422 naming the field.
    """
    errors = {}

    def walk(value, key):
        if isinstance(value, str) and "\x00" in value:
            errors[key] = ["NUL characters are not allowed"]
        elif isinstance(value, dict):
            for k, v in value.items():
                if isinstance(k, str) and "\x00" in k:
                    errors[key or "_schema"] = ["NUL characters are not allowed"]
                walk(v, k if not key else f"{key}.{k}")
        elif isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                walk(v, f"{key}.{i}" if key else str(i))

    walk(data, "")
    return errors


def load(schema, data, **kwargs):
    """Validate ``data`` with ``schema`` (a Schema instance); return the loaded dict."""
    errors = control_character_errors(data)
    if errors:
        raise ValidationFailed("The request has invalid fields.", errors)
    try:
        return schema.load(data if data is not None else {}, **kwargs)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise ValidationFailed("The request has invalid fields.", messages) from None
