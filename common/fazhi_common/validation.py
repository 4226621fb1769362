"""Marshmallow at the service boundary: load or raise ``ValidationFailed``."""
from marshmallow import ValidationError

from fazhi_common.errors import ValidationFailed


def load(schema, data, **kwargs):
    """Validate ``data`` with ``schema`` (a Schema instance); return the loaded dict."""
    try:
        return schema.load(data if data is not None else {}, **kwargs)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise ValidationFailed("The request has invalid fields.", messages) from None
