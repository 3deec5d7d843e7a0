"""waiting lists, invitations, order forms, guest order tokens

Revision ID: ticketing_0002
Revises: ticketing_0001
Create Date: 2026-11-24 05:25:36.555770
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ticketing_0002"
down_revision: str | Sequence[str] | None = "ticketing_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_form_fields",
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("mandatory", sa.Boolean(), nullable=False),
        sa.Column("min_length", sa.Integer(), nullable=True),
        sa.Column("max_length", sa.Integer(), nullable=True),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("ticket_type_ids", sa.JSON(), nullable=False),
        sa.Column("placeholder", sa.String(length=200), nullable=True),
        sa.Column("instruction", sa.Text(), nullable=True),
        sa.Column("display_order", sa.Integer(), nullable=False),
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
            name=op.f("fk_order_form_fields_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_form_fields")),
        sa.UniqueConstraint("event_id", "name", name=op.f("uq_order_form_fields_event_id_name")),
    )
    with op.batch_alter_table("order_form_fields", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_form_fields_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_order_form_fields_event_id"), ["event_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_order_form_fields_public_id"), ["public_id"], unique=True
        )

    op.create_table(
        "order_access_tokens",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_access_tokens_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_access_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_order_access_tokens_token_hash")),
    )
    with op.batch_alter_table("order_access_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_access_tokens_order_id"), ["order_id"], unique=False
        )

    op.create_table(
        "ticket_invitations",
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "ticket_type_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("email_normalized", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "invited_by_account_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("sent_count", sa.Integer(), nullable=False),
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
            name=op.f("fk_ticket_invitations_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_ticket_invitations_invited_by_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_type_id"],
            ["ticket_types.id"],
            name=op.f("fk_ticket_invitations_ticket_type_id_ticket_types"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_ticket_invitations_token_hash")),
    )
    with op.batch_alter_table("ticket_invitations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ticket_invitations_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ticket_invitations_email_normalized"), ["email_normalized"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ticket_invitations_event_id"), ["event_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ticket_invitations_public_id"), ["public_id"], unique=True
        )

    op.create_table(
        "waitlist_entries",
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "occurrence_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "ticket_type_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "variation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("active_key", sa.String(length=64), nullable=True),
        sa.Column(
            "offer_hold_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("offer_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
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
            name=op.f("fk_waitlist_entries_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_waitlist_entries_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["event_occurrences.id"],
            name=op.f("fk_waitlist_entries_occurrence_id_event_occurrences"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offer_hold_id"],
            ["ticket_holds.id"],
            name=op.f("fk_waitlist_entries_offer_hold_id_ticket_holds"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_type_id"],
            ["ticket_types.id"],
            name=op.f("fk_waitlist_entries_ticket_type_id_ticket_types"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["variation_id"],
            ["ticket_variations.id"],
            name=op.f("fk_waitlist_entries_variation_id_ticket_variations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entries")),
        sa.UniqueConstraint("active_key", name=op.f("uq_waitlist_entries_active_key")),
    )
    with op.batch_alter_table("waitlist_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_waitlist_entries_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_waitlist_entries_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_waitlist_entries_event_id"), ["event_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_waitlist_entries_public_id"), ["public_id"], unique=True
        )
        batch_op.create_index(
            "ix_waitlist_entries_queue", ["occurrence_id", "status", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("waitlist_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_waitlist_entries_queue")
        batch_op.drop_index(batch_op.f("ix_waitlist_entries_public_id"))
        batch_op.drop_index(batch_op.f("ix_waitlist_entries_event_id"))
        batch_op.drop_index(batch_op.f("ix_waitlist_entries_created_at"))
        batch_op.drop_index(batch_op.f("ix_waitlist_entries_account_id"))

    op.drop_table("waitlist_entries")
    with op.batch_alter_table("ticket_invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_invitations_public_id"))
        batch_op.drop_index(batch_op.f("ix_ticket_invitations_event_id"))
        batch_op.drop_index(batch_op.f("ix_ticket_invitations_email_normalized"))
        batch_op.drop_index(batch_op.f("ix_ticket_invitations_created_at"))

    op.drop_table("ticket_invitations")
    with op.batch_alter_table("order_access_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_access_tokens_order_id"))

    op.drop_table("order_access_tokens")
    with op.batch_alter_table("order_form_fields", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_form_fields_public_id"))
        batch_op.drop_index(batch_op.f("ix_order_form_fields_event_id"))
        batch_op.drop_index(batch_op.f("ix_order_form_fields_created_at"))

    op.drop_table("order_form_fields")
