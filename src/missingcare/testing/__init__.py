"""Tools for testing code that uses missingcare (needs the ``testing`` extra).

* :mod:`missingcare.testing.strategies` — Hypothesis strategies that build
  valid-by-construction records, with options that cluster times near clock
  changes and deadlines;
* :class:`missingcare.time.FixedClock` — a clock stopped at one instant.

Importing :mod:`missingcare` never imports this package or Hypothesis.
"""

from __future__ import annotations

from missingcare.time import FixedClock

__all__ = ["FixedClock"]
