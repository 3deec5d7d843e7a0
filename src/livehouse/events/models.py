"""Events tables: events, their occurrences (materialised from the rule), sessions, speakers,
saves, shares and reviews. Ticketing refers to `events.id`, `event_occurrences.id` and
`event_sessions.id`; it reads capacity from `events.capacity` / `event_occurrences.capacity`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from livehouse.core import clock
from livehouse.core.db import Base, IdMixin, TimestampMixin, UTCDateTime


class Event(IdMixin, TimestampMixin, Base):
    __tablename__ = "events"

    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    created_by_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    duplicated_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(String(200))
    sort_name: Mapped[str] = mapped_column(String(200), index=True)  # casefolded, for ordering
    display_name: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    event_type: Mapped[str] = mapped_column(String(10))  # venue|online|hybrid
    category: Mapped[str | None] = mapped_column(String(100), index=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    timezone: Mapped[str] = mapped_column(String(64))  # IANA; rule times are wall-clock here
    currency: Mapped[str] = mapped_column(String(3))
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    tax_code: Mapped[str | None] = mapped_column(String(20))
    tax_rate_bp: Mapped[int | None] = mapped_column(Integer)  # basis points: 1000 = 10 %
    terminology: Mapped[str] = mapped_column(String(20), default="ticket")
    # Event-wide number of places, for ticketing (None: unlimited / per ticket type).
    capacity: Mapped[int | None] = mapped_column(Integer)
    banners: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    resources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    links: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    custom_attributes: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    tracking_codes: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    venue: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    # Copied out of `venue` for filtering and search.
    venue_name: Mapped[str | None] = mapped_column(String(200))
    venue_city: Mapped[str | None] = mapped_column(String(100), index=True)
    venue_state: Mapped[str | None] = mapped_column(String(100))
    venue_country: Mapped[str | None] = mapped_column(String(2), index=True)
    # The stream link is shown to organisers only.
    online: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))

    occurrence_rule: Mapped[dict[str, Any]] = mapped_column(JSON)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # first occurrence
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # end of the last one
    # Occurrence rows exist up to here (None: all of them); a job moves it forward.
    materialised_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    horizon_job_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    publishing: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    listed: Mapped[bool] = mapped_column(Boolean, default=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    live_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspend_reason: Mapped[str | None] = mapped_column(Text)


class Occurrence(IdMixin, Base):
    """One time the event takes place. Rows are kept for occurrences that have begun (history,
    tickets); future rows follow the rule."""

    __tablename__ = "event_occurrences"
    __table_args__ = (UniqueConstraint("event_id", "starts_at"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    capacity: Mapped[int | None] = mapped_column(Integer)  # for ticketing; None: the event's
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class EventSession(IdMixin, TimestampMixin, Base):
    """A part of one occurrence (a talk, a set). `sold_individually` tells ticketing it may sell
    tickets for this session alone."""

    __tablename__ = "event_sessions"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("event_occurrences.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(75))
    description: Mapped[str | None] = mapped_column(Text)
    image: Mapped[str | None] = mapped_column(String(1024))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sold_individually: Mapped[bool] = mapped_column(Boolean, default=False)


class Speaker(IdMixin, TimestampMixin, Base):
    """Invited by e-mail; bound to an account when the invitation is accepted."""

    __tablename__ = "event_speakers"
    __table_args__ = (UniqueConstraint("event_id", "email_normalized"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    email_normalized: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    bio: Mapped[str | None] = mapped_column(Text)
    image: Mapped[str | None] = mapped_column(String(1024))
    status: Mapped[str] = mapped_column(String(16), default="invited")  # invited|accepted
    token_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    invite_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    sent_count: Mapped[int] = mapped_column(Integer, default=1)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Save(IdMixin, Base):
    __tablename__ = "event_saves"
    __table_args__ = (UniqueConstraint("event_id", "account_id"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Share(IdMixin, Base):
    """One act of sharing (an account may share an event many times, on many channels)."""

    __tablename__ = "event_shares"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Review(IdMixin, TimestampMixin, Base):
    __tablename__ = "event_reviews"
    __table_args__ = (UniqueConstraint("event_id", "account_id"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    rating: Mapped[int] = mapped_column(Integer)  # 1-5
    text: Mapped[str | None] = mapped_column(Text)
