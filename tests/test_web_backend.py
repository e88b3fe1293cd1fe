"""The web backend example's database: migrations, and a revisions table append-only in fact."""

from __future__ import annotations

import runpy
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "web_backend.py"

# What the first version of the example made (``METADATA.create_all``), as SQLite kept it:
# a record of a database in the field, not a second copy of a live schema.
FIRST_VERSION_DDL = (
    (
        "CREATE TABLE missing_episodes (\n\tid VARCHAR NOT NULL, \n\tchild_id VARCHAR NOT NULL, "
        "\n\tlast_seen_at VARCHAR NOT NULL, \n\tended_at VARCHAR, \n\tdocument TEXT NOT NULL, "
        "\n\tPRIMARY KEY (id)\n)"
    ),
    "CREATE INDEX ix_missing_episodes_child_id ON missing_episodes (child_id)",
)


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    return runpy.run_path(str(EXAMPLE), run_name="web_backend")


def _schema(path: Path) -> dict[str, str | None]:
    with sqlite3.connect(path) as db:
        rows = db.execute("select name, sql from sqlite_master where name not like 'sqlite_%'")
        return dict(rows.fetchall())


def _migrated(example: dict[str, Any], path: Path) -> str | None:
    engine = sa.create_engine(f"sqlite+pysqlite:///{path}")
    try:
        revision: str | None = example["migrate"](engine)
    finally:
        engine.dispose()
    return revision


def test_the_example_runs_against_a_fresh_database_file(
    example: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "cases.sqlite3"
    assert example["main"]([str(database)]) == 0
    assert "all assertions passed" in capsys.readouterr().out
    schema = _schema(database)
    assert {"missing_episodes", "case_revisions", "alembic_version"} <= schema.keys()
    with sqlite3.connect(database) as db:
        assert db.execute("select version_num from alembic_version").fetchall() == [("0002",)]


def test_the_first_migration_is_the_first_version_s_schema(
    example: dict[str, Any], tmp_path: Path
) -> None:
    with sqlite3.connect(tmp_path / "old.sqlite3") as db:
        for ddl in FIRST_VERSION_DDL:
            db.execute(ddl)
    engine = sa.create_engine(f"sqlite+pysqlite:///{tmp_path / 'new.sqlite3'}")
    try:
        from alembic import command

        config = example["Config"]()
        config.set_main_option("script_location", str(example["MIGRATIONS"]))
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, example["FIRST_SCHEMA"])
    finally:
        engine.dispose()
    new = _schema(tmp_path / "new.sqlite3")
    new.pop("alembic_version")
    assert new == _schema(tmp_path / "old.sqlite3")


def test_a_database_of_the_first_version_is_migrated_and_keeps_its_rows(
    example: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "old.sqlite3"
    row = ("E-1", "C-SYN-1", "2026-10-24T20:40:00Z", None, '{"synthetic": true}')
    with sqlite3.connect(path) as db:
        for ddl in FIRST_VERSION_DDL:
            db.execute(ddl)
        db.execute("insert into missing_episodes values (?, ?, ?, ?, ?)", row)
    assert _migrated(example, path) == "0002"
    assert _migrated(example, path) == "0002"  # a second run finds nothing to do
    with sqlite3.connect(path) as db:
        assert db.execute("select * from missing_episodes").fetchall() == [row]
        assert db.execute("select count(*) from case_revisions").fetchone() == (0,)


def _revision_row(index: int, digest: str, previous: str | None) -> dict[str, Any]:
    return {
        "child_id": "C-SYN-1",
        "revision_index": index,
        "at": f"2026-11-0{index + 1}T09:00:00Z",
        "by_role": "key_worker",
        "why": None,
        "line": "{}",
        "digest": digest,
        "previous_digest": previous,
    }


INSERT = (
    "insert into case_revisions values (:child_id, :revision_index, :at, :by_role, :why, "
    ":line, :digest, :previous_digest)"
)


A, B, C = "a" * 64, "b" * 64, "c" * 64
ROWS = (_revision_row(0, A, None), _revision_row(1, B, A))
REFUSED: dict[str, tuple[str, dict[str, Any]]] = {
    "an update": ("update case_revisions set why = 'x' where revision_index = 0", {}),
    "an update of the line": ("update case_revisions set line = '[]'", {}),
    "a delete": ("delete from case_revisions where revision_index = 1", {}),
    "the same index again": (INSERT, _revision_row(1, C, A)),
    "a gap": (INSERT, _revision_row(3, C, B)),
    "a broken chain": (INSERT, _revision_row(2, C, A)),
    "a first with a previous digest": (INSERT, _revision_row(0, C, B) | {"child_id": "C-2"}),
    "a later one without": (INSERT, _revision_row(2, C, None)),
    "a short digest": (INSERT, _revision_row(2, C[1:], B)),
}


@pytest.fixture
def revisions_db(example: dict[str, Any], tmp_path: Path) -> Iterator[sqlite3.Connection]:
    path = tmp_path / "cases.sqlite3"
    _migrated(example, path)
    db = sqlite3.connect(path)
    for row in ROWS:
        db.execute(INSERT, row)
    db.commit()
    yield db
    db.close()


@pytest.mark.parametrize("what", REFUSED)
def test_the_database_refuses_to_rewrite_revisions(
    revisions_db: sqlite3.Connection, what: str
) -> None:
    sql, params = REFUSED[what]
    with pytest.raises(sqlite3.IntegrityError):
        revisions_db.execute(sql, params)
    rows = revisions_db.execute("select * from case_revisions order by revision_index")
    assert rows.fetchall() == [tuple(row.values()) for row in ROWS]


def test_the_database_accepts_the_next_revision_and_another_child_s_first(
    revisions_db: sqlite3.Connection,
) -> None:
    revisions_db.execute(INSERT, _revision_row(2, C, B))
    revisions_db.execute(INSERT, _revision_row(0, A, None) | {"child_id": "C-2"})
    rows = revisions_db.execute("select child_id, revision_index from case_revisions order by 1, 2")
    assert rows.fetchall() == [("C-2", 0), ("C-SYN-1", 0), ("C-SYN-1", 1), ("C-SYN-1", 2)]
