"""RPC contracts between the gateway and each service: request and response schemas.

The gateway validates HTTP input with these schemas and the service validates its RPC
arguments with the very same ones, so the two boundaries cannot drift apart. They also
feed the gateway's OpenAPI description.
"""
from marshmallow import Schema, fields, validate

from fazhi_common.division import DivisionField


def code_field(**kwargs):
    """A division code: loads a ``fazhi_common.division.Division`` (422 if malformed)."""
    return DivisionField(**kwargs)


# ids and counts fit a 32-bit signed integer column in every database we support
MAX_INT = 2**31 - 1


def id_field(**kwargs):
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_INT), **kwargs)


def count_field(**kwargs):
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_INT), **kwargs)


class ScheduleRunIn(Schema):
    """Running a scheduled sweep by hand (registry's election-due, evaluation's titles)."""

    today = fields.Date(allow_none=True, metadata={"description": "defaults to today"})


class PageQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


def page_of(item_schema):
    """A response schema for one page of ``item_schema`` items."""
    return type(f"{item_schema.__name__}Page", (Schema,), {
        "items": fields.List(fields.Nested(item_schema), required=True),
        "page": fields.Integer(required=True),
        "per_page": fields.Integer(required=True),
        "total": fields.Integer(required=True),
    })


class Job(Schema):
    """A background job (``fazhi_common.jobs``): poll it until ``status`` is done or failed."""

    id = fields.String(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(
        ("queued", "running", "done", "failed")))
    done = fields.Integer(required=True, metadata={"description": "units of work done"})
    total = fields.Integer(allow_none=True, metadata={"description": "known once started"})
    result = fields.Dict(allow_none=True)
    error = fields.String(allow_none=True)
    requested_by = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    finished_at = fields.DateTime(allow_none=True)


class ErrorSchema(Schema):
    """Every error response (RFC 9457 problem details plus ``code`` and ``fields``)."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    code = fields.String(required=True)
    field_errors = fields.Dict(keys=fields.String(), values=fields.Raw(), data_key="fields")
