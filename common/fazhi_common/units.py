"""A read model of the registry's units, kept from its events, for any service that takes
a unit code: it checks codes against the registry without asking it, so it keeps working
while the registry is down, and it refuses unknown and inactive units, naming what a
reorganised unit became.

A service adds the table to its own models and migrations and subscribes to ``EVENTS``::

    class KnownUnit(UnitColumns, Base):
        __tablename__ = "known_unit"

    UNITS = UnitReadModel(KnownUnit)
    # in an event handler, after claim_event:   UNITS.apply(session, envelope)
    # before taking a code:                     UNITS.require(session, code, COMMUNITY, field)

A code the read model does not hold may be a unit registered a moment ago whose event
waits behind a backlog (a province's import): a service whose entrypoints take codes wraps
them with ``reads_through`` and holds a ``RegistryReadThrough``; a miss then asks the
registry once, as the caller (the gateway-signed identity travels with the call), keeps
what it answers, and runs the entrypoint again. A miss that remains says the registry has
not announced the unit yet.

After an upgrade the registry replays its units as ``unit_snapshot`` events
(``fazhi-registry announce-units``); ``apply_snapshot`` takes one. Each unit remembers the
time of the newest registry fact it holds (``as_of``), so a snapshot read before a change
never undoes that change, whichever arrives first.
"""
import functools
import inspect
import logging
import time
import uuid
from datetime import date, datetime

import eventlet
from kombu import Connection, Consumer, Producer, Queue
from nameko.constants import HEADER_PREFIX, NON_PERSISTENT
from nameko.exceptions import deserialize
from nameko.extensions import DependencyProvider
from nameko.rpc import get_rpc_exchange
from sqlalchemy import Boolean, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from fazhi_common.clock import UtcDateTime
from fazhi_common.contracts.errors import UnitNotAnnounced, ValidationFailed, field_error
from fazhi_common.division import COMMUNITY, COUNTY, TOWN, Division, InvalidDivision
from fazhi_common.messaging import event_handler

log = logging.getLogger(__name__)

# the registry's events the read model follows
EVENTS = ("county_registered", "town_registered", "community_registered",
          "community_updated", "community_reorganised", "unit_snapshot")
LEVEL_WORDS = {COUNTY: "county", TOWN: "town or street", COMMUNITY: "community or village"}
LEVEL_WORDS_ZH = {COUNTY: "县（市、区）", TOWN: "镇（街道）", COMMUNITY: "社区或村"}
# the services that ask the registry on a miss (their broker users may await its replies)
READ_THROUGH_SERVICES = ("mediation", "evaluation", "legalservices", "corrections")


class UnitColumns:
    """The columns of a read-model unit (mix into a service's own declarative class)."""

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str | None] = mapped_column(String(32))
    county_code: Mapped[str | None] = mapped_column(String(12))
    town_code: Mapped[str | None] = mapped_column(String(12))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # a unit a reorganisation made inactive: what it became, how and when
    successor_code: Mapped[str | None] = mapped_column(String(12))
    reorganisation_kind: Mapped[str | None] = mapped_column(String(16))
    reorganised_on: Mapped[date | None] = mapped_column(Date)
    # when the registry stated the newest fact held here (event or snapshot time)
    as_of: Mapped[datetime | None] = mapped_column(UtcDateTime)


def _instant(value):
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _day(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


class UnitReadModel:
    """Applies the registry's events to ``model`` and checks codes against it."""

    def __init__(self, model):
        self.model = model

    def _unit(self, session, code, level):
        unit = session.get(self.model, code)
        if unit is None:
            unit = self.model(code=code, level=level, active=True)
            session.add(unit)
        return unit

    @staticmethod
    def _stale(unit, at):
        """Whether ``unit`` holds a fact newer than one stated ``at`` (a fact of unknown
        time is taken, as before snapshots existed)."""
        return at is not None and unit.as_of is not None and _instant(unit.as_of) > at

    def apply(self, session, event_type, data, occurred_at=None):
        """Apply one registry event (its ``data``, announced at ``occurred_at``);
        idempotent for the same event. An event older than a snapshot already applied
        to a unit does not undo it."""
        at = _instant(occurred_at)
        if event_type == "unit_snapshot":
            self.apply_snapshot(session, data)
            return
        if event_type in ("county_registered", "town_registered", "community_registered",
                          "community_updated"):
            code = data.get("community_code") or data.get("town_code") or data["county_code"]
            existing = session.get(self.model, code)
            if existing is not None and self._stale(existing, at):
                return
        if event_type == "county_registered":
            unit = self._unit(session, data["county_code"], COUNTY)
            unit.name, unit.kind, unit.county_code = data["name"], data["kind"], unit.code
        elif event_type == "town_registered":
            unit = self._unit(session, data["town_code"], TOWN)
            unit.name, unit.kind = data["name"], data["kind"]
            unit.county_code, unit.town_code = data["county_code"], unit.code
        elif event_type in ("community_registered", "community_updated"):
            unit = self._unit(session, data["community_code"], COMMUNITY)
            unit.name, unit.kind = data["name"], data["kind"]
            unit.county_code, unit.town_code = data["county_code"], data.get("town_code")
        elif event_type == "community_reorganised":
            self._reorganised(session, data)
        if at is not None and event_type != "community_reorganised":
            unit.as_of = at  # not stale, so at least as new as what it held
        session.flush()

    def apply_snapshot(self, session, data):
        """Apply a ``unit_snapshot``: each unit's whole state as the registry held it at
        ``taken_at``. A unit holding a newer fact is left alone; applying it again changes
        nothing. Returns how many units it changed."""
        at = _instant(data["taken_at"])
        changed = 0
        for fact in data["units"]:
            unit = session.get(self.model, fact["code"])
            if unit is None:
                unit = self.model(code=fact["code"])
                session.add(unit)
            elif self._stale(unit, at):
                continue
            state = {"level": fact["level"], "name": fact["name"], "kind": fact["kind"],
                     "county_code": fact["county_code"], "town_code": fact.get("town_code"),
                     "active": fact["active"], "successor_code": fact.get("successor_code"),
                     "reorganisation_kind": fact.get("reorganisation_kind"),
                     "reorganised_on": _day(fact.get("reorganised_on"))}
            if any(getattr(unit, key) != value for key, value in state.items()):
                changed += 1
                for key, value in state.items():
                    setattr(unit, key, value)
            unit.as_of = at
        session.flush()
        return changed

    def _reorganised(self, session, data):
        # queues are not ordered with each other: the result may not be registered yet
        result = self._unit(session, data["community_code"], COMMUNITY)
        result.county_code = result.county_code or data["county_code"]
        result.town_code = result.town_code or data.get("town_code")
        on = _day(data["effective_on"])
        for code in data["deactivated_codes"]:
            unit = self._unit(session, code, COMMUNITY)
            if code == result.code:
                continue
            unit.active = False
            unit.successor_code = result.code
            unit.reorganisation_kind = data["reorganisation_kind"]
            unit.reorganised_on = on

    def require(self, session, code, level, field):
        """The unit ``code`` at ``level`` if the registry holds it and it is active;
        ValidationFailed (422) naming the field, and the successor of a reorganised unit."""
        unit = session.get(self.model, str(Division(code)))
        if unit is None or unit.level != level:
            raise not_announced(code, level, field)
        if not unit.active:
            became = (f" ({unit.reorganisation_kind} on {unit.reorganised_on}); use "
                      f"{unit.successor_code}") if unit.successor_code else ""
            raise ValidationFailed(
                f"{unit.name or code} ({code}) is no longer active: it became "
                f"{unit.successor_code or 'another unit'}{became}.",
                {field: [f"inactive; now {unit.successor_code}" if unit.successor_code
                         else "inactive"]})
        return unit

    def require_community(self, session, code, scope, field="community_code"):
        """The county and town codes of the community ``code`` a write names, once it is a
        community's code, ``scope`` may write there (403) and the registry holds it as an
        active unit (422; a merged village names what it became)."""
        try:
            community = Division(code)
        except InvalidDivision as exc:
            raise field_error(field, f"{code}: {exc}") from None
        if community.level != COMMUNITY:
            raise field_error(field, f"{code} is not a community or village code.")
        scope.require_area(code, field=field)
        self.require(session, code, COMMUNITY, field)
        return str(community.county), str(community.town)

    def learn_answer(self, session, level, answer):
        """Keep a unit from the registry's answer for it (``reads_through``): another read
        model (evaluation's communities) keeps its own columns of the same answer."""
        self.learn(session, unit_fact(level, answer))

    def learn(self, session, fact):
        """Keep a unit as the registry answered for it (``unit_fact``), of unknown time:
        any event about it, even one published before, still applies over it."""
        unit = session.get(self.model, fact["code"]) or self.model(code=fact["code"])
        for key, value in fact.items():
            setattr(unit, key, value)
        unit.as_of = None
        session.merge(unit)
        session.flush()


def not_announced(code, level, field):
    """The error of a miss: the registry has not announced the unit (or not yet)."""
    error = UnitNotAnnounced(
        f"登记机关尚未通告{LEVEL_WORDS_ZH[level]} {code}：若刚刚登记，请稍候再试；"
        "若代码有误，请核对统计用区划代码。",
        {field: [f"unknown {LEVEL_WORDS[level]}"]})
    error.unit = (str(code), level)
    return error


_GETTERS = {COUNTY: "get_county", TOWN: "get_town", COMMUNITY: "get_community"}


def unit_fact(level, answer):
    """The read model's columns of a unit from the registry's answer for it."""
    code = answer["code"]
    county = code if level == COUNTY else answer["county_code"]
    town = {COUNTY: None, TOWN: code}.get(level, answer.get("town_code"))
    return {"code": code, "level": level, "name": answer["name"], "kind": answer["kind"],
            "county_code": county, "town_code": town,
            "active": answer.get("status", "active") == "active",
            "successor_code": None, "reorganisation_kind": None,
            "reorganised_on": _day(answer.get("reorganised_on"))}


class RegistryReadThrough(DependencyProvider):
    """``self.registry(method, code)``: the registry's answer, asked on a read-model miss
    (``reads_through``) as the caller: the worker's context data, the gateway-signed
    identity among it, goes with the call, so the registry checks role and area as for any
    read.

    Each call has a connection and an exclusive reply queue of its own, which go with it.
    (nameko's ``RpcProxy`` would share the service's consumer and keep a durable reply
    queue on one node: when that node is lost, re-declaring the queue fails and the
    service's RPC consumer with it.)
    """

    def setup(self):
        self.config = self.container.config
        self.owner = self.container.service_name

    def get_dependency(self, worker_ctx):
        context = worker_ctx.context_data
        return lambda method, code, timeout: _ask(self.config, self.owner, context,
                                                  method, code, timeout)


def _ask(config, owner, context, method, code, timeout):
    exchange = get_rpc_exchange(config)
    reply_to = uuid.uuid4().hex
    replies, returned = [], []
    with Connection(config["AMQP_URI"], connect_timeout=timeout) as connection:
        channel = connection.channel()
        queue = Queue(f"rpc.reply-{owner}-{reply_to}", exchange=exchange,
                      routing_key=reply_to, durable=False, exclusive=True, auto_delete=True)
        with Consumer(channel, [queue], no_ack=True, accept=["json"],
                      callbacks=[lambda body, _message: replies.append(body)]):
            # mandatory: with no registry queue at all the broker returns it at once
            Producer(channel, exchange=exchange, serializer="json",
                     on_return=lambda *_args: returned.append(True)).publish(
                {"args": [code], "kwargs": {}}, routing_key=f"registry.{method}",
                reply_to=reply_to, correlation_id=reply_to, delivery_mode=NON_PERSISTENT,
                headers={f"{HEADER_PREFIX}.{key}": value for key, value in context.items()
                         if value is not None}, expiration=timeout, mandatory=True)
            deadline = time.monotonic() + timeout
            while not replies:
                if returned:
                    raise LookupError("no registry is running")
                connection.drain_events(timeout=max(0.01, deadline - time.monotonic()))
    if replies[0].get("error"):
        raise deserialize(replies[0]["error"])
    return replies[0]["result"]


def reads_through(read_model):
    """Wrap an entrypoint taking unit codes: on ``UnitNotAnnounced``, ask the registry
    (``self.registry``) for that unit once, keep it in ``read_model``, run it again."""
    def wrap(method):
        @functools.wraps(method)
        def entrypoint(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UnitNotAnnounced as missing:
                if not getattr(missing, "unit", None) or not _fetch(
                        self, read_model, *missing.unit):
                    raise
            return method(self, *args, **kwargs)
        # nameko checks the call's arguments against this signature
        entrypoint.__signature__ = inspect.signature(method)
        return entrypoint
    return wrap


def _fetch(service, read_model, code, level):
    seconds = float(service.config["UNIT_READ_THROUGH_SECONDS"])
    try:
        with eventlet.Timeout(seconds):
            answer = service.registry(_GETTERS[level], code, seconds)
    except (Exception, eventlet.Timeout) as exc:  # not held, not in the caller's area, down
        log.info("read-through of %s %s found nothing: %s", level, code, type(exc).__name__)
        return False
    try:
        with service.db.transaction() as session:
            read_model.learn_answer(session, level, answer)
    except Exception as exc:  # e.g. its event came meanwhile: the next attempt tells
        log.info("could not keep %s %s: %s", level, code, exc)
    return True


class KeepsUnits:
    """The registry's unit events kept in a service's read model, once each: a service
    holding one inherits this beside ``ServiceBase`` and names its model in ``units``."""

    units = None  # the service's UnitReadModel

    def _keep_unit(self, envelope, payload, handler):
        self.handle_once(envelope, handler, lambda session: self.units.apply(
            session, envelope["type"], payload, envelope.get("occurred_at")))

    @event_handler("registry", "county_registered")
    def on_county_registered(self, envelope, payload):
        self._keep_unit(envelope, payload, "on_county_registered")

    @event_handler("registry", "town_registered")
    def on_town_registered(self, envelope, payload):
        self._keep_unit(envelope, payload, "on_town_registered")

    @event_handler("registry", "community_registered")
    def on_community_registered(self, envelope, payload):
        self._keep_unit(envelope, payload, "on_community_registered")

    @event_handler("registry", "community_updated")
    def on_community_updated(self, envelope, payload):
        self._keep_unit(envelope, payload, "on_community_updated")

    @event_handler("registry", "community_reorganised")
    def on_community_reorganised(self, envelope, payload):
        self._keep_unit(envelope, payload, "on_community_reorganised")

    @event_handler("registry", "unit_snapshot")
    def on_unit_snapshot(self, envelope, payload):
        # the registry's replay (announce-units), e.g. of units from before an upgrade
        self._keep_unit(envelope, payload, "on_unit_snapshot")
