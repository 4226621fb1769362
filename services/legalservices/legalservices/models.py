"""The legal services service's own tables. Applicants' and callers' personal data is
stored only as AES-GCM blobs (``*_enc`` columns, see fazhi_common.crypto)."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from fazhi_common.calendar_changes import CalendarStateColumns
from fazhi_common.clock import UtcDateTime, utcnow
from fazhi_common.units import UnitColumns

CODE = String(12)


class Base(DeclarativeBase):
    pass


class LegalAidApplication(Base):
    """A legal-aid application (法律援助); ``status`` follows legal_aid.TRANSITIONS and each
    deadline is kept with its rule. ``case_id`` is mediation's case it came from, if any
    (a reference across services, never a foreign key)."""

    __tablename__ = "legal_aid_application"
    __table_args__ = (Index("ix_legal_aid_status", "status", "county_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_code: Mapped[str] = mapped_column(CODE, index=True)
    county_code: Mapped[str] = mapped_column(CODE, index=True)
    applicant_role: Mapped[str] = mapped_column(String(16))
    name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    matter: Mapped[str] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    received_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(24), default="received")
    # staff (a justice office), portal (the resident), case (a failed mediation)
    channel: Mapped[str] = mapped_column(String(16), default="staff", server_default="staff")
    last_step_on: Mapped[date | None] = mapped_column(Date)
    decision_due_on: Mapped[date | None] = mapped_column(Date)
    decision_due_rule: Mapped[str | None] = mapped_column(Text)
    # missing materials: the decision period stops (not counted) until they arrive
    missing_materials: Mapped[str | None] = mapped_column(Text)
    materials_requested_on: Mapped[date | None] = mapped_column(Date)
    materials_due_on: Mapped[date | None] = mapped_column(Date)
    materials_due_rule: Mapped[str | None] = mapped_column(Text)
    decision_days_left: Mapped[int | None] = mapped_column(Integer)
    decided_on: Mapped[date | None] = mapped_column(Date)
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    termination_reason: Mapped[str | None] = mapped_column(Text)
    terminated_on: Mapped[date | None] = mapped_column(Date)
    objection_to: Mapped[str | None] = mapped_column(String(16))
    objection_route: Mapped[str | None] = mapped_column(Text)
    objection_reason: Mapped[str | None] = mapped_column(Text)
    objected_on: Mapped[date | None] = mapped_column(Date)
    objection_due_on: Mapped[date | None] = mapped_column(Date)
    objection_due_rule: Mapped[str | None] = mapped_column(Text)
    objection_decision: Mapped[str | None] = mapped_column(String(16))
    objection_decided_on: Mapped[date | None] = mapped_column(Date)
    assignment_due_on: Mapped[date | None] = mapped_column(Date)
    assignment_due_rule: Mapped[str | None] = mapped_column(Text)
    provider: Mapped[str | None] = mapped_column(String(100))
    provider_kind: Mapped[str | None] = mapped_column(String(32))
    assigned_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None] = mapped_column(Date)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    receipt_number: Mapped[str | None] = mapped_column(String(32), unique=True, index=True)
    secret_digest: Mapped[str | None] = mapped_column(String(64))
    # copied from mediation's database (fazhi-legalservices migrate-from-mediation): its
    # old id, which makes the copy idempotent, and a secret digest under mediation's key
    mediation_id: Mapped[int | None] = mapped_column(Integer, unique=True)

    deadline_changes: Mapped[list["LegalAidDeadlineChange"]] = relationship(
        order_by="LegalAidDeadlineChange.id", back_populates="application")


class LegalAidDeadlineChange(Base):
    """A running deadline the platform moved (the working calendar changed): the
    application's history of dates it did not set by a step."""

    __tablename__ = "legal_aid_deadline_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("legal_aid_application.id"),
                                                index=True)
    deadline: Mapped[str] = mapped_column(String(32))
    previous_due_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    changed_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(32))

    application: Mapped[LegalAidApplication] = relationship(back_populates="deadline_changes")


class CalendarState(CalendarStateColumns, Base):
    """Each working calendar legal aid's stored deadlines were counted on, the latest last
    (fazhi_common.calendar_changes)."""

    __tablename__ = "legalservices_calendar_state"


class LegalAidOverdueNotice(Base):
    """One overdue event per application, deadline and due date (the scan's idempotence)."""

    __tablename__ = "legal_aid_overdue_notice"

    application_id: Mapped[int] = mapped_column(ForeignKey("legal_aid_application.id"),
                                                primary_key=True)
    deadline: Mapped[str] = mapped_column(String(32), primary_key=True)
    due_on: Mapped[date] = mapped_column(Date, primary_key=True)
    raised_on: Mapped[date] = mapped_column(Date)


class HotlineConsultation(Base):
    """A consultation on the 12348 legal hotline, linked to the caller's community."""

    __tablename__ = "hotline_consultation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_code: Mapped[str] = mapped_column(CODE, index=True)
    county_code: Mapped[str] = mapped_column(CODE, index=True)
    consulted_on: Mapped[date] = mapped_column(Date, index=True)
    topic: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)
    caller_phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    answered_by: Mapped[str] = mapped_column(String(100))
    mediation_id: Mapped[int | None] = mapped_column(Integer, unique=True)


class GovernmentAdviser(Base):
    """A legal adviser (a person or a firm) under contract to a city, county or town
    government (三级政府法律顾问) for a term."""

    __tablename__ = "government_adviser"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    government_code: Mapped[str] = mapped_column(CODE, index=True)
    level: Mapped[str] = mapped_column(String(8))
    county_code: Mapped[str | None] = mapped_column(CODE, index=True)
    government_body: Mapped[str] = mapped_column(String(100))
    adviser_name: Mapped[str] = mapped_column(String(100))
    adviser_kind: Mapped[str] = mapped_column(String(8))
    firm: Mapped[str | None] = mapped_column(String(100))
    term_start: Mapped[date] = mapped_column(Date)
    term_end: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow,
                                                 server_default=func.now())


class AdviserOpinion(Base):
    """One opinion a government adviser gave: the matter, the day, the kind."""

    __tablename__ = "adviser_opinion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    adviser_id: Mapped[int] = mapped_column(ForeignKey("government_adviser.id"), index=True)
    government_code: Mapped[str] = mapped_column(CODE, index=True)
    matter: Mapped[str] = mapped_column(Text)
    given_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(Text)


class CommunityVisit(Base):
    """A lawyer's visit or service in a community (律师进社区)."""

    __tablename__ = "community_visit"
    __table_args__ = (Index("ix_visit_totals", "visited_on", "county_code",
                            "community_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_code: Mapped[str] = mapped_column(CODE, index=True)
    town_code: Mapped[str] = mapped_column(CODE)
    county_code: Mapped[str] = mapped_column(CODE)
    lawyer: Mapped[str] = mapped_column(String(100))
    visited_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    topic: Mapped[str] = mapped_column(String(200))
    residents_served: Mapped[int] = mapped_column(Integer)
    # the registry's adviser of the community that day (read model), for the record
    community_adviser: Mapped[str | None] = mapped_column(String(100))


class CommunityAdviser(Base):
    """The registry's "one community, one legal adviser" assignments, kept from its
    legal_adviser_assigned / _removed events (never read from the registry's tables)."""

    __tablename__ = "community_adviser"

    assignment_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_code: Mapped[str] = mapped_column(CODE, index=True)
    adviser_name: Mapped[str] = mapped_column(String(100))
    adviser_kind: Mapped[str] = mapped_column(String(32))
    assigned_on: Mapped[date] = mapped_column(Date)
    removed_on: Mapped[date | None] = mapped_column(Date)


class KnownUnit(UnitColumns, Base):
    """The registry's counties, towns, communities and villages, kept from its events
    (fazhi_common.units): every code taken is checked here."""

    __tablename__ = "known_unit"
