"""Hypothesis strategies for every public model, valid by construction.

Use them to test your integration::

    from hypothesis import given
    from missingcare.testing import strategies as mst

    @given(mst.case_files())
    def test_my_store_round_trips(case): ...

Every strategy builds values that satisfy the model's invariants. Instants
can be clustered near clock changes (``near_clock_changes=True``, the default
mixes them in) and return conversations near the 72-hour deadline, where bugs
live. Importing this module registers the strategies for
``st.from_type(MissingEpisode)`` and the like.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import attrs

try:
    from hypothesis import strategies as st
except ImportError as exc:  # exercised in a subprocess without the extra
    raise ImportError(
        "missingcare.testing.strategies needs the 'testing' extra (Hypothesis): "
        'pip install "missingcare[testing]"'
    ) from exc

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
from missingcare.findings import Evaluation, Finding, Outcome, RuleRef, Severity, Strength
from missingcare.history import CaseHistory
from missingcare.plans import AbsencePlan, MissingPersonProfile
from missingcare.records import Recorded
from missingcare.relationships import AdultContact, ContactKind, TrustedAdult
from missingcare.screenings import Screening
from missingcare.vocab import Concept, Vocabulary
from missingcare.vocabularies import (
    ADDRESS_LINKS,
    CONTEXT_CATEGORIES,
    CONVERSATION_OUTCOMES,
    CORE,
    DISTANCE_BANDS,
    EPISODE_ENDINGS,
    EPISODE_STATUSES,
    EXPLOITATION_INDICATORS,
    HARM_TYPES,
    LOCATION_TYPES,
    NOTIFICATION_RECIPIENTS,
    POLICE_RISK_GRADES,
    RELATIONSHIP_ROLES,
    RESPONSES_ON_RETURN,
    SEARCH_ACTIONS,
    SIGNIFICANT_DATE_KINDS,
    UNMET_NEEDS,
    WHO_WITH,
)

__all__ = [
    "ZONES",
    "absence_plans",
    "adult_contacts",
    "case_files",
    "case_histories",
    "child_refs",
    "clock_changes",
    "concepts",
    "context_entries",
    "durations",
    "evaluations",
    "factors",
    "findings",
    "ids",
    "instants",
    "missing_episodes",
    "missing_person_profiles",
    "periods_of_care",
    "placements",
    "recordings",
    "return_conversations",
    "rule_refs",
    "screenings",
    "significant_dates",
    "texts",
    "trusted_adults",
    "unmet_needs",
    "zones",
]

T = TypeVar("T")

#: Zones the strategies draw from: the UK, a negative-DST zone, southern and
#: western hemispheres, a half-hour offset and UTC.
ZONES: tuple[str, ...] = (
    "Europe/London",
    "Europe/Dublin",
    "America/New_York",
    "Australia/Melbourne",
    "Asia/Kolkata",
    "America/Santiago",
    "UTC",
)

_START = datetime(2015, 1, 1, tzinfo=UTC)
_END = datetime(2035, 12, 31, tzinfo=UTC)


@functools.cache
def ids(prefix: str = "") -> st.SearchStrategy[str]:
    """Opaque identifiers such as ``E-7f3a``."""
    return st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,10}", fullmatch=True).map(
        lambda s: prefix + s
    )


@functools.cache
def texts(max_size: int = 60) -> st.SearchStrategy[str]:
    """Non-blank text in any script (no lone surrogates, which JSON cannot carry)."""
    return st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=max_size).filter(
        lambda s: bool(s.strip())
    )


@functools.cache
def zones() -> st.SearchStrategy[str]:
    """IANA zones, mostly Europe/London."""
    return st.one_of(st.just("Europe/London"), st.sampled_from(ZONES))


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


@functools.cache
def clock_changes() -> st.SearchStrategy[datetime]:
    """The UK clock changes (01:00 UTC on the last Sundays of March and October)."""
    return st.builds(
        lambda year, month: datetime.combine(
            _last_sunday(year, month), datetime.min.time()
        ).replace(hour=1, tzinfo=UTC),
        st.integers(2016, 2034),
        st.sampled_from((3, 10)),
    )


@functools.cache
def instants(near_clock_changes: bool | None = None) -> st.SearchStrategy[datetime]:
    """Aware UTC instants between 2015 and 2035.

    ``near_clock_changes=True`` draws within three hours of a UK clock change;
    ``None`` (the default) mixes both kinds.
    """
    total = int((_END - _START).total_seconds())
    spread = st.integers(0, total).map(lambda s: _START + timedelta(seconds=s))
    near = st.builds(
        lambda change, minutes: change + timedelta(minutes=minutes),
        clock_changes(),
        st.integers(-180, 180),
    )
    if near_clock_changes is True:
        return near
    if near_clock_changes is False:
        return spread
    return st.one_of(spread, near)


@functools.cache
def _minutes(max_hours: int) -> st.SearchStrategy[int]:
    return st.integers(0, max_hours * 60)


def _after(draw: st.DrawFn, start: datetime, max_hours: int = 24 * 10) -> datetime:
    return start + timedelta(minutes=draw(_minutes(max_hours)))


def _maybe_after(draw: st.DrawFn, start: datetime, max_hours: int = 24 * 10) -> datetime | None:
    return _after(draw, start, max_hours) if draw(st.booleans()) else None


@st.composite
def recordings(draw: st.DrawFn, *, after: datetime | None = None) -> Recorded:
    """When a record was written and the recorder's role: at or up to 30 days after
    ``after`` (the record's event time) when given, else any instant."""
    at = _after(draw, after, 24 * 30) if after is not None else draw(instants())
    return Recorded(at=at, by=draw(_maybe(concepts(RELATIONSHIP_ROLES))))


def _recorded(draw: st.DrawFn, after: datetime | None = None) -> Recorded | None:
    """A record's ``recorded``: absent (recording time unknown) or :func:`recordings`."""
    return draw(recordings(after=after)) if draw(st.booleans()) else None


@functools.cache
def concepts(vocabulary: Vocabulary) -> st.SearchStrategy[Concept]:
    """A concept of ``vocabulary``."""
    return st.sampled_from(vocabulary.concepts)


@functools.cache
def _some(vocabulary: Vocabulary, max_size: int = 3) -> st.SearchStrategy[tuple[Concept, ...]]:
    return st.lists(concepts(vocabulary), max_size=max_size, unique=True).map(tuple)


@functools.cache
def _maybe(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.one_of(st.none(), strategy)


def _sorted_after(
    draw: st.DrawFn, start: datetime, end: datetime | None, n: int, strict: bool = False
) -> list[datetime]:
    span = int(((end or start + timedelta(days=3)) - start).total_seconds() // 60)
    minutes = draw(st.lists(st.integers(0, max(span, 0)), min_size=n, max_size=n, unique=strict))
    return [start + timedelta(minutes=m) for m in sorted(minutes)]


@st.composite
def child_refs(draw: st.DrawFn, child_id: str | None = None) -> ChildRef:
    """A child, with a date of birth most of the time."""
    dob = draw(_maybe(st.dates(date(2005, 1, 1), date(2022, 12, 31))))
    return ChildRef(id=child_id or draw(ids("C-")), date_of_birth=dob)


@st.composite
def placements(draw: st.DrawFn, placement_id: str | None = None) -> Placement:
    """A placement with its zone."""
    start = draw(_maybe(st.dates(date(2015, 1, 1), date(2034, 1, 1))))
    end = None
    if start is not None and draw(st.booleans()):
        end = start + timedelta(days=draw(st.integers(0, 900)))
    return Placement(
        id=placement_id or draw(ids("P-")),
        kind=draw(st.sampled_from(PlacementKind)),
        zone=draw(zones()),
        home_id=draw(_maybe(ids("URN"))),
        start=start,
        end=end,
        placing_authority=draw(_maybe(ids("LA"))),
        host_authority=draw(_maybe(ids("LA"))),
    )


@st.composite
def periods_of_care(draw: st.DrawFn) -> PeriodOfCare:
    """A period of care, open or closed."""
    start = draw(st.dates(date(2010, 1, 1), date(2034, 1, 1)))
    end = _maybe(st.integers(0, 3000).map(lambda d: start + timedelta(days=d)))
    return PeriodOfCare(start=start, end=draw(end))


@st.composite
def missing_episodes(
    draw: st.DrawFn,
    *,
    child_id: str | None = None,
    placement: Placement | None = None,
    episode_id: str | None = None,
    after: datetime | None = None,
    open: bool | None = None,
    near_clock_changes: bool | None = None,
) -> MissingEpisode:
    """An episode satisfying every invariant; ``open`` forces it open or closed."""
    zone = placement.zone if placement is not None else draw(zones())
    seen = _after(draw, after, 24 * 60) if after is not None else draw(instants(near_clock_changes))
    closed = draw(st.booleans()) if open is None else not open
    ended = _after(draw, seen, 24 * 6) if closed else None
    span = 0 if ended is None else int((ended - seen).total_seconds() // 60)
    n_status = draw(st.integers(1, 3)) if ended is None else draw(st.integers(1, min(3, span + 1)))
    times = _sorted_after(draw, seen, ended, n_status, strict=True)
    statuses: list[StatusChange] = []
    for at in times:
        choices = [c for c in EPISODE_STATUSES if not statuses or c != statuses[-1].status]
        statuses.append(
            StatusChange(at=at, status=draw(st.sampled_from(choices)), recorded=_recorded(draw, at))
        )
    located = None
    returned = None
    if ended is not None:
        if draw(st.booleans()):
            located = Located(
                at=draw(st.sampled_from([seen, ended])),
                where=draw(_maybe(concepts(LOCATION_TYPES))),
                by=draw(_maybe(texts(20))),
                distance=draw(_maybe(concepts(DISTANCE_BANDS))),
                address_link=draw(_maybe(concepts(ADDRESS_LINKS))),
            )
        returned = _maybe_after(draw, ended, 12)
    ending = None
    if ended is not None:
        ending = draw(_maybe(concepts(EPISODE_ENDINGS)))
    elif draw(st.booleans()):
        ending = EPISODE_ENDINGS["still_missing_at_period_end"]
    grades = [
        RiskGrading(
            at=t,
            grade=draw(concepts(POLICE_RISK_GRADES)),
            by=draw(_maybe(texts(12))),
            recorded=_recorded(draw, t),
        )
        for t in _sorted_after(draw, seen, ended, draw(st.integers(0, 2)))
    ]
    return MissingEpisode(
        id=episode_id or draw(ids("E-")),
        child_id=child_id or draw(ids("C-")),
        placement_id=placement.id if placement is not None else draw(ids("P-")),
        zone=zone,
        last_seen_at=seen,
        statuses=tuple(statuses),
        last_seen_place=draw(_maybe(texts(30))),
        clothing=draw(_maybe(texts(30))),
        noticed_at=_maybe_after(draw, seen, 6),
        agency_informed_at=_maybe_after(draw, seen, 6),
        expected_back_at=draw(_maybe(st.sampled_from([seen, seen + timedelta(hours=3)]))),
        profile_shared_at=_maybe_after(draw, seen, 12),
        police_report=(
            PoliceReport(
                reported_at=_after(draw, seen, 12),
                reference=draw(_maybe(ids("POL"))),
                reported_by=draw(_maybe(texts(12))),
            )
            if draw(st.booleans())
            else None
        ),
        risk_grades=tuple(grades),
        search_actions=tuple(
            SearchAction(
                at=_after(draw, seen, 12),
                action=draw(concepts(SEARCH_ACTIONS)),
                by=draw(_maybe(texts(12))),
                note=draw(_maybe(texts(30))),
                recorded=_recorded(draw, seen),
            )
            for _ in range(draw(st.integers(0, 2)))
        ),
        notifications=tuple(
            Notification(
                recipient=draw(concepts(NOTIFICATION_RECIPIENTS)),
                at=_after(draw, seen, 24),
                method=draw(_maybe(texts(10))),
                recorded=_recorded(draw, seen),
            )
            for _ in range(draw(st.integers(0, 3)))
        ),
        located=located,
        ended_at=ended,
        returned_at=returned,
        ending=ending,
        whereabouts=draw(_some(LOCATION_TYPES)),
        who_with=draw(_some(WHO_WITH)),
        harm_disclosed=draw(_some(HARM_TYPES, 2)),
        child_said=draw(_maybe(texts(60))) if ended is not None else None,
        child_said_to=draw(_maybe(texts(15))),
        recorded=_recorded(draw, ended or seen),
    )


@st.composite
def return_conversations(
    draw: st.DrawFn,
    *,
    child_id: str | None = None,
    episodes: Sequence[MissingEpisode] = (),
    conversation_id: str | None = None,
    near_deadline: bool | None = None,
) -> ReturnConversation:
    """A conversation covering ``episodes`` (or made-up episode ids).

    When the covered episode has a return time, ``near_deadline`` places the
    holding of the conversation within two hours of 72 hours after it.
    """
    episode_ids = tuple(e.id for e in episodes) or tuple(
        draw(st.lists(ids("E-"), min_size=1, max_size=3, unique=True))
    )
    returned = next((e.returned_at for e in reversed(episodes) if e.returned_at), None)
    base = returned or draw(instants())
    offer_times = _sorted_after(draw, base, base + timedelta(days=4), draw(st.integers(0, 3)))
    offers = tuple(
        ConversationOffer(
            at=t,
            outcome=draw(concepts(CONVERSATION_OUTCOMES)),
            by=draw(_maybe(texts(15))),
            method=draw(_maybe(st.sampled_from(ContactMethod))),
            reason=draw(_maybe(texts(40))),
        )
        for t in offer_times
    )
    decision = draw(_maybe(st.sampled_from(Decision)))
    held_at = None
    if decision is not Decision.DECLINED and draw(st.booleans()):
        cluster = draw(st.booleans()) if near_deadline is None else near_deadline
        if cluster:
            held_at = base + timedelta(hours=72, minutes=draw(st.integers(-120, 120)))
        else:
            held_at = _after(draw, base, 24 * 8)
    held = held_at is not None
    interviewer = None
    if held and draw(st.booleans()):
        interviewer = Interviewer(
            role=draw(concepts(RELATIONSHIP_ROLES)),
            independent_of_home=draw(_maybe(st.booleans())),
            chosen_by_child=draw(_maybe(st.booleans())),
            organisation=draw(_maybe(texts(20))),
            adult_id=draw(_maybe(ids("A-"))),
        )
    screening = None
    if draw(st.booleans()):
        screening = ExploitationScreening(
            categories=tuple(draw(st.lists(st.sampled_from(ExploitationCategory), unique=True))),
            indicators=draw(_some(EXPLOITATION_INDICATORS)),
        )
    actions = tuple(
        AgreedAction(
            id=f"act-{i}",
            description=draw(texts(40)),
            owner=draw(_maybe(texts(15))),
            due=_maybe_after(draw, base, 24 * 14),
            done_at=_maybe_after(draw, base, 24 * 14),
        )
        for i in range(draw(st.integers(0, 2)))
    )
    return ReturnConversation(
        id=conversation_id or draw(ids("RC-")),
        child_id=child_id or draw(ids("C-")),
        episode_ids=episode_ids,
        offers=offers,
        requested_adult_ids=tuple(draw(st.lists(ids("A-"), unique=True, max_size=2))),
        decision=decision,
        declined_reason=draw(_maybe(texts(40))) if decision is Decision.DECLINED else None,
        held_at=held_at,
        interviewer=interviewer,
        method=draw(_maybe(st.sampled_from(ContactMethod))),
        late_reason=draw(_maybe(texts(40))),
        child_account=draw(_maybe(texts(120))) if held else None,
        whereabouts=draw(_some(LOCATION_TYPES)),
        who_with=draw(_some(WHO_WITH)),
        what_happened=draw(_maybe(texts(60))),
        harm_disclosed=draw(_some(HARM_TYPES, 2)),
        screening=screening,
        topics=tuple(draw(st.lists(st.sampled_from(ConversationTopic), unique=True))),
        responses_on_return=tuple(
            ResponseOnReturn(
                response=draw(concepts(RESPONSES_ON_RETURN)),
                at=_after(draw, base, 24),
                reason=draw(_maybe(texts(40))),
                safeguarding_reason=draw(_maybe(st.booleans())),
            )
            for _ in range(draw(st.integers(0, 2)))
        ),
        child_feedback=draw(_maybe(texts(60))) if held else None,
        actions=actions,
        recorded=_recorded(draw, held_at or base),
    )


@st.composite
def context_entries(
    draw: st.DrawFn,
    *,
    child_id: str | None = None,
    entry_id: str | None = None,
    around: datetime | None = None,
    resolvable: Sequence[str] = (),
) -> ContextEntry:
    """A log entry, near ``around`` when given."""
    if around is not None:
        at = around + timedelta(minutes=draw(st.integers(-72 * 60, 24 * 60)))
    else:
        at = draw(instants())
    eid = entry_id or draw(ids("X-"))
    resolves = (
        draw(st.lists(st.sampled_from(resolvable), unique=True, max_size=1)) if (resolvable) else []
    )
    return ContextEntry(
        id=eid,
        child_id=child_id or draw(ids("C-")),
        at=at,
        category=draw(concepts(CONTEXT_CATEGORIES)),
        note=draw(_maybe(texts(80))),
        recorded_by=draw(_maybe(texts(15))),
        resolves=tuple(r for r in resolves if r != eid),
        adult_ids=tuple(draw(st.lists(ids("A-"), unique=True, max_size=2))),
        needs=draw(_some(UNMET_NEEDS, 2)),
        child_said=draw(_maybe(texts(60))),
        child_said_to=draw(_maybe(texts(15))),
        recorded=_recorded(draw, at),
    )


@st.composite
def factors(
    draw: st.DrawFn, *, child_id: str | None = None, episode_ids: Sequence[str] = ()
) -> Factor:
    """A push or pull factor, tied to some of ``episode_ids``."""
    direction = draw(st.sampled_from(FactorDirection))
    vocab = CORE[direction.vocabulary]
    tied = draw(st.lists(st.sampled_from(episode_ids), unique=True)) if episode_ids else []
    noted = draw(instants())
    return Factor(
        id=draw(ids("F-")),
        child_id=child_id or draw(ids("C-")),
        direction=direction,
        concept=draw(concepts(vocab)),
        source=draw(st.sampled_from(EvidenceSource)),
        noted_at=noted,
        episode_ids=tuple(tied),
        note=draw(_maybe(texts(60))),
        recorded=_recorded(draw, noted),
    )


@st.composite
def unmet_needs(
    draw: st.DrawFn, *, child_id: str | None = None, episode_ids: Sequence[str] = ()
) -> UnmetNeed:
    """An unmet need, tied to some of ``episode_ids``."""
    tied = draw(st.lists(st.sampled_from(episode_ids), unique=True)) if episode_ids else []
    noted = draw(instants())
    return UnmetNeed(
        id=draw(ids("N-")),
        child_id=child_id or draw(ids("C-")),
        need=draw(concepts(UNMET_NEEDS)),
        source=draw(st.sampled_from(EvidenceSource)),
        noted_at=noted,
        episode_ids=tuple(tied),
        note=draw(_maybe(texts(60))),
        recorded=_recorded(draw, noted),
    )


@st.composite
def adult_contacts(draw: st.DrawFn, *, episode_ids: Sequence[str] = ()) -> AdultContact:
    """A contact between a child and a trusted adult."""
    return AdultContact(
        at=draw(instants()),
        kind=draw(st.sampled_from(ContactKind)),
        child_initiated=draw(_maybe(st.booleans())),
        episode_id=draw(_maybe(st.sampled_from(episode_ids))) if episode_ids else None,
        note=draw(_maybe(texts(40))),
    )


@st.composite
def trusted_adults(
    draw: st.DrawFn, *, child_id: str | None = None, episode_ids: Sequence[str] = ()
) -> TrustedAdult:
    """A trusted adult, present or gone, with contacts in time order."""
    named = draw(instants())
    contacts = sorted(
        draw(st.lists(adult_contacts(episode_ids=episode_ids), max_size=4)), key=lambda c: c.at
    )
    ended = _maybe_after(draw, named, 24 * 400)
    return TrustedAdult(
        id=draw(ids("T-")),
        child_id=child_id or draw(ids("C-")),
        adult_id=draw(ids("A-")),
        role=draw(concepts(RELATIONSHIP_ROLES)),
        named_at=named,
        named_by_child=draw(st.booleans()),
        child_words=draw(_maybe(texts(60))),
        contacts=tuple(contacts),
        ended_at=ended,
        end_reason=draw(_maybe(texts(30))) if ended is not None else None,
        recorded=_recorded(draw, named),
    )


def durations() -> st.SearchStrategy[timedelta]:
    """Positive whole-second durations up to two days (what a plan's threshold holds)."""
    return st.integers(1, 2 * 24 * 3600).map(lambda s: timedelta(seconds=s))


@st.composite
def absence_plans(draw: st.DrawFn, *, child_id: str | None = None) -> AbsencePlan:
    """An absence plan, in force from when it was agreed, sometimes ended or reviewed."""
    agreed = draw(instants())
    return AbsencePlan(
        id=draw(ids("AP-")),
        child_id=child_id or draw(ids("C-")),
        agreed_at=agreed,
        ended_at=_maybe_after(draw, agreed, 24 * 400),
        reviewed_at=_maybe_after(draw, agreed, 24 * 100),
        report_after=draw(_maybe(durations())),
        not_at_home_agreed=draw(_maybe(st.booleans())),
        circumstances=draw(_maybe(texts(40))),
    )


@st.composite
def missing_person_profiles(
    draw: st.DrawFn, *, child_id: str | None = None
) -> MissingPersonProfile:
    """A profile kept ready for police, sometimes reviewed, superseded or shown to the child."""
    done = draw(instants())
    return MissingPersonProfile(
        id=draw(ids("MP-")),
        child_id=child_id or draw(ids("C-")),
        completed_at=done,
        reviewed_at=_maybe_after(draw, done, 24 * 200),
        photograph_taken_on=draw(_maybe(st.dates(date(2014, 1, 1), date(2035, 12, 31)))),
        child_told_at=_maybe_after(draw, done, 24 * 30),
        ended_at=_maybe_after(draw, done, 24 * 400),
    )


@st.composite
def screenings(
    draw: st.DrawFn, *, child_id: str | None = None, episode_ids: Sequence[str] = ()
) -> Screening:
    """An exploitation screening after one or more of ``episode_ids``."""
    tied = (
        draw(st.lists(st.sampled_from(episode_ids), min_size=1, max_size=2, unique=True))
        if episode_ids
        else [draw(ids("E-"))]
    )
    categories = draw(st.lists(st.sampled_from(ExploitationCategory), min_size=1, unique=True))
    concerns = draw(st.lists(st.sampled_from(categories), unique=True))
    at = draw(instants())
    return Screening(
        id=draw(ids("S-")),
        child_id=child_id or draw(ids("C-")),
        at=at,
        episode_ids=tuple(tied),
        categories=tuple(categories),
        indicators=draw(_some(EXPLOITATION_INDICATORS, 3)),
        concerns=tuple(concerns),
        by=draw(_maybe(texts(15))),
        recorded=_recorded(draw, at),
    )


@st.composite
def significant_dates(draw: st.DrawFn, *, child_id: str | None = None) -> SignificantDate:
    """A date that matters to the child, one-off or yearly."""
    return SignificantDate(
        id=draw(ids("SD-")),
        child_id=child_id or draw(ids("C-")),
        kind=draw(st.sampled_from(SIGNIFICANT_DATE_KINDS.concepts)),
        on=draw(st.dates(date(2000, 1, 1), date(2035, 12, 31))),
        yearly=draw(st.booleans()),
        whose=draw(_maybe(texts(15))),
        contact_arranged=draw(_maybe(st.booleans())),
        note=draw(_maybe(texts(40))),
        recorded=_recorded(draw),
    )


def _unique_by_id(items: list[Any]) -> tuple[Any, ...]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item.id not in seen:
            seen.add(item.id)
            out.append(item)
    return tuple(out)


@st.composite
def case_files(
    draw: st.DrawFn,
    *,
    max_episodes: int = 4,
    near_clock_changes: bool | None = None,
    child_id: str | None = None,
) -> CaseFile:
    """A whole case file: episodes in sequence, conversations, context, relationships.

    ``child_id`` fixes the child's id (drawn when ``None``).
    """
    child = draw(child_refs(child_id))
    homes = _unique_by_id(draw(st.lists(placements(), min_size=1, max_size=2)))
    n = draw(st.integers(0, max_episodes))
    episodes: list[MissingEpisode] = []
    after: datetime | None = None
    for i in range(n):
        last = i == n - 1
        ep = draw(
            missing_episodes(
                child_id=child.id,
                placement=draw(st.sampled_from(homes)),
                episode_id=f"E{i + 1}",
                after=after,
                open=None if last else False,
                near_clock_changes=near_clock_changes,
            )
        )
        episodes.append(ep)
        after = ep.ended_at
    episode_ids = [e.id for e in episodes]
    conversations = []
    if episodes:
        for j in range(draw(st.integers(0, 2))):
            covered = draw(
                st.lists(
                    st.sampled_from(episodes), min_size=1, max_size=2, unique_by=lambda e: e.id
                )
            )
            conversations.append(
                draw(
                    return_conversations(
                        child_id=child.id, episodes=covered, conversation_id=f"RC{j + 1}"
                    )
                )
            )
    anchor = episodes[0].last_seen_at if episodes else None
    context: list[ContextEntry] = []
    for k in range(draw(st.integers(0, 4))):
        context.append(
            draw(
                context_entries(
                    child_id=child.id,
                    entry_id=f"X{k + 1}",
                    around=anchor,
                    resolvable=[c.id for c in context],
                )
            )
        )
    return CaseFile(
        child=child,
        placements=homes,
        periods_of_care=tuple(draw(st.lists(periods_of_care(), max_size=2))),
        episodes=tuple(episodes),
        conversations=tuple(conversations),
        context=tuple(context),
        factors=_unique_by_id(
            draw(st.lists(factors(child_id=child.id, episode_ids=episode_ids), max_size=3))
        ),
        needs=_unique_by_id(
            draw(st.lists(unmet_needs(child_id=child.id, episode_ids=episode_ids), max_size=2))
        ),
        trusted_adults=_unique_by_id(
            draw(st.lists(trusted_adults(child_id=child.id, episode_ids=episode_ids), max_size=2))
        ),
        absence_plans=_unique_by_id(draw(st.lists(absence_plans(child_id=child.id), max_size=2))),
        profiles=_unique_by_id(
            draw(st.lists(missing_person_profiles(child_id=child.id), max_size=2))
        ),
        screenings=_unique_by_id(
            draw(st.lists(screenings(child_id=child.id, episode_ids=episode_ids), max_size=2))
            if episode_ids
            else []
        ),
        significant_dates=_unique_by_id(
            draw(st.lists(significant_dates(child_id=child.id), max_size=2))
        ),
    )


@st.composite
def case_histories(
    draw: st.DrawFn, *, max_revisions: int = 4, max_episodes: int = 3
) -> CaseHistory:
    """A history of one child's case file: one to ``max_revisions`` revisions in time order.

    Each revision after the first is a new case file of the same child, the
    same one again (a review that changed nothing), or the one before with
    its latest context entries and factors left off; revisions are made by
    a role or by no one named, with a reason or none, and some at the same
    instant as the one before.
    """
    child_id = draw(ids("C-"))
    made = draw(instants(near_clock_changes=False))
    case = draw(case_files(max_episodes=max_episodes, child_id=child_id))
    history = CaseHistory()
    for i in range(draw(st.integers(1, max_revisions))):
        if i:
            made += timedelta(minutes=draw(st.sampled_from((0, 1, 90, 60 * 24 * 13))))
            how = draw(st.sampled_from(("new", "same", "shorter")))
            if how == "new":
                case = draw(case_files(max_episodes=max_episodes, child_id=child_id))
            elif how == "shorter":
                case = attrs.evolve(case, context=case.context[:-1], factors=case.factors[:-1])
        history = history.append(
            case,
            at=made,
            by=draw(_maybe(concepts(RELATIONSHIP_ROLES))),
            why=draw(_maybe(texts())),
        )
    return history


_PACK_CODES = ("GB-ENG", "GB-WLS", "GB-SCT", "GB-NIR", "IE", "US", "US-GA", "AU-VIC")
_CODE_TEXT = r"[a-z0-9][a-z0-9_.-]{0,20}"
_MESSAGE_ID = r"[a-z]{2}(-[a-z]{3})?\.[a-z-]{1,20}\.[a-z_]{1,10}"


@functools.cache
def rule_refs() -> st.SearchStrategy[RuleRef]:
    """References to rules: a pack code, an edition and a rule code."""
    return st.builds(
        RuleRef,
        st.sampled_from(_PACK_CODES),
        st.from_regex(_CODE_TEXT, fullmatch=True),
        st.from_regex(_CODE_TEXT, fullmatch=True),
    )


def _param_values() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.booleans(),
        st.integers(-(10**6), 10**6),
        st.text(st.characters(exclude_categories=["Cs"]), max_size=20),
        instants(),
        durations(),
    )


_EVIDENCE = ("$.episodes[0]", "$.context[2]")


@st.composite
def findings(draw: st.DrawFn, *, rule: RuleRef | None = None) -> Finding:
    """A finding as a rule would make it: a message with parameters, maybe due and observed."""
    names = draw(st.lists(st.from_regex(r"[a-z][a-z_]{0,11}", fullmatch=True), max_size=4))
    params = {name: draw(_param_values()) for name in names}
    due = draw(_maybe(instants()))
    return Finding(
        rule=draw(rule_refs()) if rule is None else rule,
        outcome=draw(st.sampled_from(Outcome)),
        severity=draw(st.sampled_from(Severity)),
        strength=draw(st.sampled_from(Strength)),
        subject=draw(st.sampled_from(("$", "$.episodes[0]", "$.conversations[1]"))),
        message_id=draw(
            st.from_regex(r"[a-z]{2}(-[a-z]{3})?\.[a-z-]{1,20}\.[a-z_]{1,10}", fullmatch=True)
        ),
        params=tuple(params.items()),
        text=draw(texts(120)),
        due=due,
        observed=None if due is None else _maybe_after(draw, due - timedelta(days=3)),
        evidence=tuple(draw(st.lists(st.sampled_from(_EVIDENCE), max_size=2, unique=True))),
        episode_id=draw(_maybe(ids("E-"))),
        conversation_id=draw(_maybe(ids("RC-"))),
    )


@st.composite
def evaluations(draw: st.DrawFn) -> Evaluation:
    """An evaluation of one child's case file, with findings of one pack edition's rules."""
    pack = draw(st.sampled_from(_PACK_CODES))
    edition = draw(st.from_regex(_CODE_TEXT, fullmatch=True))
    codes = draw(st.lists(st.from_regex(_CODE_TEXT, fullmatch=True), min_size=1, max_size=3))
    child_id = draw(ids("C-"))
    found = [
        draw(findings(rule=RuleRef(pack, edition, draw(st.sampled_from(codes)))))
        for _ in range(draw(st.integers(0, 4)))
    ]
    as_of = draw(instants())
    # read as known at another instant now and then ("what we know now about then")
    known_at = draw(st.one_of(st.none(), instants().filter(lambda t: t != as_of)))
    return Evaluation(
        pack=pack,
        edition=edition,
        as_of=as_of,
        child_id=child_id,
        findings=tuple(found),
        known_at=known_at,
    )


def _register() -> None:
    for cls, strategy in (
        (CaseFile, case_files()),
        (MissingEpisode, missing_episodes()),
        (ReturnConversation, return_conversations()),
        (ContextEntry, context_entries()),
        (Factor, factors()),
        (UnmetNeed, unmet_needs()),
        (TrustedAdult, trusted_adults()),
        (Placement, placements()),
        (ChildRef, child_refs()),
        (PeriodOfCare, periods_of_care()),
        (AdultContact, adult_contacts()),
        (AbsencePlan, absence_plans()),
        (MissingPersonProfile, missing_person_profiles()),
        (Screening, screenings()),
        (SignificantDate, significant_dates()),
        (Recorded, recordings()),
        (RuleRef, rule_refs()),
        (Finding, findings()),
        (Evaluation, evaluations()),
        (CaseHistory, case_histories()),
    ):
        st.register_type_strategy(cls, strategy)


_register()
