"""A synthetic case file in a jurisdiction's terms: what its pack's rules look for (private).

:class:`~missingcare.testing.synth.Cohort` with ``pack=`` runs every child's
records through :func:`in_terms_of`, so each pack is exercised on realistic
data: the agency's knowledge time, the expected return, the profile given to
police, an absence plan and a missing-person profile per child, exploitation
screenings after returns, and the evidence the pack names in
:attr:`~missingcare.rules.RulePack.evidence` (notifications to its recipients,
context entries of its categories, its episode statuses), mostly in time and
sometimes late or missing, so every outcome occurs.

There are no published figures for these: every share and delay below is a
stated modelling assumption (a testing device, not a picture of practice),
listed in ``docs/how-to/synthetic-data.md``. Each child's additions come from
their own random stream, so the England cohort's bytes do not change when a
pack is not asked for.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime, timedelta

import attrs

from missingcare.case import CaseFile
from missingcare.context import ContextEntry
from missingcare.conversations import ExploitationCategory
from missingcare.episodes import MissingEpisode, Notification, SearchAction, StatusChange
from missingcare.plans import AbsencePlan, MissingPersonProfile
from missingcare.rules import RulePack
from missingcare.screenings import Screening
from missingcare.vocab import Concept, Vocabulary
from missingcare.vocabularies import CORE, EXPLOITATION_INDICATORS

__all__ = ["SHARES", "in_terms_of"]

#: The modelling assumptions: the share of children, episodes or duties with each record.
SHARES: Mapping[str, float] = {
    "agency_informed_recorded": 0.92,
    "expected_back_recorded": 0.6,
    "profile_shared": 0.7,
    "absence_plan": 0.8,
    "report_threshold_recorded": 0.85,
    "not_at_home_agreed": 0.3,
    "profile": 0.85,
    "profile_reviewed": 0.5,
    "photograph_dated": 0.8,
    "child_told": 0.6,
    "screened": 0.6,
    "concern_identified": 0.08,
    "evidence_recorded": 0.85,
    "evidence_names_an_adult": 0.85,
    "pack_status": 0.1,
}

#: Thresholds past the expected return that absence plans hold (synthetic, plan by plan).
_THRESHOLDS = (timedelta(minutes=15), timedelta(minutes=30), timedelta(hours=1), timedelta(hours=2))

M = timedelta(minutes=1)


def _delay(rng: random.Random) -> timedelta:
    """How long after the agency learned a duty was done: mostly hours, sometimes days."""
    roll = rng.random()
    if roll < 0.6:
        return timedelta(minutes=rng.randint(5, 180))
    if roll < 0.9:
        return timedelta(minutes=rng.randint(180, 48 * 60))
    return timedelta(minutes=rng.randint(48 * 60, 10 * 24 * 60))


def _vocabularies(pack: RulePack) -> dict[str, Vocabulary]:
    merged = dict(CORE)
    merged.update({v.name: v for v in pack.extended_vocabularies()})
    return merged


def _concepts(pack: RulePack, vocabulary: str) -> list[Concept]:
    table = _vocabularies(pack)[vocabulary]
    return [table[code] for name, code in pack.evidence if name == vocabulary]


@attrs.define
class _Terms:
    case: CaseFile
    pack: RulePack
    rng: random.Random
    as_of: datetime
    context: list[ContextEntry] = attrs.Factory(list)

    def chance(self, name: str) -> bool:
        return self.rng.random() < SHARES[name]

    def known(self, at: datetime) -> datetime | None:
        """``at``, if it is not after the records end (nothing is recorded from the future)."""
        return at if at <= self.as_of else None

    def episode(self, ep: MissingEpisode, n: int) -> MissingEpisode:
        rng, seen = self.rng, ep.last_seen_at
        end = ep.ended_at
        informed = None
        if self.chance("agency_informed_recorded"):
            informed = self.known((ep.noticed_at or seen) + timedelta(minutes=rng.randint(0, 90)))
        expected = (
            seen + timedelta(minutes=rng.randint(0, 240))
            if self.chance("expected_back_recorded")
            else None
        )
        shared = None
        if ep.police_report is not None and self.chance("profile_shared"):
            shared = self.known(
                ep.police_report.reported_at + timedelta(minutes=rng.randint(0, 120))
            )
        start = informed or ep.noticed_at or seen
        notes = list(ep.notifications)
        for recipient in _concepts(self.pack, "notification_recipients"):
            if self.chance("evidence_recorded"):
                at = self.known(start + _delay(rng))
                if at is not None:
                    notes.append(Notification(recipient=recipient, at=at))
        actions = list(ep.search_actions)
        for action in _concepts(self.pack, "search_actions"):
            at = start
            while self.chance("evidence_recorded"):  # again and again while the child is away
                at = at + _delay(rng)
                if self.known(at) is None or (end is not None and at > end):
                    break
                actions.append(SearchAction(at=at, action=action))
        for category in _concepts(self.pack, "context_categories"):
            if self.chance("evidence_recorded"):
                at = self.known(start + _delay(rng))
                if at is not None:
                    adults = () if not self.chance("evidence_names_an_adult") else ("SYN-ADULT-1",)
                    self.context.append(
                        ContextEntry(
                            id=f"{self.case.child.id}-J{n:03d}-{len(self.context):03d}",
                            child_id=self.case.child.id,
                            at=at,
                            category=category,
                            adult_ids=adults,
                        )
                    )
        statuses = ep.statuses
        pack_statuses = _concepts(self.pack, "episode_statuses")
        if pack_statuses and len(statuses) == 1 and self.chance("pack_status"):
            statuses = (StatusChange(at=statuses[0].at, status=rng.choice(pack_statuses)),)
        return attrs.evolve(
            ep,
            agency_informed_at=informed
            if end is None or informed is None or informed <= end
            else end,
            expected_back_at=expected,
            profile_shared_at=shared,
            notifications=tuple(sorted(notes, key=lambda x: (x.at, x.recipient.code))),
            search_actions=tuple(sorted(actions, key=lambda x: (x.at, x.action.code))),
            statuses=statuses,
        )

    def screenings(self, episodes: tuple[MissingEpisode, ...]) -> tuple[Screening, ...]:
        out = []
        for ep in episodes:
            back = ep.returned_at or ep.ended_at
            if back is None or not self.chance("screened"):
                continue
            at = self.known(back + _delay(self.rng))
            if at is None:
                continue
            categories = [c for c in ExploitationCategory if self.rng.random() < 0.7] or [
                ExploitationCategory.TRAFFICKING
            ]
            concerns = [c for c in categories if self.chance("concern_identified")]
            seen = self.rng.sample(EXPLOITATION_INDICATORS.concepts, k=self.rng.randint(0, 2))
            out.append(
                Screening(
                    id=f"{ep.id}-SCR",
                    child_id=self.case.child.id,
                    at=at,
                    episode_ids=(ep.id,),
                    categories=tuple(categories),
                    indicators=tuple(seen),
                    concerns=tuple(concerns),
                )
            )
        return tuple(out)

    def plans(
        self, first: datetime
    ) -> tuple[tuple[AbsencePlan, ...], tuple[MissingPersonProfile, ...]]:
        rng, child = self.rng, self.case.child.id
        plans: tuple[AbsencePlan, ...] = ()
        if self.chance("absence_plan"):
            plans = (
                AbsencePlan(
                    id=f"{child}-AP1",
                    child_id=child,
                    agreed_at=first - timedelta(days=rng.randint(1, 200)),
                    report_after=(
                        rng.choice(_THRESHOLDS)
                        if self.chance("report_threshold_recorded")
                        else None
                    ),
                    not_at_home_agreed=self.chance("not_at_home_agreed"),
                ),
            )
        profiles: tuple[MissingPersonProfile, ...] = ()
        if self.chance("profile"):
            done = first - timedelta(days=rng.randint(1, 400))
            reviewed = self.known(done + timedelta(days=rng.randint(30, 300)))
            profiles = (
                MissingPersonProfile(
                    id=f"{child}-MP1",
                    child_id=child,
                    completed_at=done,
                    reviewed_at=reviewed if self.chance("profile_reviewed") else None,
                    photograph_taken_on=(
                        (done - timedelta(days=rng.randint(0, 500))).date()
                        if self.chance("photograph_dated")
                        else None
                    ),
                    child_told_at=(
                        done + timedelta(days=rng.randint(0, 20))
                        if self.chance("child_told")
                        else None
                    ),
                ),
            )
        return plans, profiles


def in_terms_of(
    case: CaseFile, pack: RulePack, rng: random.Random, *, start: datetime, as_of: datetime
) -> CaseFile:
    """``case`` with the records ``pack``'s rules look for, drawn from ``rng``.

    ``start`` is when the cohort's window opens (plans and profiles predate it);
    nothing is recorded after ``as_of``. The case's own records are kept.
    """
    terms = _Terms(case, pack, rng, as_of)
    episodes = tuple(terms.episode(ep, n) for n, ep in enumerate(case.episodes))
    plans, profiles = terms.plans(start)
    return attrs.evolve(
        case,
        episodes=episodes,
        context=tuple(sorted((*case.context, *terms.context), key=lambda c: (c.at, c.id))),
        absence_plans=plans,
        profiles=profiles,
        screenings=terms.screenings(episodes),
    )
