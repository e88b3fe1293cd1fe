"""Case files to Arrow tables and back (acceptance 3 of issue 6: lossless for every model)."""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")

from missingcare import CaseFile, ValidationError  # noqa: E402
from missingcare.research import TABLES, CaseTables, from_arrow, to_arrow  # noqa: E402
from missingcare.research.tables import SCHEMAS  # noqa: E402
from missingcare.testing import builders  # noqa: E402
from missingcare.testing import strategies as mst  # noqa: E402
from missingcare.testing.synth import Cohort  # noqa: E402
from missingcare.vocab import Concept  # noqa: E402
from missingcare.vocabularies import LOCATION_TYPES  # noqa: E402
from tests._helpers import examples  # noqa: E402


def _cohort(children: int, seed: int) -> tuple[CaseFile, ...]:
    """A small synthetic cohort crowded round clock changes, in four zones."""
    return tuple(Cohort(children=children, seed=seed, profile="clock_changes"))


def _distinct_children(cases: list[CaseFile]) -> list[CaseFile]:
    seen: set[str] = set()
    out = []
    for case in cases:
        if case.child.id not in seen:
            seen.add(case.child.id)
            out.append(case)
    return out


cohorts = st.lists(mst.case_files(), min_size=0, max_size=2).map(_distinct_children)


@settings(max_examples=examples(60))
@given(cohorts)
def test_arrow_round_trip_is_lossless(cases: list[CaseFile]) -> None:
    assert from_arrow(to_arrow(cases)) == tuple(cases)


@settings(max_examples=examples(20))
@given(cohorts)
def test_round_trip_through_polars_is_lossless(cases: list[CaseFile]) -> None:
    tables = to_arrow(cases)
    frames = {name: tables.to_polars(name) for name in TABLES}
    again = CaseTables.from_mapping(frames)
    assert again == tables
    assert from_arrow(frames) == tuple(cases)


@settings(max_examples=examples(20))
@given(st.lists(mst.case_files(), min_size=1, max_size=2).map(_distinct_children))
def test_round_trip_survives_reordered_rows(cases: list[CaseFile]) -> None:
    tables = to_arrow(cases)
    shuffled = {
        name: tables.table(name).take(
            pa.array(list(reversed(range(tables.table(name).num_rows))), type=pa.int64())
        )
        for name in TABLES
    }
    assert from_arrow(shuffled) == tuple(cases)


def test_three_thousand_generated_episodes_round_trip(
    clock_changes_cohort: tuple[CaseFile, ...],
) -> None:
    cases = clock_changes_cohort[:560]
    assert sum(len(c.episodes) for c in cases) >= 3_000
    assert from_arrow(to_arrow(cases)) == cases


def test_instants_are_utc_microsecond_timestamps_and_the_zone_travels() -> None:
    for name, schema in SCHEMAS.items():
        for field in schema:
            if pa.types.is_timestamp(field.type):
                assert field.type == pa.timestamp("us", tz="UTC"), (name, field.name)
        assert schema.names[0] == "child_id"
        assert "seq" in schema.names
    assert "zone" in SCHEMAS["episodes"].names
    assert "zone" in SCHEMAS["placements"].names
    cases = _cohort(5, seed=1)
    frame = to_arrow(cases).to_polars("episodes")
    assert frame.schema["last_seen_at"] == pl.Datetime("us", "UTC")
    first = frame.get_column("last_seen_at")[0]
    assert first == cases[0].episodes[0].last_seen_at


def test_every_model_field_has_a_place_in_the_tables() -> None:
    """Every field of every model is a column, a key, a nested value's columns or a table.

    The layout is derived from the field kinds, so a model that gains a field
    gains its column; this checks that the walk from ``CaseFile`` reaches
    every model class and leaves no field out.
    """
    from missingcare.converters import MODELS
    from missingcare.research.tables import _LAYOUTS, _Nested

    placed: dict[type, set[str]] = {CaseFile: {t.field for t in _LAYOUTS if t.parent is None}}
    for t in _LAYOUTS:
        placed.setdefault(t.model, set()).update(s.field for s in t.slots)
        for slot in t.slots:
            if isinstance(slot, _Nested):
                placed[slot.model] = {c.field for c in slot.columns}
    # every model a case file holds (what the rules find about one is not a record of it)
    held = [m for m in MODELS if m.__module__ != "missingcare.findings"]
    assert len(held) == len(MODELS) - 3
    assert set(placed) == set(held)
    for model in held:
        assert placed[model] == {a.name for a in attrs.fields(model)}, model.__name__


#: For the cohort below: each table's rows and the sha256 of its schema (with
#: metadata) and every column's values, as the hand-written layout wrote them
#: before the layout was derived from the field kinds. (To regenerate after a
#: change to the generator, write the cohort with the layout of an earlier commit.)
COHORT_TABLES: dict[str, tuple[int, str]] = {
    "children": (60, "dd426f5426d59f5a0fbcd939b763d00a69bb8a40b50bf4bdfff6a00941ddf47d"),
    "placements": (68, "48fd071a2f20da8b6c03d295a0ce08d565c9521c5b4cc7acea7761d9e6e734b6"),
    "periods_of_care": (60, "48e58e66c1da467eca0352c98bd33843088699fba996bfaba6b0fb7ffacee727"),
    "episodes": (134, "4a729eb076a3338af5e8f4b7cf7ff1b7ebc4ca08280f02cb568cadb48e674e65"),
    "status_changes": (141, "41ce01dd79fbe891d9bc5fee34626a62d7aaef737e96c1d59c34ac73aab8d391"),
    "risk_grades": (90, "31ede465607d58a0d63875c703302b575c4940d2608a59ad2bd5bb75df5f037b"),
    "search_actions": (382, "1d0d88693dbc2d83305cc78a1a7c633bea662f9babd976ea548a7c6a5a9eed10"),
    "notifications": (268, "6472fd6849e87f4092a75ac85310617f51be81f20032a5d0d7d2248716fe3e4f"),
    "conversations": (67, "dbfd52d81c22e129e58775a345085d18ed942f67df9bba2455d7d5358e5fcce1"),
    "conversation_offers": (67, "648d40c5c6f9c96e77a8e13b8163d2d17933df1e462eb4c9f12e8f7950dc1cbb"),
    "responses_on_return": (
        129,
        "01ef82643598b96b9d1c35219ebad4f79d793ed7d4d7ddebe6e4a9de7e332aa9",
    ),
    "agreed_actions": (53, "0b66a61a35dc7a962e805155f9d8837675de095f5d3b850987651282627d7062"),
    "context": (6987, "0a2c4e9305ee7e7e0f1588e814774ed1bfb9ec516e0392c6ffd94a377c6358e0"),
    "factors": (125, "f9cc26163fa44de8053be3ca98148a56774a32307dad68f0bf678ceae8709cf2"),
    "needs": (53, "70f8108e36cc109df35002633d1dce174ffa85a1fc990adb0ff9f142c830e405"),
    "trusted_adults": (43, "b18b0d0fc31891ded0bdf39f82f7ca8f2b63b6e502e553e4cd71ed037d12cdf9"),
    "adult_contacts": (20, "78729782b7fa57c082c2256d7872172c8f24063c6c8452e8810b5a4c84fe7935"),
}


def _digest(table: Any) -> str:
    h = hashlib.sha256(table.schema.to_string(show_schema_metadata=True).encode())
    for name in table.column_names:
        h.update(name.encode())
        h.update(repr(table.column(name).to_pylist()).encode())
    return h.hexdigest()


#: Episode columns and tables added after the tables above were recorded.
_SINCE = ("agency_informed_at", "expected_back_at", "profile_shared_at")
_TABLES_SINCE = ("absence_plans", "profiles", "screenings")
#: What issue 17 added (the child's words, where found, significant dates): the synthetic
#: cohort fills them, from a random stream of their own, so every older column is unchanged.
_VOICE = ("located_distance", "located_address_link", "child_said", "child_said_to")
_VOICE_TABLES = ("significant_dates",)
#: What issue 22 added: when each record was written; the synthetic cohort fills it from a
#: random stream of its own too.
_RECORDING = ("recording_at", "recording_by")


def _as_version_1(table: Any) -> Any:
    """``table`` with the columns and the layout version it had when the digests were taken."""
    kept = table.select([c for c in table.column_names if c not in (*_SINCE, *_VOICE, *_RECORDING)])
    meta = dict(kept.schema.metadata or {})
    meta[b"missingcare.arrow_schema_version"] = b"1"
    return kept.replace_schema_metadata(meta)


def test_the_derived_tables_are_the_hand_written_ones() -> None:
    cohort = Cohort(
        children=60, seed=5, zones=("Europe/London", "America/New_York", "Australia/Sydney")
    )
    cases = tuple(cohort)
    tables = to_arrow(cases)
    # the columns and tables the model gained since (the jurisdictions' records) are left
    # out of the comparison: empty for England's cohort, and every older one is unchanged
    written = {
        name: (t.num_rows, _digest(_as_version_1(t)))
        for name, t in tables.as_dict().items()
        if name not in (*_TABLES_SINCE, *_VOICE_TABLES)
    }
    assert written == COHORT_TABLES
    for name in _TABLES_SINCE:
        assert tables.as_dict()[name].num_rows == 0
    assert tables.significant_dates.num_rows > 0
    for name in _VOICE:
        assert tables.episodes.column(name).null_count < tables.episodes.num_rows
    for table in ("episodes", "status_changes", "conversations", "context", "significant_dates"):
        for name in _RECORDING:  # filled for most records, not all
            column = tables.as_dict()[table].column(name)
            assert 0 < column.null_count < len(column), (table, name)
    for name in _SINCE:
        assert tables.episodes.column(name).null_count == tables.episodes.num_rows
    assert from_arrow(tables) == cases


def test_the_old_module_path_warns_and_gives_the_same_names() -> None:
    from missingcare.research import arrow, tables

    for name in (
        "ARROW_SCHEMA_VERSION",
        "SCHEMAS",
        "TABLES",
        "CaseTables",
        "from_arrow",
        "to_arrow",
    ):
        with pytest.warns(DeprecationWarning, match=f"missingcare.research.tables.{name}"):
            assert getattr(arrow, name) is getattr(tables, name)
    with pytest.raises(AttributeError):
        arrow._values  # noqa: B018 - the private names did not move with a shim


def test_column_names_are_stable() -> None:
    assert TABLES == (
        "children",
        "placements",
        "periods_of_care",
        "episodes",
        "status_changes",
        "risk_grades",
        "search_actions",
        "notifications",
        "conversations",
        "conversation_offers",
        "responses_on_return",
        "agreed_actions",
        "context",
        "factors",
        "needs",
        "trusted_adults",
        "adult_contacts",
        "absence_plans",
        "profiles",
        "screenings",
        "significant_dates",
    )
    assert SCHEMAS["significant_dates"].names[:4] == ["child_id", "seq", "date_id", "kind"]
    assert SCHEMAS["absence_plans"].names[:4] == ["child_id", "seq", "plan_id", "agreed_at"]
    assert SCHEMAS["absence_plans"].field("report_after").type == pa.duration("s")
    assert SCHEMAS["screenings"].names[:4] == ["child_id", "seq", "screening_id", "at"]
    assert SCHEMAS["status_changes"].names == [
        "child_id",
        "episode_id",
        "seq",
        "at",
        "status",
        "recording_at",
        "recording_by",
    ]
    for name in ("episodes", "context", "conversations", "significant_dates", "risk_grades"):
        assert SCHEMAS[name].names[-2:] == ["recording_at", "recording_by"], name
    assert "recording_at" not in SCHEMAS["placements"].names
    assert SCHEMAS["conversation_offers"].names[:4] == [
        "child_id",
        "conversation_id",
        "seq",
        "at",
    ]


def test_extended_vocabularies_read_back() -> None:
    local = LOCATION_TYPES.extend(
        Concept(LOCATION_TYPES.concepts[0].system, "bus_station_x", "Bus station X")
    )
    cases = _cohort(20, seed=4)
    tables = to_arrow(cases)
    episodes = tables.to_polars("episodes").with_columns(
        pl.lit(["bus_station_x"]).alias("whereabouts")
    )
    changed = CaseTables.from_mapping({**tables.as_dict(), "episodes": episodes})
    with pytest.raises(ValidationError) as info:
        from_arrow(changed)
    assert info.value.violations[0].path.startswith("episodes[")
    assert info.value.violations[0].code == "unknown_code"
    back = from_arrow(changed, vocabularies=[local])
    assert back[0].episodes[0].whereabouts[0].code == "bus_station_x"


def test_refusals_name_table_row_and_column_never_the_value() -> None:
    cases = _cohort(10, seed=5)
    tables = to_arrow(cases)
    episodes = tables.to_polars("episodes")
    bad = episodes.with_columns(
        pl.when(pl.int_range(pl.len()) == 2)
        .then(pl.lit(datetime(2000, 1, 1, tzinfo=UTC)))
        .otherwise(pl.col("ended_at"))
        .alias("ended_at")
    )
    with pytest.raises(ValidationError) as info:
        from_arrow({**tables.as_dict(), "episodes": bad})
    assert "episodes[2].ended_at" in info.value.paths
    assert "2000" not in str(info.value)
    with pytest.raises(ValidationError) as missing:
        CaseTables.from_mapping({"episodes": episodes.drop("zone")})
    assert missing.value.paths == ("episodes.zone",)


def test_instants_and_dates_python_cannot_hold_are_refused_by_path() -> None:
    tables = to_arrow(_cohort(4, seed=2))
    beyond = {
        "episodes": ("ended_at", pa.int64(), 253_402_300_800_000_000, "invalid_datetime"),
        "children": ("date_of_birth", pa.int32(), 2_932_897, "invalid_date"),
    }
    for name, (column, raw, value, code) in beyond.items():
        table = tables.table(name)
        i = table.schema.get_field_index(column)
        values: list[int | None] = [None] * table.num_rows
        values[1] = value
        broken = table.set_column(i, column, pa.array(values, raw).cast(table.schema.field(i).type))
        with pytest.raises(ValidationError) as info:
            from_arrow({**tables.as_dict(), name: broken})
        (violation,) = info.value.violations
        assert (violation.path, violation.code) == (f"{name}[1].{column}", code)
        assert str(value) not in str(info.value)


def test_a_null_seq_is_refused_by_path() -> None:
    tables = to_arrow(_cohort(4, seed=2))
    for name in ("status_changes", "children"):
        table = tables.table(name)
        i = table.schema.get_field_index("seq")
        seqs = table.column("seq").to_pylist()
        seqs[1] = None
        broken = table.set_column(i, "seq", pa.array(seqs, pa.int32()))
        with pytest.raises(ValidationError) as info:
            from_arrow({**tables.as_dict(), name: broken})
        (violation,) = info.value.violations
        assert (violation.path, violation.code) == (f"{name}[1].seq", "required")


def test_only_instants_and_dates_are_reported_as_out_of_range() -> None:
    tables = to_arrow(_cohort(4, seed=2))
    episodes = tables.table("episodes")
    i = episodes.schema.get_field_index("clothing")
    n = episodes.num_rows
    # text that is not UTF-8 in every row: pyarrow's own error, not a date's
    offsets = pa.py_buffer(pa.array(range(n + 1), pa.int32()).buffers()[1])
    broken_text = pa.Array.from_buffers(pa.string(), n, [None, offsets, pa.py_buffer(b"\xff" * n)])
    broken = episodes.set_column(i, "clothing", broken_text)
    with pytest.raises(UnicodeDecodeError):
        from_arrow({**tables.as_dict(), "episodes": broken})


def test_one_case_file_per_child_and_orphans_refused() -> None:
    case = builders.case_file()
    with pytest.raises(ValidationError):
        to_arrow([case, case])
    tables = to_arrow(_cohort(3, seed=1))
    children = tables.to_polars("children").head(1)
    with pytest.raises(ValidationError) as info:
        from_arrow({**tables.as_dict(), "children": children})
    assert info.value.violations[0].code == "unknown_reference"
    with pytest.raises(ValueError, match="unknown table"):
        CaseTables.from_mapping({"episode": tables.episodes})


def test_to_pandas_goes_through_arrow_or_names_the_missing_package() -> None:
    tables = to_arrow(_cohort(3, seed=1))
    if importlib.util.find_spec("pandas") is None:
        with pytest.raises(ImportError, match="pandas"):
            tables.to_pandas("episodes")
    else:
        frame = tables.to_pandas("episodes")
        assert len(frame) == tables.episodes.num_rows
        assert str(frame["last_seen_at"].dt.tz) == "UTC"


def test_importing_missingcare_loads_no_research_extra() -> None:
    import subprocess
    import sys

    code = (
        "import sys, missingcare; "
        "bad = {'pyarrow', 'polars', 'matplotlib', 'pandas'} & set(sys.modules); "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@settings(max_examples=examples(40))
@given(cohorts)
def test_rows_follow_the_case_files_and_lists_are_never_null(cases: list[CaseFile]) -> None:
    """The column-wise build keeps case-file order, and each row's list is its own."""
    tables = to_arrow(cases)
    position = {c.child.id: i for i, c in enumerate(cases)}
    for name in TABLES:
        table = tables.table(name)
        rows = [position[cid] for cid in table.column("child_id").to_pylist()]
        assert rows == sorted(rows), name
        for field in table.schema:
            if pa.types.is_list(field.type):
                assert table.column(field.name).null_count == 0, (name, field.name)
    episodes = [e for c in cases for e in c.episodes]
    assert tables.episodes.column("whereabouts").to_pylist() == [
        [w.code for w in e.whereabouts] for e in episodes
    ]
    assert tables.episodes.column("harm_disclosed").to_pylist() == [
        [h.code for h in e.harm_disclosed] for e in episodes
    ]
    conversations = [v for c in cases for v in c.conversations]
    assert tables.conversations.column("episode_ids").to_pylist() == [
        list(v.episode_ids) for v in conversations
    ]
    assert tables.conversations.column("screening_categories").to_pylist() == [
        [] if v.screening is None else [k.value for k in v.screening.categories]
        for v in conversations
    ]
    assert tables.context.column("resolves").to_pylist() == [
        list(x.resolves) for c in cases for x in c.context
    ]
    assert tables.status_changes.column("episode_id").to_pylist() == [
        e.id for e in episodes for _ in e.statuses
    ]
    assert tables.status_changes.column("seq").to_pylist() == [
        i for e in episodes for i in range(len(e.statuses))
    ]


def _chunked(values: Sequence[object], cuts: list[int], type_: object) -> object:
    """``values`` as a chunked array whose chunks are slices of one array (offsets ≠ 0)."""
    whole = pa.array([None, *values, None], type_)  # sliced off below: offsets start at 1
    bounds = sorted({0, len(values), *(c % (len(values) + 1) for c in cuts)})
    return pa.chunked_array(
        [whole.slice(1 + a, b - a) for a, b in itertools.pairwise(bounds)] or [whole.slice(1, 0)],
        type_,
    )


@settings(max_examples=examples(200))
@given(
    st.lists(st.none() | st.lists(st.none() | st.text(max_size=3), max_size=3), max_size=12),
    st.lists(st.integers(0, 20), max_size=4),
)
def test_text_list_columns_read_as_pyarrow_reads_them(
    values: list[list[str | None] | None], cuts: list[int]
) -> None:
    from missingcare.research.tables import _LIST, _values

    column = _chunked(values, cuts, _LIST)
    expected = [None if v is None else tuple(v) for v in column.to_pylist()]  # type: ignore[attr-defined]
    given_ = [None if v is None else tuple(v) for v in values]
    assert _values(column, "t[{}].c") == expected == given_


@settings(max_examples=examples(200))
@given(
    st.lists(
        st.none() | st.integers(-62_135_596_800_000_000, 253_402_300_799_999_999), max_size=12
    ),
    st.lists(st.integers(0, 20), max_size=4),
)
def test_instant_columns_read_as_pyarrow_reads_them_as_plain_utc(
    micros: list[int | None], cuts: list[int]
) -> None:
    from missingcare.research.tables import _TS, _values

    column = _chunked(micros, cuts, pa.int64()).cast(_TS)  # type: ignore[attr-defined]
    got = _values(column, "t[{}].c")
    assert got == column.to_pylist()
    assert all(v is None or (type(v) is datetime and v.tzinfo is UTC) for v in got)


def _with_value(table: Any, column: str, row: int, value: object) -> Any:
    """``table`` with ``column``'s value in ``row`` replaced by ``value``."""
    i = table.schema.get_field_index(column)
    values = table.column(column).to_pylist()
    values[row] = value
    return table.set_column(i, column, pa.array(values, table.schema.field(i).type))


@pytest.mark.parametrize(
    ("table", "column", "value", "code"),
    [
        ("status_changes", "status", None, "required"),
        ("status_changes", "status", "not_a_status", "unknown_code"),
        ("episodes", "ending", "not_an_ending", "unknown_code"),
        ("episodes", "whereabouts", ["home", "not_a_place"], "unknown_code"),
        ("conversations", "interviewer_role", "not_a_role", "unknown_code"),
        ("conversations", "method", "pigeon", "unknown_code"),
        ("conversations", "topics", ["not_a_topic"], "unknown_code"),
        ("placements", "kind", "castle", "unknown_code"),
        ("factors", "direction", None, "required"),
        ("factors", "concept", "not_a_factor", "unknown_code"),
    ],
)
def test_a_bad_code_or_missing_value_is_refused_by_table_row_and_column(
    table: str, column: str, value: object, code: str
) -> None:
    """Codes are read a column at a time; a refusal still names the row, never the value."""
    tables = to_arrow(_cohort(30, seed=5))
    broken = _with_value(tables.table(table), column, 1, value)
    with pytest.raises(ValidationError) as info:
        from_arrow({**tables.as_dict(), table: broken})
    (violation,) = info.value.violations
    assert (violation.path, violation.code) == (f"{table}[1].{column}", code)
    assert "not_a" not in str(info.value)


def test_a_nested_value_is_read_only_where_it_is_there() -> None:
    """An absent interviewer's other columns, or an unrecorded screening's, are not read."""
    tables = to_arrow(_cohort(30, seed=5))
    conversations = tables.conversations
    n = conversations.num_rows
    conversations = conversations.set_column(
        conversations.schema.get_field_index("interviewer_role"),
        "interviewer_role",
        pa.nulls(n, pa.string()),
    )
    for column in ("interviewer_organisation", "screening_indicators"):
        conversations = _with_value(
            conversations, column, 0, "unread" if column.startswith("i") else ["unread"]
        )
    back = from_arrow({**tables.as_dict(), "conversations": conversations})
    assert all(v.interviewer is None for c in back for v in c.conversations)
    assert back[0].conversations[0].screening is None
