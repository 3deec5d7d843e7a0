"""profiles follows devices

Revision ID: profiles_0001
Revises: media_0001
Create Date: 2026-11-24 04:32:10.064106
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "profiles_0001"
# Grown from media_0001 (its tables point at media), not `depends_on` it: a dependency that is
# another branch's head drops out of alembic_version, and the heads would never match.
down_revision: str | Sequence[str] | None = "media_0001"
branch_labels: str | Sequence[str] | None = ("profiles",)
depends_on: str | Sequence[str] | None = "orgs_0001"


def upgrade() -> None:
    op.create_table(
        "categories",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("public_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("slug", name=op.f("uq_categories_slug")),
    )
    with op.batch_alter_table("categories", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_categories_public_id"), ["public_id"], unique=True)

    op.create_table(
        "connections",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "target_account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "target_org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("public_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "(target_account_id IS NULL) <> (target_org_id IS NULL)",
            name=op.f("ck_connections_one_target"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_connections_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_account_id"],
            ["accounts.id"],
            name=op.f("fk_connections_target_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_org_id"],
            ["organisations.id"],
            name=op.f("fk_connections_target_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connections")),
        sa.UniqueConstraint(
            "kind",
            "account_id",
            "target_account_id",
            name=op.f("uq_connections_kind_account_id_target_account_id"),
        ),
        sa.UniqueConstraint(
            "kind",
            "account_id",
            "target_org_id",
            name=op.f("uq_connections_kind_account_id_target_org_id"),
        ),
    )
    with op.batch_alter_table("connections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_connections_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_connections_public_id"), ["public_id"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_connections_target_account_id"), ["target_account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_connections_target_org_id"), ["target_org_id"], unique=False
        )

    op.create_table(
        "devices",
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("device_id", sa.String(length=255), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=True),
        sa.Column("push_token", sa.Text(), nullable=True),
        sa.Column("push_token_hash", sa.String(length=64), nullable=True),
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
            name=op.f("fk_devices_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint(
            "account_id", "device_id", name=op.f("uq_devices_account_id_device_id")
        ),
        sa.UniqueConstraint("push_token_hash", name=op.f("uq_devices_push_token_hash")),
    )
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_devices_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_devices_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_devices_public_id"), ["public_id"], unique=True)

    op.create_table(
        "tags",
        sa.Column("org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
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
            name=op.f("fk_tags_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("org_id", "slug", name=op.f("uq_tags_org_id_slug")),
    )
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tags_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tags_public_id"), ["public_id"], unique=True)

    op.create_table(
        "performer_profiles",
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("stage_name", sa.String(length=100), nullable=True),
        sa.Column("biography", sa.Text(), nullable=True),
        sa.Column("industry", sa.String(length=100), nullable=True),
        sa.Column("genre", sa.String(length=100), nullable=True),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column(
            "image_media_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("price_amount", sa.BigInteger(), nullable=True),
        sa.Column("price_currency", sa.String(length=3), nullable=True),
        sa.Column("invite_code", sa.String(length=8), nullable=False),
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
            name=op.f("fk_performer_profiles_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["image_media_id"],
            ["media.id"],
            name=op.f("fk_performer_profiles_image_media_id_media"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_performer_profiles")),
        sa.UniqueConstraint("account_id", name=op.f("uq_performer_profiles_account_id")),
        sa.UniqueConstraint("invite_code", name=op.f("uq_performer_profiles_invite_code")),
    )
    with op.batch_alter_table("performer_profiles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_performer_profiles_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_performer_profiles_public_id"), ["public_id"], unique=True
        )

    op.create_table(
        "profiles",
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("first_name", sa.String(length=40), nullable=True),
        sa.Column("last_name", sa.String(length=40), nullable=True),
        sa.Column("display_name", sa.String(length=80), nullable=True),
        sa.Column("bio", sa.Text(), nullable=True),
        sa.Column("gender", sa.String(length=40), nullable=True),
        sa.Column("wedding_date", sa.Date(), nullable=True),
        sa.Column("business_name", sa.String(length=200), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column(
            "image_media_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("addresses", sa.JSON(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("social", sa.JSON(), nullable=False),
        sa.Column("privacy", sa.JSON(), nullable=False),
        sa.Column("email_preferences", sa.JSON(), nullable=False),
        sa.Column("phone_preferences", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_profiles_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["image_media_id"],
            ["media.id"],
            name=op.f("fk_profiles_image_media_id_media"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_profiles")),
    )
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_profiles_created_at"), ["created_at"], unique=False)

    op.create_table(
        "performer_categories",
        sa.Column(
            "performer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "category_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_performer_categories_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["performer_id"],
            ["performer_profiles.id"],
            name=op.f("fk_performer_categories_performer_id_performer_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "performer_id", "category_id", name=op.f("pk_performer_categories")
        ),
    )
    with op.batch_alter_table("performer_categories", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_performer_categories_category_id"), ["category_id"], unique=False
        )

    op.create_table(
        "performer_slides",
        sa.Column(
            "performer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("media_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["media_id"],
            ["media.id"],
            name=op.f("fk_performer_slides_media_id_media"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["performer_id"],
            ["performer_profiles.id"],
            name=op.f("fk_performer_slides_performer_id_performer_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("performer_id", "position", name=op.f("pk_performer_slides")),
    )
    with op.batch_alter_table("performer_slides", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_performer_slides_media_id"), ["media_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("performer_slides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_performer_slides_media_id"))
    op.drop_table("performer_slides")
    with op.batch_alter_table("performer_categories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_performer_categories_category_id"))

    op.drop_table("performer_categories")
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_profiles_created_at"))

    op.drop_table("profiles")
    with op.batch_alter_table("performer_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_performer_profiles_public_id"))
        batch_op.drop_index(batch_op.f("ix_performer_profiles_created_at"))

    op.drop_table("performer_profiles")
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tags_public_id"))
        batch_op.drop_index(batch_op.f("ix_tags_org_id"))

    op.drop_table("tags")
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_devices_public_id"))
        batch_op.drop_index(batch_op.f("ix_devices_created_at"))
        batch_op.drop_index(batch_op.f("ix_devices_account_id"))

    op.drop_table("devices")
    with op.batch_alter_table("connections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_connections_target_org_id"))
        batch_op.drop_index(batch_op.f("ix_connections_target_account_id"))
        batch_op.drop_index(batch_op.f("ix_connections_public_id"))
        batch_op.drop_index(batch_op.f("ix_connections_account_id"))

    op.drop_table("connections")
    with op.batch_alter_table("categories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_categories_public_id"))

    op.drop_table("categories")
