"""A seeded, deterministic generator of realistic synthetic case files.

No real child's data may go into a test, a benchmark or a demo, yet all of
them need data that looks and behaves like the real thing. This module builds
children's homes (each with its IANA time zone), the children living in them,
their periods of care and placements, a daily context log, missing episodes
(status changes, police reports and risk grades, searches, notifications, how
each ended), return conversations (offered, accepted, declined, late, covering
several episodes when the child went again before it was held), push and pull
factors, unmet needs, exploitation indicators, and trusted adults (present for
some children, leaving for some).

The distributions follow published figures for England where such figures
exist (``docs/how-to/synthetic-data.md`` lists each one with its source key in
the project's domain research and the tolerance the tests hold it to):

* about 9 in 10 episodes end within 2 days [PQ22, REZ17];
* episodes are concentrated in a minority of children, about 6.8 incidents per
  child who goes missing [EES25], most of them more than once [CORAM];
* return conversations are offered after roughly 50-80% of episodes
  [TCS19, MP-RHI24], and about 63% of those held are held within 72 hours of
  the return [MP-RHI24].

Where no figure is published (the hour of the day, the day of the week, how
often staff and children fall out) the value is a stated modelling
assumption, shown in :class:`Parameters`. The generator also has a causal
structure for the analyses to find: a conflict or sanction that is left
unresolved raises the chance of an episode in the following hours, and a child
with a trusted adult present goes missing less often and comes back sooner.

Every child is generated from its own ``random.Random`` stream, seeded from the
cohort's seed and the child's index, so a child's record does not depend on
the order of generation, on the other children, or on the host. Generation
streams: :func:`iter_case_files` yields one :class:`~missingcare.CaseFile` at a
time and holds no more than one child's records in memory.

A *profile* (:data:`PROFILES`) is a named preset of zones and
:class:`Parameters` for a kind of test: ``"default"`` is the realistic cohort
above; ``"clock_changes"`` puts homes in four zones with summer time (one of
them moving its clocks by half an hour), has more children go missing more
often, starts many episodes in the hours around a clock change, and leaves
some children still away when the records end. It is a testing device, not a
picture of practice. Explicit ``zones`` or ``parameters`` override the
profile's.

>>> cohort = Cohort(children=8, seed=7)
>>> first = cohort.case_file(0)
>>> first == Cohort(children=8, seed=7).case_file(0)
True
>>> first.child.id
'SYN-7-000000'
>>> sum(1 for _ in cohort)
8
>>> Cohort(children=8, seed=7, profile="clock_changes").zones[-1]
'Australia/Lord_Howe'
"""

from __future__ import annotations

import bisect
import functools
import math
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any, BinaryIO

import attrs

from missingcare._fields import kinds
from missingcare.case import CaseFile
from missingcare.children import ChildRef, PeriodOfCare, Placement, PlacementKind
from missingcare.context import ContextEntry
from missingcare.conversations import (
    AgreedAction,
    ContactMethod,
    ConversationOffer,
    ConversationTopic,
    Decision,
    ExploitationCategory,
    ExploitationScreening,
    Interviewer,
    ResponseOnReturn,
    ReturnConversation,
)
from missingcare.converters import to_json
from missingcare.converters._make import maker
from missingcare.dates import SignificantDate
from missingcare.episodes import (
    Located,
    MissingEpisode,
    Notification,
    PoliceReport,
    RiskGrading,
    SearchAction,
    StatusChange,
)
from missingcare.factors import EvidenceSource, Factor, FactorDirection, UnmetNeed
from missingcare.records import Recorded, carries_recorded
from missingcare.relationships import AdultContact, ContactKind, TrustedAdult
from missingcare.rules import RulePack
from missingcare.time import check_zone, local_datetime, start_of_local_day
from missingcare.vocab import Concept
from missingcare.vocabularies import (
    ADDRESS_LINKS,
    CONTEXT_CATEGORIES,
    CONVERSATION_OUTCOMES,
    DISTANCE_BANDS,
    EPISODE_ENDINGS,
    EPISODE_STATUSES,
    EXPLOITATION_INDICATORS,
    HARM_TYPES,
    LOCATION_TYPES,
    NOTIFICATION_RECIPIENTS,
    POLICE_RISK_GRADES,
    PULL_FACTORS,
    PUSH_FACTORS,
    RELATIONSHIP_ROLES,
    RESPONSES_ON_RETURN,
    SEARCH_ACTIONS,
    SIGNIFICANT_DATE_KINDS,
    UNMET_NEEDS,
    WHO_WITH,
)

__all__ = [
    "PROFILES",
    "TRIGGER_CATEGORIES",
    "Cohort",
    "Home",
    "Parameters",
    "Profile",
    "iter_case_files",
    "write_jsonl",
]

#: Context categories that, left unresolved, raise the chance of an episode.
TRIGGER_CATEGORIES: frozenset[str] = frozenset(
    {
        "conflict_with_staff",
        "conflict_with_peer",
        "conflict_with_family",
        "sanction_imposed",
        "restriction_imposed",
    }
)

_HOUR = 60  # the generator counts time in whole minutes
_DAY = 24 * _HOUR
_YEAR = 365 * _DAY


def _hour_weights(value: Sequence[float]) -> tuple[float, ...]:
    out = tuple(float(v) for v in value)
    if len(out) != 24 or min(out) < 0 or max(out) <= 0:
        raise ValueError("hour weights are 24 non-negative numbers, not all zero")
    return out


def _day_weights(value: Sequence[float]) -> tuple[float, ...]:
    out = tuple(float(v) for v in value)
    if len(out) != 7 or min(out) < 0 or max(out) <= 0:
        raise ValueError("day weights are 7 non-negative numbers (Monday first), not all zero")
    return out


def _codes(value: Iterable[str]) -> tuple[str, ...]:
    out = tuple(value)
    if not all(isinstance(code, str) and code for code in out):
        raise ValueError("Parameters.authorities are non-empty codes")
    return out


def _share(_inst: object, attr: attrs.Attribute[Any], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"Parameters.{attr.name} is a share between 0 and 1")


def _positive(_inst: object, attr: attrs.Attribute[Any], value: float) -> None:
    if not value > 0:
        raise ValueError(f"Parameters.{attr.name} must be positive")


def _share_range(_inst: object, attr: attrs.Attribute[Any], value: tuple[float, float]) -> None:
    low, high = value
    if not 0.0 <= low <= high <= 1.0:
        raise ValueError(f"Parameters.{attr.name} is a (low, high) range of shares in [0, 1]")


@attrs.frozen
class Parameters:
    """The generator's distributions; the defaults are documented with their sources.

    Values marked *assumption* have no published figure behind them; they
    are chosen so the published aggregates come out right, and can be changed.
    """

    #: Share of children in a home with any propensity to go missing. 25-71%
    #: of 11-16 year-olds in children's homes went missing overnight [YORK98];
    #: with the rates below about 4 in 10 children go missing in a year.
    runner_share: float = attrs.field(default=0.55, validator=_share)
    #: Mean and gamma shape of a runner's baseline episodes per year (before
    #: triggers and trusted adults). Calibrated so the cohort averages about
    #: 6.8 episodes per child who goes missing [EES25]; a shape below 1 gives
    #: the heavy concentration seen in practice (65% go more than once [CORAM]).
    runner_rate_mean: float = attrs.field(default=6.5, validator=_positive)
    runner_rate_shape: float = attrs.field(default=0.75, validator=_positive)
    #: Median hours away and the spread (lognormal sigma) with no trusted
    #: adult present; calibrated so about 9 in 10 episodes end within 2 days
    #: [PQ22, REZ17].
    duration_median_hours: float = attrs.field(default=10.0, validator=_positive)
    duration_sigma: float = attrs.field(default=1.3, validator=_positive)
    #: Share of long episodes (2-60 days): about 0.8% of episodes last over 30
    #: days [REZ17] (490 of 60,720).
    long_episode_share: float = attrs.field(default=0.016, validator=_share)
    #: Share of children with a trusted adult at the start, who then leave
    #: during the year, and of the rest who name one during it (assumption).
    trusted_adult_share: float = attrs.field(default=0.45, validator=_share)
    trusted_adult_leaves: float = attrs.field(default=0.3, validator=_share)
    trusted_adult_named_later: float = attrs.field(default=0.25, validator=_share)
    #: How a present trusted adult changes the episode rate and the median
    #: duration (assumption; the direction is from [RTC19, NYAS] §6.2).
    trusted_adult_rate_factor: float = attrs.field(default=0.5, validator=_positive)
    trusted_adult_duration_factor: float = attrs.field(default=0.45, validator=_positive)
    #: How much an unresolved conflict or sanction raises the episode rate,
    #: and for how many hours (assumption; the antecedents are from §6.5).
    trigger_rate_factor: float = attrs.field(default=5.0, validator=_positive)
    trigger_hours: int = attrs.field(default=12, validator=_positive)
    #: Conflicts and sanctions per day (assumption) and the range of the
    #: home's share of them that staff repair (assumption).
    trigger_rate_per_day: float = attrs.field(default=0.15, validator=_positive)
    resolved_share: tuple[float, float] = attrs.field(default=(0.3, 0.8), validator=_share_range)
    #: Share of runners being exploited: 9% of children's missing incidents
    #: carried a CSE flag [MBP]; criminal exploitation is added (assumption).
    exploited_share: float = attrs.field(default=0.12, validator=_share)
    #: Share of episodes recorded first as "away without authorisation" (A)
    #: rather than "missing" (M); many LAs now record everything as M [EES20].
    away_share: float = attrs.field(default=0.25, validator=_share)
    #: Range of the home's (placing authority's) return-conversation offer
    #: rate: on average 50% of episodes led to an RHI [TCS19]; offer rates
    #: range from under 30% to over 90% by LA [MP-RHI24].
    offer_rate: tuple[float, float] = attrs.field(default=(0.5, 0.8), validator=_share_range)
    #: Share of offers accepted (assumption within the 19-100% completion
    #: range of [MP-RHI24]).
    accept_share: float = attrs.field(default=0.8, validator=_share)
    #: Share of accepted conversations planned within 72 hours; calibrated so
    #: about 63% of those held are within 72 hours of the return [MP-RHI24].
    on_time_share: float = attrs.field(default=0.6, validator=_share)
    #: Share of held conversations in which harm is disclosed: 11% of runaways
    #: were hurt or harmed last time they ran [TCS11].
    harm_share: float = attrs.field(default=0.11, validator=_share)
    #: Share of responses on return that are punitive, range over homes
    #: (assumption).
    punitive_share: tuple[float, float] = attrs.field(default=(0.1, 0.6), validator=_share_range)
    #: Relative episode rate by local hour, 00:00 first (assumption: more in
    #: the evening and at night, in the buckets practice systems count).
    hour_weights: tuple[float, ...] = attrs.field(
        default=(
            *(1.4, 1.1, 0.8, 0.5, 0.3, 0.2),  # 00:00-05:59
            *(0.2, 0.3, 0.4, 0.5, 0.5, 0.6),  # 06:00-11:59
            *(0.7, 0.8, 0.9, 1.1, 1.4, 1.7),  # 12:00-17:59
            *(2.1, 2.5, 2.8, 2.8, 2.5, 1.9),  # 18:00-23:59
        ),
        converter=_hour_weights,
    )
    #: Relative episode rate by local weekday, Monday first (assumption: more
    #: on Friday and at the weekend).
    day_weights: tuple[float, ...] = attrs.field(
        default=(0.85, 0.85, 0.9, 0.95, 1.25, 1.35, 1.1), converter=_day_weights
    )
    #: Share of returns after which the home records that it reviewed the hours
    #: and days before the episode (assumption; the England pack looks for it).
    context_review_share: float = attrs.field(default=0.6, validator=_share)
    #: Share of episodes moved to start in the hours around the home zone's
    #: next clock change (within 90 days), so that they cross it or begin in a
    #: skipped or repeated local hour. 0 for a realistic cohort; the
    #: ``clock_changes`` profile raises it (a testing device, not a finding).
    clock_change_share: float = attrs.field(default=0.0, validator=_share)
    #: Share of runners who are still away when the records end (an episode
    #: begun in the last three days of the window). 0 for a realistic cohort,
    #: where only the episodes that happen to run over the end are open.
    open_at_end_share: float = attrs.field(default=0.0, validator=_share)
    #: Opaque codes of the local authorities that place children; each child
    #: gets one as placing authority and each home one as host authority. Empty
    #: (the default) leaves both unrecorded.
    authorities: tuple[str, ...] = attrs.field(default=(), converter=_codes)
    #: Share of log entries about conflict, sanctions, contact, peers, distress
    #: or gifts that keep the child's own words (assumption: no published figure;
    #: guidance asks that the child's words be kept verbatim [MP-NEXT]).
    words_share: float = attrs.field(default=0.25, validator=_share)
    #: Share of closed episodes after which staff or police record what the
    #: child said on return (assumption: no published figure).
    said_on_return_share: float = attrs.field(default=0.35, validator=_share)
    #: Share of children with each kind of significant date recorded: a family
    #: member's birthday, the anniversary of a loss, a court date in the window
    #: (assumption: no published figure; anniversaries and family news are named
    #: antecedents [PKC][WALES][MO]); and the share for which contact is arranged
    #: (assumption).
    birthday_share: float = attrs.field(default=0.6, validator=_share)
    anniversary_share: float = attrs.field(default=0.25, validator=_share)
    court_date_share: float = attrs.field(default=0.15, validator=_share)
    date_contact_share: float = attrs.field(default=0.5, validator=_share)
    #: Share of episodes of exploited children found out of area or far away:
    #: county-lines exploitation moves children out of area [CL23]; the share is
    #: an assumption. Other children are found out of area in 5% of episodes
    #: (assumption).
    out_of_area_exploited_share: float = attrs.field(default=0.4, validator=_share)
    #: Share of records that say when they were written and by whom (``recorded``); the
    #: rest say "recording time unknown", as records kept before it was asked do
    #: (assumption: no published figure).
    recorded_share: float = attrs.field(default=0.85, validator=_share)
    #: Of the records that say so, the share written days after the event: one to
    #: three weeks for a third of them, one to seven days for the rest; the others are
    #: written within the day (assumption: inspections find records written up late,
    #: with no published rate).
    late_recording_share: float = attrs.field(default=0.12, validator=_share)


@attrs.frozen
class Profile:
    """A named preset of the generator: the homes' zones and the :class:`Parameters`."""

    name: str
    #: What the profile is for, in a sentence.
    description: str
    zones: tuple[str, ...]
    parameters: Parameters


#: The generator's profiles by name; ``Cohort(..., profile=name)`` uses one.
PROFILES: Mapping[str, Profile] = MappingProxyType(
    {
        "default": Profile(
            name="default",
            description="A realistic cohort in English homes, calibrated to published figures.",
            zones=("Europe/London",),
            parameters=Parameters(),
        ),
        "clock_changes": Profile(
            name="clock_changes",
            description=(
                "Homes in four zones with summer time (London, Dublin, New York and Lord "
                "Howe, whose clocks move by half an hour). More children go missing, more "
                "often; many episodes start in the six hours before or two after a clock "
                "change; about one runner in eight is still away when the records end; "
                "placing and host authorities are recorded."
            ),
            zones=(
                "Europe/London",
                "Europe/Dublin",
                "America/New_York",
                "Australia/Lord_Howe",
            ),
            parameters=Parameters(
                runner_share=0.85,
                runner_rate_mean=12.0,
                clock_change_share=0.35,
                open_at_end_share=0.125,
                authorities=("SYN-LA-A", "SYN-LA-B", "SYN-LA-C", "SYN-LA-D"),
            ),
        ),
    }
)


@attrs.frozen
class Home:
    """A synthetic children's home: its id, zone and the habits of its staff."""

    id: str
    zone: str
    #: Share of conflicts and sanctions that staff repair.
    resolved_share: float
    #: Share of episodes after which a return conversation is offered.
    offer_rate: float
    #: Share of responses on return that are punitive.
    punitive_share: float
    #: The ids of the home's staff (opaque; no names).
    staff: tuple[str, ...]


def _positive_int(_inst: object, attr: attrs.Attribute[int], value: int) -> None:
    if type(value) is not int or value < 1:
        raise ValueError(f"Cohort.{attr.name} must be a whole number, at least 1")


def _known_profile(_inst: object, _attr: attrs.Attribute[str], value: str) -> None:
    if value not in PROFILES:
        raise ValueError(f"Cohort.profile is one of {', '.join(sorted(PROFILES))}")


def _preset(cohort: Cohort) -> Profile:
    # an unknown name is reported by the validator, which runs after the defaults
    return PROFILES.get(cohort.profile, PROFILES["default"])


def _profile_zones(cohort: Cohort) -> tuple[str, ...]:
    if cohort.pack is not None:
        zone = _pack(cohort.pack).zone
        if zone is None:
            raise ValueError(
                f"{cohort.pack} spans several time zones and will not guess one: give zones"
            )
        return (zone,)
    return _preset(cohort).zones


def _pack(code: str) -> RulePack:
    from missingcare.rules import get_pack  # noqa: PLC0415 - only for a cohort in a pack's terms

    return get_pack(code)


def _known_pack(_inst: object, _attr: attrs.Attribute[str | None], value: str | None) -> None:
    if value is not None:
        _pack(value)  # UnknownJurisdictionError names the packs there are


def _profile_parameters(cohort: Cohort) -> Parameters:
    return _preset(cohort).parameters


def _zones(value: Iterable[str]) -> tuple[str, ...]:
    out = tuple(value)
    if not out:
        raise ValueError("Cohort.zones needs at least one IANA zone")
    for i, zone in enumerate(out):
        check_zone(zone, f"$.zones[{i}]")
    return out


@attrs.frozen
class Cohort:
    """A synthetic cohort: ``children`` children in homes of ``children_per_home``.

    The records cover ``days`` days from ``start`` (by default one 903
    collection year, 1 April to 31 March) and stand as of the first instant
    after it in each home's zone (:meth:`as_of`): episodes still going on then
    are open, conversations not yet due are not yet held.

    ``profile`` (keyword only) names a preset in :data:`PROFILES` that supplies
    ``zones`` and ``parameters`` when they are not given. ``pack`` (keyword
    only) is a rule pack's code: the homes are in the pack's zone (unless
    ``zones`` are given; a pack without a zone needs them) and every case file
    carries what the pack's rules look for, in its terms (see
    :mod:`missingcare.testing._terms`); without it the cohort is England's.

    >>> ws = Cohort(children=2, seed=3, pack="GB-ENG")
    >>> ws.zones, ws.case_file(0).child.id
    (('Europe/London',), 'SYN-3-000000')
    """

    profile: str = attrs.field(default="default", kw_only=True, validator=_known_profile)
    pack: str | None = attrs.field(default=None, kw_only=True, validator=_known_pack)
    children: int = attrs.field(validator=_positive_int)
    seed: int = 0
    start: date = date(2025, 4, 1)
    days: int = attrs.field(default=365, validator=_positive_int)
    zones: tuple[str, ...] = attrs.field(
        default=attrs.Factory(_profile_zones, takes_self=True), converter=_zones
    )
    children_per_home: int = attrs.field(default=4, validator=_positive_int)
    parameters: Parameters = attrs.field(
        default=attrs.Factory(_profile_parameters, takes_self=True)
    )

    @property
    def end(self) -> date:
        """The first local date after the cohort's window."""
        return self.start + timedelta(days=self.days)

    def as_of(self, zone: str) -> datetime:
        """The instant the records stand at in ``zone``: the start of :attr:`end`."""
        return start_of_local_day(self.end, zone)

    def home(self, index: int) -> Home:
        """The ``index``-th home (each from its own random stream)."""
        rng = random.Random(f"missingcare.synth/{self.seed}/home/{index}")
        p = self.parameters
        return Home(
            id=f"SYN-H{self.seed}-{index:05d}",
            zone=self.zones[rng.randrange(len(self.zones))],
            resolved_share=rng.uniform(*p.resolved_share),
            offer_rate=rng.uniform(*p.offer_rate),
            punitive_share=rng.uniform(*p.punitive_share),
            staff=tuple(f"SYN-H{self.seed}-{index:05d}-S{k:02d}" for k in range(1, 13)),
        )

    def home_of(self, child: int) -> Home:
        """The home the ``child``-th child lives in."""
        return self.home(child // self.children_per_home)

    def case_file(self, index: int) -> CaseFile:
        """The ``index``-th child's case file; the same for the same cohort and index."""
        if not 0 <= index < self.children:
            raise IndexError("child index out of range")
        rng = random.Random(f"missingcare.synth/{self.seed}/child/{index}")
        home = self.home_of(index)
        case = _Child(self, index, home, rng).build()
        if self.pack is None:
            return case
        from missingcare.testing._terms import in_terms_of  # noqa: PLC0415

        terms = random.Random(f"missingcare.synth/{self.seed}/child/{index}/{self.pack}")
        start = start_of_local_day(self.start, home.zone)
        return in_terms_of(case, _pack(self.pack), terms, start=start, as_of=self.as_of(home.zone))

    def __iter__(self) -> Iterator[CaseFile]:
        for index in range(self.children):
            yield self.case_file(index)

    def __len__(self) -> int:
        return self.children


def iter_case_files(
    children: int,
    *,
    seed: int = 0,
    start: date = date(2025, 4, 1),
    days: int = 365,
    zones: Sequence[str] | None = None,
    children_per_home: int = 4,
    parameters: Parameters | None = None,
    profile: str = "default",
) -> Iterator[CaseFile]:
    """Yield the case files of a synthetic cohort, one child at a time.

    Memory stays bounded by one child's records, however many children.
    ``zones`` and ``parameters`` default to those of ``profile``.

    >>> print(*(c.child.id for c in iter_case_files(2, seed=1)))
    SYN-1-000000 SYN-1-000001
    """
    chosen: dict[str, Any] = {}
    if zones is not None:
        chosen["zones"] = tuple(zones)
    if parameters is not None:
        chosen["parameters"] = parameters
    cohort = Cohort(
        profile=profile,
        children=children,
        seed=seed,
        start=start,
        days=days,
        children_per_home=children_per_home,
        **chosen,
    )
    return iter(cohort)


def write_jsonl(case_files: Iterable[CaseFile], stream: BinaryIO) -> tuple[int, int]:
    """Write each case file as one line of JSON; return (case files, episodes) written."""
    files = episodes = 0
    for case in case_files:
        stream.write(to_json(case))
        stream.write(b"\n")
        files += 1
        episodes += len(case.episodes)
    return files, episodes


# --- the concepts the generator uses, looked up once -----------------------------

_CTX = CONTEXT_CATEGORIES
_MISSING = EPISODE_STATUSES["missing"]
_AWAY = EPISODE_STATUSES["away_without_authorisation"]
_GRADES = [POLICE_RISK_GRADES[c] for c in ("very_low", "low", "medium", "high")]
_GRADE_WEIGHTS = [0.1, 0.45, 0.4, 0.05]
_OUTCOME = {c: CONVERSATION_OUTCOMES[c] for c in ("accepted", "declined")}
_RESOLVED = _CTX["conflict_resolved"]
_KEY_WORKER_LEFT = _CTX["key_worker_left"]
_PLACEMENT_MOVE_NEWS = _CTX["placement_move_news"]

#: Trigger categories with their share of all triggers.
_TRIGGERS: tuple[tuple[Concept, float], ...] = (
    (_CTX["conflict_with_staff"], 0.45),
    (_CTX["conflict_with_peer"], 0.25),
    (_CTX["sanction_imposed"], 0.18),
    (_CTX["restriction_imposed"], 0.07),
    (_CTX["conflict_with_family"], 0.05),
)
#: Everyday log entries with no causal effect, per day (assumption).
_ROUTINE: tuple[tuple[Concept, float], ...] = (
    (_CTX["positive_activity"], 0.04),
    (_CTX["contact_held"], 0.02),
    (_CTX["contact_cancelled"], 0.01),
    (_CTX["key_worker_off_shift"], 0.02),
    (_CTX["school_problem"], 0.01),
    (_CTX["child_upset"], 0.01),
    (_CTX["social_worker_visit_cancelled"], 0.005),
    (_CTX["family_news"], 0.005),
)
#: Extra entries for a child being exploited, per day (signals from §6.4-6.5).
_EXPLOITATION_SIGNS: tuple[tuple[Concept, float], ...] = (
    (_CTX["many_calls_or_messages"], 0.04),
    (_CTX["picked_up_by_car"], 0.015),
    (_CTX["new_phone_or_gifts"], 0.01),
    (_CTX["older_peers"], 0.015),
)

_PUSH_PROFILE = [
    PUSH_FACTORS[c]
    for c in (
        "conflict_with_staff",
        "conflict_with_residents",
        "rules_and_sanctions",
        "not_listened_to",
        "placement_instability",
        "out_of_area_placement",
        "family_conflict",
        "bereavement_or_loss",
        "mental_health_distress",
        "school_problems",
        "boredom",
        "feeling_unsafe",
        "surveillance_and_control",
    )
]
_COMMUNICATION_BREAKDOWN = PUSH_FACTORS["communication_breakdown"]
_PULL_PROFILE = [
    PULL_FACTORS[c]
    for c in (
        "see_family",
        "see_siblings",
        "see_friends",
        "boyfriend_or_girlfriend",
        "drugs_or_alcohol",
        "parties",
        "home_area",
        "independence",
    )
]
_PULL_EXPLOITED = [
    PULL_FACTORS[c]
    for c in ("older_partner", "groomed_by_adults", "gang_recruitment", "money_gifts_status")
]
_NEEDS = [
    UNMET_NEEDS[c]
    for c in (
        "belonging",
        "being_heard",
        "safety",
        "stability",
        "family_contact",
        "emotional_support",
        "freedom",
        "identity",
        "being_treated_as_capable",
        "status",
    )
]
_PLACES = {
    "see_family": ("family_home",),
    "see_siblings": ("family_home", "other_placement"),
    "see_friends": ("friends_home", "street_or_outdoors"),
    "boyfriend_or_girlfriend": ("partners_home", "friends_home"),
    "drugs_or_alcohol": ("street_or_outdoors", "party", "friends_home"),
    "parties": ("party", "friends_home"),
    "home_area": ("street_or_outdoors", "out_of_area", "family_home"),
    "independence": ("street_or_outdoors", "transport_hub", "commercial_premises"),
    "older_partner": ("unknown_adults_address", "hotel_or_short_let", "vehicle"),
    "groomed_by_adults": ("unknown_adults_address", "hotel_or_short_let", "party"),
    "gang_recruitment": ("trap_house", "out_of_area", "transport_hub"),
    "money_gifts_status": ("unknown_adults_address", "out_of_area", "commercial_premises"),
}
_WITH = {
    "see_family": ("family_member",),
    "see_siblings": ("family_member",),
    "see_friends": ("peers",),
    "boyfriend_or_girlfriend": ("boyfriend_or_girlfriend",),
    "drugs_or_alcohol": ("peers", "known_adults"),
    "parties": ("peers",),
    "home_area": ("peers", "family_member", "alone"),
    "independence": ("alone", "peers"),
    "older_partner": ("older_partner",),
    "groomed_by_adults": ("unknown_adults", "person_of_concern"),
    "gang_recruitment": ("gang_associates",),
    "money_gifts_status": ("unknown_adults", "gang_associates"),
}
_ENDINGS = (
    (EPISODE_ENDINGS["returned_voluntarily"], 0.5),
    (EPISODE_ENDINGS["returned_by_police"], 0.2),
    (EPISODE_ENDINGS["collected_by_staff"], 0.1),
    (EPISODE_ENDINGS["returned_with_friend_or_family"], 0.1),
    (EPISODE_ENDINGS["found_by_staff_search"], 0.05),
    (EPISODE_ENDINGS["attended_hospital"], 0.03),
    (EPISODE_ENDINGS["in_custody"], 0.02),
)
_FOUND_BY = {
    "returned_by_police": "police",
    "collected_by_staff": "staff",
    "found_by_staff_search": "staff",
    "attended_hospital": "hospital",
    "in_custody": "police",
}
_AWAY_FROM_PLACEMENT = {"attended_hospital": "hospital", "in_custody": "police_custody"}
_PUNITIVE = [
    RESPONSES_ON_RETURN[c]
    for c in ("grounding", "phone_removed", "pocket_money_withheld", "activity_cancelled")
]
_WARM = [RESPONSES_ON_RETURN[c] for c in ("welcomed_back", "food_and_rest_offered")]
_KEY_WORKER_TALK = RESPONSES_ON_RETURN["key_worker_conversation"]
_TA_ROLES = (
    (RELATIONSHIP_ROLES["key_worker"], 0.6),
    (RELATIONSHIP_ROLES["residential_care_worker"], 0.3),
    (RELATIONSHIP_ROLES["registered_manager"], 0.1),
)
_INDEPENDENT = RELATIONSHIP_ROLES["independent_return_interviewer"]
_SOCIAL_WORKER = RELATIONSHIP_ROLES["social_worker"]
_CSE_INDICATORS = [c for c in EXPLOITATION_INDICATORS if c.code.startswith("cse.")]
_CCE_INDICATORS = [c for c in EXPLOITATION_INDICATORS if c.code.startswith("cce.")]
_HARM_EXPLOITED = [HARM_TYPES[c] for c in ("exploitation", "sexual_harm", "physical_injury")]
_HARM_OTHER = [HARM_TYPES[c] for c in ("physical_injury", "emotional_harm", "substance_related")]
_SEARCH_FIRST = [SEARCH_ACTIONS[c] for c in ("searched_home_and_grounds", "phoned_child")]
_SEARCH_LATER = [
    SEARCH_ACTIONS[c]
    for c in ("messaged_child", "contacted_friends", "contacted_family", "visited_known_locations")
]
_PLACING_AUTHORITY = NOTIFICATION_RECIPIENTS["placing_authority"]
_SOCIAL_WORKER_TOLD = NOTIFICATION_RECIPIENTS["social_worker"]
_ALL_TOPICS = tuple(ConversationTopic)

# Short, generic phrases in a child's voice: obviously synthetic, no names or places.
_ACCOUNTS = {
    "push": (
        "I just needed to get out, everyone was on at me.",
        "Nobody listens to me here so I went.",
        "There was a row and I didn't want to be in the house.",
        "I hate the rules, I'm not a little kid.",
        "I felt like nobody cared if I was there or not.",
    ),
    "pull": (
        "I wanted to see my mates, I wasn't doing anything bad.",
        "I went to see my family, I miss them.",
        "I was at a friend's, I lost track of time.",
        "I just wanted some freedom for a bit.",
    ),
    "exploited": (
        "Some older people said I could stay with them. I don't want to say more.",
        "I was with people, they look after me. I'm fine.",
        "I had to go, they would be angry if I didn't.",
    ),
}
_DECLINED = (
    "I don't want to talk about it.",
    "I already told the police everything.",
    "Not today, maybe later.",
)
_LATE = (
    "The child was not available until later in the week.",
    "No independent worker was free within 72 hours.",
    "The child asked to wait until after school.",
)
_ACTIONS = (
    "Key worker to check in with the child each evening.",
    "Arrange the family contact the child asked for.",
    "Review the house rules with the child at the next house meeting.",
    "Refer to the exploitation panel.",
    "Help the child plan a safe way to see friends.",
)


@functools.cache
def _cumulative(items: tuple[tuple[Concept, float], ...]) -> tuple[list[Concept], list[float]]:
    total = 0.0
    cum: list[float] = []
    for _, weight in items:
        total += weight
        cum.append(total)
    return [c for c, _ in items], [w / total for w in cum]


def _weighted(rng: random.Random, items: tuple[tuple[Concept, float], ...]) -> Concept:
    concepts, cum = _cumulative(items)
    return concepts[min(bisect.bisect_right(cum, rng.random()), len(concepts) - 1)]


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, month=3, day=1)


@functools.cache
def _clock_changes(zone: str, start: date, days: int) -> tuple[datetime, ...]:
    """The instants (UTC) at which ``zone``'s offset changes, from ``start`` for ``days``.

    Found by comparing the offset at each UTC midnight and bisecting a day whose
    two midnights differ to the minute (no zone changes twice in one day).
    """
    first = start_of_local_day(start, zone)
    out = []
    offset = local_datetime(first, zone).utcoffset()
    for day in range(days + 1):
        lo = first + timedelta(days=day)
        hi = lo + timedelta(days=1)
        after = local_datetime(hi, zone).utcoffset()
        if after != offset:
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                if local_datetime(mid, zone).utcoffset() == offset:
                    lo = mid
                else:
                    hi = mid
            out.append(hi.replace(second=0, microsecond=0))
            offset = after
    return tuple(out)


#: A log entry being built: (minute, serial, category, serials it resolves, adult ids).
_Entry = tuple[int, int, Concept, tuple[int, ...], tuple[str, ...]]


@attrs.define
class _Episode:
    """An episode being built (mutable scratch, private)."""

    start: int
    end: int  # minutes; may lie beyond the horizon (then the episode is open)
    back: int  # back in placement
    placement: str
    trusted: bool
    ending: Concept
    pull: Concept | None


#: What children say in the log, by context category (invented; each phrase is one the
#: lens's English cue table listens for, so the lens has the child's words to hear).
_LOG_WORDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "conflict_with_staff": ("They're always on at me.", "Nobody listens to me here."),
        "sanction_imposed": ("It's like a prison in here.", "They took my phone for nothing."),
        "restriction_imposed": ("I'm not allowed to do anything.", "Too many rules."),
        "contact_cancelled": ("I just want to see my mum.", "Nobody asked me about contact."),
        "contact_changed": ("Why can't I see my dad?", "Nobody asked me."),
        "conflict_with_peer": ("The other kids keep bullying me.",),
        "child_upset": ("There's nobody to talk to here.",),
        "family_news": ("I want to go home.",),
        "new_phone_or_gifts": ("A mate bought me a new phone.",),
        "placement_move_news": ("I don't want to move again.",),
    }
)
#: What children say on return, by the episode's pull (invented), and when they came back
#: of their own accord.
_RETURN_WORDS: Mapping[str, str] = MappingProxyType(
    {
        "see_family": "I went to see my mum.",
        "see_siblings": "I wanted to see my family.",
        "see_friends": "I was with my mates.",
        "boyfriend_or_girlfriend": "I was at my boyfriend's.",
        "older_partner": "I was with my boyfriend, he's older.",
        "groomed_by_adults": "Someone bought me food and a new phone.",
        "gang_recruitment": "I had to go, I owe them.",
        "money_gifts_status": "They gave me money.",
        "home_area": "I went back home to my old area.",
        "parties": "I was at a party with my mates.",
    }
)
_CAME_BACK_WORDS = "I came back on my own."
_ADDRESS_OF = {
    "family_home": "family",
    "friends_home": "friends",
    "partners_home": "friends",
    "unknown_adults_address": "associates_of_concern",
    "trap_house": "associates_of_concern",
    "hotel_or_short_let": "associates_of_concern",
}
_WHOSE = ("mother", "father", "brother", "sister", "grandmother")


class _Voice:
    """The child's words, where they were found and their significant dates.

    Drawn from a stream of its own (seeded from the cohort's seed and the child's id),
    so every other part of the child's record is as it was before these were generated.
    """

    def __init__(self, child: _Child, exploited: bool) -> None:
        self.c, self.p, self.exploited = child, child.p, exploited
        self.rng = random.Random(f"missingcare.synth/{child.c.seed}/voice/{child.id}")

    def entry(self, e: ContextEntry) -> ContextEntry:
        words = _LOG_WORDS.get(e.category.code)
        if words is None or self.rng.random() >= self.p.words_share:
            return e
        return attrs.evolve(e, child_said=self.rng.choice(words), child_said_to="home staff")

    def episode(self, d: _Episode, ep: MissingEpisode) -> MissingEpisode:
        if ep.ended_at is None:
            return ep
        rng = self.rng
        changes: dict[str, Any] = {}
        located = ep.located
        if located is not None and located.where is not None:
            far = (self.p.out_of_area_exploited_share if self.exploited else 0.05) > rng.random()
            band = rng.choice(("out_of_area", "far")) if far else rng.choice(("local", "nearby"))
            link = _ADDRESS_OF.get(located.where.code)
            if link == "associates_of_concern" and rng.random() < 0.3:
                link = "other_missing_children"
            changes["located"] = attrs.evolve(
                located,
                distance=DISTANCE_BANDS[band],
                address_link=ADDRESS_LINKS[link] if link else ADDRESS_LINKS["no_known_link"],
            )
        if rng.random() < self.p.said_on_return_share:
            if ep.ending is not None and ep.ending.code == "returned_voluntarily":
                said = _CAME_BACK_WORDS
            else:
                said = _RETURN_WORDS.get(d.pull.code if d.pull else "", "I just needed to get out.")
            changes["child_said"] = said
            changes["child_said_to"] = "home staff"
        return attrs.evolve(ep, **changes) if changes else ep

    def dates(self, child: ChildRef) -> tuple[SignificantDate, ...]:
        rng, p, c = self.rng, self.p, self.c.c
        out: list[SignificantDate] = []

        def add(kind: str, on: date, yearly: bool, whose: str | None = None) -> None:
            out.append(
                SignificantDate(
                    id=f"{child.id}-D{len(out) + 1}",
                    child_id=child.id,
                    kind=SIGNIFICANT_DATE_KINDS[kind],
                    on=on,
                    yearly=yearly,
                    whose=whose,
                    contact_arranged=rng.random() < p.date_contact_share,
                )
            )

        if rng.random() < p.birthday_share:
            add("family_birthday", date(1980, 1, 1) + timedelta(days=rng.randrange(365)), True,
                rng.choice(_WHOSE))  # fmt: skip
        if rng.random() < p.anniversary_share:
            add("anniversary_of_loss", c.start - timedelta(days=rng.randrange(400, 2000)), True)
        if rng.random() < p.court_date_share:
            add("court_date", c.start + timedelta(days=rng.randrange(max(1, c.days))), False)
        return tuple(out)


#: Who writes a record (a role), and how often: mostly the staff on shift.
_WRITERS = (
    (RELATIONSHIP_ROLES["residential_care_worker"], 0.6),
    (RELATIONSHIP_ROLES["key_worker"], 0.2),
    (RELATIONSHIP_ROLES["deputy_manager"], 0.1),
    (RELATIONSHIP_ROLES["registered_manager"], 0.1),
)


#: The lists of an episode whose records carry ``recorded`` (from the field kinds).
_EPISODE_PARTS = tuple(
    name
    for name, kind in kinds(MissingEpisode)
    if kind.many and kind.model is not None and carries_recorded(kind.model)
)


class _Recording:
    """When each record was written, and by whom (``recorded``).

    Drawn from a stream of its own (seeded from the cohort's seed and the child's id), so
    every other part of the child's record is as it was before recordings were generated.
    A record is written after the last thing it says, never after the records stand
    (the cohort's end); an episode is written last, after its parts.
    """

    def __init__(self, child: _Child) -> None:
        self.c, self.p = child, child.p
        self.rng = random.Random(f"missingcare.synth/{child.c.seed}/recorded/{child.id}")
        self.end = child.at(child.as_of)

    def when(self, after: datetime, by: Concept | None = None) -> Recorded | None:
        """A recording after ``after`` (or none: the recording time unknown)."""
        rng, p = self.rng, self.p
        if rng.random() >= p.recorded_share:
            return None
        if rng.random() < p.late_recording_share:
            days = rng.uniform(7, 21) if rng.random() < 1 / 3 else rng.uniform(1, 7)
            delay = timedelta(days=days)
        else:
            delay = timedelta(minutes=rng.randrange(5, 12 * 60))
        at = min(after + delay, self.end - timedelta(minutes=1))
        if at < after:
            return None  # the event is at the records' end: not written yet
        writer = by if by is not None else _weighted(rng, _WRITERS)
        return Recorded(at=at.replace(second=0, microsecond=0), by=writer)

    def at(self, record: Any, after: datetime) -> Any:
        return attrs.evolve(record, recorded=self.when(after))

    def episode(self, ep: MissingEpisode) -> MissingEpisode:
        """The episode is written up after its last event; its parts (statuses, grades,
        searches, notifications) within hours of each, and never after the episode."""
        last = max(t for t in (ep.last_seen_at, ep.noticed_at, ep.ended_at, ep.returned_at) if t)
        recorded = self.when(last)
        if recorded is None:  # a record kept before it was asked: its parts are too
            return ep
        rng = self.rng

        def part(x: Any) -> Any:
            at = min(x.at + timedelta(minutes=rng.randrange(5, 6 * 60)), recorded.at)
            return attrs.evolve(x, recorded=Recorded(at=at, by=recorded.by))

        parts: dict[str, Any] = {
            name: tuple(map(part, getattr(ep, name))) for name in _EPISODE_PARTS
        }
        parts["recorded"] = recorded
        return attrs.evolve(ep, **parts)

    def conversation(self, conv: ReturnConversation) -> ReturnConversation:
        times = [o.at for o in conv.offers]
        if conv.held_at is not None:
            times.append(conv.held_at)
        if not times:
            return conv
        interviewer = conv.interviewer
        return attrs.evolve(
            conv,
            recorded=self.when(max(times), None if interviewer is None else interviewer.role),
        )

    def adult(self, ta: TrustedAdult) -> TrustedAdult:
        times = [ta.named_at, *(c.at for c in ta.contacts)]
        if ta.ended_at is not None:
            times.append(ta.ended_at)
        return attrs.evolve(ta, recorded=self.when(max(times)))


class _Child:
    """Builds one child's case file from its random stream (private)."""

    def __init__(self, cohort: Cohort, index: int, home: Home, rng: random.Random) -> None:
        self.c = cohort
        self.p = cohort.parameters
        self.home = home
        self.rng = rng
        self.zone = home.zone
        self.id = f"SYN-{cohort.seed}-{index:06d}"
        self.base = start_of_local_day(cohort.start, self.zone)
        self.as_of = self.minutes(cohort.as_of(self.zone))

    # time helpers: minutes since the start of the window, in UTC
    def minutes(self, when: datetime) -> int:
        return int((when - self.base).total_seconds()) // 60

    def at(self, minutes: int) -> datetime:
        return self.base + timedelta(minutes=minutes)

    def day_start(self, day: date) -> int:
        return self.minutes(start_of_local_day(day, self.zone))

    def build(self) -> CaseFile:
        rng, p, c = self.rng, self.p, self.c
        start = c.start
        age = rng.choices(range(10, 18), weights=(4, 6, 9, 13, 17, 21, 20, 10))[0]
        dob = _add_years(start, -age) - timedelta(days=rng.randrange(1, 365))
        adult_day = _add_years(dob, 18)
        care_end = adult_day if adult_day < c.end else None
        if rng.random() < 0.15:  # came into care during the window
            care_start = start + timedelta(days=rng.randrange(1, max(2, c.days * 2 // 3)))
            if care_end is not None and care_start > care_end - timedelta(days=60):
                care_start = start - timedelta(days=60)  # too close to 18: already in care
            home_start = care_start
        else:
            care_start = max(_add_years(dob, 8), start - timedelta(days=rng.randrange(30, 1500)))
            home_start = care_start
            if rng.random() < 0.5:
                home_start = max(care_start, start - timedelta(days=rng.randrange(10, 700)))
        move = None
        if rng.random() < 0.12:
            lo = max(start, home_start) + timedelta(days=30)
            hi = min(c.end, care_end or c.end) - timedelta(days=14)
            if lo < hi:
                move = lo + timedelta(days=rng.randrange((hi - lo).days))
        child = ChildRef(self.id, date_of_birth=dob)
        home_end = move or care_end
        authorities = self.authorities()
        placements = [
            Placement(
                id=f"{self.id}-P1",
                kind=PlacementKind.CHILDRENS_HOME,
                zone=self.zone,
                home_id=self.home.id,
                start=home_start,
                end=home_end,
                **authorities,
            )
        ]
        spans = [(placements[0].id, home_start, home_end)]
        if move is not None:
            kind = (
                PlacementKind.SUPPORTED_ACCOMMODATION if age >= 16 else PlacementKind.CHILDRENS_HOME
            )
            placements.append(
                Placement(
                    id=f"{self.id}-P2",
                    kind=kind,
                    zone=self.zone,
                    start=move,
                    end=care_end,
                    **authorities,
                )
            )
            spans.append((placements[1].id, move, care_end))
        periods = (PeriodOfCare(start=care_start, end=care_end),)

        runner = rng.random() < p.runner_share
        rate = rng.gammavariate(p.runner_rate_shape, p.runner_rate_mean / p.runner_rate_shape)
        exploited = runner and rng.random() < p.exploited_share
        push = rng.sample(_PUSH_PROFILE, rng.randint(1, 2))
        pull = rng.sample(_PULL_PROFILE, rng.randint(1, 2))
        if exploited:
            pull = [rng.choice(_PULL_EXPLOITED), *pull[:1]]
        needs = rng.sample(_NEEDS, rng.randint(1, 2))

        window_lo = max(0, self.day_start(max(start, home_start)))
        window_hi = self.as_of if care_end is None else min(self.as_of, self.day_start(care_end))
        move_at = None if move is None else self.day_start(move)
        home_hi = window_hi if move_at is None else move_at

        context, triggers = self.context_log(window_lo, window_hi, exploited)
        trusted = self.trusted_adults(home_start, window_lo, home_hi)
        for ta, ended in trusted:
            if ended is not None and ended < home_hi and ta.end_reason == "The adult left.":
                context.append((ended, len(context), _KEY_WORKER_LEFT, (), (ta.adult_id,)))
        if move_at is not None:
            news = move_at - rng.randrange(2 * _DAY, 10 * _DAY)
            if news > window_lo:
                context.append((news, len(context), _PLACEMENT_MOVE_NEWS, (), ()))

        presence = [(self.minutes(ta.named_at), end) for ta, end in trusted]
        episodes = (
            self.simulate(
                rate,
                spans=spans,
                window_hi=window_hi,
                triggers=triggers,
                presence=presence,
                pull=pull,
            )
            if runner
            else []
        )
        return self.assemble(
            child,
            placements=placements,
            periods=periods,
            context=context,
            trusted=trusted,
            drafts=episodes,
            push=push,
            needs=needs,
            exploited=exploited,
        )

    def authorities(self) -> dict[str, str]:
        """The placing (the child's) and host (the home's) authority, if any are configured.

        Drawn from streams of their own so the rest of the child's record is unchanged.
        """
        codes = self.p.authorities
        if not codes:
            return {}
        seed = self.c.seed
        placing = random.Random(f"missingcare.synth/{seed}/placing/{self.id}").choice(codes)
        host = random.Random(f"missingcare.synth/{seed}/host/{self.home.id}").choice(codes)
        return {"placing_authority": placing, "host_authority": host}

    # --- the daily log ------------------------------------------------------------

    def context_log(
        self, lo: int, hi: int, exploited: bool
    ) -> tuple[list[_Entry], list[tuple[int, int]]]:
        """Log entries and the windows in which a trigger is unresolved."""
        rng, p = self.rng, self.p
        entries: list[_Entry] = []
        triggers: list[tuple[int, int]] = []
        window = p.trigger_hours * _HOUR
        temper = rng.uniform(0.5, 1.5)
        for t in self.poisson(lo, hi, p.trigger_rate_per_day * temper):
            category = _weighted(rng, _TRIGGERS)
            serial = len(entries)
            entries.append((t, serial, category, (), ()))
            effect_end = t + window
            if rng.random() < self.home.resolved_share:
                fixed = t + rng.randrange(30, 8 * _HOUR)
                if fixed < hi:
                    entries.append((fixed, len(entries), _RESOLVED, (serial,), ()))
                    effect_end = min(effect_end, fixed)
            triggers.append((t, effect_end))
        routine = _ROUTINE + (_EXPLOITATION_SIGNS if exploited else ())
        total = sum(r for _, r in routine)
        for t in self.poisson(lo, hi, total):
            entries.append((t, len(entries), _weighted(rng, routine), (), ()))
        return entries, triggers

    def poisson(self, lo: int, hi: int, per_day: float) -> Iterator[int]:
        """Event minutes of a Poisson process with ``per_day`` events a day in [lo, hi)."""
        if per_day <= 0:
            return
        t = float(lo)
        mean_gap = _DAY / per_day
        while True:
            t += self.rng.expovariate(1.0 / mean_gap)
            if t >= hi:
                return
            yield int(t)

    # --- trusted adults -------------------------------------------------------------

    def trusted_adults(
        self, home_start: date, lo: int, hi: int
    ) -> list[tuple[TrustedAdult, int | None]]:
        """The child's trusted adults in the home, with the minute each relationship ended."""
        rng, p = self.rng, self.p
        arrived = self.day_start(home_start)
        out: list[tuple[TrustedAdult, int | None]] = []
        if hi - lo < 2 * _DAY:
            return out
        named: int | None = None
        if rng.random() < p.trusted_adult_share:
            earliest = arrived + 7 * _DAY
            named = earliest if earliest >= lo else rng.randrange(earliest, lo + 1)
        elif rng.random() < p.trusted_adult_named_later:
            first = max(lo, arrived + 7 * _DAY) + 30 * _DAY
            if first < hi:
                named = rng.randrange(first, max(first + 1, min(hi, first + 270 * _DAY)))
        staff = list(self.home.staff)
        n = 0
        while named is not None and named < hi and n < 2:
            n += 1
            adult = staff.pop(rng.randrange(len(staff)))
            ended: int | None = None
            reason: str | None = None
            if rng.random() < p.trusted_adult_leaves:
                leave = max(named, lo) + rng.randrange(30 * _DAY, 300 * _DAY)
                if leave < hi:
                    ended, reason = leave, "The adult left."
            if ended is None and hi < self.as_of:
                ended, reason = hi, "The child moved on."
            ta = TrustedAdult(
                id=f"{self.id}-T{n}",
                child_id=self.id,
                adult_id=adult,
                role=_weighted(rng, _TA_ROLES),
                named_at=self.at(named),
                child_words=rng.choice(
                    (
                        "They actually listen.",
                        "I can talk to them when it all gets too much.",
                        "They don't give up on me.",
                    )
                ),
                ended_at=None if ended is None else self.at(ended),
                end_reason=reason,
            )
            out.append((ta, ended))
            # sometimes the child names someone new after a few months
            named = None
            if reason == "The adult left." and ended is not None and rng.random() < 0.4:
                named = ended + rng.randrange(60 * _DAY, 150 * _DAY)
        return out

    # --- episodes -------------------------------------------------------------------

    def simulate(
        self,
        rate: float,
        *,
        spans: list[tuple[str, date, date | None]],
        window_hi: int,
        triggers: list[tuple[int, int]],
        presence: list[tuple[int, int | None]],
        pull: list[Concept],
    ) -> list[_Episode]:
        """Episodes from a hazard process, by thinning a faster Poisson process.

        The hazard is the child's baseline rate, shaped by local hour and
        weekday, raised while a conflict or sanction is unresolved and lowered
        while a trusted adult is present.
        """
        rng, p = self.rng, self.p
        hw, dw = p.hour_weights, p.day_weights
        h_mean, d_mean = sum(hw) / 24, sum(dw) / 7
        h_max, d_max = max(hw), max(dw)
        boost = max(p.trigger_rate_factor, 1.0)
        ta_factor = p.trusted_adult_rate_factor
        top = (h_max / h_mean) * (d_max / d_mean) * boost * max(ta_factor, 1.0)
        per_minute = rate / _YEAR * top
        if per_minute <= 0:
            return []
        starts = [s for s, _ in triggers]
        episodes: list[_Episode] = []
        free = 0
        for placement, first, last in spans:
            lo = max(0, self.day_start(first))
            hi = window_hi if last is None else min(window_hi, self.day_start(last))
            t = float(max(lo, free))
            while True:
                t += rng.expovariate(per_minute)
                if t >= hi:
                    break
                m = int(t)
                if m < free:
                    continue
                local = local_datetime(self.at(m), self.zone)
                h = hw[local.hour] / h_mean * dw[local.weekday()] / d_mean
                i = bisect.bisect_right(starts, m)
                triggered = False
                while i > 0 and starts[i - 1] > m - p.trigger_hours * _HOUR:
                    i -= 1
                    if triggers[i][1] > m:
                        triggered = True
                        break
                if triggered:
                    h *= p.trigger_rate_factor
                present = any(a <= m and (b is None or m < b) for a, b in presence)
                if present:
                    h *= ta_factor
                if rng.random() * top >= h:
                    continue
                if p.clock_change_share and rng.random() < p.clock_change_share:
                    moved = self.near_clock_change(m, hi)
                    if moved is not None:
                        m = moved
                        present = any(a <= m and (b is None or m < b) for a, b in presence)
                ep = self.episode(m, placement, present, pull)
                if ep.back >= hi and (last is not None and hi < self.as_of):
                    continue  # would still be away when the placement ended: not drawn
                episodes.append(ep)
                free = ep.back + _HOUR
                t = float(free)
                if ep.end >= self.as_of:
                    return episodes
        if p.open_at_end_share and rng.random() < p.open_at_end_share:
            away = self.away_at_end(spans[-1], window_hi, free, presence, pull)
            if away is not None:
                episodes.append(away)
        return episodes

    def near_clock_change(self, m: int, hi: int) -> int | None:
        """A minute in the hours around the zone's next clock change after ``m``, if any."""
        changes = _clock_changes(self.zone, self.c.start, self.c.days)
        i = bisect.bisect_right(changes, self.at(m))
        if i == len(changes):
            return None
        change = self.minutes(changes[i])
        moved = change + self.rng.randrange(-6 * _HOUR, 2 * _HOUR)
        if change - m > 90 * _DAY or not m <= moved < hi:
            return None
        return moved

    def away_at_end(
        self,
        span: tuple[str, date, date | None],
        window_hi: int,
        free: int,
        presence: list[tuple[int, int | None]],
        pull: list[Concept],
    ) -> _Episode | None:
        """An episode begun in the last three days that is still going on at the end."""
        placement, first, last = span
        if last is not None or window_hi < self.as_of:
            return None
        m = self.as_of - self.rng.randrange(_HOUR, 3 * _DAY)
        if m < max(0, self.day_start(first), free):
            return None
        present = any(a <= m and (b is None or m < b) for a, b in presence)
        ep = self.episode(m, placement, present, pull)
        if ep.end < self.as_of:
            late = self.as_of + self.rng.randrange(_HOUR, 2 * _DAY) - ep.end
            ep.end += late
            ep.back += late
        return ep

    def episode(self, m: int, placement: str, present: bool, pull: list[Concept]) -> _Episode:
        rng, p = self.rng, self.p
        if rng.random() < p.long_episode_share:
            length = rng.randrange(2 * _DAY, 60 * _DAY)
        else:
            median = p.duration_median_hours * (p.trusted_adult_duration_factor if present else 1)
            hours = math.exp(rng.gauss(math.log(median), p.duration_sigma))
            length = max(15, int(hours * _HOUR))
        ending = _weighted(rng, _ENDINGS)
        back = m + length
        if ending.code in _AWAY_FROM_PLACEMENT:
            back += rng.randrange(2 * _HOUR, 20 * _HOUR)
        elif ending.code in _FOUND_BY:
            back += rng.randrange(20, 2 * _HOUR)
        return _Episode(
            start=m,
            end=m + length,
            back=back,
            placement=placement,
            trusted=present,
            ending=ending,
            pull=rng.choice(pull) if rng.random() < 0.7 else None,
        )

    # --- assembling the case file -----------------------------------------------------

    def assemble(
        self,
        child: ChildRef,
        *,
        placements: list[Placement],
        periods: tuple[PeriodOfCare, ...],
        context: list[_Entry],
        trusted: list[tuple[TrustedAdult, int | None]],
        drafts: list[_Episode],
        push: list[Concept],
        needs: list[Concept],
        exploited: bool,
    ) -> CaseFile:
        context.sort(key=lambda e: (e[0], e[1]))
        ids = {e[1]: f"{self.id}-L{n:04d}" for n, e in enumerate(context, start=1)}
        entries = []
        make_entry = maker(ContextEntry)
        for t, serial, category, resolves, adult_ids in context:
            eid = ids[serial]
            entries.append(
                make_entry(
                    id=eid,
                    child_id=self.id,
                    at=self.at(t),
                    category=category,
                    resolves=tuple(ids[r] for r in resolves),
                    adult_ids=adult_ids,
                )
            )
        episodes = [self.missing_episode(n, d, exploited) for n, d in enumerate(drafts, start=1)]
        entries.extend(self.reviews(episodes))
        entries.sort(key=lambda e: (e.at, e.id))
        contacts: dict[str, list[AdultContact]] = {}
        for d, ep in zip(drafts, episodes, strict=True):
            if d.trusted and self.rng.random() < 0.4:
                for ta, _ in trusted:
                    if ta.is_present_at(ep.last_seen_at):
                        end = d.end if ep.ended_at is not None else self.as_of
                        at = self.rng.randrange(d.start, max(d.start + 1, end))
                        contacts.setdefault(ta.id, []).append(
                            AdultContact(
                                at=self.at(at),
                                kind=self.rng.choice((ContactKind.PHONE, ContactKind.MESSAGE)),
                                child_initiated=True,
                                episode_id=ep.id,
                            )
                        )
                        break
        adults: tuple[TrustedAdult, ...] = tuple(
            attrs.evolve(ta, contacts=tuple(contacts[ta.id])) if ta.id in contacts else ta
            for ta, _ in trusted
        )
        conversations, factors, found_needs = self.conversations(
            drafts, episodes=episodes, adults=adults, push=push, needs=needs, exploited=exploited
        )
        voice = _Voice(self, exploited)
        writing = _Recording(self)
        return CaseFile(
            child=child,
            placements=tuple(placements),
            periods_of_care=periods,
            episodes=tuple(
                writing.episode(voice.episode(d, ep))
                for d, ep in zip(drafts, episodes, strict=True)
            ),
            conversations=tuple(map(writing.conversation, conversations)),
            context=tuple(writing.at(voice.entry(e), e.at) for e in entries),
            factors=tuple(writing.at(f, f.noted_at) for f in factors),
            needs=tuple(writing.at(n, n.noted_at) for n in found_needs),
            trusted_adults=tuple(map(writing.adult, adults)),
            significant_dates=tuple(writing.at(d, self.base) for d in voice.dates(child)),
        )

    def reviews(self, episodes: list[MissingEpisode]) -> list[ContextEntry]:
        """Records that the hours and days before an episode were reviewed.

        A share (``Parameters.context_review_share``, an assumption) of returns is
        followed within two days by a review, recorded as the England pack expects.
        Drawn from a stream of its own so the rest of the child's record is unchanged.
        """
        rng = random.Random(f"missingcare.synth/{self.c.seed}/review/{self.id}")
        out = []
        for ep in episodes:
            if ep.returned_at is None or rng.random() >= self.p.context_review_share:
                continue
            minute = self.minutes(ep.returned_at) + rng.randrange(60, 48 * 60)
            if minute >= self.as_of:
                continue
            out.append(
                ContextEntry(
                    id=f"{ep.id}-review",
                    child_id=self.id,
                    at=self.at(minute),
                    category=CONTEXT_CATEGORIES["episode_context_reviewed"],
                    recorded_by="registered manager",
                )
            )
        return out

    def missing_episode(self, n: int, d: _Episode, exploited: bool) -> MissingEpisode:
        rng, p, as_of = self.rng, self.p, self.as_of
        closed = d.end < as_of

        def known(minute: int) -> bool:
            return minute < as_of and (minute <= d.end or not closed)

        noticed = d.start + rng.randrange(10, 90)
        noticed = min(noticed, d.start + max(1, (d.end - d.start) // 2))
        away = rng.random() < p.away_share
        statuses = [StatusChange(at=self.at(d.start), status=_AWAY if away else _MISSING)]
        missing_from: int | None = None if away else noticed
        if away and d.end - d.start > 3 * _HOUR and rng.random() < 0.3:
            lost = d.start + rng.randrange(_HOUR, (d.end - d.start) * 2 // 3)
            if known(lost):
                statuses.append(StatusChange(at=self.at(lost), status=_MISSING))
                missing_from = lost
        police = None
        grades: list[RiskGrading] = []
        if missing_from is not None and rng.random() < 0.9:
            reported = missing_from + rng.randrange(15, 2 * _HOUR)
            if known(reported) and reported < d.end:
                police = PoliceReport(
                    reported_at=self.at(reported),
                    reference=f"SYN-POL-{self.c.seed}-{self.id[-6:]}-{n:03d}",
                    reported_by="home staff",
                )
                grade_index = rng.choices(range(4), weights=_GRADE_WEIGHTS)[0]
                if exploited:
                    grade_index = max(grade_index, 2)
                grades.append(RiskGrading(at=self.at(reported), grade=_GRADES[grade_index]))
                review = reported + 24 * _HOUR
                if grade_index < 3 and known(review) and review < d.end:
                    grades.append(RiskGrading(at=self.at(review), grade=_GRADES[grade_index + 1]))
        searches = [
            SearchAction(at=self.at(noticed + k * 10), action=action, by="home staff")
            for k, action in enumerate(_SEARCH_FIRST)
            if known(noticed + k * 10)
        ]
        later = noticed + _HOUR
        if known(later) and later < d.end:
            searches.append(SearchAction(at=self.at(later), action=rng.choice(_SEARCH_LATER)))
        notes = []
        told = noticed + rng.randrange(15, 3 * _HOUR)
        if told < as_of:
            notes.append(Notification(recipient=_PLACING_AUTHORITY, at=self.at(told)))
        sw = noticed + rng.randrange(2 * _HOUR, 14 * _HOUR)
        if sw < as_of:
            notes.append(Notification(recipient=_SOCIAL_WORKER_TOLD, at=self.at(sw)))
        notes.sort(key=lambda x: x.at)
        located = None
        ended_at = returned_at = None
        ending = None
        whereabouts: tuple[Concept, ...] = ()
        who_with: tuple[Concept, ...] = ()
        if closed:
            ended_at = self.at(d.end)
            returned_at = self.at(d.back) if d.back < as_of else None
            ending = d.ending
            found = _FOUND_BY.get(d.ending.code)
            where = _AWAY_FROM_PLACEMENT.get(d.ending.code)
            if d.pull is not None and rng.random() < 0.7:
                whereabouts = (LOCATION_TYPES[rng.choice(_PLACES[d.pull.code])],)
                who_with = (WHO_WITH[rng.choice(_WITH[d.pull.code])],)
            if found is not None:
                place = LOCATION_TYPES[where] if where else None
                if place is None and whereabouts:
                    place = whereabouts[0]
                located = Located(at=ended_at, where=place, by=found)
        return MissingEpisode(
            id=f"{self.id}-E{n:03d}",
            child_id=self.id,
            placement_id=d.placement,
            zone=self.zone,
            last_seen_at=self.at(d.start),
            statuses=tuple(statuses),
            noticed_at=self.at(noticed) if noticed < as_of else None,
            police_report=police,
            risk_grades=tuple(grades),
            search_actions=tuple(searches),
            notifications=tuple(notes),
            located=located,
            ended_at=ended_at,
            returned_at=returned_at,
            ending=ending,
            whereabouts=whereabouts,
            who_with=who_with,
        )

    # --- return conversations -------------------------------------------------------

    def conversations(
        self,
        drafts: list[_Episode],
        *,
        episodes: list[MissingEpisode],
        adults: tuple[TrustedAdult, ...],
        push: list[Concept],
        needs: list[Concept],
        exploited: bool,
    ) -> tuple[list[ReturnConversation], list[Factor], list[UnmetNeed]]:
        """Offers, decisions and held conversations; factors and needs learned in them."""
        rng, p, as_of = self.rng, self.p, self.as_of
        out: list[ReturnConversation] = []
        factors: list[Factor] = []
        found: list[UnmetNeed] = []
        pending: list[str] = []
        for k, ep in enumerate(episodes):
            if ep.returned_at is None:
                break
            ids = [*pending, ep.id]
            pending = []
            back = self.minutes(ep.returned_at)
            nxt = self.minutes(episodes[k + 1].last_seen_at) if k + 1 < len(episodes) else as_of
            if rng.random() >= self.home.offer_rate:
                continue
            offer = back + rng.randrange(_HOUR, 36 * _HOUR)
            if offer >= nxt:
                pending = ids  # went missing again before the offer
                continue
            method = ContactMethod.IN_PERSON if rng.random() < 0.8 else ContactMethod.PHONE
            cid = f"{self.id}-R{len(out) + 1:03d}"
            if rng.random() >= p.accept_share:
                out.append(
                    ReturnConversation(
                        id=cid,
                        child_id=self.id,
                        episode_ids=tuple(ids),
                        offers=(
                            ConversationOffer(
                                at=self.at(offer),
                                outcome=_OUTCOME["declined"],
                                by="return interview service",
                                method=method,
                            ),
                        ),
                        decision=Decision.DECLINED,
                        declined_reason=rng.choice(_DECLINED),
                    )
                )
                continue
            if rng.random() < p.on_time_share:
                held = rng.randrange(offer + _HOUR, max(offer + _HOUR + 1, back + 72 * _HOUR))
            else:
                held = back + rng.randrange(72 * _HOUR + 1, 240 * _HOUR)
            if held >= nxt and nxt < as_of:
                pending = ids  # went missing again first: one conversation will cover both
                continue
            accepted = ConversationOffer(
                at=self.at(offer), outcome=_OUTCOME["accepted"], method=method
            )
            if held >= as_of:
                out.append(
                    ReturnConversation(
                        id=cid,
                        child_id=self.id,
                        episode_ids=tuple(ids),
                        offers=(accepted,),
                        decision=Decision.ACCEPTED,
                    )
                )
                continue
            held_at = self.at(held)
            d = drafts[k]
            out.append(
                self.held(
                    cid,
                    ids=ids,
                    accepted=accepted,
                    held=held,
                    back=back,
                    ep=ep,
                    adults=adults,
                    exploited=exploited,
                    held_at=held_at,
                )
            )
            chosen_push = [rng.choice(push)]
            if rng.random() < 0.75:  # NYAS: breakdown in communication in ~3/4 of RHIs
                chosen_push.append(_COMMUNICATION_BREAKDOWN)
            chosen = [(FactorDirection.PUSH, c) for c in chosen_push]
            if d.pull is not None:
                chosen.append((FactorDirection.PULL, d.pull))
            for direction, concept in chosen:
                factors.append(
                    Factor(
                        id=f"{self.id}-F{len(factors) + 1:03d}",
                        child_id=self.id,
                        direction=direction,
                        concept=concept,
                        source=EvidenceSource.RETURN_CONVERSATION,
                        noted_at=held_at,
                        episode_ids=tuple(ids),
                    )
                )
            found.append(
                UnmetNeed(
                    id=f"{self.id}-N{len(found) + 1:03d}",
                    child_id=self.id,
                    need=rng.choice(needs),
                    source=EvidenceSource.RETURN_CONVERSATION,
                    noted_at=held_at,
                    episode_ids=tuple(ids),
                )
            )
        return out, factors, found

    def held(
        self,
        cid: str,
        *,
        ids: list[str],
        accepted: ConversationOffer,
        held: int,
        back: int,
        ep: MissingEpisode,
        adults: tuple[TrustedAdult, ...],
        exploited: bool,
        held_at: datetime,
    ) -> ReturnConversation:
        rng, p = self.rng, self.p
        present = [ta for ta in adults if ta.is_present_at(held_at)]
        if present and rng.random() < 0.3:
            ta = present[0]
            interviewer = Interviewer(
                role=ta.role, independent_of_home=False, chosen_by_child=True, adult_id=ta.adult_id
            )
        elif rng.random() < 0.75:
            interviewer = Interviewer(
                role=_INDEPENDENT,
                independent_of_home=True,
                chosen_by_child=False,
                organisation="Synthetic Return Service",
            )
        else:
            interviewer = Interviewer(
                role=_SOCIAL_WORKER, independent_of_home=True, chosen_by_child=False
            )
        kind = "exploited" if exploited else rng.choice(("push", "pull"))
        harm: tuple[Concept, ...] = ()
        if rng.random() < p.harm_share * (2 if exploited else 1):
            harm = (rng.choice(_HARM_EXPLOITED if exploited else _HARM_OTHER),)
        categories = (ExploitationCategory.SEXUAL, ExploitationCategory.CRIMINAL)
        indicators: tuple[Concept, ...] = ()
        if exploited:
            pool = _CSE_INDICATORS if rng.random() < 0.5 else _CCE_INDICATORS
            indicators = tuple(sorted(rng.sample(pool, rng.randint(1, 3))))
        responded = back + rng.randrange(0, 2 * _HOUR)
        responses: tuple[ResponseOnReturn, ...]
        if rng.random() < self.home.punitive_share:
            responses = (
                ResponseOnReturn(
                    response=rng.choice(_PUNITIVE),
                    at=self.at(responded),
                    reason="House rules after going missing.",
                ),
            )
        else:
            responses = (
                *(ResponseOnReturn(response=r, at=self.at(responded)) for r in _WARM),
                ResponseOnReturn(response=_KEY_WORKER_TALK, at=self.at(responded + _HOUR)),
            )
        topics = tuple(t for t in _ALL_TOPICS if rng.random() < 0.8) or (
            ConversationTopic.REASONS_FOR_RUNNING,
        )
        due = held + 7 * _DAY
        done = held + rng.randrange(_DAY, 14 * _DAY)
        action = AgreedAction(
            id=f"{cid}-A1",
            description=rng.choice(_ACTIONS),
            owner="key worker",
            due=self.at(due),
            done_at=self.at(done) if done < self.as_of and rng.random() < 0.7 else None,
        )
        return ReturnConversation(
            id=cid,
            child_id=self.id,
            episode_ids=tuple(ids),
            offers=(accepted,),
            decision=Decision.ACCEPTED,
            held_at=held_at,
            interviewer=interviewer,
            method=accepted.method,
            late_reason=rng.choice(_LATE) if held > back + 72 * _HOUR else None,
            child_account=rng.choice(_ACCOUNTS[kind]),
            whereabouts=ep.whereabouts,
            who_with=ep.who_with,
            harm_disclosed=harm,
            screening=ExploitationScreening(categories=categories, indicators=indicators),
            topics=topics,
            responses_on_return=responses,
            actions=(action,),
        )
