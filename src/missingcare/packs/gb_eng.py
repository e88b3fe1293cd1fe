"""The England pack, ``GB-ENG``: what is expected when a looked-after child goes missing.

From DfE statutory guidance *Children who run away or go missing from home or care*
(January 2014), the Children's Homes (England) Regulations 2015 and local practice
(marked as such, with configurable thresholds). Every rule cites its sources by the keys
of the project's domain research (``reference/domain.md`` §11) and states its strength.
The rules are declarations over :mod:`missingcare.rules.kit`; the sources and the English
messages are data, in ``gb_eng.toml`` beside this module.

Editions: ``2014-01`` (January 2014, the guidance's month of issue; the day is not in the
sources, so the first is used): the return conversation (offered, within 72 hours of the
return, independent, its topics), the police report, the placing authority notified, the
repeat-missing strategy meeting (local practice), the context before the episode
reviewed, a trusted adult recorded. ``2015-04`` (1 April 2015, when the 2015 regulations
commenced) adds the regulation 40(4) Ofsted prompt and regulation 14 persistent absence,
both for children's homes.

When the child goes missing again before the return conversation, the parameter
``re_missing_policy`` decides the deadline: by default it restarts from the later return,
as one conversation may cover several episodes [DEVON18].

Evidence of things done is a :class:`~missingcare.context.ContextEntry` of the category
``strategy_meeting_held`` or ``plan_review_requested`` (England's own, in
:data:`VOCABULARIES`), ``episode_context_reviewed`` or ``no_trusted_adult_noted``.

>>> from missingcare.rules import get_pack
>>> [r.code for r in get_pack("GB-ENG").rules("2014-01")][:2]
['return-conversation-offered', 'return-conversation-72h']
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from missingcare.analysis.suggestions import exploitation_indicators
from missingcare.case import CaseFile
from missingcare.children import PlacementKind
from missingcare.conversations import ConversationTopic
from missingcare.findings import Finding, Outcome, ParamValue, Severity, Strength
from missingcare.rules import Duty, Edition, RuleContext, RulePack, Source, kit
from missingcare.rules.kit import ElapsedDeadline, ReMissingPolicy, RepeatThreshold
from missingcare.vocab import Concept, Vocabulary
from missingcare.vocabularies import CONTEXT_CATEGORIES, NOTIFICATION_RECIPIENTS

__all__ = [
    "CONTEXT_CATEGORIES_ADDED", "CONTEXT_REVIEWED", "NO_TRUSTED_ADULT_NOTED", "PACK",
    "PLAN_REVIEW_REQUESTED", "REQUIRED_TOPICS", "SOURCES", "STRATEGY_MEETING_HELD",
    "VOCABULARIES", "context_categories",
]  # fmt: skip

_D = kit.read_pack_data("missingcare.packs", "gb_eng.toml")
#: Every source the pack cites, by domain-research key.
SOURCES: tuple[Source, ...] = tuple(_D.sources.values())

# --- the pack's own context categories, and those it reads ---------------------------------------

_SYSTEM = "https://missingcare.invalid/vocab"
#: A strategy (multi-agency) meeting about the child's going missing was held (England).
STRATEGY_MEETING_HELD = Concept(
    _SYSTEM, "strategy_meeting_held", "Strategy meeting held",
    "A strategy or multi-agency meeting about the child's repeated going missing was held.",
)  # fmt: skip
#: The home asked the placing authority to review the child's plans (reg 14).
PLAN_REVIEW_REQUESTED = Concept(
    _SYSTEM, "plan_review_requested", "Review of plans requested",
    "The placing authority was contacted and asked to review the child's relevant plans.",
)  # fmt: skip
#: The context categories England adds to the core vocabulary.
VOCABULARIES = (
    Vocabulary("context_categories", CONTEXT_CATEGORIES.title,
               (STRATEGY_MEETING_HELD, PLAN_REVIEW_REQUESTED), source="GB-ENG"),
)  # fmt: skip
#: Someone reviewed what happened in the hours and days before the episode.
CONTEXT_REVIEWED = CONTEXT_CATEGORIES["episode_context_reviewed"]
#: The record notes that the child has no trusted adult in the home.
NO_TRUSTED_ADULT_NOTED = CONTEXT_CATEGORIES["no_trusted_adult_noted"]
#: The record-keeping context categories the pack reads.
CONTEXT_CATEGORIES_ADDED: tuple[Concept, ...] = (
    STRATEGY_MEETING_HELD, PLAN_REVIEW_REQUESTED, CONTEXT_REVIEWED, NO_TRUSTED_ADULT_NOTED,
)  # fmt: skip


def context_categories() -> Vocabulary:
    """The core context categories plus the pack's, for ``make_converter(vocabularies=[...])``."""
    (vocab,) = PACK.extended_vocabularies()
    return vocab


#: What a return conversation must cover (guidance: harm, reasons, safety, helplines).
REQUIRED_TOPICS: tuple[ConversationTopic, ...] = (
    ConversationTopic.HARM, ConversationTopic.REASONS_FOR_RUNNING,
    ConversationTopic.SAFETY_PLANNING, ConversationTopic.HELPLINE_INFORMATION,
)  # fmt: skip

_HOMES = (PlacementKind.CHILDRENS_HOME, PlacementKind.SECURE_CHILDRENS_HOME)
_PERIOD, _POLICY = "return_conversation_within", "re_missing_policy"

# --- R1 and R2: the return conversation offered, and held within 72 hours ------------------------


def _offered(case: CaseFile, ep: kit.EpisodeAt, now: datetime) -> kit.Done:
    return kit.conversation_offered(kit.covering(case, ep.record.id), now)


def _held_or_declined(case: CaseFile, ep: kit.EpisodeAt, now: datetime) -> kit.Done:
    return kit.conversation_held_or_declined(kit.covering(case, ep.record.id), now)


def _deadline_rule(case: CaseFile, ctx: RuleContext, *, offer: bool) -> Iterator[Finding]:
    deadline, policy = ElapsedDeadline(ctx.param(_PERIOD)), ctx.param(_POLICY)
    done_for, done_param = (_offered, "offered_at") if offer else (_held_or_declined, "held_at")
    yield from kit.deadline_findings(
        ctx, case, deadline, done_for, done_param=done_param, policy=policy
    )


@_D.rule(
    "return-conversation-offered",
    title="A return conversation is offered after every episode",
    duty=Duty.CONVERSATION_OFFERED, strength=Strength.STATUTORY_GUIDANCE, severity=Severity.SERIOUS,
    sources=(*_D.cite("DFE14", locator="Independent return interviews"),
             *_D.cite("PQ-RHI", "TCS14")),
    standard=kit.CLOCK_MESSAGES, parameters=(_PERIOD, _POLICY),
    fields=("MissingEpisode.returned_at", "ReturnConversation.episode_ids",
            "ReturnConversation.offers", "ReturnConversation.decision",
            "ReturnConversation.held_at"),
)  # fmt: skip
def return_conversation_offered(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """Every child back from an episode is offered a return conversation (an independent
    return interview), in time for it to be held within the deadline. An offer made for a
    conversation that covers several episodes counts for each of them."""
    yield from _deadline_rule(case, ctx, offer=True)


@_D.rule(
    "return-conversation-72h",
    title="The return conversation is held within 72 hours of the child's return",
    duty=Duty.CONVERSATION_HELD, strength=Strength.STATUTORY_GUIDANCE, severity=Severity.WARNING,
    sources=_D.cite("DFE14", "ADV", "KNOW", "MP-RHI24", "DEVON18"),
    standard=kit.CLOCK_MESSAGES, parameters=(_PERIOD, _POLICY),
    fields=("MissingEpisode.returned_at", "MissingEpisode.last_seen_at",
            "ReturnConversation.episode_ids", "ReturnConversation.held_at",
            "ReturnConversation.decision"),
)  # fmt: skip
def return_conversation_72h(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """The conversation is held within 72 hours of the child's return to placement: elapsed
    time from ``returned_at``, not from the start of the episode nor from police closure. If
    the child went missing again before it, one conversation may cover several episodes, due
    72 hours after the last return. An unknown return time is insufficient data, never
    compliance. A declined conversation is not a conversation held: when the child declined
    before any conversation was held, this rule is ``not_applicable`` (message ``declined``)
    and the offer is what ``return-conversation-offered`` counts, as national reporting
    counts offered, accepted, declined and held separately [MP-RHI24]."""
    yield from _deadline_rule(case, ctx, offer=False)


# --- R3 and R5: independence and topics ----------------------------------------------------------


@_D.rule(
    "return-conversation-independent",
    title="The return conversation is held by someone independent of the home, "
    "unless the child chose a trusted adult",
    duty=Duty.CONVERSATION_HOLDER, strength=Strength.STATUTORY_GUIDANCE, severity=Severity.WARNING,
    sources=_D.cite("DFE14", "ADV", "KNOW", "TRIX-IRI"), applies_to="conversation",
    fields=("ReturnConversation.interviewer", "Interviewer.independent_of_home",
            "Interviewer.chosen_by_child", "ReturnConversation.held_at"),
)  # fmt: skip
def return_conversation_independent(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """Held by someone not involved in the child's care (for a children's home, independent
    of the home), unless the child said they would rather talk to an adult they know."""
    for conv in kit.held(case, ctx.as_of):
        who = conv.record.interviewer
        if who is None:
            key, outcome = "unknown", Outcome.INSUFFICIENT_DATA
        elif who.independent_of_home is True:
            key, outcome = "independent", Outcome.MET
        elif who.chosen_by_child is True:
            key, outcome = "chosen", Outcome.MET
        elif who.independent_of_home is None or who.chosen_by_child is None:
            key, outcome = "independence-unknown", Outcome.INSUFFICIENT_DATA  # never a breach
        else:
            key, outcome = "not-independent", Outcome.BREACHED
        find = kit.about(ctx, conv)
        yield find(key, outcome, observed=conv.record.held_at, evidence=["interviewer"])


@_D.rule(
    "return-conversation-topics",
    title="The return conversation covers harm, the reasons for running, safety planning "
    "and helpline information",
    duty=Duty.CONVERSATION_CONTENT, strength=Strength.STATUTORY_GUIDANCE, severity=Severity.WARNING,
    sources=_D.cite("DFE14", "KNOW", "DERBY"), applies_to="conversation",
    fields=("ReturnConversation.topics", "ReturnConversation.held_at"),
)  # fmt: skip
def return_conversation_topics(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """The conversation identifies harm suffered, understands the reasons the child ran,
    helps them plan to stay safe, and gives helpline information. No topics recorded is
    insufficient data."""
    for conv in kit.held(case, ctx.as_of):
        find, topics = kit.about(ctx, conv), conv.record.topics
        # topics in words: "reasons for running", not the code
        missing = [t.value.replace("_", " ") for t in REQUIRED_TOPICS if t not in topics]
        if not topics:
            yield find("unknown", Outcome.INSUFFICIENT_DATA, evidence=["topics"])
        elif missing:
            params = {"missing": ", ".join(missing)}
            yield find("missing-topics", Outcome.BREACHED, params=params, evidence=["topics"])
        else:
            yield find("met", Outcome.MET, evidence=["topics"])


# --- regulation 36: the return conversation on the case record in time ---------------------------

_RECORDED_WITHIN = "return_conversation_recorded_within"


def _in_a_home(case: CaseFile, conv: kit.ConversationAt) -> bool:
    homes = {p.id for p in case.placements if p.kind in _HOMES}
    return any(e.placement_id in homes for e in case.episodes if e.id in conv.record.episode_ids)


@_D.rule(
    "return-conversation-recorded",
    title="The return conversation is on the child's case record within the home's own "
    "timescale (regulation 36)",
    duty=Duty.RECORD, strength=Strength.REGULATION, severity=Severity.WARNING,
    sources=(*_D.cite("REG36"), *_D.cite("CHR-BODY", locator="reg 36")),
    applies_to="conversation", parameters=(_RECORDED_WITHIN,),
    fields=("ReturnConversation.held_at", "ReturnConversation.recorded", "Recorded.at",
            "ReturnConversation.episode_ids", "Placement.kind"),
)  # fmt: skip
def return_conversation_recorded(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """A children's home keeps each child's case record up to date, signed and dated by its
    author (regulation 36): a return conversation held after an episode from a children's
    home is written up on the record. The regulation sets no time limit, so the timescale
    is the home's own (``return_conversation_recorded_within``, no default): until it is
    set every held conversation is ``insufficient_data`` (``not-configured``), never met.
    Then: ``met`` (recorded within it), ``late`` (recorded after it), ``recording-unknown``
    (``insufficient_data``: the record does not say when it was written up), and, when
    the record is read as known later than ``as_of`` (``evaluate(known_at=...)``), a
    recording still to come at ``as_of``: ``pending`` until due, then ``overdue``."""
    now, within = ctx.as_of, ctx.param(_RECORDED_WITHIN)
    for conv in kit.held(case, now):
        if not _in_a_home(case, conv):
            continue
        find, held_at = kit.about(ctx, conv), conv.record.held_at
        assert held_at is not None  # held by now
        evidence: list[kit.Evidence] = ["held_at", "recorded"]
        if within is None:
            yield kit.not_configured(find, _RECORDED_WITHIN, evidence=evidence)
            continue
        recorded = kit.recorded_at(conv.record)
        params: dict[str, ParamValue] = {"held_at": held_at, "within": within}
        if recorded is None:
            yield find("recording-unknown", Outcome.INSUFFICIENT_DATA, params=params,
                       evidence=evidence)  # fmt: skip
            continue
        # elapsed time, whatever the clocks do
        due = ElapsedDeadline(within).due(held_at, ctx.zone_of(conv.record.episode_ids) or "UTC")
        if recorded > now:  # on file only after "now" (read as known later than as_of)
            late = now > due
            key, outcome = ("overdue", Outcome.BREACHED) if late else ("pending", Outcome.PENDING)
            yield find(key, outcome, params={"held_at": held_at, "due": due}, due=due,
                       evidence=evidence)  # fmt: skip
            continue
        params["recorded_at"] = recorded
        if recorded <= due:
            yield find("met", Outcome.MET, params=params, due=due, observed=recorded,
                       evidence=evidence)  # fmt: skip
        else:
            params["recorded_after"] = kit.later_by(held_at, recorded)
            yield find("late", Outcome.BREACHED, params=params, due=due, observed=recorded,
                       evidence=evidence)  # fmt: skip


# --- police report, placing authority ------------------------------------------------------------


@_D.rule(
    "police-report",
    title="The child is reported to police, and the reference recorded, when their "
    "whereabouts are unknown",
    duty=Duty.REPORT, strength=Strength.LOCAL_PRACTICE, severity=Severity.SERIOUS,
    sources=_D.cite("KENT", "ROTH", "YORKR", "CHF", "COP-RISK"),
    fields=("MissingEpisode.statuses", "StatusChange.status", "MissingEpisode.police_report",
            "PoliceReport.reported_at", "PoliceReport.reference"),
)  # fmt: skip
def police_report(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """When a looked-after child's whereabouts are unknown (status ``missing``), the home
    reports them to police and records the police reference. Local procedures; the status
    definition is DfE's."""
    now = ctx.as_of
    for ep in kit.timeline(case, now):
        find, ended = kit.about(ctx, ep), kit.ended_by(ep, now)
        statuses = enumerate(ep.record.statuses)
        missing = [i for i, s in statuses if s.status.code == "missing" and s.at <= now]
        if not missing:
            if ended is not None:
                yield find("not-missing", Outcome.NOT_APPLICABLE, evidence=["statuses"])
            continue
        evidence = [f"statuses[{missing[0]}]", "police_report"]
        at, report = kit.reported_to_police(ep, now, by=ended).at, ep.record.police_report
        if at is not None and report is not None:
            key, outcome = (
                ("no-reference", Outcome.BREACHED)
                if report.reference is None
                else ("met", Outcome.MET)
            )
            yield find(key, outcome, params={"reported_at": at}, observed=at, evidence=evidence)
        elif ended is None:
            yield find("pending", Outcome.PENDING, evidence=evidence)
        else:
            yield find("not-reported", Outcome.BREACHED, evidence=evidence)


@_D.rule(
    "placing-authority-notified",
    title="The placing authority (and anyone else local policy names) is told the child is missing",
    duty=Duty.NOTIFY, strength=Strength.LOCAL_PRACTICE, severity=Severity.WARNING,
    sources=_D.cite("ROTH", "CHF", "YORKR", "NMS19"), parameters=("notify_recipients",),
    fields=("MissingEpisode.notifications", "Notification.recipient", "Notification.at"),
)  # fmt: skip
def placing_authority_notified(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """For every episode, the placing authority is told while the child is away (local
    procedures); ``notify_recipients`` adds others a local policy requires (codes of the
    notification-recipients vocabulary)."""
    now = ctx.as_of
    for ep in kit.timeline(case, now):
        find, ended = kit.about(ctx, ep), kit.ended_by(ep, now)
        for code in ctx.param("notify_recipients"):
            first = kit.notified(ep, code, now, by=ended).first
            # the recipient by its label ("Placing authority"), as the vocabulary writes it
            known = code in NOTIFICATION_RECIPIENTS
            label = NOTIFICATION_RECIPIENTS[code].display if known else code.replace("_", " ")
            params: dict[str, ParamValue] = {"recipient": label}
            if first is not None:
                params["notified_at"] = first.at
                yield find(
                    "met", Outcome.MET, params=params, observed=first.at, evidence=[first.path]
                )
            elif ended is None:
                yield find("pending", Outcome.PENDING, params=params, evidence=["notifications"])
            else:
                yield find(
                    "not-notified", Outcome.BREACHED, params=params, evidence=["notifications"]
                )


# --- regulation 40(4): a prompt to consider notifying Ofsted -------------------------------------


@_D.rule(
    "ofsted-notification-prompt",
    title="Consider notifying Ofsted (regulation 40(4)) when exploitation is suspected or "
    "police involvement is serious",
    duty=Duty.NOTIFY,
    strength=Strength.REGULATION, severity=Severity.PROMPT, sources=_D.cite("REG40", "WALS"),
    fields=("ExploitationScreening.indicators", "MissingEpisode.harm_disclosed",
            "ReturnConversation.harm_disclosed", "MissingEpisode.risk_grades",
            "RiskGrading.grade", "Placement.kind"),
)  # fmt: skip
def ofsted_notification_prompt(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """Children's homes notify HMCI without delay when a child is suspected of being
    sexually exploited (reg 40(4)(a)) or an incident needing police involvement is judged
    serious (reg 40(4)(b)). The library cannot judge seriousness: it prompts when
    exploitation indicators or harm are recorded or police graded the risk high, and never
    asserts a breach."""
    now = ctx.as_of
    for ep in (e for e in kit.timeline(case, now) if kit.in_placement(case, e, _HOMES)):
        find, grounds, evidence = kit.about(ctx, ep), list[str](), list[str]()
        for conv in kit.covering(case, ep.record.id):
            screening = conv.record.screening
            if kit.known(conv.record.held_at, now) and screening and screening.indicators:
                cse = any(c.code.startswith("cse.") for c in screening.indicators)
                grounds.append(("sexual " if cse else "") + "exploitation indicators")
                evidence.append(conv.path_of("screening.indicators"))
        if any(h.code in {"exploitation", "sexual_harm"} for h in ep.record.harm_disclosed):
            grounds.append("harm disclosed")
            evidence.append(ep.path_of("harm_disclosed"))
        for g, grading in enumerate(ep.record.risk_grades):
            if grading.grade.code == "high" and grading.at <= now:
                grounds.append("police graded the risk high")
                evidence.append(ep.path_of(f"risk_grades[{g}]"))
                break
        if not grounds:
            yield find(
                "no-grounds", Outcome.NOT_APPLICABLE, evidence=["risk_grades", "harm_disclosed"]
            )
            continue
        params: dict[str, ParamValue] = {"grounds": "; ".join(sorted(set(grounds)))}
        first = kit.notified(ep, "ofsted", now).first
        if first is not None:
            params["notified_at"] = first.at
            evidence.append(first.path)
            yield find("notified", Outcome.MET, params=params, observed=first.at, evidence=evidence)
        else:
            yield find("consider", Outcome.PENDING, params=params, evidence=evidence)


# --- repeated episodes: regulation 14 and the strategy meeting -----------------------------------


def _repeats(
    ctx: RuleContext, case: CaseFile, name: str, within: str, evidence: Concept, *, homes: bool
) -> Iterator[Finding]:
    """The repeat-threshold findings from the parameters ``<name>_threshold``/``_window``."""
    threshold = RepeatThreshold(ctx.param(f"{name}_threshold"), ctx.param(f"{name}_window"))
    deadline = None if ctx.param(within) is None else ElapsedDeadline(ctx.param(within))
    eps = [
        e for e in kit.timeline(case, ctx.as_of) if not homes or kit.in_placement(case, e, _HOMES)
    ]
    yield from kit.repeat_findings(
        ctx, case, eps, threshold, respond_within=deadline, evidence=evidence
    )


@_D.rule(
    "persistent-absence-review",
    title="Persistent absence: ask the placing authority to review the child's plans "
    "(regulation 14)",
    duty=Duty.REPEAT_THRESHOLD, strength=Strength.REGULATION, severity=Severity.WARNING,
    sources=_D.cite("H2I-14", "CHR-BODY", locator="reg 14"),
    standard=kit.repeat_messages(
        done="a review of the child's plans was requested",
        todo="contact the placing authority and ask for a review of the child's plans"),
    parameters=("persistent_absence_threshold", "persistent_absence_window",
                "plan_review_request_within"),
    fields=("MissingEpisode.last_seen_at", "ContextEntry.category", "Placement.kind"),
)  # fmt: skip
def persistent_absence_review(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """When a child in a children's home is, or has been, persistently absent without
    permission, the registered person contacts the placing authority and asks for a review
    of the child's relevant plans. "Persistently" is not defined in the regulation: set the
    home's own threshold. Evidence: a context entry ``plan_review_requested``."""
    review = "plan_review_request_within"
    yield from _repeats(ctx, case, "persistent_absence", review, PLAN_REVIEW_REQUESTED, homes=True)


@_D.rule(
    "repeat-missing-strategy-meeting",
    title="Repeat missing: a strategy meeting after the local threshold (local practice)",
    duty=Duty.REPEAT_THRESHOLD,
    strength=Strength.LOCAL_PRACTICE, severity=Severity.WARNING, sources=_D.cite("DERBY", "DFE14"),
    standard=kit.repeat_messages(done="a strategy meeting was held",
                                 todo="hold a strategy meeting"),
    parameters=("repeat_missing_threshold", "repeat_missing_window", "strategy_meeting_within"),
    fields=("MissingEpisode.last_seen_at", "ContextEntry.category", "ContextEntry.at"),
)  # fmt: skip
def repeat_missing_strategy_meeting(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """Local protocols call a strategy meeting when a child goes missing repeatedly; the
    default threshold, 3 episodes in 30 days, is one authority's (Derbyshire) and is a
    parameter. Evidence: a context entry ``strategy_meeting_held``."""
    meeting = "strategy_meeting_within"
    yield from _repeats(ctx, case, "repeat_missing", meeting, STRATEGY_MEETING_HELD, homes=False)


# --- the investigative lens: the context before; the trusted adult -------------------------------


@_D.rule(
    "context-before-reviewed",
    title="The hours and days before the episode were reviewed",
    duty=Duty.LENS,
    strength=Strength.GOOD_PRACTICE, severity=Severity.WARNING, sources=_D.cite("ERID", "PKC"),
    fields=("ContextEntry.category", "ContextEntry.at", "MissingEpisode.ended_at"),
)  # fmt: skip
def context_before_reviewed(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """A child running is a child saying something: each episode is treated afresh and what
    came before it (conflicts left open, needs escalating, a pull building) is reviewed.
    Evidence: a context entry ``episode_context_reviewed`` dated from the start of the
    episode and before the next one."""
    timeline = kit.timeline(case, ctx.as_of)
    reviews = kit.entries(case, CONTEXT_REVIEWED, ctx.as_of)
    for pos, ep in enumerate(timeline):
        find = kit.about(ctx, ep)
        nxt = timeline[pos + 1] if pos + 1 < len(timeline) else None
        before = nxt.record.last_seen_at if nxt else None
        first = kit.context_recorded(reviews, since=ep.record.last_seen_at, before=before).first
        if first is not None:
            at = {"reviewed_at": first.at}
            yield find("met", Outcome.MET, params=at, observed=first.at, evidence=[first.path])
        elif nxt is not None:
            again = {"next_episode_id": nxt.record.id}
            yield find("missing-again", Outcome.BREACHED, params=again, evidence=[ep, nxt])
        else:
            yield find("pending", Outcome.PENDING, evidence=[ep])


@_D.rule(
    "trusted-adult-recorded",
    title="The child has a trusted adult recorded, or the absence of one is noted",
    duty=Duty.LENS, strength=Strength.GOOD_PRACTICE, severity=Severity.INFO,
    sources=_D.cite("ADV", "LEEDS-C", "NYAS"),
    fields=("CaseFile.trusted_adults", "TrustedAdult.ended_at", "ContextEntry.category"),
)  # fmt: skip
def trusted_adult_recorded(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """The person the child would call, the person they come back to: by the end of each
    episode the record names a trusted adult present at its start (or named during it), or
    notes that there is none."""
    now, adults = ctx.as_of, case.trusted_adults
    notes = kit.entries(case, NO_TRUSTED_ADULT_NOTED, now)
    for ep in kit.timeline(case, now):
        find, ended, seen = kit.about(ctx, ep), kit.ended_by(ep, now), ep.record.last_seen_at
        horizon = ended if ended is not None else now
        present = [
            (j, ta) for j, ta in enumerate(adults)
            if ta.named_at <= horizon and (ta.ended_at is None or ta.ended_at > seen)
        ]  # fmt: skip
        gone = [ta.ended_at for ta in adults if ta.ended_at is not None and ta.ended_at <= seen]
        since = max(gone) if gone else None
        noted = [
            n for n in notes if n.record.at <= horizon and (since is None or n.record.at >= since)
        ]
        if present:
            j, ta = min(present, key=lambda jt: jt[1].named_at)
            observed = max(ta.named_at, seen)
            yield find(
                "recorded", Outcome.MET, observed=observed, evidence=[f"$.trusted_adults[{j}]"]
            )
        elif noted:
            observed = max(noted[0].record.at, seen)
            yield find("absence-noted", Outcome.MET, observed=observed, evidence=[noted[0]])
        elif ended is None:
            yield find("pending", Outcome.PENDING, evidence=["$.trusted_adults"])
        else:
            yield find("not-recorded", Outcome.BREACHED, evidence=["$.trusted_adults"])


# --- exploitation screening considered ----------------------------------------------------------


@_D.rule(
    "exploitation-screening-considered",
    title="When exploitation indicators appear around an episode, a screening is recorded",
    duty=Duty.SCREENING, strength=Strength.GOOD_PRACTICE, severity=Severity.PROMPT,
    sources=(*_D.cite("DFE14", locator="Independent return interviews: identify harm"),
             *_D.cite("CSE17", "CL23", "PKC", "H2I-CCE")),
    fields=("CaseFile.screenings", "ReturnConversation.screening", "ContextEntry.category",
            "MissingEpisode.located", "MissingEpisode.who_with", "MissingEpisode.ended_at"),
)  # fmt: skip
def exploitation_screening_considered(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """After a return, the return conversation identifies harm, including exploitation; when
    indicators from the national lists appear in the days before the episode, during it or
    on the return (cars, gifts or money, new phones, older associates, travel out of area,
    found far away, injuries, found with other missing children), exploitation is screened
    for. The indicators are those of the investigative lens's cue table
    (:func:`missingcare.analysis.exploitation_indicators`); a screening is a
    :class:`~missingcare.screenings.Screening` or a held conversation's screening
    (:func:`~missingcare.rules.kit.screened`). ``pending`` until one is recorded: there is
    no national timescale. No indicators: ``not_applicable``. An open episode: no finding."""
    now = ctx.as_of
    for ep in kit.timeline(case, now):
        if kit.ended_by(ep, now) is None:
            continue
        find = kit.about(ctx, ep)
        seen = exploitation_indicators(case, ep.record.id, by=now)
        if not seen:
            yield find("no-indicators", Outcome.NOT_APPLICABLE, evidence=[ep])
            continue
        # labels as the vocabulary writes them (some are names): "Several phones or SIM cards"
        names = "; ".join(dict.fromkeys(i.indicator.display for i in seen))
        params: dict[str, ParamValue] = {"indicators": names}
        done = kit.screened(case, ep.record.id, now)
        if done.first is not None:
            yield find(
                "screened", Outcome.MET, params={**params, "screened_at": done.first.at},
                observed=done.first.at, evidence=[ep, *done.paths],
            )  # fmt: skip
        else:
            yield find("pending", Outcome.PENDING, params=params, evidence=[ep])


# --- the pack ------------------------------------------------------------------------------------

_PARAMETERS = (  # what each means is in gb_eng.toml
    _D.parameter(_PERIOD, timedelta, timedelta(hours=72), minimum=timedelta(hours=1),
                 sources=_D.cite("DFE14", "ADV", "KNOW")),
    _D.parameter(_POLICY, ReMissingPolicy, ReMissingPolicy.RESTART_FROM_LATER_RETURN,
                 sources=_D.cite("DEVON18")),
    _D.parameter("notify_recipients", tuple, ("placing_authority",), item_kind=str),
    _D.parameter("persistent_absence_threshold", int, 3, minimum=1),
    _D.parameter("persistent_absence_window", timedelta, timedelta(days=30),
                 minimum=timedelta(days=1)),
    _D.parameter("plan_review_request_within", timedelta, None, minimum=timedelta(hours=1),
                 optional=True),
    _D.parameter("repeat_missing_threshold", int, 3, minimum=1, sources=_D.cite("DERBY")),
    _D.parameter("repeat_missing_window", timedelta, timedelta(days=30), minimum=timedelta(days=1),
                 sources=_D.cite("DERBY")),
    _D.parameter("strategy_meeting_within", timedelta, None, minimum=timedelta(hours=1),
                 optional=True),
    _D.parameter(_RECORDED_WITHIN, timedelta, None, minimum=timedelta(minutes=1), optional=True,
                 sources=_D.cite("REG36")),
)  # fmt: skip

_2014 = (
    return_conversation_offered, return_conversation_72h, return_conversation_independent,
    return_conversation_topics, police_report, placing_authority_notified,
    repeat_missing_strategy_meeting, context_before_reviewed, trusted_adult_recorded,
)  # fmt: skip

_EDITIONS = (
    Edition("2014-01", effective_from=date(2014, 1, 1), add=_2014, sources=_D.cite("DFE14"),
            note="DfE statutory guidance, January 2014 (day of issue not in the sources)."),
    Edition("2015-04", effective_from=date(2015, 4, 1), sources=_D.cite("CHR-BODY"),
            add=(ofsted_notification_prompt, persistent_absence_review,
                 return_conversation_recorded),
            note="Children's Homes (England) Regulations 2015, in force 1 April 2015."),
    Edition("2017-02", effective_from=date(2017, 2, 1), sources=_D.cite("CSE17"),
            add=(exploitation_screening_considered,),
            note="DfE, Child sexual exploitation: definition and guide for practitioners "
                 "(February 2017; the day is not in the sources, so the first is used)."),
)  # fmt: skip

#: The England pack.
PACK = RulePack(
    code="GB-ENG",
    name="England",
    zone="Europe/London",
    aliases=("England", "ENG"),
    editions=_EDITIONS,
    parameters=_PARAMETERS,
    sources=SOURCES,
    vocabularies=VOCABULARIES,
    evidence=(
        *(("context_categories", c.code) for c in CONTEXT_CATEGORIES_ADDED),
        ("notification_recipients", "placing_authority"),
        ("notification_recipients", "ofsted"),
    ),
    description=(
        "Children looked after in England who go missing or are away from placement: the "
        "return conversation, notifications, children's homes regulations 14 and 40, repeat "
        "missing, and the investigative lens (the context before, the trusted adult)."
    ),
)
