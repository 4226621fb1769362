"""The notifications service's own tables: subscriptions, inbox alerts, deliveries."""
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from fazhi_common.clock import UtcDateTime, utcnow

CODE = String(12)
DEPARTMENT = String(100)
EVENT_ID = String(36)
EVENT_TYPE = String(64)


class Base(DeclarativeBase):
    pass


class Subscription(Base):
    """A department's wish to hear of some event kinds in an area, on one channel."""

    __tablename__ = "subscription"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department: Mapped[str] = mapped_column(DEPARTMENT, index=True)
    area_code: Mapped[str | None] = mapped_column(CODE)
    channel: Mapped[str] = mapped_column(String(16))
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    # kept in clear: signing needs it; it never leaves the service
    webhook_secret: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # deleted subscriptions stay, so their deliveries keep their history
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    kinds: Mapped[list["SubscriptionKind"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="SubscriptionKind.event_type")

    @property
    def event_types(self):
        return [k.event_type for k in self.kinds]


class SubscriptionKind(Base):
    """One event kind a subscription wants; indexed so routing finds subscribers fast."""

    __tablename__ = "subscription_kind"

    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscription.id"),
                                                 primary_key=True)
    event_type: Mapped[str] = mapped_column(EVENT_TYPE, primary_key=True, index=True)


class Alert(Base):
    """An event in a department's inbox. One per event and department, however it came."""

    __tablename__ = "alert"
    __table_args__ = (
        UniqueConstraint("event_id", "department", name="uq_alert_event_department"),
        Index("ix_alert_inbox", "department", "read_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department: Mapped[str] = mapped_column(DEPARTMENT)
    event_id: Mapped[str] = mapped_column(EVENT_ID)
    event_type: Mapped[str] = mapped_column(EVENT_TYPE)
    source: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(500))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    county_code: Mapped[str | None] = mapped_column(CODE)
    town_code: Mapped[str | None] = mapped_column(CODE)
    community_code: Mapped[str | None] = mapped_column(CODE)
    data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    read_by: Mapped[str | None] = mapped_column(String(100))


class Delivery(Base):
    """One event owed to one webhook or e-mail subscription, until it is delivered.

    ``next_attempt_at`` is when it is next due; whoever takes it moves that forward by a
    lease first, so two dispatchers never send it at once. After ``DELIVERY_MAX_ATTEMPTS``
    failures it is ``dead`` until a replay.
    """

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id", name="uq_delivery_subscription_event"),
        Index("ix_delivery_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_key: Mapped[str] = mapped_column(String(36), unique=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscription.id"), index=True)
    department: Mapped[str] = mapped_column(DEPARTMENT, index=True)
    channel: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(500))
    event_id: Mapped[str] = mapped_column(EVENT_ID)
    event_type: Mapped[str] = mapped_column(EVENT_TYPE)
    title: Mapped[str] = mapped_column(String(500))
    envelope: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)  # since creation or replay
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    log: Mapped[list["DeliveryAttempt"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="DeliveryAttempt.number")


class DeliveryAttempt(Base):
    """The delivery log: each attempt, its result, status code or error, and time."""

    __tablename__ = "delivery_attempt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("delivery.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    result: Mapped[str] = mapped_column(String(16))
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    duration_ms: Mapped[int] = mapped_column(Integer)
