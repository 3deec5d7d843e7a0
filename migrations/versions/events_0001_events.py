"""events

Revision ID: events_0001
Revises: identity_0002
Create Date: 2026-11-24 04:29:19.878731
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "events_0001"
down_revision: str | Sequence[str] | None = "identity_0002"
branch_labels: str | Sequence[str] | None = ("events",)
depends_on: str | Sequence[str] | None = "orgs_0001"


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "created_by_account_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column(
            "duplicated_from_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sort_name", sa.String(length=200), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("event_type", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("tax_code", sa.String(length=20), nullable=True),
        sa.Column("tax_rate_bp", sa.Integer(), nullable=True),
        sa.Column("terminology", sa.String(length=20), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("banners", sa.JSON(), nullable=False),
        sa.Column("resources", sa.JSON(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("custom_attributes", sa.JSON(), nullable=False),
        sa.Column("tracking_codes", sa.JSON(), nullable=False),
        sa.Column("venue", sa.JSON(), nullable=True),
        sa.Column("venue_name", sa.String(length=200), nullable=True),
        sa.Column("venue_city", sa.String(length=100), nullable=True),
        sa.Column("venue_state", sa.String(length=100), nullable=True),
        sa.Column("venue_country", sa.String(length=2), nullable=True),
        sa.Column("online", sa.JSON(), nullable=True),
        sa.Column("occurrence_rule", sa.JSON(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("materialised_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("horizon_job_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("publishing", sa.String(length=16), nullable=False),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("live_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("suspend_reason", sa.Text(), nullable=True),
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
            name=op.f("fk_events_created_by_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["duplicated_from_id"],
            ["events.id"],
            name=op.f("fk_events_duplicated_from_id_events"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_events_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_country"), ["country"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_ends_at"), ["ends_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_public_id"), ["public_id"], unique=True)
        batch_op.create_index(batch_op.f("ix_events_publishing"), ["publishing"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_sort_name"), ["sort_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_venue_city"), ["venue_city"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_events_venue_country"), ["venue_country"], unique=False
        )

    op.create_table(
        "event_occurrences",
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
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
            name=op.f("fk_event_occurrences_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_occurrences")),
        sa.UniqueConstraint(
            "event_id", "starts_at", name=op.f("uq_event_occurrences_event_id_starts_at")
        ),
    )
    with op.batch_alter_table("event_occurrences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_occurrences_ends_at"), ["ends_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_event_occurrences_event_id"), ["event_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_occurrences_public_id"), ["public_id"], unique=True
        )
        batch_op.create_index(
            batch_op.f("ix_event_occurrences_starts_at"), ["starts_at"], unique=False
        )

    op.create_table(
        "event_reviews",
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
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
            name=op.f("fk_event_reviews_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_reviews_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_reviews")),
        sa.UniqueConstraint(
            "event_id", "account_id", name=op.f("uq_event_reviews_event_id_account_id")
        ),
    )
    with op.batch_alter_table("event_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_reviews_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_reviews_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_event_reviews_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_reviews_public_id"), ["public_id"], unique=True)

    op.create_table(
        "event_saves",
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
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
            name=op.f("fk_event_saves_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_saves_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_saves")),
        sa.UniqueConstraint(
            "event_id", "account_id", name=op.f("uq_event_saves_event_id_account_id")
        ),
    )
    with op.batch_alter_table("event_saves", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_saves_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_saves_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_saves_public_id"), ["public_id"], unique=True)

    op.create_table(
        "event_shares",
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
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
            name=op.f("fk_event_shares_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_shares_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_shares")),
    )
    with op.batch_alter_table("event_shares", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_shares_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_event_shares_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_shares_public_id"), ["public_id"], unique=True)

    op.create_table(
        "event_speakers",
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("email_normalized", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("bio", sa.Text(), nullable=True),
        sa.Column("image", sa.String(length=1024), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("invite_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_count", sa.Integer(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
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
            name=op.f("fk_event_speakers_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_speakers_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_speakers")),
        sa.UniqueConstraint(
            "event_id", "email_normalized", name=op.f("uq_event_speakers_event_id_email_normalized")
        ),
    )
    with op.batch_alter_table("event_speakers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_speakers_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_speakers_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_event_speakers_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_speakers_public_id"), ["public_id"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_event_speakers_token_hash"), ["token_hash"], unique=False
        )

    op.create_table(
        "event_sessions",
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "occurrence_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("name", sa.String(length=75), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("image", sa.String(length=1024), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sold_individually", sa.Boolean(), nullable=False),
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
            name=op.f("fk_event_sessions_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["event_occurrences.id"],
            name=op.f("fk_event_sessions_occurrence_id_event_occurrences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_sessions")),
    )
    with op.batch_alter_table("event_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_sessions_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_event_sessions_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_event_sessions_occurrence_id"), ["occurrence_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_event_sessions_public_id"), ["public_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("event_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_sessions_public_id"))
        batch_op.drop_index(batch_op.f("ix_event_sessions_occurrence_id"))
        batch_op.drop_index(batch_op.f("ix_event_sessions_event_id"))
        batch_op.drop_index(batch_op.f("ix_event_sessions_created_at"))

    op.drop_table("event_sessions")
    with op.batch_alter_table("event_speakers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_speakers_token_hash"))
        batch_op.drop_index(batch_op.f("ix_event_speakers_public_id"))
        batch_op.drop_index(batch_op.f("ix_event_speakers_event_id"))
        batch_op.drop_index(batch_op.f("ix_event_speakers_created_at"))
        batch_op.drop_index(batch_op.f("ix_event_speakers_account_id"))

    op.drop_table("event_speakers")
    with op.batch_alter_table("event_shares", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_shares_public_id"))
        batch_op.drop_index(batch_op.f("ix_event_shares_event_id"))
        batch_op.drop_index(batch_op.f("ix_event_shares_account_id"))

    op.drop_table("event_shares")
    with op.batch_alter_table("event_saves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_saves_public_id"))
        batch_op.drop_index(batch_op.f("ix_event_saves_event_id"))
        batch_op.drop_index(batch_op.f("ix_event_saves_account_id"))

    op.drop_table("event_saves")
    with op.batch_alter_table("event_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_reviews_public_id"))
        batch_op.drop_index(batch_op.f("ix_event_reviews_event_id"))
        batch_op.drop_index(batch_op.f("ix_event_reviews_created_at"))
        batch_op.drop_index(batch_op.f("ix_event_reviews_account_id"))

    op.drop_table("event_reviews")
    with op.batch_alter_table("event_occurrences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_occurrences_starts_at"))
        batch_op.drop_index(batch_op.f("ix_event_occurrences_public_id"))
        batch_op.drop_index(batch_op.f("ix_event_occurrences_event_id"))
        batch_op.drop_index(batch_op.f("ix_event_occurrences_ends_at"))

    op.drop_table("event_occurrences")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_venue_country"))
        batch_op.drop_index(batch_op.f("ix_events_venue_city"))
        batch_op.drop_index(batch_op.f("ix_events_starts_at"))
        batch_op.drop_index(batch_op.f("ix_events_sort_name"))
        batch_op.drop_index(batch_op.f("ix_events_publishing"))
        batch_op.drop_index(batch_op.f("ix_events_public_id"))
        batch_op.drop_index(batch_op.f("ix_events_org_id"))
        batch_op.drop_index(batch_op.f("ix_events_ends_at"))
        batch_op.drop_index(batch_op.f("ix_events_created_at"))
        batch_op.drop_index(batch_op.f("ix_events_country"))
        batch_op.drop_index(batch_op.f("ix_events_category"))

    op.drop_table("events")
