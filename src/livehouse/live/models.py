"""Live-show tables: live sessions, studio guest categories (perks by ticket tier), what
happens in a show (guests, comments, chat moderation, special requests, video chats) and the
overlays (banners, brand)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from livehouse.core import clock
from livehouse.core.db import Base, BigId, IdMixin, TimestampMixin, UTCDateTime


class LiveSession(IdMixin, Base):
    """One show of an event, from start to stop (Imprxx start live / stop live)."""

    __tablename__ = "live_sessions"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    occurrence_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_occurrences.id", ondelete="SET NULL")
    )  # whose tickets admit viewers; None: any date still to come
    host_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )  # who started it
    name: Mapped[str] = mapped_column(String(200))
    stage_name: Mapped[str] = mapped_column(String(100))
    event_link: Mapped[str | None] = mapped_column(String(1024))
    profile_image_media_id: Mapped[int | None] = mapped_column(
        ForeignKey("media.id", ondelete="SET NULL")
    )
    # The event's id while live, NULL once stopped: at most one live session per event, even
    # for two hosts pressing "start" at the same moment.
    live_key: Mapped[int | None] = mapped_column(BigId, unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class GuestCategory(IdMixin, TimestampMixin, Base):
    """A studio guest category of an event (Imprxx guestCategory): the perks of the viewers
    holding one of its ticket tiers."""

    __tablename__ = "live_guest_categories"
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    commenting: Mapped[bool] = mapped_column(Boolean, default=False)
    live_tipping: Mapped[bool] = mapped_column(Boolean, default=False)
    video_chat: Mapped[bool] = mapped_column(Boolean, default=False)
    special_requests: Mapped[bool] = mapped_column(Boolean, default=False)
    special_request_limit: Mapped[int] = mapped_column(Integer, default=0)  # per live session
    cheerful_entry: Mapped[bool] = mapped_column(Boolean, default=False)
    guest_upgrade: Mapped[bool] = mapped_column(Boolean, default=False)  # host may upgrade them
    rank: Mapped[int] = mapped_column(Integer, default=0)  # several tiers held: highest wins


class CategoryTier(Base):
    """A ticket type (tier) of the event mapped to a guest category; a tier is in one at most."""

    __tablename__ = "live_category_tiers"

    ticket_type_id: Mapped[int] = mapped_column(
        ForeignKey("ticket_types.id", ondelete="CASCADE"), primary_key=True
    )
    category_id: Mapped[int] = mapped_column(
        ForeignKey("live_guest_categories.id", ondelete="CASCADE"), index=True
    )


class LiveGuest(Base):
    """A viewer in one live session: their upgrade, special requests used, first entry."""

    __tablename__ = "live_guests"
    __table_args__ = (UniqueConstraint("live_session_id", "account_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    live_session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("live_guest_categories.id", ondelete="SET NULL")
    )  # set by an upgrade; None: the category of their ticket
    upgraded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    special_requests_used: Mapped[int] = mapped_column(Integer, default=0)  # the counter
    entered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SpecialRequest(IdMixin, TimestampMixin, Base):
    __tablename__ = "live_special_requests"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    live_session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending|accepted|…


class ChatSettings(Base):
    __tablename__ = "live_chat_settings"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    slow_mode_seconds: Mapped[int] = mapped_column(Integer, default=0)  # 0: off


class Chatter(Base):
    """One person in an event's chat: when they last commented (slow mode), and a ban."""

    __tablename__ = "live_chatters"
    __table_args__ = (UniqueConstraint("event_id", "account_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    last_comment_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    banned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    banned_by_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    ban_reason: Mapped[str | None] = mapped_column(String(200))


class Comment(IdMixin, Base):
    __tablename__ = "live_comments"
    __table_args__ = (Index("ix_live_comments_history", "event_id", "id"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    live_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="SET NULL")
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    user_name: Mapped[str] = mapped_column(String(200))  # as they were called when commenting
    category_name: Mapped[str] = mapped_column(String(50))  # Imprxx catName: their category
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )


class Banner(IdMixin, TimestampMixin, Base):
    """A text banner (title, scrollable) or an image / video banner (an organisation's media)."""

    __tablename__ = "live_banners"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    created_by_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(5))  # text|image|video
    title: Mapped[str | None] = mapped_column(String(200))
    scrollable: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[str | None] = mapped_column(String(10))  # top|bottom|…
    media_id: Mapped[int | None] = mapped_column(ForeignKey("media.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(5), default="draft")  # draft|live


class Brand(IdMixin, TimestampMixin, Base):
    """An event's look in the player: colour, logo, overlay, background (one per event)."""

    __tablename__ = "live_brands"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    created_by_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    colour: Mapped[str] = mapped_column(String(32))
    logo_media_id: Mapped[int | None] = mapped_column(ForeignKey("media.id", ondelete="SET NULL"))
    overlay: Mapped[str | None] = mapped_column(String(32))
    background: Mapped[str | None] = mapped_column(String(32))


class VideoChat(IdMixin, TimestampMixin, Base):
    """A fan on video with the entertainer: requested (pending) or invited, accepted, on stage
    (live), then declined or ended."""

    __tablename__ = "live_video_chats"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    host_account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    guest_account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(10))
    requested_by: Mapped[str] = mapped_column(String(5))  # guest|host
    # "<event>:<guest>" while pending, invited, accepted or live, else NULL: one open chat per
    # guest and event, even for concurrent requests.
    open_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
