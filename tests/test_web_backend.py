"""The web backend example's database: migrations, and a revisions table append-only in fact."""

from __future__ import annotations

import runpy
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
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
    engine = example["sqlite_engine"](path)
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
        assert db.execute("select version_num from alembic_version").fetchall() == [("0003",)]
        stored = db.execute(
            "select revision_index, digest from case_revisions order by revision_index"
        ).fetchall()
        logged = db.execute(
            "select revision_index, digest from audit_log where action = 'appended' order by id"
        ).fetchall()
        triggers = {
            name for (name,) in db.execute("select name from sqlite_master where type = 'trigger'")
        }
    assert [index for index, _ in stored] == [0, 1, 2]
    assert logged == stored  # the host's log kept each digest, apart from the revisions
    # the example dropped the UPDATE guard to tamper behind the application's back
    assert triggers == {"case_revisions_no_delete", "case_revisions_chain"}


def test_the_first_migration_is_the_first_version_s_schema(
    example: dict[str, Any], tmp_path: Path
) -> None:
    with sqlite3.connect(tmp_path / "old.sqlite3") as db:
        for ddl in FIRST_VERSION_DDL:
            db.execute(ddl)
    engine = example["sqlite_engine"](tmp_path / "new.sqlite3")
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
    assert _migrated(example, path) == "0003"
    assert _migrated(example, path) == "0003"  # a second run finds nothing to do
    with sqlite3.connect(path) as db:
        assert db.execute("select * from missing_episodes").fetchall() == [row]
        assert db.execute("select count(*) from case_revisions").fetchone() == (0,)


def test_a_failed_transaction_leaves_no_half_made_schema(
    example: dict[str, Any], tmp_path: Path
) -> None:
    engine = example["sqlite_engine"](tmp_path / "cases.sqlite3")

    def half_a_migration() -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql("create table half_made (x integer)")
            raise RuntimeError("a migration failed after its first statement")

    try:
        with pytest.raises(RuntimeError):
            half_a_migration()
        assert not sa.inspect(engine).has_table("half_made")
    finally:
        engine.dispose()


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


# --- the application over a child's revisions -------------------------------------------


class Backend:
    """The example's application on a fresh file, with two revisions of one child's file."""

    def __init__(self, example: dict[str, Any], path: Path) -> None:
        self.example = example
        self.path = path
        self.engine = example["sqlite_engine"](path)
        self.clock = example["StoryClock"](datetime(2026, 11, 2, 9, tzinfo=UTC))
        self.app = example["App"](self.engine, self.clock)
        self.child = example["CHILD"]
        self.case = example["first_case_file"]()
        assert self.post(self.case, "staff-017")[0] == 201
        self.clock.at = datetime(2026, 11, 5, 14, tzinfo=UTC)
        self.case["episodes"][0]["risk_grades"][0]["grade"] = "high"
        assert self.post(self.case, "staff-003", why="Grade corrected")[0] == 201

    def post(self, case: Any, user: str, why: str | None = None) -> tuple[int, Any]:
        path = f"/children/{self.child}/revisions"
        result: tuple[int, Any] = self.example["call"](
            self.app, "POST", path, {"case": case, "why": why}, user=user
        )
        return result

    def get(self, what: str) -> tuple[int, Any]:
        path = f"/children/{self.child}/{what}"
        result: tuple[int, Any] = self.example["call"](self.app, "GET", path, user="staff-003")
        return result

    def raw(self, sql: str, *params: Any) -> list[Any]:
        """SQL behind the application's back, as whoever holds the file could run it."""
        with sqlite3.connect(self.path) as db:
            db.execute("pragma synchronous = off")  # a test's file: no need to wait for the disk
            rows = db.execute(sql, params).fetchall()
        db.close()
        return rows


@pytest.fixture
def backend(example: dict[str, Any], tmp_path: Path) -> Iterator[Backend]:
    made = Backend(example, tmp_path / "cases.sqlite3")
    yield made
    made.engine.dispose()


def _says_no_value(body: Any) -> None:
    """A refusal names the revision and what failed: an index, paths and codes only."""
    assert set(body) == {"tampered_at", "violations"}
    assert isinstance(body["tampered_at"], int)
    for violation in body["violations"]:
        assert set(violation) == {"path", "code"}
        assert violation["path"].startswith("$")


def test_each_row_holds_its_revision_s_line_and_copies_of_its_columns(
    backend: Backend,
) -> None:
    from missingcare.history import Revision

    rows = backend.raw("select * from case_revisions order by revision_index")
    columns = [c for (_, c, *_) in backend.raw("pragma table_info(case_revisions)")]
    for row in rows:
        stored = dict(zip(columns, row, strict=True))
        revision = Revision.from_json(stored["line"])
        assert stored == backend.example["revision_row"](backend.child, revision)
    assert backend.get("verify") == (200, {"revisions": 2, "verified": True})


def test_tampering_with_any_byte_of_a_stored_line_is_reported_by_its_index(
    backend: Backend,
) -> None:
    backend.raw("drop trigger case_revisions_no_update")
    lines = backend.raw("select revision_index, line from case_revisions order by 1")
    tried = 0
    for index, line in lines:
        for at in range(0, len(line), max(1, len(line) // 40)):
            altered = line[:at] + ("1" if line[at] != "1" else "2") + line[at + 1 :]
            update = "update case_revisions set line = ? where revision_index = ?"
            backend.raw(update, altered, index)
            status, body = backend.get("verify")
            assert status == 409, (index, at)
            _says_no_value(body)
            assert body["tampered_at"] == index, (index, at)
            backend.raw(update, line, index)
            tried += 1
    assert tried >= 80
    assert backend.get("verify")[0] == 200


def test_a_column_edited_apart_from_its_line_is_reported(backend: Backend) -> None:
    backend.raw("drop trigger case_revisions_no_update")
    backend.raw("update case_revisions set by_role = 'advocate' where revision_index = 1")
    status, body = backend.get("verify")
    assert (status, body) == (
        409,
        {"tampered_at": 1, "violations": [{"path": "$", "code": "columns_differ"}]},
    )


def test_revisions_cut_off_the_end_are_found_by_the_audit_log_s_digest(backend: Backend) -> None:
    backend.raw("drop trigger case_revisions_no_delete")
    backend.raw("delete from case_revisions where revision_index = 1")
    status, body = backend.get("verify")
    assert status == 409
    _says_no_value(body)
    assert body == {"tampered_at": 0, "violations": [{"path": "$.digest", "code": "not_the_last"}]}
    assert backend.post(backend.case, "staff-003")[0] == 409  # nothing is appended to it


def test_a_field_s_history_and_the_file_as_known_at_an_instant(backend: Backend) -> None:
    query = "history?path=$.episodes[0].risk_grades[0].grade"
    status, listing = backend.get(query)
    assert status == 200
    assert [(c["index"], c["by"], c["before"], c["after"]) for c in listing] == [
        (0, "key_worker", None, "medium"),
        (1, "registered_manager", "medium", "high"),
    ]
    assert backend.get("history?path=episodes")[0] == 422

    backend.clock.at = datetime(2026, 11, 12, 10, tzinfo=UTC)
    prompt = "ofsted-notification-prompt"
    outcome = backend.example["outcome"]
    status, before = backend.get("evaluation?as_of=2026-11-04T12:00:00Z")
    assert (status, outcome(before, prompt)) == (200, "not_applicable")  # graded medium
    status, after = backend.get("evaluation")
    assert (status, outcome(after, prompt)) == (200, "pending")  # high since the 5th
    status, hindsight = backend.get("evaluation?known_at=2026-11-04T12:00:00Z")
    assert (status, outcome(hindsight, prompt)) == (200, "not_applicable")
    status, body = backend.get("evaluation?known_at=2026-11-01T12:00:00Z")  # nothing on file
    assert status == 422
    assert "C-SYN" not in str(body)


def test_a_revision_must_be_of_the_child_and_fit_the_model(backend: Backend) -> None:
    other = backend.example["first_case_file"]() | {"child": {"id": "C-SYN-99"}}
    status, body = backend.post(other, "staff-003")
    assert (status, body["violations"][0]["code"]) == (422, "wrong_child")
    canary = "SYNTHETIC-CANARY-51"
    broken = backend.example["first_case_file"]()
    broken["episodes"][0]["risk_grades"][0]["grade"] = canary
    status, body = backend.post(broken, "staff-003")
    assert status == 422
    assert [v["path"] for v in body["violations"]] == ["$.case.episodes[0].risk_grades[0].grade"]
    assert canary not in str(body)
    assert backend.post(backend.case, "someone")[0] == 403
    for body in ("not json", [backend.case], {"why": "no case"}):
        status, refusal = backend.example["call"](
            backend.app, "POST", f"/children/{backend.child}/revisions", body, user="staff-003"
        )
        assert status == 422, body
        assert "no case" not in str(refusal)
    assert backend.get("verify") == (200, {"revisions": 2, "verified": True})


def test_two_appends_at_once_keep_one_chain(backend: Backend) -> None:
    read = backend.app.read
    other = backend.example["first_case_file"]()
    other["episodes"][0]["risk_grades"][0]["grade"] = "low"

    def read_then_lose_the_race(child_id: str) -> Any:
        found = read(child_id)
        backend.app.read = read  # the other request reads, appends and commits first
        assert backend.post(other, "staff-017")[0] == 201
        return found

    backend.app.read = read_then_lose_the_race
    mine = backend.example["first_case_file"]()
    mine["episodes"][0]["risk_grades"][0]["grade"] = "very_low"
    status, body = backend.post(mine, "staff-003", why="Grade corrected")
    assert (status, body) == (409, {"error": "the case file changed meanwhile"})
    assert backend.get("verify") == (200, {"revisions": 3, "verified": True})
    logged = backend.raw("select count(*) from audit_log where action = 'appended'")
    assert logged == [(3,)]  # the refused revision left no line in the audit log either
