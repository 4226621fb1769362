"""Request and response schemas of the gateway's own endpoints (accounts and keys)."""
from marshmallow import Schema, fields, validate

from fazhi_common.contracts.api import code_field
from fazhi_common.contracts.roles import ROLES

Role = fields.String(required=True, validate=validate.OneOf(ROLES))


class LoginIn(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TokenOut(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()


class Me(Schema):
    subject = fields.String()
    role = fields.String()
    department = fields.String()
    area = fields.String(allow_none=True)


class UserIn(Schema):
    username = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9_.@-]{3,64}$", error="3-64 letters, digits or _.@-"))
    password = fields.String(required=True, load_only=True,
                             validate=validate.Length(min=12, max=200,
                                                      error="at least 12 characters"))
    department = fields.String(required=True, validate=validate.Length(min=1, max=100))
    role = Role
    area = code_field(allow_none=True)


class UserChange(Schema):
    password = fields.String(load_only=True, validate=validate.Length(min=12, max=200))
    department = fields.String(validate=validate.Length(min=1, max=100))
    role = fields.String(validate=validate.OneOf(ROLES))
    area = code_field(allow_none=True)
    active = fields.Boolean()


class User(Schema):
    id = fields.Integer()
    username = fields.String()
    department = fields.String()
    role = fields.String()
    area = fields.String(allow_none=True)
    active = fields.Boolean()
    created_at = fields.DateTime()


class ApiKeyIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    department = fields.String(required=True, validate=validate.Length(min=1, max=100))
    role = Role
    area = code_field(allow_none=True)


class ApiKeyOut(Schema):
    id = fields.Integer()
    key_id = fields.String()
    name = fields.String()
    department = fields.String()
    role = fields.String()
    area = fields.String(allow_none=True)
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    key = fields.String(metadata={"description": "The full key, shown once at creation"})
