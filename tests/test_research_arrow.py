"""Case files to Arrow tables and back (acceptance 3 of issue 6: lossless for every model)."""

from __future__ import annotations

import importlib.util
import itertools
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")

from missingcare import CaseFile, ChildRef, ValidationError  # noqa: E402
from missingcare.research import TABLES, CaseTables, from_arrow, to_arrow  # noqa: E402
from missingcare.research._synthetic import synthetic_cases  # noqa: E402
from missingcare.research.tables import SCHEMAS  # noqa: E402
from missingcare.testing import strategies as mst  # noqa: E402
from missingcare.vocab import Concept  # noqa: E402
from missingcare.vocabularies import LOCATION_TYPES  # noqa: E402
from tests._helpers import examples  # noqa: E402


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


@settings(max_examples=20)
@given(cohorts)
def test_round_trip_through_polars_is_lossless(cases: list[CaseFile]) -> None:
    tables = to_arrow(cases)
    frames = {name: tables.to_polars(name) for name in TABLES}
    again = CaseTables.from_mapping(frames)
    assert again == tables
    assert from_arrow(frames) == tuple(cases)


@settings(max_examples=20)
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


def test_three_thousand_generated_episodes_round_trip() -> None:
    cases = synthetic_cases(600, 3_000, seed=3)
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
    cases = synthetic_cases(5, 10, seed=1)
    frame = to_arrow(cases).to_polars("episodes")
    assert frame.schema["last_seen_at"] == pl.Datetime("us", "UTC")
    first = frame.get_column("last_seen_at")[0]
    assert first == cases[0].episodes[0].last_seen_at


#: Where every field of every model lives in the columnar form. A model that
#: gains a field fails this test until the field has a column (and so a
#: round trip): add it to SCHEMAS, to_arrow and from_arrow, then here.
COVERAGE: dict[str, set[str]] = {
    "ChildRef": {"id", "date_of_birth"},
    "PeriodOfCare": {"start", "end"},
    "Placement": {
        "id",
        "kind",
        "zone",
        "home_id",
        "start",
        "end",
        "placing_authority",
        "host_authority",
    },
    "StatusChange": {"at", "status"},
    "RiskGrading": {"at", "grade", "by"},
    "PoliceReport": {"reported_at", "reference", "reported_by"},
    "SearchAction": {"at", "action", "by", "note"},
    "Notification": {"recipient", "at", "method"},
    "Located": {"at", "where", "by"},
    "MissingEpisode": {
        "id",
        "child_id",
        "placement_id",
        "zone",
        "last_seen_at",
        "statuses",
        "last_seen_place",
        "clothing",
        "noticed_at",
        "police_report",
        "risk_grades",
        "search_actions",
        "notifications",
        "located",
        "ended_at",
        "returned_at",
        "ending",
        "whereabouts",
        "who_with",
        "harm_disclosed",
    },
    "ConversationOffer": {"at", "outcome", "by", "method", "reason"},
    "Interviewer": {"role", "independent_of_home", "chosen_by_child", "organisation", "adult_id"},
    "ExploitationScreening": {"categories", "indicators"},
    "ResponseOnReturn": {"response", "at", "reason", "safeguarding_reason"},
    "AgreedAction": {"id", "description", "owner", "due", "done_at"},
    "ReturnConversation": {
        "id",
        "child_id",
        "episode_ids",
        "offers",
        "requested_adult_ids",
        "decision",
        "declined_reason",
        "held_at",
        "interviewer",
        "method",
        "late_reason",
        "child_account",
        "whereabouts",
        "who_with",
        "what_happened",
        "harm_disclosed",
        "screening",
        "topics",
        "responses_on_return",
        "child_feedback",
        "actions",
    },
    "ContextEntry": {
        "id",
        "child_id",
        "at",
        "category",
        "note",
        "recorded_by",
        "resolves",
        "adult_ids",
        "needs",
    },
    "Factor": {
        "id",
        "child_id",
        "direction",
        "concept",
        "source",
        "noted_at",
        "episode_ids",
        "note",
    },
    "UnmetNeed": {"id", "child_id", "need", "source", "noted_at", "episode_ids", "note"},
    "AdultContact": {"at", "kind", "child_initiated", "episode_id", "note"},
    "TrustedAdult": {
        "id",
        "child_id",
        "adult_id",
        "role",
        "named_at",
        "named_by_child",
        "child_words",
        "contacts",
        "ended_at",
        "end_reason",
    },
    "CaseFile": {
        "child",
        "placements",
        "periods_of_care",
        "episodes",
        "conversations",
        "context",
        "factors",
        "needs",
        "trusted_adults",
    },
}


def test_every_model_field_has_a_place_in_the_tables() -> None:
    import attrs

    from missingcare.converters import MODELS

    assert {m.__name__ for m in MODELS} == set(COVERAGE)
    for model in MODELS:
        assert {a.name for a in attrs.fields(model)} == COVERAGE[model.__name__], model.__name__


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
    )
    assert SCHEMAS["status_changes"].names == ["child_id", "episode_id", "seq", "at", "status"]
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
    cases = synthetic_cases(20, 60, seed=4)
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
    cases = synthetic_cases(10, 30, seed=5)
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
    tables = to_arrow(synthetic_cases(4, 8, seed=2))
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
    tables = to_arrow(synthetic_cases(4, 8, seed=2))
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
    tables = to_arrow(synthetic_cases(4, 8, seed=2))
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
    case = CaseFile(child=ChildRef("C-1"))
    with pytest.raises(ValidationError):
        to_arrow([case, case])
    tables = to_arrow(synthetic_cases(3, 6, seed=1))
    children = tables.to_polars("children").head(1)
    with pytest.raises(ValidationError) as info:
        from_arrow({**tables.as_dict(), "children": children})
    assert info.value.violations[0].code == "unknown_reference"
    with pytest.raises(ValueError, match="unknown table"):
        CaseTables.from_mapping({"episode": tables.episodes})


def test_to_pandas_goes_through_arrow_or_names_the_missing_package() -> None:
    tables = to_arrow(synthetic_cases(3, 6, seed=1))
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
