"""The notifications service's RPC contract: subscriptions, inbox, deliveries."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from fazhi_common.contracts import vocabulary
from fazhi_common.contracts.api import MAX_INT, PageQuery, code_field, count_field
from fazhi_common.contracts.events import CONTRACTS
from fazhi_common.contracts.roles import PLATFORM_ADMIN, STAFF, VIEWER

# every event kind whose contract names notifications as a subscriber
EVENT_KINDS = tuple(sorted(t for t, c in CONTRACTS.items() if "notifications" in c.subscribers))
CHANNELS = tuple(vocabulary.NOTIFICATION_CHANNELS)
DELIVERY_CHANNELS = ("webhook", "email")
DELIVERY_STATUSES = tuple(vocabulary.DELIVERY_STATUSES)
# fields that belong to one channel only
CHANNEL_FIELDS = {"webhook": ("webhook_url", "webhook_secret"), "email": ("email",)}

READERS = STAFF
SUBSCRIBERS = STAFF - {VIEWER}
# may act for another department (name it in the body or query)
ANY_DEPARTMENT = frozenset({PLATFORM_ADMIN})

Department = fields.String(validate=validate.Length(min=1, max=100))


def _event_types(**kwargs):
    return fields.List(
        fields.String(validate=validate.OneOf(EVENT_KINDS,
                                              error="Unknown event kind; one of {choices}.")),
        validate=validate.Length(min=1, max=len(EVENT_KINDS),
                                 error="Name between {min} and {max} event kinds."),
        metadata={"description": "Event kinds to receive (see GET /event-kinds)."}, **kwargs)


def _channel(**kwargs):
    return fields.String(validate=validate.OneOf(CHANNELS), **kwargs)


class SubscriptionFields(Schema):
    """The fields of a subscription a department may change."""

    event_types = _event_types()
    area_code = code_field(allow_none=True, metadata={
        "description": "A county, town or community code: only events in units whose code "
                       "starts with its prefix (county 6 digits, town 9). Default: the "
                       "caller's area."})
    channel = _channel()
    webhook_url = fields.Url(schemes={"http", "https"}, require_tld=False, allow_none=True,
                             validate=validate.Length(max=500))
    webhook_secret = fields.String(allow_none=True, load_only=True,
                                   validate=validate.Length(min=16, max=200),
                                   metadata={"description": "Shared secret for the "
                                                            "HMAC-SHA256 signature; never "
                                                            "returned."})
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    active = fields.Boolean()


class SubscriptionIn(SubscriptionFields):
    department = Department  # only a platform administrator names another department
    event_types = _event_types(required=True)
    channel = _channel(required=True)

    @validates_schema
    def fields_of_the_channel(self, data, **kwargs):
        errors = channel_errors(data)
        if errors:
            raise ValidationError(errors)


def channel_errors(data):
    """Field errors for a subscription whose channel fields do not fit its channel."""
    errors = {}
    channel = data.get("channel")
    for name in CHANNEL_FIELDS.get(channel, ()):
        if not data.get(name):
            errors[name] = [f"Required for channel {channel}."]
    for other, names in CHANNEL_FIELDS.items():
        if other != channel:
            for name in names:
                if data.get(name) is not None:
                    errors[name] = [f"Only for channel {other}."]
    return errors


class SubscriptionChange(SubscriptionFields):
    """Fields to change; the result is checked as a whole (a new channel needs its fields)."""


class Subscription(Schema):
    id = fields.Integer(required=True)
    department = fields.String(required=True)
    event_types = fields.List(fields.String(), required=True)
    area_code = fields.String(allow_none=True)
    channel = fields.String(required=True)
    webhook_url = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    active = fields.Boolean(required=True)
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime(allow_none=True)


class SubscriptionQuery(PageQuery):
    department = Department
    event_type = fields.String(validate=validate.OneOf(EVENT_KINDS))
    channel = fields.String(validate=validate.OneOf(CHANNELS))


# -- inbox ---------------------------------------------------------------------------------

class InboxQuery(PageQuery):
    department = Department
    read = fields.Boolean(metadata={"description": "true: acknowledged only; false: unread"})
    event_type = fields.String(validate=validate.OneOf(EVENT_KINDS))


class DepartmentQuery(Schema):
    department = Department


class Alert(Schema):
    id = fields.Integer(required=True)
    department = fields.String(required=True)
    event_id = fields.String(required=True)
    event_type = fields.String(required=True)
    source = fields.String(required=True)
    title = fields.String(required=True)
    occurred_at = fields.DateTime(required=True)
    county_code = fields.String(allow_none=True)
    town_code = fields.String(allow_none=True)
    community_code = fields.String(allow_none=True)
    data = fields.Dict(required=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)
    read_by = fields.String(allow_none=True)


class UnreadCount(Schema):
    department = fields.String(required=True)
    unread = count_field(required=True)


# -- deliveries (webhook and e-mail) -------------------------------------------------------

class DeliveryQuery(PageQuery):
    department = Department
    status = fields.String(validate=validate.OneOf(DELIVERY_STATUSES))
    channel = fields.String(validate=validate.OneOf(DELIVERY_CHANNELS))
    subscription_id = fields.Integer(validate=validate.Range(min=1, max=MAX_INT))


class Delivery(Schema):
    id = fields.Integer(required=True)
    delivery_key = fields.String(required=True, metadata={
        "description": "Sent as X-Fazhi-Delivery: the same on every retry and replay."})
    subscription_id = fields.Integer(required=True)
    department = fields.String(required=True)
    channel = fields.String(required=True)
    target = fields.String(required=True)
    event_id = fields.String(required=True)
    event_type = fields.String(required=True)
    status = fields.String(required=True)
    attempts = fields.Integer(required=True)
    failures = fields.Integer(required=True)
    next_attempt_at = fields.DateTime(allow_none=True)
    last_status_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class Attempt(Schema):
    number = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    result = fields.String(required=True, metadata={"enum": ["delivered", "failed"]})
    status_code = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    duration_ms = fields.Integer(required=True)


class DeliveryDetail(Delivery):
    log = fields.List(fields.Nested(Attempt), required=True,
                      metadata={"description": "Every attempt, oldest first."})


class EventKind(Schema):
    type = fields.String(required=True)
    source = fields.String(required=True)
    title = fields.String(required=True)


class EventKinds(Schema):
    items = fields.List(fields.Nested(EventKind), required=True)
