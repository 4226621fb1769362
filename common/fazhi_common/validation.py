"""Marshmallow at the service boundary: load or raise ``ValidationFailed``; JSON parsed
within limits before anything else sees it."""
import json
import re

from marshmallow import ValidationError

from fazhi_common.contracts.errors import ValidationFailed

# a UTF-16 half standing alone: JSON's \ud800 escape yields it, and no UTF-8 encoder
# (database, log, answer) can write it
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE = "不允许 NUL 字符或孤立的代理码位（lone surrogate）"


def control_character_errors(data):
    """Field errors for strings holding NUL characters or lone surrogates, which no
    database column stores.

    PostgreSQL refuses NUL in text outright and UTF-8 has no lone surrogate; catching
    them here turns a would-be server error into a 422 naming the field.
    """
    errors = {}

    def walk(value, key):
        if isinstance(value, str) and _UNSTORABLE.search(value):
            errors[key] = [UNSTORABLE]
        elif isinstance(value, dict):
            for k, v in value.items():
                if isinstance(k, str) and _UNSTORABLE.search(k):
                    errors[key or "_schema"] = [UNSTORABLE]
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


# the widest integer column of any of our databases (BIGINT)
LARGEST_INTEGER = 2**63 - 1
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")


def nesting_depth(text):
    """How deeply ``text``'s arrays and objects nest (strings skipped), counted without
    parsing: the parser itself recurses and fails with RecursionError on a deep body."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _bounded_int(digits):
    # refused before int() runs: a 5,000-digit literal costs quadratic time and then
    # raises ValueError past Python's 4,300-digit limit
    if len(digits.lstrip("-")) > 19 or abs(int(digits)) > LARGEST_INTEGER:
        raise ValidationFailed("请求中的整数超出允许范围（绝对值不超过 2^63-1）。",
                               {"_body": ["整数超出范围"]})
    return int(digits)


def parse_json(text, max_depth=32):
    """``text`` as JSON, within limits: nesting, integer size, lone surrogates -> 422."""
    depth = nesting_depth(text)
    if depth > max_depth:
        raise ValidationFailed(f"请求的 JSON 嵌套 {depth} 层，超过上限 {max_depth} 层。",
                               {"_body": [f"嵌套超过 {max_depth} 层"]})
    try:
        data = json.loads(text, parse_int=_bounded_int)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(f"请求体不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列"
                               f"（{exc.msg}）。", {"_body": ["JSON 格式错误"]}) from None
    errors = control_character_errors(data)
    if errors:
        raise ValidationFailed("请求中有无法保存的字符。", errors)
    return data
