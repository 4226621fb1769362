"""The gateway's own tables: user accounts, API keys of portal systems, revoked tokens,
its view of the registry's communities (``unit_views``), and the public rate limit's
counters every worker shares."""
from datetime import datetime

from sqlalchemy import Boolean, Float, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from fazhi_common.clock import UtcDateTime, utcnow


class Base(DeclarativeBase):
    pass


class UserAccount(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(40))
    area: Mapped[str | None] = mapped_column(String(12))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # tokens issued before this instant are void (logout everywhere, password change)
    tokens_valid_after: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # a token carries the generation it was issued under; revoking, disabling or
    # re-enabling bumps it, voiding every earlier token however recent (no clock involved)
    token_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ApiKey(Base):
    """A portal system's key: ``<key_id>.<secret>``; only the secret's hash is kept."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    department: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(40))
    area: Mapped[str | None] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RevokedToken(Base):
    __tablename__ = "revoked_token"

    jti: Mapped[str] = mapped_column(String(36), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class RateWindow(Base):
    """Requests a client made in one minute, counted in the database so that every
    gateway worker and process draws on the same limit."""

    __tablename__ = "rate_window"

    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    window: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)


class CommunityView(Base):
    """A community as the registry answers for it, kept from its events (``unit_views``)."""

    __tablename__ = "community_view"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    body: Mapped[str | None] = mapped_column(Text)  # NULL: ask the registry
    etag: Mapped[str | None] = mapped_column(String(40))
    as_of: Mapped[float] = mapped_column(Float)
