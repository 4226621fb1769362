"""Mediation's own tables. Personal data (names, ID numbers, phones) is stored only as
AES-GCM blobs (``*_enc`` columns, see fazhi_common.crypto); areas by 12-digit codes."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
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


class Organisation(Base):
    """A mediation organisation: a people's mediation committee or one of the five
    linkage kinds, serving a county (or one town of it), run by a department."""

    __tablename__ = "mediation_organisation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16), index=True)
    county_code: Mapped[str] = mapped_column(CODE, index=True)
    town_code: Mapped[str | None] = mapped_column(CODE, index=True)
    # a community's own committee (it serves that community first)
    community_code: Mapped[str | None] = mapped_column(CODE)
    department: Mapped[str] = mapped_column(String(100))
    supervising_department: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow,
                                                 server_default=func.now())


class MediationCase(Base):
    """One dispute, from receipt to its end; ``status`` follows domain.TRANSITIONS.

    ``mediation_kind`` and the area codes are copied from the organisation and the
    community so that statistics aggregate one table.
    """

    __tablename__ = "mediation_case"
    __table_args__ = (
        # statistics of the days CaseSums does not cover: filter on the period, group by
        # kind and county; every column the count reads is in the index, so PostgreSQL
        # can answer from it alone
        Index("ix_case_statistics", "received_on", "mediation_kind", "county_code",
              postgresql_include=["accepted_on", "result", "duration_days", "overdue",
                                  "confirmation_court", "confirmed"]),
        Index("ix_case_open_deadlines", "status", "mediation_due_on"),
        # one case per referral: a second delivery of it finds the first (0011)
        Index("uq_case_referral", "referrer_department", "referrer_reference", unique=True),
        Index("ix_case_open_acceptance", "status", "acceptance_due_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("mediation_organisation.id"),
                                                 index=True)
    mediation_kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    referrer_kind: Mapped[str | None] = mapped_column(String(32))
    referrer_department: Mapped[str | None] = mapped_column(String(100), index=True)
    referrer_reference: Mapped[str | None] = mapped_column(String(100))
    dispute_category: Mapped[str] = mapped_column(String(32))
    amount_claimed: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    description: Mapped[str] = mapped_column(Text)
    county_code: Mapped[str] = mapped_column(CODE)
    town_code: Mapped[str] = mapped_column(CODE)
    community_code: Mapped[str] = mapped_column(CODE, index=True)
    status: Mapped[str] = mapped_column(String(24))
    result: Mapped[str | None] = mapped_column(String(16))
    mediator: Mapped[str | None] = mapped_column(String(100))
    received_on: Mapped[date] = mapped_column(Date)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    # traffic disputes: when the parties received the accident liability finding
    liability_finding_on: Mapped[date | None] = mapped_column(Date)
    # traffic: mediation by the traffic police or by the people's mediation committee; the
    # document the police application follows (liability finding, accident certificate,
    # review conclusion; a termination document when police mediation failed) and when
    # the parties received it; the event that starts the police's period
    traffic_procedure: Mapped[str | None] = mapped_column(String(24))
    basis_document: Mapped[str | None] = mapped_column(String(24))
    document_received_on: Mapped[date | None] = mapped_column(Date)
    period_start_event: Mapped[str | None] = mapped_column(String(24))
    period_start_on: Mapped[date | None] = mapped_column(Date)
    # how each deadline was counted ({deadline: [segment, ...]}, see domain), so that a
    # change of the working calendar counts it again
    deadline_basis: Mapped[dict | None] = mapped_column(JSON)
    # a step accepted on a provisional date that an officer must decide on
    officer_review: Mapped[str | None] = mapped_column(Text)
    # what follows a failure (the traffic police's termination document)
    outcome_note: Mapped[str | None] = mapped_column(Text)
    # each deadline is kept with the rule that produced it (shown to the user)
    acceptance_due_on: Mapped[date | None] = mapped_column(Date)
    acceptance_due_rule: Mapped[str | None] = mapped_column(Text)
    mediation_due_on: Mapped[date | None] = mapped_column(Date)
    mediation_due_rule: Mapped[str | None] = mapped_column(Text)
    # an appraisal stops the clock: since when, and what was left of the period
    paused_on: Mapped[date | None] = mapped_column(Date)
    paused_remaining: Mapped[int | None] = mapped_column(Integer)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    extensions: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    extension_reason: Mapped[str | None] = mapped_column(Text)
    concluded_on: Mapped[date | None] = mapped_column(Date)
    duration_days: Mapped[int | None] = mapped_column(Integer)
    agreement_terms: Mapped[str | None] = mapped_column(Text)
    # judicial confirmation is the parties' choice: the window is watched only when they
    # said they will apply
    confirmation_intended: Mapped[bool | None] = mapped_column(Boolean)
    confirmation_due_on: Mapped[date | None] = mapped_column(Date)
    confirmation_due_rule: Mapped[str | None] = mapped_column(Text)
    confirmation_court: Mapped[str | None] = mapped_column(String(100))
    # the court's decision on the application (法释〔2011〕5号 第六条)
    court_decision_due_on: Mapped[date | None] = mapped_column(Date)
    court_decision_due_rule: Mapped[str | None] = mapped_column(Text)
    court_extended: Mapped[bool] = mapped_column(Boolean, default=False,
                                                 server_default=false())
    confirmed: Mapped[bool | None] = mapped_column(Boolean)
    declined_reason: Mapped[str | None] = mapped_column(Text)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    returned_to: Mapped[str | None] = mapped_column(String(200))
    closed_on: Mapped[date | None] = mapped_column(Date)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    # a resident follows an application with the receipt number and a secret given at
    # intake; only a keyed digest of the secret is kept
    receipt_number: Mapped[str | None] = mapped_column(String(32), unique=True, index=True)
    secret_digest: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow,
                                                 server_default=func.now())

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    parties: Mapped[list["CaseParty"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CaseParty.id")
    steps: Mapped[list["CaseStep"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CaseStep.id")


class CaseSums(Base):
    """The statistics' figures summed per month and per year of receipt (``span``), kind,
    county and duration.

    Kept by database triggers on ``mediation_case`` (migration 0006), so the sums change
    in the same transaction as the case, whoever writes it. ``duration_days`` is -1 for a
    case not concluded: a key column cannot be NULL for the upsert to find its row.
    The figures are those ``statistics.FIGURES`` names, in that order.
    """

    __tablename__ = "mediation_case_sums"

    span: Mapped[str] = mapped_column(String(5), primary_key=True)  # month or year
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    mediation_kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    county_code: Mapped[str] = mapped_column(CODE, primary_key=True)
    duration_days: Mapped[int] = mapped_column(Integer, primary_key=True)
    volume: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[int] = mapped_column(Integer)
    declined: Mapped[int] = mapped_column(Integer)
    agreements: Mapped[int] = mapped_column(Integer)
    failures: Mapped[int] = mapped_column(Integer)
    overdue: Mapped[int] = mapped_column(Integer)
    confirmation_not_applied: Mapped[int] = mapped_column(Integer)
    confirmation_pending: Mapped[int] = mapped_column(Integer)
    confirmation_confirmed: Mapped[int] = mapped_column(Integer)
    confirmation_refused: Mapped[int] = mapped_column(Integer)


class CaseParty(Base):
    """A party to a case. Name, ID number and phone are encrypted; ``id_digest`` is a
    keyed HMAC of the ID number, for lookup without storing it."""

    __tablename__ = "mediation_party"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_case.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    id_digest: Mapped[str | None] = mapped_column(String(64), index=True)


class CaseStep(Base):
    """One step of a case's timeline: what was done, by whom, when."""

    __tablename__ = "mediation_step"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_case.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    on: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    actor_role: Mapped[str] = mapped_column(String(40))
    actor_department: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)


class OverdueNotice(Base):
    """One overdue event per case, deadline and due date: what makes the scan idempotent.
    An extension moves the due date, so the new deadline may raise its own event."""

    __tablename__ = "mediation_overdue_notice"

    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_case.id"), primary_key=True)
    deadline: Mapped[str] = mapped_column(String(32), primary_key=True)
    due_on: Mapped[date] = mapped_column(Date, primary_key=True)
    raised_on: Mapped[date] = mapped_column(Date)


class LegalAidReferral(Base):
    """A failed case's applicant sent on to legal aid (once per case): mediation's own
    record of what it announced; the legal services service holds the application."""

    __tablename__ = "mediation_legal_aid_referral"

    case_id: Mapped[int] = mapped_column(ForeignKey("mediation_case.id"), primary_key=True)
    referred_on: Mapped[date] = mapped_column(Date)
    requested_by: Mapped[str] = mapped_column(String(100))


class KnownUnit(UnitColumns, Base):
    """The registry's counties, towns, communities and villages, kept from its events
    (fazhi_common.units): cases and organisations are checked against it."""

    __tablename__ = "known_unit"


class CalendarState(CalendarStateColumns, Base):
    """Each working calendar the stored deadlines were counted on (its fingerprint), the
    latest last. A service that starts with a new calendar recomputes open deadlines."""

    __tablename__ = "mediation_calendar_state"
