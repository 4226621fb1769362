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

After an upgrade the registry replays its units as ``unit_snapshot`` events
(``fazhi-registry announce-units``); ``apply_snapshot`` takes one. Each unit remembers the
time of the newest registry fact it holds (``as_of``), so a snapshot read before a change
never undoes that change, whichever arrives first.
"""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from fazhi_common.clock import UtcDateTime
from fazhi_common.contracts.errors import ValidationFailed
from fazhi_common.division import COMMUNITY, COUNTY, TOWN, Division

# the registry's events the read model follows
EVENTS = ("county_registered", "town_registered", "community_registered",
          "community_updated", "community_reorganised", "unit_snapshot")
LEVEL_WORDS = {COUNTY: "county", TOWN: "town or street", COMMUNITY: "community or village"}


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
        word = LEVEL_WORDS[level]
        if unit is None or unit.level != level:
            raise ValidationFailed(
                f"{code} is not a {word} the registry holds.",
                {field: [f"unknown {word}"]})
        if not unit.active:
            became = (f" ({unit.reorganisation_kind} on {unit.reorganised_on}); use "
                      f"{unit.successor_code}") if unit.successor_code else ""
            raise ValidationFailed(
                f"{unit.name or code} ({code}) is no longer active: it became "
                f"{unit.successor_code or 'another unit'}{became}.",
                {field: [f"inactive; now {unit.successor_code}" if unit.successor_code
                         else "inactive"]})
        return unit
