"""Case files as Arrow tables, and back to the model, losslessly.

:func:`to_arrow` turns case files into a :class:`CaseTables`: one Arrow table
per kind of record (episodes, status changes, conversations and their offers,
factors, needs, context entries, trusted adults and their contacts,
placements…), with stable column names and types:

* instants are ``timestamp[us, tz=UTC]``; the placement's IANA zone travels
  beside them in a ``zone`` column (episodes and placements), so local meaning
  is never lost and never baked in;
* calendar dates are ``date32``; enumerations are their values; vocabulary
  concepts are their codes, resolved on the way back through the vocabulary
  the field is bound to (as :func:`missingcare.make_converter` does);
* repeated values (``whereabouts``, ``episode_ids``…) are ``list<string>``;
* every row carries ``child_id`` (ids are unique only within a child's case
  file) and ``seq``, its position in the list it came from, so a table that
  was sorted or filtered elsewhere still reads back in the original order.

:func:`from_arrow` reads the tables back into case files equal to the ones
written. Tables that went through polars (or pandas) are conformed to the
schema first (column order, string views, timestamp units).

The layout is not written down here: it is derived from the kinds the model
records for its fields (:func:`missingcare._fields.kinds`), walking
:class:`~missingcare.CaseFile`:

* the case file's ``child`` is the ``children`` table, and each of its tuples
  of records is a table (``episodes``); so is each tuple of records inside
  those (an episode's ``statuses`` are the ``status_changes`` table), keyed
  by ``child_id`` and the id column of the record they belong to;
* a record's other fields are its columns, in declaration order, after its
  keys and ``seq``. Its ``id`` is named for its table (``episode_id``); a
  ``child_id`` field is the key column itself;
* a nested value (an episode's ``located``) is spread over prefixed columns
  (``located_at``, ``located_where``…; a record's ``recorded`` over
  ``recording_at`` and ``recording_by``); it is there when its first required
  field is, or, when it has none, when the added ``<prefix>recorded`` flag is
  true;
* text, ids, zones, concepts and choices are strings, instants timestamps,
  dates ``date32``, flags booleans, and a tuple of any of them a list.

Only the names the model cannot give are declared below (``_TABLE_NAMES``,
``_ID_COLUMNS``, ``_PREFIXES``). The writer and the reader of each column are
made once from its kind, when this module is imported, and
:data:`COLUMN_KINDS` gives each column's kind to whoever decides from it
(a safe extract decides what to keep, pseudonymise or leave out).

The tables of a safe extract are :class:`CaseTables` too: they carry the
columns the extract computed before shifting dates (:data:`EXTRACT_COLUMNS`)
and say in their metadata whether their dates are shifted
(:attr:`CaseTables.shifted`), so the analyses answer on them as on the source.

>>> from missingcare import CaseFile, ChildRef
>>> tables = to_arrow([CaseFile(child=ChildRef("C-1"))])
>>> tables.children.num_rows, tables.episodes.num_rows
(1, 0)
>>> from_arrow(tables) == (CaseFile(child=ChildRef("C-1")),)
True
>>> SCHEMAS["status_changes"].names
['child_id', 'episode_id', 'seq', 'at', 'status', 'recording_at', 'recording_by']
"""

from __future__ import annotations

import enum
import importlib.util
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from itertools import chain, pairwise
from operator import attrgetter
from typing import Any

import attrs
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from missingcare import _fields
from missingcare.case import CaseFile
from missingcare.conversations import ReturnConversation
from missingcare.converters._make import maker as _make
from missingcare.episodes import MissingEpisode
from missingcare.exceptions import ValidationError, Violation
from missingcare.records import Recorded, as_known_at
from missingcare.relationships import TrustedAdult
from missingcare.time import format_instant, instant, parse_instant
from missingcare.vocab import Concept, Vocabulary
from missingcare.vocabularies import CORE

__all__ = [
    "ARROW_SCHEMA_VERSION",
    "COLUMN_KINDS",
    "EXTRACT_COLUMNS",
    "KNOWN_AT",
    "SCHEMAS",
    "TABLES",
    "CaseTables",
    "from_arrow",
    "to_arrow",
]

#: The version of the columnar layout, written into every table's metadata.
#: Version 2 (2026.12) added the episodes' ``agency_informed_at``, ``expected_back_at``
#: and ``profile_shared_at`` and the ``absence_plans``, ``profiles`` and ``screenings``
#: tables; version-1 tables read with ``CaseTables.from_mapping(..., fill_missing=True)``.
#: Version 3 (2026.12) added each record's ``recording_at`` and ``recording_by`` (when it
#: was written, and the recorder's role); version-2 tables read the same way.
ARROW_SCHEMA_VERSION = 3

_TS = pa.timestamp("us", tz="UTC")
_STR = pa.string()
_DATE = pa.date32()
_BOOL = pa.bool_()
_DURATION = pa.duration("s")
_SEQ = pa.int32()
_LIST = pa.list_(pa.string())
_ZERO = pa.array([0], _SEQ)

#: The Arrow type of one value of each field kind's base.
_TYPES: Mapping[str, pa.DataType] = {
    "text": _STR,
    "id": _STR,
    "zone": _STR,
    "concept": _STR,
    "choice": _STR,
    "instant": _TS,
    "date": _DATE,
    "duration": _DURATION,
    "flag": _BOOL,
}

#: The table of a field of records whose name does not say what its rows are.
_TABLE_NAMES: Mapping[tuple[type, str], str] = {
    (CaseFile, "child"): "children",
    (MissingEpisode, "statuses"): "status_changes",
    (ReturnConversation, "offers"): "conversation_offers",
    (ReturnConversation, "actions"): "agreed_actions",
    (TrustedAdult, "contacts"): "adult_contacts",
}

#: The column holding a record's ``id``, by table (the key of the tables inside it).
_ID_COLUMNS: Mapping[str, str] = {
    "children": "child_id",
    "placements": "placement_id",
    "episodes": "episode_id",
    "conversations": "conversation_id",
    "agreed_actions": "action_id",
    "context": "entry_id",
    "factors": "factor_id",
    "needs": "need_id",
    "trusted_adults": "relationship_id",
    "absence_plans": "plan_id",
    "profiles": "profile_id",
    "screenings": "screening_id",
    "significant_dates": "date_id",
}

#: The column prefix of a nested value, where it is not the field's name and ``_``.
_PREFIXES: Mapping[tuple[type, str], str] = {(MissingEpisode, "police_report"): "police_"}

#: The column prefix of every nested value of a model, wherever it is: a record's
#: ``recorded`` is ``recording_at`` and ``recording_by`` in every table (a context entry
#: already has a ``recorded_by`` column: its free-text field of that name).
_MODEL_PREFIXES: Mapping[type, str] = {Recorded: "recording_"}


# --- the layout, from the field kinds ----------------------------------------------


def _arrow_type(kind: _fields.FieldKind) -> pa.DataType:
    item = _TYPES[kind.base]
    return pa.list_(item) if kind.many else item


def _offsets(groups: Sequence[Sequence[Any]]) -> pa.Array:
    lengths = pa.array(list(map(len, groups)), _SEQ)
    return pa.concat_arrays([_ZERO, pc.cumulative_sum_checked(lengths)])


def _writer(name: str, kind: _fields.FieldKind, absent: bool) -> Callable[[list[Any]], pa.Array]:
    """The column of field ``name`` of ``records`` (which may hold ``None`` when ``absent``)."""
    typ = _arrow_type(kind)
    get = attrgetter(name)
    to_value = {"concept": attrgetter("code"), "choice": attrgetter("_value_")}.get(kind.base)
    if kind.many:

        def many(records: list[Any]) -> pa.Array:
            groups = (
                [() if x is None else get(x) for x in records] if absent else [*map(get, records)]
            )
            flat = chain.from_iterable(groups)
            items = [*flat] if to_value is None else [*map(to_value, flat)]
            return pa.ListArray.from_arrays(_offsets(groups), pa.array(items, typ.value_type))

        return many
    if kind.optional or absent:

        def optional(records: list[Any]) -> pa.Array:
            values = (
                [None if x is None else get(x) for x in records] if absent else [*map(get, records)]
            )
            if to_value is not None:
                values = [None if v is None else to_value(v) for v in values]
            return pa.array(values, typ)

        return optional
    if to_value is not None:
        get = attrgetter(f"{name}.{'code' if kind.base == 'concept' else '_value_'}")
    return lambda records: pa.array([*map(get, records)], typ)


@attrs.frozen
class _Column:
    """A field of the records (or of their nested values) held in one column."""

    name: str
    field: str
    kind: _fields.FieldKind
    write: Callable[[list[Any]], pa.Array]


@attrs.frozen
class _Key:
    """A field of the records whose value is one of the table's key columns."""

    field: str
    column: str


@attrs.frozen
class _Nested:
    """A nested value of the records, spread over prefixed columns."""

    field: str
    model: type
    columns: tuple[_Column, ...]
    #: the column whose value (not null, or true) says the nested value is there
    present: str
    #: whether ``present`` is the added ``<prefix>recorded`` flag (no required field)
    recorded: bool


@attrs.frozen
class _Sub:
    """A tuple of records of the records, held in the table ``table``."""

    field: str
    table: str


_Slot = _Column | _Key | _Nested | _Sub


@attrs.frozen
class _Layout:
    """One table: the records it holds, where they come from, and their columns."""

    name: str
    model: type
    #: the field of the parent records (of the case file, for ``parent`` None) holding them
    field: str
    parent: str | None
    #: whether that field holds one record (the case file's child), not a tuple
    one: bool
    keys: tuple[str, ...]
    id_column: str | None
    slots: tuple[_Slot, ...]
    schema: pa.Schema


def _is_required(model: type, name: str, kind: _fields.FieldKind) -> bool:
    return (
        not (kind.many or kind.optional) and attrs.fields_dict(model)[name].default is attrs.NOTHING
    )


def _nested(owner: type, name: str, kind: _fields.FieldKind) -> _Nested:
    model = kind.model
    assert model is not None
    if not kind.optional:
        raise TypeError(f"{owner.__name__}.{name}: a required nested value has no column layout")
    prefix = _PREFIXES.get((owner, name)) or _MODEL_PREFIXES.get(model, name + "_")
    columns = []
    for sub, k in _fields.kinds(model):
        if k.base == "nested":
            raise TypeError(f"{model.__name__}.{sub}: a value nested twice has no column layout")
        columns.append(_Column(prefix + sub, sub, k, _writer(sub, k, absent=True)))
    required = [c.name for c in columns if _is_required(model, c.field, c.kind)]
    present = required[0] if required else prefix + "recorded"
    return _Nested(name, model, tuple(columns), present, recorded=not required)


def _schema(table: str, keys: tuple[str, ...], slots: Sequence[_Slot]) -> pa.Schema:
    """The keys, ``seq``, then the column of each slot (a nested value's ``recorded`` first)."""
    fields = [pa.field(k, _STR) for k in keys] + [pa.field("seq", _SEQ)]
    for slot in slots:
        if isinstance(slot, _Nested):
            if slot.recorded:
                fields.append(pa.field(slot.present, _BOOL))
            fields += (pa.field(c.name, _arrow_type(c.kind)) for c in slot.columns)
        elif isinstance(slot, _Column):
            fields.append(pa.field(slot.name, _arrow_type(slot.kind)))
    names = [f.name for f in fields]
    if len(set(names)) != len(names):
        raise TypeError(f"table {table!r} would have two columns of one name")
    return pa.schema(
        fields,
        metadata={
            "missingcare.table": table,
            "missingcare.arrow_schema_version": str(ARROW_SCHEMA_VERSION),
        },
    )


def _tables(
    owner: type, name: str, kind: _fields.FieldKind, parent: str | None, keys: tuple[str, ...]
) -> list[_Layout]:
    """The table of ``owner.name`` (records, or the case file's child), then those inside."""
    model = kind.model
    assert model is not None
    table = _TABLE_NAMES.get((owner, name), name)
    id_column = _ID_COLUMNS.get(table)
    slots: list[_Slot] = []
    inside: list[_Layout] = []
    for field, k in _fields.kinds(model):
        column = id_column if field == "id" and k.base == "id" else field
        if k.base == "nested" and k.many:
            if id_column is None:
                raise TypeError(
                    f"table {table!r} holds records inside its own but has no id column"
                )
            below = _tables(model, field, k, table, (*keys, id_column))
            slots.append(_Sub(field, below[0].name))
            inside += below
        elif k.base == "nested":
            slots.append(_nested(model, field, k))
        elif column in keys:
            slots.append(_Key(field, column))
        elif column is None:
            raise TypeError(f"table {table!r} has records with an id but no id column")
        else:
            slots.append(_Column(column, field, k, _writer(field, k, absent=False)))
    schema = _schema(table, keys, slots)
    layout = _Layout(
        table, model, name, parent, not kind.many, keys, id_column, tuple(slots), schema
    )
    return [layout, *inside]


def _layouts() -> tuple[_Layout, ...]:
    """Every table, from the case file's fields: its child, then each tuple of records."""
    out: list[_Layout] = []
    for name, kind in _fields.kinds(CaseFile):
        if kind.base != "nested":
            raise TypeError(f"CaseFile.{name}: only records have a column layout")
        out += _tables(CaseFile, name, kind, None, ("child_id",))
    if out[0].name != "children" or out[0].model is not _fields.kinds(CaseFile)[0][1].model:
        raise TypeError("the case file's first field must be its child")
    return tuple(out)


_LAYOUTS: tuple[_Layout, ...] = _layouts()

#: The Arrow schema of every table, by table name, in a fixed order.
SCHEMAS: Mapping[str, pa.Schema] = {t.name: t.schema for t in _LAYOUTS}

#: The table names, in a fixed order.
TABLES: tuple[str, ...] = tuple(SCHEMAS)


def _column_kinds(t: _Layout) -> dict[str, _fields.FieldKind]:
    out: dict[str, _fields.FieldKind] = {}
    for slot in t.slots:
        if isinstance(slot, _Column):
            out[slot.name] = slot.kind
        elif isinstance(slot, _Nested):
            out.update((c.name, c.kind) for c in slot.columns)
    return out


#: The field kind behind each column, by table and column (key columns, ``seq`` and a
#: nested value's ``recorded`` flag have none): what :mod:`~missingcare.research.extracts`
#: decides each column's fate from.
COLUMN_KINDS: Mapping[str, Mapping[str, _fields.FieldKind]] = {
    t.name: _column_kinds(t) for t in _LAYOUTS
}

#: The columns a safe extract adds, computed from the records before their dates are
#: shifted (:mod:`missingcare.research.extracts`), by table. :class:`CaseTables` keeps
#: them when present, and the analyses read them instead of re-localising shifted
#: instants, so an analysis gives the same answer on an extract as on its source.
EXTRACT_COLUMNS: Mapping[str, pa.Schema] = {
    "children": pa.schema([pa.field("birth_month", _STR)]),
    "episodes": pa.schema(
        [
            pa.field("elapsed_hours", pa.float64()),
            pa.field("calendar_days", pa.int64()),
            pa.field("start_local_hour", pa.int8()),
            pa.field("start_local_weekday", pa.int8()),
            pa.field("start_local_date", _DATE),
            pa.field("age_at_start", pa.int32()),
        ]
    ),
}

#: The schema metadata key, on every table of an extract, saying whether its dates are
#: ``shifted`` or ``unshifted``; kept by :class:`CaseTables` and by Parquet.
EXTRACT_DATES = b"missingcare.extract.dates"
#: The schema metadata key listing (comma-separated) the columns an extract left out.
EXTRACT_DROPPED = b"missingcare.extract.dropped"
#: The schema metadata key, on every table built "as known at" an instant, holding it
#: (RFC 3339, UTC): the tables hold only what had been written by then.
KNOWN_AT = b"missingcare.known_at"


def _conform(name: str, value: object) -> pa.Table:
    """``value`` (an Arrow table or polars/pandas frame) as a table of schema ``name``."""
    schema = SCHEMAS[name]
    table = _as_table(name, value)
    missing = [c for c in schema.names if c not in table.column_names]
    if missing:
        raise ValidationError(
            Violation(f"{name}.{c}", "required", "this column is required") for c in missing
        )
    # an extract's columns and metadata (what it is, how its dates were treated) are kept
    derived = [f for f in EXTRACT_COLUMNS.get(name, ()) if f.name in table.column_names]
    given = table.schema.metadata or {}
    extract = {k: v for k, v in given.items() if k in (EXTRACT_DATES, EXTRACT_DROPPED, KNOWN_AT)}
    if derived or extract:
        schema = pa.schema([*schema, *derived], metadata={**(schema.metadata or {}), **extract})
    if table.num_rows == 0:
        return schema.empty_table()
    columns = []
    for fld in schema:
        column = table.column(fld.name)
        if column.type != fld.type:
            try:
                column = column.cast(fld.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise ValidationError.single(
                    f"{name}.{fld.name}", "wrong_type", f"expected a column of type {fld.type}"
                ) from None
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)


def _as_table(name: str, value: object) -> pa.Table:
    if isinstance(value, pl.DataFrame):
        return value.to_arrow()
    if isinstance(value, pa.Table):
        return value
    if type(value).__module__.startswith("pandas") and type(value).__name__ == "DataFrame":
        return pa.Table.from_pandas(value, preserve_index=False)
    raise TypeError(f"table {name!r} must be a pyarrow Table or a polars/pandas DataFrame")


def _with_nulls(name: str, value: object) -> pa.Table:
    """``value`` with every column of schema ``name`` it lacks added as nulls."""
    table = _as_table(name, value)
    for fld in SCHEMAS[name]:
        if fld.name not in table.column_names:
            table = table.append_column(fld, pa.nulls(table.num_rows, type=fld.type))
    return table


def _table_field(name: str) -> Any:
    return attrs.field(converter=attrs.Converter(lambda v: _conform(name, v)))


@attrs.frozen(eq=False)
class CaseTables:
    """Every record of many children's case files, one Arrow table per kind.

    Build it with :func:`to_arrow`, or directly from tables (or polars or
    pandas frames) that follow :data:`SCHEMAS`; read it back with
    :func:`from_arrow`. Equality compares the tables' contents.
    """

    children: pa.Table = _table_field("children")
    placements: pa.Table = _table_field("placements")
    periods_of_care: pa.Table = _table_field("periods_of_care")
    episodes: pa.Table = _table_field("episodes")
    status_changes: pa.Table = _table_field("status_changes")
    risk_grades: pa.Table = _table_field("risk_grades")
    search_actions: pa.Table = _table_field("search_actions")
    notifications: pa.Table = _table_field("notifications")
    conversations: pa.Table = _table_field("conversations")
    conversation_offers: pa.Table = _table_field("conversation_offers")
    responses_on_return: pa.Table = _table_field("responses_on_return")
    agreed_actions: pa.Table = _table_field("agreed_actions")
    context: pa.Table = _table_field("context")
    factors: pa.Table = _table_field("factors")
    needs: pa.Table = _table_field("needs")
    trusted_adults: pa.Table = _table_field("trusted_adults")
    adult_contacts: pa.Table = _table_field("adult_contacts")
    absence_plans: pa.Table = _table_field("absence_plans")
    profiles: pa.Table = _table_field("profiles")
    screenings: pa.Table = _table_field("screenings")
    significant_dates: pa.Table = _table_field("significant_dates")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CaseTables):
            return NotImplemented
        return all(self.table(n).equals(other.table(n)) for n in TABLES)

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def from_mapping(
        cls, tables: Mapping[str, object], *, fill_missing: bool = False
    ) -> CaseTables:
        """Build from a mapping of table name to table or frame; absent tables are empty.

        Extra columns are dropped, but for a safe extract's own
        (:data:`EXTRACT_COLUMNS`, kept with the extract's metadata). With
        ``fill_missing``, absent columns are added as nulls, so the tables of
        a safe extract (which leaves out free text and the date of birth) can
        be analysed; without it they are refused, naming each one.
        """
        unknown = sorted(set(tables) - set(TABLES))
        if unknown:
            raise ValueError(f"unknown table names; expected some of: {', '.join(TABLES)}")
        out: dict[str, pa.Table] = {}
        missing: list[Violation] = []
        for name in TABLES:
            table = _as_table(name, tables.get(name, SCHEMAS[name].empty_table()))
            out[name] = _with_nulls(name, table) if fill_missing else table
            missing += (
                Violation(f"{name}.{c}", "required", "this column is required")
                for c in SCHEMAS[name].names
                if c not in out[name].column_names
            )
        if missing:
            raise ValidationError(missing)
        return cls(**out)

    def table(self, name: str) -> pa.Table:
        """The Arrow table called ``name`` (one of :data:`TABLES`)."""
        if name not in SCHEMAS:
            raise KeyError(name)
        value: pa.Table = getattr(self, name)
        return value

    @property
    def is_extract(self) -> bool:
        """Whether these are the tables of a safe extract (they carry its columns or metadata)."""
        schema = self.episodes.schema
        if EXTRACT_DATES in (schema.metadata or {}):
            return True
        names = set(schema.names)
        return any(f.name in names for f in EXTRACT_COLUMNS["episodes"])

    @property
    def shifted(self) -> bool:
        """Whether the dates are shifted per child (a safe extract's, by default).

        An extract whose tables lost their metadata on the way (through pandas,
        say) but still carry its columns is taken to be shifted: the analyses
        then refuse what shifted dates cannot answer rather than answer wrongly.
        """
        if not self.is_extract:
            return False
        return (self.episodes.schema.metadata or {}).get(EXTRACT_DATES) != b"unshifted"

    @property
    def known_at(self) -> datetime | None:
        """The instant the tables were built as known at (:func:`to_arrow`'s ``known_at``),
        or ``None`` when they hold everything written."""
        value = (self.children.schema.metadata or {}).get(KNOWN_AT)
        return None if value is None else parse_instant(value.decode(), "known_at")

    def dropped(self, name: str) -> frozenset[str]:
        """The columns of table ``name`` an extract left out (empty for source tables)."""
        value = (self.table(name).schema.metadata or {}).get(EXTRACT_DROPPED, b"")
        return frozenset(c for c in value.decode().split(",") if c)

    def as_dict(self) -> dict[str, pa.Table]:
        """Every table by name, in :data:`TABLES` order."""
        return {n: self.table(n) for n in TABLES}

    def to_polars(self, name: str) -> pl.DataFrame:
        """The table ``name`` as a polars DataFrame (timestamps stay tz-aware UTC)."""
        frame = pl.from_arrow(self.table(name))
        assert isinstance(frame, pl.DataFrame)
        return frame

    def to_pandas(self, name: str) -> Any:
        """The table ``name`` as a pandas DataFrame (through Arrow); needs pandas installed."""
        if importlib.util.find_spec("pandas") is None:
            raise ImportError("to_pandas needs pandas: pip install pandas")
        return self.table(name).to_pandas()


if tuple(a.name for a in attrs.fields(CaseTables)) != TABLES:  # pragma: no cover
    raise TypeError(f"CaseTables must have one attribute per table, in order: {TABLES}")


# --- model → columns ---------------------------------------------------------------
#
# Each table is built column by column: each column's writer (made once from
# its field's kind) takes every record of the table and makes one typed Arrow
# array. Repeated values become a flat array and offsets, so no Python list is
# made per row.


def _checked(cases: Iterable[CaseFile]) -> list[CaseFile]:
    """``cases`` as a list, refusing anything but case files and a child id seen twice."""
    out: list[CaseFile] = []
    seen: set[str] = set()
    for seq, case in enumerate(cases):
        if not isinstance(case, CaseFile):
            raise TypeError("to_arrow takes CaseFile values")
        if case.child.id in seen:
            raise ValidationError.single(
                f"$[{seq}].child.id", "duplicate_id", "expected one case file per child"
            )
        seen.add(case.child.id)
        out.append(case)
    return out


def _write(
    t: _Layout, records: list[Any], keys: Mapping[str, list[str]], seq: list[int]
) -> pa.Table:
    columns = [pa.array(keys[k], _STR) for k in t.keys]
    columns.append(pa.array(seq, _SEQ))
    for slot in t.slots:
        if isinstance(slot, _Column):
            columns.append(slot.write(records))
        elif isinstance(slot, _Nested):
            values = [*map(attrgetter(slot.field), records)]
            if slot.recorded:
                columns.append(pa.array([v is not None for v in values], _BOOL))
            columns += [c.write(values) for c in slot.columns]
    return pa.Table.from_arrays(columns, schema=t.schema)


def to_arrow(cases: Iterable[CaseFile], *, known_at: datetime | None = None) -> CaseTables:
    """Every record of ``cases`` as Arrow tables (see :data:`SCHEMAS`).

    Two case files for the same child id are refused: the tables key every
    row by ``child_id``.

    With ``known_at`` (an aware datetime), each case file is taken as it was
    known then (:func:`missingcare.records.as_known_at`): a record written
    after it is left out, with what depends on it, and one whose recording
    time is unknown is kept. The tables say so in their metadata
    (:attr:`CaseTables.known_at`), as does a safe extract made from them. So an
    annual statistic can be computed again, later, from the records as they
    stood when it was first published, whatever was written up since.
    """
    if known_at is not None:
        at = instant(known_at, "$.known_at")
        cases = (as_known_at(case, at) for case in cases)
    files = _checked(cases)
    out: dict[str, pa.Table] = {}
    #: by table (None: the case files), its records and their key columns
    levels: dict[str | None, tuple[list[Any], dict[str, list[str]]]] = {
        None: (files, {"child_id": [c.child.id for c in files]})
    }
    for t in _LAYOUTS:
        parents, parent_keys = levels[t.parent]
        get = attrgetter(t.field)
        if t.one:
            records = [*map(get, parents)]
            keys = parent_keys
            seq = list(range(len(records)))
        else:
            groups = [*map(get, parents)]
            records = [x for g in groups for x in g]
            keys = {
                k: [v for v, g in zip(values, groups, strict=True) for _ in g]
                for k, values in parent_keys.items()
            }
            seq = [i for g in groups for i in range(len(g))]
        out[t.name] = _write(t, records, keys, seq)
        if t.id_column is not None and any(isinstance(s, _Sub) for s in t.slots):
            levels[t.name] = (records, {**keys, t.id_column: [x.id for x in records]})
    if known_at is not None:
        stamp = {KNOWN_AT: format_instant(at).encode()}
        out = {
            n: table.replace_schema_metadata({**(table.schema.metadata or {}), **stamp})
            for n, table in out.items()
        }
    return CaseTables(**out)


# --- columns → model ---------------------------------------------------------------
#
# Each table's columns are read once and turned into field values column by
# column (codes into concepts, values into enumeration members), then each
# record is made from its row through the direct maker, with the records of
# the tables inside it, already made, looked up by key.


#: The Unix epoch, the zero of Arrow's instants (also used by ``patterns``).
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _values(column: pa.ChunkedArray, where: str) -> list[Any]:
    """A column's values as Python objects (lists of text as tuples).

    Instants are read as their integer microseconds and made into UTC
    datetimes here: pyarrow's own conversion costs about 3 µs a value and
    gives a ``tzinfo`` that :func:`missingcare.time.instant` must then
    normalise. An instant that repeats (a status starts when the child was
    last seen) is one shared, immutable datetime. ``where`` is the column's
    path with ``{}`` for the row, for an instant or date outside the years
    1 to 9999, which Python cannot hold.
    """
    if column.type == _LIST:
        return list(chain.from_iterable(map(_tuples, column.chunks)))
    if column.type not in (_TS, _DATE):
        return column.to_pylist()  # type: ignore[no-any-return]
    try:
        return _instants(column) if column.type == _TS else column.to_pylist()
    except (OverflowError, ValueError):
        raise _out_of_range(column, where) from None


def _instants(column: pa.ChunkedArray) -> list[datetime | None]:
    seen: dict[int, datetime] = {}
    out: list[datetime | None] = []
    for us in column.cast(pa.int64()).to_pylist():
        if us is None:
            out.append(None)
            continue
        value = seen.get(us)
        if value is None:
            value = seen[us] = _EPOCH + timedelta(microseconds=us)
        out.append(value)
    return out


def _out_of_range(column: pa.ChunkedArray, where: str) -> ValidationError:
    """The refusal for the first value of ``column`` Python cannot hold."""
    is_instant = column.type == _TS
    for i in range(len(column)):
        try:
            column[i].as_py()
        except (OverflowError, ValueError):
            return ValidationError.single(
                where.format(i),
                "invalid_datetime" if is_instant else "invalid_date",
                "expected a value between the years 1 and 9999",
            )
    raise AssertionError("no value of the column fails to convert")  # pragma: no cover


def _tuples(chunk: pa.ListArray) -> list[tuple[str, ...] | None]:
    """A chunk of ``list<string>`` as tuples: the strings read once, then sliced.

    (``to_pylist`` costs about 1.4 µs a row even for an empty list.)
    """
    flat = chunk.values.to_pylist()
    offsets = chunk.offsets.to_pylist()
    out: list[tuple[str, ...] | None] = [
        tuple(flat[a:b]) if a != b else () for a, b in pairwise(offsets)
    ]
    if chunk.null_count:
        for i, null in enumerate(chunk.is_null().to_pylist()):
            if null:
                out[i] = None
    return out


class _Rows:
    """One table's columns as Python values, and its rows grouped by the ``key`` columns.

    The columns are read once (see ``_values``); no dict is made per row.
    """

    def __init__(self, table: pa.Table, name: str, key: Sequence[str]) -> None:
        self.name = name
        self.names = table.column_names
        self.columns = [_values(table.column(c), f"{name}[{{}}].{c}") for c in self.names]
        by_name = dict(zip(self.names, self.columns, strict=True))
        groups: dict[tuple[str, ...], list[tuple[int, int]]] = defaultdict(list)
        keys = zip(*(by_name[k] for k in key), strict=True)
        for i, (k, seq) in enumerate(zip(keys, by_name["seq"], strict=True)):
            if seq is None:
                raise ValidationError.single(
                    f"{name}[{i}].seq", "required", "this value is required"
                )
            groups[k].append((seq, i))
        #: row numbers by key, ordered by seq then row number (unique): the
        #: stable order of a sort by seq alone
        self.groups = {k: [i for _, i in sorted(g)] for k, g in groups.items()}


def _members(cls: type[enum.Enum]) -> dict[Any, Any]:
    return {m.value: m for m in cls}


def _looked_up(lookup: Mapping[str, Any], kind: _fields.FieldKind, values: list[Any]) -> list[Any]:
    """``values`` looked up, or :class:`KeyError` (a null that must not be, or a value unknown)."""
    get = lookup.__getitem__
    if kind.many:
        return [tuple(map(get, v)) if v else () for v in values]
    if kind.optional or kind.base == "choice":  # a required choice's null is the class's refusal
        return [None if v is None else get(v) for v in values]
    return [*map(get, values)]


class _Reading:
    """Field values from column values, and refusals naming the table, row and column."""

    def __init__(self, vocabularies: Mapping[str, Vocabulary]) -> None:
        self.vocabs = vocabularies
        self.table = ""

    def refusal(self, column: str, row: int, code: str, message: str) -> ValidationError:
        return ValidationError.single(f"{self.table}[{row}].{column}", code, message)

    def concept(self, vocab: str, column: str, *, required: bool) -> Callable[[int, Any], Any]:
        """A reader of one code of ``vocab`` in ``column``, by row number and code."""
        index = self.vocabs[vocab].by_code

        def one(row: int, code: str | None) -> Concept | None:
            if code is None:
                if required:
                    raise self.refusal(column, row, "required", "this value is required")
                return None
            found = index.get(code)
            if found is None:
                message = f"expected a code of the vocabulary {vocab!r}"
                raise self.refusal(column, row, "unknown_code", message)
            return found

        return one

    def choice(self, cls: type[enum.Enum], column: str) -> Callable[[int, Any], Any]:
        """A reader of one value of the enumeration ``cls`` in ``column`` (``None`` passes)."""
        members = _members(cls)

        def one(row: int, value: str | None) -> Any:
            if value is None:
                return None
            found = members.get(value)
            if found is None:
                message = f"expected one of: {', '.join(str(m.value) for m in cls)}"
                raise self.refusal(column, row, "unknown_code", message)
            return found

        return one

    def column(
        self,
        c: _Column,
        values: list[Any],
        by_field: Mapping[str, list[Any]],
        present: list[bool] | None = None,
    ) -> list[Any]:
        """The field values of column ``c``; only rows ``present`` are read (all by default)."""
        kind = c.kind
        if kind.base == "concept" and kind.vocabulary_from is not None:
            return self._chosen_concepts(c, values, by_field[kind.vocabulary_from])
        if kind.base == "concept":
            assert kind.vocabulary is not None
            lookup: Mapping[str, Any] = self.vocabs[kind.vocabulary].by_code
            read = self.concept(kind.vocabulary, c.name, required=not kind.optional or kind.many)
        elif kind.base == "choice":
            assert kind.choices is not None
            lookup = _members(kind.choices)
            read = self.choice(kind.choices, c.name)
        else:
            return [() if v is None else v for v in values] if kind.many else values
        if present is None:
            try:  # one look-up a value; a value not found is read again below, to say why
                return _looked_up(lookup, kind, values)
            except KeyError:
                pass
        if kind.many:
            if present is not None:
                values = [v if p else None for v, p in zip(values, present, strict=True)]
            return [tuple(read(i, x) for x in v) if v else () for i, v in enumerate(values)]
        if present is None:
            return [read(i, v) for i, v in enumerate(values)]
        pairs = enumerate(zip(values, present, strict=True))
        return [read(i, v) if p else None for i, (v, p) in pairs]

    def _chosen_concepts(self, c: _Column, codes: list[Any], choices: list[Any]) -> list[Any]:
        """Concepts whose vocabulary the member of a sibling choice names (a factor's)."""
        kind = c.kind
        assert kind.vocabulary_from is not None
        assert not kind.many
        readers: dict[str, Callable[[int, Any], Any]] = {}
        out = []
        for i, (code, member) in enumerate(zip(codes, choices, strict=True)):
            if member is None:
                raise self.refusal(kind.vocabulary_from, i, "required", "this value is required")
            vocab = member.vocabulary
            read = readers.get(vocab)
            if read is None:
                read = readers[vocab] = self.concept(vocab, c.name, required=not kind.optional)
            out.append(read(i, code))
        return out


def _prefixed(exc: ValidationError, table: str, row: int) -> ValidationError:
    prefix = f"{table}[{row}]"
    return ValidationError(
        Violation(prefix + v.path.removeprefix("$"), v.code, v.message) for v in exc.violations
    )


class _TableReader:
    """Makes the records of one table from its rows (and the tables inside it, already read)."""

    def __init__(
        self,
        t: _Layout,
        table: pa.Table,
        reading: _Reading,
        inside: Mapping[str, Mapping[tuple[str, ...], list[Any]]],
    ) -> None:
        self.name = t.name
        self.rows = rows = _Rows(table, t.name, t.keys)
        raw = dict(zip(rows.names, rows.columns, strict=True))
        reading.table = t.name
        by_field: dict[str, list[Any]] = {}
        self.nested: list[
            tuple[str, Callable[..., Any], list[str], list[list[Any]], list[bool]]
        ] = []
        self.subs: list[tuple[str, Mapping[tuple[str, ...], list[Any]]]] = []
        for slot in t.slots:
            if isinstance(slot, _Key):
                by_field[slot.field] = raw[slot.column]
            elif isinstance(slot, _Column):
                by_field[slot.field] = reading.column(slot, raw[slot.name], by_field)
            elif isinstance(slot, _Nested):
                self.nested.append(self._nested(slot, raw, reading))
            else:
                self.subs.append((slot.field, inside[slot.table]))
        self.names = list(by_field)
        self.values = list(zip(*by_field.values(), strict=True)) or [()] * table.num_rows
        sub_keys = [*t.keys, t.id_column] if self.subs and t.id_column is not None else []
        self.sub_keys = list(zip(*(raw[k] for k in sub_keys), strict=True))
        self.make: Callable[..., Any] = _make(t.model)

    @staticmethod
    def _nested(
        slot: _Nested, raw: Mapping[str, list[Any]], reading: _Reading
    ) -> tuple[str, Callable[..., Any], list[str], list[list[Any]], list[bool]]:
        flags = raw[slot.present]
        present = [v is True for v in flags] if slot.recorded else [v is not None for v in flags]
        by_field: dict[str, list[Any]] = {}
        for c in slot.columns:
            by_field[c.field] = reading.column(c, raw[c.name], by_field, present)
        return slot.field, _make(slot.model), list(by_field), list(by_field.values()), present

    def record(self, i: int) -> Any:
        """The record of row ``i`` (refusals' paths are the record's own, from ``$``)."""
        kw = dict(zip(self.names, self.values[i], strict=True))
        for field, make, names, columns, present in self.nested:
            kw[field] = (
                make(**{n: c[i] for n, c in zip(names, columns, strict=True)})
                if present[i]
                else None
            )
        if self.subs:
            key = self.sub_keys[i]
            for field, groups in self.subs:
                kw[field] = tuple(groups.get(key, ()))
        return self.make(**kw)

    def read(self) -> dict[tuple[str, ...], list[Any]]:
        """Every record, by the table's key, in ``seq`` order."""
        out: dict[tuple[str, ...], list[Any]] = {}
        record = self.record
        for key, rows in self.rows.groups.items():
            made = out[key] = []
            for i in rows:
                try:
                    made.append(record(i))
                except ValidationError as exc:
                    raise _prefixed(exc, self.name, i) from None
        return out


def _refuse_orphans(tables: CaseTables) -> None:
    """Refuse a row whose ``child_id`` is not in the ``children`` table."""
    known = set(tables.children.column("child_id").to_pylist())
    for name in TABLES[1:]:
        for i, cid in enumerate(tables.table(name).column("child_id").to_pylist()):
            if cid not in known:
                raise ValidationError.single(
                    f"{name}[{i}].child_id", "unknown_reference", "expected a child in `children`"
                )


def from_arrow(
    tables: CaseTables | Mapping[str, object],
    *,
    vocabularies: Iterable[Vocabulary] | Mapping[str, Vocabulary] | None = None,
) -> tuple[CaseFile, ...]:
    """The case files held in ``tables``, in the order of the ``children`` table's ``seq``.

    Codes are resolved through the core vocabularies, replaced by name with
    ``vocabularies`` (as in :func:`missingcare.make_converter`). Every record
    is validated as it is built; a refusal is a
    :class:`~missingcare.exceptions.ValidationError` whose path names the
    table, row and column (``episodes[12].ended_at``), never the value.
    """
    if not isinstance(tables, CaseTables):
        tables = CaseTables.from_mapping(tables)
    vocabs = dict(CORE)
    if vocabularies is not None:
        given = vocabularies.values() if isinstance(vocabularies, Mapping) else vocabularies
        vocabs.update((v.name, v) for v in given)
    reading = _Reading(vocabs)
    made: dict[str, Mapping[tuple[str, ...], list[Any]]] = {}
    for t in reversed(_LAYOUTS[1:]):  # the tables inside a table come after it
        made[t.name] = _TableReader(t, tables.table(t.name), reading, made).read()
    _refuse_orphans(tables)
    root = _LAYOUTS[0]
    children = _TableReader(root, tables.children, reading, made)
    tops = [(t.field, made[t.name]) for t in _LAYOUTS if t.parent is None and not t.one]
    make = _make(CaseFile)
    seq = children.rows.columns[children.rows.names.index("seq")]
    out: list[CaseFile] = []
    for (cid,), rows in sorted(children.rows.groups.items(), key=lambda g: seq[g[1][0]]):
        try:
            child = children.record(rows[0])
            out.append(make(child=child, **{f: tuple(g.get((cid,), ())) for f, g in tops}))
        except ValidationError as exc:
            raise _prefixed(exc, "children", rows[0]) from None
        if len(rows) > 1:
            raise ValidationError.single(
                f"children[{rows[1]}].child_id", "duplicate_id", "expected one row per child"
            )
    return tuple(out)
