"""The conformance kit: GB-ENG passes it, broken packs fail it, and entry-point packs are found."""

from __future__ import annotations

import importlib
import itertools
import sys
import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import attrs
import pytest

from missingcare import rules
from missingcare.case import CaseFile
from missingcare.findings import Finding, Outcome, RuleRef, Severity, Strength
from missingcare.packs.gb_eng import PACK
from missingcare.rules import Edition, RuleContext, RulePack, Source, kit, registry, rule
from missingcare.testing.builders import case_file, episode
from missingcare.testing.conformance import (
    ConformanceReport,
    RulePackContract,
    check_as_of_monotonic,
    check_pack,
)

SRC = Source("TEST", "A test source", "https://example.invalid/source")
SEEN = datetime(2026, 10, 1, 20, tzinfo=UTC)


class TestGBEngConformance(RulePackContract):
    """GB-ENG passes the kit (acceptance 4)."""

    pack = PACK
    max_examples = 40


#: One child, one episode: back in placement an hour after it ended.
CASE = case_file(episode(seen=SEEN, returned=SEEN + timedelta(hours=4)))


@rule(
    "police-report-within-an-hour",
    title="The child is reported to police within an hour of being last seen (synthetic)",
    strength=Strength.LOCAL_PRACTICE,
    severity=Severity.WARNING,
    sources=[Source("LA-ZZ", "A local protocol (synthetic)", "https://example.invalid/p")],
    messages=kit.deadline_messages(
        met="Episode {episode_id}: reported at {reported_at}, by {due}.",
        pending="Episode {episode_id}: report to police by {due}.",
        late="Episode {episode_id}: reported at {reported_at}, after {due}.",
        overdue="Episode {episode_id}: not reported by {due}.",
    ),
)
def police_within_an_hour(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """A local protocol's hour from last seen to the report to police."""
    timeline, hour = kit.timeline(case, ctx.as_of), kit.ElapsedDeadline(timedelta(hours=1))
    for pos, ep in enumerate(timeline):
        done = kit.reported_to_police(ep, ctx.as_of)
        clock = kit.deadline_after(
            timeline, pos, hour, now=ctx.as_of, done=done.at, anchor=kit.Anchor.LAST_SEEN
        )
        find = kit.about(ctx, ep)
        yield kit.deadline_finding(
            find, clock, done, now=ctx.as_of, done_param="reported_at", period=hour.period
        )


#: A local variant of England: its own rule added, one removed, settings and a policy changed.
DERIVED = PACK.derive(
    code="ZZ-LA",
    name="A local authority (synthetic)",
    add=[police_within_an_hour],
    remove=["trusted-adult-recorded"],
    settings={
        "repeat_missing_threshold": 2,
        "re_missing_policy": kit.ReMissingPolicy.KEEP_OWN_CLOCK,
    },
)


class TestDerivedPackConformance(RulePackContract):
    """A pack built with RulePack.derive passes the kit too."""

    pack = DERIVED
    max_examples = 15


def test_a_derived_pack_passes_check_pack_on_a_hand_built_case() -> None:
    report = check_pack(DERIVED, [CASE])
    assert report.ok, report.problems
    assert DERIVED.derived_from == "GB-ENG"


def _pack_of(*rules_: rules.Rule, **kwargs: object) -> RulePack:
    return RulePack(
        code="ZZ-BAD",
        name="Broken",
        zone="Europe/London",
        editions=(Edition("2020-01", date(2020, 1, 1), add=rules_),),
        description="Broken on purpose.",
        **kwargs,  # type: ignore[arg-type]
    )


def _checks(report: ConformanceReport) -> set[str]:
    return {p.check for p in report.problems}


def test_gb_eng_passes_check_pack_on_a_hand_built_case() -> None:
    report = check_pack(PACK, [CASE])
    assert report.ok, report.problems
    assert report.cases_checked == 1
    report.raise_for_problems()


def _decorate(
    code: str, messages: dict[str, str] | None = None, sources: tuple[Source, ...] = (SRC,)
) -> Callable[[rules.RuleCheck], rules.Rule]:
    return rule(
        code,
        title=code,
        strength=Strength.GOOD_PRACTICE,
        severity=Severity.INFO,
        sources=sources,
        messages=messages or {"met": "Met {episode_id}."},
    )


@_decorate("raises")
def raises(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """Raises on every case."""
    raise ZeroDivisionError


@_decorate("unrenderable", messages={"met": "Met {missing_param}."})
def unrenderable(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """Builds a finding whose message lacks a parameter."""
    yield ctx.finding("met", Outcome.MET, subject="$", params={"episode_id": "E1"})


@_decorate("bad-template", messages={"met": "Met {episode_id."})
def bad_template(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """Its template is malformed."""
    yield from ()


_counter = itertools.count()


@_decorate("flaky")
def flaky(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """Different each time."""
    outcome = Outcome.MET if next(_counter) % 2 else Outcome.BREACHED
    yield ctx.finding("met", outcome, subject="$", params={"episode_id": str(next(_counter))})


@_decorate("unsourced", sources=())
def unsourced(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """No sources."""
    yield from ()


@_decorate("flip-flop")
def flip_flop(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """Met before the return, breached after it: breaks the as-of property."""
    ep = case.episodes[0]
    assert ep.returned_at is not None
    outcome = Outcome.MET if ctx.as_of < ep.returned_at else Outcome.BREACHED
    yield ctx.finding("met", outcome, subject="$.episodes[0]", params={"episode_id": ep.id})


@pytest.mark.parametrize(
    ("bad_rule", "check"),
    [
        (raises, "total"),
        (bad_template, "messages"),
        (unrenderable, "total"),
        (flaky, "deterministic"),
        (unsourced, "sources"),
        (flip_flop, "as-of"),
    ],
)
def test_the_kit_catches_broken_rules(bad_rule: rules.Rule, check: str) -> None:
    report = check_pack(_pack_of(bad_rule), [CASE])
    assert check in _checks(report)
    with pytest.raises(AssertionError, match="ZZ-BAD"):
        report.raise_for_problems()


def test_the_kit_catches_overlapping_editions_and_missing_metadata() -> None:
    overlapping = RulePack(
        code="ZZ-BAD",
        name="Broken",
        zone="Europe/London",
        editions=(
            Edition("a", date(2020, 1, 1), effective_to=date(2022, 1, 1), add=(unsourced,)),
            Edition("b", date(2021, 1, 1)),
        ),
    )
    report = check_pack(overlapping)
    assert {"editions", "metadata", "sources"} <= _checks(report)
    messages = [p.message for p in report.problems]
    assert "'a' overlaps 'b'" in messages
    assert "the pack has no description" in messages
    nameless = attrs.evolve(unsourced, description="")
    assert "metadata" in _checks(check_pack(_pack_of(nameless)))


def test_monotonic_check_allows_pending_to_resolve_but_not_to_vanish() -> None:
    def f(outcome: Outcome) -> Finding:
        return Finding(
            rule=RuleRef("ZZ-BAD", "2020-01", "x"),
            outcome=outcome,
            severity=Severity.INFO,
            strength=Strength.GOOD_PRACTICE,
            subject="$.episodes[0]",
            message_id="zz-bad.x.met",
            params={},
            text="x",
        )

    ok = [(Outcome.PENDING, o) for o in (Outcome.MET, Outcome.BREACHED, Outcome.PENDING)]
    ok += [(Outcome.NOT_APPLICABLE, Outcome.PENDING), (Outcome.MET, Outcome.MET)]
    for a, b in ok:
        assert check_as_of_monotonic([f(a)], [f(b)]) == []
    bad = [
        (Outcome.PENDING, Outcome.NOT_APPLICABLE),
        (Outcome.MET, Outcome.BREACHED),
        (Outcome.BREACHED, Outcome.PENDING),
    ]
    for a, b in bad:
        assert check_as_of_monotonic([f(a)], [f(b)])
    assert check_as_of_monotonic([f(Outcome.MET)], [])
    # a recorded event (the child declining) may make a pending duty moot, and only that
    moot = attrs.evolve(f(Outcome.NOT_APPLICABLE), observed=NEW_YEAR)
    assert check_as_of_monotonic([f(Outcome.PENDING)], [moot]) == []
    assert check_as_of_monotonic([f(Outcome.BREACHED)], [moot])


NEW_YEAR = datetime(2021, 1, 1, tzinfo=UTC)


@rule(
    "met-until-2021",
    title="Met, then gone in 2021 (synthetic, broken on purpose)",
    strength=Strength.LOCAL_PRACTICE,
    severity=Severity.INFO,
    sources=[SRC],
    messages={"met": "Episode {episode_id}: met."},
)
def met_until_2021(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """Met for every episode, until the as-of instant reaches 2021."""
    if ctx.as_of < NEW_YEAR:
        for ep in kit.timeline(case, ctx.as_of):
            yield kit.about(ctx, ep)("met", Outcome.MET)


def test_a_rule_a_later_edition_removes_is_not_compared_across_the_change() -> None:
    def pack(removed: rules.Rule, kept: rules.Rule) -> RulePack:
        return RulePack(
            code="ZZ-ED",
            name="Editions (synthetic)",
            zone="Europe/London",
            description="A later edition removes a rule.",
            editions=(
                Edition("2020-01", date(2020, 1, 1), add=(removed, kept)),
                Edition("2021-01", date(2021, 1, 1), remove=(removed.code,)),
            ),
        )

    seen = NEW_YEAR - timedelta(minutes=30)
    case = case_file(episode(seen=seen, ended=None))
    instants = [seen + timedelta(minutes=10), NEW_YEAR + timedelta(minutes=10)]
    # the removed rule's finding is not "vanished": its edition ended
    assert check_pack(pack(met_until_2021, police_within_an_hour), [case], instants=instants).ok
    # a rule both editions keep is still compared across the change
    report = check_pack(pack(police_within_an_hour, met_until_2021), [case], instants=instants)
    assert [(p.check, p.rule) for p in report.problems] == [("as-of", "met-until-2021")]


# --- acceptance 4: a pack from a throwaway distribution, found through the entry point -----------


def test_entry_point_pack_is_found_by_get_pack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "throwaway_pack.py").write_text(
        textwrap.dedent(
            '''
            """A third party's pack, for the entry-point test."""
            from datetime import date

            from missingcare.findings import Outcome, Severity, Strength
            from missingcare.rules import Edition, RulePack, Source, rule


            @rule(
                "always-met",
                title="Always met",
                strength=Strength.LOCAL_PRACTICE,
                severity=Severity.INFO,
                sources=[Source("TP", "Throwaway protocol", "https://example.invalid/tp")],
                messages={"met": "Met."},
            )
            def always_met(case, ctx):
                """Always met."""
                yield ctx.finding("met", Outcome.MET, subject="$")


            PACK = RulePack(
                code="ZZ-TPK",
                name="Throwaway",
                zone="Europe/London",
                aliases=("Throwawayshire",),
                editions=(Edition("2020-01", date(2020, 1, 1), add=(always_met,)),),
                description="A throwaway pack.",
            )
            '''
        )
    )
    info = tmp_path / "throwaway_pack-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: throwaway-pack\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[missingcare.packs]\nZZ-TPK = throwaway_pack:PACK\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    monkeypatch.setattr(
        registry, "_registry", None
    )  # a fresh shared registry: discovery runs again
    monkeypatch.delitem(sys.modules, "throwaway_pack", raising=False)

    assert "ZZ-TPK" in rules.available_packs()
    assert "throwaway_pack" not in sys.modules  # discovered lazily, not loaded yet
    pack = rules.get_pack("ZZ-TPK")
    assert pack.name == "Throwaway"
    assert rules.get_pack("throwawayshire") is pack
    assert check_pack(pack, [CASE]).ok
    ev = rules.evaluate(CASE, pack="ZZ-TPK", as_of=SEEN)
    assert [f.message_id for f in ev] == ["zz-tpk.always-met.met"]
    with pytest.raises(rules.PackConflictError):
        rules.register_pack(pack)
