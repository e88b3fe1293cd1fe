"""The episodes as a partitioned Parquet dataset: the same answers as in memory, by the same plans.

Also checks, at small size, that the table-level generator behind the
national-scale benchmark makes exactly the tables ``to_arrow`` makes (Arrow
schema version 2) and rows that read back as valid case files.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest

from missingcare.research import CaseTables, from_arrow, to_arrow
from missingcare.research import patterns as p
from missingcare.research.datasets import PARTITIONS, EpisodeDataset, write_dataset
from missingcare.research.extracts import make_extract
from missingcare.research.tables import ARROW_SCHEMA_VERSION, TABLES
from missingcare.testing.synth import iter_case_files
from tests._helpers import load_script

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def _bench(name: str) -> ModuleType:
    return load_script(BENCH / f"{name}.py", f"missingcare_{name}")


@pytest.fixture(scope="module")
def tables() -> CaseTables:
    return to_arrow(iter_case_files(400, seed=7))


def _same(a: Any, b: Any) -> None:
    assert a.frame.equals(b.frame)
    assert a.population == b.population


def test_the_dataset_answers_what_the_tables_answer(tables: CaseTables, tmp_path: Path) -> None:
    half = tables.episodes.num_rows // 2
    data = write_dataset(tables, tmp_path)
    for analysis in (p.hour_by_weekday, p.durations, p.repeat_episodes):
        _same(analysis(data), analysis(tables))
    a, b = p.durations(data), p.durations(tables)
    assert (a.closed_episodes, a.open_episodes) == (b.closed_episodes, b.open_episodes)
    assert (a.median_elapsed_hours, a.median_calendar_days) == (
        b.median_elapsed_hours,
        b.median_calendar_days,
    )
    windows = (7, 28, 7)  # a window asked twice has its rows twice, as in memory
    r, s = p.repeat_episodes(data, windows), p.repeat_episodes(tables, windows)
    _same(r, s)
    assert r.repeat_episodes == s.repeat_episodes
    assert p.hour_by_weekday(data).episodes == tables.episodes.num_rows > half
    for source in (data, tables):  # no window: an empty table that counts nobody
        none = p.repeat_episodes(source, ())
        assert (none.frame.height, none.repeat_episodes, none.population) == (0, {}, 0)


def test_partitions_are_by_local_year_and_placing_authority(
    tables: CaseTables, tmp_path: Path
) -> None:
    data = write_dataset(tables, tmp_path)
    frame = data.scan().collect()
    assert frame.height == tables.episodes.num_rows
    assert {f.parent.parent.name.split("=")[0] for f in data.files} == {PARTITIONS[0]}
    assert {f.parent.name.split("=")[0] for f in data.files} == {PARTITIONS[1]}
    assert frame.select((pl.col("year") == pl.col("start_local_date").dt.year()).all()).item()
    expected = pl.col("placing_authority").fill_null("unknown")
    assert frame.select((pl.col("area") == expected).all()).item()
    manifest = json.loads((tmp_path / "missingcare-dataset.json").read_text())
    assert manifest["arrow_schema_version"] == ARROW_SCHEMA_VERSION


def test_batches_add_to_one_dataset_and_a_batch_written_again_replaces_its_files(
    tables: CaseTables, tmp_path: Path
) -> None:
    cases = list(iter_case_files(400, seed=7))
    first, second = to_arrow(cases[:200]), to_arrow(cases[200:])
    write_dataset(first, tmp_path, batch="a")
    write_dataset(second, tmp_path, batch="b")
    data = write_dataset(second, tmp_path, batch="b")  # again: same files, not twice the rows
    _same(p.hour_by_weekday(data), p.hour_by_weekday(tables))


def test_a_part_of_the_dataset_reads_only_its_files(tables: CaseTables, tmp_path: Path) -> None:
    data = write_dataset(tables, tmp_path)
    years = sorted({f.parent.parent for f in data.files})
    parts = [data.part(tuple(f for f in data.files if f.parent.parent == y)) for y in years]
    assert sum(p.hour_by_weekday(part).episodes for part in parts) == tables.episodes.num_rows


def test_a_shifted_extract_written_as_a_dataset_keeps_the_sources_answers(
    tables: CaseTables, tmp_path: Path
) -> None:
    extract = make_extract(tables, b"k" * 32)
    extract.write(tmp_path / "extract")
    received = CaseTables.from_mapping(
        {n: pq.read_table(tmp_path / "extract" / f"{n}.parquet") for n in TABLES},
        fill_missing=True,
    )
    assert received.shifted
    data = write_dataset(received, tmp_path / "dataset")
    for analysis in (p.hour_by_weekday, p.durations, p.repeat_episodes):
        _same(analysis(data), analysis(tables))


def test_a_directory_that_is_not_a_dataset_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="not a missingcare episode dataset"):
        EpisodeDataset(tmp_path)
    (tmp_path / "missingcare-dataset.json").write_text('{"kind": "other"}')
    with pytest.raises(ValueError, match="expected kind"):
        EpisodeDataset(tmp_path)


def test_the_table_level_generator_makes_the_real_extracts_schema_and_valid_case_files() -> None:
    synth = _bench("_tables_synth")
    made = synth.case_tables(600, seed=1)
    real = to_arrow(iter_case_files(20, seed=1))
    assert list(made.as_dict()) == list(real.as_dict())
    for name, table in real.as_dict().items():
        assert made.table(name).schema.equals(table.schema, check_metadata=True), name
    cases = from_arrow(made)  # validates: ids, references, zones, no overlapping episodes
    assert sum(len(c.episodes) for c in cases) == made.episodes.num_rows > 500
    assert any(c.episodes[-1].ended_at is None for c in cases)
    assert len({c.placements[0].placing_authority for c in cases}) > 10


def test_the_national_scale_benchmark_runs_small(tmp_path: Path) -> None:
    bench = _bench("national_scale")
    result = bench.measure(3_000, 2, tmp_path / "data")
    assert result["episodes"] > 2_500
    assert result["analyses"]["hour_by_weekday"]["figure"] == result["episodes"]
    assert 0 < result["peak_rss_gib"] < 64
    assert "per million episodes" in bench.report(result)
