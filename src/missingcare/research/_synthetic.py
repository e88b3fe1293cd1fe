"""A fast, seeded generator of synthetic case files for research tests and examples (private).

Every value is invented: ids are ``C-00001``-style counters, authorities and
homes are ``LA-A``/``H-001`` placeholders, and no text resembles a person.
Episodes cluster around the UK, Irish and Lord Howe clock changes often
enough that every run crosses them; about one child in ten has an open
episode at the end.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from missingcare.case import CaseFile
from missingcare.children import ChildRef, PeriodOfCare, Placement, PlacementKind
from missingcare.context import ContextEntry
from missingcare.conversations import ConversationOffer, Decision, Interviewer, ReturnConversation
from missingcare.episodes import Located, MissingEpisode, StatusChange
from missingcare.factors import EvidenceSource, Factor, FactorDirection, UnmetNeed
from missingcare.relationships import AdultContact, ContactKind, TrustedAdult
from missingcare.vocabularies import (
    CONTEXT_CATEGORIES,
    CONVERSATION_OUTCOMES,
    EPISODE_ENDINGS,
    EPISODE_STATUSES,
    LOCATION_TYPES,
    PULL_FACTORS,
    PUSH_FACTORS,
    RELATIONSHIP_ROLES,
    UNMET_NEEDS,
    WHO_WITH,
)

__all__ = ["synthetic_cases"]

_ZONES = ("Europe/London",) * 6 + ("Europe/Dublin", "America/New_York", "Australia/Lord_Howe")
_AUTHORITIES = ("LA-A", "LA-B", "LA-C", "LA-D")
_START = datetime(2024, 1, 1, tzinfo=UTC)
_SPAN_HOURS = 3 * 365 * 24
#: UK and Irish clock changes (01:00 UTC, last Sundays of March and October), 2024-2026.
_CHANGES = tuple(
    datetime(y, m, d, 1, tzinfo=UTC)
    for y, m, d in (
        (2024, 3, 31),
        (2024, 10, 27),
        (2025, 3, 30),
        (2025, 10, 26),
        (2026, 3, 29),
        (2026, 10, 25),
    )
)
_STATUSES = (EPISODE_STATUSES["missing"], EPISODE_STATUSES["away_without_authorisation"])


def _some(rng: random.Random, codes: tuple[str, ...], k: int) -> tuple[str, ...]:
    return tuple(rng.sample(codes, rng.randint(0, k)))


def synthetic_cases(children: int, episodes: int, *, seed: int = 0) -> tuple[CaseFile, ...]:
    """About ``episodes`` episodes spread over ``children`` synthetic case files.

    Deterministic for a given ``seed``.
    """
    rng = random.Random(seed)
    per_child = max(1, episodes // max(children, 1))
    homes = [f"H-{i:03d}" for i in range(1, max(2, children // 8) + 1)]
    out: list[CaseFile] = []
    made = 0
    for c in range(children):
        cid = f"C-{c + 1:05d}"
        want = min(
            episodes - made, rng.randint(0, 2 * per_child) if c < children - 1 else episodes - made
        )
        made += want
        out.append(_case(rng, cid, want, homes))
    return tuple(out)


def _case(rng: random.Random, cid: str, n: int, homes: list[str]) -> CaseFile:
    zone = rng.choice(_ZONES)
    first = _START + timedelta(hours=rng.randrange(_SPAN_HOURS // 3))
    placements = [
        Placement(
            id=f"{cid}-P1",
            kind=rng.choice((PlacementKind.CHILDRENS_HOME, PlacementKind.FOSTER_CARE)),
            zone=zone,
            home_id=rng.choice(homes) if rng.random() < 0.95 else None,
            start=(first - timedelta(days=rng.randint(1, 200))).date(),
            placing_authority=rng.choice(_AUTHORITIES),
            host_authority=rng.choice(_AUTHORITIES),
        )
    ]
    dob = date(2008 + rng.randrange(8), rng.randint(1, 12), rng.randint(1, 28))
    child = ChildRef(cid, date_of_birth=dob if rng.random() < 0.9 else None)
    episodes: list[MissingEpisode] = []
    conversations: list[ReturnConversation] = []
    t = first
    for i in range(n):
        if rng.random() < 0.15:
            change = rng.choice(_CHANGES)
            if change - timedelta(hours=3) > t:
                t = change - timedelta(minutes=rng.randrange(1, 180))
        hours = rng.choice((0.5, 2, 5, 9, 20, 40, 80, 200)) * rng.random() + 0.1
        is_open = i == n - 1 and rng.random() < 0.1
        end = None if is_open else t + timedelta(hours=hours)
        eid = f"{cid}-E{i + 1:03d}"
        statuses = [StatusChange(at=t, status=_STATUSES[rng.random() < 0.3])]
        if end is not None and rng.random() < 0.2:
            statuses.append(
                StatusChange(
                    at=t + (end - t) / 2, status=_STATUSES[statuses[0].status == _STATUSES[0]]
                )
            )
        returned = None
        if end is not None and rng.random() < 0.92:
            returned = end + timedelta(minutes=rng.randrange(0, 240))
        episodes.append(
            MissingEpisode(
                id=eid,
                child_id=cid,
                placement_id=placements[0].id,
                zone=zone,
                last_seen_at=t,
                statuses=tuple(statuses),
                ended_at=end,
                returned_at=returned,
                located=None if end is None or rng.random() < 0.5 else Located(at=end),
                ending=None if end is None else EPISODE_ENDINGS[rng.choice(EPISODE_ENDINGS.codes)],
                whereabouts=tuple(LOCATION_TYPES[x] for x in _some(rng, LOCATION_TYPES.codes, 2)),
                who_with=tuple(WHO_WITH[x] for x in _some(rng, WHO_WITH.codes, 2)),
            )
        )
        if returned is not None and rng.random() < 0.85:
            offer_at = returned + timedelta(hours=rng.uniform(0, 60))
            accepted = rng.random() < 0.7
            held = offer_at + timedelta(hours=rng.uniform(0, 60)) if accepted else None
            if held is not None and rng.random() < 0.1:
                held = None
            conversations.append(
                ReturnConversation(
                    id=f"{eid}-R",
                    child_id=cid,
                    episode_ids=(eid,),
                    offers=(
                        ConversationOffer(
                            at=offer_at,
                            outcome=CONVERSATION_OUTCOMES["accepted" if accepted else "declined"],
                        ),
                    ),
                    decision=Decision.ACCEPTED if accepted else Decision.DECLINED,
                    held_at=held,
                    interviewer=None
                    if held is None
                    else Interviewer(
                        role=RELATIONSHIP_ROLES["independent_return_interviewer"],
                        independent_of_home=True,
                    ),
                )
            )
        gap = rng.choice((6, 24, 72, 24 * 10, 24 * 40, 24 * 120)) * rng.random() + 1
        t = (end if end is not None else t) + timedelta(hours=gap)
    factors = []
    needs = []
    for j in range(rng.randint(0, 3) if episodes else 0):
        direction = rng.choice((FactorDirection.PUSH, FactorDirection.PULL))
        vocab = PUSH_FACTORS if direction is FactorDirection.PUSH else PULL_FACTORS
        factors.append(
            Factor(
                id=f"{cid}-F{j}",
                child_id=cid,
                direction=direction,
                concept=vocab.concepts[j * 3 % len(vocab)],
                source=EvidenceSource.RETURN_CONVERSATION,
                noted_at=episodes[0].last_seen_at,
                episode_ids=(rng.choice(episodes).id,),
            )
        )
        needs.append(
            UnmetNeed(
                id=f"{cid}-N{j}",
                child_id=cid,
                need=UNMET_NEEDS.concepts[(j * 5 + len(cid)) % len(UNMET_NEEDS)],
                source=EvidenceSource.STAFF_OBSERVATION,
                noted_at=episodes[0].last_seen_at,
            )
        )
    adults = []
    if rng.random() < 0.5:
        named = first + timedelta(days=rng.randint(-60, 300))
        ended = named + timedelta(days=rng.randint(30, 400)) if rng.random() < 0.4 else None
        adults.append(
            TrustedAdult(
                id=f"{cid}-T1",
                child_id=cid,
                adult_id=f"A-{rng.randrange(10_000):05d}",
                role=RELATIONSHIP_ROLES["key_worker"],
                named_at=named,
                ended_at=ended,
                contacts=(
                    AdultContact(
                        at=named + timedelta(days=3),
                        kind=ContactKind.PHONE,
                        child_initiated=True,
                    ),
                ),
            )
        )
    context = tuple(
        ContextEntry(
            id=f"{cid}-X{k}",
            child_id=cid,
            at=first - timedelta(hours=rng.randint(1, 200)),
            category=CONTEXT_CATEGORIES.concepts[k % 5],
        )
        for k in range(rng.randint(0, 2))
    )
    return CaseFile(
        child=child,
        placements=tuple(placements),
        periods_of_care=(PeriodOfCare(start=placements[0].start or first.date()),),
        episodes=tuple(episodes),
        conversations=tuple(conversations),
        context=context,
        factors=tuple(factors),
        needs=tuple(needs),
        trusted_adults=tuple(adults),
    )
