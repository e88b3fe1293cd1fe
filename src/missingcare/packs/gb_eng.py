"""The England pack, ``GB-ENG``: what is expected when a looked-after child goes missing.

Built from DfE statutory guidance *Children who run away or go missing from
home or care* (January 2014), the Children's Homes (England) Regulations 2015,
and local practice (marked as such, with configurable thresholds). Every rule
cites its sources by the keys of the project's domain research
(``reference/domain.md`` §11) and states its strength.

Two editions:

* ``2014-01`` (from January 2014, the guidance's month of issue; the day is
  not in the sources, so the first of the month is used): the return
  conversation (offered, within 72 hours of the return, independent, its
  topics), police report and reference, placing authority notified, the
  repeat-missing strategy meeting (local practice), the context before the
  episode reviewed, and a trusted adult recorded.
* ``2015-04`` (from 1 April 2015, when the 2015 regulations commenced): the
  previous edition plus the regulation 40(4) Ofsted prompt and regulation 14
  persistent absence, both for children's homes.

What the case file must record for the rules that need evidence of something
done (see :data:`CONTEXT_CATEGORIES_ADDED`): a
:class:`~missingcare.context.ContextEntry` whose category code is
``strategy_meeting_held``, ``plan_review_requested``,
``episode_context_reviewed`` or ``no_trusted_adult_noted``.

>>> from missingcare.rules import get_pack
>>> pack = get_pack("GB-ENG")
>>> [r.code for r in pack.rules("2014-01")][:2]
['return-conversation-offered', 'return-conversation-72h']
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta

import attrs

from missingcare.case import CaseFile
from missingcare.children import PlacementKind
from missingcare.context import ContextEntry
from missingcare.conversations import ConversationTopic, Decision, ReturnConversation
from missingcare.episodes import MissingEpisode
from missingcare.findings import Finding, Outcome, ParamValue, Severity, Strength
from missingcare.rules import Edition, Parameter, RuleContext, RulePack, Source, rule
from missingcare.vocab import Concept, Vocabulary
from missingcare.vocabularies import CONTEXT_CATEGORIES

__all__ = [
    "CONTEXT_CATEGORIES_ADDED",
    "CONTEXT_REVIEWED",
    "NO_TRUSTED_ADULT_NOTED",
    "PACK",
    "PLAN_REVIEW_REQUESTED",
    "REQUIRED_TOPICS",
    "SOURCES",
    "STRATEGY_MEETING_HELD",
    "context_categories",
]

# --- sources (domain.md §11) ---------------------------------------------------------------------

_S = {
    "DFE14": Source(
        "DFE14",
        "DfE, Statutory guidance on children who run away or go missing from home or care "
        "(January 2014)",
        "https://www.gov.uk/government/publications/"
        "children-who-run-away-or-go-missing-from-home-or-care",
    ),
    "PQ-RHI": Source(
        "PQ-RHI",
        "Parliamentary question answer on repeat missing and return interviews",
        "https://parallelparliament.co.uk/question/30920/missing-people-children",
    ),
    "TCS14": Source(
        "TCS14",
        "The Children's Society, New guidance assures return interviews for young people (2014)",
        "https://www.childrenssociety.org.uk/news-and-blogs/our-blog/"
        "new-guidance-assures-return-interviews-young-people",
    ),
    "ADV": Source(
        "ADV",
        "Advanced Childcare Consultancy, Return home interview",
        "https://advancedcca.co.uk/independent-social-work-assessments/return-home-interview",
    ),
    "KNOW": Source(
        "KNOW",
        "Knowsley return interview form and guidance",
        "https://docsbay.net/appendix-2-return-interview-form-and-guidance-to-be-returned-to",
    ),
    "MP-RHI24": Source(
        "MP-RHI24",
        "Missing People, The delivery of return interviews across England 2023-24",
        "https://www.missingpeople.org.uk/the-delivery-of-return-interviews-across-england-2023-24",
    ),
    "TRIX-IRI": Source(
        "TRIX-IRI",
        "tri.x national keywords: independent return interview",
        "https://trixresources.proceduresonline.com/nat_key/keywords/indep_return_interview.html",
    ),
    "DERBY": Source(
        "DERBY",
        "Derbyshire return interview practice guidance",
        "https://docsbay.net/return-interviews",
    ),
    "DEVON18": Source(
        "DEVON18",
        "Devon County Council FOI response: missing looked-after children and return home "
        "interviews (2018)",
        "https://www.devon.gov.uk/accesstoinformation/archives/information_request/"
        "missing-looked-after-children-and-return-home-interviews",
    ),
    "KENT": Source(
        "KENT",
        "Kent and Medway procedures: children missing from care, home and education",
        "https://kentandmedway.trixonline.co.uk/chapter/children-missing-from-care-home-and-education",
    ),
    "ROTH": Source(
        "ROTH",
        "Rotherham children's homes procedures: absence",
        "https://rotherhamchhomes.proceduresonline.com/p_absence.html",
    ),
    "CHF": Source(
        "CHF",
        "Childhood First procedures: absent and missing",
        "https://childhoodfirst.proceduresonline.com/p_absent_missing.html",
    ),
    "YORKR": Source(
        "YORKR",
        "City of York: missing child or young person",
        "https://www.raiseyork.co.uk/families/missing-child-young-person",
    ),
    "NMS19": Source(
        "NMS19",
        "National Minimum Standards for Children's Homes 2002, Standard 19 (historical)",
        "https://proceduresonline.com/resources/chi_homes/absence.html",
    ),
    "COP-RISK": Source(
        "COP-RISK",
        "College of Policing APP: missing persons risk identification, assessment and management",
        "https://www.college.police.uk/app/missing-persons/risk-identification-assessment-and-management",
    ),
    "REG40": Source(
        "REG40",
        "Children's Homes (England) Regulations 2015, regulation 40",
        "http://legislation.gov.uk/uksi/2015/541/regulation/40/data.html",
        "reg 40(4)(a) and (b)",
    ),
    "WALS": Source(
        "WALS",
        "Walsall children's services procedures: notification of events (regulation 40)",
        "http://walsallchildcare.proceduresonline.com/chapters/p_notif_events_reg40.html",
    ),
    "H2I-14": Source(
        "H2I-14",
        "Homes2Inspire procedures: care and placement planning (regulation 14)",
        "https://homes2inspire.trixonline.co.uk/chapter/care-and-placement-planning",
        "reg 14",
    ),
    "CHR-BODY": Source(
        "CHR-BODY",
        "Children's Homes (England) Regulations 2015 (SI 2015/541)",
        "https://legislation.gov.uk/uksi/2015/541/body/made",
    ),
    "ERID": Source(
        "ERID",
        "East Riding procedures: children who run away or go missing from home and care",
        "https://eastridingcs.trixonline.co.uk/chapter/"
        "children-and-young-people-who-runaway-or-go-missing-from-home-and-care",
    ),
    "PKC": Source(
        "PKC",
        "Perth and Kinross Council: child sexual exploitation behavioural indicators",
        "https://www.pkc.gov.uk/article/17698/"
        "Child-Sexual-Exploitation-risk-indicators-Behavioural-indicators",
    ),
    "LEEDS-C": Source(
        "LEEDS-C",
        "Leeds Safeguarding Children Partnership: return interviews (for children)",
        "https://www.leedsscp.org.uk/children/return-interviews",
    ),
    "NYAS": Source(
        "NYAS",
        "NYAS, Missing the point: how to protect children from going missing and being harmed",
        "https://talksocialjustice.com/"
        "missing-the-point-how-to-protect-children-from-going-missing-and-being-harmed/",
    ),
}

#: Every source the pack cites, by domain-research key.
SOURCES: tuple[Source, ...] = tuple(_S.values())


def _src(*keys: str, locator: str | None = None) -> tuple[Source, ...]:
    return tuple(
        attrs.evolve(_S[k], locator=locator) if locator and _S[k].locator is None else _S[k]
        for k in keys
    )


# --- context categories this pack reads ----------------------------------------------------------


#: A strategy (multi-agency) meeting about the child's going missing was held.
STRATEGY_MEETING_HELD = CONTEXT_CATEGORIES["strategy_meeting_held"]
#: The home asked the placing authority to review the child's plans (reg 14).
PLAN_REVIEW_REQUESTED = CONTEXT_CATEGORIES["plan_review_requested"]
#: Someone reviewed what happened in the hours and days before the episode.
CONTEXT_REVIEWED = CONTEXT_CATEGORIES["episode_context_reviewed"]
#: The record notes that the child has no trusted adult in the home.
NO_TRUSTED_ADULT_NOTED = CONTEXT_CATEGORIES["no_trusted_adult_noted"]

#: The record-keeping context categories the pack reads (all in the core vocabulary).
CONTEXT_CATEGORIES_ADDED: tuple[Concept, ...] = (
    STRATEGY_MEETING_HELD,
    PLAN_REVIEW_REQUESTED,
    CONTEXT_REVIEWED,
    NO_TRUSTED_ADULT_NOTED,
)


def context_categories() -> Vocabulary:
    """The core context categories plus the pack's, for ``make_converter(vocabularies=[...])``."""
    present = set(CONTEXT_CATEGORIES.codes)
    return CONTEXT_CATEGORIES.extend(
        *(c for c in CONTEXT_CATEGORIES_ADDED if c.code not in present)
    )


#: What a return conversation must cover (guidance: harm, reasons, safety, helplines).
REQUIRED_TOPICS: tuple[ConversationTopic, ...] = (
    ConversationTopic.HARM,
    ConversationTopic.REASONS_FOR_RUNNING,
    ConversationTopic.SAFETY_PLANNING,
    ConversationTopic.HELPLINE_INFORMATION,
)

_HOMES = frozenset({PlacementKind.CHILDRENS_HOME, PlacementKind.SECURE_CHILDRENS_HOME})

# --- helpers: what is known as of an instant -----------------------------------------------------


def _known(at: datetime | None, now: datetime) -> bool:
    return at is not None and at <= now


def _timeline(case: CaseFile, now: datetime) -> list[tuple[int, MissingEpisode]]:
    """The episodes begun by ``now``, in time order, with their index in the case file."""
    return sorted(
        ((i, e) for i, e in enumerate(case.episodes) if e.last_seen_at <= now),
        key=lambda ie: (ie[1].last_seen_at, ie[1].id),
    )


def _covering(case: CaseFile, episode_id: str) -> list[tuple[int, ReturnConversation]]:
    return [(k, c) for k, c in enumerate(case.conversations) if episode_id in c.episode_ids]


def _entries(case: CaseFile, concept: Concept, now: datetime) -> list[tuple[int, ContextEntry]]:
    return sorted(
        (
            (i, c)
            for i, c in enumerate(case.context)
            if c.category.code == concept.code and c.at <= now
        ),
        key=lambda ic: (ic[1].at, ic[1].id),
    )


@attrs.frozen
class _Clock:
    """When a conversation (or its offer) is due for an episode, as known at ``now``."""

    state: str  # "open", "not_back", "return_unknown", "waiting", "due"
    due: datetime | None = None
    clock_episode: MissingEpisode | None = None
    later: MissingEpisode | None = None
    later_index: int | None = None


def _conversation_clock(
    timeline: Sequence[tuple[int, MissingEpisode]],
    pos: int,
    done: datetime | None,
    period: timedelta,
    now: datetime,
) -> _Clock:
    """The deadline for episode ``timeline[pos]``, rolled on while the child went missing again.

    ``done`` is when the thing (offer, conversation) was first done for this
    episode, as known at ``now``. When the child went missing again before
    the deadline and before it was done, one conversation may cover both
    episodes: the deadline becomes the later episode's.
    """
    _, ep = timeline[pos]
    if not _known(ep.ended_at, now):
        return _Clock("open")
    if ep.returned_at is None:
        return _Clock("return_unknown")
    if ep.returned_at > now:
        return _Clock("not_back")
    clock_ep = ep
    due = ep.returned_at + period
    j = pos
    while not (done is not None and done <= due) and j + 1 < len(timeline):
        nxt_idx, nxt = timeline[j + 1]
        if not (nxt.last_seen_at < due and (done is None or nxt.last_seen_at < done)):
            break
        if not _known(nxt.ended_at, now) or (nxt.returned_at is not None and nxt.returned_at > now):
            return _Clock("waiting", later=nxt, later_index=nxt_idx)
        if nxt.returned_at is None:
            return _Clock("return_unknown", later=nxt, later_index=nxt_idx)
        clock_ep, due, j = nxt, nxt.returned_at + period, j + 1
    return _Clock("due", due=due, clock_episode=clock_ep)


def _first(values: Sequence[datetime | None]) -> datetime | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _clock_findings(
    ctx: RuleContext,
    *,
    idx: int,
    ep: MissingEpisode,
    clock: _Clock,
    period: timedelta,
    evidence: list[str],
) -> Finding | None:
    """The findings common to both deadline rules before there is a deadline."""
    subject = f"$.episodes[{idx}]"
    if clock.state == "open":
        return ctx.finding(
            "open",
            Outcome.NOT_APPLICABLE,
            subject=subject,
            params={"episode_id": ep.id},
            evidence=[f"{subject}.ended_at"],
            episode_id=ep.id,
        )
    if clock.state == "not_back":
        return ctx.finding(
            "not-back",
            Outcome.NOT_APPLICABLE,
            subject=subject,
            params={"episode_id": ep.id},
            evidence=[f"{subject}.returned_at"],
            episode_id=ep.id,
        )
    if clock.state == "return_unknown":
        later = clock.later or ep
        return ctx.finding(
            "return-unknown",
            Outcome.INSUFFICIENT_DATA,
            subject=subject,
            params={"episode_id": ep.id, "clock_episode_id": later.id, "period": period},
            evidence=[*evidence, f"$.episodes[{clock.later_index}].returned_at"]
            if clock.later
            else [f"{subject}.returned_at"],
            episode_id=ep.id,
        )
    if clock.state == "waiting":
        assert clock.later is not None
        return ctx.finding(
            "waiting",
            Outcome.PENDING,
            subject=subject,
            params={"episode_id": ep.id, "clock_episode_id": clock.later.id, "period": period},
            evidence=evidence,
            episode_id=ep.id,
        )
    return None


_CLOCK_MESSAGES = {
    "open": "Episode {episode_id} is still open; nothing is due until the child is back.",
    "not-back": "Episode {episode_id} has ended but the child is not yet back in placement.",
    "return-unknown": (
        "The time the child returned to placement after episode {clock_episode_id} is not "
        "recorded, so the {period} deadline for episode {episode_id} cannot be worked out."
    ),
    "waiting": (
        "The child went missing again (episode {clock_episode_id}) before a return conversation "
        "for episode {episode_id}; one conversation may cover both, due {period} after the "
        "child is back."
    ),
}


# --- R1 and R2: the return conversation offered, and held within 72 hours ------------------------

_PERIOD = "return_conversation_within"


def _offered_at(
    conversations: Sequence[tuple[int, ReturnConversation]], now: datetime
) -> tuple[datetime | None, list[str]]:
    times: list[datetime | None] = []
    paths: list[str] = []
    for k, conv in conversations:
        for m, offer in enumerate(conv.offers):
            if offer.outcome.code != "not_offered" and offer.at <= now:
                times.append(offer.at)
                paths.append(f"$.conversations[{k}].offers[{m}].at")
        if _known(conv.held_at, now):
            times.append(conv.held_at)
            paths.append(f"$.conversations[{k}].held_at")
    return _first(times), paths


@rule(
    "return-conversation-offered",
    title="A return conversation is offered after every episode",
    strength=Strength.STATUTORY_GUIDANCE,
    severity=Severity.SERIOUS,
    sources=(*_src("DFE14", locator="Independent return interviews"), *_src("PQ-RHI", "TCS14")),
    messages={
        **_CLOCK_MESSAGES,
        "met": "A return conversation was offered for episode {episode_id} at {offered_at}, "
        "by {due}.",
        "pending": "Offer a return conversation for episode {episode_id} by {due} "
        "({period} after the return from episode {clock_episode_id}).",
        "late": "A return conversation for episode {episode_id} was offered at {offered_at}, "
        "after it was due at {due}.",
        "overdue": "No return conversation has been offered for episode {episode_id}; it was "
        "due by {due}.",
    },
    parameters=(_PERIOD,),
    fields=(
        "MissingEpisode.returned_at",
        "ReturnConversation.episode_ids",
        "ReturnConversation.offers",
        "ReturnConversation.decision",
        "ReturnConversation.held_at",
    ),
)
def return_conversation_offered(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """Every child back from an episode is offered a return conversation (an independent
    return interview), in time for it to be held within the deadline. An offer made for a
    conversation that covers several episodes counts for each of them."""
    yield from _deadline_rule(case, ctx, kind="offer")


def _deadline_rule(case: CaseFile, ctx: RuleContext, *, kind: str) -> Iterator[Finding]:
    now = ctx.as_of
    period: timedelta = ctx.param(_PERIOD)
    timeline = _timeline(case, now)
    for pos, (idx, ep) in enumerate(timeline):
        subject = f"$.episodes[{idx}]"
        covering = _covering(case, ep.id)
        declined: datetime | None = None
        if kind == "offer":
            done, paths = _offered_at(covering, now)
        else:
            held: list[tuple[datetime, str]] = [
                (c.held_at, f"$.conversations[{k}].held_at")
                for k, c in covering
                if c.held_at is not None and c.held_at <= now
            ]
            declines = [
                (o.at, f"$.conversations[{k}].offers[{m}].at")
                for k, c in covering
                if c.decision is Decision.DECLINED
                for m, o in enumerate(c.offers)
                if o.outcome.code == "declined" and o.at <= now
            ]
            events = sorted([*held, *declines], key=lambda tp: tp[0])
            done = events[0][0] if events else None
            paths = [p for _, p in events]
            if events and events[0] in declines and events[0] not in held:
                declined = events[0][0]
        evidence = [f"{subject}.returned_at", *paths]
        clock = _conversation_clock(timeline, pos, done, period, now)
        early = _clock_findings(ctx, idx=idx, ep=ep, clock=clock, period=period, evidence=evidence)
        if early is not None:
            yield early
            continue
        assert clock.due is not None
        assert clock.clock_episode is not None
        due = clock.due
        base: dict[str, ParamValue] = {"episode_id": ep.id, "due": due}
        done_name = "offered_at" if kind == "offer" else "held_at"
        if done is not None and done <= due:
            if declined is not None:
                yield ctx.finding(
                    "declined",
                    Outcome.MET,
                    subject=subject,
                    params={**base, "declined_at": declined},
                    due=due,
                    observed=declined,
                    evidence=evidence,
                    episode_id=ep.id,
                )
            else:
                yield ctx.finding(
                    "met",
                    Outcome.MET,
                    subject=subject,
                    params={**base, done_name: done},
                    due=due,
                    observed=done,
                    evidence=evidence,
                    episode_id=ep.id,
                )
        elif now <= due:
            yield ctx.finding(
                "pending",
                Outcome.PENDING,
                subject=subject,
                params={**base, "period": period, "clock_episode_id": clock.clock_episode.id},
                due=due,
                evidence=evidence,
                episode_id=ep.id,
            )
        elif done is not None:
            yield ctx.finding(
                "late",
                Outcome.BREACHED,
                subject=subject,
                params={**base, done_name: done},
                due=due,
                observed=done,
                evidence=evidence,
                episode_id=ep.id,
            )
        else:
            yield ctx.finding(
                "overdue",
                Outcome.BREACHED,
                subject=subject,
                params=base,
                due=due,
                evidence=evidence,
                episode_id=ep.id,
            )


@rule(
    "return-conversation-72h",
    title="The return conversation is held within 72 hours of the child's return",
    strength=Strength.STATUTORY_GUIDANCE,
    severity=Severity.WARNING,
    sources=(*_src("DFE14", "ADV", "KNOW", "MP-RHI24"), *_src("DEVON18")),
    messages={
        **_CLOCK_MESSAGES,
        "met": "The return conversation for episode {episode_id} was held at {held_at}, by {due}.",
        "declined": "The child declined the return conversation for episode {episode_id} "
        "at {declined_at}, before it was due at {due}.",
        "pending": "Hold the return conversation for episode {episode_id} by {due} "
        "({period} after the return from episode {clock_episode_id}).",
        "late": "The return conversation for episode {episode_id} was held at {held_at}, "
        "after it was due at {due}.",
        "overdue": "The return conversation for episode {episode_id} was due by {due} and has "
        "not been held.",
    },
    parameters=(_PERIOD,),
    fields=(
        "MissingEpisode.returned_at",
        "MissingEpisode.last_seen_at",
        "ReturnConversation.episode_ids",
        "ReturnConversation.held_at",
        "ReturnConversation.decision",
    ),
)
def return_conversation_72h(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """The conversation is held (or declined by the child) within 72 hours of the child's
    return to placement: elapsed time from ``returned_at``, not from the start of the
    episode nor from police closure. If the child went missing again before it, one
    conversation may cover several episodes, due 72 hours after the last return. An unknown
    return time is insufficient data, never compliance."""
    yield from _deadline_rule(case, ctx, kind="held")


# --- R3: independence ----------------------------------------------------------------------------


def _held(case: CaseFile, now: datetime) -> Iterator[tuple[int, ReturnConversation]]:
    for k, conv in enumerate(case.conversations):
        if _known(conv.held_at, now):
            yield k, conv


@rule(
    "return-conversation-independent",
    title="The return conversation is held by someone independent of the home, "
    "unless the child chose a trusted adult",
    strength=Strength.STATUTORY_GUIDANCE,
    severity=Severity.WARNING,
    sources=_src("DFE14", "ADV", "KNOW", "TRIX-IRI"),
    messages={
        "independent": "Return conversation {conversation_id} was held by someone independent "
        "of the home.",
        "chosen": "Return conversation {conversation_id} was held by an adult the child chose.",
        "not-independent": "Return conversation {conversation_id} was held by someone who is "
        "not independent of the home and was not chosen by the child.",
        "unknown": "Who held return conversation {conversation_id} is not recorded.",
        "independence-unknown": "Whether the person who held return conversation "
        "{conversation_id} is independent of the home, or was chosen by the child, is not "
        "recorded.",
    },
    applies_to="conversation",
    fields=(
        "ReturnConversation.interviewer",
        "Interviewer.independent_of_home",
        "Interviewer.chosen_by_child",
        "ReturnConversation.held_at",
    ),
)
def return_conversation_independent(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """Held by someone not involved in the child's care (for a children's home, independent
    of the home), unless the child said they would rather talk to an adult they know."""
    for k, conv in _held(case, ctx.as_of):
        subject = f"$.conversations[{k}]"
        if conv.interviewer is None:
            key, outcome = "unknown", Outcome.INSUFFICIENT_DATA
        elif conv.interviewer.independent_of_home is True:
            key, outcome = "independent", Outcome.MET
        elif conv.interviewer.chosen_by_child is True:
            key, outcome = "chosen", Outcome.MET
        elif (
            conv.interviewer.independent_of_home is None or conv.interviewer.chosen_by_child is None
        ):
            # not recorded is neither compliance nor a breach
            key, outcome = "independence-unknown", Outcome.INSUFFICIENT_DATA
        else:
            key, outcome = "not-independent", Outcome.BREACHED
        yield ctx.finding(
            key,
            outcome,
            subject=subject,
            params={"conversation_id": conv.id},
            observed=conv.held_at,
            evidence=[f"{subject}.interviewer"],
            conversation_id=conv.id,
        )


# --- R5: topics ----------------------------------------------------------------------------------


@rule(
    "return-conversation-topics",
    title="The return conversation covers harm, the reasons for running, safety planning "
    "and helpline information",
    strength=Strength.STATUTORY_GUIDANCE,
    severity=Severity.WARNING,
    sources=_src("DFE14", "KNOW", "DERBY"),
    messages={
        "met": "Return conversation {conversation_id} covered harm, the reasons for running, "
        "safety planning and helpline information.",
        "missing-topics": "Return conversation {conversation_id} did not cover: {missing}.",
        "unknown": "The topics return conversation {conversation_id} covered are not recorded.",
    },
    applies_to="conversation",
    fields=(
        "ReturnConversation.topics",
        "ReturnConversation.held_at",
    ),
)
def return_conversation_topics(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """The conversation identifies harm suffered, understands the reasons the child ran,
    helps them plan to stay safe, and gives helpline information. No topics recorded is
    insufficient data."""
    for k, conv in _held(case, ctx.as_of):
        subject = f"$.conversations[{k}]"
        evidence = [f"{subject}.topics"]
        if not conv.topics:
            yield ctx.finding(
                "unknown",
                Outcome.INSUFFICIENT_DATA,
                subject=subject,
                params={"conversation_id": conv.id},
                evidence=evidence,
                conversation_id=conv.id,
            )
            continue
        missing = [t.value for t in REQUIRED_TOPICS if t not in conv.topics]
        if missing:
            yield ctx.finding(
                "missing-topics",
                Outcome.BREACHED,
                subject=subject,
                params={"conversation_id": conv.id, "missing": ", ".join(missing)},
                evidence=evidence,
                conversation_id=conv.id,
            )
        else:
            yield ctx.finding(
                "met",
                Outcome.MET,
                subject=subject,
                params={"conversation_id": conv.id},
                evidence=evidence,
                conversation_id=conv.id,
            )


# --- police report, placing authority ------------------------------------------------------------


@rule(
    "police-report",
    title="The child is reported to police, and the reference recorded, when their "
    "whereabouts are unknown",
    strength=Strength.LOCAL_PRACTICE,
    severity=Severity.SERIOUS,
    sources=(*_src("KENT", "ROTH", "YORKR", "CHF"), *_src("COP-RISK")),
    messages={
        "met": "Episode {episode_id}: reported to police at {reported_at}, reference recorded.",
        "no-reference": "Episode {episode_id}: reported to police at {reported_at}, but the "
        "police reference is not recorded.",
        "pending": "Episode {episode_id}: the child's whereabouts are unknown; report to police "
        "and record the reference.",
        "not-reported": "Episode {episode_id}: the child's whereabouts were unknown but no "
        "report to police was recorded while they were missing.",
        "not-missing": "Episode {episode_id}: the child's whereabouts were known (status not "
        "missing).",
    },
    fields=(
        "MissingEpisode.statuses",
        "StatusChange.status",
        "MissingEpisode.police_report",
        "PoliceReport.reported_at",
        "PoliceReport.reference",
    ),
)
def police_report(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """When a looked-after child's whereabouts are unknown (status ``missing``), the home
    reports them to police and records the police reference. Local procedures; the status
    definition is DfE's."""
    now = ctx.as_of
    for idx, ep in _timeline(case, now):
        subject = f"$.episodes[{idx}]"
        missing = [
            i for i, s in enumerate(ep.statuses) if s.status.code == "missing" and s.at <= now
        ]
        params: dict[str, ParamValue] = {"episode_id": ep.id}
        if not missing:
            if _known(ep.ended_at, now):
                yield ctx.finding(
                    "not-missing",
                    Outcome.NOT_APPLICABLE,
                    subject=subject,
                    params=params,
                    evidence=[f"{subject}.statuses"],
                    episode_id=ep.id,
                )
            continue
        evidence = [f"{subject}.statuses[{missing[0]}]", f"{subject}.police_report"]
        report = ep.police_report
        ended = ep.ended_at if _known(ep.ended_at, now) else None
        if (
            report is not None
            and report.reported_at <= now
            and (ended is None or report.reported_at <= ended)
        ):
            found = {**params, "reported_at": report.reported_at}
            if report.reference is None:
                yield ctx.finding(
                    "no-reference",
                    Outcome.BREACHED,
                    subject=subject,
                    params=found,
                    observed=report.reported_at,
                    evidence=evidence,
                    episode_id=ep.id,
                )
            else:
                yield ctx.finding(
                    "met",
                    Outcome.MET,
                    subject=subject,
                    params=found,
                    observed=report.reported_at,
                    evidence=evidence,
                    episode_id=ep.id,
                )
        elif ended is None:
            yield ctx.finding(
                "pending",
                Outcome.PENDING,
                subject=subject,
                params=params,
                evidence=evidence,
                episode_id=ep.id,
            )
        else:
            yield ctx.finding(
                "not-reported",
                Outcome.BREACHED,
                subject=subject,
                params=params,
                evidence=evidence,
                episode_id=ep.id,
            )


@rule(
    "placing-authority-notified",
    title="The placing authority (and anyone else local policy names) is told the child is missing",
    strength=Strength.LOCAL_PRACTICE,
    severity=Severity.WARNING,
    sources=_src("ROTH", "CHF", "YORKR", "NMS19"),
    messages={
        "met": "Episode {episode_id}: {recipient} notified at {notified_at}.",
        "pending": "Episode {episode_id}: notify {recipient}.",
        "not-notified": "Episode {episode_id}: no notification to {recipient} was recorded "
        "before the episode ended.",
    },
    parameters=("notify_recipients",),
    fields=(
        "MissingEpisode.notifications",
        "Notification.recipient",
        "Notification.at",
    ),
)
def placing_authority_notified(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """For every episode, the placing authority is told while the child is away (local
    procedures); ``notify_recipients`` adds others a local policy requires (codes of the
    notification-recipients vocabulary)."""
    now = ctx.as_of
    recipients: tuple[str, ...] = ctx.param("notify_recipients")
    for idx, ep in _timeline(case, now):
        subject = f"$.episodes[{idx}]"
        ended = ep.ended_at if _known(ep.ended_at, now) else None
        for code in recipients:
            sent = [
                (n.at, m)
                for m, n in enumerate(ep.notifications)
                if n.recipient.code == code and n.at <= now and (ended is None or n.at <= ended)
            ]
            params: dict[str, ParamValue] = {"episode_id": ep.id, "recipient": code}
            evidence = [f"{subject}.notifications"]
            if sent:
                at, m = min(sent)
                yield ctx.finding(
                    "met",
                    Outcome.MET,
                    subject=subject,
                    params={**params, "notified_at": at},
                    observed=at,
                    evidence=[f"{subject}.notifications[{m}]"],
                    episode_id=ep.id,
                )
            elif ended is None:
                yield ctx.finding(
                    "pending",
                    Outcome.PENDING,
                    subject=subject,
                    params=params,
                    evidence=evidence,
                    episode_id=ep.id,
                )
            else:
                yield ctx.finding(
                    "not-notified",
                    Outcome.BREACHED,
                    subject=subject,
                    params=params,
                    evidence=evidence,
                    episode_id=ep.id,
                )


# --- regulation 40(4): a prompt to consider notifying Ofsted -------------------------------------


def _in_home(case: CaseFile, ep: MissingEpisode) -> bool:
    for placement in case.placements:
        if placement.id == ep.placement_id:
            return placement.kind in _HOMES
    return False


@rule(
    "ofsted-notification-prompt",
    title="Consider notifying Ofsted (regulation 40(4)) when exploitation is suspected or "
    "police involvement is serious",
    strength=Strength.REGULATION,
    severity=Severity.PROMPT,
    sources=(*_src("REG40"), *_src("WALS")),
    messages={
        "notified": "Episode {episode_id}: Ofsted was notified at {notified_at} ({grounds}).",
        "consider": "Episode {episode_id}: consider whether regulation 40(4) requires "
        "notifying Ofsted without delay ({grounds}); this is the registered person's judgement.",
        "no-grounds": "Episode {episode_id}: no exploitation indicators or high police risk "
        "grade recorded.",
    },
    fields=(
        "ExploitationScreening.indicators",
        "MissingEpisode.harm_disclosed",
        "ReturnConversation.harm_disclosed",
        "MissingEpisode.risk_grades",
        "RiskGrading.grade",
        "Placement.kind",
    ),
)
def ofsted_notification_prompt(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """Children's homes notify HMCI without delay when a child is suspected of being
    sexually exploited (reg 40(4)(a)) or an incident needing police involvement is judged
    serious (reg 40(4)(b)). The library cannot judge seriousness: it prompts when
    exploitation indicators or harm are recorded or police graded the risk high, and never
    asserts a breach."""
    now = ctx.as_of
    for idx, ep in _timeline(case, now):
        if not _in_home(case, ep):
            continue
        subject = f"$.episodes[{idx}]"
        grounds: list[str] = []
        evidence: list[str] = []
        for k, conv in _covering(case, ep.id):
            if _known(conv.held_at, now) and conv.screening and conv.screening.indicators:
                codes = [c.code for c in conv.screening.indicators]
                grounds.append(
                    "sexual exploitation indicators"
                    if any(c.startswith("cse.") for c in codes)
                    else "exploitation indicators"
                )
                evidence.append(f"$.conversations[{k}].screening.indicators")
        if any(h.code in {"exploitation", "sexual_harm"} for h in ep.harm_disclosed):
            grounds.append("harm disclosed")
            evidence.append(f"{subject}.harm_disclosed")
        for g, grading in enumerate(ep.risk_grades):
            if grading.grade.code == "high" and grading.at <= now:
                grounds.append("police graded the risk high")
                evidence.append(f"{subject}.risk_grades[{g}]")
                break
        params: dict[str, ParamValue] = {"episode_id": ep.id}
        if not grounds:
            yield ctx.finding(
                "no-grounds",
                Outcome.NOT_APPLICABLE,
                subject=subject,
                params=params,
                evidence=[f"{subject}.risk_grades", f"{subject}.harm_disclosed"],
                episode_id=ep.id,
            )
            continue
        why = "; ".join(sorted(set(grounds)))
        sent = sorted(
            (n.at, m)
            for m, n in enumerate(ep.notifications)
            if n.recipient.code == "ofsted" and n.at <= now
        )
        if sent:
            at, m = sent[0]
            yield ctx.finding(
                "notified",
                Outcome.MET,
                subject=subject,
                params={**params, "notified_at": at, "grounds": why},
                observed=at,
                evidence=[*evidence, f"{subject}.notifications[{m}]"],
                episode_id=ep.id,
            )
        else:
            yield ctx.finding(
                "consider",
                Outcome.PENDING,
                subject=subject,
                params={**params, "grounds": why},
                evidence=evidence,
                episode_id=ep.id,
            )


# --- repeated episodes: regulation 14 and the strategy meeting -----------------------------------


def _runs(
    episodes: Sequence[tuple[int, MissingEpisode]], threshold: int, window: timedelta
) -> list[tuple[int, MissingEpisode, int]]:
    """The first episode of each run of episodes at or over ``threshold`` within ``window``.

    An episode is over the threshold when it and the episodes begun in the
    ``window`` before it number at least ``threshold``; consecutive such
    episodes form one run. Returns (index, first episode, count at it).
    """
    out: list[tuple[int, MissingEpisode, int]] = []
    previous_triggered = False
    for pos, (idx, ep) in enumerate(episodes):
        count = sum(
            1 for _, other in episodes[: pos + 1] if ep.last_seen_at - other.last_seen_at < window
        )
        triggered = count >= threshold
        if triggered and not previous_triggered:
            out.append((idx, ep, count))
        previous_triggered = triggered
    return out


def _repeat_rule(
    case: CaseFile,
    ctx: RuleContext,
    *,
    episodes: Sequence[tuple[int, MissingEpisode]],
    threshold: int,
    window: timedelta,
    within: timedelta | None,
    evidence_concept: Concept,
) -> Iterator[Finding]:
    now = ctx.as_of
    for idx, first, count in _runs(episodes, threshold, window):
        subject = f"$.episodes[{idx}]"
        base: dict[str, ParamValue] = {"episode_id": first.id, "count": count, "window": window}
        due = first.last_seen_at + within if within is not None else None
        done = [
            (k, c) for k, c in _entries(case, evidence_concept, now) if c.at >= first.last_seen_at
        ]
        evidence = [subject]
        if done:
            k, entry = done[0]
            late = due is not None and entry.at > due
            yield ctx.finding(
                "late" if late else "met",
                Outcome.BREACHED if late else Outcome.MET,
                subject=subject,
                params={**base, "recorded_at": entry.at},
                due=due,
                observed=entry.at,
                evidence=[*evidence, f"$.context[{k}]"],
                episode_id=first.id,
            )
        elif due is not None and now > due:
            yield ctx.finding(
                "overdue",
                Outcome.BREACHED,
                subject=subject,
                params={**base, "due": due},
                due=due,
                evidence=evidence,
                episode_id=first.id,
            )
        else:
            yield ctx.finding(
                "pending" if due is None else "pending-by",
                Outcome.PENDING,
                subject=subject,
                params=base if due is None else {**base, "due": due},
                due=due,
                evidence=evidence,
                episode_id=first.id,
            )


_REPEAT_MESSAGES = {
    "late": "Episode {episode_id} brought the child's episodes to {count} within {window}; "
    "the record of the response is dated {recorded_at}, after it was due.",
    "overdue": "Episode {episode_id} brought the child's episodes to {count} within {window}; "
    "the response was due by {due} and is not recorded.",
}


@rule(
    "persistent-absence-review",
    title="Persistent absence: ask the placing authority to review the child's plans "
    "(regulation 14)",
    strength=Strength.REGULATION,
    severity=Severity.WARNING,
    sources=_src("H2I-14", "CHR-BODY", locator="reg 14"),
    messages={
        **_REPEAT_MESSAGES,
        "met": "Episode {episode_id} brought the child's episodes to {count} within {window}; "
        "a review of the child's plans was requested at {recorded_at}.",
        "pending": "Episode {episode_id} brought the child's episodes to {count} within {window}: "
        "contact the placing authority and ask for a review of the child's plans.",
        "pending-by": "Episode {episode_id} brought the child's episodes to {count} within "
        "{window}: contact the placing authority and ask for a review of the child's plans by "
        "{due}.",
    },
    parameters=(
        "persistent_absence_threshold",
        "persistent_absence_window",
        "plan_review_request_within",
    ),
    fields=(
        "MissingEpisode.last_seen_at",
        "ContextEntry.category",
        "Placement.kind",
    ),
)
def persistent_absence_review(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """When a child in a children's home is, or has been, persistently absent without
    permission, the registered person contacts the placing authority and asks for a review
    of the child's relevant plans. "Persistently" is not defined in the regulation: set the
    home's own threshold. Evidence: a context entry ``plan_review_requested``."""
    home_episodes = [(i, e) for i, e in _timeline(case, ctx.as_of) if _in_home(case, e)]
    yield from _repeat_rule(
        case,
        ctx,
        episodes=home_episodes,
        threshold=ctx.param("persistent_absence_threshold"),
        window=ctx.param("persistent_absence_window"),
        within=ctx.param("plan_review_request_within"),
        evidence_concept=PLAN_REVIEW_REQUESTED,
    )


@rule(
    "repeat-missing-strategy-meeting",
    title="Repeat missing: a strategy meeting after the local threshold (local practice)",
    strength=Strength.LOCAL_PRACTICE,
    severity=Severity.WARNING,
    sources=_src("DERBY", "DFE14"),
    messages={
        **_REPEAT_MESSAGES,
        "met": "Episode {episode_id} brought the child's episodes to {count} within {window}; "
        "a strategy meeting was held at {recorded_at}.",
        "pending": "Episode {episode_id} brought the child's episodes to {count} within {window}: "
        "hold a strategy meeting.",
        "pending-by": "Episode {episode_id} brought the child's episodes to {count} within "
        "{window}: hold a strategy meeting by {due}.",
    },
    parameters=("repeat_missing_threshold", "repeat_missing_window", "strategy_meeting_within"),
    fields=(
        "MissingEpisode.last_seen_at",
        "ContextEntry.category",
        "ContextEntry.at",
    ),
)
def repeat_missing_strategy_meeting(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """Local protocols call a strategy meeting when a child goes missing repeatedly; the
    default threshold, 3 episodes in 30 days, is one authority's (Derbyshire) and is a
    parameter. Evidence: a context entry ``strategy_meeting_held``."""
    yield from _repeat_rule(
        case,
        ctx,
        episodes=_timeline(case, ctx.as_of),
        threshold=ctx.param("repeat_missing_threshold"),
        window=ctx.param("repeat_missing_window"),
        within=ctx.param("strategy_meeting_within"),
        evidence_concept=STRATEGY_MEETING_HELD,
    )


# --- the investigative lens: the context before; the trusted adult -------------------------------


@rule(
    "context-before-reviewed",
    title="The hours and days before the episode were reviewed",
    strength=Strength.GOOD_PRACTICE,
    severity=Severity.WARNING,
    sources=_src("ERID", "PKC"),
    messages={
        "met": "Episode {episode_id}: what happened before it was reviewed at {reviewed_at}.",
        "pending": "Episode {episode_id}: review what happened in the hours and days before it.",
        "missing-again": "Episode {episode_id}: the child went missing again (episode "
        "{next_episode_id}) before what happened before this episode was reviewed.",
    },
    fields=(
        "ContextEntry.category",
        "ContextEntry.at",
        "MissingEpisode.ended_at",
    ),
)
def context_before_reviewed(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """A child running is a child saying something: each episode is treated afresh and what
    came before it (conflicts left open, needs escalating, a pull building) is reviewed.
    Evidence: a context entry ``episode_context_reviewed`` dated from the start of the
    episode and before the next one."""
    now = ctx.as_of
    timeline = _timeline(case, now)
    reviews = _entries(case, CONTEXT_REVIEWED, now)
    for pos, (idx, ep) in enumerate(timeline):
        subject = f"$.episodes[{idx}]"
        nxt = timeline[pos + 1][1] if pos + 1 < len(timeline) else None
        found = [
            (k, c)
            for k, c in reviews
            if c.at >= ep.last_seen_at and (nxt is None or c.at < nxt.last_seen_at)
        ]
        params: dict[str, ParamValue] = {"episode_id": ep.id}
        if found:
            k, entry = found[0]
            yield ctx.finding(
                "met",
                Outcome.MET,
                subject=subject,
                params={**params, "reviewed_at": entry.at},
                observed=entry.at,
                evidence=[f"$.context[{k}]"],
                episode_id=ep.id,
            )
        elif nxt is not None:
            yield ctx.finding(
                "missing-again",
                Outcome.BREACHED,
                subject=subject,
                params={**params, "next_episode_id": nxt.id},
                evidence=[subject, f"$.episodes[{timeline[pos + 1][0]}]"],
                episode_id=ep.id,
            )
        else:
            yield ctx.finding(
                "pending",
                Outcome.PENDING,
                subject=subject,
                params=params,
                evidence=[subject],
                episode_id=ep.id,
            )


@rule(
    "trusted-adult-recorded",
    title="The child has a trusted adult recorded, or the absence of one is noted",
    strength=Strength.GOOD_PRACTICE,
    severity=Severity.INFO,
    sources=_src("ADV", "LEEDS-C", "NYAS"),
    messages={
        "recorded": "Episode {episode_id}: the child had a trusted adult recorded.",
        "absence-noted": "Episode {episode_id}: the record notes the child had no trusted "
        "adult in the home.",
        "pending": "Episode {episode_id}: record who the child trusts, or note that there is "
        "no one yet.",
        "not-recorded": "Episode {episode_id}: no trusted adult was recorded, and no absence "
        "noted, by the end of the episode.",
    },
    fields=(
        "CaseFile.trusted_adults",
        "TrustedAdult.ended_at",
        "ContextEntry.category",
    ),
)
def trusted_adult_recorded(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """The person the child would call, the person they come back to: by the end of each
    episode the record names a trusted adult present at its start (or named during it), or
    notes that there is none."""
    now = ctx.as_of
    notes = _entries(case, NO_TRUSTED_ADULT_NOTED, now)
    for idx, ep in _timeline(case, now):
        subject = f"$.episodes[{idx}]"
        ended = ep.ended_at if _known(ep.ended_at, now) else None
        horizon = ended if ended is not None else now
        params: dict[str, ParamValue] = {"episode_id": ep.id}
        adults = [
            (j, ta)
            for j, ta in enumerate(case.trusted_adults)
            if ta.named_at <= horizon and (ta.ended_at is None or ta.ended_at > ep.last_seen_at)
        ]
        ended_before = [
            ta.ended_at
            for ta in case.trusted_adults
            if ta.ended_at is not None and ta.ended_at <= ep.last_seen_at
        ]
        latest_end = max(ended_before) if ended_before else None
        noted = [
            (k, c)
            for k, c in notes
            if c.at <= horizon and (latest_end is None or c.at >= latest_end)
        ]
        if adults:
            j, ta = min(adults, key=lambda jt: jt[1].named_at)
            yield ctx.finding(
                "recorded",
                Outcome.MET,
                subject=subject,
                params=params,
                observed=max(ta.named_at, ep.last_seen_at),
                evidence=[f"$.trusted_adults[{j}]"],
                episode_id=ep.id,
            )
        elif noted:
            k, note = noted[0]
            yield ctx.finding(
                "absence-noted",
                Outcome.MET,
                subject=subject,
                params=params,
                observed=max(note.at, ep.last_seen_at),
                evidence=[f"$.context[{k}]"],
                episode_id=ep.id,
            )
        elif ended is None:
            yield ctx.finding(
                "pending",
                Outcome.PENDING,
                subject=subject,
                params=params,
                evidence=["$.trusted_adults"],
                episode_id=ep.id,
            )
        else:
            yield ctx.finding(
                "not-recorded",
                Outcome.BREACHED,
                subject=subject,
                params=params,
                evidence=["$.trusted_adults"],
                episode_id=ep.id,
            )


# --- the pack ------------------------------------------------------------------------------------

_PARAMETERS = (
    Parameter(
        _PERIOD,
        timedelta,
        timedelta(hours=72),
        "Elapsed time from the child's return to placement within which the return "
        "conversation is held (72 hours in the 2014 guidance).",
        minimum=timedelta(hours=1),
    ),
    Parameter(
        "notify_recipients",
        tuple,
        ("placing_authority",),
        "Codes (notification-recipients vocabulary) of those local policy says must be told "
        "of every episode.",
        item_kind=str,
    ),
    Parameter(
        "persistent_absence_threshold",
        int,
        3,
        "Episodes within the window that make a child 'persistently absent' for regulation 14. "
        "The regulation does not define it; the default borrows the local repeat-missing "
        "threshold (DERBY). Set the home's own.",
        minimum=1,
    ),
    Parameter(
        "persistent_absence_window",
        timedelta,
        timedelta(days=30),
        "The window for the regulation 14 threshold (default borrowed from DERBY).",
        minimum=timedelta(days=1),
    ),
    Parameter(
        "plan_review_request_within",
        timedelta,
        None,
        "Optional local deadline for the regulation 14 request, from the first episode over "
        "the threshold; none in the regulation.",
        minimum=timedelta(hours=1),
        optional=True,
    ),
    Parameter(
        "repeat_missing_threshold",
        int,
        3,
        "Episodes within the window that call for a strategy meeting (local practice; DERBY: 3).",
        minimum=1,
    ),
    Parameter(
        "repeat_missing_window",
        timedelta,
        timedelta(days=30),
        "The window for the strategy-meeting threshold (local practice; DERBY: 30 days).",
        minimum=timedelta(days=1),
    ),
    Parameter(
        "strategy_meeting_within",
        timedelta,
        None,
        "Optional local deadline for the strategy meeting, from the first episode over the "
        "threshold.",
        minimum=timedelta(hours=1),
        optional=True,
    ),
)

#: The England pack.
PACK = RulePack(
    code="GB-ENG",
    name="England",
    zone="Europe/London",
    aliases=("England", "ENG"),
    editions=(
        Edition(
            "2014-01",
            effective_from=date(2014, 1, 1),
            add=(
                return_conversation_offered,
                return_conversation_72h,
                return_conversation_independent,
                return_conversation_topics,
                police_report,
                placing_authority_notified,
                repeat_missing_strategy_meeting,
                context_before_reviewed,
                trusted_adult_recorded,
            ),
            sources=_src("DFE14"),
            note="DfE statutory guidance, January 2014 (day of issue not in the sources).",
        ),
        Edition(
            "2015-04",
            effective_from=date(2015, 4, 1),
            add=(ofsted_notification_prompt, persistent_absence_review),
            sources=_src("CHR-BODY"),
            note="Children's Homes (England) Regulations 2015, in force 1 April 2015.",
        ),
    ),
    parameters=_PARAMETERS,
    sources=SOURCES,
    description=(
        "Children looked after in England who go missing or are away from placement: the "
        "return conversation, notifications, children's homes regulations 14 and 40, repeat "
        "missing, and the investigative lens (the context before, the trusted adult)."
    ),
)
