"""Profile tables: personal and performer profiles, categories and tags, follows and mutes,
devices for push notifications. Name, date of birth and phone stay on identity's Account."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from livehouse.core import clock
from livehouse.core.db import Base, IdMixin, TimestampMixin, UTCDateTime


class Profile(TimestampMixin, Base):
    """What a person says about themselves beyond their account. Created on first change."""

    __tablename__ = "profiles"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    first_name: Mapped[str | None] = mapped_column(String(40))
    last_name: Mapped[str | None] = mapped_column(String(40))
    display_name: Mapped[str | None] = mapped_column(String(80))
    bio: Mapped[str | None] = mapped_column(Text)
    gender: Mapped[str | None] = mapped_column(String(40))
    wedding_date: Mapped[date | None] = mapped_column(Date)
    business_name: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str | None] = mapped_column(String(64))
    currency: Mapped[str | None] = mapped_column(String(3))
    image_media_id: Mapped[int | None] = mapped_column(ForeignKey("media.id", ondelete="SET NULL"))
    addresses: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    links: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # [{"network": "instagram", "handle": "…", "followers": 1000}]
    social: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Only the settings a person changed; the rest take their defaults (profiles/privacy.py).
    privacy: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)
    email_preferences: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)
    phone_preferences: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)


class PerformerProfile(IdMixin, TimestampMixin, Base):
    """A person's stage page. While it exists and is active, the person is a performer."""

    __tablename__ = "performer_profiles"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), unique=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    stage_name: Mapped[str | None] = mapped_column(String(100))
    biography: Mapped[str | None] = mapped_column(Text)
    industry: Mapped[str | None] = mapped_column(String(100))
    genre: Mapped[str | None] = mapped_column(String(100))
    links: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    image_media_id: Mapped[int | None] = mapped_column(ForeignKey("media.id", ondelete="SET NULL"))
    price_amount: Mapped[int | None] = mapped_column(BigInteger)  # minor units
    price_currency: Mapped[str | None] = mapped_column(String(3))
    invite_code: Mapped[str] = mapped_column(String(8), unique=True)


class PerformerSlide(Base):
    """The performer page's "dedicated slides": images in order."""

    __tablename__ = "performer_slides"

    performer_id: Mapped[int] = mapped_column(
        ForeignKey("performer_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id", ondelete="CASCADE"), index=True)


class Category(IdMixin, Base):
    """Platform-wide (streamer, comedian, music and theatre…); platform admins manage them."""

    __tablename__ = "categories"

    name: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class PerformerCategory(Base):
    __tablename__ = "performer_categories"

    performer_id: Mapped[int] = mapped_column(
        ForeignKey("performer_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Tag(IdMixin, Base):
    """A label. Platform-wide when `org_id` is null (platform admins), else an organisation's."""

    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("org_id", "slug"),)

    org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(50))
    slug: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Connection(IdMixin, Base):
    """A person following or muting another person or an organisation (exactly one target)."""

    __tablename__ = "connections"
    __table_args__ = (
        UniqueConstraint("kind", "account_id", "target_account_id"),
        UniqueConstraint("kind", "account_id", "target_org_id"),
        CheckConstraint(
            "(target_account_id IS NULL) <> (target_org_id IS NULL)", name="one_target"
        ),
    )

    kind: Mapped[str] = mapped_column(String(8))  # follow|mute
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    target_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    target_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Device(IdMixin, TimestampMixin, Base):
    """A signed-in device and its push token (Firebase Cloud Messaging), for notifications."""

    __tablename__ = "devices"
    __table_args__ = (UniqueConstraint("account_id", "device_id"),)

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    device_id: Mapped[str] = mapped_column(String(255))
    platform: Mapped[str | None] = mapped_column(String(16))  # ios|android|web
    push_token: Mapped[str | None] = mapped_column(Text)
    # A token reaches one device, so it belongs to one account at a time (unique by hash:
    # tokens are long).
    push_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
