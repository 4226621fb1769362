"""Helpers every blueprint's views use: parse with a schema, call a service, answer."""
from flask import current_app, g, jsonify, request

from fazhi_common.contracts.errors import ValidationFailed
from fazhi_common.validation import load, parse_json
from gateway.errors import language


def json_body(schema):
    """The request's JSON object, validated by ``schema`` (raises 422 if it is not valid).

    The validated original is what goes to the service, which validates it again.
    """
    data = _parse_json_body()
    if not isinstance(data, dict):
        kind = "null" if data is None else type(data).__name__
        raise ValidationFailed(f"The body is valid JSON but a {kind}; send a JSON object.",
                               {"_body": ["a JSON object is required"]})
    load(schema(), data)
    return data


def _parse_json_body():
    """The body as JSON, each way it can be wrong told apart for the caller.

    The size was bounded before the view ran (``security.bound_body``).
    """
    if not request.is_json:
        raise ValidationFailed("Send a JSON object with Content-Type application/json.",
                               {"_body": ["Content-Type must be application/json"]})
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise ValidationFailed("The body is empty; send a JSON object.",
                               {"_body": ["a JSON object is required"]})
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(f"The body is not UTF-8 (invalid byte at offset {exc.start}); "
                               "JSON must be sent in UTF-8.",
                               {"_body": ["not UTF-8"]}) from None
    # depth, integer size and lone surrogates checked here, before any view or service
    return parse_json(text, int(current_app.config["FAZHI"].get("MAX_JSON_DEPTH", 32)))


def query_args(schema):
    """Query-string arguments loaded by ``schema`` (ints and booleans typed)."""
    return load(schema(), request.args.to_dict())


def call(service, method, *args):
    """RPC to ``service``, carrying the caller's identity as context."""
    context = getattr(g, "rpc_context", None) or {}
    return current_app.extensions["rpc"].call(service, method, *args, context=context)


def call_in_language(service, method, *args):
    """``call`` for an answer holding a text a person reads: the service writes it in the
    caller's language (``errors.language``: Chinese unless Accept-Language prefers
    English), which the answer's Content-Language names."""
    chosen = language()
    response = jsonify(call(service, method, *args, chosen))
    response.headers["Content-Language"] = chosen
    return response


def caller(service):
    """``call`` bound to this request's identity, for use from another thread (which has
    no request context of its own)."""
    pool, context = current_app.extensions["rpc"], getattr(g, "rpc_context", None) or {}
    return lambda method, *args: pool.call(service, method, *args, context=context)


def created(body):
    return jsonify(body), 201
