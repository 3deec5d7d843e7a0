"""media uploads

Revision ID: media_0001
Revises: identity_0002
Create Date: 2026-11-24 04:21:44.381617
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "media_0001"
down_revision: str | Sequence[str] | None = "identity_0002"
branch_labels: str | Sequence[str] | None = ("media",)
depends_on: str | Sequence[str] | None = ["identity_0002", "orgs_0001"]


def upgrade() -> None:
    op.create_table(
        "media",
        sa.Column(
            "owner_account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=512), nullable=False),
        sa.Column("preview_key", sa.String(length=512), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("public_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_media_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_account_id"],
            ["accounts.id"],
            name=op.f("fk_media_owner_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_media_storage_key")),
    )
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_media_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_media_org_id"), ["org_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_media_owner_account_id"), ["owner_account_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_media_public_id"), ["public_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_media_public_id"))
        batch_op.drop_index(batch_op.f("ix_media_owner_account_id"))
        batch_op.drop_index(batch_op.f("ix_media_org_id"))
        batch_op.drop_index(batch_op.f("ix_media_created_at"))

    op.drop_table("media")
