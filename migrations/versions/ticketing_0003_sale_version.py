"""ticket_settings.sale_version: the sale cache's check (ticketing/salecache.py)

Revision ID: ticketing_0003
Revises: ticketing_0002
Create Date: 2026-11-24 15:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ticketing_0003"
down_revision: str | Sequence[str] | None = "ticketing_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ticket_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sale_version", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("ticket_settings", schema=None) as batch_op:
        batch_op.drop_column("sale_version")
