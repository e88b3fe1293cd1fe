"""The US federal pack, ``US``: an agency's duties when a child goes missing from foster care.

From the Preventing Sex Trafficking and Strengthening Families Act (P.L. 113-183, signed
29 September 2014), which added SSA §471(a)(34) and (35) (42 U.S.C. 671) [OIG-Q][CWIG][CBX15]:

* report a missing or abducted child to law enforcement for entry into NCIC, and to NCMEC,
  immediately and in no case later than 24 hours after the agency receives the information
  (§471(a)(35)(B)): elapsed time from ``MissingEpisode.agency_informed_at`` (when the agency
  learned, not when the child was last seen), each episode on its own clock; the evidence is
  the episode's ``police_report`` and a notification to ``ncmec``;
* on return, determine the primary factors that contributed to the absence (the
  :class:`~missingcare.factors.Factor` records tied to the episode) and, to the extent
  possible and appropriate, respond to them in the current and later placements (a context
  entry of the pack's category ``absence_factors_addressed``, or agreed actions in a held
  return conversation that covers the episode) (§471(a)(35)(A)(ii));
* determine the child's experiences while absent, including screening for sex trafficking
  (a :class:`~missingcare.screenings.Screening` for ``TRAFFICKING``, or a held return
  conversation's screening for it) (§471(a)(35)(A)(iii));
* report a child identified as a sex-trafficking victim to law enforcement immediately, no
  later than 24 hours (§471(a)(34); [GA][CWIG]): a ``Screening`` whose ``concerns`` include
  ``TRAFFICKING`` starts the clock at its ``at``, and a notification to ``police`` recorded
  on one of its episodes at or after it is the report.

What the sources do NOT set: the statute gives no timescale for determining the factors or
for the screening. Both rules have a parameter with no default (``factors_determined_within``,
``screening_within``): until configured, a recorded determination is ``met`` (nothing was due
by a deadline) and a missing one is ``insufficient_data``, never ``met``; configured, they are
ordinary deadlines from the return. Responding to the factors is "to the extent possible and
appropriate", a judgement: that rule is ``pending`` until a response is recorded and never
breached. The section numbering of §471(a)(34) is from the reference (confidence M); the duty
itself is confirmed in [GA].

Editions: ``2015-09`` (29 September 2015, one year after enactment: the protocols of
§471(a)(35)(A) and (34)(A)); ``2016-09`` (29 September 2016, two years after: the 24-hour
reports of (35)(B)). The 24-hour report of an identified victim is placed in ``2016-09``
too: the date it took effect is not in the sources seen.

Zone: none. A federal pack spans six zones and refuses to guess: give it the agency's,
``PACK.in_zone("America/Chicago")`` (or ``--zone`` on the command line); evaluating it without
one raises :class:`~missingcare.exceptions.PackNotConfiguredError`. The state packs
(``US-KY``, ``US-GA``, ``US-MO``, ``US-UT``) are this pack derived, each with its zone.

>>> PACK.zone is None, PACK.in_zone("America/Chicago").zone
(True, 'America/Chicago')
>>> [r.code for r in PACK.rules("2016-09")][:2]
['absence-factors-determined', 'absence-factors-responded']
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

from missingcare.case import CaseFile
from missingcare.conversations import ExploitationCategory
from missingcare.findings import Finding, Outcome, Severity, Strength
from missingcare.rules import Duty, Edition, Rule, RuleContext, RulePack, Source, kit
from missingcare.rules.kit import Anchor, ElapsedDeadline, ReMissingPolicy
from missingcare.typing import Deadline, RuleCheck
from missingcare.vocab import Concept, Vocabulary
from missingcare.vocabularies import CONTEXT_CATEGORIES

__all__ = ["FACTORS_ADDRESSED", "PACK", "SOURCES", "VOCABULARIES", "after_agency_learned"]

_D = kit.read_pack_data("missingcare.packs", "us.toml")
#: Every source the pack cites, by domain-research key.
SOURCES: tuple[Source, ...] = tuple(_D.sources.values())

_SYSTEM = "https://missingcare.invalid/vocab"
#: The agency recorded how it is responding to the factors behind an absence.
FACTORS_ADDRESSED = Concept(
    _SYSTEM, "absence_factors_addressed", "Response to the factors behind an absence",
    "How the current (or a later) placement responds to the primary factors that "
    "contributed to the child's absence was recorded.",
)  # fmt: skip
#: The context category the federal pack adds to the core vocabulary.
VOCABULARIES = (
    Vocabulary("context_categories", CONTEXT_CATEGORIES.title, (FACTORS_ADDRESSED,), source="US"),
)

_KEEP = ReMissingPolicy.KEEP_OWN_CLOCK
_24H = ElapsedDeadline(timedelta(hours=24))
_35B = _D.cite("OIG-Q", locator="SSA §471(a)(35)(B)") + _D.cite("OIG", "CWIG", "CBX15", "GA")
_35A = _D.cite("OIG-Q", locator="SSA §471(a)(35)(A)") + _D.cite("CWIG", "CBX15", "GA")
_FACTORS, _SCREENING = "factors_determined_within", "screening_within"


def after_agency_learned(
    ctx: RuleContext,
    case: CaseFile,
    deadline: Deadline,
    done_for: kit.DoneFor,
    done_param: str,
    *,
    anchor: Anchor = Anchor.AGENCY_INFORMED,
) -> Iterator[Finding]:
    """A deadline after when the agency learned (or ``anchor``), each episode on its own clock.

    The deadline rules of the US packs, federal and state (the statute and the manuals
    count per absence, so a later episode never moves an earlier one's clock).
    """
    yield from kit.deadline_findings(
        ctx, case, deadline, done_for, done_param=done_param, anchor=anchor, policy=_KEEP
    )


def _agency_rule(code: str, title: str, duty: Duty, **metadata: Any) -> Callable[[RuleCheck], Rule]:
    return _D.rule(
        code, title=title, duty=duty, strength=Strength.REGULATION, severity=Severity.SERIOUS,
        sources=_35B, standard=kit.clock_messages(Anchor.AGENCY_INFORMED), **metadata,
    )  # fmt: skip


@_agency_rule(
    "law-enforcement-24h", "The child is reported to law enforcement for NCIC entry within "
    "24 hours of the agency learning they are missing", Duty.REPORT, deadline=_24H,
    fields=("MissingEpisode.agency_informed_at", "MissingEpisode.police_report",
            "PoliceReport.reported_at"),
)  # fmt: skip
def law_enforcement_24h(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """The report to law enforcement (for entry into NCIC), at most 24 elapsed hours after
    the agency received the information; an unrecorded knowledge time is insufficient data."""
    yield from after_agency_learned(
        ctx, case, _24H, lambda c, ep, now: kit.reported_to_police(ep, now), "reported_at"
    )


@_agency_rule(
    "ncmec-24h", "NCMEC is told within 24 hours of the agency learning the child is missing",
    Duty.NOTIFY, deadline=_24H,
    fields=("MissingEpisode.agency_informed_at", "MissingEpisode.notifications",
            "Notification.recipient", "Notification.at"),
)  # fmt: skip
def ncmec_24h(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """A notification to NCMEC, at most 24 elapsed hours after the agency received the
    information that the child is missing."""
    yield from after_agency_learned(
        ctx, case, _24H, lambda c, ep, now: kit.notified(ep, "ncmec", now), "notified_at"
    )


# --- on return: the factors, the response to them, the screening --------------------------------


def _factors(case: CaseFile, ep: kit.EpisodeAt, now: datetime) -> kit.Done:
    return kit.Done(
        tuple(
            kit.DoneEvent(f.noted_at, kit.DoneKind.RECORDED, f"$.factors[{i}]")
            for i, f in enumerate(case.factors)
            if ep.record.id in f.episode_ids and f.noted_at <= now
        )
    )


def _trafficking_screened(case: CaseFile, ep: kit.EpisodeAt, now: datetime) -> kit.Done:
    return kit.screened(case, ep.record.id, now, category=ExploitationCategory.TRAFFICKING)


def _untimed(
    ctx: RuleContext, case: CaseFile, param: str, done_for: kit.DoneFor, done: str
) -> Iterator[Finding]:
    """A duty on return with no timescale in the sources: see the module docstring."""
    within = ctx.param(param)
    if within is not None:
        yield from kit.deadline_findings(
            ctx, case, ElapsedDeadline(within), done_for, done_param=done, policy=_KEEP
        )
        return
    now, done_ids = ctx.as_of, set[str]()
    for ep in kit.timeline(case, now):
        first = done_for(case, ep, now).first
        if first is not None:
            done_ids.add(ep.record.id)
            yield kit.about(ctx, ep)(
                "done", Outcome.MET, params={done: first.at}, observed=first.at,
                evidence=[first.path],
            )  # fmt: skip
    for finding in kit.not_configured_findings(ctx, case, param):
        if finding.episode_id not in done_ids:
            yield finding


def _return_rule(
    code: str, title: str, duty: Duty, param: str, **metadata: Any
) -> Callable[[RuleCheck], Rule]:
    return _D.rule(
        code, title=title, duty=duty, strength=Strength.REGULATION, severity=Severity.WARNING,
        sources=_35A, standard={**kit.CLOCK_MESSAGES, **kit.NOT_CONFIGURED_MESSAGES},
        parameters=(param,), **metadata,
    )  # fmt: skip


@_return_rule(
    "absence-factors-determined", "On return, the primary factors that contributed to the "
    "absence are determined", Duty.CONVERSATION_CONTENT, _FACTORS,
    fields=("MissingEpisode.returned_at", "Factor.episode_ids", "Factor.noted_at"),
)  # fmt: skip
def absence_factors_determined(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """At least one push or pull factor recorded for the episode. The statute sets no
    timescale: see ``factors_determined_within``."""
    yield from _untimed(ctx, case, _FACTORS, _factors, "noted_at")


@_D.rule(
    "absence-factors-responded",
    title="The factors behind the absence are responded to in the current and later placements",
    duty=Duty.PLAN, strength=Strength.REGULATION, severity=Severity.PROMPT, sources=_35A,
    fields=("Factor.episode_ids", "ContextEntry.category", "ReturnConversation.actions"),
)  # fmt: skip
def absence_factors_responded(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """Once the factors are determined, a response is recorded: a context entry
    ``absence_factors_addressed`` from the first factor on, or agreed actions in a held
    return conversation covering the episode. "To the extent possible and appropriate" is a
    judgement, so this is ``pending`` until recorded, never breached."""
    now = ctx.as_of
    addressed = kit.entries(case, FACTORS_ADDRESSED, now)
    for ep in kit.timeline(case, now):
        find, factors = kit.about(ctx, ep), _factors(case, ep, now)
        if factors.first is None:
            if kit.ended_by(ep, now) is not None:
                yield find("no-factors", Outcome.INSUFFICIENT_DATA, evidence=["$.factors"])
            continue
        actions = [
            c.path_of("actions")
            for c in kit.covering(case, ep.record.id)
            if c.record.actions and kit.known(c.record.held_at, now)
        ]
        entry = kit.context_recorded(addressed, since=factors.first.at).first
        if entry is not None or actions:
            path = entry.path if entry is not None else actions[0]
            yield find("responded", Outcome.MET, observed=entry.at if entry else None,
                       evidence=[factors.first.path, path])  # fmt: skip
        else:
            yield find("pending", Outcome.PENDING, evidence=[factors.first.path])


@_return_rule(
    "trafficking-screening", "On return, the child's experiences while absent are determined, "
    "including screening for sex trafficking", Duty.SCREENING, _SCREENING,
    fields=("MissingEpisode.returned_at", "Screening.categories", "Screening.at",
            "ReturnConversation.screening"),
)  # fmt: skip
def trafficking_screening(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """A screening for sex trafficking after the episode (a screening record, or a held
    return conversation's screening). The statute sets no timescale: see ``screening_within``."""
    yield from _untimed(ctx, case, _SCREENING, _trafficking_screened, "screened_at")


@_D.rule(
    "trafficking-victim-reported-24h",
    title="A child identified as a sex-trafficking victim is reported to law enforcement "
    "within 24 hours",
    duty=Duty.REPORT, deadline=_24H, strength=Strength.REGULATION, severity=Severity.SERIOUS,
    sources=_D.cite("GA", "CWIG") + _D.cite("OIG-Q", locator="SSA §471(a)(34)"),
    fields=("Screening.concerns", "Screening.at", "Screening.episode_ids",
            "MissingEpisode.notifications"),
)  # fmt: skip
def trafficking_victim_reported_24h(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """For each screening that identified the child as a possible trafficking victim, a
    notification to police on one of its episodes at or after the screening, within 24
    elapsed hours of it. A screening naming no episode of the file is not judged here."""
    now = ctx.as_of
    located = {e.id: kit.Located(k, e) for k, e in enumerate(case.episodes)}
    for i, s in enumerate(case.screenings):
        eps = sorted(
            (located[e] for e in s.episode_ids if e in located),
            key=lambda ep: (ep.record.last_seen_at, ep.record.id),
        )  # the subject is the earliest of its episodes, whatever "now" is
        identified = ExploitationCategory.TRAFFICKING in s.concerns
        if s.at > now or not identified or not eps or eps[0].record.last_seen_at > now:
            continue
        due = _24H.due(s.at, eps[0].record.zone)
        done = kit.first_of(*(kit.notified(ep, "police", now) for ep in eps))
        at = min((e.at for e in done.events if e.at >= s.at), default=None)
        path = next((e.path for e in done.events if e.at == at), None)
        find, params = kit.about(ctx, eps[0]), {"identified_at": s.at, "due": due}
        evidence = [f"$.screenings[{i}]", *([path] if path else [])]
        if at is not None and at <= due:
            yield find("met", Outcome.MET, params={**params, "reported_at": at}, due=due,
                       observed=at, evidence=evidence)  # fmt: skip
        elif at is not None:
            yield find("late", Outcome.BREACHED, params={**params, "reported_at": at}, due=due,
                       observed=at, evidence=evidence)  # fmt: skip
        elif now <= due:
            yield find("pending", Outcome.PENDING, params=params, due=due, evidence=evidence)
        else:
            yield find("overdue", Outcome.BREACHED, params=params, due=due, evidence=evidence)


# --- the pack ------------------------------------------------------------------------------------

_PARAMETERS = (  # what each means is in us.toml
    _D.parameter(_FACTORS, timedelta, None, minimum=timedelta(hours=1), optional=True),
    _D.parameter(_SCREENING, timedelta, None, minimum=timedelta(hours=1), optional=True),
)

_EDITIONS = (
    Edition("2015-09", effective_from=date(2015, 9, 29), sources=_35A,
            add=(absence_factors_determined, absence_factors_responded, trafficking_screening),
            note="P.L. 113-183: the protocols of SSA §471(a)(35)(A), one year after enactment."),
    Edition("2016-09", effective_from=date(2016, 9, 29), sources=_35B,
            add=(law_enforcement_24h, ncmec_24h, trafficking_victim_reported_24h),
            note="P.L. 113-183: the 24-hour reports of SSA §471(a)(35)(B), two years after "
            "enactment; the identified-victim report's own date is not in the sources."),
)  # fmt: skip

#: The US federal pack (no zone: ``PACK.in_zone("America/Chicago")``).
PACK = RulePack(
    code="US",
    name="United States (federal)",
    zone=None,
    aliases=("USA",),
    editions=_EDITIONS,
    parameters=_PARAMETERS,
    sources=SOURCES,
    vocabularies=VOCABULARIES,
    evidence=[
        ("notification_recipients", "ncmec"),
        ("notification_recipients", "police"),
        ("context_categories", FACTORS_ADDRESSED.code),
    ],
    description=(
        "Title IV-E agencies' duties when a child goes missing from foster care, from P.L. "
        "113-183 (SSA §471(a)(34)-(35)): reports to law enforcement (NCIC) and NCMEC within 24 "
        "hours of the agency learning, the factors behind the absence and the response to them, "
        "sex-trafficking screening, and the report of an identified victim. No zone: set the "
        "agency's with in_zone()."
    ),
)
