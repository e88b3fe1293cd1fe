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
  the field is bound to (as :func:`missingcare.converters.make_converter` does);
* repeated values (``whereabouts``, ``episode_ids``…) are ``list<string>``;
* every row carries ``child_id`` (ids are unique only within a child's case
  file) and ``seq``, its position in the list it came from, so a table that
  was sorted or filtered elsewhere still reads back in the original order.

:func:`from_arrow` reads the tables back into case files equal to the ones
written. Tables that went through polars (or pandas) are conformed to the
schema first (column order, string views, timestamp units).

>>> from missingcare import CaseFile, ChildRef
>>> tables = to_arrow([CaseFile(child=ChildRef("C-1"))])
>>> tables.children.num_rows, tables.episodes.num_rows
(1, 0)
>>> from_arrow(tables) == (CaseFile(child=ChildRef("C-1")),)
True
"""

from __future__ import annotations

import enum
import importlib.util
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from itertools import chain, pairwise
from operator import attrgetter
from typing import Any, TypeVar

import attrs
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from missingcare.case import CaseFile
from missingcare.children import ChildRef, PeriodOfCare, Placement, PlacementKind
from missingcare.context import ContextEntry
from missingcare.conversations import (
    AgreedAction,
    ContactMethod,
    ConversationOffer,
    ConversationTopic,
    Decision,
    ExploitationCategory,
    ExploitationScreening,
    Interviewer,
    ResponseOnReturn,
    ReturnConversation,
)
from missingcare.converters._make import maker as _make
from missingcare.episodes import (
    Located,
    MissingEpisode,
    Notification,
    PoliceReport,
    RiskGrading,
    SearchAction,
    StatusChange,
)
from missingcare.exceptions import ValidationError, Violation
from missingcare.factors import EvidenceSource, Factor, FactorDirection, UnmetNeed
from missingcare.relationships import AdultContact, ContactKind, TrustedAdult
from missingcare.vocab import Concept, Vocabulary
from missingcare.vocabularies import CORE

_A = TypeVar("_A")
_R = TypeVar("_R")

__all__ = ["ARROW_SCHEMA_VERSION", "SCHEMAS", "TABLES", "CaseTables", "from_arrow", "to_arrow"]

#: The version of the columnar layout, written into every table's metadata.
ARROW_SCHEMA_VERSION = 1

_TS = pa.timestamp("us", tz="UTC")
_STR = pa.string()
_DATE = pa.date32()
_BOOL = pa.bool_()
_SEQ = pa.int32()
_LIST = pa.list_(pa.string())
_ZERO = pa.array([0], _SEQ)


def _schema(name: str, *columns: tuple[str, pa.DataType]) -> pa.Schema:
    fields = [pa.field(col, typ) for col, typ in columns]
    return pa.schema(
        fields,
        metadata={
            "missingcare.table": name,
            "missingcare.arrow_schema_version": str(ARROW_SCHEMA_VERSION),
        },
    )


#: The Arrow schema of every table, by table name, in a fixed order.
SCHEMAS: Mapping[str, pa.Schema] = {
    "children": _schema("children", ("child_id", _STR), ("seq", _SEQ), ("date_of_birth", _DATE)),
    "placements": _schema(
        "placements",
        ("child_id", _STR),
        ("seq", _SEQ),
        ("placement_id", _STR),
        ("kind", _STR),
        ("zone", _STR),
        ("home_id", _STR),
        ("start", _DATE),
        ("end", _DATE),
        ("placing_authority", _STR),
        ("host_authority", _STR),
    ),
    "periods_of_care": _schema(
        "periods_of_care", ("child_id", _STR), ("seq", _SEQ), ("start", _DATE), ("end", _DATE)
    ),
    "episodes": _schema(
        "episodes",
        ("child_id", _STR),
        ("seq", _SEQ),
        ("episode_id", _STR),
        ("placement_id", _STR),
        ("zone", _STR),
        ("last_seen_at", _TS),
        ("last_seen_place", _STR),
        ("clothing", _STR),
        ("noticed_at", _TS),
        ("police_reported_at", _TS),
        ("police_reference", _STR),
        ("police_reported_by", _STR),
        ("located_at", _TS),
        ("located_where", _STR),
        ("located_by", _STR),
        ("ended_at", _TS),
        ("returned_at", _TS),
        ("ending", _STR),
        ("whereabouts", _LIST),
        ("who_with", _LIST),
        ("harm_disclosed", _LIST),
    ),
    "status_changes": _schema(
        "status_changes",
        ("child_id", _STR),
        ("episode_id", _STR),
        ("seq", _SEQ),
        ("at", _TS),
        ("status", _STR),
    ),
    "risk_grades": _schema(
        "risk_grades",
        ("child_id", _STR),
        ("episode_id", _STR),
        ("seq", _SEQ),
        ("at", _TS),
        ("grade", _STR),
        ("by", _STR),
    ),
    "search_actions": _schema(
        "search_actions",
        ("child_id", _STR),
        ("episode_id", _STR),
        ("seq", _SEQ),
        ("at", _TS),
        ("action", _STR),
        ("by", _STR),
        ("note", _STR),
    ),
    "notifications": _schema(
        "notifications",
        ("child_id", _STR),
        ("episode_id", _STR),
        ("seq", _SEQ),
        ("recipient", _STR),
        ("at", _TS),
        ("method", _STR),
    ),
    "conversations": _schema(
        "conversations",
        ("child_id", _STR),
        ("seq", _SEQ),
        ("conversation_id", _STR),
        ("episode_ids", _LIST),
        ("requested_adult_ids", _LIST),
        ("decision", _STR),
        ("declined_reason", _STR),
        ("held_at", _TS),
        ("interviewer_role", _STR),
        ("interviewer_independent_of_home", _BOOL),
        ("interviewer_chosen_by_child", _BOOL),
        ("interviewer_organisation", _STR),
        ("interviewer_adult_id", _STR),
        ("method", _STR),
        ("late_reason", _STR),
        ("child_account", _STR),
        ("whereabouts", _LIST),
        ("who_with", _LIST),
        ("what_happened", _STR),
        ("harm_disclosed", _LIST),
        ("screening_recorded", _BOOL),
        ("screening_categories", _LIST),
        ("screening_indicators", _LIST),
        ("topics", _LIST),
        ("child_feedback", _STR),
    ),
    "conversation_offers": _schema(
        "conversation_offers",
        ("child_id", _STR),
        ("conversation_id", _STR),
        ("seq", _SEQ),
        ("at", _TS),
        ("outcome", _STR),
        ("by", _STR),
        ("method", _STR),
        ("reason", _STR),
    ),
    "responses_on_return": _schema(
        "responses_on_return",
        ("child_id", _STR),
        ("conversation_id", _STR),
        ("seq", _SEQ),
        ("response", _STR),
        ("at", _TS),
        ("reason", _STR),
        ("safeguarding_reason", _BOOL),
    ),
    "agreed_actions": _schema(
        "agreed_actions",
        ("child_id", _STR),
        ("conversation_id", _STR),
        ("seq", _SEQ),
        ("action_id", _STR),
        ("description", _STR),
        ("owner", _STR),
        ("due", _TS),
        ("done_at", _TS),
    ),
    "context": _schema(
        "context",
        ("child_id", _STR),
        ("seq", _SEQ),
        ("entry_id", _STR),
        ("at", _TS),
        ("category", _STR),
        ("note", _STR),
        ("recorded_by", _STR),
        ("resolves", _LIST),
        ("adult_ids", _LIST),
        ("needs", _LIST),
    ),
    "factors": _schema(
        "factors",
        ("child_id", _STR),
        ("seq", _SEQ),
        ("factor_id", _STR),
        ("direction", _STR),
        ("concept", _STR),
        ("source", _STR),
        ("noted_at", _TS),
        ("episode_ids", _LIST),
        ("note", _STR),
    ),
    "needs": _schema(
        "needs",
        ("child_id", _STR),
        ("seq", _SEQ),
        ("need_id", _STR),
        ("need", _STR),
        ("source", _STR),
        ("noted_at", _TS),
        ("episode_ids", _LIST),
        ("note", _STR),
    ),
    "trusted_adults": _schema(
        "trusted_adults",
        ("child_id", _STR),
        ("seq", _SEQ),
        ("relationship_id", _STR),
        ("adult_id", _STR),
        ("role", _STR),
        ("named_at", _TS),
        ("named_by_child", _BOOL),
        ("child_words", _STR),
        ("ended_at", _TS),
        ("end_reason", _STR),
    ),
    "adult_contacts": _schema(
        "adult_contacts",
        ("child_id", _STR),
        ("relationship_id", _STR),
        ("seq", _SEQ),
        ("at", _TS),
        ("kind", _STR),
        ("child_initiated", _BOOL),
        ("episode_id", _STR),
        ("note", _STR),
    ),
}

#: The table names, in a fixed order.
TABLES: tuple[str, ...] = tuple(SCHEMAS)


def _conform(name: str, value: object) -> pa.Table:
    """``value`` (an Arrow table or polars/pandas frame) as a table of schema ``name``."""
    schema = SCHEMAS[name]
    table = _as_table(name, value)
    missing = [c for c in schema.names if c not in table.column_names]
    if missing:
        raise ValidationError(
            Violation(f"{name}.{c}", "required", "this column is required") for c in missing
        )
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

        Extra columns are dropped. With ``fill_missing``, absent columns are
        added as nulls, so the tables of a safe extract (which leaves out free
        text and the date of birth) can be analysed; without it they are
        refused, naming each one.
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


# --- model → columns ---------------------------------------------------------------
#
# Each table is built column by column: one list comprehension per column over
# the records, then one typed ``pa.array`` call. Repeated values become a flat
# list of strings and a list of offsets, so no Python list is made per row.


def _offsets(groups: Sequence[Sequence[Any]]) -> pa.Array:
    lengths = pa.array(list(map(len, groups)), _SEQ)
    return pa.concat_arrays([_ZERO, pc.cumulative_sum_checked(lengths)])


def _lists(groups: Sequence[Sequence[str]]) -> pa.Array:
    """A ``list<string>`` column from each row's strings."""
    return pa.ListArray.from_arrays(
        _offsets(groups), pa.array(list(chain.from_iterable(groups)), _STR)
    )


def _code_lists(groups: Sequence[Sequence[Concept]]) -> pa.Array:
    """A ``list<string>`` column of the codes of each row's concepts."""
    return pa.ListArray.from_arrays(
        _offsets(groups), pa.array([c.code for c in chain.from_iterable(groups)], _STR)
    )


def _table(name: str, *columns: pa.Array | list[Any]) -> pa.Table:
    """The table ``name`` from its columns in schema order (lists are converted to its types)."""
    schema = SCHEMAS[name]
    arrays = [
        c if isinstance(c, pa.Array) else pa.array(c, f.type)
        for c, f in zip(columns, schema, strict=True)
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


class _Level:
    """The records at one level of nesting, each with its child id, parent id and position."""

    def __init__(
        self,
        parents: Sequence[Any],
        parent_cids: Sequence[str],
        attr: str,
        *,
        parent_ids: bool = False,
    ) -> None:
        get = attrgetter(attr)
        groups = [get(p) for p in parents]
        self.records: list[Any] = [x for g in groups for x in g]
        self.child_id: list[str] = [c for c, g in zip(parent_cids, groups, strict=True) for _ in g]
        self.seq: list[int] = [i for g in groups for i in range(len(g))]
        self.parent_id: list[str] = (
            [p.id for p, g in zip(parents, groups, strict=True) for _ in g] if parent_ids else []
        )


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


def to_arrow(cases: Iterable[CaseFile]) -> CaseTables:
    """Every record of ``cases`` as Arrow tables (see :data:`SCHEMAS`).

    Two case files for the same child id are refused: the tables key every
    row by ``child_id``.
    """
    files = _checked(cases)
    cids = [c.child.id for c in files]
    t: dict[str, pa.Table] = {}
    t["children"] = _table(
        "children", cids, list(range(len(files))), [c.child.date_of_birth for c in files]
    )
    lv = _Level(files, cids, "placements")
    xs = lv.records
    t["placements"] = _table(
        "placements",
        lv.child_id,
        lv.seq,
        [x.id for x in xs],
        [x.kind._value_ for x in xs],
        [x.zone for x in xs],
        [x.home_id for x in xs],
        [x.start for x in xs],
        [x.end for x in xs],
        [x.placing_authority for x in xs],
        [x.host_authority for x in xs],
    )
    lv = _Level(files, cids, "periods_of_care")
    xs = lv.records
    t["periods_of_care"] = _table(
        "periods_of_care", lv.child_id, lv.seq, [x.start for x in xs], [x.end for x in xs]
    )
    eps = _Level(files, cids, "episodes")
    xs = eps.records
    prs = [x.police_report for x in xs]
    locs = [x.located for x in xs]
    t["episodes"] = _table(
        "episodes",
        eps.child_id,
        eps.seq,
        [x.id for x in xs],
        [x.placement_id for x in xs],
        [x.zone for x in xs],
        [x.last_seen_at for x in xs],
        [x.last_seen_place for x in xs],
        [x.clothing for x in xs],
        [x.noticed_at for x in xs],
        [None if p is None else p.reported_at for p in prs],
        [None if p is None else p.reference for p in prs],
        [None if p is None else p.reported_by for p in prs],
        [None if loc is None else loc.at for loc in locs],
        [None if loc is None or loc.where is None else loc.where.code for loc in locs],
        [None if loc is None else loc.by for loc in locs],
        [x.ended_at for x in xs],
        [x.returned_at for x in xs],
        [None if x.ending is None else x.ending.code for x in xs],
        _code_lists([x.whereabouts for x in xs]),
        _code_lists([x.who_with for x in xs]),
        _code_lists([x.harm_disclosed for x in xs]),
    )
    lv = _Level(xs, eps.child_id, "statuses", parent_ids=True)
    ys = lv.records
    t["status_changes"] = _table(
        "status_changes",
        lv.child_id,
        lv.parent_id,
        lv.seq,
        [y.at for y in ys],
        [y.status.code for y in ys],
    )
    lv = _Level(xs, eps.child_id, "risk_grades", parent_ids=True)
    ys = lv.records
    t["risk_grades"] = _table(
        "risk_grades",
        lv.child_id,
        lv.parent_id,
        lv.seq,
        [y.at for y in ys],
        [y.grade.code for y in ys],
        [y.by for y in ys],
    )
    lv = _Level(xs, eps.child_id, "search_actions", parent_ids=True)
    ys = lv.records
    t["search_actions"] = _table(
        "search_actions",
        lv.child_id,
        lv.parent_id,
        lv.seq,
        [y.at for y in ys],
        [y.action.code for y in ys],
        [y.by for y in ys],
        [y.note for y in ys],
    )
    lv = _Level(xs, eps.child_id, "notifications", parent_ids=True)
    ys = lv.records
    t["notifications"] = _table(
        "notifications",
        lv.child_id,
        lv.parent_id,
        lv.seq,
        [y.recipient.code for y in ys],
        [y.at for y in ys],
        [y.method for y in ys],
    )
    cvs = _Level(files, cids, "conversations")
    xs = cvs.records
    ivs = [x.interviewer for x in xs]
    scr = [x.screening for x in xs]
    t["conversations"] = _table(
        "conversations",
        cvs.child_id,
        cvs.seq,
        [x.id for x in xs],
        _lists([x.episode_ids for x in xs]),
        _lists([x.requested_adult_ids for x in xs]),
        [None if x.decision is None else x.decision._value_ for x in xs],
        [x.declined_reason for x in xs],
        [x.held_at for x in xs],
        [None if v is None else v.role.code for v in ivs],
        [None if v is None else v.independent_of_home for v in ivs],
        [None if v is None else v.chosen_by_child for v in ivs],
        [None if v is None else v.organisation for v in ivs],
        [None if v is None else v.adult_id for v in ivs],
        [None if x.method is None else x.method._value_ for x in xs],
        [x.late_reason for x in xs],
        [x.child_account for x in xs],
        _code_lists([x.whereabouts for x in xs]),
        _code_lists([x.who_with for x in xs]),
        [x.what_happened for x in xs],
        _code_lists([x.harm_disclosed for x in xs]),
        [s is not None for s in scr],
        _lists([() if s is None else [c._value_ for c in s.categories] for s in scr]),
        _code_lists([() if s is None else s.indicators for s in scr]),
        _lists([[c._value_ for c in x.topics] for x in xs]),
        [x.child_feedback for x in xs],
    )
    lv = _Level(xs, cvs.child_id, "offers", parent_ids=True)
    ys = lv.records
    t["conversation_offers"] = _table(
        "conversation_offers",
        lv.child_id,
        lv.parent_id,
        lv.seq,
        [y.at for y in ys],
        [y.outcome.code for y in ys],
        [y.by for y in ys],
        [None if y.method is None else y.method._value_ for y in ys],
        [y.reason for y in ys],
    )
    lv = _Level(xs, cvs.child_id, "responses_on_return", parent_ids=True)
    ys = lv.records
    t["responses_on_return"] = _table(
        "responses_on_return",
        lv.child_id,
        lv.parent_id,
        lv.seq,
        [y.response.code for y in ys],
        [y.at for y in ys],
        [y.reason for y in ys],
        [y.safeguarding_reason for y in ys],
    )
    lv = _Level(xs, cvs.child_id, "actions", parent_ids=True)
    ys = lv.records
    t["agreed_actions"] = _table(
        "agreed_actions",
        lv.child_id,
        lv.parent_id,
        lv.seq,
        [y.id for y in ys],
        [y.description for y in ys],
        [y.owner for y in ys],
        [y.due for y in ys],
        [y.done_at for y in ys],
    )
    lv = _Level(files, cids, "context")
    xs = lv.records
    t["context"] = _table(
        "context",
        lv.child_id,
        lv.seq,
        [x.id for x in xs],
        [x.at for x in xs],
        [x.category.code for x in xs],
        [x.note for x in xs],
        [x.recorded_by for x in xs],
        _lists([x.resolves for x in xs]),
        _lists([x.adult_ids for x in xs]),
        _code_lists([x.needs for x in xs]),
    )
    lv = _Level(files, cids, "factors")
    xs = lv.records
    t["factors"] = _table(
        "factors",
        lv.child_id,
        lv.seq,
        [x.id for x in xs],
        [x.direction._value_ for x in xs],
        [x.concept.code for x in xs],
        [x.source._value_ for x in xs],
        [x.noted_at for x in xs],
        _lists([x.episode_ids for x in xs]),
        [x.note for x in xs],
    )
    lv = _Level(files, cids, "needs")
    xs = lv.records
    t["needs"] = _table(
        "needs",
        lv.child_id,
        lv.seq,
        [x.id for x in xs],
        [x.need.code for x in xs],
        [x.source._value_ for x in xs],
        [x.noted_at for x in xs],
        _lists([x.episode_ids for x in xs]),
        [x.note for x in xs],
    )
    tas = _Level(files, cids, "trusted_adults")
    xs = tas.records
    t["trusted_adults"] = _table(
        "trusted_adults",
        tas.child_id,
        tas.seq,
        [x.id for x in xs],
        [x.adult_id for x in xs],
        [x.role.code for x in xs],
        [x.named_at for x in xs],
        [x.named_by_child for x in xs],
        [x.child_words for x in xs],
        [x.ended_at for x in xs],
        [x.end_reason for x in xs],
    )
    lv = _Level(xs, tas.child_id, "contacts", parent_ids=True)
    ys = lv.records
    t["adult_contacts"] = _table(
        "adult_contacts",
        lv.child_id,
        lv.parent_id,
        lv.seq,
        [y.at for y in ys],
        [y.kind._value_ for y in ys],
        [y.child_initiated for y in ys],
        [y.episode_id for y in ys],
        [y.note for y in ys],
    )
    return CaseTables(**t)


# --- rows → model ----------------------------------------------------------------


class _Reader:
    """Turns table rows back into model values, resolving codes through vocabularies."""

    def __init__(self, vocabularies: Mapping[str, Vocabulary]) -> None:
        self.vocabs = vocabularies
        self._indexes: dict[str, Mapping[str, Concept]] = {}
        self.table = ""
        self.row = 0

    def _path(self, column: str) -> str:
        return f"{self.table}[{self.row}].{column}"

    def _index(self, vocab: str) -> Mapping[str, Concept]:
        """Code → concept for ``vocab`` (the vocabulary's own, looked up once)."""
        index = self._indexes.get(vocab)
        if index is None:
            index = self._indexes[vocab] = self.vocabs[vocab].by_code
        return index

    def concept(self, vocab: str, code: str | None, column: str) -> Concept | None:
        if code is None:
            return None
        found = self._index(vocab).get(code)
        if found is None:
            raise ValidationError.single(
                self._path(column),
                "unknown_code",
                f"expected a code of the vocabulary {vocab!r}",
            )
        return found

    def required(self, vocab: str, code: str | None, column: str) -> Concept:
        value = self.concept(vocab, code, column)
        if value is None:
            raise ValidationError.single(self._path(column), "required", "this value is required")
        return value

    def concepts(self, vocab: str, codes: Sequence[str] | None, column: str) -> tuple[Concept, ...]:
        if not codes:
            return ()
        try:
            return tuple(map(self._index(vocab).__getitem__, codes))
        except (KeyError, TypeError):  # the checks below say which code and why
            return tuple(self.required(vocab, c, column) for c in codes)

    def choice(self, cls: type[enum.Enum], value: str | None, column: str) -> Any:
        if value is None:
            return None
        try:
            return cls(value)
        except ValueError:
            raise ValidationError.single(
                self._path(column),
                "unknown_code",
                f"expected one of: {', '.join(str(m.value) for m in cls)}",
            ) from None

    def build(self, make: Callable[[_A], _R], arg: _A) -> _R:
        """``make(arg)``, with any refusal's paths prefixed by the current table and row."""
        try:
            return make(arg)
        except ValidationError as exc:
            prefix = f"{self.table}[{self.row}]"
            raise ValidationError(
                Violation(prefix + v.path.removeprefix("$"), v.code, v.message)
                for v in exc.violations
            ) from None


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
    """One table's rows, grouped by ``key`` columns and in ``seq`` order within a group.

    The columns are read once (see ``_values``); a row's dict, as
    ``Table.to_pylist`` would give it, is made only as it is read and can be
    freed once its record is built, so the collector never walks a whole
    table's worth of dicts.
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

    def read(self, reader: _Reader, rows: Iterable[int]) -> Iterator[dict[str, Any]]:
        """The rows numbered ``rows``, with ``reader`` told which row it is reading."""
        reader.table = self.name
        names, columns = self.names, self.columns
        for i in rows:
            reader.row = i
            yield dict(zip(names, [c[i] for c in columns], strict=True))


def _read_episode(r: _Reader, row: dict[str, Any], subs: dict[str, list[Any]]) -> MissingEpisode:
    pr = None
    if row["police_reported_at"] is not None:
        pr = _make(PoliceReport)(
            reported_at=row["police_reported_at"],
            reference=row["police_reference"],
            reported_by=row["police_reported_by"],
        )
    loc = None
    if row["located_at"] is not None:
        loc = _make(Located)(
            at=row["located_at"],
            where=r.concept("location_types", row["located_where"], "located_where"),
            by=row["located_by"],
        )
    return _make(MissingEpisode)(
        id=row["episode_id"],
        child_id=row["child_id"],
        placement_id=row["placement_id"],
        zone=row["zone"],
        last_seen_at=row["last_seen_at"],
        statuses=tuple(subs["status_changes"]),
        last_seen_place=row["last_seen_place"],
        clothing=row["clothing"],
        noticed_at=row["noticed_at"],
        police_report=pr,
        risk_grades=tuple(subs["risk_grades"]),
        search_actions=tuple(subs["search_actions"]),
        notifications=tuple(subs["notifications"]),
        located=loc,
        ended_at=row["ended_at"],
        returned_at=row["returned_at"],
        ending=r.concept("episode_endings", row["ending"], "ending"),
        whereabouts=r.concepts("location_types", row["whereabouts"], "whereabouts"),
        who_with=r.concepts("who_with", row["who_with"], "who_with"),
        harm_disclosed=r.concepts("harm_types", row["harm_disclosed"], "harm_disclosed"),
    )


def _read_conversation(
    r: _Reader, row: dict[str, Any], subs: dict[str, list[Any]]
) -> ReturnConversation:
    iv = None
    if row["interviewer_role"] is not None:
        iv = _make(Interviewer)(
            role=r.required("relationship_roles", row["interviewer_role"], "interviewer_role"),
            independent_of_home=row["interviewer_independent_of_home"],
            chosen_by_child=row["interviewer_chosen_by_child"],
            organisation=row["interviewer_organisation"],
            adult_id=row["interviewer_adult_id"],
        )
    screening = None
    if row["screening_recorded"]:
        screening = _make(ExploitationScreening)(
            categories=tuple(
                r.choice(ExploitationCategory, c, "screening_categories")
                for c in row["screening_categories"] or ()
            ),
            indicators=r.concepts(
                "exploitation_indicators", row["screening_indicators"], "screening_indicators"
            ),
        )
    return _make(ReturnConversation)(
        id=row["conversation_id"],
        child_id=row["child_id"],
        episode_ids=tuple(row["episode_ids"] or ()),
        offers=tuple(subs["conversation_offers"]),
        requested_adult_ids=tuple(row["requested_adult_ids"] or ()),
        decision=r.choice(Decision, row["decision"], "decision"),
        declined_reason=row["declined_reason"],
        held_at=row["held_at"],
        interviewer=iv,
        method=r.choice(ContactMethod, row["method"], "method"),
        late_reason=row["late_reason"],
        child_account=row["child_account"],
        whereabouts=r.concepts("location_types", row["whereabouts"], "whereabouts"),
        who_with=r.concepts("who_with", row["who_with"], "who_with"),
        what_happened=row["what_happened"],
        harm_disclosed=r.concepts("harm_types", row["harm_disclosed"], "harm_disclosed"),
        screening=screening,
        topics=tuple(r.choice(ConversationTopic, t, "topics") for t in row["topics"] or ()),
        responses_on_return=tuple(subs["responses_on_return"]),
        child_feedback=row["child_feedback"],
        actions=tuple(subs["agreed_actions"]),
    )


def from_arrow(
    tables: CaseTables | Mapping[str, object],
    *,
    vocabularies: Iterable[Vocabulary] | Mapping[str, Vocabulary] | None = None,
) -> tuple[CaseFile, ...]:
    """The case files held in ``tables``, in the order of the ``children`` table's ``seq``.

    Codes are resolved through the core vocabularies, replaced by name with
    ``vocabularies`` (as in :func:`missingcare.converters.make_converter`). Every record
    is validated as it is built; a refusal is a
    :class:`~missingcare.exceptions.ValidationError` whose path names the
    table, row and column (``episodes[12].ended_at``), never the value.
    """
    if not isinstance(tables, CaseTables):
        tables = CaseTables.from_mapping(tables)
    vocabs = dict(CORE)
    if vocabularies is not None:
        for v in vocabularies.values() if isinstance(vocabularies, Mapping) else vocabularies:
            vocabs[v.name] = v
    r = _Reader(vocabs)
    t = tables

    def sub(name: str, key: Sequence[str], make: Callable[[dict[str, Any]], Any]) -> Any:
        out: dict[tuple[str, ...], list[Any]] = defaultdict(list)
        table = _Rows(t.table(name), name, key)
        for k, rows in table.groups.items():
            out[k] = [r.build(make, row) for row in table.read(r, rows)]
        return out

    ep_key, cv_key = ("child_id", "episode_id"), ("child_id", "conversation_id")
    ep_subs = {
        "status_changes": sub(
            "status_changes",
            ep_key,
            lambda x: _make(StatusChange)(
                at=x["at"], status=r.required("episode_statuses", x["status"], "status")
            ),
        ),
        "risk_grades": sub(
            "risk_grades",
            ep_key,
            lambda x: _make(RiskGrading)(
                at=x["at"], grade=r.required("police_risk_grades", x["grade"], "grade"), by=x["by"]
            ),
        ),
        "search_actions": sub(
            "search_actions",
            ep_key,
            lambda x: _make(SearchAction)(
                at=x["at"],
                action=r.required("search_actions", x["action"], "action"),
                by=x["by"],
                note=x["note"],
            ),
        ),
        "notifications": sub(
            "notifications",
            ep_key,
            lambda x: _make(Notification)(
                recipient=r.required("notification_recipients", x["recipient"], "recipient"),
                at=x["at"],
                method=x["method"],
            ),
        ),
    }
    cv_subs = {
        "conversation_offers": sub(
            "conversation_offers",
            cv_key,
            lambda x: _make(ConversationOffer)(
                at=x["at"],
                outcome=r.required("conversation_outcomes", x["outcome"], "outcome"),
                by=x["by"],
                method=r.choice(ContactMethod, x["method"], "method"),
                reason=x["reason"],
            ),
        ),
        "responses_on_return": sub(
            "responses_on_return",
            cv_key,
            lambda x: _make(ResponseOnReturn)(
                response=r.required("responses_on_return", x["response"], "response"),
                at=x["at"],
                reason=x["reason"],
                safeguarding_reason=x["safeguarding_reason"],
            ),
        ),
        "agreed_actions": sub(
            "agreed_actions",
            cv_key,
            lambda x: _make(AgreedAction)(
                id=x["action_id"],
                description=x["description"],
                owner=x["owner"],
                due=x["due"],
                done_at=x["done_at"],
            ),
        ),
    }
    contacts = sub(
        "adult_contacts",
        ("child_id", "relationship_id"),
        lambda x: _make(AdultContact)(
            at=x["at"],
            kind=r.choice(ContactKind, x["kind"], "kind"),
            child_initiated=x["child_initiated"],
            episode_id=x["episode_id"],
            note=x["note"],
        ),
    )
    child_key = ("child_id",)

    def subs_of(
        groups: Mapping[str, Mapping[tuple[str, ...], list[Any]]], key: tuple[str, ...]
    ) -> dict[str, list[Any]]:
        return {n: g.get(key, []) for n, g in groups.items()}

    placements = sub(
        "placements",
        child_key,
        lambda x: _make(Placement)(
            id=x["placement_id"],
            kind=r.choice(PlacementKind, x["kind"], "kind"),
            zone=x["zone"],
            home_id=x["home_id"],
            start=x["start"],
            end=x["end"],
            placing_authority=x["placing_authority"],
            host_authority=x["host_authority"],
        ),
    )
    periods = sub(
        "periods_of_care", child_key, lambda x: _make(PeriodOfCare)(start=x["start"], end=x["end"])
    )
    episodes = sub(
        "episodes",
        child_key,
        lambda x: _read_episode(r, x, subs_of(ep_subs, (x["child_id"], x["episode_id"]))),
    )
    conversations = sub(
        "conversations",
        child_key,
        lambda x: _read_conversation(r, x, subs_of(cv_subs, (x["child_id"], x["conversation_id"]))),
    )
    context = sub(
        "context",
        child_key,
        lambda x: _make(ContextEntry)(
            id=x["entry_id"],
            child_id=x["child_id"],
            at=x["at"],
            category=r.required("context_categories", x["category"], "category"),
            note=x["note"],
            recorded_by=x["recorded_by"],
            resolves=tuple(x["resolves"] or ()),
            adult_ids=tuple(x["adult_ids"] or ()),
            needs=r.concepts("unmet_needs", x["needs"], "needs"),
        ),
    )

    def factor(x: dict[str, Any]) -> Factor:
        direction = r.choice(FactorDirection, x["direction"], "direction")
        if direction is None:
            raise ValidationError.single("$.direction", "required", "this value is required")
        return _make(Factor)(
            id=x["factor_id"],
            child_id=x["child_id"],
            direction=direction,
            concept=r.required(direction.vocabulary, x["concept"], "concept"),
            source=r.choice(EvidenceSource, x["source"], "source"),
            noted_at=x["noted_at"],
            episode_ids=tuple(x["episode_ids"] or ()),
            note=x["note"],
        )

    factors = sub("factors", child_key, factor)
    needs = sub(
        "needs",
        child_key,
        lambda x: _make(UnmetNeed)(
            id=x["need_id"],
            child_id=x["child_id"],
            need=r.required("unmet_needs", x["need"], "need"),
            source=r.choice(EvidenceSource, x["source"], "source"),
            noted_at=x["noted_at"],
            episode_ids=tuple(x["episode_ids"] or ()),
            note=x["note"],
        ),
    )
    adults = sub(
        "trusted_adults",
        child_key,
        lambda x: _make(TrustedAdult)(
            id=x["relationship_id"],
            child_id=x["child_id"],
            adult_id=x["adult_id"],
            role=r.required("relationship_roles", x["role"], "role"),
            named_at=x["named_at"],
            named_by_child=x["named_by_child"],
            child_words=x["child_words"],
            contacts=tuple(contacts.get((x["child_id"], x["relationship_id"]), ())),
            ended_at=x["ended_at"],
            end_reason=x["end_reason"],
        ),
    )
    known = {row["child_id"] for row in t.children.select(["child_id"]).to_pylist()}
    for name in TABLES[1:]:
        for i, cid in enumerate(t.table(name).column("child_id").to_pylist()):
            if cid not in known:
                raise ValidationError.single(
                    f"{name}[{i}].child_id", "unknown_reference", "expected a child in `children`"
                )

    def case_of(x: dict[str, Any]) -> CaseFile:
        k = (x["child_id"],)
        return _make(CaseFile)(
            child=_make(ChildRef)(x["child_id"], date_of_birth=x["date_of_birth"]),
            placements=tuple(placements.get(k, ())),
            periods_of_care=tuple(periods.get(k, ())),
            episodes=tuple(episodes.get(k, ())),
            conversations=tuple(conversations.get(k, ())),
            context=tuple(context.get(k, ())),
            factors=tuple(factors.get(k, ())),
            needs=tuple(needs.get(k, ())),
            trusted_adults=tuple(adults.get(k, ())),
        )

    out: list[CaseFile] = []
    children = _Rows(t.children, "children", child_key)
    seq = children.columns[children.names.index("seq")]
    for rows in sorted(children.groups.values(), key=lambda rows: seq[rows[0]]):
        for row in children.read(r, rows[:1]):
            out.append(r.build(case_of, row))
        if len(rows) > 1:
            r.row = rows[1]
            raise ValidationError.single(
                f"children[{r.row}].child_id", "duplicate_id", "expected one row per child"
            )
    return tuple(out)
