"""Findings and evaluations: values, rendering, deterministic order and the selection helpers."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta

import attrs
import pytest

from missingcare.findings import (
    Evaluation,
    Finding,
    Outcome,
    RuleRef,
    Severity,
    Strength,
    render_message,
    template_fields,
)

T0 = datetime(2026, 10, 27, 9, tzinfo=UTC)


def _finding(
    code: str = "r1",
    outcome: Outcome = Outcome.PENDING,
    *,
    due: datetime | None = None,
    observed: datetime | None = None,
    subject: str = "$.episodes[0]",
    episode_id: str | None = "E1",
) -> Finding:
    return Finding(
        rule=RuleRef("GB-ENG", "2015-04", code),
        outcome=outcome,
        severity=Severity.WARNING,
        strength=Strength.STATUTORY_GUIDANCE,
        subject=subject,
        message_id=f"gb-eng.{code}.{outcome.value}",
        params={"episode_id": "E1"},
        text="Episode E1.",
        due=due,
        observed=observed,
        episode_id=episode_id,
    )


def test_rule_ref_is_stable_text_and_validated() -> None:
    assert str(RuleRef("GB-ENG", "2015-04", "return-conversation-72h")) == (
        "GB-ENG/2015-04/return-conversation-72h"
    )
    with pytest.raises(ValueError, match="ISO 3166"):
        RuleRef("England", "2015-04", "x")
    with pytest.raises(ValueError, match="code"):
        RuleRef("GB-ENG", "2015-04", "Not A Code")


def test_render_message_formats_instants_durations_and_checks_parameters() -> None:
    text = render_message(
        "due {due} ({period}); {n} episodes in {window}; ok={ok}",
        {
            "due": datetime(2026, 10, 27, 21, tzinfo=UTC),
            "period": timedelta(hours=72),
            "n": 3,
            "window": timedelta(days=30),
            "ok": True,
        },
    )
    # no zone known: the wall clock of UTC, saying so
    assert (
        text == "due 21:00 on Tue 27 October 2026 (UTC) (72 hours); 3 episodes in 30 days; ok=yes"
    )
    # in the placement's zone, with its abbreviation; counts take their noun's number
    assert render_message(
        "due {due}; seen {n:time/times}, then {m:time/times}; {gap}",
        {
            "due": datetime(2026, 10, 24, 21, tzinfo=UTC),
            "n": 1,
            "m": 3,
            "gap": timedelta(minutes=1),
        },
        zone="Europe/London",
    ) == ("due 22:00 on Sat 24 October 2026 (BST); seen 1 time, then 3 times; 1 minute")
    with pytest.raises(KeyError):
        render_message("{a} {b}", {"a": 1})
    with pytest.raises(ValueError, match="not used"):
        render_message("{a}", {"a": 1, "b": 2})
    assert template_fields("{a} and {b}") == {"a", "b"}


def test_finding_normalises_and_refuses_bad_values() -> None:
    f = _finding(due=datetime(2026, 10, 27, 22, tzinfo=UTC).astimezone())
    assert f.due is not None
    assert f.due.tzinfo is UTC
    assert f.params == (("episode_id", "E1"),)
    assert f.parameters == {"episode_id": "E1"}
    with pytest.raises(TypeError):
        attrs.evolve(f, params={"note": ["free", "text"]})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        attrs.evolve(f, evidence="$.episodes[0]")  # type: ignore[arg-type]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        f.outcome = Outcome.MET  # type: ignore[misc]


def test_outstanding_means_pending_or_breached_with_nothing_done() -> None:
    assert _finding(outcome=Outcome.PENDING).is_outstanding
    assert _finding(outcome=Outcome.BREACHED).is_outstanding
    assert not _finding(outcome=Outcome.BREACHED, observed=T0).is_outstanding
    assert not _finding(outcome=Outcome.MET, observed=T0).is_outstanding
    assert not _finding(outcome=Outcome.INSUFFICIENT_DATA).is_outstanding


def test_severity_ranks_in_order() -> None:
    assert [s.rank for s in Severity] == [0, 1, 2, 3]


def _evaluation(findings: list[Finding]) -> Evaluation:
    return Evaluation(
        pack="GB-ENG", edition="2015-04", as_of=T0, child_id="C1", findings=tuple(findings)
    )


def test_evaluation_order_is_deterministic_and_by_due_first() -> None:
    a = _finding("r10", due=T0 + timedelta(hours=2))
    b = _finding("r2", due=T0 - timedelta(hours=1), outcome=Outcome.BREACHED)
    c = _finding("r3", outcome=Outcome.MET, observed=T0)
    d = _finding("r2", due=T0 + timedelta(hours=2))
    ev = _evaluation([a, b, c, d])
    assert list(ev) == [b, d, a, c]  # due order; then natural rule order (r2 < r10); undated last
    assert _evaluation([c, d, a, b]) == ev
    assert len(ev) == 4


def test_evaluation_helpers() -> None:
    overdue = _finding("r1", Outcome.BREACHED, due=T0 - timedelta(hours=1))
    late = _finding(
        "r1", Outcome.BREACHED, due=T0 - timedelta(hours=3), observed=T0, episode_id="E2"
    )
    soon = _finding("r2", Outcome.PENDING, due=T0 + timedelta(hours=1))
    later = _finding("r2", Outcome.PENDING, due=T0 + timedelta(days=2))
    met = _finding("r3", Outcome.MET, due=T0, observed=T0)
    ev = _evaluation([later, met, soon, overdue, late])
    assert ev.breaches() == (late, overdue)
    assert ev.pending() == (soon, later)
    assert ev.outstanding() == (overdue, soon, later)
    assert ev.due_before(T0 + timedelta(hours=2)) == (overdue, soon)
    assert ev.due_before(T0 + timedelta(hours=2), outstanding_only=False) == (
        late,
        overdue,
        met,
        soon,
    )
    assert ev.by_rule("r2") == (soon, later)
    assert ev.for_episode("E2") == (late,)
    assert ev.counts()[Outcome.BREACHED] == 2
    assert ev.counts()[Outcome.NOT_APPLICABLE] == 0


def test_evaluation_refuses_non_findings_and_pickles() -> None:
    with pytest.raises(TypeError):
        _evaluation(["not a finding"])  # type: ignore[list-item]
    ev = _evaluation([_finding(due=T0)])
    assert pickle.loads(pickle.dumps(ev)) == ev


@pytest.mark.parametrize("path", ["", "   ", "\n"])
def test_an_evidence_path_is_never_blank(path: str) -> None:
    # a tuple of ids built by the class (as an Evaluation's findings are) accepted what the
    # wire and the JSON Schema refuse: a blank id
    from missingcare.exceptions import ValidationError
    from missingcare.findings import Finding, Outcome, RuleRef, Severity, Strength

    with pytest.raises(ValidationError) as caught:
        Finding(
            rule=RuleRef("GB-ENG", "2017-02", "x"),
            outcome=Outcome.MET,
            severity=Severity.INFO,
            strength=Strength.REGULATION,
            subject="$",
            message_id="a",
            text="t",
            evidence=("$.episodes[0]", path),
        )
    assert [v.path for v in caught.value.violations] == ["$.evidence[1]"]
    assert caught.value.violations[0].code == "empty"
