"""Local time for people, UTC for machines: no text a person reads shows a machine's form.

Every message template of every built-in pack, every message of the rule kit
and every insight prompt is rendered with synthetic values in several zones
(London around both clock changes, Melbourne, New York), and every finding
and formulation of a synthetic cohort in each pack's terms is read; none may
contain an RFC 3339 timestamp, a vocabulary or rule code where a label
belongs, or a "(s)" plural.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from missingcare import analysis
from missingcare.analysis import formulation as formulation_module
from missingcare.analysis.insights import MESSAGES, Insight, InsightKind
from missingcare.findings import Finding, render_message
from missingcare.rules import available_packs, evaluate, get_pack, kit
from missingcare.rules.engine import RulePack
from missingcare.testing.synth import Cohort
from missingcare.time import format_local
from missingcare.vocab import Vocabulary
from missingcare.vocabularies import CORE

# a machine's timestamp: 2026-04-03T04:23:00Z, 2026-04-03T04:23+00:00, 2026-04-03 04:23:00
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")

#: Instants around the clock changes of the zones people read them in.
ZONES = ("Europe/London", "Australia/Melbourne", "America/New_York")
INSTANTS = (
    datetime(2026, 3, 29, 0, 59, tzinfo=UTC),  # London: the last GMT minute before BST
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # London: 02:00 BST
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # London: 01:30 BST, the first reading
    datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # London: 01:30 GMT, the second
    datetime(2026, 4, 4, 16, 0, tzinfo=UTC),  # Melbourne: AEDT ends
    datetime(2026, 3, 8, 7, 0, tzinfo=UTC),  # New York: EDT begins
)


def _packs() -> list[RulePack]:
    return [get_pack(code) for code in available_packs()]


def _vocabularies() -> list[Vocabulary]:
    out = list(CORE.values())
    for pack in _packs():
        out += pack.vocabularies
    return out


def _codes() -> dict[str, str]:
    """Every code a person must not see, with what it is: vocabulary, rule and enum codes.

    A vocabulary code that is its label in lower case (``police``, ``boredom``)
    is an ordinary word and is left out; every other code is kept. Codes that
    are single English words (``far``, ``local``, ``other``) cannot be told
    from prose in a sentence: they are checked where they would enter one, as
    a whole parameter value (:func:`_check_params`), and as whole words only in
    the templates' fixed text, where no pack writes them as words.
    """
    out: dict[str, str] = {}
    for vocab in _vocabularies():
        for concept in vocab.concepts:
            if concept.code != concept.display.lower():
                out[concept.code] = f"{vocab.name} code"
    for pack in _packs():
        for edition in pack.editions:
            for r in pack.rules(edition):
                out[r.code] = f"{pack.code} rule code"
    return out


CODES = _codes()
# codes that contain a separator are never prose; single words are checked as whole values
MARKED = {c: why for c, why in CODES.items() if re.search(r"[_.\-]", c)}
WORDS = {c: why for c, why in CODES.items() if c not in MARKED}
_MARKED_RE = re.compile(
    r"(?<![\w.\-])("
    + "|".join(re.escape(c) for c in sorted(MARKED, key=len, reverse=True))
    + r")(?![\w\-])"
)


def _problems(text: str) -> list[str]:
    out = []
    if RFC3339.search(text):
        out.append("an RFC 3339 timestamp")
    if ISO_DATE.search(text):
        out.append("an ISO date")
    if "(s)" in text:
        out.append("a '(s)' plural")
    for m in _MARKED_RE.finditer(text):
        out.append(f"the {MARKED[m.group(1)]} {m.group(1)!r}")
    for m in SNAKE.finditer(text):
        out.append(f"the code-like token {m.group(0)!r}")
    return out


def _assert_readable(text: str, where: str) -> None:
    problems = _problems(text)
    assert not problems, f"{where}: {', '.join(problems)} in {text!r}"


# --- the checker itself can fail ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Offer a return conversation by 2026-10-27T21:00:00Z.",
        "Episode E1: placing_authority notified.",
        "The log mentions older peers 3 time(s).",
        "The offer is counted by return-conversation-offered.",
        "Push factor communication_breakdown.",
        "Seen on 2026-03-03.",
    ],
)
def test_the_check_catches_machine_text(text: str) -> None:
    assert _problems(text)


def test_the_check_passes_text_for_people() -> None:
    text = (
        "Offer a return conversation for episode SYN-7-000001-E01 by 21:00 on Tue 27 October "
        "2026 (GMT) (72 hours after the return); the placing authority was notified 3 times; "
        "a self-harm concern; breakdown in communication."
    )
    assert _problems(text) == []


# --- every template, with synthetic values -----------------------------------------------------


def _sample(name: str, spec: str, at: datetime, n: int) -> object:
    """A synthetic value for the placeholder ``name``, by what its name says it holds."""
    if "/" in spec or name in {"count", "n", "baseline"} or name.startswith(("count", "n_")):
        return n
    if name in {"due", "latest", "since", "until"} or name.endswith(("_at", "_due")):
        return at
    if name in {"window", "period", "lookback", "gap", "deadline"} or name.endswith("window"):
        return timedelta(hours=72 if n != 1 else 1)
    return f"sample {name.replace('_', ' ')}"


def _samples(template: str, at: datetime, n: int) -> dict[str, object]:
    return {
        name: _sample(name, spec or "", at, n)
        for _, name, spec, _ in string.Formatter().parse(template)
        if name is not None
    }


def _templates() -> Iterator[tuple[str, str]]:
    for pack in _packs():
        for edition in pack.editions:
            for r in pack.rules(edition):
                for key, template in r.messages:
                    yield f"{pack.code}/{edition.name}/{r.code}/{key}", template
    kit_sets = {
        "CLOCK_MESSAGES": kit.CLOCK_MESSAGES,
        "EVENT_MESSAGES": kit.EVENT_MESSAGES,
        "NOT_CONFIGURED_MESSAGES": kit.NOT_CONFIGURED_MESSAGES,
        "repeat_messages": kit.repeat_messages(done="a meeting was held", todo="hold a meeting"),
    }
    for name, messages in kit_sets.items():
        for key, template in messages.items():
            yield f"kit.{name}/{key}", template


def test_every_pack_and_kit_template_renders_for_people() -> None:
    seen = 0
    for where, template in _templates():
        # the fixed text of the template: no code, no machine form
        fixed = "".join(literal for literal, *_ in string.Formatter().parse(template))
        _assert_readable(fixed, where)
        for word, why in WORDS.items():
            if "-" in why or " rule code" in why:
                assert not re.search(rf"\b{re.escape(word)}\b", fixed), (where, word)
        for zone in (*ZONES, None):
            for at in INSTANTS:
                for n in (1, 3):
                    values = _samples(template, at, n)
                    text = render_message(template, values, zone=zone)  # type: ignore[arg-type]
                    _assert_readable(text, f"{where} in {zone}")
                    if any(isinstance(v, datetime) for v in values.values()):
                        assert format_local(at, zone) in text, where
                    seen += 1
    assert seen > 1000  # every pack's templates were there to be read


def test_every_insight_prompt_and_statement_renders_for_people() -> None:
    statements = formulation_module._FACTS
    for kind in InsightKind:
        for catalogue, name in ((MESSAGES, "prompt"), (statements, "statement")):
            if kind.value not in catalogue:
                continue
            template = catalogue[kind.value]
            fixed = "".join(literal for literal, *_ in string.Formatter().parse(template))
            _assert_readable(fixed, f"{kind.value} {name}")
            for n in (1, 3):
                params = (
                    tuple(
                        (k, v if isinstance(v, int) else str(v))
                        for k, v in _samples(template, INSTANTS[0], n).items()
                        if not isinstance(v, (datetime, timedelta))
                    )
                    + tuple(
                        (k, format_local(v, "Europe/London"))
                        for k, v in _samples(template, INSTANTS[0], n).items()
                        if isinstance(v, datetime)
                    )
                    + tuple(
                        (k, "72 hours")
                        for k, v in _samples(template, INSTANTS[0], n).items()
                        if isinstance(v, timedelta)
                    )
                )
                insight = Insight(kind=kind, child_id="C-1", episode_id="E-1", params=params)
                _assert_readable(insight.render(catalogue), f"{kind.value} {name}")


# --- everything a synthetic cohort gives, in each pack's terms ----------------------------------


def _cohort(pack: RulePack) -> Cohort:
    return Cohort(children=8, seed=21, pack=pack.code, zones=ZONES, profile="clock_changes")


def _check_params(finding: Finding) -> None:
    """A parameter a template writes into a sentence is never a bare code."""
    for name, value in finding.params:
        if isinstance(value, str) and name not in {"episode_id", "conversation_id"}:
            for part in re.split(r", |; | and ", value):
                assert part not in CODES, (finding.message_id, name, part)


def _findings(pack: RulePack) -> Iterator[Finding]:
    cohort = _cohort(pack)
    for case in cohort:
        zone = case.placements[0].zone
        end = cohort.as_of(zone)
        for as_of in (end - timedelta(days=200), end - timedelta(days=30), end):
            the_pack = pack if pack.zone is not None else pack.in_zone(zone)
            yield from evaluate(case, pack=the_pack, as_of=as_of)


@pytest.mark.parametrize("code", sorted(available_packs()))
def test_every_finding_of_a_cohort_reads_for_people(code: str) -> None:
    pack = get_pack(code)
    keys: set[str] = set()
    for finding in _findings(pack):
        _assert_readable(finding.text, finding.message_id)
        _check_params(finding)
        assert finding.zone in ZONES, finding.message_id
        keys.add(finding.message_id)
        for _, value in finding.params:
            if isinstance(value, datetime):
                assert format_local(value, finding.zone) in finding.text, finding.message_id
    assert len(keys) >= 3, keys  # the cohort reached several messages of the pack


def test_every_formulation_and_insight_of_a_cohort_reads_for_people() -> None:
    cohort = Cohort(children=12, seed=21, zones=ZONES, profile="clock_changes")
    read = 0
    for case in cohort:
        as_of = cohort.as_of(case.placements[0].zone)
        for episode in case.episodes:
            f = analysis.formulate(case, episode.id, as_of=as_of)
            for sentence in f.sentences:
                _assert_readable(sentence, f"formulation of {episode.id}")
            for insight in (*f.insights, *f.recurring):
                _assert_readable(insight.prompt, insight.message_id)
                read += 1
        history = analysis.child_history(case, as_of=as_of)
        for insight in history.insights:
            _assert_readable(insight.prompt, insight.message_id)
            read += 1
    assert read > 20
    summary = analysis.home_summary(cohort, as_of=cohort.as_of(ZONES[0]))
    for row in summary.as_rows():
        _assert_readable(str(row["measure"]), "home summary")


def test_no_string_in_the_package_writes_a_plural_as_s_in_brackets() -> None:
    # every message, error and prompt the package writes: "3 times", never "time(s)"
    import io
    import tokenize
    from pathlib import Path

    import missingcare

    root = Path(missingcare.__file__).parent
    plural = re.compile(r"[a-z]\(s\)(?! for )")  # not code inside an f-string: repr(s) for s
    found = []
    for path in sorted(root.rglob("*.py")):
        tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
        for tok in tokens:
            if tok.type in {
                tokenize.STRING,
                getattr(tokenize, "FSTRING_MIDDLE", -1),
            } and plural.search(tok.string):
                found.append(f"{path.relative_to(root)}:{tok.start[0]}")
    for path in sorted(root.rglob("*.toml")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if plural.search(line):
                found.append(f"{path.relative_to(root)}:{n}")
    assert found == []


def test_a_finding_is_written_in_the_zone_of_the_placement_it_is_about() -> None:
    # a child who moved from a home in London to one in New York: each finding is shown on
    # the wall clock of the placement its record belongs to, and carries that zone
    from datetime import date

    from missingcare.findings import Outcome, Severity, Strength
    from missingcare.rules import Edition, Source, rule
    from missingcare.testing import builders as b

    @rule(
        "held",
        title="Held",
        strength=Strength.LOCAL_PRACTICE,
        severity=Severity.INFO,
        sources=[Source("ZZ", "A synthetic protocol", "https://example.invalid/p")],
        messages={"met": "Held at {held_at}.", "seen": "Last seen at {seen_at}."},
    )
    def held(case, ctx):  # type: ignore[no-untyped-def]
        "Says when."
        for conv in kit.held(case, ctx.as_of):
            at = conv.record.held_at
            assert at is not None  # held
            yield kit.about(ctx, conv)("met", Outcome.MET, params={"held_at": at})
        for ep in kit.timeline(case, ctx.as_of):
            yield kit.about(ctx, ep)(
                "seen", Outcome.MET, params={"seen_at": ep.record.last_seen_at}
            )

    pack = RulePack(
        code="ZZ",
        name="Zones",
        zone="Europe/London",
        description="Zones.",
        editions=[Edition("1", date(2026, 1, 1), add=[held])],
    )
    london, new_york = "Europe/London", "America/New_York"
    seen = b.SEEN  # 21:00 BST on Thu 1 October 2026
    later = seen + timedelta(days=10)
    case = b.case_file(
        b.episode("E1", seen=seen),
        b.episode("E2", seen=later, placement_id="P2", zone=new_york),
        placements=[b.placement(), b.placement("P2", zone=new_york)],
        conversations=[b.conversation("RC1", "E1", held_at=seen + timedelta(hours=5))],
    )
    findings = evaluate(case, pack=pack, as_of=later + timedelta(days=1)).findings
    assert {(f.episode_id or f.conversation_id, f.zone, f.text) for f in findings} == {
        ("E1", london, "Last seen at 21:00 on Thu 1 October 2026 (BST)."),
        ("RC1", london, "Held at 02:00 on Fri 2 October 2026 (BST)."),
        ("E2", new_york, "Last seen at 16:00 on Sun 11 October 2026 (EDT)."),
    }
