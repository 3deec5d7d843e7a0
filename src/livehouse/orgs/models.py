"""Organisation tables: the tenants (merchants, organisers, projects), their team, customers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from livehouse.core import clock
from livehouse.core.db import Base, IdMixin, TimestampMixin, UTCDateTime


class Organisation(IdMixin, TimestampMixin, Base):
    __tablename__ = "organisations"

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    info: Mapped[str | None] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(String(1024))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    country: Mapped[str | None] = mapped_column(String(2))
    # [{"name": "website"|"facebook"|…, "value": url}] — validated by the service
    links: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    addresses: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active|suspended
    age_verification_min_age: Mapped[int | None] = mapped_column(Integer)


class Membership(IdMixin, Base):
    """An account on an organisation's team. Permission = the role's scopes, optionally
    narrowed (or widened within the role's ceiling) by `scopes`."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("org_id", "account_id"),)

    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))  # owner|admin|member
    scopes: Mapped[list[str] | None] = mapped_column(JSON)  # None: the role's defaults
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Customer(IdMixin, Base):
    """An account that registered with (or bought from) an organisation: its "registered
    users". Holds the answers to the organisation's custom registration fields."""

    __tablename__ = "org_customers"
    __table_args__ = (UniqueConstraint("org_id", "account_id"),)

    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source: Mapped[str | None] = mapped_column(String(32))  # register|purchase|merchant|import
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
