"""Helpers every blueprint's views use: parse with a schema, call a service, answer."""
from flask import current_app, g, jsonify, request

from fazhi_common.errors import ValidationFailed
from fazhi_common.validation import load


def json_body(schema):
    """The request's JSON object, validated by ``schema`` (raises 422 if it is not valid).

    The validated original is what goes to the service, which validates it again.
    """
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed("Send a JSON object with Content-Type application/json.",
                               {"_body": ["a JSON object is required"]})
    load(schema(), data)
    return data


def query_args(schema):
    """Query-string arguments loaded by ``schema`` (ints and booleans typed)."""
    return load(schema(), request.args.to_dict())


def call(service, method, *args):
    """RPC to ``service``, carrying the caller's identity as context."""
    context = getattr(g, "rpc_context", None) or {}
    return current_app.extensions["rpc"].call(service, method, *args, context=context)


def created(body):
    return jsonify(body), 201
