"""Tests for the insight value, its message catalogue and the lens configuration."""

from __future__ import annotations

import re
import string
from datetime import timedelta

import attrs
import pytest

from missingcare.analysis import (
    DEFAULT_CONFIG,
    DEFAULT_GROUPS,
    MESSAGES,
    CategoryGroups,
    Evidence,
    Insight,
    InsightKind,
    LensConfig,
    before_window,
)
from missingcare.analysis._common import median_span, span
from missingcare.vocab import SYSTEM, Concept
from missingcare.vocabularies import CONTEXT_CATEGORIES, PULL_FACTORS, RESPONSES_ON_RETURN

from .test_analysis_builders import at, case, entry, episode, ev


def test_every_kind_has_a_message_and_every_message_is_a_question() -> None:
    assert set(MESSAGES) == {k.value for k in InsightKind}
    for template in MESSAGES.values():
        assert template.rstrip().endswith("?")
        lowered = template.lower()
        for word in ("risk score", "caused", "because", "definitely", "certain"):
            assert word not in lowered


def test_messages_only_use_known_parameter_names() -> None:
    allowed = {
        "count",
        "what",
        "window",
        "latest",
        "gap",
        "baseline",
        "baseline_window",
        "lookback",
        "deadline",
        "direction",
    }
    for template in MESSAGES.values():
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        assert names <= allowed


def test_insight_renders_with_an_embedders_catalogue_and_sorts_its_evidence() -> None:
    insight = Insight(
        kind=InsightKind.SANCTION_BEFORE,
        child_id="C-1",
        episode_id="E-1",
        params=(("count", 2), ("what", "x"), ("window", "72 hours")),
        evidence=(Evidence.record("context", "b"), Evidence.record("context", "a")),
    )
    assert insight.evidence_paths == (ev("context", "a"), ev("context", "b"))
    welsh = {InsightKind.SANCTION_BEFORE.value: "{count} cosb yn y {window}?"}
    assert insight.render(welsh) == "2 cosb yn y 72 hours?"
    with pytest.raises(KeyError):
        insight.render({})
    with pytest.raises(KeyError):
        insight.param("absent")
    row = insight.as_row()
    assert row["kind"] == "before.sanction_or_restriction"
    assert row["evidence"] == f"{ev('context', 'a')} {ev('context', 'b')}"
    assert not any(hasattr(insight, name) for name in ("score", "risk", "probability"))


def test_evidence_paths_quote_ids_safely() -> None:
    path = Evidence.record("context", "it's\\odd").path
    assert path == "$.context[?(@.id=='it\\'s\\\\odd')]"
    assert re.fullmatch(r"\$\.context\[\?\(@\.id=='.*'\)\]", path)


def test_spans_are_plain_words() -> None:
    assert span(timedelta(hours=72)) == "72 hours"
    assert span(timedelta(days=14, hours=2)) == "14 days"
    assert span(timedelta(hours=1)) == "1 hour"
    assert span(timedelta(minutes=1)) == "1 minute"
    assert span(timedelta(0)) == "0 minutes"
    assert median_span([]) is None
    assert median_span([timedelta(hours=1), timedelta(hours=3)]) == timedelta(hours=2)


def test_config_is_frozen_hashable_and_checked() -> None:
    assert hash(DEFAULT_CONFIG) == hash(LensConfig())
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        DEFAULT_CONFIG.window = timedelta(hours=1)  # type: ignore[misc]
    with pytest.raises(ValueError, match="window"):
        LensConfig(window=timedelta(0))
    with pytest.raises(TypeError):
        CategoryGroups(conflict="conflict_with_staff")
    for code in DEFAULT_GROUPS.conflict | DEFAULT_GROUPS.sanction | DEFAULT_GROUPS.signals:
        assert code in CONTEXT_CATEGORIES
    for code in DEFAULT_GROUPS.restrictive_responses:
        assert code in RESPONSES_ON_RETURN
    for signal in DEFAULT_GROUPS.signals:
        assert DEFAULT_GROUPS.named_by(signal) <= set(PULL_FACTORS.codes)
    assert DEFAULT_GROUPS.named_by("not_a_signal") == frozenset()


def test_an_embedders_extended_category_maps_through_config() -> None:
    teacher_row = Concept(SYSTEM, "argument_with_teacher", "Argument with a teacher")
    seen = at(3, 3, 22)
    row = attrs.evolve(entry("log-t", at(3, 3, 15), "school_problem"), category=teacher_row)
    c = case(episodes=[episode("E-1", seen)], context=[row])
    assert not before_window(c, "E-1").insights
    groups = attrs.evolve(DEFAULT_GROUPS, conflict=DEFAULT_GROUPS.conflict | {teacher_row.code})
    insight = before_window(c, "E-1", LensConfig(groups=groups)).insights[0]
    assert insight.kind is InsightKind.UNRESOLVED_CONFLICT
    assert insight.evidence_paths == (ev("context", "log-t"),)
    assert insight.param("what") == "argument with a teacher"


def test_a_window_of_24_hours_leaves_the_earlier_row_out() -> None:
    seen = at(3, 3, 22)
    c = case(
        episodes=[episode("E-1", seen)],
        context=[entry("log-old", at(3, 1, 20), "conflict_with_peer")],
    )
    assert before_window(c, "E-1").kinds() == (InsightKind.UNRESOLVED_CONFLICT,)
    assert before_window(c, "E-1", LensConfig(window=timedelta(hours=24))).kinds() == ()
    assert (
        "No log entries"
        in before_window(c, "E-1", LensConfig(window=timedelta(hours=24))).summary()
    )
    with pytest.raises(KeyError):
        before_window(c, "E-404")
