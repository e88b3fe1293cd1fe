"""The episode formulation: everything known about what one episode may have been saying.

:func:`formulate` brings together, for one episode: the child's own words
(verbatim, in time order, with who heard them) first; the before-window with
the significant dates that fell in it; where the child was found and who
with, connected to the pulls; the push, pull and protective factors and the
needs *as recorded*; the factors and needs *suggested from the record* by the
cue table (:mod:`missingcare.analysis.suggestions`), always kept apart and
labelled so; whether an exploitation screening was done when indicators
appeared; the home's response on return; the trusted adult; what recurs in
the child's history; and the actions agreed. It then writes plain sentences
from that data, each with its evidence, ending in the question for the child.
The sentences hedge ("may be saying something about") because a formulation
is a hypothesis to test with the child, never a conclusion; there is no
machine learning and no score.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import attrs

from missingcare._known import KnownSource
from missingcare.analysis._common import (
    displays,
    known_file,
    known_instant,
    local_text,
    lower_first,
    now_of,
    records,
    span,
)
from missingcare.analysis.before import BeforeWindow, before_window
from missingcare.analysis.config import DEFAULT_CONFIG, LensConfig
from missingcare.analysis.insights import Evidence, Insight, InsightKind, Param
from missingcare.analysis.relationships import reached_insights
from missingcare.analysis.response import response_on_return, responses_for
from missingcare.analysis.suggestions import (
    CueTable,
    IndicatorSeen,
    Seen,
    Suggestion,
    SuggestionKind,
    episode_evidence,
    indicators_seen,
    suggest,
)
from missingcare.case import CaseFile
from missingcare.conversations import AgreedAction, ResponseOnReturn
from missingcare.episodes import MissingEpisode
from missingcare.factors import Factor, FactorDirection, UnmetNeed
from missingcare.typing import AsOf
from missingcare.vocab import Concept

__all__ = [
    "ActionStatus",
    "ChildWords",
    "EpisodeFormulation",
    "ReturnResponse",
    "ScreeningPrompt",
    "WhereFound",
    "formulate",
]


@attrs.frozen
class ChildWords:
    """Something the child said, exactly as recorded, with where it was recorded.

    ``source`` is ``log`` (a log entry before the episode), ``on return`` (to
    staff or police, on the episode) or ``return conversation``; ``heard_by``
    who heard it, when recorded (for a conversation, the interviewer's role).
    """

    at: datetime
    text: str
    source: str
    heard_by: str | None
    evidence: Evidence


@attrs.frozen
class ReturnResponse:
    """Something the home did on the child's return, and which conversation recorded it."""

    conversation_id: str
    index: int
    response: ResponseOnReturn


@attrs.frozen
class ActionStatus:
    """An action agreed after the episode, and whether it was done (as of the formulation)."""

    conversation_id: str
    action: AgreedAction
    done: bool
    overdue: bool


@attrs.frozen
class WhereFound:
    """Where the child was found or came back from, who with, and how the episode ended.

    ``pulls`` are the pull factors (recorded or suggested) the place or the
    company connects to, by code; ``evidence`` points at the episode's and the
    return conversations' fields.
    """

    where: Concept | None
    whereabouts: tuple[Concept, ...]
    distance: Concept | None
    address_link: Concept | None
    who_with: tuple[Concept, ...]
    ending: Concept | None
    found_by: str | None
    pulls: tuple[Concept, ...]
    evidence: tuple[Evidence, ...]

    @property
    def known(self) -> bool:
        """Whether anything about where or with whom is recorded."""
        return bool(
            self.where or self.whereabouts or self.distance or self.address_link or self.who_with
        ) or (self.ending is not None)

    def sentence(self) -> str:
        """Where and with whom, in words, connected to the pulls."""
        parts: list[str] = []
        if self.where is not None:
            parts.append(f"found at {lower_first(self.where.display)}")
        places = [w for w in self.whereabouts if w != self.where]
        if places:
            parts.append(f"while missing at {displays(places)}")
        if self.address_link is not None:
            parts.append(f"the address is {lower_first(self.address_link.display)}")
        if self.distance is not None:
            parts.append(f"{lower_first(self.distance.display)} from the placement")
        if self.who_with:
            parts.append(f"with {displays(self.who_with)}")
        if self.ending is not None:
            parts.append(f"the episode ended: {lower_first(self.ending.display)}")
        text = "; ".join(parts)
        text = text[:1].upper() + text[1:] + "."
        if self.pulls:
            text += f" This connects to the pull, recorded or suggested: {displays(self.pulls)}."
        return text


@attrs.frozen
class ScreeningPrompt:
    """Exploitation indicators seen around the episode, and whether a screening answers them.

    ``screenings`` points at the screenings recorded for the episode (a
    :class:`~missingcare.screenings.Screening` or a held conversation's
    screening) by the formulation's instant.
    """

    indicators: tuple[IndicatorSeen, ...]
    screenings: tuple[Evidence, ...]

    @property
    def screened(self) -> bool:
        """Whether a screening is recorded."""
        return bool(self.screenings)

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        """Every indicator's evidence, sorted, without repeats."""
        return tuple(sorted({e for i in self.indicators for e in i.evidence}))

    def sentence(self) -> str:
        """The prompt: each indicator with what it rests on, and the question."""
        seen = "; ".join(
            f"{lower_first(i.indicator.display)} (from {', '.join(i.because)})"
            for i in self.indicators
        )
        if self.screened:
            return f"Exploitation indicators were seen: {seen}. A screening is recorded."
        return (
            f"Exploitation indicators were seen: {seen}. Has an exploitation screening "
            "been done, as national guidance expects after a return when such indicators "
            "appear?"
        )


@attrs.frozen
class EpisodeFormulation:
    """What one episode may have been saying, with everything it rests on.

    ``push``, ``pull``, ``needs`` and ``protective`` are what staff recorded;
    ``suggestions`` are proposed from the record and never merged into them.
    ``insights`` gathers those of the before-window, the response on return
    and the trusted adult; ``recurring`` those of the child's history about
    this episode's factors and needs; ``sentences`` says it all in plain words.
    """

    child_id: str
    episode_id: str
    zone: str
    last_seen_at: datetime
    ended_at: datetime | None
    duration: timedelta | None
    before: BeforeWindow
    push: tuple[Factor, ...]
    pull: tuple[Factor, ...]
    needs: tuple[UnmetNeed, ...]
    child_words: tuple[ChildWords, ...]
    responses: tuple[ReturnResponse, ...]
    actions: tuple[ActionStatus, ...]
    insights: tuple[Insight, ...]
    sentences: tuple[str, ...]
    protective: tuple[Factor, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    where_found: WhereFound | None = None
    screening: ScreeningPrompt | None = None
    cue_table_version: str = ""
    recurring: tuple[Insight, ...] = ()

    @property
    def text(self) -> str:
        """The sentences as one paragraph."""
        return " ".join(self.sentences)

    def suggested(self, kind: SuggestionKind) -> tuple[Suggestion, ...]:
        """The suggestions of one kind."""
        return tuple(s for s in self.suggestions if s.kind is kind)


def formulate(
    case: KnownSource,
    episode_id: str,
    *,
    as_of: AsOf | None = None,
    known_at: AsOf | None = None,
    config: LensConfig = DEFAULT_CONFIG,
    cues: CueTable | None = None,
) -> EpisodeFormulation:
    """The formulation of the episode ``episode_id``.

    Factors and needs tied to the episode are included, and so are those
    recorded of the child generally (no episode) by the time it ended.
    ``as_of`` (an instant or a clock) decides which actions are done or
    overdue, whether an unheld conversation is late and whether a screening
    is recorded yet; without it, everything recorded counts. ``known_at`` (by
    default ``as_of``) reads only what had been recorded by then, as
    :func:`~missingcare.rules.evaluate` does; ``case`` may be a
    :class:`~missingcare.history.CaseHistory`. ``cues`` is the
    cue table suggestions come from (the shipped English one by default).
    Raises ``KeyError`` for an unknown episode (or one not yet on file).
    """
    now = None if as_of is None else now_of(as_of)
    known = known_instant(now, known_at)
    case = known_file(case, known)
    table = cues if cues is not None else CueTable.english()
    episode = case.episode(episode_id)
    before = before_window(case, episode_id, config)
    known_by = episode.ended_at or now or episode.last_seen_at

    def key(rec: Factor | UnmetNeed) -> tuple[datetime, str]:
        return (rec.noted_at, rec.id)

    index = records(case)
    factors = sorted(
        (
            *index.factors.get(episode_id, ()),
            *(f for f in index.general_factors if f.noted_at <= known_by),
        ),
        key=key,
    )
    push = tuple(f for f in factors if f.direction is FactorDirection.PUSH)
    pull = tuple(f for f in factors if f.direction is FactorDirection.PULL)
    protective = tuple(f for f in factors if f.direction is FactorDirection.PROTECTIVE)
    needs = tuple(
        sorted(
            (
                *index.needs.get(episode_id, ()),
                *(n for n in index.general_needs if n.noted_at <= known_by),
            ),
            key=key,
        )
    )

    convs = sorted(case.conversations_for(episode_id), key=lambda c: (c.held_at is None, c.id))
    seen, said = episode_evidence(case, episode, before.entries, before.dates, now)
    recorded = frozenset(
        {(f.direction.value, f.concept.code) for f in factors}
        | {(SuggestionKind.NEED.value, n.need.code) for n in needs}
    )
    suggestions = suggest(table, case, episode, seen, said, recorded=recorded, by=now)
    indicators = indicators_seen(table, case, episode, seen, said, by=now)
    screening = None
    if indicators:
        done = case.screenings_of(episode_id, now if now is not None else _END_OF_TIME)
        screening = ScreeningPrompt(
            indicators,
            tuple(
                sorted(
                    Evidence.record(name, getattr(case, name)[i].id)
                    if name == "screenings"
                    else Evidence.record(name, case.conversations[i].id, within=".screening")
                    for name, i, _ in done
                )
            ),
        )
    where = _where_found(case, episode, table, seen, pull=pull, suggestions=suggestions)

    words = _child_words(case, episode, before)
    responses = tuple(
        ReturnResponse(conv.id, i, r) for conv, i, r in responses_for(case, episode_id)
    )
    actions = tuple(
        _status(conv.id, a, now)
        for conv in sorted(convs, key=lambda c: c.id)
        for a in sorted(conv.actions, key=lambda a: a.id)
    )
    reached = case.derived(
        ("lens.reached", config, now, known),
        lambda: reached_insights(case, config, as_of=now, known_at=known),
    )
    insights = (
        *before.insights,
        *response_on_return(case, episode_id, as_of=now, known_at=known, config=config),
        *(i for i in reached if i.episode_id == episode_id),
    )
    formulation = EpisodeFormulation(
        child_id=episode.child_id,
        episode_id=episode.id,
        zone=episode.zone,
        last_seen_at=episode.last_seen_at,
        ended_at=episode.ended_at,
        duration=episode.duration,
        before=before,
        push=push,
        pull=pull,
        needs=needs,
        child_words=words,
        responses=responses,
        actions=actions,
        insights=tuple(insights),
        sentences=(),
        protective=protective,
        suggestions=suggestions,
        where_found=where if where.known else None,
        screening=screening,
        cue_table_version=table.version,
        recurring=tuple(_recurring(case, episode, factors, needs, now)),
    )
    return attrs.evolve(formulation, sentences=_sentences(formulation))


_END_OF_TIME = datetime.max.replace(tzinfo=UTC)


def _child_words(
    case: CaseFile, episode: MissingEpisode, before: BeforeWindow
) -> tuple[ChildWords, ...]:
    out = [
        ChildWords(
            c.at,
            c.child_said,
            "log",
            c.child_said_to,
            Evidence.record("context", c.id, within=".child_said"),
        )
        for c in before.entries
        if c.child_said is not None
    ]
    if episode.child_said is not None:
        at = episode.returned_at or episode.ended_at or episode.last_seen_at
        ev = Evidence.record("episodes", episode.id, within=".child_said")
        out.append(ChildWords(at, episode.child_said, "on return", episode.child_said_to, ev))
    for conv in case.conversations_for(episode.id):
        if conv.held_at is None or conv.child_account is None:
            continue
        who = conv.interviewer
        out.append(
            ChildWords(
                conv.held_at,
                conv.child_account,
                "return conversation",
                lower_first(who.role.display) if who is not None else None,
                Evidence.record("conversations", conv.id, within=".child_account"),
            )
        )
    return tuple(sorted(out, key=lambda w: (w.at, w.evidence.path)))


#: The matchers that describe where the child was and who with.
_WHERE_MATCHERS = frozenset({"found", "address", "distance", "with"})


def _where_found(
    case: CaseFile,
    episode: MissingEpisode,
    table: CueTable,
    seen: Iterable[Seen],
    *,
    pull: tuple[Factor, ...],
    suggestions: tuple[Suggestion, ...],
) -> WhereFound:
    items = [s for s in seen if s.matcher in _WHERE_MATCHERS]
    codes = {(s.matcher, s.code) for s in items}
    pulls: dict[str, Concept] = {}
    named = {f.concept.code: f.concept for f in pull}
    named.update({s.concept.code: s.concept for s in suggestions if s.kind is SuggestionKind.PULL})
    for cue in table.cues:
        if cue.kind is not SuggestionKind.PULL or cue.concept.code not in named:
            continue
        if any(code in cue.codes(matcher) for matcher, code in codes):
            pulls[cue.concept.code] = named[cue.concept.code]
    located = episode.located
    who: dict[str, Concept] = {c.code: c for c in episode.who_with}
    for conv in sorted(case.conversations_for(episode.id), key=lambda c: c.id):
        if conv.held_at is not None:
            for c in conv.who_with:
                who.setdefault(c.code, c)
    ev = [s.evidence for s in items]
    if episode.ending is not None:
        ev.append(Evidence.record("episodes", episode.id, within=".ending"))
    return WhereFound(
        where=located.where if located is not None else None,
        whereabouts=episode.whereabouts,
        distance=located.distance if located is not None else None,
        address_link=located.address_link if located is not None else None,
        who_with=tuple(who.values()),
        ending=episode.ending,
        found_by=located.by if located is not None else None,
        pulls=tuple(pulls[k] for k in sorted(pulls)),
        evidence=tuple(sorted(set(ev))),
    )


def _recurring(
    case: CaseFile,
    episode: MissingEpisode,
    factors: Iterable[Factor],
    needs: Iterable[UnmetNeed],
    now: datetime | None,
) -> list[Insight]:
    """The factors and needs of this episode that are recorded for other episodes too."""

    def tally() -> Mapping[tuple[str, str], frozenset[str]]:
        out: dict[tuple[str, str], set[str]] = {}
        in_scope = {e.id for e in case.episodes if now is None or e.last_seen_at <= now}
        for f in case.factors:
            for eid in f.episode_ids:
                if eid in in_scope:
                    out.setdefault((f.direction.value, f.concept.code), set()).add(eid)
        for n in case.needs:
            for eid in n.episode_ids:
                if eid in in_scope:
                    out.setdefault(("need", n.need.code), set()).add(eid)
        return MappingProxyType({k: frozenset(v) for k, v in out.items()})

    counts = case.derived(("lens.recurring", now), tally)
    out: list[Insight] = []
    for f in factors:
        eps = counts.get((f.direction.value, f.concept.code), frozenset())
        if episode.id in eps and len(eps) >= 2 and episode.id in f.episode_ids:
            params: tuple[Param, ...] = (
                ("direction", f.direction.value),
                ("what", lower_first(f.concept.display)),
                ("count", len(eps)),
            )
            out.append(_about(episode, InsightKind.RECURRING_FACTOR, params, "factors", f.id))
    for n in needs:
        eps = counts.get(("need", n.need.code), frozenset())
        if episode.id in eps and len(eps) >= 2 and episode.id in n.episode_ids:
            params = (("what", lower_first(n.need.display)), ("count", len(eps)))
            out.append(_about(episode, InsightKind.RECURRING_NEED, params, "needs", n.id))
    return out


def _about(
    episode: MissingEpisode,
    kind: InsightKind,
    params: tuple[Param, ...],
    collection: str,
    record_id: str,
) -> Insight:
    return Insight(
        kind=kind,
        child_id=episode.child_id,
        episode_id=episode.id,
        params=params,
        evidence=(Evidence.record(collection, record_id),),
    )


#: Plain statements of what each insight rests on (its prompt asks; these say).
_FACTS: Mapping[str, str] = MappingProxyType(
    {
        InsightKind.UNRESOLVED_CONFLICT.value: (
            "Conflict with no recorded resolution when the child went: {what} "
            "(latest at {latest}, {gap} before)."
        ),
        InsightKind.SANCTION_BEFORE.value: (
            "Sanctions or restrictions in the {window} before: {what}."
        ),
        InsightKind.CONTACT_DISRUPTED.value: "Contact disrupted in the {window} before: {what}.",
        InsightKind.TRUSTED_ADULT_UNAVAILABLE.value: (
            "In the {window} before, the log records {what}."
        ),
        InsightKind.TRUSTED_ADULT_LOST.value: "A loss {gap} before the episode: {what}.",
        InsightKind.NEED_ESCALATING.value: (
            "Entries about {what} rose to {count} in the {window} before, against {baseline} "
            "in the {baseline_window} before that."
        ),
        InsightKind.UNNAMED_PULL_SIGNAL.value: (
            "The log mentions {what} {count:time/times} in the {lookback} before, and no pull "
            "factor names it."
        ),
        InsightKind.RESTRICTION_WITHOUT_SAFEGUARDING_REASON.value: (
            "On return the home recorded {what} with no safeguarding reason."
        ),
        InsightKind.STRANGER_NOT_CHOSEN.value: (
            "The child asked to talk to someone they know; the return conversation was held "
            "by someone else ({what})."
        ),
        InsightKind.NO_CHILD_WORDS.value: (
            "The return conversation held at {latest} records none of the child's own words."
        ),
        InsightKind.CHILD_WORDS_NOT_REFLECTED.value: (
            "The child's words from the return conversation are recorded, but no factor or "
            "need for this episode rests on them."
        ),
        InsightKind.ACCOUNT_UNHEARD.value: (
            "The child's account was not heard within {deadline} of their return ({what})."
        ),
        InsightKind.TRUSTED_ADULT_REACHED.value: (
            "During the episode the child contacted their trusted adult ({what}) and the "
            "episode ended {gap} later."
        ),
        InsightKind.RECURRING_FACTOR.value: (
            "The {direction} factor '{what}' is recorded for {count:episode/episodes}."
        ),
        InsightKind.RECURRING_NEED.value: (
            "The need for {what} is hypothesised behind {count:episode/episodes}."
        ),
    }
)
#: The before-window's statements (kept for embedders who translate them).
_BEFORE_FACTS = _FACTS


def _refs(evidence: Iterable[Evidence]) -> str:
    """``(from context X1, episodes E1)``: the records a sentence rests on."""
    by: dict[str, list[str]] = {}
    for e in evidence:
        ids = by.setdefault(e.collection.replace("_", " "), [])
        if e.id and e.id not in ids:
            ids.append(e.id)
    inner = "; ".join(f"{name} {', '.join(ids)}" for name, ids in by.items() if ids)
    return f" (from {inner})" if inner else ""


def _status(conversation_id: str, action: AgreedAction, now: datetime | None) -> ActionStatus:
    done = action.done_at is not None and (now is None or action.done_at <= now)
    overdue = not done and now is not None and action.due is not None and action.due < now
    return ActionStatus(conversation_id, action, done, overdue)


def _sentences(f: EpisodeFormulation) -> tuple[str, ...]:
    out = [_episode_sentence(f)]
    # the child's own words come first, before anything the adults concluded
    for w in f.child_words:
        heard = f", heard by {w.heard_by}" if w.heard_by else ""
        out.append(
            f"In the child's own words ({w.source}, {local_text(w.at, f.zone)}{heard}): “{w.text}”"
        )
    out.append(f.before.summary())
    out += [f"A significant date in the window: {d.sentence()}" for d in f.before.dates]
    out += [i.render(_FACTS) + _refs(i.evidence) for i in f.before.insights]
    if f.where_found is not None:
        out.append(f.where_found.sentence() + _refs(f.where_found.evidence))
    if f.push:
        out.append(f"Pushing away, as recorded: {_factor_list(f.push)}.")
    if f.pull:
        out.append(f"Pulling towards, as recorded: {_factor_list(f.pull)}.")
    if f.needs:
        out.append(f"Needs hypothesised: {displays(n.need for n in f.needs)}.")
    for s in f.suggestions:
        if s.kind is not SuggestionKind.PROTECTIVE:
            out.append(s.sentence() + _refs(s.evidence))
    if f.screening is not None:
        out.append(f.screening.sentence() + _refs(f.screening.evidence))
    if f.responses:
        parts = [
            lower_first(r.response.response.display)
            + (" (safeguarding reason recorded)" if r.response.safeguarding_reason is True else "")
            for r in f.responses
        ]
        out.append(f"On return, the home recorded: {', '.join(parts)}.")
    out += [
        i.render(_FACTS) + _refs(i.evidence)
        for i in (*f.insights, *f.recurring)
        if i.kind.value.startswith(("response.", "relationship.", "history."))
    ]
    out += _protection(f)
    if f.actions:
        done = sum(1 for a in f.actions if a.done)
        overdue = sum(1 for a in f.actions if a.overdue)
        text = f"Actions agreed: {len(f.actions)}; recorded as done: {done}"
        out.append(text + (f"; overdue: {overdue}." if overdue else "."))
    out.append(_communicating(f))
    return tuple(out)


def _protection(f: EpisodeFormulation) -> list[str]:
    recorded = [lower_first(p.concept.display) for p in f.protective]
    suggested = [s for s in f.suggestions if s.kind is SuggestionKind.PROTECTIVE]
    if not recorded and not suggested:
        return []
    out = []
    if recorded:
        out.append(f"What protected the child, as recorded: {', '.join(dict.fromkeys(recorded))}.")
    out += [s.sentence() + _refs(s.evidence) for s in suggested]
    out.append("How can what protected the child be strengthened?")
    return out


def _episode_sentence(f: EpisodeFormulation) -> str:
    seen = local_text(f.last_seen_at, f.zone)
    if f.ended_at is None or f.duration is None:
        return f"The child was last seen at {seen}; the episode is still open."
    return f"The child was last seen at {seen}; the episode ended {span(f.duration)} later."


def _factor_list(factors: tuple[Factor, ...]) -> str:
    items = [
        f"{lower_first(f.concept.display)} ({f.source.value.replace('_', ' ')})" for f in factors
    ]
    return ", ".join(dict.fromkeys(items))


def _communicating(f: EpisodeFormulation) -> str:
    if f.needs:
        about = displays(n.need for n in f.needs)
        return (
            f"This episode may be saying something about {about}. "
            "Is that how the child would put it?"
        )
    named = displays([*(x.concept for x in f.push), *(x.concept for x in f.pull)])
    if named:
        return (
            f"This episode may be saying something about {named}; no need has yet been "
            "hypothesised behind it. What need sits underneath?"
        )
    suggested = displays(
        s.concept for s in f.suggestions if s.kind is not SuggestionKind.PROTECTIVE
    )
    if suggested:
        return (
            "No factor or need is recorded yet. The record suggests "
            f"{suggested}: these are suggestions, not the child's account. "
            "Is that how the child would put it?"
        )
    if f.before.insights:
        return (
            "No factor or need is recorded yet; the before-window above is where to start "
            "asking what this episode may have been saying. What would the child say?"
        )
    return (
        "The records do not yet say what this episode may have been communicating; "
        "the child's own account is the place to start. What would the child say?"
    )
