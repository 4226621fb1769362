"""Corrections' own tables. Names, ID numbers, offences, addresses, plans, notes and
destinations are stored only as AES-GCM blobs (``*_enc`` columns, fazhi_common.crypto);
areas by 12-digit codes."""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from fazhi_common.calendar_changes import CalendarStateColumns
from fazhi_common.clock import UtcDateTime, utcnow
from fazhi_common.units import UnitColumns

CODE = String(12)


class Base(DeclarativeBase):
    pass


class Person(Base):
    """One person's file: under community correction, or in resettlement help after
    release; ``status`` follows domain.TRANSITIONS."""

    __tablename__ = "corrections_person"
    __table_args__ = (
        # the counts group by area and status
        Index("ix_person_counts", "county_code", "status"),
        Index("ix_person_report_due", "status", "report_due_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    correction_type: Mapped[str | None] = mapped_column(String(24))
    county_code: Mapped[str] = mapped_column(CODE)
    town_code: Mapped[str] = mapped_column(CODE, index=True)
    community_code: Mapped[str] = mapped_column(CODE, index=True)
    officer: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(24))
    name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    offence_enc: Mapped[bytes] = mapped_column(LargeBinary)
    address_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    plan_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    decided_on: Mapped[date] = mapped_column(Date)
    received_on: Mapped[date] = mapped_column(Date)
    report_due_on: Mapped[date | None] = mapped_column(Date)
    report_due_rule: Mapped[str | None] = mapped_column(String(200))
    reported_on: Mapped[date | None] = mapped_column(Date)
    days_late: Mapped[int | None] = mapped_column(Integer)
    term_ends_on: Mapped[date | None] = mapped_column(Date)
    help_ends_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(24))
    reoffended: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow,
                                                 server_default=func.now())

    records: Mapped[list["Record"]] = relationship(order_by="Record.id",
                                                   back_populates="person")
    leaves: Mapped[list["Leave"]] = relationship(order_by="Leave.id", back_populates="person")


class Record(Base):
    """One step of the file: report, visit, plan, assessment, reward, penalty, ..."""

    __tablename__ = "corrections_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("corrections_person.id"), index=True)
    action: Mapped[str] = mapped_column(String(24))
    on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str | None] = mapped_column(String(32))   # penalty, reward or grade
    ground: Mapped[str | None] = mapped_column(String(32))
    notes_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    recorded_by: Mapped[str] = mapped_column(String(100))

    person: Mapped[Person] = relationship(back_populates="records")


class Leave(Base):
    """A request to leave the city or county (外出请假) and its decision."""

    __tablename__ = "corrections_leave"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("corrections_person.id"), index=True)
    reason: Mapped[str] = mapped_column(String(16))
    destination_enc: Mapped[bytes] = mapped_column(LargeBinary)
    applied_on: Mapped[date] = mapped_column(Date)
    leaves_on: Mapped[date] = mapped_column(Date)
    returns_on: Mapped[date] = mapped_column(Date)
    days: Mapped[int] = mapped_column(Integer)
    approval_level: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_on: Mapped[date | None] = mapped_column(Date)
    returned_on: Mapped[date | None] = mapped_column(Date)
    returned_late: Mapped[bool | None] = mapped_column(Boolean)

    person: Mapped[Person] = relationship(back_populates="leaves")


class KnownUnit(UnitColumns, Base):
    """The registry's counties, towns, communities and villages, kept from its events
    (fazhi_common.units): a file's community is checked against it."""

    __tablename__ = "known_unit"


class CalendarState(CalendarStateColumns, Base):
    """Each working calendar the report deadlines were counted on, the latest last
    (fazhi_common.calendar_changes)."""

    __tablename__ = "corrections_calendar_state"
