"""What a safe extract never releases, and that analyses on it equal the source's (issue 18: 9-12).

* 9: free text is every text-kind field, derived from the model, left out unless opted in by
  name; canaries planted in every text field never reach any file the extract writes.
* 10: two different ids that clean to one pseudonym input are refused, naming neither.
* 11: a 3-child extract publishes no count from 1 to 9 in any file (manifest included);
  count labels are counts; small tables and rows are all ``c``; secondary suppression per
  stacked group.
* 12: the analyses give the same answer on an extract as on its source, or refuse.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from missingcare import CaseFile, ChildRef, ValidationError, _fields  # noqa: E402
from missingcare.research import patterns as p  # noqa: E402
from missingcare.research.extracts import _IDS as IDS  # noqa: E402
from missingcare.research.extracts import (  # noqa: E402
    DEFAULT_SUPPRESSION,
    FREE_TEXT,
    NEVER_RELEASED,
    Extract,
    ExtractProfile,
    Pseudonymiser,
    make_extract,
    publish,
    suppress,
)
from missingcare.research.extracts import _fate as fate_of  # noqa: E402
from missingcare.research.tables import (  # noqa: E402
    COLUMN_KINDS,
    EXTRACT_COLUMNS,
    SCHEMAS,
    TABLES,
    CaseTables,
    to_arrow,
)
from missingcare.testing import builders as b  # noqa: E402
from missingcare.testing.synth import PROFILES, Cohort  # noqa: E402
from tests._helpers import examples  # noqa: E402

KEY = hashlib.sha256(b"missingcare extract safety key").digest()
CANARY = "CANARY"

#: A text field that is a reference into the case file (the episode an adult's contact fell
#: in): it must name an episode, so it holds an episode id, pseudonymised like the others.
_REFERENCES = {("AdultContact", "episode_id")}


def _plant(value: Any, counter: Iterator[int], planted: set[str]) -> Any:
    """``value`` with a distinct canary in every text field the model accepts one in."""
    cls: type = type(value)
    for name, kind in _fields.kinds(cls):
        current = getattr(value, name)
        if kind.base == "text" and not kind.many and (cls.__name__, name) not in _REFERENCES:
            try:
                value = attrs.evolve(value, **{name: f"{CANARY}{next(counter)}x"})
            except ValidationError:  # a text the invariants tie to other fields being absent
                continue
            planted.add(f"{cls.__name__}.{name}")
        elif kind.base == "nested" and kind.many:
            value = attrs.evolve(
                value, **{name: tuple(_plant(v, counter, planted) for v in current)}
            )
        elif kind.base == "nested" and current is not None:
            value = attrs.evolve(value, **{name: _plant(current, counter, planted)})
    return value


def _text_fields(cls: type, seen: set[type] | None = None) -> set[str]:
    """Every text field of the model reachable from ``cls``, as ``Class.field``."""
    seen = set() if seen is None else seen
    if cls in seen:
        return set()
    seen.add(cls)
    out: set[str] = set()
    for name, kind in _fields.kinds(cls):
        if kind.base == "text":
            out.add(f"{cls.__name__}.{name}")
        elif kind.base == "nested":
            assert kind.model is not None
            out |= _text_fields(kind.model, seen)
    return out


@pytest.fixture(scope="module")
def source() -> tuple[CaseFile, ...]:
    """40 children across clock changes in four zones (synthetic), with every kind of record:
    in the England pack's terms, so absence plans, profiles and screenings are there too."""
    zones = PROFILES["clock_changes"].zones
    return tuple(Cohort(children=40, seed=3, profile="clock_changes", pack="GB-ENG", zones=zones))


@pytest.fixture(scope="module")
def canaried(source: tuple[CaseFile, ...]) -> tuple[tuple[CaseFile, ...], set[str]]:
    counter = itertools.count()
    planted: set[str] = set()
    return tuple(_plant(c, counter, planted) for c in source), planted


@pytest.fixture(scope="module")
def tables(source: tuple[CaseFile, ...]) -> CaseTables:
    return to_arrow(source)


def _results(tables: CaseTables, *, months: bool = True) -> dict[str, p.CountTable]:
    """Every analysis, as a source would publish it."""
    out: dict[str, p.CountTable] = {
        "hours": p.hour_by_weekday(tables),
        "durations": p.durations(tables),
        "repeats": p.repeat_episodes(tables),
        "whereabouts": p.whereabouts(tables),
        "prevalence": p.prevalence(tables),
        "rates_by_home": p.conversation_rates(tables, by="home"),
        "waits": p.time_to_conversation(tables),
        "per_home": p.episode_rates(tables, start=date(2000, 1, 1), end=date(2100, 1, 1)),
        "adults": p.trusted_adult_comparison(tables),
    }
    if months:
        out["rates_by_month"] = p.conversation_rates(tables, by="month")
    return out


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif value is not None:
        yield str(value)


def _every_text_written(folder: Path) -> Iterator[tuple[str, str]]:
    """``(file, text)``: every value of every file the extract wrote, read as a reader would."""
    files = sorted(folder.iterdir())
    assert {f.suffix for f in files} <= {".parquet", ".csv", ".json"}
    for f in files:
        if f.suffix == ".parquet":
            table = pq.read_table(f)
            for k, v in (table.schema.metadata or {}).items():
                yield f.name, k.decode(errors="replace") + "=" + v.decode(errors="replace")
            for name in table.column_names:
                yield f.name, name
                for value in _strings(table.column(name).to_pylist()):
                    yield f.name, value
        else:
            yield f.name, f.read_text(encoding="utf-8")


# --- 9: free text ------------------------------------------------------------------------


def test_canaries_in_every_text_field_reach_no_file(
    canaried: tuple[tuple[CaseFile, ...], set[str]], tmp_path: Path
) -> None:
    cases, planted = canaried
    # every text field of the model got a canary, but the one reference kept valid
    assert planted == {f for f in _text_fields(CaseFile) if tuple(f.split(".")) not in _REFERENCES}
    tables = to_arrow(cases)
    extract = make_extract(tables, KEY, publish_results=_results(tables))
    extract.write(tmp_path)
    leaks = {name for name, text in _every_text_written(tmp_path) if CANARY in text}
    assert not leaks
    assert extract.manifest["free_text"] == {"included": [], "requires_human_review": False}


def test_a_free_text_label_is_published_only_when_opted_in_by_name(
    canaried: tuple[tuple[CaseFile, ...], set[str]],
) -> None:
    tables = to_arrow(canaried[0])
    by_authority = {"rates": p.conversation_rates(tables, by="authority")}
    with pytest.raises(ValueError, match=r"placements\.placing_authority") as info:
        make_extract(tables, KEY, publish_results=by_authority)
    assert CANARY not in str(info.value)
    profile = ExtractProfile(name="tre", free_text={"placements.placing_authority"})
    opted = make_extract(tables, KEY, profile=profile, publish_results=by_authority)
    assert "placing_authority" in opted.tables["placements"].column_names
    assert "host_authority" not in opted.tables["placements"].column_names
    assert opted.manifest["free_text"]["requires_human_review"] is True


def test_free_text_is_derived_from_the_field_kinds() -> None:
    # every text-kind column is pseudonymised (an identifier) or free text; nothing else
    for table, columns in COLUMN_KINDS.items():
        for column, kind in columns.items():
            if kind.base == "text":
                assert (column in IDS) != (f"{table}.{column}" in FREE_TEXT), (table, column)
    assert {"placements.placing_authority", "placements.host_authority"} <= FREE_TEXT
    assert NEVER_RELEASED <= FREE_TEXT


def test_every_column_kept_by_default_is_a_pseudonym_or_of_a_closed_kind() -> None:
    """A text field added to the model cannot slip into an extract: the default keeps text
    only as pseudonyms, zones and codes of closed vocabularies or enumerations."""
    profile = ExtractProfile()
    closed = {"zone", "concept", "choice", "instant", "date", "duration", "flag"}
    for table in TABLES:
        for column in SCHEMAS[table].names:
            fate = fate_of(table, column, profile)
            kind = COLUMN_KINDS[table].get(column)
            if fate == "keep" and column != "seq":
                flag = kind is None and SCHEMAS[table].field(column).type == pa.bool_()
                assert flag or (kind is not None and kind.base in closed), (table, column)
            if kind is not None and kind.base in ("text", "id"):
                assert fate in ("drop", "pseudonymise"), (table, column)
    # a column of no known kind (one the model grew, say) is left out
    assert fate_of("episodes", "new_note", profile) == "drop"
    assert fate_of("placements", "placing_authority", profile) == "drop"
    assert fate_of("placements", "host_authority", profile) == "drop"


# --- 10: ids that clean alike ------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [("ab-1", "AB-1"), ("straße-1", "STRASSE-1"), ("c 1", "C  1"), ("\u00e9-1", "e\u0301-1")],
)
def test_two_children_whose_ids_clean_alike_are_refused(one: str, other: str) -> None:
    tables = to_arrow([CaseFile(child=ChildRef(one)), CaseFile(child=ChildRef(other))])
    with pytest.raises(ValidationError) as info:
        make_extract(tables, KEY)
    assert [v.code for v in info.value.violations] == ["ambiguous_id"]
    assert info.value.paths == ("children[1].child_id",)
    text = f"{info.value} {info.value!r} {info.value.args}".casefold()
    for ident in (one, other):
        assert ident.casefold() not in text


def test_records_whose_ids_clean_alike_are_refused_and_scoped_ids_are_not() -> None:
    start = date(2026, 1, 5)
    placed = b.case_file(
        child_id="C-1",
        placements=(
            b.placement("p-1", start=start, home_id="home a"),
            b.placement("P-1", start=date(2026, 2, 2), home_id="HOME A"),
        ),
    )
    with pytest.raises(ValidationError) as info:
        make_extract(to_arrow([placed]), KEY)
    assert info.value.paths == ("placements[1].placement_id",)
    homes = b.case_file(
        child_id="C-1", placements=(b.placement("P-1", start=start, home_id="home a"),)
    )
    other = b.case_file(
        child_id="C-2", placements=(b.placement("P-1", start=start, home_id="HOME A"),)
    )
    with pytest.raises(ValidationError) as info:
        make_extract(to_arrow([homes, other]), KEY)
    assert info.value.paths == ("placements[1].home_id",)
    assert "home a" not in str(info.value).casefold()
    # the same episode id in two children is two episodes, not a merge
    same = b.case_file(
        child_id="C-2", placements=(b.placement("P-1", start=start, home_id="home a"),)
    )
    assert make_extract(to_arrow([homes, same]), KEY).tables["placements"].num_rows == 2


# --- 11: small numbers in everything published --------------------------------------------


def _published_count(cell: str) -> bool:
    return cell in ("0", "c") or (cell.isdigit() and int(cell) >= 10 and int(cell) % 5 == 0)


#: The only integers the manifest may hold: parameters of the rules, never counts.
_PARAMETERS = re.compile(
    r"^(profile\.suppression|published\.[^.]+\.suppression)\.(threshold|rounding)$"
    r"|^dates\.(offset_days_range\[\d\]|offset_multiple_of_days)$"
)


def _walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, f"{path}.{k}" if path else k)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, f"{path}[{i}]")
    else:
        yield path, value


def _check_no_small_count_written(folder: Path) -> None:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for path, value in _walk(manifest):
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            assert _PARAMETERS.match(path), path
        if isinstance(value, str) and value.isdigit():
            assert _published_count(value), path
    for name, described in manifest["published"].items():
        with (folder / f"published_{name}.csv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        assert rows
        assert set(rows[0]) == set(described["labels"]) | set(described["counts"])
        for row in rows:
            for column in (*described["counts"], *described["count_labels"]):
                assert _published_count(row[column]), (name, column)
    for parquet in folder.glob("*.parquet"):
        metadata = pq.read_schema(parquet).metadata or {}
        ours = {k: v for k, v in metadata.items() if k.startswith(b"missingcare.")}
        assert set(ours) == {
            b"missingcare.table",
            b"missingcare.arrow_schema_version",
            b"missingcare.extract.dates",
            b"missingcare.extract.dropped",
        }


def test_a_three_child_extract_publishes_no_count_from_one_to_nine(tmp_path: Path) -> None:
    tables = to_arrow(Cohort(children=3, seed=11, profile="clock_changes"))
    assert tables.episodes.num_rows >= 10
    extract = make_extract(tables, KEY, publish_results=_results(tables))
    extract.write(tmp_path)
    _check_no_small_count_written(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"]["children"]["rows"] == "c"
    # a 3-child home's hour x weekday table shows no pattern: not a zero among its 168 cells
    hours = extract.published["hours"].frame
    assert hours.height == 168
    assert set(hours.get_column("episodes")) == set(hours.get_column("children")) == {"c"}
    assert all(t.suppressed_whole for t in extract.published.values())


def test_a_forty_child_extract_publishes_no_count_from_one_to_nine(
    tables: CaseTables, tmp_path: Path
) -> None:
    extract = make_extract(tables, KEY, publish_results=_results(tables))
    extract.write(tmp_path)
    _check_no_small_count_written(tmp_path)
    assert not extract.published["hours"].suppressed_whole


def test_labels_that_are_counts_are_published_as_counts(tables: CaseTables) -> None:
    result = p.repeat_episodes(tables, windows=(28, 365))
    assert any(0 < n < 10 for n in result.frame.get_column("most_in_window"))
    published = publish(result).frame
    labels = published.select("window_days", "most_in_window").rows()
    assert len(labels) == len(set(labels))  # rows shown alike were added together
    assert all(_published_count(v) for v in published.get_column("most_in_window"))
    # nothing lost: the children behind each window still add up (before rounding)
    merged = suppress(
        result.frame,
        ["children"],
        labels=["window_days", "most_in_window"],
        count_labels=["most_in_window"],
        profile=attrs.evolve(publish(result).profile, threshold=1, rounding=1),
    ).frame
    totals = merged.group_by("window_days").agg(pl.col("children").cast(pl.Int64).sum())
    assert set(totals.get_column("children")) == {result.population}


def test_secondary_suppression_looks_within_each_stacked_group() -> None:
    # two tables stacked: each sums to 45, so a lone c in either is recoverable from the other
    frame = pl.DataFrame(
        {
            "measure": ["a", "a", "a", "b", "b", "b"],
            "band": [0, 1, 2, 0, 1, 2],
            "n": [20, 3, 22, 15, 15, 15],
        }
    )
    published = suppress(frame, ["n"], labels=["measure", "band"], groups=["measure"])
    for group in ("a", "b"):
        cells = published.frame.filter(pl.col("measure") == group).get_column("n").to_list()
        assert cells.count("c") != 1, (group, cells)


@settings(max_examples=examples(200))
@given(
    st.integers(1, 3).flatmap(
        lambda width: st.lists(
            st.lists(
                st.lists(st.integers(0, 40), min_size=width, max_size=width),
                min_size=1,
                max_size=6,
            ),
            min_size=1,
            max_size=3,
        )
    ),
    st.none() | st.integers(0, 30),
)
def test_suppression_per_group_property(
    stacked: list[list[list[int]]], population: int | None
) -> None:
    names = [f"n{j}" for j in range(len(stacked[0][0]))]
    frame = pl.DataFrame(
        [
            {"group": g, "band": i, **dict(zip(names, row, strict=True))}
            for g, rows in enumerate(stacked)
            for i, row in enumerate(rows)
        ]
    )
    published = suppress(
        frame, names, labels=["group", "band"], groups=["group"], population=population
    ).frame
    cells = published.select(names).rows()
    assert all(_published_count(c) for row in cells for c in row)
    if population is not None and 0 < population < 10:
        assert {c for row in cells for c in row} == {"c"}
    for row in cells:
        assert len(row) == 1 or row.count("c") != 1
    for g, rows in enumerate(stacked):
        if len(rows) > 1:
            group = published.filter(pl.col("group") == g).select(names)
            for name in names:
                assert group.get_column(name).to_list().count("c") != 1, (g, name)


@settings(max_examples=examples(200))
@given(st.lists(st.tuples(st.integers(1, 30), st.integers(1, 25)), min_size=1, max_size=12))
def test_count_labels_property(distribution: list[tuple[int, int]]) -> None:
    """Children by the most episodes they had: every label and count is published as a count,
    and rows whose labels are then alike are added together."""
    most = sorted({m for m, _ in distribution})
    children = {m: sum(n for k, n in distribution if k == m) for m in most}
    frame = pl.DataFrame({"most": most, "children": [children[m] for m in most]})
    exact = attrs.evolve(DEFAULT_SUPPRESSION, threshold=1, rounding=1)
    merged = suppress(frame, ["children"], labels=["most"], count_labels=["most"], profile=exact)
    assert sum(int(c) for c in merged.frame.get_column("children")) == sum(children.values())
    published = suppress(frame, ["children"], labels=["most"], count_labels=["most"])
    labels = published.frame.get_column("most").to_list()
    assert len(labels) == len(set(labels))
    assert all(_published_count(v) for v in labels)
    assert all(_published_count(v) for v in published.frame.get_column("children"))


def test_rows_behind_few_children_show_no_zeros() -> None:
    frame = pl.DataFrame(
        {"home": ["A", "B"], "returns": [4, 40], "late": [0, 12], "children": [2, 30]}
    )
    published = suppress(
        frame, ["returns", "late", "children"], labels=["home"], children="children"
    )
    assert published.frame.row(0) == ("A", "c", "c", "c")
    assert published.frame.row(1)[0] == "B"


# --- 12: the same analyses on an extract ---------------------------------------------------


def _received(extract: Extract, folder: Path) -> CaseTables:
    """The extract as a recipient reads it: its Parquet files, free text absent."""
    extract.write(folder)
    return CaseTables.from_mapping(
        {name: pq.read_table(folder / f"{name}.parquet") for name in TABLES}, fill_missing=True
    )


def test_analyses_on_a_shifted_extract_equal_the_source(tables: CaseTables, tmp_path: Path) -> None:
    extract = make_extract(tables, KEY)
    received = _received(extract, tmp_path)
    assert received.shifted
    assert not tables.shifted
    # the dates did move
    assert not received.episodes.column("last_seen_at").equals(
        tables.episodes.column("last_seen_at")
    )
    assert p.hour_by_weekday(received).frame.equals(p.hour_by_weekday(tables).frame)
    for analysis in (
        p.durations,
        p.repeat_episodes,
        p.whereabouts,
        p.prevalence,
        p.time_to_conversation,
        p.trusted_adult_comparison,
    ):
        assert analysis(received).frame.equals(analysis(tables).frame), analysis.__name__
    k = Pseudonymiser(KEY)
    source = p.conversation_rates(tables, by="home").frame.with_columns(
        pl.col("home_id").map_elements(lambda h: k.pseudonym(h, "home"), return_dtype=pl.String)
    )
    assert (
        p.conversation_rates(received, by="home")
        .frame.sort("home_id")
        .equals(source.sort("home_id"))
    )


def test_what_a_shifted_extract_cannot_answer_is_refused(
    tables: CaseTables, tmp_path: Path
) -> None:
    received = _received(make_extract(tables, KEY), tmp_path)
    with pytest.raises(
        p.ShiftedExtractError, match="by month cannot be computed on a date-shifted"
    ):
        p.conversation_rates(received, by="month")
    with pytest.raises(p.ShiftedExtractError, match="placing_authority"):
        p.conversation_rates(received, by="authority")
    with pytest.raises(p.ShiftedExtractError, match="date-shifted"):
        p.episode_rates(received, start=date(2025, 1, 1), end=date(2026, 1, 1))
    # tables that lost the extract's metadata (through polars) but kept its columns still refuse
    stripped = CaseTables.from_mapping({n: pl.from_arrow(received.table(n)) for n in TABLES})
    assert not stripped.episodes.schema.metadata or b"missingcare.extract.dates" not in (
        stripped.episodes.schema.metadata
    )
    assert stripped.shifted
    assert p.hour_by_weekday(stripped).frame.equals(p.hour_by_weekday(tables).frame)
    with pytest.raises(p.ShiftedExtractError):
        p.conversation_rates(stripped, by="month")


def test_an_unshifted_extract_answers_by_month_as_the_source(
    tables: CaseTables, tmp_path: Path
) -> None:
    extract = make_extract(tables, KEY, profile=ExtractProfile(shift_dates=False))
    received = _received(extract, tmp_path)
    assert received.is_extract
    assert not received.shifted
    month = p.conversation_rates(received, by="month").frame
    assert month.equals(p.conversation_rates(tables, by="month").frame)
    assert p.hour_by_weekday(received).frame.equals(p.hour_by_weekday(tables).frame)


def test_the_extract_columns_are_those_the_analyses_compute() -> None:
    assert set(p._LOCAL_EPISODE_COLUMNS) <= set(EXTRACT_COLUMNS["episodes"].names)
    frame = pl.from_arrow(to_arrow(Cohort(children=2, seed=1)).episodes)
    assert isinstance(frame, pl.DataFrame)
    added = set(p._local_episode_columns(frame).columns) - set(frame.columns)
    assert added == set(p._LOCAL_EPISODE_COLUMNS)


def test_every_record_id_column_is_pseudonymised_not_dropped() -> None:
    """A record the model gains keeps its links in an extract: its id column has a pseudonym."""
    from missingcare.research.extracts import _IDS
    from missingcare.research.tables import _ID_COLUMNS

    for table, column in _ID_COLUMNS.items():
        if column != "child_id":
            assert column in _IDS, (table, column)
            assert fate_of(table, column, ExtractProfile()) == "pseudonymise"
