"""The response on return: was the child met with curiosity, or with consequences?

:func:`response_on_return` reads the return conversations that cover an
episode and raises insights for what practice sources warn against
[DFE14][MO][NYAS]: a restriction or sanction on return with no safeguarding
reason recorded; a conversation held by someone else when the child asked for
an adult they know (``requested_adult_ids``; DfE lets the child choose a
trusted known adult [ADV]); a conversation that keeps none of the child's own
words, or keeps them but builds nothing on them; and a delay that left the child's
account unheard past the deadline (72 hours after return in England [DFE14]).
"""

from __future__ import annotations

from datetime import datetime

from missingcare._known import KnownSource
from missingcare.analysis._common import (
    displays,
    known_file,
    known_instant,
    local_text,
    lower_first,
    next_episode,
    now_of,
    records,
    span,
)
from missingcare.analysis.config import DEFAULT_CONFIG, LensConfig
from missingcare.analysis.insights import Evidence, Insight, InsightKind, Param
from missingcare.case import CaseFile
from missingcare.conversations import Decision, ResponseOnReturn, ReturnConversation
from missingcare.episodes import MissingEpisode
from missingcare.factors import EvidenceSource, Factor, UnmetNeed
from missingcare.typing import AsOf

__all__ = ["response_on_return", "responses_for"]

_HEARD_SOURCES = frozenset({EvidenceSource.CHILD_OWN_WORDS, EvidenceSource.RETURN_CONVERSATION})


def _conversations(case: CaseFile, episode_id: str) -> tuple[ReturnConversation, ...]:
    return tuple(sorted(case.conversations_for(episode_id), key=lambda c: c.id))


def _owner(case: CaseFile, conv: ReturnConversation, at: datetime) -> str:
    """The covered episode a response at ``at`` followed: the latest one back by then."""
    covered = sorted(
        (case.episode(eid) for eid in conv.episode_ids), key=lambda e: (e.last_seen_at, e.id)
    )
    owner = covered[0]
    for ep in covered:
        back = ep.returned_at or ep.ended_at
        if back is not None and back <= at:
            owner = ep
    return owner.id


def responses_for(
    case: CaseFile, episode_id: str
) -> tuple[tuple[ReturnConversation, int, ResponseOnReturn], ...]:
    """The home's responses on return after the episode: (conversation, index, response).

    A conversation may cover several episodes; each response is given to the
    covered episode the child had most recently come back from when it was
    made. In time order, then by conversation id and index.
    """
    found = [
        (conv, i, r)
        for conv in _conversations(case, episode_id)
        for i, r in enumerate(conv.responses_on_return)
        if _owner(case, conv, r.at) == episode_id
    ]
    return tuple(sorted(found, key=lambda t: (t[2].at, t[0].id, t[1])))


def response_on_return(
    case: KnownSource,
    episode_id: str,
    *,
    as_of: AsOf | None = None,
    known_at: AsOf | None = None,
    config: LensConfig = DEFAULT_CONFIG,
) -> tuple[Insight, ...]:
    """Insights about the response to the child's return from ``episode_id``.

    ``as_of`` (an instant or a clock) lets a conversation not yet held be
    judged against the deadline; without it, only what was recorded is read.
    ``known_at`` (by default ``as_of``) reads only what had been recorded by
    then; ``case`` may be a :class:`~missingcare.history.CaseHistory`.
    Raises ``KeyError`` if the case file has no such episode.
    """
    now = None if as_of is None else now_of(as_of)
    case = known_file(case, known_instant(now, known_at))
    episode = case.episode(episode_id)
    convs = _conversations(case, episode_id)
    out: list[Insight] = []

    restrictive = [
        (conv, i, r)
        for conv, i, r in responses_for(case, episode_id)
        if r.response.code in config.groups.restrictive_responses
        and r.safeguarding_reason is not True
    ]
    if restrictive:
        out.append(
            _insight(
                InsightKind.RESTRICTION_WITHOUT_SAFEGUARDING_REASON,
                episode,
                (
                    ("count", len(restrictive)),
                    ("what", displays(r.response for _, _, r in restrictive)),
                ),
                tuple(
                    Evidence.record("conversations", conv.id, within=f".responses_on_return[{i}]")
                    for conv, i, _ in restrictive
                ),
            )
        )

    for conv in convs:
        out += _stranger(case, episode, conv)
    for conv in convs:
        out += _words(case, episode, conv)
    out += _unheard(case, episode, convs, now, config)
    return tuple(out)


def _insight(
    kind: InsightKind, episode: MissingEpisode, params: tuple[Param, ...], ev: tuple[Evidence, ...]
) -> Insight:
    return Insight(
        kind=kind, child_id=episode.child_id, episode_id=episode.id, params=params, evidence=ev
    )


def _stranger(case: CaseFile, episode: MissingEpisode, conv: ReturnConversation) -> list[Insight]:
    who = conv.interviewer
    if conv.held_at is None or who is None or who.chosen_by_child is True:
        return []
    requested = set(conv.requested_adult_ids)
    if not requested or (who.adult_id is not None and who.adult_id in requested):
        return []
    trusted = sorted(
        (ta for ta in case.trusted_adults if ta.adult_id in requested), key=lambda ta: ta.id
    )
    ev = (
        Evidence.record("conversations", conv.id, within=".interviewer"),
        Evidence.record("conversations", conv.id, within=".requested_adult_ids"),
        *(Evidence.record("trusted_adults", ta.id) for ta in trusted),
    )
    params: tuple[Param, ...] = (("what", lower_first(who.role.display)),)
    return [_insight(InsightKind.STRANGER_NOT_CHOSEN, episode, params, ev)]


def _words(case: CaseFile, episode: MissingEpisode, conv: ReturnConversation) -> list[Insight]:
    if conv.held_at is None:
        return []
    ev = (Evidence.record("conversations", conv.id, within=".child_account"),)
    if conv.child_account is None:
        params: tuple[Param, ...] = (("latest", local_text(conv.held_at, episode.zone)),)
        return [_insight(InsightKind.NO_CHILD_WORDS, episode, params, ev)]
    index = records(case)
    tied: list[Factor | UnmetNeed] = []
    for eid in conv.episode_ids:
        tied += [*index.factors.get(eid, ()), *index.needs.get(eid, ())]
    built_on = [rec for rec in tied if rec.source in _HEARD_SOURCES]
    if built_on:
        return []
    return [_insight(InsightKind.CHILD_WORDS_NOT_REFLECTED, episode, (), ev)]


def _unheard(
    case: CaseFile,
    episode: MissingEpisode,
    convs: tuple[ReturnConversation, ...],
    now: datetime | None,
    config: LensConfig,
) -> list[Insight]:
    back = episode.returned_at
    if back is None:
        return []
    if any(c.decision is Decision.DECLINED for c in convs):
        return []
    due = back + config.account_deadline
    held = sorted((c.held_at, c.id) for c in convs if c.held_at is not None)
    ev: list[Evidence] = [Evidence.record("episodes", episode.id, within=".returned_at")]
    if held:
        first_held, conv_id = held[0]
        if first_held <= due:
            return []
        what = f"first held {span(first_held - back)} after return"
        ev.append(Evidence.record("conversations", conv_id, within=".held_at"))
        until = first_held
    elif now is not None and now > due:
        what = f"not held by {local_text(now, episode.zone)}"
        ev += [Evidence.record("conversations", c.id) for c in convs]
        until = now
    else:
        return []
    again = next_episode(case, episode)
    if again is not None and again.last_seen_at < until:
        what += f"; the child went missing again {span(again.last_seen_at - back)} after return"
        ev.append(Evidence.record("episodes", again.id, within=".last_seen_at"))
    params: tuple[Param, ...] = (("deadline", span(config.account_deadline)), ("what", what))
    return [_insight(InsightKind.ACCOUNT_UNHEARD, episode, params, tuple(ev))]
