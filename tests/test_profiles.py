"""The suite's Hypothesis profiles scale each property test's documented count."""

from __future__ import annotations

import pytest
from hypothesis import settings

from tests._helpers import DEEP_EXAMPLES, PROFILES, examples


@pytest.mark.parametrize(
    ("profile", "documented", "expected"),
    [
        ("default", 2000, 200),
        ("default", 300, 30),
        ("default", 100, 20),
        ("default", 15, 15),
        ("thorough", 2000, 2000),
        ("thorough", 15, 15),
        ("deep", 2000, DEEP_EXAMPLES),
        ("deep", 200_000, 200_000),
    ],
)
def test_examples_follow_the_profile(
    monkeypatch: pytest.MonkeyPatch, profile: str, documented: int, expected: int
) -> None:
    monkeypatch.setenv("HYPOTHESIS_PROFILE", profile)
    assert examples(documented) == expected


def test_an_unknown_profile_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HYPOTHESIS_PROFILE", "quick")
    with pytest.raises(ValueError, match="default, thorough, deep"):
        examples(10)


def test_every_profile_is_registered_derandomised_without_deadline() -> None:
    for name in PROFILES:
        profile = settings.get_profile(name)
        assert profile.derandomize
        assert profile.deadline is None
    assert settings.get_profile("deep").max_examples == DEEP_EXAMPLES
