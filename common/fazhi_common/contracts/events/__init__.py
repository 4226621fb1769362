"""Event contracts: every event a service announces, its payload schema and who listens.

An event travels as an envelope::

    {"id": "<uuid>", "type": "community_registered", "source": "registry",
     "occurred_at": "2026-11-25T03:00:00+00:00", "data": {...}}

``data`` is validated against the contract's schema when the event is written to the
outbox, so a malformed event fails the transaction that would have announced it.

``subscribers`` names the services that consume the event. The publishing side declares
their durable queues before it publishes, so an event is never dropped because its
consumer has not started yet (a nameko event exchange silently drops unroutable messages).

Each publishing service keeps its contracts in a module of this package named after it,
with a ``CONTRACTS`` list; they are collected here. Event types are unique platform-wide.
"""
import functools
import importlib
import pkgutil
from dataclasses import dataclass

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, missing, validate

from fazhi_common.contracts.errors import ValidationFailed
from fazhi_common.division import COMMUNITY, Division, DivisionField


def code_field(required=True):
    return DivisionField(required=required, allow_none=not required)


class AreaPayload(Schema):
    """Where an event happened; notifications filter subscriptions on these."""

    county_code = code_field()
    town_code = code_field(required=False)
    community_code = code_field(required=False)


def area_of(code):
    """The AreaPayload fields of a unit: its county-level unit, its town, itself.

    A town's area names no community, a county-level unit's no town.
    """
    unit = Division(code)
    if unit.level == COMMUNITY:
        # a community's county and town are its town's: asked once per town (a province's
        # recompute announces ~15,000 changed scores in ~1,400 towns)
        return {**_area_of_town(unit.parent), "community_code": unit}
    area = {"county_code": unit.county, "town_code": unit.town}
    return {key: value for key, value in area.items() if value is not None}


@functools.lru_cache(maxsize=1 << 14)
def _area_of_town(town):
    return {key: value for key, value in (("county_code", town.county),
                                           ("town_code", town.town)) if value is not None}


class JobFinished(Schema):
    """A background job ended (``fazhi_common.jobs``): each service that runs jobs
    announces it as ``<service>_job_finished``."""

    job_id = fields.String(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("done", "failed")))
    done = fields.Integer(required=True)
    total = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)  # the result (a row report...) is on the job


@dataclass(frozen=True)
class EventContract:
    type: str
    source: str
    schema: type
    subscribers: tuple


def _collect():
    contracts = {}
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for c in getattr(module, "CONTRACTS", []):
            if c.type in contracts:
                raise RuntimeError(f"event type {c.type} is declared twice")
            contracts[c.type] = c
    return contracts


CONTRACTS = _collect()


def contract(event_type):
    try:
        return CONTRACTS[event_type]
    except KeyError:
        raise LookupError(f"no contract for event type {event_type!r}") from None


@functools.cache
def _schema(event_type):
    """The contract's schema, made once per event type: a schema keeps no state between
    loads and dumps, and building one copies its fields, which cost more than the load
    or dump itself when thousands of events go through."""
    return contract(event_type).schema()


def contracts_from(source):
    """The contracts of events that ``source`` publishes."""
    return [c for c in CONTRACTS.values() if c.source == source]


def load_payload(event_type, data):
    """The typed payload of a received event, loaded through its contract.

    Fields the contract does not know (from a newer publisher) are left out; a payload
    that breaks the contract raises ValidationFailed.
    """
    loader = _loader(event_type)
    if loader is not None:
        payload = loader.load(data)
        if payload is not None:
            return payload
    try:  # the schema whole: a contract with rules across fields, or to report the errors
        return _schema(event_type).load(data, unknown=EXCLUDE)
    except ValidationError as exc:
        raise ValidationFailed(f"event {event_type} payload is invalid",
                               exc.normalized_messages()) from None


@functools.cache
def _loader(event_type):
    schema = _schema(event_type)
    if any(getattr(schema, "_hooks", {None: True}).values()):
        return None  # schema-level validators or processors see whole payloads
    return _FieldByField(schema)


class _FieldByField:
    """Loads payloads of one contract field by field, each value a field has seen before
    taken from what it loaded then (the same value loads the same way): a consumer gets
    thousands of events naming the same few towns, dates and departments, and loading
    them through the whole schema cost more than all the rest of routing one.

    ``load`` gives None where the schema must judge (a value a field refuses, a required
    field missing), so errors read as they always did.
    """

    REMEMBERED = 4096  # values per field, then it starts again

    def __init__(self, schema):
        self.fields = [(field.data_key or name, field.attribute or name, field,
                        not isinstance(field, (fields.Method, fields.Function)))
                       for name, field in schema.load_fields.items()]
        self.seen = {key: {} for key, *_ in self.fields}

    def load(self, data):
        payload = {}
        try:
            for key, attribute, field, by_value in self.fields:
                value = data.get(key, missing)
                if not by_value or not isinstance(value, (str, int, float, type(None))):
                    loaded = field.deserialize(value, key, data)  # a list, a mapping, absent
                else:
                    seen = self.seen[key]
                    loaded = seen.get((type(value), value), missing)  # True and 1 differ
                    if loaded is missing:
                        loaded = field.deserialize(value, key, data)
                        if len(seen) >= self.REMEMBERED:
                            seen.clear()
                        seen[(type(value), value)] = loaded
                if loaded is not missing:
                    payload[attribute] = loaded
        except ValidationError:
            return None
        return payload


def serialise_payload(event_type, data):
    """Validate ``data`` against the contract and return its JSON-ready form."""
    schema = _schema(event_type)
    dumped = schema.dump(data)
    errors = schema.validate(dumped)
    if errors:
        raise ValidationFailed(f"event {event_type} payload is invalid", errors)
    return dumped


def serialise_payloads(event_type, datas):
    """``serialise_payload`` for a batch of payloads of one type (a recompute announces
    thousands): each field loads each distinct value once, which is the same check as
    loading every payload whole when the contract's fields are all there is to it."""
    schema = _schema(event_type)
    items = list(datas)
    if _dumped_as_they_are(schema, items):
        dumped = [dict(item) for item in items]  # what dumping them would give
    else:
        dumped = schema.dump(items, many=True)
    if not _valid_by_value(schema, dumped):
        # whole payloads, for the errors of each (or for a contract with its own rules)
        for item in dumped:
            errors = schema.validate(item)
            if errors:
                raise ValidationFailed(f"event {event_type} payload is invalid", errors)
    return dumped


def _dumped_as(field):
    """The type of value ``field`` dumps unchanged (a str, of a subclass such as a Division
    too, as its text), or None where dumping may change a value."""
    if field.dump_default is not missing or getattr(field, "as_string", False):
        return None
    kind, serialize = type(field), type(field)._serialize
    if serialize is fields.String._serialize:
        return str
    if serialize is fields.Number._serialize and kind._format_num is fields.Number._format_num:
        return field.num_type  # a Float makes an int a float: only a float is as it is
    if isinstance(field, fields.Boolean) and serialize is fields.Field._serialize:
        return bool
    return None


def _dumped_as_they_are(schema, items):
    """True when ``schema.dump`` would give each of ``items`` back as it is: every key a
    plain field of the schema's, every value None or of the type that field dumps (a
    recompute announces tens of thousands of such payloads; dumping them cost a sixth of
    its time)."""
    kinds = {}
    for name, field in schema.dump_fields.items():
        kind = _dumped_as(field)
        if kind is None or (field.data_key or name) != name or (field.attribute or name) != name:
            return False
        kinds[name] = kind
    for item in items:
        for key, value in item.items():
            kind = kinds.get(key)
            if kind is None:
                return False
            if value is not None and not (isinstance(value, str) if kind is str
                                          else type(value) is kind):
                return False
    return True


def _valid_by_value(schema, items):
    """True when ``schema.validate`` would find nothing in any of ``items``; False when
    it might (then each is validated whole)."""
    if any(getattr(schema, "_hooks", {None: True}).values()):
        return False  # schema-level validators or processors see whole payloads
    loaded = {field.data_key or name: field for name, field in schema.load_fields.items()}
    required = {key for key, field in loaded.items() if field.required}
    values = {key: set() for key in loaded}
    for item in items:
        keys = item.keys()
        if not required <= keys or (schema.unknown == RAISE and not keys <= loaded.keys()):
            return False
        for key, value in item.items():
            if key in values:
                if not isinstance(value, (str, int, float, type(None))):
                    return False  # lists, mappings: loaded whole
                values[key].add((type(value), value))  # True and 1 are not one value
    try:
        for key, seen in values.items():
            for _type, value in seen:
                loaded[key].deserialize(value, key)
    except ValidationError:
        return False
    return True
