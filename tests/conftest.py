"""Hypothesis profiles for the suite.

* ``default`` (used unless ``HYPOTHESIS_PROFILE`` says otherwise): derandomised
  so CI runs are reproducible, no deadline (CI machines are noisy);
* ``thorough``: 100,000 examples for every property test, the documented
  deep run (``HYPOTHESIS_PROFILE=thorough pytest tests/test_converters.py``).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough",
    parent=settings.get_profile("default"),
    max_examples=100_000,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
