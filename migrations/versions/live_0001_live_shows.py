"""live shows

Revision ID: live_0001
Revises:
Create Date: 2026-11-24 06:04:53.000385
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "live_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("live",)
depends_on: str | Sequence[str] | None = ["ticketing_0001", "media_0001", "events_0001"]


def upgrade() -> None:
    op.create_table(
        "live_banners",
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "created_by_account_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("kind", sa.String(length=5), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("scrollable", sa.Boolean(), nullable=False),
        sa.Column("position", sa.String(length=10), nullable=True),
        sa.Column("media_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("status", sa.String(length=5), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("public_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_live_banners_created_by_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_live_banners_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["media_id"],
            ["media.id"],
            name=op.f("fk_live_banners_media_id_media"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_banners")),
    )
    with op.batch_alter_table("live_banners", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_live_banners_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_live_banners_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_live_banners_public_id"), ["public_id"], unique=True)

    op.create_table(
        "live_brands",
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "created_by_account_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("colour", sa.String(length=32), nullable=False),
        sa.Column(
            "logo_media_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("overlay", sa.String(length=32), nullable=True),
        sa.Column("background", sa.String(length=32), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("public_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_live_brands_created_by_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_live_brands_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["logo_media_id"],
            ["media.id"],
            name=op.f("fk_live_brands_logo_media_id_media"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_brands")),
        sa.UniqueConstraint("event_id", name=op.f("uq_live_brands_event_id")),
    )
    with op.batch_alter_table("live_brands", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_live_brands_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_live_brands_public_id"), ["public_id"], unique=True)

    op.create_table(
        "live_chat_settings",
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("slow_mode_seconds", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_live_chat_settings_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_live_chat_settings")),
    )
    op.create_table(
        "live_chatters",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("last_comment_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("banned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "banned_by_account_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("ban_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_live_chatters_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["banned_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_live_chatters_banned_by_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_live_chatters_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_chatters")),
        sa.UniqueConstraint(
            "event_id", "account_id", name=op.f("uq_live_chatters_event_id_account_id")
        ),
    )
    with op.batch_alter_table("live_chatters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_live_chatters_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "live_guest_categories",
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("commenting", sa.Boolean(), nullable=False),
        sa.Column("live_tipping", sa.Boolean(), nullable=False),
        sa.Column("video_chat", sa.Boolean(), nullable=False),
        sa.Column("special_requests", sa.Boolean(), nullable=False),
        sa.Column("special_request_limit", sa.Integer(), nullable=False),
        sa.Column("cheerful_entry", sa.Boolean(), nullable=False),
        sa.Column("guest_upgrade", sa.Boolean(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("public_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_live_guest_categories_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_guest_categories")),
        sa.UniqueConstraint(
            "event_id", "name", name=op.f("uq_live_guest_categories_event_id_name")
        ),
    )
    with op.batch_alter_table("live_guest_categories", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_live_guest_categories_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_live_guest_categories_event_id"), ["event_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_live_guest_categories_public_id"), ["public_id"], unique=True
        )

    op.create_table(
        "live_video_chats",
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "host_account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "guest_account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_by", sa.String(length=5), nullable=False),
        sa.Column("open_key", sa.String(length=64), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("public_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_live_video_chats_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["guest_account_id"],
            ["accounts.id"],
            name=op.f("fk_live_video_chats_guest_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["host_account_id"],
            ["accounts.id"],
            name=op.f("fk_live_video_chats_host_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_video_chats")),
        sa.UniqueConstraint("open_key", name=op.f("uq_live_video_chats_open_key")),
    )
    with op.batch_alter_table("live_video_chats", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_live_video_chats_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_live_video_chats_event_id"), ["event_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_live_video_chats_guest_account_id"), ["guest_account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_live_video_chats_host_account_id"), ["host_account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_live_video_chats_public_id"), ["public_id"], unique=True
        )

    op.create_table(
        "live_sessions",
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "occurrence_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "host_account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("stage_name", sa.String(length=100), nullable=False),
        sa.Column("event_link", sa.String(length=1024), nullable=True),
        sa.Column(
            "profile_image_media_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("live_key", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("public_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_live_sessions_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["host_account_id"],
            ["accounts.id"],
            name=op.f("fk_live_sessions_host_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["event_occurrences.id"],
            name=op.f("fk_live_sessions_occurrence_id_event_occurrences"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_live_sessions_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["profile_image_media_id"],
            ["media.id"],
            name=op.f("fk_live_sessions_profile_image_media_id_media"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_sessions")),
        sa.UniqueConstraint("live_key", name=op.f("uq_live_sessions_live_key")),
    )
    with op.batch_alter_table("live_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_live_sessions_ended_at"), ["ended_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_live_sessions_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_live_sessions_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_live_sessions_public_id"), ["public_id"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_live_sessions_started_at"), ["started_at"], unique=False
        )

    op.create_table(
        "live_comments",
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "live_session_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("user_name", sa.String(length=200), nullable=False),
        sa.Column("category_name", sa.String(length=50), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "hidden_by_account_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("public_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_live_comments_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_live_comments_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_live_comments_hidden_by_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["live_session_id"],
            ["live_sessions.id"],
            name=op.f("fk_live_comments_live_session_id_live_sessions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_comments")),
    )
    with op.batch_alter_table("live_comments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_live_comments_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index("ix_live_comments_history", ["event_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_live_comments_public_id"), ["public_id"], unique=True)

    op.create_table(
        "live_guests",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "live_session_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "category_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("upgraded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("special_requests_used", sa.Integer(), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_live_guests_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["live_guest_categories.id"],
            name=op.f("fk_live_guests_category_id_live_guest_categories"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["live_session_id"],
            ["live_sessions.id"],
            name=op.f("fk_live_guests_live_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_guests")),
        sa.UniqueConstraint(
            "live_session_id", "account_id", name=op.f("uq_live_guests_live_session_id_account_id")
        ),
    )
    with op.batch_alter_table("live_guests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_live_guests_account_id"), ["account_id"], unique=False)

    op.create_table(
        "live_special_requests",
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "live_session_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("public_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_live_special_requests_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_live_special_requests_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["live_session_id"],
            ["live_sessions.id"],
            name=op.f("fk_live_special_requests_live_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_special_requests")),
    )
    with op.batch_alter_table("live_special_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_live_special_requests_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_live_special_requests_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_live_special_requests_event_id"), ["event_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_live_special_requests_live_session_id"),
            ["live_session_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_live_special_requests_public_id"), ["public_id"], unique=True
        )

    op.create_table(
        "live_category_tiers",
        sa.Column(
            "ticket_type_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "category_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["live_guest_categories.id"],
            name=op.f("fk_live_category_tiers_category_id_live_guest_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_type_id"],
            ["ticket_types.id"],
            name=op.f("fk_live_category_tiers_ticket_type_id_ticket_types"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ticket_type_id", name=op.f("pk_live_category_tiers")),
    )
    with op.batch_alter_table("live_category_tiers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_live_category_tiers_category_id"), ["category_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("live_category_tiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_category_tiers_category_id"))

    op.drop_table("live_category_tiers")
    with op.batch_alter_table("live_special_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_special_requests_public_id"))
        batch_op.drop_index(batch_op.f("ix_live_special_requests_live_session_id"))
        batch_op.drop_index(batch_op.f("ix_live_special_requests_event_id"))
        batch_op.drop_index(batch_op.f("ix_live_special_requests_created_at"))
        batch_op.drop_index(batch_op.f("ix_live_special_requests_account_id"))

    op.drop_table("live_special_requests")
    with op.batch_alter_table("live_guests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_guests_account_id"))

    op.drop_table("live_guests")
    with op.batch_alter_table("live_comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_comments_public_id"))
        batch_op.drop_index("ix_live_comments_history")
        batch_op.drop_index(batch_op.f("ix_live_comments_account_id"))

    op.drop_table("live_comments")
    with op.batch_alter_table("live_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_sessions_started_at"))
        batch_op.drop_index(batch_op.f("ix_live_sessions_public_id"))
        batch_op.drop_index(batch_op.f("ix_live_sessions_org_id"))
        batch_op.drop_index(batch_op.f("ix_live_sessions_event_id"))
        batch_op.drop_index(batch_op.f("ix_live_sessions_ended_at"))

    op.drop_table("live_sessions")
    with op.batch_alter_table("live_video_chats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_video_chats_public_id"))
        batch_op.drop_index(batch_op.f("ix_live_video_chats_host_account_id"))
        batch_op.drop_index(batch_op.f("ix_live_video_chats_guest_account_id"))
        batch_op.drop_index(batch_op.f("ix_live_video_chats_event_id"))
        batch_op.drop_index(batch_op.f("ix_live_video_chats_created_at"))

    op.drop_table("live_video_chats")
    with op.batch_alter_table("live_guest_categories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_guest_categories_public_id"))
        batch_op.drop_index(batch_op.f("ix_live_guest_categories_event_id"))
        batch_op.drop_index(batch_op.f("ix_live_guest_categories_created_at"))

    op.drop_table("live_guest_categories")
    with op.batch_alter_table("live_chatters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_chatters_account_id"))

    op.drop_table("live_chatters")
    op.drop_table("live_chat_settings")
    with op.batch_alter_table("live_brands", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_brands_public_id"))
        batch_op.drop_index(batch_op.f("ix_live_brands_created_at"))

    op.drop_table("live_brands")
    with op.batch_alter_table("live_banners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_banners_public_id"))
        batch_op.drop_index(batch_op.f("ix_live_banners_event_id"))
        batch_op.drop_index(batch_op.f("ix_live_banners_created_at"))

    op.drop_table("live_banners")
