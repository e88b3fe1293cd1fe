"""The Scotland pack, ``GB-SCT``: a looked-after child missing from care in Scotland.

From the *National Missing Persons Framework for Scotland* (May 2017) [SCOT-FW]
with its Annex C, risk [SCOT-C], and Annex D, return discussions [SCOT-D]; Missing
People's Framework toolkit [SCOT-TIPS][SCOT-RESP]; and the *National Guidance for
Child Protection in Scotland 2021*, paras 4.310–4.311 [NGCPS]. National guidance,
not statute (strength ``agency_policy``; risk grades ``police_practice``; the
toolkit's initial enquiries ``good_practice``). Text and sources: ``gb_sct.toml``.

Editions: ``2017-05`` (the Framework, May 2017; the day is not in the sources, so
the first is used): the return discussion arranged within 72 hours of the return
and completed within one week — two deadlines from the return in elapsed time, so
across a clock change the due time on the clock moves by the hour; the child
offered a choice of who holds it; the reasons recorded when it is declined; further
attempts after a decline; initial enquiries, then a report to police (at once if
there is immediate concern, which the library cannot judge); police risk graded
high, medium or low (Scotland did not adopt "absent"). ``2021-09`` (the 2021
guidance, "Version 1.0 September 2021"; day not in the sources) adds "not at home"
used only where agreed beforehand for this child in these circumstances.

Checked in the sources: the toolkit says "The Framework recommends that the Return
Discussion should be arranged with the returned person within 72 hours, and
completed within 1 week" and that the person be offered a choice of who completes
it [SCOT-TIPS]. Annex D on gov.scot says a discussion should be available to
everyone, and that if it is declined further attempts are made and the reasons
recorded [SCOT-D]; the 72 hours and the week were not found in the Annex D text
seen. So they are defaults of ``discussion_arranged_within`` and
``discussion_completed_within`` citing [SCOT-TIPS], for a partnership to change.
Not set by the sources: a timescale for further attempts (the rule prompts, never
breaches) and for initial enquiries (``initial_enquiries_within``, no default).
The child's choice is judged only from the record (``Interviewer.chosen_by_child``,
``ReturnConversation.requested_adult_ids``): breached only when the child asked for
someone else and did not choose this person, otherwise insufficient data. Whether
an absence plan's circumstances (free text) match the episode is not judged: "not
at home" is met when a plan in force when the status was set records the agreement.

>>> from missingcare.rules import get_pack
>>> [r.code for r in get_pack("GB-SCT").rules("2017-05")][:2]
['return-discussion-arranged', 'return-discussion-completed']
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from missingcare.case import CaseFile
from missingcare.conversations import Decision
from missingcare.findings import Finding, Outcome, Severity, Strength
from missingcare.packs import _uk
from missingcare.rules import Duty, Edition, RuleContext, RulePack, Source, kit
from missingcare.rules.kit import ElapsedDeadline, ReMissingPolicy

__all__ = ["PACK", "SCOTTISH_GRADES", "SOURCES"]

_D = kit.read_pack_data("missingcare.packs", "gb_sct.toml")
#: Every source the pack cites, by domain-research key.
SOURCES: tuple[Source, ...] = tuple(_D.sources.values())
#: The police risk grades Police Scotland uses (codes of ``police_risk_grades``).
SCOTTISH_GRADES = frozenset({"low", "medium", "high"})

_ARRANGED, _COMPLETED = "discussion_arranged_within", "discussion_completed_within"
_POLICY, _ENQUIRIES = "re_missing_policy", "initial_enquiries_within"


def _offered(case: CaseFile, ep: kit.EpisodeAt, now: datetime) -> kit.Done:
    return kit.conversation_offered(kit.covering(case, ep.record.id), now)


def _held_or_declined(case: CaseFile, ep: kit.EpisodeAt, now: datetime) -> kit.Done:
    return kit.conversation_held_or_declined(kit.covering(case, ep.record.id), now)


@_D.rule(
    "return-discussion-arranged",
    title="A return discussion is arranged within 72 hours of the return",
    duty=Duty.CONVERSATION_OFFERED, strength=Strength.AGENCY_POLICY, severity=Severity.SERIOUS,
    sources=(*_D.cite("SCOT-TIPS"), *_D.cite("SCOT-D", "SCOT-FW")),
    standard=kit.CLOCK_MESSAGES, parameters=(_ARRANGED, _POLICY),
    fields=("MissingEpisode.returned_at", "ReturnConversation.episode_ids",
            "ReturnConversation.offers", "ReturnConversation.held_at"),
)  # fmt: skip
def return_discussion_arranged(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """The returned child is offered a return discussion, arranged within 72 hours of
    being back (elapsed time from ``returned_at``): an offer recorded by then counts."""
    deadline = ElapsedDeadline(ctx.param(_ARRANGED))
    yield from kit.deadline_findings(
        ctx, case, deadline, _offered, done_param="offered_at", policy=ctx.param(_POLICY)
    )


@_D.rule(
    "return-discussion-completed",
    title="The return discussion is completed within one week of the return",
    duty=Duty.CONVERSATION_HELD, strength=Strength.AGENCY_POLICY, severity=Severity.WARNING,
    sources=(*_D.cite("SCOT-TIPS"), *_D.cite("SCOT-D", "SCOT-FW")),
    standard=kit.CLOCK_MESSAGES, parameters=(_COMPLETED, _POLICY),
    fields=("MissingEpisode.returned_at", "ReturnConversation.episode_ids",
            "ReturnConversation.held_at", "ReturnConversation.decision"),
)  # fmt: skip
def return_discussion_completed(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """The return discussion is held (or declined by the child) within one week of the
    return: 168 elapsed hours from ``returned_at``. A decline is followed by further
    attempts (``return-discussion-further-attempts``)."""
    deadline = ElapsedDeadline(ctx.param(_COMPLETED))
    yield from kit.deadline_findings(
        ctx, case, deadline, _held_or_declined, done_param="held_at", policy=ctx.param(_POLICY)
    )


@_D.rule(
    "return-discussion-choice",
    title="The child is offered a choice of who holds the return discussion",
    duty=Duty.CONVERSATION_HOLDER, strength=Strength.AGENCY_POLICY, severity=Severity.WARNING,
    sources=_D.cite("SCOT-TIPS", "SCOT-D"), applies_to="conversation",
    fields=("ReturnConversation.interviewer", "Interviewer.chosen_by_child",
            "Interviewer.adult_id", "ReturnConversation.requested_adult_ids"),
)  # fmt: skip
def return_discussion_choice(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """The returned person is given a choice of who completes the discussion (most are
    held by police). Met when the record says the child chose the person, or the person
    is one the child asked for; breached only when the child asked for someone else and
    did not choose this person; otherwise insufficient data, never a breach."""
    for conv in kit.held(case, ctx.as_of):
        record, find = conv.record, kit.about(ctx, conv)
        who, asked = record.interviewer, record.requested_adult_ids
        if who is None:
            key, outcome = "unknown", Outcome.INSUFFICIENT_DATA
        elif who.chosen_by_child is True:
            key, outcome = "chosen", Outcome.MET
        elif who.adult_id is not None and who.adult_id in asked:
            key, outcome = "asked-for", Outcome.MET
        elif who.chosen_by_child is False and asked:
            key, outcome = "not-asked-for", Outcome.BREACHED
        else:
            key, outcome = "choice-unknown", Outcome.INSUFFICIENT_DATA
        yield find(key, outcome, observed=record.held_at,
                   evidence=["interviewer", "requested_adult_ids"])  # fmt: skip


def _declined(conv: kit.ConversationAt, now: datetime) -> tuple[int, datetime] | None:
    """The first declined offer known by ``now``, if the child declined."""
    if conv.record.decision is not Decision.DECLINED:
        return None
    offers = [
        (m, o.at) for m, o in enumerate(conv.record.offers)
        if o.outcome.code == "declined" and o.at <= now
    ]  # fmt: skip
    return min(offers, key=lambda mo: mo[1]) if offers else None


@_D.rule(
    "return-discussion-declined-reasons",
    title="When the return discussion is declined, the reasons are recorded",
    duty=Duty.CONVERSATION_OFFERED, strength=Strength.AGENCY_POLICY, severity=Severity.WARNING,
    sources=_D.cite("SCOT-D"), applies_to="conversation",
    fields=("ReturnConversation.decision", "ReturnConversation.declined_reason",
            "ConversationOffer.reason"),
)  # fmt: skip
def return_discussion_declined_reasons(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """When the child declines, the leading agency records why (in the conversation's
    reason for declining, or the declined offer's reason), so the partnership can
    review its discussion process."""
    now = ctx.as_of
    for k, record in enumerate(case.conversations):
        conv = kit.Located(k, record)
        declined = _declined(conv, now)
        if declined is None:
            continue
        find, (m, _) = kit.about(ctx, conv), declined
        reasons = [
            path for path, text in (
                ("declined_reason", record.declined_reason),
                *((f"offers[{j}].reason", o.reason) for j, o in enumerate(record.offers)
                  if o.outcome.code == "declined"),
            ) if text is not None
        ]  # fmt: skip
        if reasons:
            yield find("recorded", Outcome.MET, evidence=reasons)
        else:
            yield find("not-recorded", Outcome.BREACHED,
                       evidence=[f"offers[{m}]", "declined_reason"])  # fmt: skip


@_D.rule(
    "return-discussion-further-attempts",
    title="After a return discussion is declined, further attempts are made",
    duty=Duty.CONVERSATION_OFFERED, strength=Strength.AGENCY_POLICY, severity=Severity.PROMPT,
    sources=_D.cite("SCOT-D"), applies_to="conversation",
    fields=("ReturnConversation.decision", "ReturnConversation.offers", "ConversationOffer.at",
            "ReturnConversation.held_at"),
)  # fmt: skip
def return_discussion_further_attempts(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """If a discussion is declined, further attempts are made to engage the child: a later
    offer or attempt, or a discussion held later, for any episode it covers. The sources
    set no timescale, so until one is recorded this is a prompt, never a breach."""
    now = ctx.as_of
    for k, record in enumerate(case.conversations):
        conv = kit.Located(k, record)
        declined = _declined(conv, now)
        if declined is None:
            continue
        find, (m, at) = kit.about(ctx, conv), declined
        covers = set(record.episode_ids)
        later = sorted(
            (event.at, event.path)
            for other in (
                kit.Located(j, c) for j, c in enumerate(case.conversations)
                if covers.intersection(c.episode_ids)
            )
            for event in kit.conversation_offered((other,), now).events
            if event.at > at
        )  # fmt: skip
        if later:
            again, path = later[0]
            yield find("attempted", Outcome.MET, params={"attempted_at": again}, observed=again,
                       evidence=[f"offers[{m}]", path])  # fmt: skip
        else:
            yield find("prompt", Outcome.PENDING, params={"declined_at": at},
                       evidence=[f"offers[{m}]"])  # fmt: skip


@_D.rule(
    "initial-enquiries-then-report",
    title="Initial enquiries to find the child, then a report to police (at once if concerned)",
    duty=Duty.REPORT, strength=Strength.GOOD_PRACTICE, severity=Severity.SERIOUS,
    sources=_D.cite("SCOT-RESP", "SCOT-FW"), parameters=(_ENQUIRIES,),
    fields=_uk.EFFORTS_FIELDS,
)  # fmt: skip
def initial_enquiries_then_report(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """With no immediate concern, carers make initial enquiries as the child's risk
    assessment and care plan say, recording every action, and report the child to police
    if they are not found; with immediate concern, at once (which the library cannot
    judge). The sources set no time for the enquiries: ``initial_enquiries_within`` is
    the local one. Wales's rule, said once (:func:`missingcare.packs._uk.efforts_then_report`)."""
    yield from _uk.efforts_then_report(case, ctx, _ENQUIRIES)


@_D.rule(
    "police-risk-grade",
    title="Police risk is graded high, medium or low (Scotland did not adopt 'absent')",
    duty=Duty.REPORT, strength=Strength.POLICE_PRACTICE, severity=Severity.INFO,
    sources=_D.cite("SCOT-C", "SCOT-FW"),
    fields=("MissingEpisode.police_report", "MissingEpisode.risk_grades", "RiskGrading.grade"),
)  # fmt: skip
def police_risk_grade(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """Police Scotland grades a missing person's risk high, medium or low (Annex C); the
    Framework did not adopt "absent" or "no apparent risk". A grade outside these is
    recorded in another force's terms. Met once the episode has ended with every grade
    Scottish; no grade recorded for a reported episode is insufficient data."""
    now = ctx.as_of
    for ep in kit.timeline(case, now):
        find, ended = kit.about(ctx, ep), kit.ended_by(ep, now)
        until = ended if ended is not None else now
        grades = [(g, r) for g, r in enumerate(ep.record.risk_grades) if r.at <= until]
        reported = kit.reported_to_police(ep, now, by=ended).at is not None
        other = [g for g, r in grades if r.grade.code not in SCOTTISH_GRADES]
        if other:
            evidence = [f"risk_grades[{g}]" for g in other]
            yield find("other-grade", Outcome.BREACHED, evidence=evidence)
        elif not grades and not reported:
            if ended is not None:
                yield find("not-reported", Outcome.NOT_APPLICABLE, evidence=["police_report"])
        elif ended is None:
            yield find("pending", Outcome.PENDING, evidence=["risk_grades"])
        elif grades:
            yield find("graded", Outcome.MET, evidence=[f"risk_grades[{g}]" for g, _ in grades])
        else:
            yield find("not-graded", Outcome.INSUFFICIENT_DATA,
                       evidence=["police_report", "risk_grades"])  # fmt: skip


@_D.rule(
    "not-at-home-pre-agreed",
    title="'Not at home' is recorded instead of missing only where agreed beforehand "
    "for this child",
    duty=Duty.PLAN, strength=Strength.AGENCY_POLICY, severity=Severity.SERIOUS,
    sources=_D.cite("NGCPS", locator="paras 4.310-4.311"),
    fields=("MissingEpisode.statuses", "StatusChange.status", "CaseFile.absence_plans",
            "AbsencePlan.not_at_home_agreed", "AbsencePlan.agreed_at"),
)  # fmt: skip
def not_at_home_pre_agreed(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """A child is considered "not at home" rather than missing only where it was agreed
    beforehand that this might be the right response for this child in these
    circumstances, under a local inter-agency protocol. Met when an absence plan in force
    when the status was set records the agreement; breached otherwise (no plan, or a
    plan that does not record it). Whether the circumstances match is not judged."""
    now = ctx.as_of
    for ep in kit.timeline(case, now):
        find = kit.about(ctx, ep)
        used = [
            (i, s.at) for i, s in enumerate(ep.record.statuses)
            if s.status.code == "not_at_home" and s.at <= now
        ]  # fmt: skip
        if not used:
            continue
        i, at = used[0]
        plan = kit.plan_in_force(case, at, now)
        if plan is None:
            key, outcome, evidence = "no-plan", Outcome.BREACHED, [f"statuses[{i}]"]
        elif plan.record.not_at_home_agreed is True:
            key, outcome, evidence = "agreed", Outcome.MET, [f"statuses[{i}]", plan.path]
        else:
            key, outcome = "not-agreed", Outcome.BREACHED
            evidence = [f"statuses[{i}]", plan.path_of("not_at_home_agreed")]
        yield find(key, outcome, observed=at, evidence=evidence)


_PARAMETERS = (  # what each means is in gb_sct.toml
    _D.parameter(_ARRANGED, timedelta, timedelta(hours=72), minimum=timedelta(hours=1),
                 sources=_D.cite("SCOT-TIPS")),
    _D.parameter(_COMPLETED, timedelta, timedelta(days=7), minimum=timedelta(hours=1),
                 sources=_D.cite("SCOT-TIPS")),
    _D.parameter(_POLICY, ReMissingPolicy, ReMissingPolicy.RESTART_FROM_LATER_RETURN),
    _D.parameter(_ENQUIRIES, timedelta, None, minimum=timedelta(minutes=1), optional=True),
)  # fmt: skip

_EDITIONS = (
    Edition("2017-05", effective_from=date(2017, 5, 1), sources=_D.cite("SCOT-FW"),
            add=(return_discussion_arranged, return_discussion_completed,
                 return_discussion_choice, return_discussion_declined_reasons,
                 return_discussion_further_attempts, initial_enquiries_then_report,
                 police_risk_grade),
            note="National Missing Persons Framework for Scotland, May 2017 (day not in the "
                 "sources)."),
    Edition("2021-09", effective_from=date(2021, 9, 1), sources=_D.cite("NGCPS"),
            add=(not_at_home_pre_agreed,),
            note="National Guidance for Child Protection in Scotland 2021, version 1.0, "
                 "September 2021 (day not in the sources)."),
)  # fmt: skip

#: The Scotland pack.
PACK = RulePack(
    code="GB-SCT",
    name="Scotland",
    zone="Europe/London",
    aliases=("Scotland", "SCT"),
    editions=_EDITIONS,
    parameters=_PARAMETERS,
    sources=SOURCES,
    evidence=[("episode_statuses", "not_at_home")],
    description=(
        "Children looked after in Scotland who go missing: the return discussion arranged "
        "within 72 hours and completed within a week, the child's choice of who holds it, "
        "declines and further attempts, police risk grades, and 'not at home' only where "
        "agreed beforehand."
    ),
)
