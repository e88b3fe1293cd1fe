"""The rule-pack conformance kit: the checks every pack, ours and third parties', passes.

Two ways to use it:

* :func:`check_pack` returns a :class:`ConformanceReport` listing every problem
  found, for a pack and any case files you supply (your own fixtures or
  generated ones);
* :class:`RulePackContract` is a pytest base class: subclass it with
  ``pack = MY_PACK`` and pytest runs every check, drawing case files from
  :func:`missingcare.testing.strategies.case_files` with Hypothesis::

      from missingcare.testing.conformance import RulePackContract
      from mypackage.wales import PACK

      class TestWalesPack(RulePackContract):
          pack = PACK

The checks: complete metadata; rule codes unique within each edition;
edition date ranges in order and not overlapping; a source on every rule;
every message template renders; every rule *total* over case files (never
raises, and returns well-formed findings whose text is their template
rendered from their parameters); evaluation deterministic; and the as-of
property (a finding met or breached at ``t`` stays so at any later ``t'``; a
pending one never becomes not-applicable).

Needs the ``testing`` extra (Hypothesis) for :class:`RulePackContract` only.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

import attrs

from missingcare.case import CaseFile
from missingcare.findings import Finding, Outcome, RuleRef, render_message, template_fields
from missingcare.rules import Rule, RuleContext, RulePack, UnknownEditionError, evaluate
from missingcare.time import check_zone, local_date

__all__ = [
    "ConformanceProblem",
    "ConformanceReport",
    "RulePackContract",
    "as_of_instants",
    "check_as_of_monotonic",
    "check_case",
    "check_editions",
    "check_messages",
    "check_metadata",
    "check_pack",
    "check_sources",
]


@attrs.frozen
class ConformanceProblem:
    """One way a pack falls short: which check, which rule (if any), what is wrong."""

    check: str
    message: str
    rule: str | None = None

    def __str__(self) -> str:
        where = f" [{self.rule}]" if self.rule else ""
        return f"{self.check}{where}: {self.message}"


@attrs.frozen
class ConformanceReport:
    """The result of :func:`check_pack`: the problems found (none means the pack conforms)."""

    pack: str
    problems: tuple[ConformanceProblem, ...]
    cases_checked: int = 0

    @property
    def ok(self) -> bool:
        """Whether no problem was found."""
        return not self.problems

    def raise_for_problems(self) -> None:
        """Raise :class:`AssertionError` listing the problems, if there are any."""
        if self.problems:
            n = len(self.problems)
            raise AssertionError(
                f"{self.pack} fails {n} conformance check{'s' if n != 1 else ''}:\n"
                + "\n".join(f"  {p}" for p in self.problems)
            )


# --- static checks -------------------------------------------------------------------------------


def check_metadata(pack: RulePack) -> list[ConformanceProblem]:
    """Name, zone, description, parameters and every rule's title, description and messages."""
    out: list[ConformanceProblem] = []

    def bad(message: str, rule: str | None = None) -> None:
        out.append(ConformanceProblem("metadata", message, rule))

    if not pack.name.strip():
        bad("the pack has no name")
    if not pack.description.strip():
        bad("the pack has no description")
    if pack.zone is not None:  # a pack spanning zones has none, and refuses to guess
        try:
            check_zone(pack.zone)
        except ValueError:
            bad("the pack's zone is not an IANA zone")
    for p in pack.parameters:
        if not p.description.strip():
            bad(f"parameter {p.name!r} has no description")
    for ed in pack.editions:
        for r in pack.rules(ed):
            if not r.title.strip():
                bad("rule has no title", r.code)
            if not r.description.strip():
                bad("rule has no description", r.code)
            if not r.messages:
                bad("rule has no messages", r.code)
            if not callable(r.check):
                bad("rule's check is not callable", r.code)
    return out


def check_editions(pack: RulePack) -> list[ConformanceProblem]:
    """Editions in date order, ranges not overlapping, rule codes unique in each edition."""
    out: list[ConformanceProblem] = []
    eds = pack.editions
    for prev, cur in itertools.pairwise(eds):
        if cur.effective_from <= prev.effective_from:
            out.append(
                ConformanceProblem("editions", f"{cur.name!r} does not start after {prev.name!r}")
            )
        end = pack.edition_ends(prev)
        if end is not None and end >= cur.effective_from:
            out.append(ConformanceProblem("editions", f"{prev.name!r} overlaps {cur.name!r}"))
    for ed in eds:
        codes = [r.code for r in pack.rules(ed)]
        if len(set(codes)) != len(codes):
            out.append(ConformanceProblem("editions", f"rule codes repeat in {ed.name!r}"))
        if not codes:
            out.append(ConformanceProblem("editions", f"edition {ed.name!r} has no rules"))
    return out


def check_sources(pack: RulePack) -> list[ConformanceProblem]:
    """Every rule cites at least one source with a key, a title and a URL."""
    out: list[ConformanceProblem] = []
    seen: set[str] = set()
    for ed in pack.editions:
        for r in pack.rules(ed):
            if r.code in seen:
                continue
            seen.add(r.code)
            if not r.sources:
                out.append(ConformanceProblem("sources", "rule cites no source", r.code))
            for s in r.sources:
                if not (
                    s.key.strip() and s.title.strip() and s.url.startswith(("http://", "https://"))
                ):
                    out.append(
                        ConformanceProblem("sources", "a source lacks key, title or URL", r.code)
                    )
    return out


def check_messages(pack: RulePack) -> list[ConformanceProblem]:
    """Every message template renders when each placeholder gets a value."""
    out: list[ConformanceProblem] = []
    for ed in pack.editions:
        for r in pack.rules(ed):
            for key, template in r.messages:
                try:
                    fields = template_fields(template)
                    render_message(template, dict.fromkeys(fields, "x"))
                except (KeyError, ValueError, IndexError) as exc:
                    out.append(
                        ConformanceProblem(
                            "messages", f"message {key!r} does not render: {exc}", r.code
                        )
                    )
    return out


# --- dynamic checks ------------------------------------------------------------------------------


def as_of_instants(case: CaseFile, *, around: Sequence[timedelta] = ()) -> tuple[datetime, ...]:
    """Instants worth evaluating a case at: every recorded instant, a second either side,
    and the same shifted by ``around`` (e.g. a rule's 72 hours), sorted and unique."""
    base: set[datetime] = set()
    for ep in case.episodes:
        base.update(
            t
            for t in (ep.last_seen_at, ep.ended_at, ep.returned_at, ep.noticed_at)
            if t is not None
        )
        base.update(s.at for s in ep.statuses)
        base.update(n.at for n in ep.notifications)
        if ep.police_report is not None:
            base.add(ep.police_report.reported_at)
    for conv in case.conversations:
        if conv.held_at is not None:
            base.add(conv.held_at)
        base.update(o.at for o in conv.offers)
    base.update(c.at for c in case.context)
    base.update(ta.named_at for ta in case.trusted_adults)
    shifted = set(base)
    for t in base:
        for d in around:
            shifted.add(t + d)
    out: set[datetime] = set()
    one = timedelta(seconds=1)
    for t in shifted:
        out.update((t - one, t, t + one))
    return tuple(sorted(out))


def _finding_problems(pack: RulePack, r: Rule, f: Finding) -> list[ConformanceProblem]:
    out: list[ConformanceProblem] = []
    prefix = f"{pack.code.lower()}.{r.code}."
    if not f.message_id.startswith(prefix):
        out.append(ConformanceProblem("total", "a finding's message id is not the rule's", r.code))
        return out
    key = f.message_id[len(prefix) :]
    try:
        text = render_message(r.template(key), f.parameters, zone=f.zone)
    except (KeyError, ValueError) as exc:
        out.append(ConformanceProblem("total", f"message {key!r} does not render: {exc}", r.code))
        return out
    if text != f.text:
        out.append(
            ConformanceProblem("total", f"message {key!r} text differs from its rendering", r.code)
        )
    if not f.subject.startswith("$"):
        out.append(ConformanceProblem("total", "a finding's subject is not a path", r.code))
    if any(not p.startswith("$") for p in f.evidence):
        out.append(ConformanceProblem("total", "a finding's evidence is not a path", r.code))
    if f.rule.code != r.code or f.rule.pack != pack.code:
        out.append(ConformanceProblem("total", "a finding refers to another rule", r.code))
    return out


def _key(f: Finding) -> tuple[Any, ...]:
    return (f.rule.code, f.subject, f.episode_id, f.conversation_id)


def check_as_of_monotonic(
    earlier: Iterable[Finding], later: Iterable[Finding]
) -> list[ConformanceProblem]:
    """Met or breached stays so later; pending never becomes not-applicable, unless a
    recorded event made the duty moot (the later finding's ``observed`` instant: the
    child declined the conversation, say).

    Findings are matched by rule, subject, episode and conversation; keys
    with several findings (one per recipient, say) are compared only when
    the outcomes agree as multisets. Pending may become insufficient data:
    a later fact can reveal a gap in the record (a return time not
    recorded), which is never to be read as compliance.
    """
    out: list[ConformanceProblem] = []
    before: dict[tuple[Any, ...], list[Outcome]] = {}
    after: dict[tuple[Any, ...], list[Outcome]] = {}
    for f in earlier:
        before.setdefault(_key(f), []).append(f.outcome)
    observed: dict[tuple[Any, ...], datetime | None] = {}
    for f in later:
        after.setdefault(_key(f), []).append(f.outcome)
        observed[_key(f)] = f.observed
    final = {Outcome.MET, Outcome.BREACHED}
    for key, outcomes in before.items():
        now = after.get(key)
        if now is None:
            out.append(
                ConformanceProblem("as-of", f"a finding disappeared later ({key[1]})", key[0])
            )
            continue
        if len(outcomes) != 1 or len(now) != 1:
            continue
        a, b = outcomes[0], now[0]
        moot = observed.get(key) is not None  # a recorded event (a decline) made it moot
        if (a in final and b is not a) or (
            a is Outcome.PENDING and b is Outcome.NOT_APPLICABLE and not moot
        ):
            out.append(
                ConformanceProblem("as-of", f"{a.value} became {b.value} later ({key[1]})", key[0])
            )
    return out


def check_case(
    pack: RulePack,
    case: CaseFile,
    instants: Sequence[datetime] | None = None,
    *,
    max_instants: int = 40,
) -> list[ConformanceProblem]:
    """Totality, well-formed findings, determinism and the as-of property over one case."""
    out: list[ConformanceProblem] = []
    around = [v for v in pack.effective_settings.values() if isinstance(v, timedelta)]
    points = tuple(instants) if instants is not None else as_of_instants(case, around=around)
    if len(points) > max_instants:
        step = len(points) / max_instants
        points = tuple(points[int(i * step)] for i in range(max_instants))
    settings = pack.effective_settings
    previous: list[Finding] | None = None
    previous_edition: str | None = None
    for t in points:
        try:
            ed = pack.edition_on(_local_day(pack, t))
        except UnknownEditionError:
            previous = None
            continue
        if previous is not None and ed.name != previous_edition:
            # a later edition may remove rules: only those it keeps are compared across it
            kept = {r.code for r in pack.rules(ed)}
            previous = [f for f in previous if f.rule.code in kept]
        previous_edition = ed.name
        findings: list[Finding] = []
        raised = False
        for r in pack.rules(ed):
            ctx = RuleContext(
                rule=r, ref=RuleRef(pack.code, ed.name, r.code), as_of=t, settings=settings
            )
            try:
                first = list(r.check(case, ctx))
                again = list(r.check(case, ctx))
            except Exception as exc:  # totality: report, never raise
                out.append(ConformanceProblem("total", f"raised {type(exc).__name__}", r.code))
                raised = True
                continue
            if first != again:
                out.append(ConformanceProblem("deterministic", "two runs differ", r.code))
            for f in first:
                out.extend(_finding_problems(pack, r, f))
            findings.extend(first)
        if not raised and evaluate(case, pack=pack, as_of=t) != evaluate(case, pack=pack, as_of=t):
            out.append(ConformanceProblem("deterministic", "two evaluations differ"))
        if previous is not None:
            out.extend(check_as_of_monotonic(previous, findings))
        previous = findings
    return out


def _local_day(pack: RulePack, t: datetime) -> date:
    # a pack without a zone (it spans several) has its editions checked on UTC dates
    return local_date(t, pack.zone or "UTC")


def check_pack(
    pack: RulePack,
    case_files: Iterable[CaseFile] = (),
    *,
    instants: Sequence[datetime] | None = None,
) -> ConformanceReport:
    """Run every check on ``pack`` (the dynamic ones over ``case_files``) and report problems.

    >>> from missingcare.packs.gb_eng import PACK
    >>> check_pack(PACK).ok
    True
    """
    problems = [
        *check_metadata(pack),
        *check_editions(pack),
        *check_sources(pack),
        *check_messages(pack),
    ]
    n = 0
    for case in case_files:
        n += 1
        problems.extend(check_case(pack, case, instants))
    unique = tuple(dict.fromkeys(problems))
    return ConformanceReport(pack=pack.code, problems=unique, cases_checked=n)


# --- the pytest base class -----------------------------------------------------------------------


class RulePackContract:
    """Subclass with ``pack = YOUR_PACK``; pytest then runs every conformance check.

    ``max_examples`` sets how many generated case files the dynamic checks draw.
    """

    pack: ClassVar[RulePack]
    max_examples: ClassVar[int] = 60

    def test_metadata(self) -> None:
        ConformanceReport(self.pack.code, tuple(check_metadata(self.pack))).raise_for_problems()

    def test_editions(self) -> None:
        ConformanceReport(self.pack.code, tuple(check_editions(self.pack))).raise_for_problems()

    def test_sources(self) -> None:
        ConformanceReport(self.pack.code, tuple(check_sources(self.pack))).raise_for_problems()

    def test_messages(self) -> None:
        ConformanceReport(self.pack.code, tuple(check_messages(self.pack))).raise_for_problems()

    def test_total_deterministic_and_monotonic(self) -> None:
        # the strategies first: without the testing extra, their error names it
        from hypothesis import HealthCheck, given, settings  # noqa: PLC0415 - testing extra

        from missingcare.testing.strategies import case_files  # noqa: PLC0415

        pack = self.pack

        @settings(
            max_examples=self.max_examples,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            database=None,
        )
        @given(case_files())
        def run(case: CaseFile) -> None:
            ConformanceReport(pack.code, tuple(check_case(pack, case))).raise_for_problems()

        run()
