"""The research analyses' fixed-cost paths give exactly what the plans they replaced gave.

Issue 20 (target 4) made the analyses cheaper on a few hundred episodes: the
zones and (zone, UTC year) pairs are read with pyarrow's compute functions,
local times are found by one numpy search over Arrow arrays, and the duration
bands of both measures are counted by one grouping. Each new path is checked
here against the polars plan it replaced (kept below as the reference) on
generated data: every year the model accepts (1900 to 2200), instants a
microsecond either side of each UTC new year, zones with and without summer
time and on both sides of UTC (so the UTC and local years differ), and rows
with no zone or no instant.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")

from missingcare.research import patterns as p  # noqa: E402
from missingcare.research.tables import to_arrow  # noqa: E402

#: Zones with and without summer time, either side of UTC, whole and part hours.
_ZONES = (
    "UTC",
    "Europe/London",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Asia/Kathmandu",
)

#: The years the model accepts.
_YEARS = range(1900, 2201)


# --- the replaced paths, as they were ---------------------------------------------------


def _old_zone_years(frame: Any, columns: Sequence[str]) -> tuple[list[str], list[int]]:
    """The zones and (zone, UTC year) keys, by the polars query the pyarrow calls replaced."""
    rank = pl.col("zone").rank("dense").cast(pl.Int64) - 1
    probe = frame.lazy().select(
        pl.col("zone").drop_nulls().unique().sort().implode().alias("zones"),
        pl.concat([rank * p._YEARS + pl.col(c).dt.year() + p._YEAR0 for c in columns])
        .drop_nulls()
        .unique()
        .sort()
        .implode()
        .alias("pairs"),
    )
    zones, pairs = probe.collect(engine="in-memory").row(0)
    return list(zones), list(pairs)


def _old_local_columns(frame: Any, columns: Mapping[str, str]) -> list[Any]:
    """The local-time expressions the Arrow and numpy path replaced."""
    nulls = [pl.lit(None, dtype=pl.Datetime("us")).alias(out) for out in columns.values()]
    zones, pairs = _old_zone_years(frame, list(columns))
    if not zones or not pairs:
        return nulls
    zone_i = pl.col("zone").cast(pl.Enum(zones)).to_physical().cast(pl.Int64)
    years = [q % p._YEARS - p._YEAR0 for q in pairs]
    lo = p._days_from_epoch(min(years)) * 86_400
    hi = p._days_from_epoch(max(years) + 1) * 86_400
    span = hi - lo + 1
    keys: list[int] = []
    offsets: list[int] = []
    for pair in pairs:
        zone, year = zones[pair // p._YEARS], pair % p._YEARS - p._YEAR0
        base = (pair // p._YEARS) * span - lo
        for start, offset in p._zone_year(zone, year):
            keys.append(base + start)
            offsets.append(offset)
    key_s = pl.Series(keys, dtype=pl.Int64)
    offset_s = pl.Series(offsets, dtype=pl.Int64)
    out = []
    for column, name in columns.items():
        key = zone_i * span + pl.col(column).dt.epoch("s") - lo
        found = pl.lit(key_s).search_sorted(key, side="right").cast(pl.Int64) - 1
        shift = pl.when(key.is_not_null()).then(pl.lit(offset_s).gather(found))
        out.append(
            (pl.col(column).dt.replace_time_zone(None) + pl.duration(seconds=shift)).alias(name)
        )
    return out


def _old_local_episode_columns(eps: Any) -> Any:
    local = _old_local_columns(eps, {"last_seen_at": "_start_local", "ended_at": "_end_local"})
    start = pl.col("_start_local")
    return (
        eps.lazy()
        .with_columns(local)
        .with_columns(
            ((pl.col("ended_at") - pl.col("last_seen_at")).dt.total_microseconds() / 3.6e9).alias(
                "elapsed_hours"
            ),
            (pl.col("_end_local").dt.date() - start.dt.date())
            .dt.total_days()
            .alias("calendar_days"),
            start.dt.hour().cast(pl.Int8).alias("start_local_hour"),
            start.dt.weekday().cast(pl.Int8).alias("start_local_weekday"),
            start.dt.date().alias("start_local_date"),
        )
        .drop("_start_local", "_end_local")
        .collect(engine="in-memory")
    )


def _old_count_bands(frame: Any, column: str, edges: Sequence[float]) -> Any:
    bands = pl.DataFrame(
        {"band": list(range(len(edges))), "lower": list(edges), "upper": [*edges[1:], None]},
        schema={"band": pl.Int64, "lower": pl.Float64, "upper": pl.Float64},
    )
    value = pl.col(column).cast(pl.Float64)
    band = pl.lit(bands.get_column("lower")).search_sorted(value, side="right").cast(pl.Int64) - 1
    counts = (
        frame.filter(value >= 0)
        .group_by(band.alias("band"))
        .agg(pl.len().alias("episodes"), pl.col("child_id").n_unique().alias("children"))
    )
    return (
        bands.lazy()
        .join(counts, on="band", how="left")
        .select("lower", "upper", pl.col("episodes", "children").fill_null(0).cast(pl.Int64))
        .sort("lower")
    )


def _old_durations_table(eps: Any, hour_bands: Sequence[float], day_bands: Sequence[float]) -> Any:
    closed = eps.lazy().filter(pl.col("ended_at").is_not_null())
    return pl.concat(
        [
            _old_count_bands(closed, "elapsed_hours", hour_bands).select(
                pl.lit("elapsed_hours").alias("measure"), pl.all()
            ),
            _old_count_bands(closed, "calendar_days", day_bands).select(
                pl.lit("calendar_days").alias("measure"), pl.all()
            ),
        ]
    ).collect(engine="in-memory")


# --- generated data -----------------------------------------------------------------------


def _instants(rng: random.Random, years: Sequence[int]) -> list[datetime]:
    """For each year: its first microsecond in UTC, the last one before it, noon on a
    random day, and a random instant (with microseconds) of the year."""
    out = []
    for year in years:
        first = datetime(year, 1, 1, tzinfo=UTC)
        out += [
            first,
            first - timedelta(microseconds=1),
            first + timedelta(days=rng.randrange(365), hours=12),
            first + timedelta(microseconds=rng.randrange(365 * 86_400 * 10**6)),
        ]
    return [at for at in out if 1900 <= at.year <= 2200]


def _episodes_frame(years: Sequence[int], zones: Sequence[str], seed: int) -> Any:
    """Rows of zone, last seen and ended, with some zones and instants missing, shuffled."""
    rng = random.Random(seed)
    rows: list[tuple[str | None, str | None, datetime | None, datetime | None]] = []
    for zone in zones:
        for at in _instants(rng, years):
            end = at + timedelta(seconds=rng.choice((1, 3_600, 86_399, 86_401, 40 * 86_400)))
            if end.year > 2200:
                end = at
            rows.append((f"C{rng.randrange(40)}", zone, at, None if rng.random() < 0.1 else end))
    rows += [
        ("C-none", None, datetime(2026, 3, 29, 0, 30, tzinfo=UTC), None),
        ("C-none", "Europe/London", None, None),
        ("C-none", None, None, None),
        (None, "Europe/London", datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC), None),
    ]
    rng.shuffle(rows)
    return pl.DataFrame(
        rows,
        schema={
            "child_id": pl.String,
            "zone": pl.String,
            "last_seen_at": pl.Datetime("us", "UTC"),
            "ended_at": pl.Datetime("us", "UTC"),
        },
        orient="row",
    )


def _arrow_zone_years(frame: Any, columns: Sequence[str]) -> tuple[list[str], list[int]]:
    table = frame.to_arrow()
    zone = pa.concat_arrays([table.column("zone").combine_chunks()] * len(columns))
    instants = pa.concat_arrays(
        [table.column(c).cast(pa.timestamp("us")).combine_chunks() for c in columns]
    )
    zones, _, pairs = p._zone_years(zone, instants)
    return zones, pairs


# --- the checks ---------------------------------------------------------------------------


def test_zone_years_read_with_pyarrow_equal_the_polars_query_on_every_accepted_year() -> None:
    frame = _episodes_frame(_YEARS, _ZONES, seed=20)
    for columns in (["last_seen_at"], ["ended_at"], ["last_seen_at", "ended_at"]):
        got = _arrow_zone_years(frame, columns)
        assert got == _old_zone_years(frame, columns), columns
    zones, pairs = _arrow_zone_years(frame, ["last_seen_at", "ended_at"])
    assert zones == sorted(_ZONES)
    # every accepted year of every zone is there, and nothing else
    years = {(zones[q // p._YEARS], q % p._YEARS - p._YEAR0) for q in pairs}
    assert {y for _, y in years} == set(_YEARS)
    assert {z for z, _ in years} == set(_ZONES)


def test_zone_years_of_nothing() -> None:
    empty = _episodes_frame([], _ZONES, seed=1).filter(pl.col("zone").is_null())
    assert _arrow_zone_years(empty, ["last_seen_at"]) == _old_zone_years(empty, ["last_seen_at"])
    assert _arrow_zone_years(empty.head(0), ["last_seen_at"]) == ([], [])


@pytest.mark.parametrize("seed", [0, 1])
def test_local_episode_columns_equal_the_polars_plan(seed: int) -> None:
    """Every accepted year in three zones (with, without and against UTC's summer), and a
    sample of years in the rest: the same columns, types and values, row for row."""
    rng = random.Random(seed)
    years = sorted({1900, 1969, 1970, 2200, *rng.sample(list(_YEARS), 25)})
    frames = [
        _episodes_frame(_YEARS, ("Europe/London", "Asia/Kolkata", "Pacific/Kiritimati"), seed),
        _episodes_frame(years, _ZONES, seed + 10),
    ]
    for frame in frames:
        got = p._local_episode_columns(frame)
        expected = _old_local_episode_columns(frame)
        assert got.schema == expected.schema
        assert got.equals(expected)


def test_localise_equals_the_polars_plan() -> None:
    frame = _episodes_frame(range(1960, 2041), _ZONES, seed=5).select(
        "zone", pl.col("last_seen_at").alias("at")
    )
    got = p._localise(frame, "at", "x")
    expected = frame.with_columns(_old_local_columns(frame, {"at": "x_local"}))
    assert got.equals(expected)
    nothing = frame.with_columns(pl.lit(None, dtype=pl.String).alias("zone"))
    assert p._localise(nothing, "at", "x").equals(
        nothing.with_columns(_old_local_columns(nothing, {"at": "x_local"}))
    )


def test_a_local_year_differs_from_the_utc_year_either_side_of_utc() -> None:
    """The pairs are UTC years; the local time may be in the year before or after it."""
    frame = pl.DataFrame(
        {
            "zone": ["Pacific/Kiritimati", "Pacific/Pago_Pago"],
            "at": [datetime(2025, 12, 31, 12, tzinfo=UTC), datetime(2026, 1, 1, 5, tzinfo=UTC)],
        },
        schema={"zone": pl.String, "at": pl.Datetime("us", "UTC")},
    )
    got = p._localise(frame, "at", "x").get_column("x_local").to_list()
    assert got == [datetime(2026, 1, 1, 2), datetime(2025, 12, 31, 18)]


@pytest.mark.parametrize(
    ("hour_bands", "day_bands"),
    [(p.HOUR_BANDS, p.DAY_BANDS), ((0, 0.5, 100), (0,)), ((0,), (0, 1, 2, 3, 4, 5, 6, 7, 8))],
)
def test_durations_counted_in_one_grouping_equal_two_band_joins(
    hour_bands: Sequence[float], day_bands: Sequence[float], clock_changes_cohort: Any
) -> None:
    # generated instants (every zone above, 2010 to 2030), and the cohort's episodes
    frame = p._local_episode_columns(_episodes_frame(range(2010, 2031), _ZONES, seed=7))
    closed = frame.lazy().filter(pl.col("ended_at").is_not_null())
    plan = p._count_measures(closed, {"elapsed_hours": hour_bands, "calendar_days": day_bands})
    assert plan.collect().equals(_old_durations_table(frame, hour_bands, day_bands))
    tables = to_arrow(clock_changes_cohort[:500])
    got = p.durations(tables, hour_bands=hour_bands, day_bands=day_bands).frame
    expected = _old_durations_table(p._local_episodes(tables), hour_bands, day_bands)
    assert got.schema == expected.schema
    assert got.equals(expected)


def test_conversation_bands_counted_as_before(clock_changes_cohort: Any) -> None:
    tables = to_arrow(clock_changes_cohort[:300])
    rows = p._returns(tables, p.ENGLAND_DEADLINE).filter(pl.col("returned_at").is_not_null())
    held = rows.filter(pl.col("held"))
    got = p.time_to_conversation(tables).frame
    expected = _old_count_bands(
        held.lazy(), "hours_to_conversation", p.CONVERSATION_BANDS
    ).collect()
    assert got.equals(expected)


def test_the_hour_by_weekday_grid_stays_in_weekday_and_hour_order(
    clock_changes_cohort: Any,
) -> None:
    frame = p.hour_by_weekday(to_arrow(clock_changes_cohort[:300])).frame
    assert frame.select("weekday", "hour").rows() == [
        (d, h) for d in range(1, 8) for h in range(24)
    ]


def test_plans_collected_without_optimisation_give_what_the_default_passes_give(
    clock_changes_cohort: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small in-memory tables are collected with no optimisation passes; larger ones with
    polars' defaults: the three analyses are the same either way."""

    def results() -> list[Any]:
        tables = to_arrow(clock_changes_cohort[:400])  # a fresh frame for each setting
        hw = p.hour_by_weekday(tables)
        du = p.durations(tables)
        rp = p.repeat_episodes(tables, (1, 28, 90, 28))
        return [
            hw.frame,
            (hw.episodes, hw.children),
            du.frame,
            (du.closed_episodes, du.open_episodes, du.median_elapsed_hours),
            du.median_calendar_days,
            rp.frame,
            (dict(rp.repeat_episodes), rp.population),
        ]

    monkeypatch.setattr(p, "_OPTIMISE_FROM", 10**9)
    bare = results()
    monkeypatch.setattr(p, "_OPTIMISE_FROM", 0)
    optimised = results()
    for a, b in zip(bare, optimised, strict=True):
        assert a.equals(b) if isinstance(a, pl.DataFrame) else a == b
