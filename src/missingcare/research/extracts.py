"""Safe extracts: keyed pseudonyms, shifted dates, no free text, suppressed small numbers.

An extract is what may leave the system that holds the records: record-level
tables with every identifier replaced by a keyed pseudonym, dates shifted per
child, free text left out, plus published tables of counts with small
numbers suppressed, and a manifest of everything done. It follows the
project's reliability notes (reliability.md §2: P1–P7, S1–S6, D1–D6, F1,
and the manifest of §2.7).

* **Pseudonyms** (P1–P5) are HMAC-SHA-256 over a domain-separated,
  cleaned identifier (NFC, trimmed, upper-case; NHS numbers reduced to their
  ten digits and checked), written as 64 hex characters. The caller
  supplies the key (at least 32 bytes, e.g. ``secrets.token_bytes(32)``); it
  is never written anywhere, and the manifest holds only its fingerprint.
  Ids that are unique only within a child (episodes, conversations…) are
  hashed together with the child's id. Two different ids that clean alike
  (``ab-1`` and ``AB-1``) are refused rather than merged.
* **Dates** (D1–D3, D5): the date of birth becomes its month; every instant
  and date of a child moves by the same keyed offset of -182 to +182 days
  (a multiple of 7 by default, so weekdays hold), so intervals within a
  child are kept exactly. The episode columns the analyses compute from
  local time (:data:`~missingcare.research.tables.EXTRACT_COLUMNS`) and the
  age are computed *before* the shift, by the analyses' own code, and
  travel as columns; every table says whether its dates are shifted, so
  the analyses read those columns and never re-localise shifted instants.
* **Columns** are decided from their field kinds (:func:`_fate`): ids are
  pseudonymised, closed kinds (instants, dates, flags, zones, codes) kept,
  and free text (F1; :data:`FREE_TEXT`, every text field of the model)
  left out unless opted in by name, which flags the extract for human
  review. Police references are never released. A column of no known
  kind is left out.
* **Published tables and the manifest** (S1, S2, S6): every count, in a
  table, a label that is a count or the manifest, is shown by
  :meth:`SuppressionProfile.show`: 1 to 9 as ``c``, the rest rounded to
  the nearest 5 (or 10 with :data:`DFE_NATIONAL`), a true zero ``0``. A
  table or row behind fewer than 10 children is ``c`` throughout, zeros
  included; secondary suppression leaves no row, and no column within a
  stacked group, with exactly one ``c``. Rates and averages are not
  published; readers compute them from the published counts.

>>> import secrets
>>> p = Pseudonymiser(secrets.token_bytes(32))
>>> p.pseudonym("c-0001", "child") == p.pseudonym(" C-0001 ", "child")
True
>>> Pseudonymiser(b"short")
Traceback (most recent call last):
...
ValueError: the pseudonymisation key must be at least 32 bytes
"""

from __future__ import annotations

import hashlib
import hmac
import json
import unicodedata
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from missingcare._version import __version__
from missingcare.exceptions import ValidationError
from missingcare.research.patterns import CountTable, _local_episode_columns
from missingcare.research.tables import (
    COLUMN_KINDS,
    EXTRACT_COLUMNS,
    EXTRACT_DATES,
    EXTRACT_DROPPED,
    KNOWN_AT,
    SCHEMAS,
    TABLES,
    CaseTables,
)
from missingcare.time import format_instant, tzdata_version

__all__ = [
    "DEFAULT_SUPPRESSION",
    "DFE_NATIONAL",
    "FREE_TEXT",
    "MIN_KEY_BYTES",
    "NEVER_RELEASED",
    "SUPPRESSED",
    "Extract",
    "ExtractProfile",
    "Pseudonymiser",
    "PublishedTable",
    "SuppressionProfile",
    "canonical_nhs_number",
    "clean_identifier",
    "make_extract",
    "publish",
    "suppress",
]

_PREFIX = b"missingcare:v1:"
#: The shortest key accepted, in bytes (reliability.md P2).
MIN_KEY_BYTES = 32
#: How a suppressed cell is shown (as DfE and ONS show it).
SUPPRESSED = "c"


# --- identifiers ----------------------------------------------------------------------


def clean_identifier(value: str) -> str:
    """An identifier as it is hashed: NFC-normalised, trimmed, inner spaces collapsed, upper-case.

    >>> clean_identifier("  c-0001 ")
    'C-0001'
    """
    if not isinstance(value, str):
        raise ValidationError.single("$", "wrong_type", "expected an identifier as text")
    cleaned = " ".join(unicodedata.normalize("NFC", value).split()).upper()
    if not cleaned:
        raise ValidationError.single("$", "empty", "expected a non-empty identifier")
    return cleaned


def canonical_nhs_number(value: str, path: str = "$") -> str:
    """The ten digits of an NHS number, with spaces and hyphens removed and the check digit checked.

    >>> canonical_nhs_number("943 476 5919")
    '9434765919'
    """
    digits = "".join(ch for ch in str(value) if ch not in " -")
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        raise ValidationError.single(path, "invalid_nhs_number", "expected ten digits")
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    if check == 10 or check != int(digits[9]):
        raise ValidationError.single(path, "invalid_nhs_number", "the check digit does not match")
    return digits


class Pseudonymiser:
    """Keyed HMAC-SHA-256 pseudonyms and per-child date offsets under one secret key.

    The key is held in memory only: it has no ``repr``, cannot be pickled
    and is never written. :attr:`fingerprint` identifies it in a manifest.
    The date-shift offsets use a second key derived from it, so knowing a
    pseudonym does not give its offset without the key.
    """

    __slots__ = ("_key", "_shift_key")

    def __init__(self, key: bytes) -> None:
        if not isinstance(key, (bytes, bytearray)):
            raise TypeError("the pseudonymisation key must be bytes")
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"the pseudonymisation key must be at least {MIN_KEY_BYTES} bytes")
        self._key = bytes(key)
        self._shift_key = hmac.digest(self._key, _PREFIX + b"date-shift-key", "sha256")

    def __repr__(self) -> str:
        return f"Pseudonymiser(fingerprint={self.fingerprint!r})"

    def __reduce__(self) -> Any:
        raise TypeError("a Pseudonymiser holds a secret key and cannot be pickled")

    @property
    def fingerprint(self) -> str:
        """A fingerprint of the key (an HMAC of a fixed label), safe to record."""
        return hmac.new(self._key, _PREFIX + b"key-fingerprint", "sha256").hexdigest()[:32]

    def pseudonym(self, value: str, kind: str, *, scope: str | None = None) -> str:
        """The pseudonym of identifier ``value`` of ``kind`` (``child``, ``episode``…).

        ``scope`` qualifies ids that are unique only within a child (pass the
        child's id). ``kind="nhs_number"`` checks and canonicalises an NHS
        number first.
        """
        cleaned = canonical_nhs_number(value) if kind == "nhs_number" else clean_identifier(value)
        message = _PREFIX + kind.encode() + b":"
        if scope is not None:
            message += clean_identifier(scope).encode() + b"\x1f"
        return hmac.new(self._key, message + cleaned.encode(), "sha256").hexdigest()

    def shift_days(self, child_pseudonym: str, *, multiple_of: int = 7) -> int:
        """The child's keyed date offset in days: -182 to +182, a multiple of ``multiple_of``."""
        raw = hmac.digest(self._shift_key, child_pseudonym.encode(), "sha256")
        offset = int.from_bytes(raw[:4], "big") % 365 - 182
        return round(offset / multiple_of) * multiple_of if multiple_of > 1 else offset

    def matches(self, value: str, kind: str, pseudonym: str, *, scope: str | None = None) -> bool:
        """Whether ``pseudonym`` is that of ``value`` (compared in constant time)."""
        return hmac.compare_digest(self.pseudonym(value, kind, scope=scope), pseudonym)


# --- suppression ----------------------------------------------------------------------


@attrs.frozen
class SuppressionProfile:
    """How published counts are protected; one ``threshold`` for cells, rows and tables.

    Counts from 1 to ``threshold - 1`` are suppressed (shown ``c``); the
    rest are rounded to the nearest ``rounding`` (halves up); a true zero is
    shown ``0``. A row behind fewer than ``threshold`` children, and a whole
    table behind fewer than ``threshold`` children, is shown ``c`` in every
    count, zeros included, so its pattern of zeros says nothing either. With
    ``secondary``, more cells are suppressed until no row, and no column
    within a group of rows, has exactly one suppressed cell.
    """

    name: str
    threshold: int = 10
    rounding: int = 5
    secondary: bool = True

    def __attrs_post_init__(self) -> None:
        if self.threshold < 1 or self.rounding < 1:
            raise ValueError("threshold and rounding must be at least 1")

    def show(self, count: int) -> str:
        """``count`` as published: ``0``, ``c`` (1 to ``threshold - 1``) or rounded.

        Every count that leaves in a published table, a label or the manifest
        goes through here.

        >>> " ".join(DEFAULT_SUPPRESSION.show(n) for n in (0, 3, 12, 13, 27))
        '0 c 10 15 25'
        """
        if count < 0:
            raise ValueError("counts cannot be negative")
        if count == 0:
            return "0"
        if count < self.threshold:
            return SUPPRESSED
        return str(_round(count, self.rounding))


#: The default: suppress 1-9, round the rest to the nearest 5 (ONS "10-5"; reliability.md S1).
DEFAULT_SUPPRESSION = SuppressionProfile("suppress-1-9-round-5")
#: DfE-style national figures: rounded to the nearest 10, with 1-9 still suppressed.
DFE_NATIONAL = SuppressionProfile("dfe-national-round-10", threshold=10, rounding=10)


def _round(value: int, step: int) -> int:
    return (value + step // 2) // step * step


def _lines(
    n_rows: int, n_cols: int, groups: Sequence[Sequence[int]]
) -> list[list[tuple[int, int]]]:
    """The lines that must not hold exactly one suppressed cell: each row (across its
    counts) and each count column within each group of rows (a stacked table)."""
    out: list[list[tuple[int, int]]] = []
    if n_cols > 1:
        out += ([(i, j) for j in range(n_cols)] for i in range(n_rows))
    for rows in groups:
        if len(rows) > 1:
            out += ([(i, j) for i in rows] for j in range(n_cols))
    return out


def _secondary(
    values: list[list[int]], mask: list[list[bool]], lines: list[list[tuple[int, int]]]
) -> int:
    """Suppress further cells until no line has exactly one; return how many."""
    added = 0
    changed = True
    while changed:
        changed = False
        for cells in lines:
            if sum(mask[i][j] for i, j in cells) != 1:
                continue
            free = [(values[i][j] == 0, values[i][j], i, j) for i, j in cells if not mask[i][j]]
            if not free:
                continue
            _, _, i, j = min(free)
            mask[i][j] = True
            added += 1
            changed = True
    return added


@attrs.frozen(eq=False)
class PublishedTable:
    """A table of counts made safe to publish.

    Every count cell, and every label that is a count, is text: ``0``, ``c``
    (suppressed) or a rounded count. ``suppressed_whole`` says the table was
    behind too few children to show anything but ``c``.
    """

    frame: pl.DataFrame
    profile: SuppressionProfile
    primary_suppressed: int
    secondary_suppressed: int
    counts: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    count_labels: tuple[str, ...] = ()
    suppressed_whole: bool = False

    def to_polars(self) -> pl.DataFrame:
        """The published table as polars."""
        return self.frame.clone()

    def to_arrow(self) -> pa.Table:
        """The published table as Arrow."""
        return self.frame.to_arrow()


def _whole_numbers(frame: pl.DataFrame, columns: Sequence[str], what: str) -> list[list[int]]:
    rows = list(frame.select(columns).iter_rows())
    if any(v is None for row in rows for v in row):
        raise ValueError(f"{what} cannot be null: an unknown count cannot be published")
    values = [[int(v) for v in row] for row in rows]
    if any(v < 0 for row in values for v in row):
        raise ValueError(f"{what} cannot be negative")
    return values


def suppress(
    frame: pl.DataFrame,
    counts: Sequence[str],
    *,
    labels: Sequence[str] = (),
    children: str | None = None,
    groups: Sequence[str] = (),
    count_labels: Sequence[str] = (),
    population: int | None = None,
    profile: SuppressionProfile = DEFAULT_SUPPRESSION,
) -> PublishedTable:
    """Publish the ``counts`` columns of ``frame`` under ``profile``; ``labels`` label the rows.

    * ``children`` names the column counting the distinct children behind
      each row: a row behind 1 to ``threshold - 1`` children is shown ``c``
      in every count, zeros included, since one child can account for many
      episodes (reliability.md S6).
    * ``population`` is the number of distinct children behind the whole
      table: below ``threshold``, every count is ``c``.
    * ``count_labels`` are labels that are counts (``most_in_window``): they
      are shown as counts are, and rows whose shown labels are then equal
      are added together (their children must be distinct, as they are for
      a distribution of children).
    * ``groups`` are labels that stack tables (``measure``): secondary
      suppression looks at each column within each group's rows.

    Other columns are left out. Counts must be whole numbers, never null.

    >>> frame = pl.DataFrame({"home": ["A", "B", "C"], "n": [0, 3, 27]})
    >>> t = suppress(frame, ["n"], labels=["home"])
    >>> " ".join(t.frame.get_column("n"))
    '0 c c'
    """
    if not counts:
        raise ValueError("name at least one count column")
    if not set(groups) | set(count_labels) <= set(labels):
        raise ValueError("groups and count labels must be among the labels")
    whole = population is not None and 0 < population < profile.threshold
    if count_labels:
        _whole_numbers(frame.drop_nulls(list(count_labels)), count_labels, "count labels")
        shown = []
        for c in count_labels:
            present = frame.get_column(c).drop_nulls().unique().to_list()
            mapping = {v: SUPPRESSED if whole else profile.show(v) for v in present}
            shown.append(pl.col(c).replace_strict(mapping, default=None, return_dtype=pl.String))
        frame = (
            frame.with_columns(shown)
            .group_by(list(labels), maintain_order=True)
            .agg(pl.col(list(counts)).sum())
        )
    values = _whole_numbers(frame, counts, "counts")
    few = [
        0 < v < profile.threshold
        for v in (frame.get_column(children).to_list() if children else [])
    ]
    mask = [
        [whole or (bool(few) and few[i]) or 0 < v < profile.threshold for v in row]
        for i, row in enumerate(values)
    ]
    primary = sum(map(sum, mask))
    secondary = 0
    if profile.secondary and not whole:
        if groups:
            keyed = frame.with_row_index("_row").group_by(list(groups), maintain_order=True)
            rows = [list(g) for g in keyed.agg(pl.col("_row")).get_column("_row").to_list()]
        else:
            rows = [list(range(len(values)))]
        lines = _lines(len(values), len(counts), rows)
        secondary = _secondary(values, mask, lines)
    cells = {
        name: [SUPPRESSED if mask[i][j] else profile.show(values[i][j]) for i in range(len(values))]
        for j, name in enumerate(counts)
    }
    out = pl.concat(
        [
            frame.select(labels),
            pl.DataFrame([pl.Series(n, column, dtype=pl.String) for n, column in cells.items()]),
        ],
        how="horizontal",
    )
    return PublishedTable(
        out,
        profile=profile,
        primary_suppressed=primary,
        secondary_suppressed=secondary,
        counts=tuple(counts),
        labels=tuple(labels),
        count_labels=tuple(count_labels),
        suppressed_whole=whole,
    )


def publish(
    result: CountTable, profile: SuppressionProfile = DEFAULT_SUPPRESSION
) -> PublishedTable:
    """An analysis result (from :mod:`~missingcare.research.patterns`) made safe to publish.

    Its declared counts, count labels and groups, and the children behind
    it (``result.population``), decide what is shown.
    """
    columns = result.frame.columns
    return suppress(
        result.frame,
        [c for c in result.COUNTS if c in columns],
        labels=[c for c in result.LABELS if c in columns],
        children="children" if "children" in result.COUNTS else None,
        groups=[c for c in result.GROUPS if c in columns],
        count_labels=[c for c in result.COUNT_LABELS if c in columns],
        population=result.population,
        profile=profile,
    )


# --- record-level extracts ---------------------------------------------------------

#: Identifier columns and their kinds; ``True`` when the id is unique only within a child.
#: They are pseudonymised; so are ``child_id`` (kind ``child``) everywhere.
_IDS: Mapping[str, tuple[str, bool]] = {
    "episode_id": ("episode", True),
    "placement_id": ("placement", True),
    "conversation_id": ("conversation", True),
    "entry_id": ("context_entry", True),
    "factor_id": ("factor", True),
    "need_id": ("need", True),
    "relationship_id": ("relationship", True),
    "action_id": ("action", True),
    "plan_id": ("absence_plan", True),
    "profile_id": ("profile", True),
    "screening_id": ("screening", True),
    "date_id": ("significant_date", True),
    "episode_ids": ("episode", True),
    "resolves": ("context_entry", True),
    "home_id": ("home", False),
    "adult_id": ("adult", False),
    "interviewer_adult_id": ("adult", False),
    "adult_ids": ("adult", False),
    "requested_adult_ids": ("adult", False),
}

#: Free-text columns (``table.column``): every column of kind ``text`` that is not an
#: identifier pseudonymised above, derived from the model's field kinds, so a text field
#: added to the model is left out of extracts until someone opts it in by name.
FREE_TEXT: frozenset[str] = frozenset(
    f"{table}.{column}"
    for table, columns in COLUMN_KINDS.items()
    for column, kind in columns.items()
    if kind.base == "text" and column not in _IDS
)
#: Free text never released, even when opted in: identifiers with no research use.
NEVER_RELEASED: frozenset[str] = frozenset({"episodes.police_reference"})


def _names(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        raise TypeError("free_text takes column names, not one string")
    return frozenset(value)


@attrs.frozen
class ExtractProfile:
    """What an extract keeps: free text (none by default), date shifting, suppression.

    ``free_text`` names the free-text columns (``"placements.placing_authority"``,
    members of :data:`FREE_TEXT`) released all the same; an extract with any
    is flagged for human review in its manifest.
    """

    name: str = "default"
    free_text: frozenset[str] = attrs.field(default=frozenset(), converter=_names)
    shift_dates: bool = True
    preserve_weekday: bool = True
    suppression: SuppressionProfile = DEFAULT_SUPPRESSION

    def __attrs_post_init__(self) -> None:
        unknown = sorted(self.free_text - FREE_TEXT)
        if unknown:
            raise ValueError(f"not free-text columns (see FREE_TEXT): {', '.join(unknown)}")
        never = sorted(self.free_text & NEVER_RELEASED)
        if never:
            raise ValueError(f"never released: {', '.join(never)}")


def _fate(table: str, column: str, profile: ExtractProfile) -> str:
    """``pseudonymise``, ``keep`` or ``drop``: what an extract does with a column.

    Decided from the column's field kind; anything not known to be safe is
    dropped (an identifier with no pseudonym kind, free text not opted in, a
    column of no known kind).
    """
    if column == "child_id" or column in _IDS:
        return "pseudonymise"
    if column == "seq" or column in EXTRACT_COLUMNS.get(table, pa.schema([])).names:
        return "keep"
    kind = COLUMN_KINDS[table].get(column)
    if kind is None:  # a nested value's added ``recorded`` flag
        field = SCHEMAS[table].field(column) if column in SCHEMAS[table].names else None
        return "keep" if field is not None and field.type == pa.bool_() else "drop"
    if kind.base == "text":
        return "keep" if f"{table}.{column}" in profile.free_text else "drop"
    if kind.base == "id":
        return "drop"
    return "keep"


@attrs.frozen(eq=False)
class Extract:
    """A safe extract: record-level ``tables``, ``published`` tables and the ``manifest``."""

    tables: Mapping[str, pa.Table]
    published: Mapping[str, PublishedTable]
    manifest: Mapping[str, Any]

    def write(self, directory: str | Path) -> Path:
        """Write the tables (Parquet, CSV) and ``manifest.json`` with file hashes.

        Returns the manifest's path.
        """
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        files: dict[str, str] = {}
        for name, table in self.tables.items():
            path = folder / f"{name}.parquet"
            pq.write_table(table, path)
            files[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
        for name, published in self.published.items():
            path = folder / f"published_{name}.csv"
            published.frame.write_csv(path)
            files[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
        manifest = {**self.manifest, "files_sha256": dict(sorted(files.items()))}
        out = folder / "manifest.json"
        out.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return out


def _pairs(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """The distinct ``(child_id, value)`` of ``column`` (a list column's items)."""
    long = frame.select(pl.col("child_id").alias("_child"), column)
    if isinstance(frame.schema[column], pl.List):
        long = long.explode(column)
    return long.drop_nulls(column).unique(maintain_order=True)


def _refuse_merged_ids(frames: Mapping[str, pl.DataFrame]) -> None:
    """Refuse two different identifiers of one kind that clean to the same pseudonym input.

    Cleaning (case, spacing, Unicode) makes ``" c-1"`` and ``"C-1"`` one
    pseudonym; in one extract that would merge two children (or episodes,
    homes…), so it is refused, naming where and never either id. Each
    distinct id is cleaned once.
    """
    columns = [("children", "child_id", "child", False)] + [
        (t, c, kind, scoped)
        for t in TABLES
        for c, (kind, scoped) in _IDS.items()
        if c in frames[t].columns
    ]
    ids = pl.concat(
        [
            _pairs(frames[table], column).select(
                pl.lit(kind).alias("kind"),
                (pl.col("_child") if scoped else pl.lit(None, pl.String)).alias("scope"),
                pl.col(column).alias("value"),
                pl.lit(table).alias("table"),
                pl.lit(column).alias("column"),
            )
            for table, column, kind, scoped in columns
        ]
    ).unique(["kind", "scope", "value"], maintain_order=True)
    raw = pl.concat([ids.get_column("value"), ids.get_column("scope").drop_nulls()]).unique()
    cleaned = pl.DataFrame(
        {"raw": raw, "cleaned": [clean_identifier(v) for v in raw]},
        schema={"raw": pl.String, "cleaned": pl.String},
    )
    keyed = ids.join(
        cleaned.rename({"raw": "value", "cleaned": "clean_value"}),
        on="value",
        how="left",
        maintain_order="left",
    ).join(
        cleaned.rename({"raw": "scope", "cleaned": "clean_scope"}),
        on="scope",
        how="left",
        maintain_order="left",
    )
    key = ["kind", "clean_scope", "clean_value"]
    merged = keyed.filter(pl.len().over(key, order_by=None) > 1).filter(
        ~pl.struct(key).is_first_distinct()
    )
    if merged.height == 0:
        return
    table, column, value = merged.select("table", "column", "value").row(0)
    frame = frames[table].with_row_index("_row")
    found = (
        pl.col(column).list.contains(value)
        if isinstance(frame.schema[column], pl.List)
        else pl.col(column) == value
    )
    row = frame.filter(found).get_column("_row")[0]
    raise ValidationError.single(
        f"{table}[{row}].{column}",
        "ambiguous_id",
        "two different identifiers here are one after cleaning (case, spacing, Unicode): "
        "an extract would merge them; make them distinct at source",
    )


def _scoped_mapping(
    pairs: Iterable[tuple[str, str]], kind: str, p: Pseudonymiser
) -> dict[str, str]:
    return {f"{c}\x1f{v}": p.pseudonym(v, kind, scope=c) for c, v in pairs}


def _pseudonymise(frame: pl.DataFrame, p: Pseudonymiser) -> pl.DataFrame:
    """Replace every identifier column by pseudonyms, computed once per distinct value."""
    for column, (kind, scoped) in _IDS.items():
        if column not in frame.columns:
            continue
        is_list = isinstance(frame.schema[column], pl.List)
        if is_list:
            # work on the exploded form, then gather the lists back in order
            indexed = frame.with_row_index("_row")
            long = indexed.select("_row", "child_id", column).explode(column)
        else:
            long = frame.select("child_id", column)
        present = long.drop_nulls(column).unique(["child_id", column]).select("child_id", column)
        if scoped:
            mapping = _scoped_mapping(present.iter_rows(), kind, p)
            source = pl.concat_str(pl.col("child_id"), pl.lit("\x1f"), pl.col(column))
        else:
            values = present.get_column(column).unique().to_list()
            mapping = {v: p.pseudonym(v, kind) for v in values}
            source = pl.col(column)
        mapped = source.replace_strict(mapping, default=None, return_dtype=pl.String).alias(column)
        if not is_list:
            frame = frame.with_columns(mapped)
            continue
        regrouped = (
            long.with_columns(mapped)
            .group_by("_row", maintain_order=True)
            .agg(pl.col(column).drop_nulls())
        )
        frame = (
            indexed.drop(column)
            .join(regrouped, on="_row", how="left")
            .sort("_row")
            .select(frame.columns)
        )
    return frame


def _release_labels(
    name: str, table: PublishedTable, p: Pseudonymiser, profile: ExtractProfile
) -> PublishedTable:
    """Labels that are record columns treated as those columns are in the records:
    identifiers get the records' pseudonyms; free text must be opted in by name."""
    frame = table.frame
    for label in table.labels:
        if label in _IDS:
            kind, scoped = _IDS[label]
            if scoped:
                raise ValueError(f"published table {name!r} is labelled by a per-child id")
            values = frame.get_column(label).drop_nulls().unique().to_list()
            mapping = {v: p.pseudonym(v, kind) for v in values}
            frame = frame.with_columns(
                pl.col(label).replace_strict(mapping, default=None, return_dtype=pl.String)
            )
            continue
        sources = sorted(c for c in FREE_TEXT if c.endswith(f".{label}"))
        if sources and not set(sources) & profile.free_text:
            raise ValueError(
                f"published table {name!r} is labelled by free text ({', '.join(sources)}): "
                "opt it in by name (ExtractProfile(free_text=...)) or leave the table out"
            )
    return attrs.evolve(table, frame=frame)


def _published_manifest(t: PublishedTable) -> dict[str, Any]:
    show = t.profile.show
    return {
        "labels": list(t.labels),
        "counts": list(t.counts),
        "count_labels": list(t.count_labels),
        "suppression": attrs.asdict(t.profile),
        "suppressed_whole": t.suppressed_whole,
        "primary_suppressed": show(t.primary_suppressed),
        "secondary_suppressed": show(t.secondary_suppressed),
    }


def make_extract(
    tables: CaseTables,
    key: bytes,
    *,
    profile: ExtractProfile = ExtractProfile(),
    publish_results: Mapping[str, CountTable] | None = None,
) -> Extract:
    """A safe extract of ``tables`` under ``key`` (at least 32 bytes, never stored).

    ``publish_results`` are analysis results (computed on the source) to
    publish beside the records, under the profile's suppression rules.
    Two different ids that clean to one pseudonym input are refused
    (:class:`~missingcare.exceptions.ValidationError`, code ``ambiguous_id``).
    """
    p = Pseudonymiser(key)
    if tables.is_extract:
        raise ValueError("these tables are already an extract; extract from the source")
    frames = {name: tables.to_polars(name) for name in TABLES}
    _refuse_merged_ids(frames)
    children = frames["children"]
    child_ids = children.get_column("child_id").to_list()
    child_pseudonyms = {c: p.pseudonym(c, "child") for c in child_ids}
    multiple = 7 if profile.preserve_weekday else 1
    shifts = pl.DataFrame(
        {
            "child_id": child_ids,
            "_shift": [
                p.shift_days(child_pseudonyms[c], multiple_of=multiple)
                if profile.shift_dates
                else 0
                for c in child_ids
            ],
        },
        schema={"child_id": pl.String, "_shift": pl.Int64},
    )
    dates = b"shifted" if profile.shift_dates else b"unshifted"
    # the records as known at an instant (to_arrow's known_at): one instant for the
    # whole extract, not a child's, so it is kept as it is
    known_at = tables.known_at
    known = {} if known_at is None else {KNOWN_AT: format_instant(known_at).encode()}
    out: dict[str, pa.Table] = {}
    dropped: dict[str, list[str]] = {}
    for name in TABLES:
        frame = frames[name]
        drop: list[str] = []
        if name == "episodes":
            frame = _derive_episode_columns(frame, children)
        if name == "children":
            # shifted with the child's other dates (D5), then cut to the month (D1)
            frame = (
                frame.join(shifts, on="child_id", how="left", maintain_order="left")
                .with_columns(
                    (pl.col("date_of_birth") + pl.duration(days=pl.col("_shift")))
                    .dt.strftime("%Y-%m")
                    .alias("birth_month")
                )
                .drop("date_of_birth", "_shift")
            )
            drop.append("date_of_birth")
        fates = {c: _fate(name, c, profile) for c in frame.columns}
        gone = [c for c, fate in fates.items() if fate == "drop"]
        frame = frame.drop(gone)
        drop += gone
        if drop:
            dropped[name] = drop
        frame = frame.join(shifts, on="child_id", how="left", maintain_order="left")
        shifted = [
            pl.col(c) + pl.duration(days=pl.col("_shift"))
            for c, t in frame.schema.items()
            if isinstance(t, (pl.Datetime, pl.Date))
        ]
        frame = frame.with_columns(shifted).drop("_shift")
        frame = _pseudonymise(frame, p)
        frame = frame.with_columns(pl.col("child_id").replace_strict(child_pseudonyms))
        table = frame.to_arrow()
        out[name] = table.replace_schema_metadata(
            {
                **SCHEMAS[name].metadata,
                **known,
                EXTRACT_DATES: dates,
                EXTRACT_DROPPED: ",".join(drop),
            }
        )
    published = {
        name: _release_labels(name, publish(result, profile.suppression), p, profile)
        for name, result in sorted((publish_results or {}).items())
    }
    show = profile.suppression.show
    manifest: dict[str, Any] = {
        "library": "missingcare",
        "library_version": __version__,
        "profile": {
            "name": profile.name,
            "free_text": sorted(profile.free_text),
            "shift_dates": profile.shift_dates,
            "preserve_weekday": profile.preserve_weekday,
            "suppression": attrs.asdict(profile.suppression),
        },
        "key_fingerprint": p.fingerprint,
        "pseudonyms": "HMAC-SHA-256 over 'missingcare:v1:<kind>:[<child>\\x1f]<cleaned id>', hex",
        "identifier_cleaning": (
            "NFC, trimmed, inner whitespace collapsed, upper-case; "
            "two ids that clean alike are refused"
        ),
        "date_of_birth": "year-month only (birth_month), after the child's date shift",
        "dates": (
            {
                "method": "per-child keyed offset applied to every instant and date",
                "offset_days_range": [-182, 182],
                "offset_multiple_of_days": multiple,
                "derived_before_shift": EXTRACT_COLUMNS["episodes"].names,
            }
            if profile.shift_dates
            else {"method": "unshifted"}
        ),
        "free_text": {
            "included": sorted(profile.free_text),
            "requires_human_review": bool(profile.free_text),
        },
        "dropped_columns": dropped,
        "records_as_known_at": None if known_at is None else format_instant(known_at),
        "tzdata_version": tzdata_version(),
        "tzpath": list(zoneinfo.TZPATH),
        "counts_shown_as": (
            "every count here and in the published tables: 0, c (1 to threshold - 1) "
            "or rounded to the nearest rounding"
        ),
        "tables": {
            n: {"rows": show(t.num_rows), "columns": t.column_names} for n, t in out.items()
        },
        "published": {n: _published_manifest(t) for n, t in published.items()},
    }
    return Extract(tables=out, published=published, manifest=manifest)


def _derive_episode_columns(frame: pl.DataFrame, children: pl.DataFrame) -> pl.DataFrame:
    """The extract's episode columns, from unshifted data (D2): those the analyses compute
    from local time (:func:`~missingcare.research.patterns._local_episode_columns`), and
    the age at the episode's local start date."""
    frame = _local_episode_columns(frame)
    dob = children.select("child_id", "date_of_birth")
    frame = frame.join(dob, on="child_id", how="left", maintain_order="left")
    start = pl.col("start_local_date")
    born = pl.col("date_of_birth")
    before_birthday = (start.dt.month() < born.dt.month()) | (
        (start.dt.month() == born.dt.month()) & (start.dt.day() < born.dt.day())
    )
    age = start.dt.year() - born.dt.year() - before_birthday.cast(pl.Int32)
    return frame.with_columns(age.cast(pl.Int32).alias("age_at_start")).drop("date_of_birth")
