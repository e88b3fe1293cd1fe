"""The Victoria pack, ``AU-VIC``: Child Protection Manual procedure 1515, "Missing children
and young people".

What it encodes, from the procedure's case practitioner tasks [VIC1][VIC4][VIC5]:

* A **response plan** for any child who is reported missing [VIC-MPR], naming the person
  or people who will hold the **return to care conversation**
  (``response-plan-names-conversation-holder``). Evidence: a context entry of the pack's
  category ``missing_response_plan_made`` (in :data:`VOCABULARIES`) recorded from the
  episode's start, whose ``adult_ids`` name the holder; a plan that names no one is its
  own finding. The procedure sets no time for the plan: ``response_plan_within`` has no
  default, and until it is set a missing plan is insufficient data.
* The **return to care conversation** within 48 hours of the child's return
  (``return-to-care-conversation-48h``, versions 4 and 5), elapsed time, exact across
  Melbourne's clock changes; version 1 (March 2017) said "within one working day"
  (``return-to-care-conversation-working-day``): the end of the first working day after
  the day of the return, Victoria's public holidays skipped (``working_days``, any
  :class:`~missingcare.typing.WorkingDayCalendar`). A conversation the child declined
  counts as done, as in the England pack.
* Its **outcome recorded** (``return-to-care-outcome-recorded``): a held
  :class:`~missingcare.conversations.ReturnConversation` records what happened while the
  child was away (``what_happened``), the child's own account (``child_account``) or the
  actions agreed (``actions``). The manual says "on CRIS"; missingcare reads the export.
* The **Repeat Missing Profile** (``repeat-missing-profile``, version 1 only) for a child
  missing three times in the preceding 28 days or for more than seven consecutive days,
  evidenced by a context entry ``repeat_missing_profile_completed``; the procedure sets no
  time for it (``repeat_missing_profile_within``, no default: pending without a due time).

Editions: ``2017-03`` (version 1, 16 March 2017), ``2022-06`` (version 4, 30 June 2022)
and ``2024-12`` (version 5, 9 December 2024). Versions 2 and 3 were not found, so the
change from one working day to 48 hours is dated from version 4, the first seen with it.
The Repeat Missing Profile was not found in versions 4 or 5: where version 1 lists it,
right after documenting the conversation's outcome, version 4 asks instead for a risk
assessment of the child's missing episode and version 5 for a CIMS incident report. So
``2022-06`` removes it (only the opening of each version was seen; a vendor who finds it
in the full text can add it back with :meth:`~missingcare.rules.RulePack.derive`).

When the child goes missing again before the conversation, each return keeps its own
clock by default (the manual says "within 48 hours of the child's return");
``re_missing_policy`` can restart it from the later return instead.

>>> from missingcare.rules import get_pack
>>> [r.code for r in get_pack("AU-VIC").rules("2024-12")]  # doctest: +NORMALIZE_WHITESPACE
['response-plan-names-conversation-holder', 'return-to-care-outcome-recorded',
 'return-to-care-conversation-48h']
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import attrs

from missingcare.case import CaseFile
from missingcare.findings import Finding, Outcome, ParamValue, Severity, Strength
from missingcare.rules import Duty, Edition, RuleContext, RulePack, Source, kit
from missingcare.rules.kit import CalendarDeadline, ElapsedDeadline, ReMissingPolicy
from missingcare.time import PublicHolidays
from missingcare.typing import WorkingDayCalendar
from missingcare.vocab import Concept, Vocabulary
from missingcare.vocabularies import CONTEXT_CATEGORIES

__all__ = ["PACK", "REPEAT_MISSING_PROFILE_COMPLETED", "RESPONSE_PLAN_MADE", "SOURCES",
           "VOCABULARIES"]  # fmt: skip

_D = kit.read_pack_data("missingcare.packs", "au_vic.toml")
#: Every source the pack cites, by domain-research key.
SOURCES: tuple[Source, ...] = tuple(_D.sources.values())

_SYSTEM = "https://missingcare.invalid/vocab"
#: A response plan for the missing child was documented; ``adult_ids`` name who will hold
#: the return to care conversation.
RESPONSE_PLAN_MADE = Concept(
    _SYSTEM, "missing_response_plan_made", "Response plan made",
    "A response plan for the missing child was documented, naming who will hold the "
    "return to care conversation (the adults involved).",
)  # fmt: skip
#: A Repeat Missing Profile was completed and endorsed (Victoria, 2017).
REPEAT_MISSING_PROFILE_COMPLETED = Concept(
    _SYSTEM, "repeat_missing_profile_completed", "Repeat Missing Profile completed",
    "A Repeat Missing Profile was completed and endorsed by a team manager or senior "
    "practitioner.",
)  # fmt: skip
#: The context categories Victoria adds to the core vocabulary.
VOCABULARIES = (
    Vocabulary("context_categories", CONTEXT_CATEGORIES.title,
               (RESPONSE_PLAN_MADE, REPEAT_MISSING_PROFILE_COMPLETED), source="AU-VIC"),
)  # fmt: skip

_PERIOD, _POLICY, _CALENDAR = "return_conversation_within", "re_missing_policy", "working_days"
_PLAN_WITHIN, _RMP_WITHIN = "response_plan_within", "repeat_missing_profile_within"
_TASKS = "Case practitioner tasks"
#: One Victorian working day (the calendar is the parameter's; this one is its default).
_WORKING_DAY = CalendarDeadline(1, calendar=PublicHolidays("AU", "VIC"))


def _held_or_declined(case: CaseFile, ep: kit.EpisodeAt, now: datetime) -> kit.Done:
    return kit.conversation_held_or_declined(kit.covering(case, ep.record.id), now)


@_D.rule(
    "response-plan-names-conversation-holder",
    title="A response plan names who will hold the return to care conversation",
    duty=Duty.CONVERSATION_HOLDER, strength=Strength.AGENCY_POLICY, severity=Severity.WARNING,
    sources=(*_D.cite("VIC5", "VIC4", "VIC1", locator=_TASKS), *_D.cite("VIC-MPR")),
    standard=kit.NOT_CONFIGURED_MESSAGES, parameters=(_PLAN_WITHIN,),
    fields=("ContextEntry.category", "ContextEntry.at", "ContextEntry.adult_ids",
            "MissingEpisode.last_seen_at"),
)  # fmt: skip
def response_plan_names_holder(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """For any child reported missing, a response plan is documented naming the person or
    people responsible for the return to care conversation. Evidence: a context entry
    ``missing_response_plan_made`` from the episode's start (and before the next episode)
    whose ``adult_ids`` name them. No timescale in the procedure: with
    ``response_plan_within`` not set, no plan yet is insufficient data."""
    now, within = ctx.as_of, ctx.param(_PLAN_WITHIN)
    plans = kit.entries(case, RESPONSE_PLAN_MADE, now)
    naming = tuple(p for p in plans if p.record.adult_ids)
    episodes = kit.timeline(case, now)
    for pos, ep in enumerate(episodes):
        find, seen = kit.about(ctx, ep), ep.record.last_seen_at
        before = episodes[pos + 1].record.last_seen_at if pos + 1 < len(episodes) else None
        named = kit.context_recorded(naming, since=seen, before=before).first
        made = kit.context_recorded(plans, since=seen, before=before).first
        due = None if within is None else seen + within
        late = due is not None and named is not None and named.at > due
        base: dict[str, ParamValue] = {} if due is None else {"due": due}
        if named is not None and not late:
            params = {**base, "planned_at": named.at}
            yield find("met", Outcome.MET, params=params, due=due, observed=named.at,
                       evidence=["last_seen_at", named.path])  # fmt: skip
        elif due is not None and now > due:
            key = "late" if late else "no-one-named-overdue" if made else "overdue"
            ev = named or made
            params = {**base, "planned_at": ev.at} if ev else base
            yield find(key, Outcome.BREACHED, params=params, due=due,
                       observed=named.at if named else None,
                       evidence=["last_seen_at", ev.path if ev else "$.context"])  # fmt: skip
        elif made is not None:
            params = {**base, "planned_at": made.at}
            yield find("no-one-named", Outcome.PENDING, params=params, due=due,
                       evidence=["last_seen_at", made.path])  # fmt: skip
        elif due is None:
            params = {"parameter": kit.setting_words(_PLAN_WITHIN)}
            yield find("not-configured", Outcome.INSUFFICIENT_DATA, params=params,
                       evidence=["last_seen_at"])  # fmt: skip
        else:
            yield find("pending", Outcome.PENDING, params=base, due=due, evidence=["last_seen_at"])


@_D.rule(
    "return-to-care-conversation-working-day",
    title="The return to care conversation is held within one working day of the child's return",
    duty=Duty.CONVERSATION_HELD, strength=Strength.AGENCY_POLICY, severity=Severity.WARNING,
    deadline=_WORKING_DAY,
    sources=_D.cite("VIC1", locator=_TASKS), standard=kit.CLOCK_MESSAGES,
    parameters=(_CALENDAR, _POLICY),
    fields=("MissingEpisode.returned_at", "ReturnConversation.episode_ids",
            "ReturnConversation.held_at", "ReturnConversation.decision"),
)  # fmt: skip
def return_conversation_working_day(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """Version 1: the conversation is held (or declined by the child) by the end of the
    first working day after the day of the child's return, Melbourne time; weekends and
    Victoria's public holidays (``working_days``) do not count."""
    deadline = attrs.evolve(_WORKING_DAY, calendar=ctx.param(_CALENDAR))
    yield from kit.deadline_findings(ctx, case, deadline, _held_or_declined, done_param="held_at",
                                     policy=ctx.param(_POLICY))  # fmt: skip


@_D.rule(
    "return-to-care-conversation-48h",
    title="The return to care conversation is held within 48 hours of the child's return",
    duty=Duty.CONVERSATION_HELD, strength=Strength.AGENCY_POLICY, severity=Severity.WARNING,
    sources=_D.cite("VIC5", "VIC4", locator=_TASKS), standard=kit.CLOCK_MESSAGES,
    parameters=(_PERIOD, _POLICY),
    fields=("MissingEpisode.returned_at", "ReturnConversation.episode_ids",
            "ReturnConversation.held_at", "ReturnConversation.decision"),
)  # fmt: skip
def return_conversation_48h(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """The conversation is held (or declined by the child) within 48 hours of the child's
    return: elapsed time from ``returned_at``, so a return on the night the clocks go back
    is due 48 real hours later. An unknown return time is insufficient data."""
    deadline = ElapsedDeadline(ctx.param(_PERIOD))
    yield from kit.deadline_findings(ctx, case, deadline, _held_or_declined, done_param="held_at",
                                     policy=ctx.param(_POLICY))  # fmt: skip


@_D.rule(
    "return-to-care-outcome-recorded",
    title="The outcome of the return to care conversation is recorded",
    duty=Duty.CONVERSATION_CONTENT, strength=Strength.AGENCY_POLICY, severity=Severity.WARNING,
    sources=(*_D.cite("VIC5", "VIC4", "VIC1", locator=_TASKS), *_D.cite("VIC-ADV")),
    applies_to="conversation",
    fields=("ReturnConversation.held_at", "ReturnConversation.what_happened",
            "ReturnConversation.child_account", "ReturnConversation.actions"),
)  # fmt: skip
def return_to_care_outcome_recorded(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """Each conversation held has its outcome documented: what happened while the child was
    away, the child's own account, or the actions agreed. A conversation held with none of
    these recorded breaches the duty to document it."""
    for conv in kit.held(case, ctx.as_of):
        rec, find = conv.record, kit.about(ctx, conv)
        recorded = [n for n in ("what_happened", "child_account") if getattr(rec, n)]
        recorded += ["actions"] if rec.actions else []
        if recorded:
            yield find("met", Outcome.MET, observed=rec.held_at, evidence=recorded)
        else:
            yield find("not-recorded", Outcome.BREACHED,
                       evidence=["what_happened", "child_account", "actions"])  # fmt: skip


def _long_episode_findings(
    ctx: RuleContext, case: CaseFile, episodes: tuple[kit.EpisodeAt, ...], skip: set[str]
) -> Iterator[Finding]:
    """The second trigger: an episode longer than ``repeat_missing_duration``."""
    now, span, within = ctx.as_of, ctx.param("repeat_missing_duration"), ctx.param(_RMP_WITHIN)
    profiles = kit.entries(case, REPEAT_MISSING_PROFILE_COMPLETED, now)
    for ep in episodes:
        seen, ended = ep.record.last_seen_at, kit.ended_by(ep, now)
        if ep.record.id in skip or (ended if ended is not None else now) - seen <= span:
            continue
        find, due = kit.about(ctx, ep), None if within is None else seen + span + within
        base: dict[str, ParamValue] = {"duration": span} | ({} if due is None else {"due": due})
        first = kit.context_recorded(profiles, since=seen).first
        if first is not None:
            key, outcome = ("long-late", Outcome.BREACHED) if due and first.at > due else (
                "long-met", Outcome.MET)  # fmt: skip
            yield find(key, outcome, params={**base, "recorded_at": first.at}, due=due,
                       observed=first.at, evidence=[ep, first.path])  # fmt: skip
        elif due is not None and now > due:
            yield find("long-overdue", Outcome.BREACHED, params=base, due=due, evidence=[ep])
        else:
            key = "long-pending" if due is None else "long-pending-by"
            yield find(key, Outcome.PENDING, params=base, due=due, evidence=[ep])


@_D.rule(
    "repeat-missing-profile",
    title="A Repeat Missing Profile for a child missing three times in 28 days or for more "
    "than seven consecutive days",
    duty=Duty.REPEAT_THRESHOLD, strength=Strength.AGENCY_POLICY, severity=Severity.WARNING,
    sources=_D.cite("VIC1", locator=_TASKS),
    standard=kit.repeat_messages(done="a Repeat Missing Profile was completed",
                                 todo="complete a Repeat Missing Profile"),
    parameters=("repeat_missing_threshold", "repeat_missing_window", "repeat_missing_duration",
                _RMP_WITHIN),
    fields=("MissingEpisode.last_seen_at", "MissingEpisode.ended_at", "ContextEntry.category",
            "ContextEntry.at"),
)  # fmt: skip
def repeat_missing_profile(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """Version 1: a Repeat Missing Profile, endorsed by the team manager or a senior
    practitioner, for a child missing three times in the preceding 28 days or for more than
    seven consecutive days. Evidence: a context entry ``repeat_missing_profile_completed``
    from the episode that crossed the threshold. An episode that both completes a run and
    lasts more than seven days has one finding, the run's."""
    within = ctx.param(_RMP_WITHIN)
    threshold = kit.RepeatThreshold(ctx.param("repeat_missing_threshold"),
                                    ctx.param("repeat_missing_window"))  # fmt: skip
    episodes = kit.timeline(case, ctx.as_of)
    deadline = None if within is None else ElapsedDeadline(within)
    runs = {run.episode.record.id for run in threshold.runs(episodes)}
    yield from kit.repeat_findings(ctx, case, episodes, threshold, respond_within=deadline,
                                   evidence=REPEAT_MISSING_PROFILE_COMPLETED)  # fmt: skip
    yield from _long_episode_findings(ctx, case, episodes, runs)


_PARAMETERS = (  # what each means is in au_vic.toml
    _D.parameter(_PERIOD, timedelta, timedelta(hours=48), minimum=timedelta(hours=1),
                 sources=_D.cite("VIC5", "VIC4")),
    _D.parameter(_CALENDAR, WorkingDayCalendar, PublicHolidays("AU", "VIC"),
                 sources=_D.cite("VIC1")),
    _D.parameter(_POLICY, ReMissingPolicy, ReMissingPolicy.KEEP_OWN_CLOCK),
    _D.parameter(_PLAN_WITHIN, timedelta, None, minimum=timedelta(minutes=1), optional=True),
    _D.parameter("repeat_missing_threshold", int, 3, minimum=1, sources=_D.cite("VIC1")),
    _D.parameter("repeat_missing_window", timedelta, timedelta(days=28),
                 minimum=timedelta(days=1), sources=_D.cite("VIC1")),
    _D.parameter("repeat_missing_duration", timedelta, timedelta(days=7),
                 minimum=timedelta(hours=1), sources=_D.cite("VIC1")),
    _D.parameter(_RMP_WITHIN, timedelta, None, minimum=timedelta(hours=1), optional=True),
)  # fmt: skip

_EDITIONS = (
    Edition("2017-03", effective_from=date(2017, 3, 16), sources=_D.cite("VIC1"),
            add=(response_plan_names_holder, return_conversation_working_day,
                 return_to_care_outcome_recorded, repeat_missing_profile),
            note="Procedure 1515 version 1, 16 March 2017."),
    Edition("2022-06", effective_from=date(2022, 6, 30), sources=_D.cite("VIC4"),
            add=(return_conversation_48h,),
            remove=("return-to-care-conversation-working-day", "repeat-missing-profile"),
            note="Version 4, 30 June 2022: 48 hours; no Repeat Missing Profile in the text "
                 "seen (versions 2 and 3 not found)."),
    Edition("2024-12", effective_from=date(2024, 12, 9), sources=_D.cite("VIC5"),
            note="Version 5, 9 December 2024: the same duties, the plan for any child "
                 "reported missing."),
)  # fmt: skip

#: The Victoria pack.
PACK = RulePack(
    code="AU-VIC",
    name="Victoria",
    zone="Australia/Melbourne",
    aliases=("Victoria", "VIC"),
    editions=_EDITIONS,
    parameters=_PARAMETERS,
    sources=SOURCES,
    vocabularies=VOCABULARIES,
    evidence=[("context_categories", c.code) for c in VOCABULARIES[0].concepts],
    description=(
        "Children subject to child protection in Victoria who go missing (Child Protection "
        "Manual procedure 1515): the response plan naming who holds the return to care "
        "conversation, the conversation within 48 hours of the return (one working day in "
        "2017), its outcome recorded, and the 2017 Repeat Missing Profile."
    ),
)
