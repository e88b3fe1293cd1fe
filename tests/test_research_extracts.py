"""Safe extracts (acceptance 2 of issue 6; reliability.md T24-T30, T32, T33)."""

from __future__ import annotations

import hashlib
import hmac
import json
import pickle
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pl = pytest.importorskip("polars")

from missingcare import CaseFile, ChildRef, PoliceReport, ValidationError  # noqa: E402
from missingcare.research import patterns as p  # noqa: E402
from missingcare.research.extracts import (  # noqa: E402
    DFE_NATIONAL,
    Extract,
    ExtractProfile,
    Pseudonymiser,
    SuppressionProfile,
    canonical_nhs_number,
    clean_identifier,
    make_extract,
    publish,
    suppress,
)
from missingcare.research.tables import SCHEMAS, CaseTables, to_arrow  # noqa: E402
from tests._helpers import examples  # noqa: E402

KEY = hashlib.sha256(b"missingcare test key one").digest()
OTHER_KEY = hashlib.sha256(b"missingcare test key two").digest()
CANARY_TEXT = "Canary Jane Placeholder-Smith of 1 Fictional Row"
CANARY_DOB = date(2011, 7, 19)


def _with_canaries(cases: tuple[CaseFile, ...]) -> tuple[CaseFile, ...]:
    """Plant free text and a known date of birth in the records."""
    out = []
    for i, case in enumerate(cases):
        episodes = tuple(
            attrs.evolve(
                e,
                last_seen_place=CANARY_TEXT,
                clothing=CANARY_TEXT,
                police_report=PoliceReport(reported_at=e.last_seen_at, reference="PR-CANARY"),
            )
            for e in case.episodes
        )
        context = tuple(attrs.evolve(c, note=CANARY_TEXT) for c in case.context)
        conversations = tuple(
            attrs.evolve(c, child_account=CANARY_TEXT) if c.held_at is not None else c
            for c in case.conversations
        )
        adults = tuple(attrs.evolve(a, child_words=CANARY_TEXT) for a in case.trusted_adults)
        child = ChildRef(case.child.id, date_of_birth=CANARY_DOB) if i % 2 else case.child
        out.append(
            attrs.evolve(
                case,
                child=child,
                episodes=episodes,
                context=context,
                conversations=conversations,
                trusted_adults=adults,
            )
        )
    return tuple(out)


@pytest.fixture(scope="module")
def cases(clock_changes_cohort: tuple[CaseFile, ...]) -> tuple[CaseFile, ...]:
    return _with_canaries(clock_changes_cohort[:400])


@pytest.fixture(scope="module")
def tables(cases: tuple[CaseFile, ...]) -> CaseTables:
    return to_arrow(cases)


@pytest.fixture(scope="module")
def extract(tables: CaseTables) -> Extract:
    return make_extract(
        tables,
        KEY,
        publish_results={
            "hours": p.hour_by_weekday(tables),
            "rates_by_home": p.conversation_rates(tables, by="home"),
        },
    )


def _cells(extract: Extract) -> list[str]:
    out: list[str] = []
    for table in extract.tables.values():
        for column in table.columns:
            for value in column.to_pylist():
                if isinstance(value, list):
                    out.extend(str(v) for v in value)
                elif value is not None:
                    out.append(str(value))
    for published in extract.published.values():
        for row in published.frame.iter_rows():
            out.extend(str(v) for v in row if v is not None)
    return out


def _source_ids(cases: tuple[CaseFile, ...]) -> set[str]:
    ids: set[str] = set()
    for c in cases:
        ids.add(c.child.id)
        ids.update(pl_.id for pl_ in c.placements)
        ids.update(e.id for e in c.episodes)
        ids.update(cv.id for cv in c.conversations)
        ids.update(x.id for x in c.context)
        ids.update(f.id for f in c.factors)
        ids.update(n.id for n in c.needs)
        ids.update(t.id for t in c.trusted_adults)
        ids.update(t.adult_id for t in c.trusted_adults)
    return ids


# --- what must never appear ----------------------------------------------------------------


def test_no_identifier_free_text_or_full_date_of_birth_in_any_output(
    cases: tuple[CaseFile, ...], extract: Extract
) -> None:
    cells = set(_cells(extract))
    assert not cells & _source_ids(cases)
    assert not any(CANARY_TEXT in c or "PR-CANARY" in c for c in cells)
    dobs = {c.child.date_of_birth for c in cases if c.child.date_of_birth is not None}
    for dob in dobs:
        assert dob.isoformat() not in cells
        assert str(dob) not in cells
    for table in extract.tables.values():
        for column in table.columns:
            if column.type == "date32[day]":
                assert not set(column.to_pylist()) & dobs
    assert "date_of_birth" not in extract.tables["children"].column_names
    months = extract.tables["children"].column("birth_month").to_pylist()
    assert all(m is None or len(m) == 7 for m in months)


def test_home_ids_are_pseudonymised_alike_in_records_and_published_tables(
    tables: CaseTables, extract: Extract
) -> None:
    homes = {h for h in extract.tables["placements"].column("home_id").to_pylist() if h}
    assert homes
    assert all(len(h) == 64 for h in homes)
    published = set(extract.published["rates_by_home"].frame.get_column("home_id").drop_nulls())
    assert published <= homes
    assert not published & set(tables.placements.column("home_id").to_pylist())


def test_the_key_is_never_written(tmp_path: Path, extract: Extract) -> None:
    manifest = extract.write(tmp_path)
    blobs = b"".join(f.read_bytes() for f in sorted(tmp_path.iterdir()))
    assert KEY not in blobs
    assert KEY.hex().encode() not in blobs
    text = manifest.read_text()
    assert json.loads(text)["key_fingerprint"] == Pseudonymiser(KEY).fingerprint
    assert KEY.hex() not in repr(Pseudonymiser(KEY))
    with pytest.raises(TypeError, match="pickled"):
        pickle.dumps(Pseudonymiser(KEY))


def test_free_text_only_when_opted_in_and_then_flagged(tables: CaseTables) -> None:
    profile = ExtractProfile(name="tre", free_text={"episodes.clothing"})
    opted = make_extract(tables, KEY, profile=profile)
    assert CANARY_TEXT in opted.tables["episodes"].column("clothing").to_pylist()
    assert "last_seen_place" not in opted.tables["episodes"].column_names
    assert opted.manifest["free_text"] == {
        "included": ["episodes.clothing"],
        "requires_human_review": True,
    }
    assert "police_reference" not in opted.tables["episodes"].column_names
    with pytest.raises(ValueError, match="never released"):
        ExtractProfile(free_text={"episodes.police_reference"})
    with pytest.raises(ValueError, match="not free-text"):
        ExtractProfile(free_text={"episodes.zone"})


# --- pseudonyms ------------------------------------------------------------------------------


def test_same_key_same_pseudonyms_two_keys_disjoint(tables: CaseTables) -> None:
    a = make_extract(tables, KEY)
    b = make_extract(tables, KEY)
    c = make_extract(tables, OTHER_KEY)
    ids_a = a.tables["children"].column("child_id").to_pylist()
    assert ids_a == b.tables["children"].column("child_id").to_pylist()
    assert not set(ids_a) & set(c.tables["children"].column("child_id").to_pylist())
    assert a.tables["episodes"].equals(b.tables["episodes"])
    assert a.manifest == b.manifest


def test_hundred_thousand_ids_under_two_keys_share_nothing() -> None:
    k1, k2 = Pseudonymiser(KEY), Pseudonymiser(OTHER_KEY)
    ids = [f"C-{i:06d}" for i in range(100_000)]
    one = {k1.pseudonym(i, "child") for i in ids}
    two = {k2.pseudonym(i, "child") for i in ids}
    assert len(one) == len(two) == len(ids)
    assert not one & two
    assert not any(i[2:] in s for i, s in zip(ids[:1000], sorted(one)[:1000], strict=True))


def test_keys_under_32_bytes_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        Pseudonymiser(bytes(31))
    with pytest.raises(TypeError):
        Pseudonymiser("x" * 40)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 32 bytes"):
        make_extract(to_arrow([]), b"short key")


def test_the_pseudonym_is_the_documented_hmac() -> None:
    expected = hmac.new(KEY, b"missingcare:v1:child:C-0001", hashlib.sha256).hexdigest()
    assert Pseudonymiser(KEY).pseudonym(" c-0001 ", "child") == expected
    assert Pseudonymiser(KEY).matches("C-0001", "child", expected)
    assert len(expected) == 64


def test_identifiers_are_cleaned_before_hashing() -> None:
    k = Pseudonymiser(KEY)
    assert clean_identifier(" c-0001\u00a0") == "C-0001"
    assert k.pseudonym("c-0001", "child") == k.pseudonym("C-0001 ", "child")
    assert k.pseudonym("C-0001", "child") != k.pseudonym("C-0001", "adult")
    assert k.pseudonym("943 476 5919", "nhs_number") == k.pseudonym("9434765919", "nhs_number")
    assert canonical_nhs_number("943-476-5919") == "9434765919"
    with pytest.raises(ValidationError) as info:
        canonical_nhs_number("9434765918")
    assert "9434765918" not in str(info.value)
    with pytest.raises(ValidationError):
        clean_identifier("   ")


def test_episode_ids_are_scoped_to_the_child() -> None:
    k = Pseudonymiser(KEY)
    assert k.pseudonym("E1", "episode", scope="C-1") != k.pseudonym("E1", "episode", scope="C-2")


def test_references_still_join_after_pseudonymising(extract: Extract) -> None:
    episodes = set(
        zip(
            extract.tables["episodes"].column("child_id").to_pylist(),
            extract.tables["episodes"].column("episode_id").to_pylist(),
            strict=True,
        )
    )
    convs = extract.tables["conversations"]
    for child, eids in zip(
        convs.column("child_id").to_pylist(), convs.column("episode_ids").to_pylist(), strict=True
    ):
        for eid in eids:
            assert (child, eid) in episodes


# --- dates ---------------------------------------------------------------------------------------


def _instants_by_child(tables: dict[str, Any]) -> dict[str, list[tuple[str, int, str, Any]]]:
    out: defaultdict[str, list[tuple[str, int, str, Any]]] = defaultdict(list)
    for name, table in tables.items():
        for column in table.column_names:
            typ = str(table.schema.field(column).type)
            if column == "date_of_birth" or not typ.startswith(("timestamp", "date32")):
                continue
            if column not in SCHEMAS[name].names:  # an extract's own column: no source twin
                continue
            for i, (child, value) in enumerate(
                zip(
                    table.column("child_id").to_pylist(),
                    table.column(column).to_pylist(),
                    strict=True,
                )
            ):
                if value is not None:
                    out[child].append((name, i, column, value))
    return out


def test_intervals_within_a_child_are_identical_after_shifting(
    tables: CaseTables, extract: Extract
) -> None:
    before = _instants_by_child(tables.as_dict())
    after = _instants_by_child(dict(extract.tables))
    k = Pseudonymiser(KEY)
    offsets = set()
    for child, values in before.items():
        shifted = after[k.pseudonym(child, "child")]
        assert [v[:3] for v in values] == [v[:3] for v in shifted]
        deltas = {
            (b[3] - a[3]) if isinstance(a[3], datetime) else timedelta(days=(b[3] - a[3]).days)
            for a, b in zip(values, shifted, strict=True)
        }
        assert len(deltas) == 1, child
        (delta,) = deltas
        assert delta.days % 7 == 0
        assert abs(delta.days) <= 182
        offsets.add(delta)
    assert len(offsets) > 10


def test_derived_columns_are_computed_before_the_shift(
    cases: tuple[CaseFile, ...], extract: Extract
) -> None:
    rows = (
        extract.tables["episodes"]
        .select(["elapsed_hours", "calendar_days", "start_local_hour"])
        .to_pylist()
    )
    originals = [e for c in cases for e in c.episodes]
    for row, e in zip(rows, originals, strict=True):
        if e.duration is None:
            assert row["elapsed_hours"] is None
        else:
            assert row["elapsed_hours"] == pytest.approx(e.duration.total_seconds() / 3600)
            assert row["calendar_days"] == e.length_in_days
    assert extract.manifest["dates"]["offset_multiple_of_days"] == 7


def test_unshifted_profile_keeps_dates(tables: CaseTables) -> None:
    plain = make_extract(tables, KEY, profile=ExtractProfile(shift_dates=False))
    assert (
        plain.tables["episodes"]
        .column("last_seen_at")
        .equals(tables.episodes.column("last_seen_at"))
    )
    assert plain.manifest["dates"] == {"method": "unshifted"}


# --- small numbers -------------------------------------------------------------------------------


def _check_published(frame: Any, counts: list[str], rounding: int = 5) -> None:
    cells = [[row[c] for c in counts] for row in frame.select(counts).to_dicts()]
    for row in cells:
        for cell in row:
            assert cell == "c" or (
                int(cell) == 0 or (int(cell) >= 10 and int(cell) % rounding == 0)
            )
    if len(counts) > 1:
        for row in cells:
            assert sum(cell == "c" for cell in row) != 1
    if len(cells) > 1:
        for j in range(len(counts)):
            assert sum(row[j] == "c" for row in cells) != 1


def test_published_tables_have_no_small_cells_and_no_lone_suppression(extract: Extract) -> None:
    for published in extract.published.values():
        counts = [c for c in published.frame.columns if published.frame.schema[c] == pl.String]
        counts = [c for c in counts if c not in ("home_id", "month", "placing_authority")]
        _check_published(published.frame, counts)
    shown = extract.manifest["published"]["hours"]["primary_suppressed"]
    assert shown in ("0", "c") or int(shown) % 5 == 0


@settings(max_examples=examples(200))
@given(
    st.integers(1, 6).flatmap(
        lambda width: st.lists(
            st.lists(st.integers(0, 60), min_size=width, max_size=width), min_size=1, max_size=8
        )
    ),
    st.sampled_from([SuppressionProfile("default"), DFE_NATIONAL]),
)
def test_suppression_property(matrix: list[list[int]], profile: SuppressionProfile) -> None:
    names = [f"n{j}" for j in range(len(matrix[0]))]
    frame = pl.DataFrame([dict(zip(names, row, strict=True)) for row in matrix])
    published = suppress(frame, names, profile=profile)
    _check_published(published.frame, names, profile.rounding)
    for row, out in zip(matrix, published.frame.iter_rows(), strict=True):
        for value, cell in zip(row, out, strict=True):
            if value == 0:
                assert cell in ("0", "c")
            if 0 < value < 10:
                assert cell == "c"


def test_rounding_examples() -> None:
    frame = pl.DataFrame({"a": [0, 3, 12, 13, 27, 105], "b": [50, 50, 50, 50, 50, 4]})
    default = suppress(frame, ["a", "b"]).frame.rows()
    assert default[0] == ("0", "50")
    assert default[2] == ("10", "50")
    assert default[3] == ("15", "50")
    dfe = suppress(frame, ["a", "b"], profile=DFE_NATIONAL).frame.rows()
    assert dfe[4] == ("30", "50")
    assert dfe[3] == ("10", "50")


def test_publish_uses_the_result_labels_and_counts(tables: CaseTables) -> None:
    published = publish(p.durations(tables))
    assert published.frame.columns == ["measure", "lower", "upper", "episodes", "children"]
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    assert stamp.tzinfo is UTC


def test_an_extract_can_be_analysed_and_elapsed_times_are_unchanged(
    tables: CaseTables, extract: Extract
) -> None:
    received = CaseTables.from_mapping(dict(extract.tables), fill_missing=True)
    assert received.episodes.column("clothing").null_count == received.episodes.num_rows
    before = p.durations(tables).frame.filter(pl.col("measure") == "elapsed_hours")
    after = p.durations(received).frame.filter(pl.col("measure") == "elapsed_hours")
    assert before.equals(after)
    by_home = p.conversation_rates(received, by="home")
    assert by_home.returns == p.conversation_rates(tables, by="home").returns
    with pytest.raises(ValidationError) as info:
        CaseTables.from_mapping(dict(extract.tables))
    assert "episodes.clothing" in info.value.paths


def test_rows_behind_few_children_are_suppressed_whole(tables: CaseTables) -> None:
    result = p.conversation_rates(tables, by="home")
    published = publish(result)
    few = [0 < n < 10 for n in result.frame.get_column("children").to_list()]
    assert any(few)
    counts = [c for c in result.COUNTS if c in published.frame.columns]
    for is_few, original, row in zip(
        few, result.frame.select(counts).rows(), published.frame.select(counts).rows(), strict=True
    ):
        if is_few:
            assert all(cell == "c" for cell, n in zip(row, original, strict=True) if n > 0)


def test_null_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="null"):
        suppress(pl.DataFrame({"n": [1, None]}), ["n"])
