"""The gateway's own tables: user accounts, API keys of portal systems, revoked tokens, and
its view of the registry's communities (``unit_views``)."""
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


class CommunityView(Base):
    """A community as the registry answers for it, kept from its events (``unit_views``)."""

    __tablename__ = "community_view"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    body: Mapped[str | None] = mapped_column(Text)  # NULL: ask the registry
    etag: Mapped[str | None] = mapped_column(String(40))
    as_of: Mapped[float] = mapped_column(Float)
