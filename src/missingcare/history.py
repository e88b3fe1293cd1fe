"""A child's case file over time: every revision kept, each chained to the one before.

A :class:`CaseHistory` is an append-only sequence of :class:`Revision` values.
Each revision says who made it (a role, never a name), when, why, and what
changed: field-path diffs (:class:`Change`) against the case file of the
revision before, such as ``replace $.episodes[2].risk_grades[0].grade``.
Each revision's ``digest`` is the SHA-256 of its canonical JSON, which holds
the digest of the revision before: altering any revision after it was
written breaks the chain there, and :meth:`CaseHistory.verify` says at which
revision.

A history stores nothing itself: it is a value the embedding system persists
wherever it keeps records. :meth:`Revision.to_json` gives one revision's
line, :func:`write_revisions` and :func:`read_revisions` write and read JSON
lines (one revision a line, in order; errors name the line).

```pycon
>>> from datetime import UTC, datetime
>>> import attrs
>>> from missingcare.episodes import RiskGrading
>>> from missingcare.testing import builders
>>> from missingcare.vocabularies import POLICE_RISK_GRADES as GRADES, RELATIONSHIP_ROLES
>>> graded = RiskGrading(builders.SEEN, GRADES["medium"])
>>> case = builders.case_file(builders.episode("E1", risk_grades=(graded,)))
>>> history = CaseHistory().append(case, at=datetime(2026, 10, 2, 9, tzinfo=UTC))
>>> regraded = attrs.evolve(graded, grade=GRADES["high"])
>>> episode = attrs.evolve(case.episodes[0], risk_grades=(regraded,))
>>> amended = attrs.evolve(case, episodes=(episode,))
>>> history = history.append(
...     amended,
...     at=datetime(2026, 10, 4, 16, tzinfo=UTC),
...     by=RELATIONSHIP_ROLES["registered_manager"],
...     why="Grade corrected: the police log said high",
... )
>>> [str(change) for change in history.revisions[1].changes]
['replace $.episodes[0].risk_grades[0].grade']
>>> history.case_at(datetime(2026, 10, 3, tzinfo=UTC)) == case
True
>>> for c in history.changes_to("$.episodes[0].risk_grades[0].grade"):
...     print(c.index, c.kind, c.before, c.after, c.by, c.why)
0 added None medium None None
1 changed medium high registered_manager Grade corrected: the police log said high
>>> history.verify()

```

The canonical JSON of a revision (what its digest is computed over, and
what :meth:`Revision.to_json` writes) is written here by hand: the JSON
object with its keys sorted, no spaces, UTF-8, ``null`` and empty values
left out, instants as :func:`~missingcare.time.format_instant` writes them;
a change's value is the case file's own wire form (:func:`~missingcare.converters.to_json`)
of that part, its keys sorted too. It holds no floating-point numbers and
only ASCII keys, so it is also the RFC 8785 form. It depends on nothing of
the host (zone database, locale, clock) and not on the wire format's
current version: each revision records the ``schema_version`` of its
changes, and reading a history upgrades older case files as
:data:`~missingcare.converters.UPGRADES` says.

The diff is written here by hand too (a JSON Patch library would write JSON
Pointers and ``move`` operations; a reviewer reads the library's own field
paths): objects are compared key by key, lists position by position, with
items added or removed at the end.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Literal, TypeVar

import attrs

from missingcare import _fields as f
from missingcare.case import CaseFile
from missingcare.converters import SCHEMA_VERSION, UPGRADES, from_json, to_json
from missingcare.converters._documents import vocabularies as _merged_vocabularies
from missingcare.converters._limits import DEFAULT_LIMITS, Limits
from missingcare.converters._lines import Source, _lines_of
from missingcare.exceptions import (
    EmptyHistoryError,
    HistoryTampered,
    LineError,
    ValidationError,
    Violation,
)
from missingcare.time import format_instant, instant, parse_instant
from missingcare.vocab import Concept, Vocabulary

__all__ = [
    "CaseHistory",
    "Change",
    "EmptyHistoryError",
    "FieldChange",
    "HistoryTampered",
    "Revision",
    "read_revisions",
    "write_revisions",
]

T = TypeVar("T")

#: What a change does at its path: the JSON Patch operations a diff needs.
Op = Literal["add", "remove", "replace"]
_OPS: frozenset[str] = frozenset(("add", "remove", "replace"))

#: A JSON value as the wire writes it (``None`` only for "absent": the wire has no ``null``).
JSON = Any

_KEY = r"[A-Za-z_][A-Za-z0-9_]*"
_STEP = re.compile(rf"\.({_KEY})|\[(0|[1-9][0-9]*)\]")
_PATH = re.compile(rf"\$(?:\.{_KEY}|\[(?:0|[1-9][0-9]*)\])*")
_DIGEST = re.compile(r"[0-9a-f]{64}")

#: One step of a path: a key of an object, or a position in a list.
Step = str | int


def _steps(path: str) -> tuple[Step, ...]:
    """The steps of a field path (``$.episodes[2].id`` → ``("episodes", 2, "id")``)."""
    return tuple(m[1] if m[1] is not None else int(m[2]) for m in _STEP.finditer(path, 1))


def _path(steps: Iterable[Step]) -> str:
    return "$" + "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in steps)


def _canonical(value: JSON) -> str:
    """The canonical JSON text of a value: sorted keys, no spaces, characters as they are."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _string(text: str) -> bytes:
    return json.dumps(text, ensure_ascii=False).encode()


# --- the values ---------------------------------------------------------------------


def _check_path(_inst: object, _field: attrs.Attribute[str], value: object) -> None:
    if type(value) is not str or _PATH.fullmatch(value) is None:
        raise ValidationError.single(
            "$.path", "invalid_path", "expected a field path such as $.episodes[2].id"
        )


def _check_op(_inst: object, _field: attrs.Attribute[str], value: object) -> None:
    if value not in _OPS:
        raise ValidationError.single("$.op", "wrong_type", "expected add, remove or replace")


def _check_value(inst: Change, _field: attrs.Attribute[str | None], value: object) -> None:
    if (value is None) != (inst.op == "remove"):
        raise ValidationError.single(
            "$.value", "required", "expected a value for add and replace, and none for remove"
        )
    if value is not None and (type(value) is not str or not _is_canonical(value)):
        raise ValidationError.single(
            "$.value", "not_canonical", "expected the canonical JSON text of a value"
        )


def _is_canonical(text: str) -> bool:
    try:
        return _canonical(_loads(text)) == text
    except (ValueError, RecursionError, _RepeatedKeyError):
        return False


@attrs.frozen
class Change:
    """One field-path diff: ``op`` (``add``, ``remove``, ``replace``) at ``path``.

    ``value_json`` is the new value's canonical JSON text (``None`` for a
    removal), in the case file's wire form; :attr:`value` reads it.

    ```pycon
    >>> Change("replace", "$.episodes[0].risk_grades[0].grade", '"high"').value
    'high'

    ```
    """

    op: Op = attrs.field(validator=_check_op)
    path: str = attrs.field(validator=_check_path)
    value_json: str | None = attrs.field(default=None, validator=_check_value)

    @property
    def value(self) -> JSON:
        """The new value (a fresh copy, in wire form); ``None`` for a removal."""
        return None if self.value_json is None else _loads(self.value_json)

    def __str__(self) -> str:
        # what changed where, never the value
        return f"{self.op} {self.path}"

    def _bytes(self) -> bytes:
        value = b"" if self.value_json is None else b',"value":' + self.value_json.encode()
        return b'{"op":"' + self.op.encode() + b'","path":' + _string(self.path) + value + b"}"


def _check_index(_inst: object, _field: attrs.Attribute[int], value: object) -> None:
    if type(value) is not int or value < 0:
        raise ValidationError.single("$.index", "wrong_type", "expected a whole number, at least 0")


def _check_version(_inst: object, _field: attrs.Attribute[int], value: object) -> None:
    if type(value) is not int or not 1 <= value <= SCHEMA_VERSION:
        raise ValidationError.single(
            "$.schema_version",
            "unsupported_version",
            f"expected a schema version from 1 to {SCHEMA_VERSION}",
        )


def _check_digest(_inst: object, field: attrs.Attribute[Any], value: object) -> None:
    if value is None and field.name == "previous_digest":
        return
    if type(value) is not str or _DIGEST.fullmatch(value) is None:
        raise ValidationError.single(
            f"$.{field.name}", "invalid_digest", "expected 64 lower-case hexadecimal digits"
        )


def _tuple_of(item: type[T], at: str, value: Iterable[T]) -> tuple[T, ...]:
    """``value`` as a tuple of ``item`` values, refusing any other at ``{at}[i]``."""
    out = tuple(value)
    for i, each in enumerate(out):
        if not isinstance(each, item):
            raise ValidationError.single(
                f"{at}[{i}]", "wrong_type", f"expected a {item.__name__} value"
            )
    return out


def _to_changes(value: Iterable[Change]) -> tuple[Change, ...]:
    return _tuple_of(Change, "$.changes", value)


@attrs.frozen
class Revision:
    """One revision of a child's case file: who, when, why, what changed, and its digests.

    * ``index``: its position in the history, from 0;
    * ``at``: when it was made (an aware UTC instant); ``by``: the maker's role
      (a concept of ``relationship_roles``, never a name); ``why``: the reason,
      as the maker wrote it;
    * ``changes``: the field-path diffs from the case file of the revision before
      (the first revision adds the whole case file at ``$``);
    * ``schema_version``: the wire-format version the changes are written in;
    * ``previous_digest``: the digest of the revision before (``None`` for the
      first); ``digest``: the SHA-256 of this revision's canonical JSON without
      its digest (:meth:`body`), in hexadecimal.

    Revisions are made by :meth:`CaseHistory.append` and read by
    :func:`read_revisions`; building one by hand is for tests.
    """

    index: int = attrs.field(validator=_check_index)
    at: datetime = attrs.field(**f.at("Made at", "When was this revision made?"))
    changes: tuple[Change, ...] = attrs.field(converter=_to_changes)
    digest: str = attrs.field(validator=_check_digest)
    schema_version: int = attrs.field(default=SCHEMA_VERSION, validator=_check_version)
    previous_digest: str | None = attrs.field(default=None, validator=_check_digest)
    by: Concept | None = f.optional_concept(
        "relationship_roles", "Made by", "What is the role of the person who made it?"
    )
    why: str | None = f.optional_text("Why", "Why was it made?")

    def body(self) -> bytes:
        """The canonical JSON of the revision without its digest: what the digest is over."""
        return self._bytes(digest=False)

    def to_json(self) -> bytes:
        """The revision's canonical JSON: one line of a history's JSON lines, without the newline.

        The same revision always gives the same bytes, on any host.
        """
        return self._bytes(digest=True)

    @classmethod
    def from_json(
        cls,
        data: bytes | str,
        *,
        vocabularies: Iterable[Vocabulary] | Mapping[str, Vocabulary] | None = None,
        limits: Limits | None = None,
    ) -> Revision:
        """Read one revision from its canonical JSON (as :meth:`to_json` wrote it).

        Anything else is refused with a :class:`~missingcare.exceptions.ValidationError`
        naming the paths, never a value: text that is not UTF-8 JSON, a key
        unknown or repeated, a field of the wrong kind, or JSON that is not
        exactly the canonical form (so that no byte of a stored revision can be
        changed without being refused here or by :meth:`CaseHistory.verify`).
        The digests are not checked here: :meth:`CaseHistory.verify` does.
        ``vocabularies`` replace core vocabularies by name (an extended
        ``relationship_roles``).
        """
        bounds = DEFAULT_LIMITS if limits is None else limits
        return _parse(data, _roles(vocabularies), 2 * bounds.document_bytes)

    def _bytes(self, *, digest: bool) -> bytes:
        parts = [b'{"at":', _string(format_instant(self.at))]
        if self.by is not None:
            parts += (b',"by":', _string(self.by.code))
        if self.changes:
            parts += (b',"changes":[', b",".join(c._bytes() for c in self.changes), b"]")
        if digest:
            parts += (b',"digest":"', self.digest.encode(), b'"')
        parts += (b',"index":', str(self.index).encode())
        if self.previous_digest is not None:
            parts += (b',"previous_digest":"', self.previous_digest.encode(), b'"')
        parts += (b',"schema_version":', str(self.schema_version).encode())
        if self.why is not None:
            parts += (b',"why":', _string(self.why))
        parts.append(b"}")
        return b"".join(parts)


def _digest_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@attrs.frozen
class FieldChange:
    """One revision that changed a field, as :meth:`CaseHistory.changes_to` lists it.

    ``before`` and ``after`` are the field's values in wire form (what
    :func:`~missingcare.converters.to_json` writes there), ``None`` where the
    field was absent; :attr:`kind` says which of ``added``, ``removed`` or
    ``changed`` happened. ``index``, ``at``, ``by`` and ``why`` are the
    revision's.
    """

    index: int
    at: datetime
    by: Concept | None
    why: str | None
    before: JSON
    after: JSON

    @property
    def kind(self) -> Literal["added", "removed", "changed"]:
        """``added`` (absent before), ``removed`` (absent after) or ``changed``."""
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "changed"


# --- diffs: written by hand over the wire form's dicts ------------------------------


def _same(a: JSON, b: JSON) -> bool:
    """Equal as JSON: of the same type (``True`` is not ``1``) and value."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _diff(old: JSON, new: JSON, steps: list[Step], out: list[Change]) -> None:
    if old == new and _same(old, new):
        # most of a case file is as it was: Python's equality is quick to say so, and
        # only when it says equal is the exact comparison (``True`` is not ``1``) needed
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys()):
            here = [*steps, key]
            if key not in new:
                out.append(Change("remove", _path(here)))
            elif key not in old:
                out.append(Change("add", _path(here), _canonical(new[key])))
            else:
                _diff(old[key], new[key], here, out)
    elif isinstance(old, list) and isinstance(new, list):
        common = min(len(old), len(new))
        for i in range(common):
            _diff(old[i], new[i], [*steps, i], out)
        for i in range(common, len(new)):
            out.append(Change("add", _path([*steps, i]), _canonical(new[i])))
        for i in reversed(range(common, len(old))):
            out.append(Change("remove", _path([*steps, i])))
    elif not _same(old, new):
        out.append(Change("replace", _path(steps), _canonical(new)))


def _changes(old: dict[str, JSON] | None, new: dict[str, JSON]) -> tuple[Change, ...]:
    if old is None:
        return (Change("add", "$", _canonical(new)),)
    out: list[Change] = []
    _diff(old, new, [], out)
    return tuple(out)


class _DoesNotApplyError(Exception):
    """A change's path does not lead where its operation needs it to (private)."""


def _apply(state: JSON, change: Change) -> JSON:
    """The state after ``change``; ``None`` is "no state".

    ``state`` is left as it was: the objects and lists on the change's path are
    copied (each one level deep), the rest is shared, so a value read from a state
    before stays what it was.
    """
    steps = _steps(change.path)
    if not steps:
        if (change.op == "add") != (state is None):
            raise _DoesNotApplyError
        return change.value
    root = _shallow(state)
    parent = root
    for step in steps[:-1]:
        if not _holds(parent, step):
            raise _DoesNotApplyError
        parent[step] = _shallow(parent[step])
        parent = parent[step]
    last = steps[-1]
    if isinstance(parent, list) and isinstance(last, int):
        present = last < len(parent)
        if change.op == "add" and last > len(parent):
            raise _DoesNotApplyError
    elif isinstance(parent, dict) and isinstance(last, str):
        present = last in parent
    else:
        raise _DoesNotApplyError
    if present != (change.op != "add"):
        raise _DoesNotApplyError
    if change.op == "remove":
        del parent[last]
    elif change.op == "add" and isinstance(parent, list):
        parent.insert(last, change.value)  # type: ignore[arg-type]
    else:
        parent[last] = change.value
    return root


def _shallow(value: JSON) -> JSON:
    """A copy of an object or a list, one level deep; anything else cannot be changed into."""
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    raise _DoesNotApplyError


def _holds(container: JSON, step: Step) -> bool:
    if isinstance(step, int):
        return isinstance(container, list) and step < len(container)
    return isinstance(container, dict) and step in container


def _at(state: JSON, steps: tuple[Step, ...]) -> JSON:
    """The value at ``steps`` in ``state``, or ``None`` where there is none."""
    here = state
    for step in steps:
        if not _holds(here, step):
            return None
        here = here[step]
    return here


def _overlaps(a: tuple[Step, ...], b: tuple[Step, ...]) -> bool:
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def _upgraded(state: dict[str, JSON], version: int, to: int) -> dict[str, JSON]:
    while version < to:
        state = UPGRADES[version](state)
        version += 1
    return state


def _wire(case: CaseFile) -> dict[str, JSON]:
    """The case file's wire form without ``schema_version``, as plain dicts and lists."""
    doc: dict[str, JSON] = json.loads(to_json(case))
    del doc["schema_version"]
    return doc


def _build(state: dict[str, JSON], version: int) -> CaseFile:
    document = _canonical({"schema_version": version, **state})
    return from_json(document, CaseFile)


# --- the history --------------------------------------------------------------------


def _to_revisions(value: Iterable[Revision]) -> tuple[Revision, ...]:
    return _tuple_of(Revision, "$", value)


@attrs.frozen
class CaseHistory:
    """A child's case file over time: an append-only sequence of revisions.

    ``CaseHistory()`` is empty; :meth:`append` returns a new history with one
    more revision (nothing changes in place). :attr:`latest` is the case file
    now, :meth:`case_at` the case file as it stood at an instant,
    :meth:`changes_to` one field's history, and :meth:`verify` checks that no
    revision was altered after it was written.

    Building a history from revisions (read from storage) checks only that
    they are revisions: a history altered in storage can be read, so that
    :meth:`verify` can say where.
    """

    revisions: tuple[Revision, ...] = attrs.field(default=(), converter=_to_revisions)
    #: the latest case file and its wire form, once known (a history never changes)
    _known: dict[str, Any] = attrs.field(
        factory=dict, init=False, eq=False, repr=False, hash=False, alias="_known"
    )

    @classmethod
    def read(
        cls,
        source: Source,
        *,
        vocabularies: Iterable[Vocabulary] | Mapping[str, Vocabulary] | None = None,
        limits: Limits | None = None,
    ) -> CaseHistory:
        """The history of the revisions on the JSON lines of ``source`` (:func:`read_revisions`)."""
        return cls(read_revisions(source, vocabularies=vocabularies, limits=limits))

    @classmethod
    def verify_lines(
        cls,
        source: Source,
        *,
        last_digest: str | None = None,
        vocabularies: Iterable[Vocabulary] | Mapping[str, Vocabulary] | None = None,
        limits: Limits | None = None,
    ) -> CaseHistory:
        """Read stored revisions and :meth:`verify` them: the history, if nothing was altered.

        What an auditor runs over the stored lines themselves. Any byte changed
        in any stored revision raises :class:`~missingcare.exceptions.HistoryTampered`
        with that revision's index (from 0): a line that no longer reads as a
        revision exactly as it was written is tampering at its position (its
        line number less one), and a line that still reads is caught by the
        chain of digests. The error names paths and codes, never a value.
        (:meth:`read` refuses such a line with a
        :class:`~missingcare.exceptions.LineError` instead, as any reader of
        JSON lines does.)
        """
        try:
            history = cls.read(source, vocabularies=vocabularies, limits=limits)
        except LineError as exc:
            error = HistoryTampered(exc.line - 1, exc.violations, len(exc.violations), exc.more)
        else:
            history.verify(last_digest=last_digest)
            return history
        raise error  # outside the except block: no chained exception

    def write(self, sink: str | os.PathLike[str] | IO[bytes]) -> int:
        """Write the revisions as JSON lines (see :func:`write_revisions`); return how many."""
        return write_revisions(self.revisions, sink)

    def __len__(self) -> int:
        return len(self.revisions)

    def append(
        self,
        case: CaseFile,
        *,
        at: datetime,
        by: Concept | None = None,
        why: str | None = None,
    ) -> CaseHistory:
        """A new history with ``case`` as its latest revision, made ``at`` by ``by`` for ``why``.

        ``at`` must not be before the last revision's time (refused at
        ``$.at``, ``out_of_order``), and ``case`` must be about the same child
        (refused at ``$.child.id``, ``wrong_child``). The revision records the
        field-path diffs from the latest case file; a revision that changes
        nothing is kept too (a review that found nothing to change).
        """
        if not isinstance(case, CaseFile):
            raise TypeError("a history holds revisions of a CaseFile")
        made = instant(at, "$.at")
        last = self.revisions[-1] if self.revisions else None
        if last is not None:
            if made < last.at:
                raise ValidationError.single(
                    "$.at", "out_of_order", "expected an instant no earlier than the last revision"
                )
            if case.child.id != self.latest.child.id:
                raise ValidationError.single(
                    "$.child.id", "wrong_child", "expected the child of this history's case file"
                )
        new = _wire(case)
        changes = _changes(None if last is None else self._state(), new)
        unsigned = Revision(
            index=len(self.revisions),
            at=made,
            by=by,
            why=why,
            changes=changes,
            previous_digest=None if last is None else last.digest,
            digest="0" * 64,
        )
        revision = attrs.evolve(unsigned, digest=_digest_of(unsigned.body()))
        history = CaseHistory((*self.revisions, revision))
        history._known.update(latest=case, state=new, version=SCHEMA_VERSION)
        return history

    @property
    def latest(self) -> CaseFile:
        """The case file as the last revision left it.

        Raises :class:`~missingcare.exceptions.EmptyHistoryError` for an empty history.
        """
        if not self.revisions:
            raise EmptyHistoryError("an empty history has no case file")
        found = self._known.get("latest")
        if found is None:
            state, version = self._replay(len(self.revisions) - 1)
            found = _build(state, version)
            self._known.update(latest=found)
        return found

    def _state(self) -> dict[str, JSON]:
        """The latest case file's wire form in the current schema version."""
        if self._known.get("version") != SCHEMA_VERSION:
            self._known.update(state=_wire(self.latest), version=SCHEMA_VERSION)
        return self._known["state"]  # type: ignore[no-any-return]

    def _replay(self, last: int) -> tuple[dict[str, JSON], int]:
        """The wire form (and its version) built by revisions 0 to ``last``."""
        state: JSON = None
        version = 1
        for i, revision in enumerate(self.revisions[: last + 1]):
            if state is not None and revision.schema_version > version:
                state = _upgraded(state, version, revision.schema_version)
            version = revision.schema_version
            for j, change in enumerate(revision.changes):
                try:
                    state = _apply(state, change)
                except _DoesNotApplyError:
                    raise _does_not_apply(i, j) from None
        if not isinstance(state, dict):
            raise HistoryTampered(
                last, [Violation("$.changes", "does_not_apply", "expected a case file at $")]
            )
        return state, version

    def case_at(self, known_at: datetime) -> CaseFile | None:
        """The case file built from every revision made at or before ``known_at``.

        ``None`` if no revision had been made by then. Never shows anything a
        revision made later wrote, even in a history read from storage and not
        verified whose revisions are out of time order: the file is built from
        the revisions in order up to the first made after ``known_at``
        (the latest is kept once known).
        """
        when = instant(known_at, "$.known_at")
        last = -1
        for revision in self.revisions:  # not a bisection: true of an unverified history too
            if revision.at > when:
                break
            last += 1
        if last < 0:
            return None
        if last == len(self.revisions) - 1:
            return self.latest
        state, version = self._replay(last)
        return _build(state, version)

    def changes_to(self, path: str) -> tuple[FieldChange, ...]:
        """Every revision that changed the value at ``path``, in order, with before and after.

        ``path`` is a field path such as ``$.episodes[2].risk_grades[0].grade``
        (or a whole record, ``$.episodes[2]``): a revision counts when the
        value there differs before and after it, whether it changed that
        field, a field inside it or a record that holds it. Positions are those
        of each revision's case file.

        Raises :class:`ValueError` for text that is not a field path.
        """
        if not isinstance(path, str) or _PATH.fullmatch(path) is None:
            raise ValueError("expected a field path such as $.episodes[2].id")
        steps = _steps(path)
        found: list[FieldChange] = []
        state: JSON = None
        version = 1
        for i, revision in enumerate(self.revisions):
            if state is not None and revision.schema_version > version:
                state = _upgraded(state, version, revision.schema_version)
            version = revision.schema_version
            touches = any(_overlaps(steps, _steps(c.path)) for c in revision.changes)
            before = _at(state, steps) if touches else None  # unchanged by _apply
            for j, change in enumerate(revision.changes):
                try:
                    state = _apply(state, change)
                except _DoesNotApplyError:
                    raise _does_not_apply(i, j) from None
            if touches and not ((after := _at(state, steps)) == before and _same(after, before)):
                found.append(
                    FieldChange(
                        revision.index,
                        revision.at,
                        revision.by,
                        revision.why,
                        _copy(before),
                        _copy(after),
                    )
                )
        return tuple(found)

    def verify(self, *, last_digest: str | None = None) -> None:
        """Check that no revision was altered, removed, moved or inserted after it was written.

        For each revision in turn: its index is its position, its
        ``previous_digest`` is the digest of the revision before, its digest is
        the SHA-256 of its content, it was made no earlier than the revision
        before, and its changes apply to the case file before it. The first
        revision that fails raises :class:`~missingcare.exceptions.HistoryTampered`
        with its index and what failed (paths and codes, never a value).

        A chain cannot show that revisions were cut off its end, or that an
        alteration was followed by new digests for every later revision: for
        that, keep the last revision's digest apart from the history (in the
        host's own audit log, say) and give it as ``last_digest``.
        """
        state: JSON = None
        version = 1
        previous: Revision | None = None
        for i, revision in enumerate(self.revisions):
            problems = _link_problems(i, revision, previous)
            if revision.schema_version < version:
                problems.append(
                    Violation(
                        "$.schema_version",
                        "out_of_order",
                        "expected no earlier schema version than the revision before",
                    )
                )
            elif state is not None and revision.schema_version > version:
                state = _upgraded(state, version, revision.schema_version)
            version = revision.schema_version
            for j, change in enumerate(revision.changes):
                try:
                    state = _apply(state, change)
                except _DoesNotApplyError:
                    problems.append(_not_applied(j))
                    break
            if not problems and not isinstance(state, dict):
                problems.append(
                    Violation("$.changes", "does_not_apply", "expected a case file at $")
                )
            if problems:
                raise HistoryTampered(i, problems)
            previous = revision
        if last_digest is not None and (previous is None or previous.digest != last_digest):
            raise HistoryTampered(
                max(0, len(self.revisions) - 1),
                [
                    Violation(
                        "$.digest",
                        "not_the_last",
                        "expected the digest kept apart as the last revision's: revisions were "
                        "removed from the end, or rewritten",
                    )
                ],
            )


def _link_problems(i: int, revision: Revision, previous: Revision | None) -> list[Violation]:
    """What breaks the chain at revision ``i``: its index, its links and its digest."""
    problems = []
    if revision.index != i:
        problems.append(
            Violation("$.index", "out_of_sequence", "expected the revision's position, from 0")
        )
    expected = None if previous is None else previous.digest
    if revision.previous_digest != expected:
        problems.append(
            Violation(
                "$.previous_digest",
                "broken_chain",
                "expected the digest of the revision before: this revision or the one "
                "before was altered, removed or moved",
            )
        )
    if _digest_of(revision.body()) != revision.digest:
        problems.append(
            Violation(
                "$.digest",
                "digest_mismatch",
                "expected the SHA-256 of this revision's content: it was altered after "
                "it was written",
            )
        )
    if previous is not None and revision.at < previous.at:
        problems.append(
            Violation("$.at", "out_of_order", "expected no earlier than the revision before")
        )
    return problems


def _copy(value: JSON) -> JSON:
    """A copy of a value of a state, for the caller to keep (and change, if it likes)."""
    return None if value is None else _loads(_canonical(value))


def _not_applied(j: int) -> Violation:
    return Violation(
        f"$.changes[{j}].path",
        "does_not_apply",
        "expected a path this operation applies to in the case file before",
    )


def _does_not_apply(index: int, change: int) -> HistoryTampered:
    return HistoryTampered(index, [_not_applied(change)])


# --- JSON lines ---------------------------------------------------------------------


def _roles(extra: Iterable[Vocabulary] | Mapping[str, Vocabulary] | None) -> Vocabulary:
    return _merged_vocabularies(extra)["relationship_roles"]


def _refuse_constant(_name: str) -> Any:
    raise ValueError("not JSON")


class _RepeatedKeyError(Exception):
    """A key appears twice in an object (private)."""


def _pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(items)
    if len(found) != len(items):
        raise _RepeatedKeyError
    return found


def _loads(text: str | bytes) -> JSON:
    return json.loads(text, object_pairs_hook=_pairs, parse_constant=_refuse_constant)


_KEYS = frozenset(
    ("at", "by", "changes", "digest", "index", "previous_digest", "schema_version", "why")
)
_REQUIRED = ("at", "digest", "index", "schema_version")
_CHANGE_KEYS = frozenset(("op", "path", "value"))


def _has_surrogate(value: JSON) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not item.isascii() and f.SURROGATE(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _parse(data: bytes | str, roles: Vocabulary, most: int) -> Revision:
    """A revision from one line's bytes or text (without its newline), or the refusal."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    if len(raw) > most:
        raise ValidationError.single(
            "$", "too_large", f"expected a revision of at most {most:,} bytes"
        )
    try:
        doc = _loads(raw.decode("utf-8"))
    except _RepeatedKeyError:
        raise ValidationError.single(
            "$", "duplicate_key", "an object in this revision has the same key more than once"
        ) from None
    except (ValueError, RecursionError):
        raise ValidationError.single("$", "invalid_json", "expected UTF-8 JSON text") from None
    if type(doc) is not dict:
        raise ValidationError.single("$", "wrong_type", "expected a JSON object")
    problems: list[Violation] = []
    if doc.keys() - _KEYS:
        problems.append(
            Violation("$", "unknown_key", "this object has a key a revision does not have")
        )
    problems += (
        Violation(f"$.{k}", "required", "this field is required") for k in _REQUIRED if k not in doc
    )
    fields: dict[str, Any] = {}
    if "at" in doc:
        fields["at"] = _field(problems, lambda: parse_instant(doc["at"], "$.at"))
    if "by" in doc:
        code = doc["by"]
        if type(code) is not str or code not in roles:
            problems.append(
                Violation(
                    "$.by", "unknown_code", "expected a code of the vocabulary relationship_roles"
                )
            )
        else:
            fields["by"] = roles[code]
    changes = doc.get("changes", [])
    if type(changes) is not list or ("changes" in doc and not changes):
        problems.append(
            Violation("$.changes", "wrong_type", "expected a non-empty list of changes")
        )
    else:
        fields["changes"] = [
            c for j, item in enumerate(changes) if (c := _change(problems, j, item))
        ]
    for key in ("index", "schema_version", "digest", "previous_digest", "why"):
        if key in doc:
            fields[key] = doc[key]
    if problems:
        raise ValidationError(problems)
    revision = _field(problems, lambda: Revision(**fields))
    if problems:
        raise ValidationError(problems)
    if revision.to_json() != raw:
        raise ValidationError.single(
            "$",
            "not_canonical",
            "expected the revision exactly as it was written (keys sorted, no spaces, "
            "nothing empty)",
        )
    return revision  # type: ignore[no-any-return]


def _field(problems: list[Violation], make: Any) -> Any:
    try:
        return make()
    except ValidationError as exc:
        problems.extend(exc.violations)
        return None


def _change(problems: list[Violation], j: int, item: object) -> Change | None:
    at = f"$.changes[{j}]"
    if type(item) is not dict:
        problems.append(Violation(at, "wrong_type", "expected a JSON object"))
        return None
    if item.keys() - _CHANGE_KEYS:
        problems.append(
            Violation(at, "unknown_key", "this object has a key a change does not have")
        )
        return None
    value = item.get("value")
    if "value" in item and _has_surrogate(value):
        problems.append(
            Violation(
                f"{at}.value", "invalid_text", "expected valid Unicode text (no lone surrogates)"
            )
        )
        return None
    try:
        text = None if "value" not in item else _canonical(value)
    except RecursionError:
        problems.append(Violation(f"{at}.value", "too_deep", "expected a value nested less deeply"))
        return None
    try:
        return Change(item.get("op"), item.get("path"), text)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems.extend(Violation(at + v.path[1:], v.code, v.message) for v in exc.violations)
        return None


def read_revisions(
    source: Source,
    *,
    vocabularies: Iterable[Vocabulary] | Mapping[str, Vocabulary] | None = None,
    limits: Limits | None = None,
) -> Iterator[Revision]:
    """The revision on each line of ``source``, one at a time (constant memory).

    ``source`` is a path, a binary stream or an iterable of lines, as for
    :func:`~missingcare.converters.read_lines`. Each line must be a revision
    exactly as :meth:`Revision.to_json` wrote it, followed by a newline (the
    last may lack it); a blank line is refused too. The first refused line
    raises :class:`~missingcare.exceptions.LineError` with its number (from 1)
    and the paths, never a value. A line may be up to twice
    ``Limits.document_bytes`` long (the first revision holds a whole case
    file). The digests are checked by :meth:`CaseHistory.verify`, not here.
    """
    roles = _roles(vocabularies)
    most = 2 * (DEFAULT_LIMITS if limits is None else limits).document_bytes
    for number, line in enumerate(_lines_of(source, most), start=1):
        if line is None:
            too_large = Violation(
                "$", "too_large", f"expected a revision of at most {most:,} bytes"
            )
            raise LineError(number, [too_large])
        raw = line.encode("utf-8", "surrogatepass") if isinstance(line, str) else line
        if raw.endswith(b"\n"):
            raw = raw[:-1]
        if not raw:
            blank = Violation("$", "required", "expected a revision, not a blank line")
            raise LineError(number, [blank])
        try:
            revision = _parse(raw, roles, most)
        except ValidationError as exc:
            error = LineError(number, exc.violations, len(exc.violations), exc.more)
        else:
            yield revision
            continue
        raise error  # outside the except block: no chained exception


def write_revisions(revisions: Iterable[Revision], sink: str | os.PathLike[str] | IO[bytes]) -> int:
    """Write each revision's :meth:`~Revision.to_json` and a newline; return how many.

    ``sink`` is a path (written in place) or a binary stream; revisions are
    written as they come. To add to a stored history, write only the new
    revisions at its end: the lines before never change.
    """
    if isinstance(sink, (str, os.PathLike)):
        with Path(sink).open("wb") as stream:
            return write_revisions(revisions, stream)
    count = 0
    for revision in revisions:
        sink.write(revision.to_json() + b"\n")
        count += 1
    return count
