"""The host's own audit log: who did what to which child's record, and when.

This is the record system's log, not missingcare's: it names the signed-in user
(a staff id of the host's, which missingcare never sees), and it logs reading as
well as writing. For each revision appended it also keeps the revision's digest,
apart from the revisions themselves, so that
``CaseHistory.verify(last_digest=...)`` can tell when revisions were cut off the
end of a child's history or the whole chain was rewritten.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.String, nullable=False),  # RFC 3339, UTC
        sa.Column("user_id", sa.String, nullable=False),  # the host's staff id
        sa.Column(
            "action", sa.String, nullable=False
        ),  # appended, viewed, evaluated, verified, refused
        sa.Column("child_id", sa.String, nullable=False),
        sa.Column("revision_index", sa.Integer, nullable=True),  # for "appended"
        sa.Column("digest", sa.String(64), nullable=True),  # for "appended"
    )
    op.create_index("ix_audit_log_child", "audit_log", ["child_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_child", "audit_log")
    op.drop_table("audit_log")
