"""The episode formulation: everything known about what one episode may have been saying.

:func:`formulate` brings together the before-window, the push and pull
factors with their evidence, the needs hypothesised, the child's own words
(verbatim), the home's response on return, and the actions agreed with
whether they were done; then writes plain sentences from that data. The
sentences hedge ("may be saying something about") because a formulation is a
hypothesis to test with the child, never a conclusion; there is no machine
learning and no score.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType

import attrs

from missingcare.analysis._common import displays, local_text, lower_first, now_of, span
from missingcare.analysis.before import BeforeWindow, before_window
from missingcare.analysis.config import DEFAULT_CONFIG, LensConfig
from missingcare.analysis.insights import Insight, InsightKind
from missingcare.analysis.relationships import reached_insights
from missingcare.analysis.response import response_on_return, responses_for
from missingcare.case import CaseFile
from missingcare.conversations import AgreedAction, ResponseOnReturn
from missingcare.factors import Factor, FactorDirection, UnmetNeed
from missingcare.typing import AsOf

__all__ = ["ActionStatus", "ChildWords", "EpisodeFormulation", "ReturnResponse", "formulate"]


@attrs.frozen
class ChildWords:
    """The child's own account from one return conversation, exactly as recorded."""

    conversation_id: str
    held_at: datetime
    text: str


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
class EpisodeFormulation:
    """What one episode may have been saying, with everything it rests on.

    ``insights`` gathers those of the before-window, the response on return
    and the trusted adult; ``sentences`` says it in plain words.
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

    @property
    def text(self) -> str:
        """The sentences as one paragraph."""
        return " ".join(self.sentences)


def _concerns(rec: Factor | UnmetNeed, episode_id: str, known_by: datetime) -> bool:
    if rec.episode_ids:
        return episode_id in rec.episode_ids
    return rec.noted_at <= known_by


def formulate(
    case: CaseFile,
    episode_id: str,
    *,
    as_of: AsOf | None = None,
    config: LensConfig = DEFAULT_CONFIG,
) -> EpisodeFormulation:
    """The formulation of the episode ``episode_id``.

    Factors and needs tied to the episode are included, and so are those
    recorded of the child generally (no episode) by the time it ended.
    ``as_of`` (an instant or a clock) decides which actions are done or
    overdue and whether an unheld conversation is late; without it, an
    action counts as done when it has a done time. Raises ``KeyError`` for
    an unknown episode.
    """
    episode = case.episode(episode_id)
    now = None if as_of is None else now_of(as_of)
    before = before_window(case, episode_id, config)
    known_by = episode.ended_at or now or episode.last_seen_at

    def key(rec: Factor | UnmetNeed) -> tuple[datetime, str]:
        return (rec.noted_at, rec.id)

    factors = sorted((f for f in case.factors if _concerns(f, episode_id, known_by)), key=key)
    push = tuple(f for f in factors if f.direction is FactorDirection.PUSH)
    pull = tuple(f for f in factors if f.direction is FactorDirection.PULL)
    needs = tuple(sorted((n for n in case.needs if _concerns(n, episode_id, known_by)), key=key))

    convs = sorted(case.conversations_for(episode_id), key=lambda c: (c.held_at is None, c.id))
    words = tuple(
        sorted(
            (
                ChildWords(c.id, c.held_at, c.child_account)
                for c in convs
                if c.held_at is not None and c.child_account is not None
            ),
            key=lambda w: (w.held_at, w.conversation_id),
        )
    )
    responses = tuple(
        ReturnResponse(conv.id, i, r) for conv, i, r in responses_for(case, episode_id)
    )
    actions = tuple(
        _status(conv.id, a, now)
        for conv in sorted(convs, key=lambda c: c.id)
        for a in sorted(conv.actions, key=lambda a: a.id)
    )
    insights = (
        *before.insights,
        *response_on_return(case, episode_id, as_of=now, config=config),
        *(i for i in reached_insights(case, config, as_of=now) if i.episode_id == episode_id),
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
    )
    return attrs.evolve(formulation, sentences=_sentences(formulation))


#: Plain statements of what each before-window insight rests on (its prompt asks; these say).
_BEFORE_FACTS: Mapping[str, str] = MappingProxyType(
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
            "The log mentions {what} {count} time(s) in the {lookback} before, and no pull "
            "factor names it."
        ),
    }
)


def _status(conversation_id: str, action: AgreedAction, now: datetime | None) -> ActionStatus:
    done = action.done_at is not None and (now is None or action.done_at <= now)
    overdue = not done and now is not None and action.due is not None and action.due < now
    return ActionStatus(conversation_id, action, done, overdue)


def _sentences(f: EpisodeFormulation) -> tuple[str, ...]:
    out = [_episode_sentence(f), f.before.summary()]
    out += [i.render(_BEFORE_FACTS) for i in f.before.insights]
    if f.push:
        out.append(f"Pushing away, as recorded: {_factor_list(f.push)}.")
    if f.pull:
        out.append(f"Pulling towards, as recorded: {_factor_list(f.pull)}.")
    if f.needs:
        out.append(f"Needs hypothesised: {displays(n.need for n in f.needs)}.")
    for w in f.child_words:
        out.append(f"In the child's own words ({local_text(w.held_at, f.zone)}): “{w.text}”")
    if f.responses:
        parts = [
            lower_first(r.response.response.display)
            + (" (safeguarding reason recorded)" if r.response.safeguarding_reason is True else "")
            for r in f.responses
        ]
        out.append(f"On return, the home recorded: {', '.join(parts)}.")
    if f.actions:
        done = sum(1 for a in f.actions if a.done)
        overdue = sum(1 for a in f.actions if a.overdue)
        text = f"Actions agreed: {len(f.actions)}; recorded as done: {done}"
        out.append(text + (f"; overdue: {overdue}." if overdue else "."))
    out.append(_communicating(f))
    return tuple(out)


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
    if f.before.insights:
        return (
            "No factor or need is recorded yet; the before-window above is where to start "
            "asking what this episode may have been saying."
        )
    return (
        "The records do not yet say what this episode may have been communicating; "
        "the child's own account is the place to start."
    )
