"""Research over many children: columnar export, patterns, rates and safe extracts.

This subpackage needs the ``research`` extra (pyarrow and polars); plots in
:mod:`missingcare.research.plots` need the ``plot`` extra (matplotlib)::

    pip install "missingcare[research]"      # or "missingcare[plot]"

Importing :mod:`missingcare` itself never imports this package or its
dependencies.

* :mod:`missingcare.research.tables`: case files to Arrow tables (and polars,
  pandas) and back to the model, losslessly.
* :mod:`missingcare.research.patterns`: analyses on the columnar form, each a
  typed result with ``to_arrow()`` and ``to_polars()``.
* :mod:`missingcare.research.extracts`: keyed pseudonyms, date shifting,
  free-text exclusion, small-number suppression and a manifest.
"""

from __future__ import annotations

try:
    import polars as _polars  # noqa: F401 - checked for presence only
    import pyarrow as _pyarrow  # type: ignore[import-untyped]  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "missingcare.research needs the 'research' extra (pyarrow and polars): "
        'pip install "missingcare[research]"'
    ) from exc

from missingcare.research.tables import TABLES, CaseTables, from_arrow, to_arrow

__all__ = ["TABLES", "CaseTables", "from_arrow", "to_arrow"]
