"""A small web backend: form posts validated against the model, case files kept as revisions.

A care-record vendor keeps its own screens; this is the piece behind them.
The form posts JSON; :func:`missingcare.from_json` is the validator, and a post
that does not fit the model is answered with HTTP 422 and the field paths of
every violation (never the rejected values: this is special-category data
about a child). Valid episodes are stored through SQLAlchemy Core, as the
canonical wire document beside a few indexed columns; reading one back is
:func:`missingcare.from_json` again, so a stored record is checked on the way
out too. ``GET /schema/MissingEpisode`` hands the form its JSON Schema.

Each child's case file is kept as a :class:`missingcare.history.CaseHistory`:
``POST /children/<id>/revisions`` appends a revision (made now, by the signed-in
user's role, for the reason given), one row per revision whose JSON line is the
authority. The database keeps that table append-only itself (triggers abort any
UPDATE or DELETE). ``GET /children/<id>/history?path=...`` lists one field's
history, ``GET /children/<id>/evaluation?as_of=...&known_at=...`` evaluates the
file as it was known at an instant, and ``GET /children/<id>/verify`` checks the
chain of digests against the last one the host's audit log kept. The schema is
made and upgraded by Alembic migrations (``web_backend_migrations/``), including
a database made by this example's first version. "Now" is a clock handed to the
application, never the host's.

The application is plain WSGI (the standard library's ``wsgiref``), so any
WSGI server can host it; here it is called in-process, needing no network.
Run it with ``python examples/web_backend.py [DATABASE]``: it posts valid and
invalid forms, keeps a case file's revisions, tampers with one behind the
application's back, and asserts what it gets, against a fresh SQLite file (a
temporary one unless ``DATABASE`` is given). All data is synthetic.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode
from wsgiref.types import StartResponse, WSGIEnvironment
from wsgiref.util import setup_testing_defaults

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

import missingcare as mc
from missingcare.adapters.jsonschema import document_type, json_schema
from missingcare.converters import SCHEMA_VERSION, from_dict, to_dict
from missingcare.history import CaseHistory, HistoryTampered, Revision
from missingcare.time import format_instant, local_date, parse_instant, start_of_local_day
from missingcare.typing import Clock
from missingcare.vocabularies import RELATIONSHIP_ROLES

# The schema is said once, in the migrations; the application reflects what they made.
MIGRATIONS = Path(__file__).with_name("web_backend_migrations")
FIRST_SCHEMA = "0001"  # the episodes table of this example's first version


def sqlite_engine(database: Path) -> sa.Engine:
    """An engine on the SQLite file ``database`` whose transactions hold DDL too.

    Python's ``sqlite3`` (before 3.12's ``autocommit=False``) begins a transaction only
    before INSERT, UPDATE or DELETE, so a migration that failed half-way would leave
    half a schema behind; as SQLAlchemy's SQLite notes advise, the driver's own
    transaction handling is turned off and SQLAlchemy emits ``BEGIN`` itself.
    """
    engine = sa.create_engine(f"sqlite+pysqlite:///{database}")

    @sa.event.listens_for(engine, "connect")
    def no_implicit_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def migrate(engine: sa.Engine) -> str | None:
    """Bring the database to the newest schema with Alembic; return the revision it is at.

    A database made by the first version of this example has the episodes table but
    no ``alembic_version``: it is stamped at the first revision, so its rows are kept.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        if MigrationContext.configure(conn).get_current_revision() is None and sa.inspect(
            conn
        ).has_table("missing_episodes"):
            command.stamp(config, FIRST_SCHEMA)
        command.upgrade(config, "head")
        return MigrationContext.configure(conn).get_current_revision()


# The host's own user directory: who may sign in, and in what role (synthetic staff ids).
# missingcare sees the role of whoever made a revision, never who they are.
STAFF = {
    "staff-017": "key_worker",
    "staff-003": "registered_manager",
    "irs-042": "independent_return_interviewer",
}

# What the host's audit log calls each kind of request on a child's case file.
ACTIONS = {"history": "viewed", "evaluation": "evaluated", "verify": "verified"}

STATUS_TEXT = {
    200: "OK",
    201: "Created",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
}


class App:
    """The WSGI application: ``POST /episodes``, ``GET /episodes/<id>``, and friends."""

    def __init__(self, engine: sa.Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock
        self.schema = migrate(engine)
        tables = sa.MetaData()
        self.episodes = sa.Table("missing_episodes", tables, autoload_with=engine)
        self.revisions = sa.Table("case_revisions", tables, autoload_with=engine)
        self.audit = sa.Table("audit_log", tables, autoload_with=engine)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        status, body, headers = self.route(environ)
        payload = json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
        start_response(
            f"{status} {STATUS_TEXT[status]}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(payload))), *headers],
        )
        return [payload]

    def route(self, environ: WSGIEnvironment) -> tuple[int, Any, list[tuple[str, str]]]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
        if path == "/episodes":
            if method != "POST":
                return 405, {"error": "use POST"}, [("Allow", "POST")]
            return self.post_episode(environ)
        if m := re.fullmatch(r"/episodes/([^/]+)", path):
            return self.get_episode(m.group(1))
        if m := re.fullmatch(r"/children/([^/]+)/episodes", path):
            return self.child_episodes(m.group(1))
        if m := re.fullmatch(r"/children/([^/]+)/(revisions|history|evaluation|verify)", path):
            child_id, what = m.groups()
            user = environ.get("REMOTE_USER")  # set by the host's sign-in, not by the client
            if user not in STAFF:  # access control is the host's: missingcare has none
                self.log(user or "anonymous", "refused", child_id)
                return 403, {"error": "sign in as a member of staff"}, []
            query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            if what == "revisions":
                if method != "POST":
                    return 405, {"error": "use POST"}, [("Allow", "POST")]
                return self.post_revision(environ, user, child_id)
            self.log(user, ACTIONS[what], child_id)
            if what == "history":
                return self.field_history(child_id, query.get("path", "$"))
            if what == "evaluation":
                return self.evaluation(child_id, query)
            return self.verify(child_id)
        if m := re.fullmatch(r"/schema/([A-Za-z_]+)", path):
            try:
                return 200, json_schema(document_type(m.group(1))), []
            except LookupError:
                return 404, {"error": "no such document"}, []
        return 404, {"error": "not found"}, []

    def post_episode(self, environ: WSGIEnvironment) -> tuple[int, Any, list[tuple[str, str]]]:
        if environ.get("CONTENT_TYPE", "").split(";")[0].strip() != "application/json":
            return 415, {"error": "send application/json"}, []
        length = int(environ.get("CONTENT_LENGTH") or 0)
        data = environ["wsgi.input"].read(length)
        try:
            episode = mc.from_json(data, mc.MissingEpisode)
        except mc.ValidationError as exc:
            violations = [
                {"path": v.path, "code": v.code, "message": v.message} for v in exc.violations
            ]
            return 422, {"violations": violations}, []
        row = {
            "id": episode.id,
            "child_id": episode.child_id,
            "last_seen_at": format_instant(episode.last_seen_at),
            "ended_at": None if episode.ended_at is None else format_instant(episode.ended_at),
            "document": mc.to_json(episode).decode(),
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(self.episodes.insert().values(**row))
        except sa.exc.IntegrityError:
            return 409, {"error": "an episode with this id exists"}, []
        return 201, {"id": episode.id}, [("Location", f"/episodes/{episode.id}")]

    def get_episode(self, episode_id: str) -> tuple[int, Any, list[tuple[str, str]]]:
        with self.engine.connect() as conn:
            document = conn.execute(
                sa.select(self.episodes.c.document).where(self.episodes.c.id == episode_id)
            ).scalar_one_or_none()
        if document is None:
            return 404, {"error": "no such episode"}, []
        episode = mc.from_json(document, mc.MissingEpisode)  # checked on the way out too
        return 200, to_dict(episode), []

    def child_episodes(self, child_id: str) -> tuple[int, Any, list[tuple[str, str]]]:
        query = (
            sa.select(self.episodes.c.id, self.episodes.c.last_seen_at, self.episodes.c.ended_at)
            .where(self.episodes.c.child_id == child_id)
            .order_by(self.episodes.c.last_seen_at, self.episodes.c.id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return (
            200,
            [
                {"id": r.id, "last_seen_at": r.last_seen_at, "open": r.ended_at is None}
                for r in rows
            ],
            [],
        )

    # --- a child's case file, kept as revisions -------------------------------------------

    def log(self, user: str, action: str, child_id: str) -> None:
        """A line in the host's audit log: who did what to which child's record, and when."""
        with self.engine.begin() as conn:
            conn.execute(self.audit_entry(user, action, child_id))

    def audit_entry(
        self, user: str, action: str, child_id: str, revision: Revision | None = None
    ) -> sa.Insert:
        return self.audit.insert().values(
            at=format_instant(self.clock.now()),
            user_id=user,
            action=action,
            child_id=child_id,
            revision_index=None if revision is None else revision.index,
            digest=None if revision is None else revision.digest,
        )

    def history(self, child_id: str) -> CaseHistory:
        """The child's history as stored (see :meth:`read`)."""
        return self.read(child_id)[0]

    def verified(self, child_id: str) -> CaseHistory:
        """The child's history, its chain checked up to the digest the audit log kept last."""
        history, last_digest = self.read(child_id)
        history.verify(last_digest=last_digest)
        return history

    def read(self, child_id: str) -> tuple[CaseHistory, str | None]:
        """The child's history as stored, and the last digest the audit log kept, read together.

        Each row's JSON line is read back through the library. Raises
        :class:`HistoryTampered` at the row whose line is no longer a revision as the
        library writes it, or whose query columns disagree with its line.
        """
        query = (
            sa.select(self.revisions)
            .where(self.revisions.c.child_id == child_id)
            .order_by(self.revisions.c.revision_index)
        )
        last = (
            sa.select(self.audit.c.digest)
            .where(self.audit.c.child_id == child_id, self.audit.c.action == "appended")
            .order_by(self.audit.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:  # one transaction: both as of the same moment
            rows = conn.execute(query).mappings().all()
            last_digest: str | None = conn.execute(last).scalar_one_or_none()
        revisions = []
        for position, row in enumerate(rows):
            try:
                revision = Revision.from_json(row["line"])
            except mc.ValidationError as exc:
                raise HistoryTampered(position, exc.violations) from None
            if revision_row(child_id, revision) != dict(row):
                raise HistoryTampered(
                    position,
                    [mc.Violation("$", "columns_differ", "expected the row's columns of its line")],
                )
            revisions.append(revision)
        return CaseHistory(revisions), last_digest

    def post_revision(
        self, environ: WSGIEnvironment, user: str, child_id: str
    ) -> tuple[int, Any, list[tuple[str, str]]]:
        """Append the posted case file as the child's next revision, made now by the user's role."""
        if environ.get("CONTENT_TYPE", "").split(";")[0].strip() != "application/json":
            return 415, {"error": "send application/json"}, []
        try:
            body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return 422, {"violations": [{"path": "$", "code": "wrong_type"}]}, []
        why = body.get("why")
        try:
            case = from_dict(body.get("case"), mc.CaseFile)
        except mc.ValidationError as exc:
            violations = [
                {"path": "$.case" + v.path[1:], "code": v.code, "message": v.message}
                for v in exc.violations
            ]
            return 422, {"violations": violations}, []
        if case.child.id != child_id:
            return 422, {"violations": [{"path": "$.case.child.id", "code": "wrong_child"}]}, []
        try:
            history = self.verified(child_id)  # nothing is appended to a broken chain
        except HistoryTampered as exc:
            return 409, tampered(exc), []
        history = history.append(
            case,
            at=self.clock.now(),
            by=RELATIONSHIP_ROLES[STAFF[user]],
            why=why if isinstance(why, str) and why.strip() else None,
        )
        revision = history.revisions[-1]
        try:  # the revision and the audit log's line about it, together or not at all
            with self.engine.begin() as conn:
                conn.execute(self.revisions.insert().values(revision_row(child_id, revision)))
                conn.execute(self.audit_entry(user, "appended", child_id, revision))
        except sa.exc.IntegrityError:  # another revision took this index first: read, retry
            return 409, {"error": "the case file changed meanwhile"}, []
        changed = [str(change) for change in revision.changes]
        return 201, {"index": revision.index, "digest": revision.digest, "changes": changed}, []

    def field_history(self, child_id: str, path: str) -> tuple[int, Any, list[tuple[str, str]]]:
        """Every revision that changed the field at ``path``: when, by whom, why, before, after."""
        try:
            changes = self.history(child_id).changes_to(path)
        except ValueError:
            return 422, {"violations": [{"path": "path", "code": "not_a_field_path"}]}, []
        except HistoryTampered as exc:
            return 409, tampered(exc), []
        listing = [
            {
                "index": c.index,
                "at": format_instant(c.at),
                "by": None if c.by is None else c.by.code,
                "why": c.why,
                "kind": c.kind,
                "before": c.before,
                "after": c.after,
            }
            for c in changes
        ]
        return 200, listing, []

    def evaluation(
        self, child_id: str, query: dict[str, str]
    ) -> tuple[int, Any, list[tuple[str, str]]]:
        """The child's findings as of ``as_of`` (default: now), as known at ``known_at``."""
        try:
            as_of = parse_instant(query["as_of"], "as_of") if "as_of" in query else None
            known_at = parse_instant(query["known_at"], "known_at") if "known_at" in query else None
        except mc.ValidationError as exc:
            return (
                422,
                {"violations": [{"path": v.path, "code": v.code} for v in exc.violations]},
                [],
            )
        history = self.history(child_id)
        if not history.revisions:
            return 404, {"error": "no case file for this child"}, []
        when = self.clock.now() if as_of is None else as_of
        try:  # only what was on file by known_at (by default as_of)
            result = mc.evaluate(history, pack="GB-ENG", as_of=when, known_at=known_at)
        except mc.ValidationError as exc:  # nothing was on file by then: not an empty file
            violations = [{"path": v.path, "code": v.code} for v in exc.violations]
            return 422, {"violations": violations}, []
        findings = [
            {"rule": f.rule.code, "outcome": f.outcome.value, "subject": f.subject, "text": f.text}
            for f in result
        ]
        return 200, {"as_of": format_instant(result.as_of), "findings": findings}, []

    def verify(self, child_id: str) -> tuple[int, Any, list[tuple[str, str]]]:
        """Check the child's chain of digests, up to the last digest the audit log kept."""
        try:
            history = self.verified(child_id)
        except HistoryTampered as exc:
            return 409, tampered(exc), []
        return 200, {"revisions": len(history), "verified": True}, []


def revision_row(child_id: str, revision: Revision) -> dict[str, Any]:
    """A revision's row: its JSON line, and copies of the columns a host queries by."""
    return {
        "child_id": child_id,
        "revision_index": revision.index,
        "at": format_instant(revision.at),
        "by_role": None if revision.by is None else revision.by.code,
        "why": revision.why,
        "line": revision.to_json().decode(),
        "digest": revision.digest,
        "previous_digest": revision.previous_digest,
    }


def tampered(exc: HistoryTampered) -> dict[str, Any]:
    """The answer when a chain breaks: the revision's index and what failed, never a value."""
    return {
        "tampered_at": exc.index,
        "violations": [{"path": v.path, "code": v.code} for v in exc.violations],
    }


# --- calling the app in-process (what a test client does) ---------------------------------


def call(  # noqa: PLR0917 - a test client's call
    app: App,
    method: str,
    path: str,
    body: Any = None,
    content_type: str = "application/json",
    user: str | None = None,
) -> tuple[int, Any]:
    """One request through the WSGI interface; returns the status code and the JSON body.

    ``user`` is who the host's sign-in says is calling (``REMOTE_USER``).
    """
    import io  # noqa: PLC0415 - only the in-process client needs it

    data = b"" if body is None else json.dumps(body).encode()
    path, _, query = path.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(data)),
        "wsgi.input": io.BytesIO(data),
    }
    if user is not None:
        environ["REMOTE_USER"] = user
    setup_testing_defaults(environ)
    seen: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        seen.append(status)
        return lambda _: None

    payload = b"".join(app(environ, start_response))
    return int(seen[0].split()[0]), json.loads(payload)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args:
        return run(Path(args[0]))
    with tempfile.TemporaryDirectory() as folder:
        return run(Path(folder) / "cases.sqlite3")


class StoryClock:
    """The example's "now": moved on by hand as the story goes (a host passes its own clock)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def run(database: Path) -> int:
    """Everything the example shows, against the SQLite file ``database`` (made if absent)."""
    engine = sqlite_engine(database)
    clock = StoryClock(datetime(2026, 10, 25, 10, tzinfo=UTC))
    try:
        app = App(engine, clock)
        print(f"database schema at revision {app.schema}")
        show_forms(app)
        show_revisions(app, clock)
    finally:
        engine.dispose()
    print("web backend example: all assertions passed")
    return 0


def show_forms(app: App) -> None:
    """Episode form posts: validated, stored, read back, refused with paths only."""
    # a form post: the child left a children's home in Leeds one October evening
    form: dict[str, Any] = {
        "schema_version": 1,
        "id": "E-0001",
        "child_id": "C-SYN-01",
        "placement_id": "P-01",
        "zone": "Europe/London",
        "last_seen_at": "2026-10-24T21:40:00+01:00",
        "statuses": [{"at": "2026-10-24T22:30:00+01:00", "status": "missing"}],
        "police_report": {"reported_at": "2026-10-24T23:05:00+01:00", "reference": "LOG-SYN-1"},
        "ended_at": "2026-10-25T09:15:00Z",
        "returned_at": "2026-10-25T09:15:00Z",
        "ending": "returned_voluntarily",
    }

    status, body = call(app, "POST", "/episodes", form)
    print(f"POST a valid episode form          -> {status} {body}")
    assert status == 201, body
    assert body == {"id": "E-0001"}

    status, stored = call(app, "GET", "/episodes/E-0001")
    print(f"GET it back                        -> {status}, last seen {stored['last_seen_at']}")
    assert status == 200
    assert stored["last_seen_at"] == "2026-10-24T20:40:00Z"  # stored as UTC, same instant
    assert from_dict(stored, mc.MissingEpisode) == from_dict(form, mc.MissingEpisode)

    # a form with three faults: a local time with no offset, a code from no vocabulary,
    # and an empty field sent as null; the answer names every path, never the values
    canary = "SYNTHETIC-CANARY-9f1c"
    bad = {
        **form,
        "id": "E-0002",
        "last_seen_at": "2026-10-25T01:30:00",
        "statuses": [{"at": "2026-10-25T02:00:00Z", "status": canary}],
        "clothing": None,
    }
    status, body = call(app, "POST", "/episodes", bad)
    paths = sorted(v["path"] for v in body["violations"])
    print(f"POST a form with three faults      -> {status} at {', '.join(paths)}")
    assert status == 422
    assert paths == ["$.clothing", "$.last_seen_at", "$.statuses[0].status"], paths
    assert canary not in json.dumps(body)
    assert "2026-10-25T01:30:00" not in json.dumps(body)

    # the model's own rules: a return to placement before the child was last seen
    backwards = {**form, "id": "E-0003", "returned_at": "2026-10-24T18:00:00Z"}
    status, body = call(app, "POST", "/episodes", backwards)
    codes = {(v["path"], v["code"]) for v in body["violations"]}
    print(f"POST a return before last seen     -> {status} {sorted(codes)}")
    assert status == 422
    assert ("$.returned_at", "out_of_order") in codes

    status, body = call(app, "POST", "/episodes", {**form, "note": "?"})
    print(f"POST a form with an unknown field  -> {status} {body['violations'][0]['code']}")
    assert (status, body["violations"][0]["path"]) == (422, "$")

    status, body = call(app, "POST", "/episodes", form)
    print(f"POST the same episode again        -> {status}")
    assert status == 409

    status, _ = call(app, "POST", "/episodes", form, content_type="text/plain")
    assert status == 415
    status, _ = call(app, "GET", "/episodes/E-9999")
    assert status == 404

    second = {
        **form,
        "id": "E-0004",
        "last_seen_at": "2026-11-02T16:00:00Z",
        "statuses": [{"at": "2026-11-02T16:45:00Z", "status": "missing"}],
        "police_report": {"reported_at": "2026-11-02T17:00:00Z"},
    }
    for key in ("ended_at", "returned_at", "ending"):
        second.pop(key)
    assert call(app, "POST", "/episodes", second)[0] == 201
    status, listing = call(app, "GET", "/children/C-SYN-01/episodes")
    print(f"GET the child's episodes           -> {status} {listing}")
    assert [e["id"] for e in listing] == ["E-0001", "E-0004"]
    assert [e["open"] for e in listing] == [False, True]

    status, schema = call(app, "GET", "/schema/missing_episode")
    print(f"GET the form's JSON Schema         -> {status} {schema['title']!r}")
    assert status == 200
    assert "last_seen_at" in schema["required"]


ZONE = "Europe/London"
CHILD = "C-SYN-02"


def first_case_file() -> dict[str, Any]:
    """A synthetic case file as the home first records it: one episode, graded medium."""
    return {
        "schema_version": SCHEMA_VERSION,
        "child": {"id": CHILD},
        "placements": [{"id": "P-02", "kind": "childrens_home", "zone": ZONE}],
        "episodes": [
            {
                "id": "E-0101",
                "child_id": CHILD,
                "placement_id": "P-02",
                "zone": ZONE,
                "last_seen_at": "2026-11-01T19:00:00Z",
                "statuses": [{"at": "2026-11-01T19:30:00Z", "status": "missing"}],
                "police_report": {"reported_at": "2026-11-01T19:40:00Z", "reference": "LOG-SYN-7"},
                "risk_grades": [{"at": "2026-11-01T20:00:00Z", "grade": "medium"}],
                "ended_at": "2026-11-02T08:00:00Z",
                "returned_at": "2026-11-02T08:00:00Z",
                "ending": "returned_voluntarily",
            }
        ],
    }


def outcome(evaluation: dict[str, Any], rule: str) -> str:
    (found,) = (f["outcome"] for f in evaluation["findings"] if f["rule"] == rule)
    return str(found)


def text(evaluation: dict[str, Any], rule: str) -> str:
    (found,) = (f["text"] for f in evaluation["findings"] if f["rule"] == rule)
    return str(found)


def show_revisions(app: App, clock: StoryClock) -> None:
    """A child's case file kept as revisions: amend, a field's history, as known, verify."""
    revisions = f"/children/{CHILD}/revisions"
    case = first_case_file()

    # Monday 2 November: the key worker records the episode the morning the child came back
    clock.at = datetime(2026, 11, 2, 9, tzinfo=UTC)
    why = "Episode recorded on the child's return"
    status, body = call(app, "POST", revisions, {"case": case, "why": why}, user="staff-017")
    print(f"POST the first case file           -> {status} revision {body['index']}")
    assert (status, body["index"]) == (201, 0)
    assert call(app, "POST", revisions, {"case": case}, user="visitor-1")[0] == 403

    # Wednesday 11 November: the return conversation, held on the 4th, recorded a week late
    clock.at = datetime(2026, 11, 11, 10, tzinfo=UTC)
    case["conversations"] = [
        {
            "id": "RC-0101",
            "child_id": CHILD,
            "episode_ids": ["E-0101"],
            "offers": [{"at": "2026-11-02T10:00:00Z", "outcome": "accepted"}],
            "decision": "accepted",
            "held_at": "2026-11-04T15:00:00Z",
            "interviewer": {"role": "independent_return_interviewer", "independent_of_home": True},
            "recorded": {"at": "2026-11-11T10:00:00Z", "by": "independent_return_interviewer"},
        }
    ]
    why = "Return conversation written up"
    status, body = call(app, "POST", revisions, {"case": case, "why": why}, user="irs-042")
    print(f"POST the return conversation       -> {status} {body['changes']}")
    assert (status, body["changes"]) == (201, ["add $.conversations"])

    # the same afternoon the registered manager amends the risk grade from the police log
    clock.at = datetime(2026, 11, 11, 16, tzinfo=UTC)
    case["episodes"][0]["risk_grades"][0]["grade"] = "high"
    why = "Grade corrected: the police log says high"
    status, body = call(app, "POST", revisions, {"case": case, "why": why}, user="staff-003")
    print(f"POST the amended risk grade        -> {status} {body['changes']}")
    assert (status, body["index"]) == (201, 2)
    assert body["changes"] == ["replace $.episodes[0].risk_grades[0].grade"]

    # one field's history: who changed it, when, why, from what to what
    grade = "$.episodes[0].risk_grades[0].grade"
    query = urlencode({"path": grade})
    status, listing = call(app, "GET", f"/children/{CHILD}/history?{query}", user="staff-003")
    for c in listing:
        print(
            f"  {grade}: revision {c['index']} at {c['at']} by {c['by']}: "
            f"{c['before']} -> {c['after']}"
        )
    assert status == 200
    assert [(c["index"], c["by"], c["before"], c["after"]) for c in listing] == [
        (0, "key_worker", None, "medium"),
        (2, "registered_manager", "medium", "high"),
    ]

    # Thursday 12 November: what did the home know last Tuesday, and what does it know now?
    clock.at = datetime(2026, 11, 12, 10, tzinfo=UTC)
    today = local_date(clock.now(), ZONE)
    tuesday = today - timedelta(days=(today.weekday() - 1) % 7 or 7)
    known_at = start_of_local_day(tuesday + timedelta(days=1), ZONE)  # as Tuesday ended
    query = urlencode({"as_of": format_instant(known_at)})
    status, then = call(app, "GET", f"/children/{CHILD}/evaluation?{query}", user="staff-003")
    assert status == 200, then
    status, now = call(app, "GET", f"/children/{CHILD}/evaluation", user="staff-003")
    assert status == 200, now
    rule = "return-conversation-72h"
    print(f"GET {rule} as known {tuesday:%a %d %b}  -> {outcome(then, rule)}")
    print(f"GET {rule} as known now         -> {outcome(now, rule)}: {text(now, rule)}")
    assert tuesday.isoformat() == "2026-11-10"
    assert (outcome(then, rule), outcome(now, rule)) == ("breached", "met")
    assert "held on time" in text(now, rule)  # and when it was written up: both times kept

    status, body = call(app, "GET", f"/children/{CHILD}/verify", user="staff-003")
    print(f"GET verify                         -> {status} {body}")
    assert (status, body) == (200, {"revisions": 3, "verified": True})

    # the database refuses to rewrite a revision, even by raw SQL ...
    edit = (
        'update case_revisions set line = replace(line, \'"grade":"medium"\', '
        '\'"grade":"high"\') where child_id = ? and revision_index = 0'
    )
    try:
        with app.engine.begin() as conn:
            conn.exec_driver_sql(edit, (CHILD,))
    except sa.exc.IntegrityError:
        print("UPDATE a revision by raw SQL       -> refused by the database")
    else:
        raise AssertionError("the database let a revision be rewritten")

    # ... but whoever holds the file can drop the guard: the chain still tells
    with app.engine.begin() as conn:
        conn.exec_driver_sql("drop trigger case_revisions_no_update")
        assert conn.exec_driver_sql(edit, (CHILD,)).rowcount == 1
    status, body = call(app, "GET", f"/children/{CHILD}/verify", user="staff-003")
    print(f"GET verify after the raw edit      -> {status} {body}")
    assert status == 409
    assert body == {
        "tampered_at": 0,
        "violations": [{"path": "$.digest", "code": "digest_mismatch"}],
    }
    assert not {"medium", "high"} & set(re.findall(r"\w+", json.dumps(body)))
    status, _ = call(app, "POST", revisions, {"case": case, "why": "?"}, user="staff-003")
    assert status == 409  # nothing is appended to a broken chain


if __name__ == "__main__":
    sys.exit(main())
