"""The rule kit: the public building blocks a rule pack is written with.

A pack declares its rules; what every jurisdiction needs lives here, once:

* **Where things are.** :func:`timeline` (the episodes begun by "now", in time
  order), :func:`covering` (the conversations that cover an episode),
  :func:`held` and :func:`entries` return :class:`Located` records: the record
  with its index, so its path (``$.episodes[3]``) is never written by hand.
* **Deadlines after an event.** :func:`deadline_after` works out when a duty is
  due after the :class:`Anchor` event of an episode (the return, last seen,
  the report to police, when the agency learned, when the child was expected
  back, the end) with any :class:`~missingcare.typing.Deadline` (an
  :class:`~missingcare.time.ElapsedDeadline` or a
  :class:`~missingcare.time.CalendarDeadline`, in working days with a
  :class:`~missingcare.time.PublicHolidays` calendar), under the pack's declared
  :class:`ReMissingPolicy` for a child who goes missing again before the duty
  is done. The answer is a :class:`DeadlineClock` whose :class:`DeadlineState`
  says whether there is a due instant yet.
* **Done evidence.** :func:`conversation_offered`, :func:`conversation_held`,
  :func:`conversation_declined`, :func:`context_recorded`, :func:`notified`,
  :func:`reported_to_police` and :func:`screened` return :class:`Done`: when
  the thing was first done, and the paths of the evidence.
* **What was agreed beforehand.** :func:`plan_in_force` (the child's absence
  plan) and :func:`profile_in_force` (the missing-person profile kept for
  police) as they stood at an instant; :func:`screenings_after` an episode.
* **When things were recorded.** :func:`recorded_at` (a record's recording
  time, when known: ``None`` is "recording time unknown") and :func:`later_by`
  (how long after, as a message says it); a held conversation's
  :class:`DoneEvent` carries its recording time, so a deadline rule may say
  "held on time, recorded 13 days later" (``met-recorded-later``).
* **Repeat thresholds.** :class:`RepeatThreshold` (N episodes in D days) finds
  the :class:`RepeatRun` values that call for a response, with its due instant.
* **Findings.** :func:`about` gives a :class:`FindingBuilder` that knows its
  episode or conversation: it writes the subject, the record id parameter and
  the evidence paths. :func:`deadline_findings` (a whole deadline rule: one
  :func:`deadline_finding` per episode) and :func:`repeat_findings` are the
  standard findings of a deadline and of a repeat threshold, with their
  standard message sets (:data:`CLOCK_MESSAGES`, :func:`clock_messages`,
  :func:`deadline_messages`, :func:`repeat_messages`). A local timescale with
  no default: :func:`not_configured` (one subject) and
  :func:`not_configured_findings` (every episode) until it is set.

A whole rule, written with the kit (the England pack's rules read the same)::

    >>> from datetime import timedelta
    >>> from missingcare.findings import Severity, Strength
    >>> from missingcare.rules import Edition, RulePack, Source, evaluate, rule
    >>> from missingcare.rules import kit
    >>> from missingcare.testing.builders import SEEN, case_file, episode
    >>> SRC = Source("LA-XX", "A local protocol (synthetic)", "https://example.invalid/p")
    >>> @rule("reported-within-1h", title="Reported to police within an hour",
    ...       strength=Strength.LOCAL_PRACTICE, severity=Severity.WARNING, sources=[SRC],
    ...       messages=kit.deadline_messages(
    ...           met="Episode {episode_id}: reported at {reported_at}, by {due}.",
    ...           pending="Episode {episode_id}: report to police by {due}.",
    ...           late="Episode {episode_id}: reported at {reported_at}, after {due}.",
    ...           overdue="Episode {episode_id}: not reported by {due}."))
    ... def reported_within_1h(case, ctx):
    ...     "The home reports a missing child to police within an hour of last seeing them."
    ...     yield from kit.deadline_findings(
    ...         ctx, case, kit.ElapsedDeadline(timedelta(hours=1)),
    ...         lambda case, ep, now: kit.reported_to_police(ep, now),
    ...         done_param="reported_at", anchor=kit.Anchor.LAST_SEEN)
    >>> pack = RulePack(code="ZZ-DOC", name="Doc", zone="Europe/London", description="Doc.",
    ...                 editions=[Edition("1", effective_from=SEEN.date(),
    ...                                   add=[reported_within_1h])])
    >>> ev = evaluate(case_file(episode()), pack=pack, as_of=SEEN + timedelta(hours=2))
    >>> [(f.message_id, f.outcome.value, f.evidence) for f in ev.findings]
    [('zz-doc.reported-within-1h.overdue', 'breached', ('$.episodes[0].last_seen_at',))]

Everything here is pure: "now" is the rule context's ``as_of``, and facts
recorded after it are treated as not yet known.
"""

from __future__ import annotations

import enum
import functools
import importlib.resources
import itertools
import tomllib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

import attrs

from missingcare.case import CaseFile
from missingcare.children import PlacementKind
from missingcare.context import ContextEntry
from missingcare.conversations import Decision, ExploitationCategory, ReturnConversation
from missingcare.episodes import MissingEpisode
from missingcare.findings import Finding, Outcome, ParamValue, Severity, template_fields
from missingcare.plans import AbsencePlan, MissingPersonProfile
from missingcare.records import Recorded, later_by
from missingcare.rules.engine import Parameter, Rule, RuleContext, Source, rule
from missingcare.screenings import Screening
from missingcare.time import CalendarDeadline, ElapsedDeadline
from missingcare.typing import Deadline, RuleCheck
from missingcare.vocab import Concept

__all__ = [
    "CLOCK_MESSAGES",
    "EVENT_MESSAGES",
    "NOT_CONFIGURED_MESSAGES",
    "Anchor",
    "CalendarDeadline",
    "ConversationAt",
    "DeadlineClock",
    "DeadlineState",
    "Done",
    "DoneEvent",
    "DoneFor",
    "DoneKind",
    "ElapsedDeadline",
    "EntryAt",
    "EpisodeAt",
    "Evidence",
    "FindingBuilder",
    "HasRecording",
    "Located",
    "PackData",
    "PlanAt",
    "ProfileAt",
    "ReMissingPolicy",
    "RepeatRun",
    "RepeatThreshold",
    "ScreeningAt",
    "about",
    "clock_messages",
    "context_recorded",
    "conversation_declined",
    "conversation_held",
    "conversation_held_or_declined",
    "conversation_offered",
    "covering",
    "deadline_after",
    "deadline_finding",
    "deadline_findings",
    "deadline_messages",
    "deadline_period",
    "ended_by",
    "entries",
    "first_of",
    "held",
    "in_placement",
    "known",
    "later_by",
    "not_configured",
    "not_configured_findings",
    "notified",
    "plan_in_force",
    "profile_in_force",
    "read_pack_data",
    "recorded_at",
    "repeat_findings",
    "repeat_messages",
    "reported_to_police",
    "screened",
    "screenings_after",
    "setting_words",
    "timeline",
]

T = TypeVar(
    "T",
    MissingEpisode,
    ReturnConversation,
    ContextEntry,
    AbsencePlan,
    MissingPersonProfile,
    Screening,
)

_COLLECTION: Mapping[type, str] = {
    MissingEpisode: "episodes",
    ReturnConversation: "conversations",
    ContextEntry: "context",
    AbsencePlan: "absence_plans",
    MissingPersonProfile: "profiles",
    Screening: "screenings",
}


# --- a pack's data: sources and messages ---------------------------------------------------------


@attrs.frozen
class PackData:
    """A pack's English text as data: sources (by key), message templates (by rule code,
    then message key) and what each parameter means (by name).

    Read from a TOML file shipped with the pack (:func:`read_pack_data`), so
    the pack's module declares rules and a translator edits one table.
    """

    sources: Mapping[str, Source]
    messages: Mapping[str, Mapping[str, str]]
    descriptions: Mapping[str, str] = attrs.field(factory=dict)

    def cite(self, *keys: str, locator: str | None = None) -> tuple[Source, ...]:
        """The sources with these keys; ``locator`` points inside those that have none."""
        return tuple(
            attrs.evolve(self.sources[k], locator=locator)
            if locator and self.sources[k].locator is None
            else self.sources[k]
            for k in keys
        )

    def rule(
        self, code: str, *, standard: Mapping[str, str] | None = None, **metadata: Any
    ) -> Callable[[RuleCheck], Rule]:
        """:func:`~missingcare.rules.rule` with the messages of ``code`` from the table.

        ``standard`` is a standard message set (:data:`CLOCK_MESSAGES`,
        :func:`repeat_messages`) the table's messages are added to.
        """
        messages = {**(standard or {}), **self.messages.get(code, {})}
        return rule(code, messages=messages, **metadata)

    def parameter(self, name: str, kind: type, default: Any, **options: Any) -> Parameter:
        """The :class:`~missingcare.rules.Parameter` ``name``, its description from the table."""
        return Parameter(name, kind, default, self.descriptions[name], **options)


def read_pack_data(package: str, resource: str) -> PackData:
    """A pack's data from a TOML file in ``package``: ``[sources.KEY]`` tables with
    ``title``, ``url`` and an optional ``locator``; ``[messages.rule-code]`` tables of
    message key to English template; a ``[parameters]`` table of name to description.

    >>> data = read_pack_data("missingcare.packs", "gb_eng.toml")
    >>> data.sources["DFE14"].url.startswith("https://www.gov.uk/")
    True
    >>> pending = data.messages["police-report"].get("pending", "")
    >>> pending.startswith("Episode {episode_id}: the")
    True
    """
    text = importlib.resources.files(package).joinpath(resource).read_text(encoding="utf-8")
    table = tomllib.loads(text)
    sources = {key: Source(key, **fields) for key, fields in table.get("sources", {}).items()}
    messages = {code: dict(keys) for code, keys in table.get("messages", {}).items()}
    descriptions = MappingProxyType(dict(table.get("parameters", {})))
    return PackData(MappingProxyType(sources), MappingProxyType(messages), descriptions)


# --- where things are ----------------------------------------------------------------------------


@attrs.frozen
class Located(Generic[T]):
    """A record of the case file with its index, so it knows its own path.

    >>> from missingcare.testing.builders import episode
    >>> ep = Located(3, episode())
    >>> ep.path, ep.path_of("returned_at")
    ('$.episodes[3]', '$.episodes[3].returned_at')
    """

    index: int
    record: T

    @property
    def path(self) -> str:
        """The record's path in the case file (``$.episodes[3]``)."""
        return f"$.{_COLLECTION[type(self.record)]}[{self.index}]"

    def path_of(self, field: str) -> str:
        """The path of a field (or a field's item) of the record: ``path_of("offers[0].at")``."""
        return f"{self.path}.{field}"


#: An episode, a return conversation, a context entry, each with its index.
EpisodeAt = Located[MissingEpisode]
ConversationAt = Located[ReturnConversation]
EntryAt = Located[ContextEntry]
PlanAt = Located[AbsencePlan]
ProfileAt = Located[MissingPersonProfile]
ScreeningAt = Located[Screening]
#: An evidence item: a path, a located record, or a field of the finding's subject.
Evidence = str | Located[Any]


class HasRecording(Protocol):
    """A record that says when it was recorded (its ``recorded`` field)."""

    @property
    def recorded(self) -> Recorded | None:
        """When, and by whom, the record was made; ``None``: recording time unknown."""
        ...


def known(at: datetime | None, now: datetime) -> bool:
    """Whether an instant is recorded and not after ``now`` (a later fact is not yet known)."""
    return at is not None and at <= now


def recorded_at(record: HasRecording) -> datetime | None:
    """When ``record`` was recorded (its ``recorded.at``), or ``None``: recording time unknown."""
    recorded = record.recorded
    return None if recorded is None else recorded.at


def ended_by(ep: EpisodeAt, now: datetime) -> datetime | None:
    """When the episode ended, if that is known at ``now``."""
    end = ep.record.ended_at
    return end if end is not None and end <= now else None


def timeline(case: CaseFile, now: datetime) -> tuple[EpisodeAt, ...]:
    """The episodes begun by ``now``, in time order (last seen, then id)."""
    return tuple(
        sorted(
            (Located(i, e) for i, e in enumerate(case.episodes) if e.last_seen_at <= now),
            key=lambda ep: (ep.record.last_seen_at, ep.record.id),
        )
    )


def covering(case: CaseFile, episode_id: str) -> tuple[ConversationAt, ...]:
    """The return conversations that cover the episode ``episode_id``, in case-file order.

    Read from the case file's index (:meth:`~missingcare.case.CaseFile.conversations_covering`),
    built once per case file.
    """
    return tuple(Located(k, conv) for k, conv in case.conversations_covering(episode_id))


def held(case: CaseFile, now: datetime) -> Iterator[ConversationAt]:
    """The return conversations held by ``now``, in case-file order."""
    for k, conv in enumerate(case.conversations):
        if known(conv.held_at, now):
            yield Located(k, conv)


def entries(case: CaseFile, category: Concept, now: datetime) -> tuple[EntryAt, ...]:
    """The context entries of ``category`` (by code) recorded by ``now``, in time order."""
    return tuple(
        sorted(
            (
                Located(i, c)
                for i, c in enumerate(case.context)
                if c.category.code == category.code and c.at <= now
            ),
            key=lambda e: (e.record.at, e.record.id),
        )
    )


def plan_in_force(case: CaseFile, at: datetime, now: datetime) -> PlanAt | None:
    """The absence plan in force at ``at``, as recorded by ``now`` (the latest agreed)."""
    found = [
        Located(i, p)
        for i, p in enumerate(case.absence_plans)
        if p.agreed_at <= now and p.in_force(at)
    ]
    return max(found, key=lambda p: (p.record.agreed_at, p.record.id)) if found else None


def profile_in_force(case: CaseFile, at: datetime, now: datetime) -> ProfileAt | None:
    """The missing-person profile current at ``at``, as recorded by ``now`` (the latest)."""
    found = [
        Located(i, p)
        for i, p in enumerate(case.profiles)
        if p.completed_at <= now and p.in_force(at)
    ]
    return max(found, key=lambda p: (p.record.completed_at, p.record.id)) if found else None


def screenings_after(case: CaseFile, episode_id: str, now: datetime) -> tuple[ScreeningAt, ...]:
    """The exploitation screenings that follow the episode, done by ``now``, in time order."""
    return tuple(
        sorted(
            (
                Located(i, s)
                for i, s in enumerate(case.screenings)
                if episode_id in s.episode_ids and s.at <= now
            ),
            key=lambda s: (s.record.at, s.record.id),
        )
    )


def in_placement(case: CaseFile, ep: EpisodeAt, kinds: Collection[PlacementKind]) -> bool:
    """Whether the episode began from a placement of one of ``kinds``."""
    for placement in case.placements:
        if placement.id == ep.record.placement_id:
            return placement.kind in kinds
    return False


# --- done evidence -------------------------------------------------------------------------------


class DoneKind(enum.Enum):
    """What was done."""

    OFFERED = "offered"
    HELD = "held"
    DECLINED = "declined"
    RECORDED = "recorded"
    NOTIFIED = "notified"
    REPORTED = "reported"
    SCREENED = "screened"


class DoneEvent(NamedTuple):
    """One piece of evidence that something was done: when, what, and where it is recorded.

    ``recorded`` is when the record of it was made, where that is known and is
    what a message may say ("held on time, recorded 13 days later").
    """

    at: datetime
    kind: DoneKind
    path: str
    recorded: datetime | None = None


def _when(event: DoneEvent) -> datetime:
    return event.at


@attrs.frozen
class Done:
    """The evidence that something was done: its events in the order found.

    ``at`` is the first time it was done (``None``: not done), ``first`` that
    event (the earliest; the first found on a tie) and ``paths`` the paths of
    every event.
    """

    events: tuple[DoneEvent, ...] = ()
    #: The earliest event (the first found among equals), or ``None``.
    first: DoneEvent | None = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        events = self.events
        object.__setattr__(self, "first", min(events, key=_when) if events else None)

    @property
    def at(self) -> datetime | None:
        """When it was first done, or ``None``."""
        first = self.first
        return None if first is None else first.at

    @property
    def paths(self) -> tuple[str, ...]:
        """The evidence paths, in the order found."""
        return tuple(e.path for e in self.events)


def conversation_held_or_declined(conversations: Iterable[ConversationAt], now: datetime) -> Done:
    """A conversation held, or declined by the child: :func:`conversation_held` and
    :func:`conversation_declined` together, in time order (the same as :func:`first_of`
    of the two)."""
    held_: list[DoneEvent] = []
    declined: list[DoneEvent] = []
    for c in conversations:
        conv = c.record
        if conv.held_at is not None and conv.held_at <= now:
            held_.append(
                DoneEvent(conv.held_at, DoneKind.HELD, c.path_of("held_at"), recorded_at(conv))
            )
        if conv.decision is Decision.DECLINED:
            declined.extend(
                DoneEvent(o.at, DoneKind.DECLINED, c.path_of(f"offers[{m}].at"))
                for m, o in enumerate(conv.offers)
                if o.outcome.code == "declined" and o.at <= now
            )
    return Done(tuple(sorted((*held_, *declined), key=_when)))


def first_of(*dones: Done) -> Done:
    """The events of several kinds of evidence together, in time order (stable on ties).

    >>> from datetime import datetime, UTC
    >>> t = datetime(2026, 10, 2, 9, tzinfo=UTC)
    >>> a = Done((DoneEvent(t, DoneKind.HELD, "$.conversations[0].held_at"),))
    >>> b = Done((DoneEvent(t, DoneKind.DECLINED, "$.conversations[1].offers[0].at"),))
    >>> first_of(a, b).first.kind
    <DoneKind.HELD: 'held'>
    """
    return Done(tuple(sorted((e for d in dones for e in d.events), key=_when)))


def conversation_offered(conversations: Iterable[ConversationAt], now: datetime) -> Done:
    """A conversation offered: every offer not marked ``not_offered``, and any held one.

    A conversation that was held was, by then, offered.
    """
    events: list[DoneEvent] = []
    for conv in conversations:
        for m, offer in enumerate(conv.record.offers):
            if offer.outcome.code != "not_offered" and offer.at <= now:
                events.append(
                    DoneEvent(offer.at, DoneKind.OFFERED, conv.path_of(f"offers[{m}].at"))
                )
        held_at = conv.record.held_at
        if held_at is not None and held_at <= now:
            events.append(DoneEvent(held_at, DoneKind.OFFERED, conv.path_of("held_at")))
    return Done(tuple(events))


def conversation_held(conversations: Iterable[ConversationAt], now: datetime) -> Done:
    """A conversation held (``held_at`` known by ``now``)."""
    return Done(
        tuple(
            DoneEvent(c.record.held_at, DoneKind.HELD, c.path_of("held_at"), recorded_at(c.record))
            for c in conversations
            if c.record.held_at is not None and c.record.held_at <= now
        )
    )


def conversation_declined(conversations: Iterable[ConversationAt], now: datetime) -> Done:
    """A conversation declined by the child: its ``declined`` offers, if the child so decided."""
    return Done(
        tuple(
            DoneEvent(o.at, DoneKind.DECLINED, c.path_of(f"offers[{m}].at"))
            for c in conversations
            if c.record.decision is Decision.DECLINED
            for m, o in enumerate(c.record.offers)
            if o.outcome.code == "declined" and o.at <= now
        )
    )


def context_recorded(
    entries: Iterable[EntryAt],
    *,
    since: datetime | None = None,
    before: datetime | None = None,
) -> Done:
    """A context entry among ``entries`` (:func:`entries`), from ``since`` and before ``before``."""
    return Done(
        tuple(
            DoneEvent(e.record.at, DoneKind.RECORDED, e.path)
            for e in entries
            if (since is None or e.record.at >= since) and (before is None or e.record.at < before)
        )
    )


def notified(ep: EpisodeAt, recipient: str, now: datetime, *, by: datetime | None = None) -> Done:
    """A notification of the episode to ``recipient`` (a code) by ``now`` (and by ``by``)."""
    return Done(
        tuple(
            DoneEvent(n.at, DoneKind.NOTIFIED, ep.path_of(f"notifications[{m}]"))
            for m, n in enumerate(ep.record.notifications)
            if n.recipient.code == recipient and n.at <= now and (by is None or n.at <= by)
        )
    )


def screened(
    case: CaseFile,
    episode_id: str,
    now: datetime,
    *,
    category: ExploitationCategory | None = None,
) -> Done:
    """The episode screened for exploitation (for ``category``, when given) by ``now``.

    A :class:`~missingcare.screenings.Screening` record counts at its time; so does
    the screening recorded in a held return conversation that covers the episode.
    """
    found = case.screenings_of(episode_id, now, category)
    ordered = sorted(
        (f for f in found if f[0] == "screenings"),
        key=lambda f: (f[2], case.screenings[f[1]].id),
    )
    events = [DoneEvent(at, DoneKind.SCREENED, f"$.screenings[{i}]") for _, i, at in ordered]
    events += [
        DoneEvent(at, DoneKind.SCREENED, f"$.conversations[{k}].screening")
        for name, k, at in found
        if name == "conversations"
    ]
    return Done(tuple(events))


def reported_to_police(ep: EpisodeAt, now: datetime, *, by: datetime | None = None) -> Done:
    """The episode's report to police, if made by ``now`` (and by ``by``)."""
    report = ep.record.police_report
    if report is None or report.reported_at > now or (by is not None and report.reported_at > by):
        return Done()
    return Done((DoneEvent(report.reported_at, DoneKind.REPORTED, ep.path_of("police_report")),))


# --- deadlines after an event --------------------------------------------------------------------


class Anchor(enum.Enum):
    """The event of an episode a deadline runs from (the value is the episode's field)."""

    #: The child's return to placement (``returned_at``): the 72-hour clock starts here.
    RETURN = "returned_at"
    #: When the child was last seen (``last_seen_at``).
    LAST_SEEN = "last_seen_at"
    #: The report to police (``police_report.reported_at``).
    POLICE_REPORT = "police_report.reported_at"
    #: When the agency responsible for the child learned they were missing
    #: (``agency_informed_at``): the US federal 24-hour clock starts here.
    AGENCY_INFORMED = "agency_informed_at"
    #: When the child was expected back (``expected_back_at``): an absence plan's
    #: threshold counts from here.
    EXPECTED_BACK = "expected_back_at"
    #: When the episode ended, the child found or back (``ended_at``).
    ENDED = "ended_at"

    @property
    def event(self) -> str:
        """The event in words, for messages: ``the agency learned the child was missing``."""
        return _ANCHOR_EVENTS[self]


_ANCHOR_EVENTS: Mapping[Anchor, str] = MappingProxyType(
    {
        Anchor.RETURN: "the child was back in placement",
        Anchor.LAST_SEEN: "the child was last seen",
        Anchor.POLICE_REPORT: "the child was reported to police",
        Anchor.AGENCY_INFORMED: "the agency learned the child was missing",
        Anchor.EXPECTED_BACK: "the child was expected back",
        Anchor.ENDED: "the episode ended",
    }
)


class ReMissingPolicy(enum.Enum):
    """What happens to a deadline when the child goes missing again before the duty is done."""

    #: The clock restarts from the later episode's event: one response may cover both.
    RESTART_FROM_LATER_RETURN = "restart_from_later_return"
    #: Each episode keeps its own clock, whatever happens next.
    KEEP_OWN_CLOCK = "keep_own_clock"


#: The field of an episode each anchor reads (the enum's value, looked up once).
_ANCHOR_FIELD: Mapping[Anchor, str] = MappingProxyType({a: a.value for a in Anchor})


class DeadlineState(enum.Enum):
    """Whether a deadline is known yet, and if not, why not."""

    #: The episode is still open: nothing is due until it ends.
    OPEN = "open"
    #: The event has not happened yet (the child is not yet back, say).
    NOT_YET = "not_yet"
    #: The event's instant is not recorded: insufficient data.
    UNKNOWN = "unknown"
    #: The child went missing again, and that episode is not over: the clock moves on later.
    WAITING = "waiting"
    #: A due instant is known.
    DUE = "due"


class DeadlineClock(NamedTuple):
    """When a duty is due for an episode, as known at "now" (a named tuple: a cheap value).

    ``due`` and ``clock_episode`` (whose event started the clock) are set
    when ``state`` is :attr:`DeadlineState.DUE`; ``later`` is the later episode
    that made the clock wait, or whose event is unknown; ``anchor`` the event
    the clock runs from.
    """

    state: DeadlineState
    due: datetime | None = None
    clock_episode: EpisodeAt | None = None
    later: EpisodeAt | None = None
    anchor: Anchor = Anchor.RETURN


def _event(ep: EpisodeAt, anchor: Anchor, now: datetime) -> tuple[DeadlineState, datetime | None]:
    e = ep.record
    if anchor is Anchor.LAST_SEEN:
        return DeadlineState.DUE, e.last_seen_at
    if anchor is Anchor.POLICE_REPORT:
        at = e.police_report.reported_at if e.police_report is not None else None
        return (DeadlineState.DUE, at) if known(at, now) else (DeadlineState.NOT_YET, None)
    if anchor is Anchor.AGENCY_INFORMED or anchor is Anchor.EXPECTED_BACK:
        # an event every episode has had by the time it matters: not recorded is unknown
        at = e.agency_informed_at if anchor is Anchor.AGENCY_INFORMED else e.expected_back_at
        if at is None:
            return DeadlineState.UNKNOWN, None
        return (DeadlineState.DUE, at) if at <= now else (DeadlineState.NOT_YET, None)
    if anchor is Anchor.ENDED:
        ended = ended_by(ep, now)
        return (DeadlineState.DUE, ended) if ended is not None else (DeadlineState.OPEN, None)
    if not known(e.ended_at, now):
        return DeadlineState.OPEN, None
    if e.returned_at is None:
        return DeadlineState.UNKNOWN, None
    if e.returned_at > now:
        return DeadlineState.NOT_YET, None
    return DeadlineState.DUE, e.returned_at


def deadline_after(
    episodes: Sequence[EpisodeAt],
    pos: int,
    deadline: Deadline,
    *,
    now: datetime,
    done: datetime | None,
    anchor: Anchor = Anchor.RETURN,
    policy: ReMissingPolicy = ReMissingPolicy.RESTART_FROM_LATER_RETURN,
) -> DeadlineClock:
    """When the duty for ``episodes[pos]`` is due: ``deadline`` after its ``anchor`` event.

    ``episodes`` is the :func:`timeline`; ``done`` is when the duty was first
    done for this episode, as known at ``now``. Under
    :attr:`ReMissingPolicy.RESTART_FROM_LATER_RETURN`, when the child went
    missing again before the deadline and before the duty was done, the
    deadline becomes the later episode's (and so on); under
    :attr:`ReMissingPolicy.KEEP_OWN_CLOCK` it never moves. The deadline is
    worked out in the episode's own zone (calendar deadlines need it).
    """
    return _deadline_after(episodes, pos, deadline, now, done, anchor, policy, None)


def _deadline_after(  # noqa: PLR0917 - the one implementation behind deadline_after
    episodes: Sequence[EpisodeAt],
    pos: int,
    deadline: Deadline,
    now: datetime,
    done: datetime | None,
    anchor: Anchor,
    policy: ReMissingPolicy,
    memo: dict[int, DeadlineClock] | None,
) -> DeadlineClock:
    """:func:`deadline_after`, sharing ``memo`` across the positions of one timeline.

    With nothing done, the clock that has moved on to episode ``k`` depends on
    ``k`` alone, so each such walk is remembered by the episodes it passed
    through: a whole timeline costs linear time, not quadratic.
    """
    cache = memo if done is None else None
    if cache is not None and pos in cache:
        return cache[pos]
    ep = episodes[pos]
    state, start = _event(ep, anchor, now)
    if start is None:
        return DeadlineClock(state, anchor=anchor)
    clock_ep = ep
    due = deadline.due(start, ep.record.zone)
    if policy is ReMissingPolicy.KEEP_OWN_CLOCK:
        return DeadlineClock(DeadlineState.DUE, due=due, clock_episode=ep, anchor=anchor)
    j, passed = pos, [pos]
    result: DeadlineClock | None = None
    while not (done is not None and done <= due) and j + 1 < len(episodes):
        nxt = episodes[j + 1]
        seen = nxt.record.last_seen_at
        if not (seen < due and (done is None or seen < done)):
            break
        if cache is not None and j + 1 in cache:
            result = cache[j + 1]
            break
        state, start = _event(nxt, anchor, now)
        if start is None:
            later_state = DeadlineState.UNKNOWN if state is DeadlineState.UNKNOWN else None
            result = DeadlineClock(later_state or DeadlineState.WAITING, later=nxt, anchor=anchor)
            break
        clock_ep, due, j = nxt, deadline.due(start, nxt.record.zone), j + 1
        passed.append(j)
    if result is None:
        result = DeadlineClock(DeadlineState.DUE, due=due, clock_episode=clock_ep, anchor=anchor)
    if cache is not None:
        for k in passed:
            cache[k] = result
    return result


def deadline_period(deadline: Deadline) -> ParamValue:
    """The message parameter for a deadline: its ``timedelta`` when elapsed, else its text.

    >>> deadline_period(ElapsedDeadline(timedelta(hours=72)))
    datetime.timedelta(days=3)
    >>> deadline_period(CalendarDeadline(5))
    '5 days'
    """
    return deadline.period if isinstance(deadline, ElapsedDeadline) else deadline.describe()


# --- findings ------------------------------------------------------------------------------------


class FindingBuilder:
    """Builds the findings of one rule about one episode or conversation.

    The subject is the record's path; the record's id goes into the finding
    (``episode_id`` or ``conversation_id``) and is offered to the message as a
    parameter of that name. Parameters the message's template does not use
    are left out, so a pack's template says only what it wants to.
    An evidence item is a path (``"$.context[2]"``), a :class:`Located` record,
    or a field of the subject (``"returned_at"`` → ``$.episodes[3].returned_at``).
    """

    __slots__ = ("_episode", "_path", "_zone", "ctx", "subject")

    def __init__(
        self, ctx: RuleContext, subject: Located[MissingEpisode] | Located[ReturnConversation]
    ) -> None:
        self.ctx = ctx
        self.subject = subject
        self._path = subject.path
        self._episode = isinstance(subject.record, MissingEpisode)
        # an episode's instants are shown in its placement's zone; a conversation's in
        # the zone of the episode it covers
        record = subject.record
        self._zone = (
            record.zone if isinstance(record, MissingEpisode) else ctx.zone_of(record.episode_ids)
        )

    @property
    def id(self) -> str:
        """The subject record's id."""
        return self.subject.record.id

    @property
    def path(self) -> str:
        """The subject's path (``$.episodes[3]``)."""
        return self._path

    def evidence_path(self, item: Evidence) -> str:
        """The path of one evidence item."""
        if type(item) is str:
            return item if item.startswith("$") else f"{self._path}.{item}"
        assert isinstance(item, Located)
        return item.path

    def __call__(
        self,
        key: str,
        outcome: Outcome,
        *,
        params: Mapping[str, ParamValue] | None = None,
        due: datetime | None = None,
        observed: datetime | None = None,
        evidence: Iterable[Evidence] = (),
        severity: Severity | None = None,
    ) -> Finding:
        """The finding with message ``key`` and ``outcome`` about the subject."""
        rid = self.subject.record.id
        offered: dict[str, ParamValue] = {"episode_id" if self._episode else "conversation_id": rid}
        if params:
            offered.update(params)
        used = _fields(self.ctx.rule.template(key))
        if not offered.keys() <= used:
            offered = {k: v for k, v in offered.items() if k in used}
        return self.ctx.finding(
            key,
            outcome,
            subject=self._path,
            params=offered,
            due=due,
            observed=observed,
            evidence=[self.evidence_path(e) for e in evidence],
            episode_id=rid if self._episode else None,
            conversation_id=None if self._episode else rid,
            severity=severity,
            zone=self._zone,
        )


#: A pack has a few dozen templates; their placeholders are read once.
_fields = functools.lru_cache(maxsize=1024)(template_fields)


def about(
    ctx: RuleContext, subject: Located[MissingEpisode] | Located[ReturnConversation]
) -> FindingBuilder:
    """A :class:`FindingBuilder` for the rule of ``ctx`` about ``subject``."""
    return FindingBuilder(ctx, subject)


#: The messages of a deadline before there is a due instant (see :func:`deadline_finding`).
CLOCK_MESSAGES: Mapping[str, str] = {
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

#: The messages of a deadline from an event other than the return (:class:`Anchor`)
#: before there is a due instant: the event not recorded, or not happened yet.
EVENT_MESSAGES: Mapping[str, str] = {
    "event-unknown": (
        "Episode {episode_id}: the record does not say when {event}, so the {period} deadline "
        "cannot be worked out."
    ),
    "event-not-yet": "Episode {episode_id}: nothing is due until {event}.",
}


def clock_messages(anchor: Anchor = Anchor.RETURN) -> dict[str, str]:
    """The messages of a deadline from ``anchor`` before there is a due instant.

    :data:`CLOCK_MESSAGES`, and :data:`EVENT_MESSAGES` for any anchor but the return.
    """
    if anchor is Anchor.RETURN:
        return dict(CLOCK_MESSAGES)
    return {**CLOCK_MESSAGES, **EVENT_MESSAGES}


def deadline_messages(
    *,
    met: str,
    pending: str,
    late: str,
    overdue: str,
    met_later_return: str | None = None,
    declined: str | None = None,
    met_recorded_later: str | None = None,
    anchor: Anchor = Anchor.RETURN,
) -> dict[str, str]:
    """The message set of a deadline rule: :data:`CLOCK_MESSAGES` and the outcome messages.

    Placeholders: ``{episode_id}``, ``{due}``; ``{period}`` and
    ``{clock_episode_id}`` in ``pending``; the done instant (its name is the
    ``done_param`` of :func:`deadline_finding`) in ``met``, ``late`` and
    ``met_later_return`` (which also has ``{clock_episode_id}``: the episode
    whose event started the clock); ``{declined_at}`` in ``declined``;
    ``met_recorded_later`` (done in time, recorded after the due instant) also
    has ``{recorded_at}`` and ``{recorded_after}`` (:func:`later_by`). ``anchor``
    is the event the deadline runs from (:func:`clock_messages`).
    """
    out = {**clock_messages(anchor), "met": met, "pending": pending, "late": late}
    out["overdue"] = overdue
    if met_later_return is not None:
        out["met-later-return"] = met_later_return
    if met_recorded_later is not None:
        out["met-recorded-later"] = met_recorded_later
    if declined is not None:
        out["declined"] = declined
    return out


def _clock_finding(
    find: FindingBuilder, clock: DeadlineClock, period: ParamValue, evidence: Sequence[str]
) -> Finding:
    ep = find.subject
    if clock.state is DeadlineState.OPEN:
        return find("open", Outcome.NOT_APPLICABLE, evidence=["ended_at"])
    if clock.anchor is not Anchor.RETURN and clock.state is not DeadlineState.WAITING:
        # the event's own words: "the agency learned the child was missing"
        field, event = _ANCHOR_FIELD[clock.anchor], {"event": clock.anchor.event, "period": period}
        if clock.state is DeadlineState.NOT_YET:
            return find("event-not-yet", Outcome.NOT_APPLICABLE, params=event, evidence=[field])
        return find("event-unknown", Outcome.INSUFFICIENT_DATA, params=event, evidence=[field])
    if clock.state is DeadlineState.NOT_YET:
        return find("not-back", Outcome.NOT_APPLICABLE, evidence=["returned_at"])
    later = clock.later
    params: dict[str, ParamValue] = {
        "clock_episode_id": (later or ep).record.id,
        "period": period,
    }
    if clock.state is DeadlineState.UNKNOWN:
        return find(
            "return-unknown",
            Outcome.INSUFFICIENT_DATA,
            params=params,
            evidence=[*evidence, later.path_of("returned_at")] if later else ["returned_at"],
        )
    return find("waiting", Outcome.PENDING, params=params, evidence=evidence)


def deadline_finding(
    find: FindingBuilder,
    clock: DeadlineClock,
    done: Done,
    *,
    now: datetime,
    done_param: str,
    period: ParamValue,
) -> Finding:
    """The finding of a deadline rule for one episode (messages: :func:`deadline_messages`).

    Before there is a due instant: ``open``, ``not-back``, ``return-unknown``
    or ``waiting`` (:data:`CLOCK_MESSAGES`). Then ``met`` (done by the due
    instant; ``met-later-return`` when the rule declares it and the clock ran
    from another episode's event; ``met-recorded-later`` when the rule declares
    it and the record of the thing done was made after the due instant, with
    ``{recorded_at}`` and ``{recorded_after}``), ``declined`` (``not_applicable``: the first
    thing done, by the due instant, was the child declining, which is not the
    thing held; the offer rule is the one met; a decline after the due instant
    is ``declined-late`` when the rule declares it, else ``overdue``), ``pending``
    (not done, not yet due), ``late`` or ``overdue``. The evidence is the anchor
    event and every done path.
    """
    evidence = [f"{find.path}.{_ANCHOR_FIELD[clock.anchor]}", *done.paths]
    if clock.state is not DeadlineState.DUE:
        return _clock_finding(find, clock, period, evidence)
    due, clock_ep = clock.due, clock.clock_episode
    assert due is not None
    assert clock_ep is not None
    at, first = done.at, done.first
    base: dict[str, ParamValue] = {"due": due}
    declined = first is not None and first.kind is DoneKind.DECLINED
    if at is not None and declined and at <= due:
        # a decline is not the thing done: the offer is what an offer rule counts, and
        # national reporting counts offered, accepted, declined and held apart [MP-RHI24]
        params = {**base, "declined_at": at}
        return find(
            "declined", Outcome.NOT_APPLICABLE, params=params, due=due, observed=at,
            evidence=evidence,
        )  # fmt: skip
    if at is not None and declined:  # declined only after the due instant: overdue by then
        if _declares(find, "declined-late"):
            params = {**base, "declined_at": at}
            return find(
                "declined-late", Outcome.BREACHED, params=params, due=due, observed=at,
                evidence=evidence,
            )  # fmt: skip
        return find("overdue", Outcome.BREACHED, params=base, due=due, evidence=evidence)
    if at is not None and first is not None and at <= due:
        key, params = "met", {**base, done_param: at}
        if clock_ep.record.id != find.id and _declares(find, "met-later-return"):
            key, params = "met-later-return", {**params, "clock_episode_id": clock_ep.record.id}
        elif (
            first.recorded is not None
            and first.recorded > due
            and _declares(find, "met-recorded-later")
        ):
            # done in time, but on file only after it was due: what an inspector asks about
            key, params = (
                "met-recorded-later",
                {
                    **params,
                    "recorded_at": first.recorded,
                    "recorded_after": later_by(at, first.recorded),
                },
            )
        return find(key, Outcome.MET, params=params, due=due, observed=at, evidence=evidence)
    if now <= due:
        params = {**base, "period": period, "clock_episode_id": clock_ep.record.id}
        return find("pending", Outcome.PENDING, params=params, due=due, evidence=evidence)
    if at is not None:
        params = {**base, done_param: at}
        return find(
            "late", Outcome.BREACHED, params=params, due=due, observed=at, evidence=evidence
        )
    return find("overdue", Outcome.BREACHED, params=base, due=due, evidence=evidence)


#: How a deadline rule finds what was done for one episode: ``(case, episode, now) -> Done``.
DoneFor = Callable[[CaseFile, EpisodeAt, datetime], Done]


def deadline_findings(
    ctx: RuleContext,
    case: CaseFile,
    deadline: Deadline,
    done_for: DoneFor,
    *,
    done_param: str,
    anchor: Anchor = Anchor.RETURN,
    policy: ReMissingPolicy = ReMissingPolicy.RESTART_FROM_LATER_RETURN,
) -> Iterator[Finding]:
    """A whole deadline rule: for each episode, ``deadline`` after its ``anchor`` event.

    ``done_for(case, episode, now)`` is the evidence the duty was done for an
    episode (for example ``lambda case, ep, now: conversation_held(covering(case,
    ep.record.id), now)``); ``done_param`` names its instant in the messages.
    One :func:`deadline_finding` per episode, with ``{period}`` the
    :func:`deadline_period`.
    """
    now, period = ctx.as_of, deadline_period(deadline)
    episodes = timeline(case, now)
    memo: dict[int, DeadlineClock] = {}
    for pos, ep in enumerate(episodes):
        done = done_for(case, ep, now)
        clock = _deadline_after(episodes, pos, deadline, now, done.at, anchor, policy, memo)
        yield deadline_finding(
            about(ctx, ep), clock, done, now=now, done_param=done_param, period=period
        )


#: The message of a rule whose timescale the sources do not give, until it is configured.
NOT_CONFIGURED_MESSAGES: Mapping[str, str] = {
    "not-configured": (
        "Episode {episode_id}: the sources set no timescale for this, and the local one "
        "(the setting '{parameter}') is not configured, so whether it was done in time cannot "
        "be worked out."
    ),
}


def setting_words(name: str) -> str:
    """A pack parameter's name as a message shows it: ``factors determined within``.

    A message is read by people, so it names a setting in words; the
    parameter's own name is in the rule's declaration (:attr:`Rule.parameters`).

    >>> setting_words("factors_determined_within")
    'factors determined within'
    """
    return name.replace("_", " ")


def not_configured_findings(
    ctx: RuleContext, case: CaseFile, parameter: str, *, anchor: Anchor = Anchor.RETURN
) -> Iterator[Finding]:
    """``insufficient_data`` for each episode whose ``anchor`` event is known, while the
    pack parameter ``parameter`` (a local timescale with no default) is not set.

    A rule whose timescale the sources do not give declares the parameter with no
    default, yields these until it is configured, and :func:`deadline_findings`
    once it is (messages: :data:`NOT_CONFIGURED_MESSAGES`). Never ``met``: a
    missing timescale is missing data, not compliance.
    """
    now = ctx.as_of
    for ep in timeline(case, now):
        state, _ = _event(ep, anchor, now)
        if state is DeadlineState.DUE or state is DeadlineState.UNKNOWN:
            yield not_configured(about(ctx, ep), parameter, evidence=[_ANCHOR_FIELD[anchor]])


def not_configured(
    find: FindingBuilder, parameter: str, *, evidence: Iterable[Evidence] = ()
) -> Finding:
    """The ``not-configured`` finding about one subject (an episode or a conversation)
    while the pack parameter ``parameter``, a local timescale with no default, is not set.

    ``insufficient_data``, never ``met``: a missing timescale is missing data, not
    compliance. The rule's ``not-configured`` message has ``{parameter}`` (the
    setting in words, :func:`setting_words`); about an episode,
    :data:`NOT_CONFIGURED_MESSAGES` is the standard one.
    """
    return find(
        "not-configured",
        Outcome.INSUFFICIENT_DATA,
        params={"parameter": setting_words(parameter)},
        evidence=evidence,
    )


def _declares(find: FindingBuilder, key: str) -> bool:
    return find.ctx.rule.has_message(key)


# --- repeat thresholds ---------------------------------------------------------------------------


@attrs.frozen
class RepeatRun:
    """The first episode of a run over a threshold, the count at it, and the response's due."""

    episode: EpisodeAt
    count: int
    due: datetime | None = None


def _positive_count(_inst: object, _attr: object, value: int) -> None:
    if type(value) is not int or value < 1:
        raise ValueError("a repeat threshold counts at least 1 episode")


def _positive_window(_inst: object, _attr: object, value: timedelta) -> None:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise ValueError("a repeat window is a positive timedelta")


@attrs.frozen
class RepeatThreshold:
    """``count`` episodes begun within ``window`` (N episodes in D days).

    >>> from missingcare.testing.builders import SEEN, episode
    >>> eps = [Located(i, episode(f"E{i}", seen=SEEN + timedelta(days=i))) for i in range(4)]
    >>> for run in RepeatThreshold(3, timedelta(days=30)).runs(eps):
    ...     print(run.episode.record.id, run.count)
    E2 3
    """

    count: int = attrs.field(validator=_positive_count)
    window: timedelta = attrs.field(validator=_positive_window)

    def runs(
        self, episodes: Sequence[EpisodeAt], respond_within: Deadline | None = None
    ) -> tuple[RepeatRun, ...]:
        """The first episode of each run at or over the threshold, in time order.

        An episode is over the threshold when it and the episodes begun in the
        ``window`` before it number at least ``count``; consecutive such
        episodes form one run, whose response is due ``respond_within`` after
        the first of them was last seen.
        """
        out: list[RepeatRun] = []
        previous = False
        times = [ep.record.last_seen_at for ep in episodes]
        ordered = all(a <= b for a, b in itertools.pairwise(times))
        lo = 0  # in time order, the episodes in the window before ``pos`` start at ``lo``
        for pos, ep in enumerate(episodes):
            seen = times[pos]
            if ordered:
                while seen - times[lo] >= self.window:
                    lo += 1
                n = pos - lo + 1
            else:
                n = sum(1 for other in times[: pos + 1] if seen - other < self.window)
            triggered = n >= self.count
            if triggered and not previous:
                due = (
                    respond_within.due(seen, ep.record.zone) if respond_within is not None else None
                )
                out.append(RepeatRun(ep, n, due))
            previous = triggered
        return tuple(out)


def repeat_messages(*, done: str, todo: str) -> dict[str, str]:
    """The message set of a repeat-threshold rule, from what was done and what is to do.

    >>> messages = repeat_messages(done="a meeting was held", todo="hold a meeting")
    >>> messages["pending-by"].endswith("{window}: hold a meeting by {due}.")
    True
    """
    lead = "Episode {episode_id} brought the child's episodes to {count} within {window}"
    return {
        "met": f"{lead}; {done} at {{recorded_at}}.",
        "pending": f"{lead}: {todo}.",
        "pending-by": f"{lead}: {todo} by {{due}}.",
        "late": f"{lead}; the record of the response is dated {{recorded_at}}, after it was due.",
        "overdue": f"{lead}; the response was due by {{due}} and is not recorded.",
    }


def repeat_findings(
    ctx: RuleContext,
    case: CaseFile,
    episodes: Sequence[EpisodeAt],
    threshold: RepeatThreshold,
    *,
    respond_within: Deadline | None,
    evidence: Concept,
) -> Iterator[Finding]:
    """The findings of a repeat-threshold rule (messages: :func:`repeat_messages`).

    For each run over ``threshold``, the response is evidenced by a context
    entry of the category ``evidence`` recorded from the run's first episode:
    ``met`` (or ``late`` after its due instant), else ``overdue``, ``pending``
    or ``pending-by``.
    """
    now = ctx.as_of
    recorded: tuple[EntryAt, ...] | None = None
    for run in threshold.runs(episodes, respond_within):
        if recorded is None:
            recorded = entries(case, evidence, now)
        find = about(ctx, run.episode)
        base: dict[str, ParamValue] = {"count": run.count, "window": threshold.window}
        first = context_recorded(recorded, since=run.episode.record.last_seen_at).first
        due = run.due
        if first is not None:
            late = due is not None and first.at > due
            yield find(
                "late" if late else "met",
                Outcome.BREACHED if late else Outcome.MET,
                params={**base, "recorded_at": first.at},
                due=due,
                observed=first.at,
                evidence=[run.episode, first.path],
            )
        elif due is not None and now > due:
            params = {**base, "due": due}
            yield find("overdue", Outcome.BREACHED, params=params, due=due, evidence=[run.episode])
        elif due is None:
            yield find("pending", Outcome.PENDING, params=base, evidence=[run.episode])
        else:
            params = {**base, "due": due}
            yield find(
                "pending-by", Outcome.PENDING, params=params, due=due, evidence=[run.episode]
            )
