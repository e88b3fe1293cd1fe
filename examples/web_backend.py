"""A small web backend: form posts validated against the model, episodes stored in SQLite.

A care-record vendor keeps its own screens; this is the piece behind them.
The form posts JSON; :func:`missingcare.from_json` is the validator, and a post
that does not fit the model is answered with HTTP 422 and the field paths of
every violation (never the rejected values: this is special-category data
about a child). Valid episodes are stored through SQLAlchemy Core, as the
canonical wire document beside a few indexed columns; reading one back is
:func:`missingcare.from_json` again, so a stored record is checked on the way
out too. ``GET /schema/MissingEpisode`` hands the form its JSON Schema.

The application is plain WSGI (the standard library's ``wsgiref``), so any
WSGI server can host it; here it is called in-process, needing no network.
Run it with ``python examples/web_backend.py``: it posts valid and invalid
forms, reads them back and asserts what it gets. All data is synthetic.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from wsgiref.types import StartResponse, WSGIEnvironment
from wsgiref.util import setup_testing_defaults

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

import missingcare as mc
from missingcare.adapters.jsonschema import document_type, json_schema
from missingcare.converters import from_dict, to_dict
from missingcare.time import format_instant

# The schema is said once, in the migrations; the application reflects what they made.
MIGRATIONS = Path(__file__).with_name("web_backend_migrations")
FIRST_SCHEMA = "0001"  # the episodes table of this example's first version


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


STATUS_TEXT = {
    200: "OK",
    201: "Created",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
}


class App:
    """The WSGI application: ``POST /episodes``, ``GET /episodes/<id>``, and friends."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.schema = migrate(engine)
        tables = sa.MetaData()
        self.episodes = sa.Table("missing_episodes", tables, autoload_with=engine)

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


# --- calling the app in-process (what a test client does) ---------------------------------


def call(
    app: App, method: str, path: str, body: Any = None, content_type: str = "application/json"
) -> tuple[int, Any]:
    """One request through the WSGI interface; returns the status code and the JSON body."""
    import io  # noqa: PLC0415 - only the in-process client needs it

    data = b"" if body is None else json.dumps(body).encode()
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(data)),
        "wsgi.input": io.BytesIO(data),
    }
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


def run(database: Path) -> int:
    """Everything the example shows, against the SQLite file ``database`` (made if absent)."""
    engine = sa.create_engine(f"sqlite+pysqlite:///{database}")
    try:
        return show(App(engine))
    finally:
        engine.dispose()


def show(app: App) -> int:
    print(f"database schema at revision {app.schema}")
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
    print("web backend example: all assertions passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
