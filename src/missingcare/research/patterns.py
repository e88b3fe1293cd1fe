"""Patterns and rates over many children's episodes, computed on the columnar form.

Every analysis takes a :class:`~missingcare.research.tables.CaseTables` (built
by :func:`~missingcare.research.tables.to_arrow` from case files, or straight
from Arrow/Parquet data that follows its schema) and returns a typed, frozen
result. Each result holds its table as a polars ``frame`` with
``to_polars()`` and ``to_arrow()``, plus a few headline figures. The
analyses are descriptive and always carry their counts (episodes *and*
distinct children, since one child can account for many episodes).

They are vectorised polars expressions with no per-row Python, so the same
code serves one home's few dozen records and a national multi-year extract.
The one place Python loops is the zone table: for each zone and UTC year in
the data, the UTC offsets in force are read from the pinned zone database
through :mod:`missingcare.time` (a probe a day, then bisection to the second
at each change; cached, as it depends on nothing else), and each instant
finds the offset in force by binary search. Local hours, weekdays and dates
therefore agree with :func:`missingcare.time.local_date` to the second,
across clock changes, for any zone. The episodes of a
:class:`~missingcare.research.tables.CaseTables`, localised, are built once
and shared by every analysis run on the same tables.

On the tables of a safe extract every analysis gives the answer it gives
on the source: the columns computed from local time are read from the
extract (which computed them before shifting its dates), and what shifted
dates cannot answer (months, fixed periods) is refused with
:class:`ShiftedExtractError`.

Conventions where the issue leaves a choice:

* *Elapsed* durations are true elapsed time in UTC (a 00:30 to 06:30 episode
  on the October clock-change night lasts 7 hours). *Calendar days* are the
  number of local dates crossed in the placement's zone, as
  :attr:`~missingcare.episodes.MissingEpisode.length_in_days` counts them.
* Open episodes have no duration: they are counted (``open_episodes``) and
  left out of distributions, never treated as short.
* An episode with no recorded return time cannot be timed against the
  return-conversation deadline: it is counted as ``return_time_unknown``
  and left out of the rates (missing data is never compliance).
* Rolling windows count episodes by the local start date: the ``w``-day
  window ending on an episode's date covers that date and the ``w - 1``
  dates before it.
"""

from __future__ import annotations

import bisect
import functools
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, ClassVar, Literal

import attrs
import numpy as np
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from missingcare.research.tables import _EPOCH, CaseTables
from missingcare.time import local_datetime
from missingcare.vocab import Vocabulary
from missingcare.vocabularies import CORE

if TYPE_CHECKING:
    from missingcare.research.datasets import EpisodeDataset

__all__ = [
    "CONVERSATION_BANDS",
    "DAY_BANDS",
    "ENGLAND_DEADLINE",
    "HOUR_BANDS",
    "ConversationRates",
    "CountTable",
    "DurationDistribution",
    "EpisodeRates",
    "HourWeekday",
    "Prevalence",
    "RepeatEpisodes",
    "ShiftedExtractError",
    "TimeToConversation",
    "TrustedAdultComparison",
    "Whereabouts",
    "conversation_rates",
    "durations",
    "episode_rates",
    "hour_by_weekday",
    "prevalence",
    "repeat_episodes",
    "time_to_conversation",
    "trusted_adult_comparison",
    "whereabouts",
]

#: The return-conversation deadline in England: 72 hours after return (domain.md [DFE14]).
ENGLAND_DEADLINE = timedelta(hours=72)

_EPOCH_ORDINAL_DAYS = _EPOCH.toordinal() - 1
#: Seconds in 400 Gregorian years, after which the calendar (weekdays included) repeats.
_CYCLE = 146_097 * 86_400
#: The Unix seconds of 0002-01-01 and 9999-01-01 (UTC), the range read from the zone database.
_FIRST = int((datetime(2, 1, 1, tzinfo=UTC) - _EPOCH).total_seconds())
_LAST = int((datetime(9999, 1, 1, tzinfo=UTC) - _EPOCH).total_seconds())
#: Zone-year keys: zone index × _YEARS + year + _YEAR0 (polars years lie within ±2^18).
_YEARS = 1 << 20
_YEAR0 = 1 << 19


@attrs.frozen(eq=False)
class CountTable:
    """The base of every analysis result: a table of counts and the names of its columns.

    ``frame`` is the table (polars); :attr:`LABELS` name the columns that
    label a row and :attr:`COUNTS` those that count episodes or children, so
    :func:`missingcare.research.extracts.publish` knows what to suppress.
    """

    frame: pl.DataFrame
    #: The distinct children counted anywhere in the table: a table behind few children
    #: is published only fully suppressed.
    population: int = attrs.field(kw_only=True)

    #: The columns that label a row.
    LABELS: ClassVar[tuple[str, ...]] = ()
    #: The columns that hold counts (of episodes or children), for disclosure control.
    COUNTS: ClassVar[tuple[str, ...]] = ()
    #: The labels that are themselves counts (``most_in_window``): published as counts are.
    COUNT_LABELS: ClassVar[tuple[str, ...]] = ()
    #: The labels whose values stack tables one above the other (``measure``): each
    #: value's rows are a table of their own for secondary suppression.
    GROUPS: ClassVar[tuple[str, ...]] = ()

    def to_polars(self) -> pl.DataFrame:
        """The table as a polars DataFrame (a copy the caller may change)."""
        return self.frame.clone()

    def to_arrow(self) -> pa.Table:
        """The table as a pyarrow Table."""
        return self.frame.to_arrow()


# --- shared frames ----------------------------------------------------------------


def _offset_at(second: int, zone: str) -> int:
    """The UTC offset (seconds) of ``zone`` at the Unix time ``second``, from the pinned database.

    Outside the years 2 to 9998, where a local reading could leave the
    datetime range, the instant is first moved by whole 400-year Gregorian
    cycles into those years: no zone changed its clocks before 1800, and after
    its last listed change a zone's rule repeats with the calendar.
    """
    if second < _FIRST:
        second += -((second - _FIRST) // _CYCLE) * _CYCLE
    elif second >= _LAST:
        second -= ((second - _LAST) // _CYCLE + 1) * _CYCLE
    offset = local_datetime(_EPOCH + timedelta(seconds=second), zone).utcoffset()
    assert offset is not None
    return int(offset.total_seconds())


@functools.lru_cache(maxsize=4096)
def _zone_year(zone: str, year: int) -> tuple[tuple[int, int], ...]:
    """``(from, offset)`` Unix seconds for ``zone`` over the UTC year ``year``.

    The first pair is the offset at the year's first second; then one pair per
    change: a probe at every UTC midnight, and bisection to the second inside
    any day whose midnights differ. Pure (it reads only the pinned zone
    database), so it is cached.
    """
    day = _days_from_epoch(year)
    end = _days_from_epoch(year + 1)
    prev = _offset_at(day * 86_400, zone)
    out = [(day * 86_400, prev)]
    while day < end:
        t = day * 86_400
        off = _offset_at(t + 86_400, zone)
        if off != prev:
            before = prev
            k = bisect.bisect_left(
                range(86_401), True, key=lambda s: _offset_at(t + s, zone) != before
            )
            out.append((t + k, _offset_at(t + k, zone)))
            prev = off
        day += 1
    return tuple(out)


def _days_from_epoch(year: int) -> int:
    """Days from 1970-01-01 to 1 January of ``year`` (proleptic Gregorian; any year)."""
    y = year - 1
    return 365 * y + y // 4 - y // 100 + y // 400 - _EPOCH_ORDINAL_DAYS


def _zone_years(zone: pa.Array, instants: pa.Array) -> tuple[list[str], pa.Array, list[int]]:
    """The zones in ``zone`` (sorted), each row's index among them, and every (zone, UTC
    year) of a row with both, as zone index × 2^20 + year + 2^19 (sorted).

    ``instants`` are UTC instants as zone-less timestamps (the UTC wall clock), one
    per row of ``zone``. Read with pyarrow's compute functions: a few calls, where
    a polars query for the same costs ten times as much on a few hundred rows.
    """
    zones = sorted(pc.unique(zone).drop_null().to_pylist())
    index = pc.index_in(zone, value_set=pa.array(zones, pa.string())).cast(pa.int64())
    codes = pc.add(pc.multiply(index, _YEARS), pc.add(pc.year(instants), _YEAR0))
    return zones, index, sorted(pc.unique(codes).drop_null().to_pylist())


def _series(values: pa.Array | pa.ChunkedArray) -> pl.Series:
    series = pl.from_arrow(values)
    assert isinstance(series, pl.Series)
    return series


def _local_instants(table: pa.Table, columns: Sequence[str]) -> list[pa.Array]:
    """The naive wall-clock time, in the row's ``zone``, of each instant column of ``table``.

    The offsets come from :func:`_zone_year` for every (zone, UTC year) in the
    data (:func:`_zone_years`), and each instant finds the offset in force with
    one binary search (numpy's) over keys ``zone index × span + seconds``, so
    nothing loops per row and the rows keep their order. Every column is read
    in one pass, through a handful of vectorised calls on Arrow arrays: no
    query plan to build and optimise. Casting to zone-less timestamps keeps the
    UTC values, so no zone database is read but the pinned one.
    """
    rows = table.num_rows
    zone = pa.concat_arrays([table.column("zone").combine_chunks()] * len(columns))
    instants = pa.concat_arrays(
        [table.column(c).cast(pa.timestamp("us")).combine_chunks() for c in columns]
    )
    zones, index, pairs = _zone_years(zone, instants)
    if not pairs:
        return [pa.nulls(rows, pa.timestamp("us")) for _ in columns]
    years = [p % _YEARS - _YEAR0 for p in pairs]
    lo = _days_from_epoch(min(years)) * 86_400
    hi = _days_from_epoch(max(years) + 1) * 86_400
    span = hi - lo + 1
    keys: list[int] = []
    shifts: list[int] = []
    for pair in pairs:
        zone_name, year = zones[pair // _YEARS], pair % _YEARS - _YEAR0
        base = (pair // _YEARS) * span - lo
        for start, offset in _zone_year(zone_name, year):
            keys.append(base + start)
            shifts.append(offset * 1_000_000)
    micros = instants.cast(pa.int64())
    # whole seconds from ``lo``: every instant with a zone is at or after it, so the
    # integer division (which truncates) floors
    seconds = pc.divide(pc.subtract(micros, lo * 1_000_000), 1_000_000)
    key = pc.add(pc.multiply(index, span), seconds)
    filled = pc.fill_null(key, 0).to_numpy(zero_copy_only=False)
    found = np.searchsorted(np.array(keys, dtype=np.int64), filled, side="right") - 1
    # a row with no zone or no instant has no key, and finds no offset
    missing = pc.is_null(key).to_numpy(zero_copy_only=False)
    shift = pa.array(np.array(shifts, dtype=np.int64)[found], mask=missing)
    local = pc.add(micros, shift).cast(pa.timestamp("us"))
    return [local.slice(i * rows, rows) for i in range(len(columns))]


def _localise(frame: pl.DataFrame, column: str, prefix: str) -> pl.DataFrame:
    """Add ``{prefix}_local`` (naive wall-clock datetime in the row's ``zone``) for ``column``."""
    (local,) = _local_instants(frame.select("zone", column).to_arrow(), [column])
    return frame.with_columns(_series(local).alias(f"{prefix}_local"))


def _frame(tables: CaseTables, name: str) -> pl.DataFrame:
    return tables.to_polars(name)


def _columns(tables: CaseTables, name: str, *columns: str) -> pl.DataFrame:
    """Only ``columns`` of the table ``name``, as polars (the others are never converted)."""
    return _table_frame(tables.table(name).select(list(columns)))


def _table_frame(table: pa.Table) -> pl.DataFrame:
    # polars' rechunk step costs even when every column is one chunk already: it is
    # asked for (as it always was before) only when some column has several
    frame = pl.from_arrow(table, rechunk=any(c.num_chunks > 1 for c in table.columns))
    assert isinstance(frame, pl.DataFrame)
    return frame


#: The episodes frames of each live CaseTables (immutable), by id: ``"local"``, the
#: localised episodes, and ``"placed"``, those with their placement; dropped with the tables.
_EPISODES: dict[int, dict[str, pl.DataFrame]] = {}


def _cached(
    tables: CaseTables, kind: str, build: Callable[[CaseTables], pl.DataFrame]
) -> pl.DataFrame:
    key = id(tables)
    frames = _EPISODES.get(key)
    if frames is None:
        frames = _EPISODES[key] = {}
        weakref.finalize(tables, _EPISODES.pop, key, None)
    found = frames.get(kind)
    if found is None:
        found = frames[kind] = build(tables)
    return found


def _local_episodes(tables: CaseTables) -> pl.DataFrame:
    """The episodes with their local start and end columns (no placement columns).

    Built once per :class:`CaseTables` (whose tables cannot change) and shared
    by every analysis run on it that reads nothing of the placement.
    """
    return _cached(tables, "local", _build_local_episodes)


def _episodes(tables: CaseTables) -> pl.DataFrame:
    """Episodes with their placement's home and authorities, and local start and end.

    Built once per :class:`CaseTables`, from :func:`_local_episodes`, and
    shared by every analysis run on it.
    """
    return _cached(tables, "placed", _build_episodes)


#: Below this many episodes in memory, plans are collected without polars' optimisation
#: passes: on a few thousand rows the passes cost more than the work they save (at 201
#: episodes, 1.8 against 1.2 ms for the three plans of ``hour_by_weekday``, ``durations``
#: and ``repeat_episodes``; at 2,000, 3.2 against 2.5 ms). Larger frames, and datasets
#: read from Parquet (where pushdown into the scan matters), keep the default passes.
_OPTIMISE_FROM = 10_000


def _episode_plan(
    source: CaseTables | EpisodeDataset,
) -> tuple[pl.LazyFrame, Callable[[list[pl.LazyFrame]], list[pl.DataFrame]]]:
    """The localised episodes as a lazy frame, and how to collect plans over them.

    For :class:`CaseTables`, the shared in-memory frame (:func:`_local_episodes`),
    collected by the in-memory engine; for an
    :class:`~missingcare.research.datasets.EpisodeDataset`, a scan of its Parquet
    files, collected by polars' streaming engine so memory stays bounded.
    """
    if isinstance(source, CaseTables):
        frame = _local_episodes(source)
        small = frame.height < _OPTIMISE_FROM
        return frame.lazy(), _collect_small if small else _collect_in_memory
    return source.scan(), _collect_streaming


def _collect_small(plans: list[pl.LazyFrame]) -> list[pl.DataFrame]:
    return pl.collect_all(plans, engine="in-memory", optimizations=_no_passes())


def _collect_in_memory(plans: list[pl.LazyFrame]) -> list[pl.DataFrame]:
    return pl.collect_all(plans, engine="in-memory")


def _collect_streaming(plans: list[pl.LazyFrame]) -> list[pl.DataFrame]:
    return pl.collect_all(plans, engine="streaming")


@functools.cache
def _no_passes() -> pl.QueryOptFlags:
    return pl.QueryOptFlags.none()


def _local_episode_columns(eps: pl.DataFrame) -> pl.DataFrame:
    """``eps`` with what needs the true instants and the zone: elapsed hours, calendar days,
    and the local hour, ISO weekday and date the child was last seen.

    These are the columns a safe extract computes before shifting its dates
    (:data:`~missingcare.research.tables.EXTRACT_COLUMNS`), so the analyses
    read them from an extract and compute them, here, from source tables.
    """
    table = eps.select("zone", "last_seen_at", "ended_at").to_arrow()
    return eps.hstack([_series(a).alias(n) for n, a in _local_episode_arrays(table).items()])


def _local_episode_arrays(table: pa.Table) -> dict[str, pa.Array]:
    """:func:`_local_episode_columns` as Arrow arrays, from ``zone``, ``last_seen_at`` and
    ``ended_at``: each a vectorised pyarrow call on timestamps with no zone (the wall
    clock), so no zone database is read but the pinned one behind :func:`_zone_year`."""
    start, end = _local_instants(table, ["last_seen_at", "ended_at"])
    seen = table.column("last_seen_at").cast(pa.int64())
    ended = table.column("ended_at").cast(pa.int64())
    start_date = start.cast(pa.date32())
    days = pc.subtract(
        end.cast(pa.date32()).cast(pa.int32()).cast(pa.int64()),
        start_date.cast(pa.int32()).cast(pa.int64()),
    )
    return {
        # as polars divides by a number: multiplying by its reciprocal (the same floats)
        "elapsed_hours": pc.multiply(pc.subtract(ended, seen).cast(pa.float64()), 1 / 3.6e9),
        "calendar_days": days,
        "start_local_hour": pc.hour(start).cast(pa.int8()),
        "start_local_weekday": pc.day_of_week(start, count_from_zero=False, week_start=1).cast(
            pa.int8()
        ),
        "start_local_date": start_date,
    }


#: What :func:`_local_episode_columns` adds (all of them extract columns).
_LOCAL_EPISODE_COLUMNS = (
    "elapsed_hours",
    "calendar_days",
    "start_local_hour",
    "start_local_weekday",
    "start_local_date",
)


class ShiftedExtractError(ValueError):
    """An analysis that a date-shifted extract cannot answer, or a column it left out.

    Each child's dates move by a different offset in a shifted extract, so
    calendar months and fixed periods of the true calendar cannot be read
    from it: compute those at source and publish them with
    :func:`~missingcare.research.extracts.make_extract` (``publish_results``).
    """


def _refuse_if_shifted(tables: CaseTables, what: str) -> None:
    if tables.shifted:
        raise ShiftedExtractError(
            f"{what} cannot be computed on a date-shifted extract: each child's dates "
            "moved by a different offset; compute it at source and publish it"
        )


def _require(tables: CaseTables, name: str, column: str, what: str) -> None:
    if column in tables.dropped(name):
        raise ShiftedExtractError(
            f"{what} needs {name}.{column}, which this extract left out (free text)"
        )


def _build_local_episodes(tables: CaseTables) -> pl.DataFrame:
    base = ("child_id", "episode_id", "placement_id", "zone", "last_seen_at", "ended_at")
    if tables.is_extract:
        present = tables.episodes.column_names
        missing = [c for c in _LOCAL_EPISODE_COLUMNS if c not in present]
        if missing:
            raise ShiftedExtractError(
                "these tables are an extract but lack its columns computed before the "
                f"shift ({', '.join(missing)}): read the extract's files as written"
            )
        return _columns(tables, "episodes", *base, "returned_at", *_LOCAL_EPISODE_COLUMNS)
    table = tables.episodes.select([*base, "returned_at"])
    for name, values in _local_episode_arrays(table).items():
        table = table.append_column(name, values)
    return _table_frame(table)


def _build_episodes(tables: CaseTables) -> pl.DataFrame:
    places = _columns(
        tables,
        "placements",
        "child_id",
        "placement_id",
        "home_id",
        "placing_authority",
        "host_authority",
    )
    return _local_episodes(tables).join(
        places, on=["child_id", "placement_id"], how="left", maintain_order="left"
    )


def _displays(vocabularies: Mapping[str, Vocabulary] | None, *names: str) -> pl.DataFrame:
    vocabs = dict(CORE)
    if vocabularies is not None:
        vocabs.update(vocabularies)
    rows = [(n, c.code, c.display) for n in names for c in vocabs[n]]
    return pl.DataFrame(
        rows,
        schema={"vocabulary": pl.String, "code": pl.String, "display": pl.String},
        orient="row",
    )


def _checked_edges(edges: Sequence[float]) -> tuple[float, ...]:
    if list(edges) != sorted(set(edges)) or not edges or edges[0] != 0:
        raise ValueError("band edges must start at 0 and increase")
    return tuple(float(e) for e in edges)


@functools.lru_cache(maxsize=64)
def _measure_bands(
    measures: tuple[tuple[str, tuple[float, ...]], ...],
) -> tuple[pl.DataFrame, tuple[tuple[pl.Expr, pl.Expr], ...]]:
    """For checked ``(column, edges)`` pairs, every band of every measure numbered as one
    ``_cell`` (``_cell, measure, lower, upper``), and per measure the filter that keeps its
    values in a band and the expression giving their cell. A constant per distinct
    measures and edges, so built once: nothing here depends on the data."""
    rows: list[tuple[int, str, float, float | None]] = []
    exprs = []
    for column, edges in measures:
        first = len(rows)
        rows += (
            (first + i, column, lower, upper)
            for i, (lower, upper) in enumerate(zip(edges, [*edges[1:], None], strict=True))
        )
        value = pl.col(column).cast(pl.Float64)
        band = pl.lit(pl.Series(edges, dtype=pl.Float64)).search_sorted(value, side="right")
        exprs.append((value >= 0, (band.cast(pl.Int64) + (first - 1)).alias("_cell")))
    frame = pl.DataFrame(
        rows,
        schema={"_cell": pl.Int64, "measure": pl.String, "lower": pl.Float64, "upper": pl.Float64},
        orient="row",
    )
    return frame, tuple(exprs)


@functools.cache
def _zero_filled() -> pl.Expr:
    """A table's ``episodes`` and ``children``, zero where nothing was counted."""
    return pl.col("episodes", "children").fill_null(0).cast(pl.Int64)


@functools.cache
def _episodes_and_children() -> tuple[pl.Expr, pl.Expr]:
    """Episodes and distinct children, counted."""
    return pl.len().alias("episodes"), pl.col("child_id").n_unique().alias("children")


def _count_measures(frame: pl.LazyFrame, measures: Mapping[str, Sequence[float]]) -> pl.LazyFrame:
    """Episodes and children in each band of each measure (``column: edges``), every band
    with zeros included: ``measure, lower`` (inclusive), ``upper`` (exclusive; null for the
    last band), ``episodes, children``, measure by measure in the order given.

    A value's band is found by one binary search over its measure's edges, and
    every measure's bands are counted by one grouping; values below the first
    edge (0) and nulls fall in no band.
    """
    bands, exprs = _measure_bands(tuple((c, _checked_edges(e)) for c, e in measures.items()))
    cells = [frame.filter(keep).select("child_id", cell) for keep, cell in exprs]
    counts = (
        (cells[0] if len(cells) == 1 else pl.concat(cells))
        .group_by("_cell")
        .agg(*_episodes_and_children())
    )
    return (
        bands.lazy()
        .join(counts, on="_cell", how="left", maintain_order="left")
        .select("measure", "lower", "upper", _zero_filled())
    )


def _count_bands(frame: pl.LazyFrame, column: str, edges: Sequence[float]) -> pl.LazyFrame:
    """Episodes and children in each band of ``column`` (every band, zeros included):
    ``lower, upper, episodes, children`` (:func:`_count_measures` of one measure)."""
    return _count_measures(frame, {column: edges}).drop("measure")


def _median(frame: pl.DataFrame, column: str) -> float | None:
    values = frame.get_column(column).drop_nulls()
    if values.len() == 0:
        return None
    m = values.median()
    assert isinstance(m, (int, float))
    return float(m)


# --- hour of day × day of week ------------------------------------------------------


@attrs.frozen(eq=False)
class HourWeekday(CountTable):
    """Episodes by the local hour and ISO weekday (1 = Monday) the child was last seen.

    ``frame`` has all 168 cells: ``weekday, hour, episodes, children``.
    """

    episodes: int
    children: int
    LABELS: ClassVar[tuple[str, ...]] = ("weekday", "hour")
    COUNTS: ClassVar[tuple[str, ...]] = ("episodes", "children")


@functools.cache
def _start_cell() -> tuple[pl.Expr, pl.Expr]:
    """The local (weekday, hour) cell an episode began in."""
    return pl.col("start_local_weekday").alias("weekday"), pl.col("start_local_hour").alias("hour")


def hour_by_weekday(tables: CaseTables | EpisodeDataset) -> HourWeekday:
    """When children go missing, in the placement's local time.

    One lazy plan, collected once; over an :class:`EpisodeDataset`, by the
    streaming engine.
    """
    eps, collect = _episode_plan(tables)
    counts = eps.group_by(*_start_cell()).agg(*_episodes_and_children())
    # the grid is in (weekday, hour) order, and the join keeps it
    frame = (
        _week_grid()
        .lazy()
        .join(counts, on=["weekday", "hour"], how="left", maintain_order="left")
        .with_columns(_zero_filled())
    )
    head = eps.select(*_episodes_and_children())
    table, figures = collect([frame, head])
    episodes, children = figures.row(0)
    return HourWeekday(table, episodes=episodes, children=children, population=children)


@functools.cache
def _week_grid() -> pl.DataFrame:
    """Every (ISO weekday, hour) cell, Monday 00:00 first (a constant, built on first use)."""
    return pl.DataFrame(
        {
            "weekday": [d for d in range(1, 8) for _ in range(24)],
            "hour": [h for _ in range(1, 8) for h in range(24)],
        },
        schema={"weekday": pl.Int8, "hour": pl.Int8},
    )


# --- durations ---------------------------------------------------------------------

#: Default band edges for elapsed hours and for calendar days.
HOUR_BANDS: tuple[float, ...] = (0, 1, 4, 8, 12, 24, 48, 72, 168)
DAY_BANDS: tuple[float, ...] = (0, 1, 2, 3, 4, 7, 14, 28)


@attrs.frozen(eq=False)
class DurationDistribution(CountTable):
    """How long closed episodes lasted, in elapsed hours and in local calendar days.

    ``frame``: ``measure`` (``elapsed_hours`` or ``calendar_days``), the band
    ``lower`` (inclusive) and ``upper`` (exclusive; null for the last band),
    ``episodes`` and ``children``. Open episodes are counted apart.
    """

    closed_episodes: int
    open_episodes: int
    median_elapsed_hours: float | None
    median_calendar_days: float | None
    LABELS: ClassVar[tuple[str, ...]] = ("measure", "lower", "upper")
    COUNTS: ClassVar[tuple[str, ...]] = ("episodes", "children")
    GROUPS: ClassVar[tuple[str, ...]] = ("measure",)


@functools.cache
def _duration_figures() -> tuple[pl.Expr, ...]:
    """The headline figures of :func:`durations`, over every episode."""
    closed = pl.col("ended_at").is_not_null()
    return (
        closed.sum().alias("closed"),
        pl.len().alias("all"),
        # open episodes have neither: the medians are the closed episodes'
        pl.col("elapsed_hours").median().cast(pl.Float64),
        pl.col("calendar_days").median().cast(pl.Float64),
        pl.col("child_id").filter(closed).n_unique().alias("children"),
    )


def durations(
    tables: CaseTables | EpisodeDataset,
    *,
    hour_bands: Sequence[float] = HOUR_BANDS,
    day_bands: Sequence[float] = DAY_BANDS,
) -> DurationDistribution:
    """The distribution of episode lengths: true elapsed time and DfE-style calendar days.

    One lazy plan, collected once; over an :class:`EpisodeDataset`, by the
    streaming engine.
    """
    eps, collect = _episode_plan(tables)
    closed = eps.filter(pl.col("ended_at").is_not_null())
    frame = _count_measures(closed, {"elapsed_hours": hour_bands, "calendar_days": day_bands})
    head = eps.select(*_duration_figures())
    table, figures = collect([frame, head])
    n_closed, n_all, hours, days, children = figures.row(0)
    return DurationDistribution(
        table,
        closed_episodes=n_closed,
        open_episodes=n_all - n_closed,
        median_elapsed_hours=hours,
        median_calendar_days=days,
        population=children,
    )


# --- repeat episodes ----------------------------------------------------------------


@attrs.frozen(eq=False)
class RepeatEpisodes(CountTable):
    """How many episodes children had within rolling windows of local days.

    ``frame``: for each ``window_days``, the most episodes a child started
    in any window of that many days (``most_in_window``), the ``children``
    with that maximum and their ``episodes``. ``repeat_episodes`` counts, per
    window, the episodes that began while another of the child's episodes
    was within the window (the second or later in it).
    """

    repeat_episodes: Mapping[int, int]
    LABELS: ClassVar[tuple[str, ...]] = ("window_days", "most_in_window")
    COUNTS: ClassVar[tuple[str, ...]] = ("children", "episodes")
    COUNT_LABELS: ClassVar[tuple[str, ...]] = ("most_in_window",)
    GROUPS: ClassVar[tuple[str, ...]] = ("window_days",)


def _with_window_counts(frame: pl.LazyFrame, windows: Sequence[int]) -> pl.LazyFrame:
    """``frame`` with, per episode and window ``w``, the child's episodes with a local start
    date in the ``w``-day window ending on its own (``n_{w}``; null when its date is unknown).

    Each episode is a key ``child rank × stride + day`` and its count is the
    number of keys in ``[key - w + 1, key]``, found by two binary searches in
    the sorted keys: no per-child loop, no reordering, no collect. Rows with no
    child id count nothing, as in a window summed over ``child_id.is_not_null()``.
    """
    stages, dropped = _window_stages(tuple(windows))
    for stage in stages:
        frame = frame.with_columns(*stage)
    return frame.drop(*dropped)


@functools.lru_cache(maxsize=32)
def _window_stages(
    windows: tuple[int, ...],
) -> tuple[tuple[tuple[pl.Expr, ...], ...], tuple[str, ...]]:
    """The expressions of :func:`_with_window_counts`, by stage, and the helper columns to
    drop: they depend on the windows only, so they are built once per distinct windows."""
    day = pl.col("start_local_date").cast(pl.Int32).cast(pl.Int64)
    span = day.max() - day.min() + 1
    lengths = [f"_len{w}" for w in windows]
    keys = pl.col("_k").drop_nulls().sort()
    # a window longer than the data's span counts what the span does: capped, keys stay
    # small. (The scalars are columns before any search: polars searches far faster so.)
    first = (
        *(
            pl.min_horizontal(pl.lit(w, dtype=pl.Int64), span).alias(n)
            for w, n in zip(windows, lengths, strict=True)
        ),
        (day - day.min()).alias("_d"),
    )
    key = (
        pl.col("child_id").rank("dense").cast(pl.Int64)
        * (pl.col("_d").max() + pl.max_horizontal(*lengths))
        + pl.col("_d")
    ).alias("_k")
    up = keys.search_sorted(pl.col("_k"), side="right").cast(pl.Int64).alias("_up")
    counts = tuple(
        pl.when(pl.col("_k").is_not_null())
        .then(
            pl.col("_up")
            - keys.search_sorted(pl.col("_k") - (pl.col(n) - 1), side="left").cast(pl.Int64)
        )
        .when(pl.col("start_local_date").is_not_null())
        .then(pl.lit(0, dtype=pl.Int64))
        .alias(f"n_{w}")
        for w, n in zip(windows, lengths, strict=True)
    )
    return (first, (key,), (up,), counts), ("_k", "_up", "_d", *lengths)


def repeat_episodes(
    tables: CaseTables | EpisodeDataset, windows: Iterable[int] = (28, 30, 90)
) -> RepeatEpisodes:
    """Repeat episodes per child in rolling windows (default 28, 30 and 90 days).

    One lazy plan, collected once; over an :class:`EpisodeDataset`, by the
    streaming engine.
    """
    windows = list(windows)
    if any(w < 1 for w in windows):
        raise ValueError("window lengths must be at least one day")
    source, collect = _episode_plan(tables)
    if not windows:  # an empty table counts nobody
        return RepeatEpisodes(pl.DataFrame(schema=_REPEAT_SCHEMA), repeat_episodes={}, population=0)
    unique = list(dict.fromkeys(windows))
    plan = _repeat_plan(source.select("child_id", "start_local_date"), tuple(unique))
    (frame,) = collect([plan])
    # the headline figures are sums over that small table (a row per window and most
    # episodes in it): every child is in each window's rows once
    found: dict[int, tuple[int, int]] = {}
    for w, r, n in zip(
        frame.get_column("window_days").to_list(),
        frame.drop_in_place("repeats").to_list(),
        frame.get_column("children").to_list(),
        strict=True,
    ):
        repeats, population = found.get(w, (0, 0))
        found[w] = (repeats + r, population + n)
    if len(unique) != len(windows):  # a window asked for twice has its rows twice
        frame = pl.concat([frame.filter(pl.col("window_days") == w) for w in windows]).sort(
            "window_days", "most_in_window", maintain_order=True
        )
    return RepeatEpisodes(
        frame,
        repeat_episodes={w: int(found.get(w, (0, 0))[0]) for w in windows},
        population=int(found.get(unique[0], (0, 0))[1]),
    )


_REPEAT_SCHEMA = {
    "window_days": pl.Int64,
    "most_in_window": pl.Int64,
    "children": pl.Int64,
    "episodes": pl.Int64,
}


def _repeat_plan(eps: pl.LazyFrame, windows: tuple[int, ...]) -> pl.LazyFrame:
    """Per window, the children (and their episodes and repeats) by their most episodes
    in any window of it: ``window_days, most_in_window, children, episodes, repeats``.

    Per child, its most episodes in each window and its repeats, one struct
    column per window, then unpivoted to one row per (window, child): one
    pass over the window counts, whatever the number of windows.
    """
    per_child, fields, totals = _repeat_exprs(windows)
    return (
        _with_window_counts(eps, windows)
        .group_by("child_id")
        .agg(*per_child)
        .unpivot(on=[str(w) for w in windows], index="episodes", variable_name="window_days")
        .select(*fields)
        .group_by("window_days", "most_in_window")
        .agg(*totals)
        .sort("window_days", "most_in_window")
    )


@functools.lru_cache(maxsize=32)
def _repeat_exprs(
    windows: tuple[int, ...],
) -> tuple[tuple[pl.Expr, ...], tuple[pl.Expr, ...], tuple[pl.Expr, ...]]:
    """The expressions of :func:`_repeat_plan`, by step: built once per distinct windows."""
    per_child = (
        pl.len().alias("episodes"),
        *(
            pl.struct(
                pl.col(f"n_{w}").max().cast(pl.Int64).alias("most_in_window"),
                (pl.col(f"n_{w}") >= 2).sum().cast(pl.Int64).alias("repeats"),
            ).alias(str(w))
            for w in windows
        ),
    )
    fields = (
        pl.col("window_days").cast(pl.Int64),
        pl.col("value").struct.field("most_in_window"),
        pl.col("episodes"),
        pl.col("value").struct.field("repeats"),
    )
    totals = (
        pl.len().cast(pl.Int64).alias("children"),
        pl.col("episodes").sum().cast(pl.Int64),
        pl.col("repeats").sum().cast(pl.Int64),
    )
    return per_child, fields, totals


# --- where and who with ---------------------------------------------------------------


@attrs.frozen(eq=False)
class Whereabouts(CountTable):
    """Where children were while missing, and who with, as recorded on the episode.

    ``frame``: ``dimension`` (``where`` or ``who_with``), ``code``,
    ``display``, ``episodes`` and ``children``. An episode can have several
    places or companions, so cells do not sum to the episode count.
    """

    episodes: int
    episodes_with_where: int
    episodes_with_who_with: int
    LABELS: ClassVar[tuple[str, ...]] = ("dimension", "code", "display")
    COUNTS: ClassVar[tuple[str, ...]] = ("episodes", "children")
    GROUPS: ClassVar[tuple[str, ...]] = ("dimension",)


def whereabouts(
    tables: CaseTables, *, vocabularies: Mapping[str, Vocabulary] | None = None
) -> Whereabouts:
    """Places and companions while missing, with counts of episodes and children."""
    eps = _frame(tables, "episodes").select("child_id", "episode_id", "whereabouts", "who_with")
    names = _displays(vocabularies, "location_types", "who_with")
    parts = []
    for column, dimension, vocab in (
        ("whereabouts", "where", "location_types"),
        ("who_with", "who_with", "who_with"),
    ):
        parts.append(
            eps.select("child_id", "episode_id", pl.col(column).alias("code"))
            .explode("code")
            .drop_nulls("code")
            .group_by("code")
            .agg(
                pl.struct("child_id", "episode_id").n_unique().alias("episodes"),
                pl.col("child_id").n_unique().alias("children"),
            )
            .join(
                names.filter(pl.col("vocabulary") == vocab).drop("vocabulary"),
                on="code",
                how="left",
            )
            .select(
                pl.lit(dimension).alias("dimension"),
                "code",
                "display",
                pl.col("episodes").cast(pl.Int64),
                pl.col("children").cast(pl.Int64),
            )
        )
    frame = pl.concat(parts).sort("dimension", "episodes", "code", descending=[False, True, False])
    return Whereabouts(
        frame,
        episodes=eps.height,
        episodes_with_where=eps.filter(pl.col("whereabouts").list.len() > 0).height,
        episodes_with_who_with=eps.filter(pl.col("who_with").list.len() > 0).height,
        population=eps.filter(
            (pl.col("whereabouts").list.len() > 0) | (pl.col("who_with").list.len() > 0)
        )
        .get_column("child_id")
        .n_unique(),
    )


# --- factor and need prevalence --------------------------------------------------------


@attrs.frozen(eq=False)
class Prevalence(CountTable):
    """How many children have each push factor, pull factor and unmet need recorded.

    ``frame``: ``kind`` (``push``, ``pull`` or ``need``), ``code``,
    ``display``, ``children`` (with at least one record of it), ``records``
    and ``episodes`` (distinct episodes the records are tied to).
    ``children_total`` is the number of children in the tables.
    """

    children_total: int
    LABELS: ClassVar[tuple[str, ...]] = ("kind", "code", "display")
    COUNTS: ClassVar[tuple[str, ...]] = ("children", "records", "episodes")
    GROUPS: ClassVar[tuple[str, ...]] = ("kind",)


def prevalence(
    tables: CaseTables, *, vocabularies: Mapping[str, Vocabulary] | None = None
) -> Prevalence:
    """Factor and need prevalence among the children in ``tables``."""
    names = _displays(vocabularies, "push_factors", "pull_factors", "unmet_needs").with_columns(
        pl.col("vocabulary")
        .replace_strict(
            {"push_factors": "push", "pull_factors": "pull", "unmet_needs": "need"},
            return_dtype=pl.String,
        )
        .alias("kind")
    )
    factors = _frame(tables, "factors").select(
        pl.col("direction").alias("kind"),
        pl.col("concept").alias("code"),
        "child_id",
        "episode_ids",
    )
    needs = _frame(tables, "needs").select(
        pl.lit("need").alias("kind"), pl.col("need").alias("code"), "child_id", "episode_ids"
    )
    records = pl.concat([factors, needs])
    counted = records.group_by("kind", "code").agg(
        pl.col("child_id").n_unique().alias("children"), pl.len().alias("records")
    )
    linked = (
        records.explode("episode_ids")
        .drop_nulls("episode_ids")
        .group_by("kind", "code")
        .agg(pl.struct("child_id", "episode_ids").n_unique().alias("episodes"))
    )
    frame = (
        counted.join(linked, on=["kind", "code"], how="left")
        .join(names.drop("vocabulary"), on=["kind", "code"], how="left")
        .select(
            "kind",
            "code",
            "display",
            pl.col("children").cast(pl.Int64),
            pl.col("records").cast(pl.Int64),
            pl.col("episodes").fill_null(0).cast(pl.Int64),
        )
        .sort("kind", "children", "code", descending=[False, True, False])
    )
    return Prevalence(
        frame,
        children_total=tables.children.num_rows,
        population=records.get_column("child_id").n_unique(),
    )


# --- return conversations ----------------------------------------------------------------


def _returns(tables: CaseTables, deadline: timedelta) -> pl.DataFrame:
    """One row per closed episode: its return, group keys and conversation facts."""
    if deadline <= timedelta(0):
        raise ValueError("the deadline must be positive")
    eps = _episodes(tables).filter(pl.col("ended_at").is_not_null())
    convs = _frame(tables, "conversations").select(
        "child_id", "conversation_id", "episode_ids", "decision", "held_at"
    )
    offers = (
        _frame(tables, "conversation_offers")
        .group_by("child_id", "conversation_id")
        .agg(pl.len().alias("n_offers"))
    )
    covered = (
        convs.join(offers, on=["child_id", "conversation_id"], how="left")
        .explode("episode_ids")
        .rename({"episode_ids": "episode_id"})
        .drop_nulls("episode_id")
        .group_by("child_id", "episode_id")
        .agg(
            (
                (pl.col("n_offers").fill_null(0) > 0)
                | pl.col("decision").is_not_null()
                | pl.col("held_at").is_not_null()
            )
            .any()
            .alias("offered"),
            ((pl.col("decision") == "accepted") | pl.col("held_at").is_not_null())
            .any()
            .alias("accepted"),
            (pl.col("decision") == "declined").any().alias("declined"),
            pl.col("held_at").min().alias("first_held_at"),
        )
    )
    return eps.join(covered, on=["child_id", "episode_id"], how="left").with_columns(
        pl.col("offered", "accepted", "declined").fill_null(False),
        pl.col("first_held_at").is_not_null().alias("held"),
        ((pl.col("first_held_at") - pl.col("returned_at")).dt.total_microseconds() / 3.6e9).alias(
            "hours_to_conversation"
        ),
        (
            pl.col("first_held_at").is_not_null()
            & pl.col("returned_at").is_not_null()
            & (pl.col("first_held_at") - pl.col("returned_at") <= deadline)
        ).alias("within_deadline"),
    )


@attrs.frozen(eq=False)
class ConversationRates(CountTable):
    """Return-conversation rates by home, authority or month of return.

    ``frame``: the group column (``home_id``, ``placing_authority`` or
    ``month``, the local month of return), ``returns`` (closed episodes with
    a recorded return time), ``children``, ``offered``, ``accepted``,
    ``declined`` (the child declined a conversation covering the return; a
    decline is never counted as held), ``held``, ``held_within_deadline``,
    ``held_late``, ``not_held``, and the rates ``offered_rate``,
    ``accepted_rate``, ``declined_rate``, ``held_rate`` and
    ``within_deadline_rate`` (each over ``returns``), as national reports count
    them separately [MP-RHI24]. Episodes closed with no
    return time are counted in ``return_time_unknown`` only.
    """

    by: str
    deadline: timedelta
    returns: int
    return_time_unknown: int
    LABELS: ClassVar[tuple[str, ...]] = ("home_id", "placing_authority", "month")
    COUNTS: ClassVar[tuple[str, ...]] = (
        "returns",
        "children",
        "offered",
        "accepted",
        "declined",
        "held",
        "held_within_deadline",
        "held_late",
        "not_held",
    )


_GROUPS = {"home": "home_id", "authority": "placing_authority", "month": "month"}


def conversation_rates(
    tables: CaseTables,
    *,
    by: Literal["home", "authority", "month"] = "month",
    deadline: timedelta = ENGLAND_DEADLINE,
) -> ConversationRates:
    """Offered, accepted and held within ``deadline`` of return, by home, authority or month.

    ``deadline`` is elapsed time after the return (72 hours in England). On
    a date-shifted extract ``by="month"`` is refused, as is ``by="authority"``
    when the extract left the authority out (:class:`ShiftedExtractError`).
    """
    if by not in _GROUPS:
        raise ValueError(f"by must be one of: {', '.join(_GROUPS)}")
    column = _GROUPS[by]
    if by == "month":
        _refuse_if_shifted(tables, "conversation_rates by month")
    if by == "authority":
        _require(tables, "placements", "placing_authority", "conversation_rates by authority")
    rows = _returns(tables, deadline)
    if by == "month":
        rows = _localise(rows, "returned_at", "return").with_columns(
            pl.col("return_local").dt.strftime("%Y-%m").alias("month")
        )
    known = rows.filter(pl.col("returned_at").is_not_null())
    frame = (
        known.group_by(column)
        .agg(
            pl.len().alias("returns"),
            pl.col("child_id").n_unique().alias("children"),
            pl.col("offered").sum(),
            pl.col("accepted").sum(),
            pl.col("declined").sum(),
            pl.col("held").sum(),
            pl.col("within_deadline").sum().alias("held_within_deadline"),
        )
        .with_columns(pl.all().exclude(column).cast(pl.Int64))
        .with_columns(
            (pl.col("held") - pl.col("held_within_deadline")).alias("held_late"),
            (pl.col("returns") - pl.col("held")).alias("not_held"),
            *(
                (pl.col(c) / pl.col("returns")).alias(f"{c}_rate")
                for c in ("offered", "accepted", "declined", "held")
            ),
            (pl.col("held_within_deadline") / pl.col("returns")).alias("within_deadline_rate"),
        )
        .sort(column, nulls_last=True)
    )
    return ConversationRates(
        frame,
        by=by,
        deadline=deadline,
        returns=known.height,
        return_time_unknown=rows.height - known.height,
        population=known.get_column("child_id").n_unique(),
    )


#: Default band edges (hours) for the time from return to conversation.
CONVERSATION_BANDS: tuple[float, ...] = (0, 24, 48, 72, 120, 168, 336)


@attrs.frozen(eq=False)
class TimeToConversation(CountTable):
    """Hours from return to the first conversation held, in bands.

    ``frame``: ``lower``, ``upper``, ``episodes``, ``children``. Episodes
    whose conversation was held before the recorded return fall outside the
    bands and are counted in ``held_before_return``.
    """

    held: int
    not_held: int
    held_before_return: int
    within_deadline: int
    deadline: timedelta
    median_hours: float | None
    LABELS: ClassVar[tuple[str, ...]] = ("lower", "upper")
    COUNTS: ClassVar[tuple[str, ...]] = ("episodes", "children")


def time_to_conversation(
    tables: CaseTables,
    *,
    deadline: timedelta = ENGLAND_DEADLINE,
    bands: Sequence[float] = CONVERSATION_BANDS,
) -> TimeToConversation:
    """The time from return to the return conversation, for returns with a known time."""
    rows = _returns(tables, deadline).filter(pl.col("returned_at").is_not_null())
    held = rows.filter(pl.col("held"))
    return TimeToConversation(
        _count_bands(held.lazy(), "hours_to_conversation", bands).collect(),
        held=held.height,
        not_held=rows.height - held.height,
        held_before_return=held.filter(pl.col("hours_to_conversation") < 0).height,
        within_deadline=held.filter(pl.col("within_deadline")).height,
        deadline=deadline,
        median_hours=_median(held, "hours_to_conversation"),
        population=held.get_column("child_id").n_unique(),
    )


# --- rates per placement-day ------------------------------------------------------------


@attrs.frozen(eq=False)
class EpisodeRates(CountTable):
    """Episodes per 1,000 placement-days, by home, over ``[start, end)``.

    ``frame``: ``home_id``, ``placements``, ``placement_days``,
    ``episodes`` (local start date in the period), ``children`` (with an
    episode) and ``per_1000_days``. Placement-days run from the later of
    the placement's start and ``start`` to the earlier of its end and
    ``end``; placements with no start date are not counted
    (``placements_without_start``), nor are their episodes.
    """

    start: date
    end: date
    placements_without_start: int
    LABELS: ClassVar[tuple[str, ...]] = ("home_id",)
    COUNTS: ClassVar[tuple[str, ...]] = ("placements", "placement_days", "episodes", "children")


def episode_rates(tables: CaseTables, *, start: date, end: date) -> EpisodeRates:
    """Episodes per 1,000 placement-days by home, over the local dates ``[start, end)``.

    Refused on a date-shifted extract (:class:`ShiftedExtractError`): each
    child's dates moved by a different offset, so no period is the same for all.
    """
    if not start < end:
        raise ValueError("start must be before end")
    _refuse_if_shifted(tables, "episode_rates over a period of dates")
    places = _frame(tables, "placements")
    dated = places.filter(pl.col("start").is_not_null())
    days = (
        dated.with_columns(
            (
                pl.min_horizontal(pl.col("end").fill_null(end), pl.lit(end))
                - pl.max_horizontal(pl.col("start"), pl.lit(start))
            )
            .dt.total_days()
            .clip(lower_bound=0)
            .alias("days")
        )
        .group_by("home_id")
        .agg(pl.len().alias("placements"), pl.col("days").sum().alias("placement_days"))
    )
    eps = (
        _episodes(tables)
        .join(dated.select("child_id", "placement_id"), on=["child_id", "placement_id"], how="semi")
        .filter((pl.col("start_local_date") >= start) & (pl.col("start_local_date") < end))
        .group_by("home_id")
        .agg(pl.len().alias("episodes"), pl.col("child_id").n_unique().alias("children"))
    )
    frame = (
        days.join(eps, on="home_id", how="full", coalesce=True, nulls_equal=True)
        .with_columns(pl.all().exclude("home_id").fill_null(0).cast(pl.Int64))
        .with_columns(
            pl.when(pl.col("placement_days") > 0)
            .then(pl.col("episodes") * 1000 / pl.col("placement_days"))
            .otherwise(None)
            .alias("per_1000_days")
        )
        .sort("home_id", nulls_last=True)
    )
    return EpisodeRates(
        frame,
        start=start,
        end=end,
        placements_without_start=places.height - dated.height,
        population=dated.get_column("child_id").n_unique(),
    )


# --- trusted adult -----------------------------------------------------------------------


@attrs.frozen(eq=False)
class TrustedAdultComparison(CountTable):
    """Episodes of children with and without a trusted adult at the time, compared.

    ``frame``: ``trusted_adult`` (true when, at the moment the child was last
    seen, a trusted adult relationship stood: named, not yet ended),
    ``episodes``, ``children``, ``closed_episodes``,
    ``median_elapsed_hours``, ``mean_elapsed_hours``, ``repeat_episodes``
    (began with another of the child's episodes in the ``window_days``-day
    window) and ``repeat_rate``. Descriptive only: it says nothing of cause.
    """

    window_days: int
    LABELS: ClassVar[tuple[str, ...]] = ("trusted_adult",)
    COUNTS: ClassVar[tuple[str, ...]] = (
        "episodes",
        "children",
        "closed_episodes",
        "repeat_episodes",
    )


def trusted_adult_comparison(
    tables: CaseTables, *, window_days: int = 28
) -> TrustedAdultComparison:
    """Duration and repeat rate of episodes with and without a trusted adult in place."""
    if window_days < 1:
        raise ValueError("window_days must be at least one")
    eps = _episodes(tables).sort("child_id", "start_local_date")
    eps = (
        _with_window_counts(eps.lazy(), [window_days])
        .rename({f"n_{window_days}": "n_in_window"})
        .collect()
    )
    adults = _frame(tables, "trusted_adults").select(
        "child_id", pl.col("named_at"), pl.col("ended_at").alias("adult_ended_at")
    )
    present = (
        eps.select("child_id", "episode_id", "last_seen_at")
        .join(adults, on="child_id", how="inner")
        .filter(
            (pl.col("named_at") <= pl.col("last_seen_at"))
            & (
                pl.col("adult_ended_at").is_null()
                | (pl.col("last_seen_at") < pl.col("adult_ended_at"))
            )
        )
        .select("child_id", "episode_id")
        .unique()
        .with_columns(pl.lit(True).alias("trusted_adult"))
    )
    flagged = eps.join(present, on=["child_id", "episode_id"], how="left").with_columns(
        pl.col("trusted_adult").fill_null(False)
    )
    counts = flagged.group_by("trusted_adult").agg(
        pl.len().alias("episodes"),
        pl.col("child_id").n_unique().alias("children"),
        pl.col("ended_at").is_not_null().sum().alias("closed_episodes"),
        pl.col("elapsed_hours").median().alias("median_elapsed_hours"),
        pl.col("elapsed_hours").mean().alias("mean_elapsed_hours"),
        (pl.col("n_in_window") >= 2).sum().alias("repeat_episodes"),
    )
    frame = (
        pl.DataFrame({"trusted_adult": [True, False]})
        .join(counts, on="trusted_adult", how="left", maintain_order="left")
        .with_columns(
            pl.col("episodes", "children", "closed_episodes", "repeat_episodes")
            .fill_null(0)
            .cast(pl.Int64)
        )
        .with_columns(
            pl.when(pl.col("episodes") > 0)
            .then(pl.col("repeat_episodes") / pl.col("episodes"))
            .otherwise(None)
            .alias("repeat_rate")
        )
    )
    return TrustedAdultComparison(
        frame, window_days=window_days, population=eps.get_column("child_id").n_unique()
    )
