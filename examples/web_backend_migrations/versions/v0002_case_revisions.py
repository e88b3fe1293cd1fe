"""The revisions of each child's case file, append-only in the database itself.

One row per :class:`missingcare.history.Revision`: the revision's JSON line (the
authority, read back through the library) beside copies of the columns a host
queries by. The database, not only the application, keeps the table append-only:

- ``(child_id, revision_index)`` is the primary key, so an index is used once;
- a row is accepted only if it continues the child's chain: index 0 with no previous
  digest, or the next index whose previous digest is the digest of the row before;
- triggers abort every ``UPDATE`` and every ``DELETE``.

A person who can write the database file can still drop the triggers and edit a
row; :meth:`missingcare.history.CaseHistory.verify` then finds the revision whose
digest no longer fits. The triggers' messages name the table, never a value.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

TRIGGERS = {
    "case_revisions_no_update": """
        CREATE TRIGGER case_revisions_no_update BEFORE UPDATE ON case_revisions
        BEGIN
            SELECT RAISE(ABORT, 'case_revisions is append-only: a revision is never updated');
        END""",
    "case_revisions_no_delete": """
        CREATE TRIGGER case_revisions_no_delete BEFORE DELETE ON case_revisions
        BEGIN
            SELECT RAISE(ABORT, 'case_revisions is append-only: a revision is never deleted');
        END""",
    "case_revisions_chain": """
        CREATE TRIGGER case_revisions_chain BEFORE INSERT ON case_revisions
        WHEN NEW.revision_index > 0 AND NOT EXISTS (
            SELECT 1 FROM case_revisions
            WHERE child_id = NEW.child_id
              AND revision_index = NEW.revision_index - 1
              AND digest = NEW.previous_digest
        )
        BEGIN
            SELECT RAISE(ABORT, 'case_revisions: a revision continues the one before it');
        END""",
}


def upgrade() -> None:
    op.create_table(
        "case_revisions",
        sa.Column("child_id", sa.String, nullable=False),
        sa.Column("revision_index", sa.Integer, nullable=False),
        sa.Column("at", sa.String, nullable=False),  # RFC 3339, UTC: sorts as text
        sa.Column("by_role", sa.String, nullable=True),  # a relationship_roles code, never a name
        sa.Column("why", sa.Text, nullable=True),
        sa.Column("line", sa.Text, nullable=False),  # the revision's JSON line: the authority
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("previous_digest", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("child_id", "revision_index", name="pk_case_revisions"),
        sa.CheckConstraint("revision_index >= 0", name="ck_case_revisions_index"),
        sa.CheckConstraint(
            "(revision_index = 0) = (previous_digest IS NULL)", name="ck_case_revisions_first"
        ),
        sa.CheckConstraint("length(digest) = 64", name="ck_case_revisions_digest"),
    )
    op.create_index("ix_case_revisions_at", "case_revisions", ["child_id", "at"])
    for sql in TRIGGERS.values():
        op.execute(sql)


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.drop_index("ix_case_revisions_at", "case_revisions")
    op.drop_table("case_revisions")
