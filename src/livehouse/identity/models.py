"""Identity tables: accounts, credentials, tokens, OAuth apps, API keys, codes, audit."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from livehouse.core import clock
from livehouse.core.db import Base, BigId, IdMixin, TimestampMixin, UTCDateTime


class Account(IdMixin, TimestampMixin, Base):
    """A person. Global: one per e-mail address, whatever organisations they deal with."""

    __tablename__ = "accounts"

    email: Mapped[str | None] = mapped_column(String(320))  # None once erased
    email_normalized: Mapped[str | None] = mapped_column(String(320), unique=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    username: Mapped[str | None] = mapped_column(String(50))
    username_normalized: Mapped[str | None] = mapped_column(String(50), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)  # E.164
    phone_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    full_name: Mapped[str | None] = mapped_column(String(200))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    password_hash: Mapped[str | None] = mapped_column(String(255))  # None: social-only account
    status: Mapped[str] = mapped_column(String(16), default="active")  # active|deactivated|erased
    locale: Mapped[str | None] = mapped_column(String(16))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    # Access tokens issued before this instant are refused (password change, erase, logout-all).
    tokens_valid_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_platform_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_active(self) -> bool:
        return self.status == "active"


class SigningKey(Base):
    """Keys that sign access tokens. Private halves are encrypted at rest; public halves are
    published at /.well-known/jwks.json (retired keys stay published until their tokens expire)."""

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    algorithm: Mapped[str] = mapped_column(String(16))
    private_key_encrypted: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OneTimeCode(IdMixin, Base):
    """A single-use secret sent to a person: an OTP (6 digits) or a link token."""

    __tablename__ = "one_time_codes"
    __table_args__ = (Index("ix_one_time_codes_lookup", "account_id", "purpose"),)

    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(32))
    target: Mapped[str | None] = mapped_column(String(320))  # new e-mail/phone being confirmed
    code_hash: Mapped[str] = mapped_column(String(64), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class SocialIdentity(IdMixin, Base):
    __tablename__ = "social_identities"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class AuditEvent(IdMixin, Base):
    """Security-relevant actions (impersonation, key changes, erasure), kept for review."""

    __tablename__ = "audit_events"

    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    action: Mapped[str] = mapped_column(String(64))
    actor_account_id: Mapped[int | None] = mapped_column(BigId, index=True)
    subject_account_id: Mapped[int | None] = mapped_column(BigId, index=True)
    org_id: Mapped[int | None] = mapped_column(BigId, index=True)
    request_id: Mapped[str | None] = mapped_column(String(128))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class OAuthApp(IdMixin, TimestampMixin, Base):
    """An organisation's OAuth client. The secret is shown once and stored as a keyed hash."""

    __tablename__ = "oauth_apps"

    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(50))
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str | None] = mapped_column(String(64))
    secret_hint: Mapped[str | None] = mapped_column(String(8))
    grant_types: Mapped[list[str]] = mapped_column(JSON)
    redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    scopes: Mapped[list[str]] = mapped_column(JSON)  # the most a token from this app may carry
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    sso: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_account_id: Mapped[int | None] = mapped_column(BigId)
    secret_rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiKey(IdMixin, Base):
    """Server-to-server credential of an organisation: `lh_<prefix>_<secret>`."""

    __tablename__ = "api_keys"

    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_by_account_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RefreshToken(IdMixin, Base):
    """Opaque, stored hashed, rotated on every use. Each login starts a family; presenting an
    already-rotated token revokes the whole family (it was stolen, or the client is confused)."""

    __tablename__ = "refresh_tokens"

    family_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    app_id: Mapped[int | None] = mapped_column(ForeignKey("oauth_apps.id", ondelete="CASCADE"))
    org_id: Mapped[int | None] = mapped_column(BigId)
    actor_account_id: Mapped[int | None] = mapped_column(BigId)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_agent: Mapped[str | None] = mapped_column(String(255))
