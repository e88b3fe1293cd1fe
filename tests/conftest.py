"""Hypothesis profiles for the suite, chosen with ``HYPOTHESIS_PROFILE``.

Every property test states its *documented* number of examples through
:func:`tests._helpers.examples` (2,000 per document type for the wire round
trips, for instance); the profile decides how much of it a run spends:

* ``default`` (used unless ``HYPOTHESIS_PROFILE`` says otherwise): quick, for
  working on the code — a tenth of each documented count (at least 20, or the
  count itself when smaller), derandomised so runs are reproducible, no
  deadline (shared machines are noisy). The whole suite fits in minutes.
* ``thorough``: every documented count in full — the 2,000-example round trip
  per document type and the rest. CI runs the round trips this way in a step
  of their own (``HYPOTHESIS_PROFILE=thorough pytest tests/test_converters.py
  -k round_trip``).
* ``deep``: 100,000 examples for every property test that states a count, the
  long run before a release (``HYPOTHESIS_PROFILE=deep pytest
  tests/test_converters.py``).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from missingcare import CaseFile
from missingcare.testing.synth import Cohort
from tests._helpers import DEEP_EXAMPLES, PROFILES

settings.register_profile(
    "default",
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("thorough", parent=settings.get_profile("default"))
settings.register_profile(
    "deep", parent=settings.get_profile("default"), max_examples=DEEP_EXAMPLES
)
assert set(PROFILES) == {"default", "thorough", "deep"}
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def clock_changes_cohort() -> tuple[CaseFile, ...]:
    """1,600 children of the generator's ``clock_changes`` profile (seed 6), built once.

    At least 10,000 episodes, open episodes and episodes across clock changes in
    four zones; the research tests take it whole or a leading slice of it.
    """
    return tuple(Cohort(children=1_600, seed=6, profile="clock_changes"))
