"""``missingcare check FILE``: a rule pack's findings on a caseload of case files.

The input is JSON lines (``.jsonl``, ``.ndjson``, any file of one document
per line, or ``-`` for standard input), or a ``.json`` file holding one case
file or an array of them (read whole: use JSON lines for a large caseload).

The table format prints the summary first: how many case files, the counts
of findings by outcome and by rule, then what is outstanding and overdue or
due soon, most urgent first (``--limit`` of them), then the invalid records
with the field path of each violation. ``--all`` lists every finding after
the summary. ``--format json`` writes JSON lines: one
:class:`~missingcare.findings.Evaluation` document per case file, exactly
as :func:`~missingcare.converters.to_json` writes it (without ``--all``,
holding only the findings the table would list); an invalid record is one
line on standard error.

Memory does not grow with the input: JSON lines are read, evaluated and let
go one at a time (:func:`~missingcare.converters.scan_lines`); the summary
is counted as the records go by; only the ``--limit`` most urgent findings
and invalid records are kept (bounded heaps); ``--all`` sets the rest aside
in a temporary file, not in memory.
"""

from __future__ import annotations

import collections
import heapq
import itertools
import json
import os
import sys
import tempfile
import textwrap
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import attrs
import cattrs
import click
from rich.console import Console
from rich.table import Table

from missingcare.case import CaseFile
from missingcare.cli._common import ExitCode, UnusableInput, human_time
from missingcare.converters import (
    Limits,
    from_dict,
    from_json,
    make_converter,
    scan_lines,
    to_json,
)
from missingcare.converters._lines import document_type_of, line_loader, raw_lines, scan_raw
from missingcare.exceptions import LineError, ValidationError
from missingcare.findings import Evaluation, Finding, Outcome
from missingcare.rules import RulePack
from missingcare.time import A_TIME, SystemClock, parse_instant
from missingcare.vocab import Vocabulary

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult

__all__ = ["check"]


#: The longest line read, in bytes: the largest document.
_MOST = Limits().document_bytes

#: How far ahead "due soon" looks.
SOON = timedelta(days=7)

#: The outcomes listed without ``--all``.
_SHOWN = frozenset((Outcome.BREACHED, Outcome.PENDING, Outcome.INSUFFICIENT_DATA))

#: The order outcomes are counted in.
_OUTCOMES = ("breached", "pending", "insufficient_data", "met", "not_applicable")


# --- reading --------------------------------------------------------------------------


@attrs.frozen
class _Invalid:
    """A record that is not a usable case file: where it is and why (paths, never values)."""

    where: str
    error: ValidationError
    document: str | None = None


class _Counted:
    """A binary stream that counts the bytes read through it (for the progress bar)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.read = 0

    def readline(self, size: int = -1) -> bytes:
        line = self._stream.readline(size)
        self.read += len(line)
        return line


def _judged(
    file: str, judge: _Judge, counted: _Counted | None, pool: _Pool | None
) -> Iterator[_Judged]:
    """What is kept of each record of the input, in the order read: JSON lines judged
    here or by the pool's processes, a ``.json`` file's records here."""
    if counted is None:
        for record in _records(file, judge.vocabularies, None):
            yield judge.record(record)
        return
    lines = raw_lines(counted, _MOST)
    if pool is None:
        yield from judge.lines(_name(file), 1, lines)
    else:
        yield from pool.judged(_name(file), lines)


def _records(
    file: str, vocabularies: list[Vocabulary] | None, counted: _Counted | None
) -> Iterator[CaseFile | _Invalid]:
    """Each record of the input: its case file, or why it is not one."""
    if file == "-":
        assert counted is not None
        yield from _lines("stdin", counted, vocabularies)
        return
    path = Path(file)
    name = path.name
    if not path.exists():
        raise UnusableInput(f"{name}: no such file")
    if path.is_dir():
        raise UnusableInput(f"{name}: is a directory, expected a JSON or JSON-lines file")
    if path.suffix.lower() not in {".jsonl", ".ndjson"}:
        converter = None if vocabularies is None else make_converter(vocabularies)
        data = path.read_bytes()
        try:
            doc = json.loads(data)
        except (ValueError, RecursionError):
            if sum(1 for line in data.splitlines() if line.strip()) >= 2:
                with path.open("rb") as stream:
                    yield from _lines(name, _Counted(stream), vocabularies)
                return
            doc = None
        if isinstance(doc, list):
            for i, item in enumerate(doc):
                yield _one(f"{name}[{i}]", item, converter)
        else:
            yield _one(name, data, converter)
        return
    assert counted is not None
    yield from _lines(name, counted, vocabularies)


def _lines(
    name: str, stream: _Counted, vocabularies: list[Vocabulary] | None
) -> Iterator[CaseFile | _Invalid]:
    limits = Limits(document_bytes=_MOST)
    found_lines = scan_lines(stream, CaseFile, vocabularies=vocabularies, limits=limits)
    for number, found in found_lines:
        yield _invalid(name, number, found) if isinstance(found, LineError) else found


def _invalid(name: str, number: int, error: LineError) -> _Invalid:
    return _Invalid(f"{name} line {number:,}", error, error.document)


def _one(where: str, doc: object, converter: cattrs.Converter | None) -> CaseFile | _Invalid:
    """A whole document (its bytes) or an array's item (parsed)."""
    try:
        if isinstance(doc, bytes):
            return from_json(doc, CaseFile, converter=converter)
        return from_dict(doc, CaseFile, converter=converter)
    except ValidationError as exc:
        error = exc
    other = None
    if any(
        v.code in {"unknown_key", "required"} and v.path.count(".") <= 1 for v in error.violations
    ):
        data = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
        found = document_type_of(data, CaseFile)
        other = None if found is None else found.__name__
    return _Invalid(where, error, other)


# --- what is kept while reading -----------------------------------------------------------


@attrs.frozen(order=True)
class _Row:
    """One line of the lists: a finding, or a violation of an invalid record."""

    key: tuple[Any, ...]
    child: str = attrs.field(order=False)
    rule: str = attrs.field(order=False)
    outcome: str = attrs.field(order=False)
    when: str = attrs.field(order=False)
    text: str = attrs.field(order=False)


class _Worst:
    """The ``n`` rows with the smallest keys seen so far (a bounded heap)."""

    def __init__(self, n: int | None) -> None:
        self.n = n
        self.seen = 0
        self._heap: list[tuple[_Reverse, int, _Row]] = []
        self._count = itertools.count()

    def push(self, key: tuple[Any, ...], row: _Row) -> None:
        """Count a row, and keep it if it is among the ``n``."""
        self.seen += 1
        if self.n is None or len(self._heap) < self.n:
            heapq.heappush(self._heap, (_Reverse(key), next(self._count), row))
        elif self.n and key < self._heap[0][0].key:
            heapq.heapreplace(self._heap, (_Reverse(key), next(self._count), row))

    def rows(self) -> list[_Row]:
        return sorted((row for _, _, row in self._heap), key=lambda r: r.key)


@attrs.frozen
class _Reverse:
    """Orders keys backwards, so the heap's top is the largest kept key."""

    key: tuple[Any, ...]

    def __lt__(self, other: _Reverse) -> bool:
        return other.key < self.key


@attrs.define
class _Tally:
    """The summary, counted as the records go by."""

    as_of: datetime
    limit: int | None
    known_at: datetime | None = None
    records: int = 0
    invalid: int = 0
    outcomes: Counter[str] = attrs.Factory(Counter)
    rules: dict[str, Counter[str]] = attrs.Factory(dict)
    overdue: int = 0
    soon: int = 0
    hints: Counter[str] = attrs.Factory(Counter)
    urgent: _Worst = attrs.field(init=False)
    refused: _Worst = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.urgent = _Worst(self.limit)
        self.refused = _Worst(self.limit)

    def judged(self, judged: _Judged) -> None:
        """Count one record's findings (a valid record's)."""
        outcomes, rules = self.outcomes, self.rules
        for code, outcome in judged.counts:
            outcomes[outcome] += 1
            counts = rules.get(code)
            if counts is None:
                counts = rules[code] = Counter()
            counts[outcome] += 1
        for key, overdue, row in judged.urgent:
            if overdue:
                self.overdue += 1
            else:
                self.soon += 1
            self.urgent.push(key, row)

    def refusal(self, bad: _Invalid) -> None:
        self.invalid += 1
        if bad.document:
            self.hints[bad.document] += 1
        hint = f" (this record is a {bad.document} document)" if bad.document else ""
        for v in bad.error.violations:
            key = (self.invalid, v.path)
            self.refused.push(
                key, _Row(key, bad.where, v.code, "invalid", v.path, f"{v.message}{hint}")
            )


def _finding_key(case: CaseFile, f: Finding, as_of: datetime) -> tuple[Any, ...]:
    """Most urgent first: the earliest due (the longest overdue), then the most serious."""
    due = f.due
    return (due is None, due or as_of, -f.severity.rank, case.child.id, f.rule.code, f.subject)


def _finding_row(case: CaseFile, f: Finding, pack_zone: str, as_of: datetime) -> _Row:
    due = f.due
    state = f.outcome.value
    if f.is_outstanding and due is not None and due < as_of:
        state = "overdue"
    when = "" if due is None else human_time(due, _zone_of(f, pack_zone))
    return _Row(_finding_key(case, f, as_of), case.child.id, f.rule.code, state, when, f.text)


def _zone_of(f: Finding, pack_zone: str) -> str:
    """The zone a finding's times are shown in: the one its text was written in, else the
    pack's."""
    return pack_zone if f.zone is None else f.zone


# --- judging a record (here, or in a pool's process) -------------------------------------


@attrs.frozen
class _Judged:
    """What the command keeps of one record: enough for the summary, the lists and the
    output, and nothing else (so memory does not grow with the input). The same
    whichever process judged it."""

    #: the record that is not a usable case file, or ``None``
    invalid: _Invalid | None = None
    #: (rule code, outcome) of each finding
    counts: tuple[tuple[str, str], ...] = ()
    #: (key, overdue?, row) of each outstanding finding due before as_of + SOON
    urgent: tuple[tuple[tuple[Any, ...], bool, _Row], ...] = ()
    #: the row of every finding, for ``--all`` in the table
    rows: tuple[_Row, ...] = ()
    #: the evaluation's JSON line, for ``--format json``
    line: bytes | None = None


@attrs.frozen
class _Settings:
    """What judging needs, as the command line gave it (sent to a pool's processes)."""

    pack: str
    zone: str | None
    as_of: datetime
    fmt: str
    show_all: bool
    known_at: datetime | None = None


class _Judge:
    """Evaluates records and keeps what the command needs of each (:class:`_Judged`)."""

    def __init__(self, settings: _Settings) -> None:
        self.settings = settings
        self.pack = _check_pack(settings.pack, settings.zone)
        self.pack_zone = self.pack.local_zone
        # the pack's own categories and recipients are read with its vocabularies
        self.vocabularies = (
            list(self.pack.extended_vocabularies()) if self.pack.vocabularies else None
        )
        self._loader: tuple[Callable[[bytes | str], CaseFile], int] | None = None

    def lines(
        self, name: str, start: int, lines: Iterable[bytes | str | None]
    ) -> Iterator[_Judged]:
        """Each line judged, numbered from ``start``."""
        load, most = self.prepare()
        for number, found in scan_raw(lines, CaseFile, load, most, start=start):
            record = _invalid(name, number, found) if isinstance(found, LineError) else found
            yield self.record(record)

    def prepare(self) -> tuple[Callable[[bytes | str], CaseFile], int]:
        """The reader of a line (made once: the fast path is generated here)."""
        if self._loader is None:
            self._loader = line_loader(
                CaseFile, vocabularies=self.vocabularies, limits=Limits(document_bytes=_MOST)
            )
        return self._loader

    def record(self, record: CaseFile | _Invalid) -> _Judged:
        """One record judged."""
        if isinstance(record, _Invalid):
            return _Judged(invalid=record)
        as_of, pack_zone, fmt = self.settings.as_of, self.pack_zone, self.settings.fmt
        evaluation = _evaluate(record, pack=self.pack, as_of=as_of, known_at=self.settings.known_at)
        findings = evaluation.findings
        soon = as_of + SOON
        urgent = tuple(
            (
                _finding_key(record, f, as_of),
                f.due < as_of,
                _finding_row(record, f, pack_zone, as_of),
            )
            for f in findings
            if f.due is not None and f.due < soon and f.is_outstanding
        )
        rows = (
            tuple(_finding_row(record, f, pack_zone, as_of) for f in findings)
            if self.settings.show_all and fmt == "table"
            else ()
        )
        line = None
        if fmt == "json":
            if not self.settings.show_all:
                evaluation = attrs.evolve(
                    evaluation, findings=tuple(f for f in findings if f.outcome in _SHOWN)
                )
            line = to_json(evaluation) + b"\n"
        counts = tuple((f.rule.code, f.outcome.value) for f in findings)
        return _Judged(counts=counts, urgent=urgent, rows=rows, line=line)


#: The judge of a pool's process (set when the process starts).
_JUDGE: _Judge | None = None


def _start_process(settings: _Settings) -> None:
    global _JUDGE  # noqa: PLW0603 - one judge per process of the pool
    if _JUDGE is None or _JUDGE.settings != settings:  # not inherited (spawn): made here
        _JUDGE = _Judge(settings)


def _judge_part(name: str, start: int, lines: list[bytes | None]) -> list[_Judged]:
    assert _JUDGE is not None
    return list(_JUDGE.lines(name, start, lines))


#: Without --jobs, a JSON-lines file this large is evaluated by one process per core, at
#: most _AUTO_MOST (each holds about what one process does: memory stays bounded); a
#: smaller file or standard input by one process, as starting more would not pay.
_AUTO_BYTES = 8 << 20
_AUTO_MOST = 4

#: A part sent to a process: this many lines, or fewer when they reach _PART_BYTES.
_PART_LINES = 64
_PART_BYTES = 1 << 20


class _Pool:
    """Processes that judge parts of the input; the results come back in input order.

    At most two parts per process are read ahead, so memory stays bounded
    whatever the input's size. Started before anything else runs (a progress
    bar's thread): on Linux the processes are forks of this one, elsewhere
    they start afresh (``spawn``) and build their own judge.
    """

    def __init__(self, jobs: int, judge: _Judge) -> None:
        global _JUDGE  # noqa: PLW0603 - what a forked process inherits
        self.jobs = jobs
        import multiprocessing  # noqa: PLC0415 - only when evaluating on several processes

        method = "fork" if sys.platform == "linux" else "spawn"
        if method == "fork":
            # the reader is generated once, here, and every fork inherits it ready
            judge.prepare()
            _JUDGE = judge
        context = multiprocessing.get_context(method)
        self._pool = context.Pool(jobs, _start_process, (judge.settings,))

    def judged(self, name: str, lines: Iterable[bytes | None]) -> Iterator[_Judged]:
        pending: collections.deque[AsyncResult[list[_Judged]]] = collections.deque()
        number = 1
        for part in _parts(lines):
            pending.append(self._pool.apply_async(_judge_part, (name, number, part)))
            number += len(part)
            if len(pending) >= 2 * self.jobs:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()

    def close(self) -> None:
        global _JUDGE  # noqa: PLW0603 - this process's is let go
        self._pool.terminate()
        self._pool.join()
        _JUDGE = None


def _parts(lines: Iterable[bytes | None]) -> Iterator[list[bytes | None]]:
    part: list[bytes | None] = []
    size = 0
    for line in lines:
        part.append(line)
        size += 0 if line is None else len(line)
        if len(part) >= _PART_LINES or size >= _PART_BYTES:
            yield part
            part, size = [], 0
    if part:
        yield part


# --- options ---------------------------------------------------------------------------


def _parse_as_of(text: str | None) -> datetime:
    if text is None:
        return SystemClock().now()  # the command line is the edge: real time is asked for here
    return _parse_instant(text, "--as-of")


def _parse_instant(text: str, option: str) -> datetime:
    try:
        return parse_instant(text, option)
    except ValidationError:
        raise click.BadParameter(
            "expected an RFC 3339 instant with an offset, e.g. 2026-03-31T09:00:00Z",
            param_hint=option,
        ) from None


def _check_pack(code: str, zone: str | None) -> RulePack:
    """The pack asked for, in ``zone`` when given; a pack without a zone needs one."""
    from missingcare.rules import PackError, available_packs, get_pack  # noqa: PLC0415

    try:
        pack = get_pack(code)
    except PackError:
        known = ", ".join(available_packs())
        raise click.BadParameter(
            f"no rule pack with this code; packs: {known}", param_hint="--pack"
        ) from None
    if zone is not None:
        try:
            return pack.in_zone(zone)
        except ValidationError:
            raise click.BadParameter("expected an IANA zone name", param_hint="--zone") from None
    if pack.zone is None:
        raise click.BadParameter(
            f"{pack.code} spans several time zones and will not guess one: give the agency's "
            "zone, e.g. --zone America/Chicago",
            param_hint="--zone",
        )
    return pack


def _evaluate(
    case: CaseFile, *, pack: RulePack, as_of: datetime, known_at: datetime | None = None
) -> Evaluation:
    """One case file's evaluation (rule evaluation plugs in here)."""
    from missingcare.rules import evaluate  # noqa: PLC0415 - loaded when checking only

    return evaluate(case, pack=pack, as_of=as_of, known_at=known_at)


# --- the command ---------------------------------------------------------------------------


@click.command("check")
@click.argument("file", type=str, metavar="FILE")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--pack", default="GB-ENG", show_default=True, help="The rule pack's code (see: packs)."
)
@click.option(
    "--zone",
    default=None,
    help="The IANA zone of the agency, for a pack that spans several (the US pack).",
)
@click.option(
    "--as-of",
    "as_of_text",
    metavar="INSTANT",
    help="Evaluate as of this RFC 3339 instant (default: now).",
)
@click.option(
    "--known-at",
    "known_at_text",
    metavar="INSTANT",
    help=(
        "Use only what had been recorded by this RFC 3339 instant (default: the --as-of "
        "instant): what the home knew then."
    ),
)
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="List every finding (met and not applicable too) and invalid record, in every format.",
)
@click.option(
    "--limit",
    type=click.IntRange(0, None),
    default=20,
    show_default=True,
    help="How many urgent findings and invalid records the table lists.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(0, None),
    default=None,
    help=(
        "Processes that evaluate JSON lines (0: one per core). Default: one per core, "
        f"at most {_AUTO_MOST}, for a file of {_AUTO_BYTES >> 20} MiB or more; else 1. "
        "The output is the same."
    ),
)
def check(  # noqa: PLR0917 - click passes each option as a parameter
    file: str,
    fmt: str,
    pack: str,
    zone: str | None,
    as_of_text: str | None,
    known_at_text: str | None,
    show_all: bool,
    limit: int,
    jobs: int | None,
) -> int:
    """Check a caseload of case files (JSON lines, a JSON file, or - for standard input).

    Prints a summary first, then what is overdue or due soon, most urgent
    first. Exits 1 when a finding is breached or a record is invalid, 0
    otherwise, and 2 when the input cannot be read at all.
    """
    as_of = _parse_as_of(as_of_text)
    known_at = None if known_at_text is None else _parse_instant(known_at_text, "--known-at")
    judge = _Judge(_Settings(pack, zone, as_of, fmt, show_all, known_at))
    # bounded even with --all: it lists from the spool
    tally = _Tally(as_of=as_of, limit=limit, known_at=known_at)
    stream, size = _open(file)
    jobs = _jobs(jobs, size)
    # processes for JSON lines only (a .json file is read whole), started before the bar
    pool = _Pool(jobs, judge) if jobs > 1 and stream is not None else None
    try:
        counted = None if stream is None else _Counted(stream)
        records = _judged(file, judge, counted, pool)
        with _spool(show_all and fmt == "table") as spool:
            # the bar (on a terminal) is gone before the summary is printed
            with _progress(size, counted, fmt) as tick:
                for judged in records:
                    tally.records += 1
                    tick()
                    _take(judged, tally, spool, fmt)
            if not tally.records:
                raise UnusableInput(f"{_name(file)}: no case files in the input")
            if fmt == "table":
                _print_table(tally, judge.pack.code, judge.pack_zone, spool, limit, show_all)
    finally:
        if pool is not None:
            pool.close()
        if stream is not None and file != "-":
            stream.close()
    flagged = tally.outcomes["breached"] > 0 or tally.invalid > 0
    return ExitCode.FLAGGED if flagged else ExitCode.OK


def _take(judged: _Judged, tally: _Tally, spool: IO[str] | None, fmt: str) -> None:
    """One judged record into the summary, the spool and the output."""
    bad = judged.invalid
    if bad is not None:
        tally.refusal(bad)
        if spool is not None:
            for v in bad.error.violations:
                _spool_row(spool, _Row((), bad.where, v.code, "invalid", v.path, v.message))
        if fmt == "json":
            click.echo(_invalid_line(bad), err=True)
        return
    tally.judged(judged)
    if spool is not None:
        for row in judged.rows:
            _spool_row(spool, row)
    if judged.line is not None:
        sys.stdout.buffer.write(judged.line)


def _jobs(asked: int | None, size: int | None) -> int:
    """How many processes evaluate: ``--jobs``, else by the input's size (see _AUTO_BYTES)."""
    if asked is not None:
        return asked or _cores()
    if size is None or size < _AUTO_BYTES:
        return 1
    return min(_cores(), _AUTO_MOST)


def _cores() -> int:
    """The cores this process may run on (``--jobs 0``)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _name(file: str) -> str:
    return "stdin" if file == "-" else Path(file).name


def _open(file: str) -> tuple[IO[bytes] | None, int | None]:
    """The JSON-lines stream to read (``None`` for a ``.json`` file) and its size if known."""
    if file == "-":
        return sys.stdin.buffer, None
    path = Path(file)
    if path.suffix.lower() in {".jsonl", ".ndjson"} and path.is_file():
        return path.open("rb"), path.stat().st_size
    return None, None


class _progress:  # noqa: N801 - used as a context manager, like a function
    """A progress bar on standard error while reading, only when it is a terminal."""

    def __init__(self, size: int | None, counted: _Counted | None, fmt: str) -> None:
        self._bar: Any = None
        self._size = size
        self._counted = counted
        self._n = 0
        # not over JSON lines written to the same terminal
        shown = _is_terminal(sys.stderr) and (fmt == "table" or not _is_terminal(sys.stdout))
        if counted is not None and shown:
            from rich.progress import (  # noqa: PLC0415 - only on a terminal
                BarColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._bar = Progress(
                TextColumn("checking"),
                BarColumn(),
                TextColumn("{task.fields[n]:,} case files"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )

    def __enter__(self) -> Any:
        if self._bar is None:
            return lambda: None
        self._bar.start()
        task = self._bar.add_task("check", total=self._size, n=0)

        def tick() -> None:
            self._n += 1
            if self._n % 64 == 0:
                assert self._counted is not None
                self._bar.update(task, completed=self._counted.read, n=self._n)

        return tick

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return os.isatty(stream.fileno())
    except (OSError, ValueError, AttributeError):
        return False


class _spool:  # noqa: N801 - used as a context manager, like a function
    """A temporary file for ``--all``'s rows (in memory up to 8 MiB), else nothing."""

    def __init__(self, wanted: bool) -> None:
        self._file: IO[str] | None = (
            tempfile.SpooledTemporaryFile(max_size=8 << 20, mode="w+", encoding="utf-8")  # noqa: SIM115
            if wanted
            else None
        )

    def __enter__(self) -> IO[str] | None:
        return self._file

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            self._file.close()


def _spool_row(spool: IO[str], row: _Row) -> None:
    spool.write(json.dumps([row.child, row.rule, row.outcome, row.when, row.text]) + "\n")


def _invalid_line(bad: _Invalid) -> str:
    hint = f" (this record is a {bad.document} document, not a case file)" if bad.document else ""
    paths = "; ".join(str(v) for v in bad.error.violations)
    more = f"; and {bad.error.more:,} more" if bad.error.more else ""
    return f"missingcare: invalid: {bad.where}{hint}: {paths}{more}"


# --- printing the table ---------------------------------------------------------------------


def _print_table(  # noqa: PLR0917 - the command's state, passed once
    tally: _Tally, pack: str, zone: str, spool: IO[str] | None, limit: int, show_all: bool
) -> None:
    console = Console(highlight=False, markup=False, emoji=False)
    width = console.width

    def out(*items: Any) -> None:
        console.print(*items, soft_wrap=True)

    total = tally.outcomes.total()
    valid = tally.records - tally.invalid
    out(
        _fold(
            f"Checked {valid:,} case file{_s(valid)} against {pack}",
            [
                f"as of {human_time(tally.as_of, zone)}"
                + (
                    ":"
                    if tally.known_at is None or tally.known_at == tally.as_of
                    else f", as known at {human_time(tally.known_at, zone)}:"
                )
            ],
            f"{total:,} finding{_s(total)}, {tally.invalid:,} invalid record{_s(tally.invalid)}.",
            width,
        )
    )
    if total:
        counted = [f"{_label(o)} {tally.outcomes[o]:,}" for o in _OUTCOMES if tally.outcomes[o]]
        out(_fold("By outcome:", _commas(counted), "", width))
        shown = [o for o in _OUTCOMES if tally.outcomes[o]]
        table = Table(title="Findings by rule", title_justify="left", box=None, pad_edge=False)
        table.add_column("rule", no_wrap=True)
        for o in shown:
            table.add_column(_short(o), justify="right", no_wrap=True)
        for code in sorted(tally.rules):
            counts = tally.rules[code]
            table.add_row(code, *[f"{counts[o]:,}" if counts[o] else "" for o in shown])
        natural = console.measure(table, options=console.options.update_width(1 << 16))
        if natural.maximum <= width:
            out(table)
        else:  # too narrow for the table: a rule a line, its counts folded as whole tokens
            out("Findings by rule:")
            for code in sorted(tally.rules):
                counts = tally.rules[code]
                parts = [f"{_label(o)} {counts[o]:,}" for o in _OUTCOMES if counts[o]]
                out(_fold(f"  {code}:", _commas(parts), "", width, indent="      "))
    out(
        _fold(
            f"Outstanding: {tally.overdue:,} overdue,",
            [f"{tally.soon:,} due in the next {SOON.days} days."],
            "",
            width,
        )
    )
    sys.stdout.flush()  # the summary is read now, even through a pipe, before the lists
    urgent = tally.urgent.rows()
    if urgent:
        kept = urgent
        out("")
        out(f"Most urgent ({len(kept):,} of {tally.urgent.seen:,}; --limit N, --all):")
        for row in kept:
            out(_entry(row, width))
    refused = tally.refused.rows()
    if refused:
        kept = refused
        out("")
        names = ", ".join(f"{n:,} {doc}" for doc, n in sorted(tally.hints.items()))
        hint = f" (documents of another type: {names})" if names else ""
        out(
            _fold(
                f"Invalid records ({len(kept):,} of {tally.refused.seen:,} problems){hint}:",
                [],
                "",
                width,
            )
        )
        for row in kept:
            out(_entry(row, width))
    if spool is not None and spool.tell():
        spool.seek(0)
        out("")
        out("Every finding and invalid record, in the order read:")
        for line in spool:
            child, rule, outcome, when, text = json.loads(line)
            out(_entry(_Row((), child, rule, outcome, when, text), width))


def _commas(parts: list[str]) -> list[str]:
    return [f"{p}," for p in parts[:-1]] + parts[-1:]


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def _label(outcome: str) -> str:
    return outcome.replace("_", " ")


def _short(outcome: str) -> str:
    return {"insufficient_data": "no data", "not_applicable": "n/a"}.get(outcome, outcome)


def _fold(head: str, tokens: list[str], tail: str, width: int, indent: str = "  ") -> str:
    """``head``, ``tokens`` and ``tail`` flowed into lines of at most ``width`` columns,
    breaking only between tokens (a token is never split, whatever its spaces)."""
    parts = [p for p in (head, *tokens, tail) if p]
    lines: list[str] = []
    line = ""
    for part in parts:
        if line and len(line) + 1 + len(part) > width:
            lines.append(line)
            line = indent + part
        else:
            line = f"{line} {part}" if line else part
    lines.append(line)
    return "\n".join(lines)


def _entry(row: _Row, width: int) -> str:
    """A finding as whole tokens (time, state, child, rule) folded to ``width``,
    then its message, indented and wrapped at spaces (an id never split)."""
    if row.outcome == "invalid":  # where, the field path, the code
        head = _fold(f"  {row.child}", [row.when, f"[{row.rule}]"], "", width, "    ")
    else:
        tokens = [row.outcome, row.child, row.rule]
        head = _fold(f"  {row.when}" if row.when else " ", tokens, "", width, "    ")
    # a time in the text ("10:01 on Sun 11 May 2026 (BST)") is one token: its spaces are
    # made non-breaking for the wrap (textwrap breaks at ASCII white space only)
    text = A_TIME.sub(lambda m: m.group(0).replace(" ", "\N{NO-BREAK SPACE}"), row.text)
    body = textwrap.fill(
        text,
        width=max(20, width),
        initial_indent="      ",
        subsequent_indent="      ",
        break_long_words=False,
        break_on_hyphens=False,
    )
    return f"{head}\n{body.replace(chr(0xA0), ' ')}"
