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
"""
from datetime import date

from sqlalchemy import Boolean, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from fazhi_common.division import COMMUNITY, COUNTY, TOWN, Division
from fazhi_common.errors import ValidationFailed

# the registry's events the read model follows
EVENTS = ("county_registered", "town_registered", "community_registered",
          "community_updated", "community_reorganised")
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

    def apply(self, session, event_type, data):
        """Apply one registry event (its ``data``); idempotent for the same event."""
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
        session.flush()

    def _reorganised(self, session, data):
        # queues are not ordered with each other: the result may not be registered yet
        result = self._unit(session, data["community_code"], COMMUNITY)
        result.county_code = result.county_code or data["county_code"]
        result.town_code = result.town_code or data.get("town_code")
        on = data["effective_on"]
        on = date.fromisoformat(on) if isinstance(on, str) else on
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
