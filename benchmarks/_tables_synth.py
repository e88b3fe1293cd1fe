"""Synthetic research tables made at table level: millions of episodes in seconds.

Making ten million episodes through the model (:mod:`missingcare.testing.synth`)
would take hours; the national-scale benchmark only needs the research
tables. This writes their rows directly, vectorised (numpy and polars), with
the schemas of :data:`missingcare.research.tables.SCHEMAS` (Arrow schema
version 2): children, one placement each, episodes with one status change
each; every other table empty. ``tests/test_research_datasets.py`` checks, at
small size, that every table has exactly the schema ``to_arrow`` writes and
that ``from_arrow`` reads the rows back as valid case files (ids unique,
references resolved, a child's episodes never overlapping).

Seeded and deterministic; never a real person.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import polars as pl

from missingcare.research import CaseTables
from missingcare.research.tables import SCHEMAS

__all__ = ["AREAS", "ZONES", "case_tables"]

#: Placing authorities (synthetic codes in the shape of ONS local-authority codes).
AREAS = tuple(f"E{10_000_000 + 7 * k:08d}" for k in range(150))
#: The placements' zones, most in England.
ZONES = ("Europe/London", "Europe/London", "Europe/London", "Europe/Dublin")
_US_PER_HOUR = 3_600_000_000


def case_tables(
    episodes: int, *, seed: int = 20, first_year: int = 2006, years: int = 20, batch: int = 0
) -> CaseTables:
    """About ``episodes`` episodes of synthetic children over ``years`` years, as tables.

    Each child has one placement (in one of :data:`AREAS`, with a home) and
    1 to 11 episodes (6 on average), the first in a random year, then one
    every few days to weeks; each lasts from minutes to days, and a child's
    last episode is open in 2% of children. ``batch`` keeps ids distinct
    between batches of one dataset.
    """
    rng = np.random.default_rng([seed, batch])
    per_child = rng.integers(1, 12, size=max(1, episodes // 6))
    n_children = len(per_child)
    n = int(per_child.sum())
    child = np.repeat(np.arange(n_children), per_child)
    first = np.cumsum(per_child) - per_child  # each child's first row
    pos = np.arange(n) - np.repeat(first, per_child)  # position in the child's record
    start = datetime(first_year, 1, 1, tzinfo=UTC).timestamp()
    span_us = int(years * 365.2425 * 24 * _US_PER_HOUR)
    child_start = int(start * 1e6) + rng.integers(0, span_us, size=n_children)
    hours = np.round(rng.lognormal(mean=2.0, sigma=1.2, size=n) * 60) * 60_000_000  # whole min
    gap = rng.integers(_US_PER_HOUR, 40 * 24 * _US_PER_HOUR, size=n) // 60_000_000 * 60_000_000
    step = hours + gap
    # a child's episodes follow one another: the start of each is the child's start plus the
    # lengths and gaps of those before it (cumulative sums within the child)
    before = np.cumsum(step) - step
    seen = np.repeat(child_start // 60_000_000 * 60_000_000, per_child) + (
        before - np.repeat(before[first], per_child)
    )
    ended = seen + hours
    last = pos == np.repeat(per_child - 1, per_child)
    open_ = last & (rng.random(n) < 0.02)
    zone_of_child = rng.integers(0, len(ZONES), size=n_children)
    area_of_child = rng.integers(0, len(AREAS), size=n_children)
    home_of_child = rng.integers(0, 4, size=n_children)
    prefix = f"SYN-T{batch}-"
    kids = pl.DataFrame({"k": np.arange(n_children)}).select(
        pl.format("{}{}", pl.lit(prefix), pl.col("k").cast(pl.String).str.zfill(7)).alias(
            "child_id"
        ),
        pl.lit(0, dtype=pl.Int32).alias("seq"),
        pl.Series("zone", np.array(ZONES)[zone_of_child]),
        pl.Series("area", np.array(AREAS)[area_of_child]),
        pl.Series("home", home_of_child),
        pl.Series("first_seen", child_start, dtype=pl.Datetime("us", "UTC")),
    )
    children = kids.select(
        "child_id",
        "seq",
        (pl.col("first_seen").dt.date() - pl.duration(days=14 * 365)).alias("date_of_birth"),
    )
    placements = kids.select(
        "child_id",
        "seq",
        (pl.col("child_id") + "-P1").alias("placement_id"),
        pl.lit("childrens_home").alias("kind"),
        "zone",
        pl.format("HOME-{}-{}", pl.col("area"), pl.col("home")).alias("home_id"),
        (pl.col("first_seen").dt.date() - pl.duration(days=30)).alias("start"),
        pl.lit(None, dtype=pl.Date).alias("end"),
        pl.col("area").alias("placing_authority"),
        pl.col("area").alias("host_authority"),
    )
    rows = pl.DataFrame(
        {
            "child": child,
            "pos": pos,
            "last_seen_at": seen,
            "ended_at": np.where(open_, 0, ended),
            "open": open_,
        }
    ).with_columns(
        pl.col("last_seen_at").cast(pl.Datetime("us", "UTC")),
        pl.when(pl.col("open"))
        .then(None)
        .otherwise(pl.col("ended_at"))
        .cast(pl.Datetime("us", "UTC"))
        .alias("ended_at"),
    )
    rows = rows.join(
        kids.with_row_index("child").select(pl.col("child").cast(pl.Int64), "child_id", "zone"),
        on="child",
        how="left",
        maintain_order="left",
    )
    eps = rows.select(
        "child_id",
        pl.col("pos").cast(pl.Int32).alias("seq"),
        pl.format(
            "{}-E{}", pl.col("child_id"), (pl.col("pos") + 1).cast(pl.String).str.zfill(3)
        ).alias("episode_id"),
        (pl.col("child_id") + "-P1").alias("placement_id"),
        "zone",
        "last_seen_at",
        "ended_at",
        pl.col("ended_at").alias("returned_at"),
        pl.when(pl.col("ended_at").is_not_null())
        .then(pl.lit("returned_voluntarily"))
        .alias("ending"),
    )
    statuses = eps.select(
        "child_id",
        "episode_id",
        pl.lit(0, dtype=pl.Int32).alias("seq"),
        pl.col("last_seen_at").alias("at"),
        pl.lit("missing").alias("status"),
    )
    made = {
        "children": children,
        "placements": placements,
        "episodes": eps,
        "status_changes": statuses,
    }
    tables = {}
    for name, schema in SCHEMAS.items():
        frame = made.get(name)
        if frame is None:
            tables[name] = schema.empty_table()
            continue
        table = frame.to_arrow()
        cols = []
        for field in schema:
            if field.name in table.column_names:
                cols.append(table.column(field.name).cast(field.type))
            else:
                cols.append(pa_nulls(table.num_rows, field.type))
        tables[name] = pa_table(cols, schema)
    return CaseTables(**tables)


def pa_nulls(rows: int, type_: object) -> object:
    import pyarrow as pa  # type: ignore[import-untyped]  # noqa: PLC0415

    return pa.nulls(rows, type=type_)


def pa_table(columns: list[object], schema: object) -> object:
    import pyarrow as pa  # noqa: PLC0415

    return pa.Table.from_arrays(columns, schema=schema)
