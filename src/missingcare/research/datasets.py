"""National scale on one machine: the episodes as a partitioned Parquet dataset.

:func:`write_dataset` writes the episodes of a
:class:`~missingcare.research.tables.CaseTables`, localised and joined to
their placement's home and authorities (the frame every episode analysis
reads), as Parquet files partitioned by year and area (hive layout:
``year=2024/area=E10000016/part-0-0.parquet``). The year is the local year
the child was last seen; the area is the placing authority (``unknown`` when
the placement has none). Call it once per batch of case files, each batch
with its own ``batch`` name, to build a dataset larger than memory.

:class:`EpisodeDataset` reads one back lazily:
:func:`~missingcare.research.patterns.hour_by_weekday`,
:func:`~missingcare.research.patterns.durations` and
:func:`~missingcare.research.patterns.repeat_episodes` accept it in place of
a ``CaseTables`` and run the same lazy plans over it with polars' streaming
engine (``scan_parquet``), so memory stays bounded by what each plan keeps,
not by the size of the dataset. The local columns are computed once, when
the dataset is written (as a safe extract computes them before shifting),
so reading it needs no zone table.

>>> import tempfile
>>> from missingcare.research import to_arrow
>>> from missingcare.research.patterns import hour_by_weekday
>>> from missingcare.testing.synth import iter_case_files
>>> tables = to_arrow(iter_case_files(30, seed=1))
>>> with tempfile.TemporaryDirectory() as root:
...     data = write_dataset(tables, root)
...     hour_by_weekday(data).episodes == hour_by_weekday(tables).episodes
True
"""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.dataset as pads  # type: ignore[import-untyped]

from missingcare.research.patterns import _build_episodes
from missingcare.research.tables import ARROW_SCHEMA_VERSION, CaseTables

__all__ = ["PARTITIONS", "EpisodeDataset", "write_dataset"]

#: The partition columns, outermost first.
PARTITIONS = ("year", "area")
#: The file at the dataset's root that says what it holds.
_MANIFEST = "missingcare-dataset.json"
_KIND = "missingcare.research.episodes"
_HIVE = {"year": pl.Int32, "area": pl.String}


@attrs.frozen
class EpisodeDataset:
    """A partitioned Parquet dataset of localised episodes written by :func:`write_dataset`."""

    root: Path = attrs.field(converter=Path)
    #: Only these files of the dataset (see :meth:`part`); all of them when ``None``.
    only: tuple[Path, ...] | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        manifest = self.root / _MANIFEST
        if not manifest.is_file():
            raise FileNotFoundError(f"{manifest}: not a missingcare episode dataset")
        meta = json.loads(manifest.read_text(encoding="utf-8"))
        if meta.get("kind") != _KIND or meta.get("arrow_schema_version") != ARROW_SCHEMA_VERSION:
            raise ValueError(
                f"{manifest}: expected kind {_KIND!r} at Arrow schema version "
                f"{ARROW_SCHEMA_VERSION}"
            )

    @property
    def files(self) -> tuple[Path, ...]:
        """The dataset's Parquet files, in path order (one partition may hold several)."""
        if self.only is not None:
            return self.only
        return tuple(sorted(self.root.glob("year=*/area=*/*.parquet")))

    def part(self, files: tuple[Path, ...]) -> EpisodeDataset:
        """The same dataset restricted to ``files`` (for mapping a plan over partitions)."""
        return attrs.evolve(self, only=tuple(files))

    def scan(self) -> pl.LazyFrame:
        """The episodes as a lazy frame, with ``year`` and ``area``.

        Nothing is read until a plan over it is collected; filters on
        ``year`` or ``area`` skip whole partitions.
        """
        paths = [str(p) for p in self.files]
        if not paths:
            raise FileNotFoundError(f"{self.root}: the dataset has no Parquet files")
        return pl.scan_parquet(paths, hive_partitioning=True, hive_schema=_HIVE)


def write_dataset(tables: CaseTables, root: str | Path, *, batch: str = "0") -> EpisodeDataset:
    """Write the episodes of ``tables`` under ``root``, partitioned by year and area.

    Each call adds files named after ``batch`` (``part-{batch}-*.parquet``) to
    whatever the dataset already holds, so a dataset larger than memory is
    written batch by batch; writing a batch name again replaces its files.
    The local columns (elapsed hours, calendar days, the local hour, weekday
    and date last seen) are computed here, from the pinned zone database.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    eps = _build_episodes(tables).with_columns(
        pl.col("start_local_date").dt.year().cast(pl.Int32).alias("year"),
        pl.col("placing_authority").fill_null("unknown").alias("area"),
    )
    manifest = {
        "kind": _KIND,
        "arrow_schema_version": ARROW_SCHEMA_VERSION,
        "partitioning": list(PARTITIONS),
        "extract": tables.is_extract,
    }
    (root / _MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    table = eps.to_arrow()
    partitioning = pads.partitioning(
        pa.schema([("year", pa.int32()), ("area", pa.string())]), flavor="hive"
    )
    pads.write_dataset(
        table,
        root,
        format="parquet",
        partitioning=partitioning,
        basename_template=f"part-{batch}-{{i}}.parquet",
        existing_data_behavior="overwrite_or_ignore",
        max_rows_per_group=1 << 20,
    )
    return EpisodeDataset(root)
