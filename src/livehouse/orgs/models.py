"""Organisation tables: the tenants (merchants, organisers, projects), their team and
invitations, customers and registration fields, master/follower relations, settings, billing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from livehouse.core import clock
from livehouse.core.db import Base, BigId, IdMixin, TimestampMixin, UTCDateTime


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


class Invitation(IdMixin, Base):
    """An e-mail invitation to join an organisation's team. The link token is stored as a keyed
    hash and cleared once used; a resend replaces it (the old link stops working)."""

    __tablename__ = "org_invitations"
    __table_args__ = (Index("ix_org_invitations_org_email", "org_id", "email_normalized"),)

    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    email_normalized: Mapped[str] = mapped_column(String(320))
    first_name: Mapped[str | None] = mapped_column(String(40))
    last_name: Mapped[str | None] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[list[str] | None] = mapped_column(JSON)
    token_hash: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|accepted
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    invited_by_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    accepted_by_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    membership_id: Mapped[int | None] = mapped_column(
        ForeignKey("memberships.id", ondelete="SET NULL")
    )
    sent_count: Mapped[int] = mapped_column(Integer, default=1)
    last_sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Relation(IdMixin, Base):
    """Master → follower: the master's team may act on the follower within `scopes`.

    A follower has one master and relations are one level deep (a master is never a follower),
    so `authorize` looks one hop up, no further. `proposed_scopes` wait for the follower's
    owner to agree (a new link, or a widening of a linked follower's scopes)."""

    __tablename__ = "org_relations"

    master_org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    follower_org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), unique=True
    )
    origin: Mapped[str] = mapped_column(String(16))  # created|linked
    status: Mapped[str] = mapped_column(String(16))  # pending|active
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    proposed_scopes: Mapped[list[str] | None] = mapped_column(JSON)
    payment_methods: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)
    created_by_account_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OrgSettings(Base):
    """Per-organisation switches, one row per organisation (created on first change):
    privacy settings (only the ones set; the rest take their defaults from `privacy.DEFAULTS`)
    and the platform's extended status flags."""

    __tablename__ = "org_settings"

    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    privacy: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)
    muted: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    transaction_on_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)


class BillingInformation(Base):
    """Who the organisation is billed as (a postal address, not a secret)."""

    __tablename__ = "org_billing_information"

    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    company_name: Mapped[str | None] = mapped_column(String(200))
    tax_id: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)


class PayoutInformation(Base):
    """Where payouts go. The bank details are one Fernet-encrypted JSON document (core.security):
    they must be read back to pay out, and a stolen table must not reveal them."""

    __tablename__ = "org_payout_information"

    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    details_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)


class RegistrationField(IdMixin, Base):
    """A custom question an organisation asks at sign-up; answers live in `Customer.fields`."""

    __tablename__ = "org_registration_fields"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(50))
    label: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16))  # text|number|date|select|checkbox|email|phone
    default_value: Mapped[str | None] = mapped_column(String(1000))
    placeholder: Mapped[str | None] = mapped_column(String(200))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    options: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
