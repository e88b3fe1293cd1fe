"""The episodes table of the first web backend example: the baseline.

A database made by that example has this table and no ``alembic_version``;
``web_backend.migrate`` stamps such a database at this revision before upgrading,
so its rows are kept.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "missing_episodes",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("child_id", sa.String, nullable=False),
        sa.Column("last_seen_at", sa.String, nullable=False),
        sa.Column("ended_at", sa.String, nullable=True),
        sa.Column("document", sa.Text, nullable=False),
    )
    op.create_index("ix_missing_episodes_child_id", "missing_episodes", ["child_id"])


def downgrade() -> None:
    op.drop_table("missing_episodes")
