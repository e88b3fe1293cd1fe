"""Tools for testing code that uses missingcare.

* :mod:`missingcare.testing.builders` — small builders of one valid, readable
  record (``episode()``, ``case_file()``…) with sensible defaults;
* :mod:`missingcare.testing.synth` — the seeded generator of realistic
  synthetic cohorts, with profiles (``Cohort(..., profile="clock_changes")``);
* :mod:`missingcare.testing.strategies` — Hypothesis strategies that build
  valid-by-construction records, with options that cluster times near clock
  changes and deadlines (needs the ``testing`` extra);
* :mod:`missingcare.testing.conformance` — the conformance kit every rule pack
  passes;
* :class:`missingcare.time.FixedClock` — a clock stopped at one instant.

The builders and the generator need nothing beyond missingcare; only the
strategies (and the property checks of the conformance kit) need Hypothesis.
Importing :mod:`missingcare` never imports this package or Hypothesis.
"""

from __future__ import annotations

from missingcare.time import FixedClock

__all__ = ["FixedClock"]
