"""The Missouri pack, ``US-MO``: the federal pack (``US``) plus the Missouri manual and statute.

Derived from :data:`missingcare.packs.us.PACK` with :meth:`~missingcare.rules.RulePack.derive`,
so a change to the federal rules reaches Missouri too. From the Children's Division Child
Welfare Manual (section 4, chapter 4: subsection 9 effective 11 September 2020, as summarised
in [MO2]; subsection 8 effective 28 August 2023 [MO]) and RSMo 210.795 [MO-RSMO]:

* Law enforcement and NCMEC within 24 hours (the 2020 manual, [MO2]): the federal rules
  ``law-enforcement-24h`` and ``ncmec-24h``, not repeated; [MO2] is among the pack's sources.
* Edition ``2023-08`` (28 August 2023): the manual and RSMo 210.795 shorten this to **2
  hours** of discovery that the child is missing: ``law-enforcement-2h`` and ``ncmec-2h``,
  from ``agency_informed_at`` (the statute's "discovery" may be the placement provider's;
  record the earliest knowledge there). The date is the manual's effective date; when the
  statute took effect is not in the sources seen.
* ``family-friends-contacted-monthly``: family members, friends, counsellors, school staff and
  others who may know where the child is are contacted, and again at least once a month until
  the child is located [MO2]. The evidence is the episode's search actions
  ``contacted_family``, ``contacted_friends``, ``contacted_school`` and the pack's
  ``contacted_others_who_may_know``. A month is a calendar month, local time: from a contact
  (or from when the agency learned) on local date D, the next contact is due by the end of the
  same date a month later (the month's last day when it is shorter: 31 January → 28 or 29
  February). Each gap up to the location (or "now") is checked; one gap over a month is a
  breach.
* ``trauma-informed-response``: a trauma-informed, non-punitive response on return; the
  manual says punitive restrictions are likely counterproductive [MO-2020][MO2]. The lens's
  own definition is reused (:data:`missingcare.analysis.DEFAULT_GROUPS`
  ``.restrictive_responses`` and :func:`missingcare.analysis.responses_for`): in the first
  return conversation held for the episode, a response on return (made by the time it was
  held) that is restrictive with no safeguarding reason is ``breached``; responses recorded
  and none punitive is ``met``; none recorded, or no conversation held yet after the
  episode ended, is ``insufficient_data``.

Zone: ``America/Chicago``.

>>> [e.name for e in PACK.editions]
['2015-09', '2016-09', '2023-08']
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import attrs

from missingcare.analysis import DEFAULT_GROUPS, responses_for
from missingcare.case import CaseFile
from missingcare.findings import Finding, Outcome, Severity, Strength
from missingcare.packs import us
from missingcare.rules import Duty, Edition, RuleContext, Source, kit
from missingcare.rules.kit import Anchor, ElapsedDeadline
from missingcare.time import local_date, start_of_local_day
from missingcare.vocab import Concept, Vocabulary
from missingcare.vocabularies import SEARCH_ACTIONS

__all__ = ["CONTACTED_OTHERS", "CONTACT_ACTIONS", "PACK", "SOURCES", "VOCABULARIES"]

_D = kit.read_pack_data("missingcare.packs", "us_states.toml")
#: The sources Missouri adds to the federal pack's.
SOURCES: tuple[Source, ...] = _D.cite("MO", "MO2", "MO-2020", "MO-RSMO")

_SYSTEM = "https://missingcare.invalid/vocab"
#: Contacted counsellors or others who may know where the child is.
CONTACTED_OTHERS = Concept(
    _SYSTEM, "contacted_others_who_may_know", "Contacted others who may know",
    "Counsellors or others who may have information about where the child is were contacted.",
)  # fmt: skip
#: The search action Missouri adds to the core vocabulary.
VOCABULARIES = (
    Vocabulary("search_actions", SEARCH_ACTIONS.title, (CONTACTED_OTHERS,), source="US-MO"),
)
#: The search actions that count as a contact for the monthly rule (codes).
CONTACT_ACTIONS = frozenset(
    {"contacted_family", "contacted_friends", "contacted_school", CONTACTED_OTHERS.code}
)

_2H = ElapsedDeadline(timedelta(hours=2))
_2023 = _D.cite("MO", locator="4.8.3") + _D.cite("MO-RSMO")


@_D.rule(
    "law-enforcement-2h",
    title="The child is reported to law enforcement within 2 hours of being discovered missing",
    duty=Duty.REPORT, deadline=_2H, strength=Strength.REGULATION, severity=Severity.SERIOUS,
    sources=_2023,
    standard=kit.clock_messages(Anchor.AGENCY_INFORMED),
    fields=("MissingEpisode.agency_informed_at", "MissingEpisode.police_report"),
)  # fmt: skip
def law_enforcement_2h(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """The report to law enforcement at most 2 elapsed hours after the discovery."""
    yield from us.after_agency_learned(
        ctx, case, _2H, lambda c, ep, now: kit.reported_to_police(ep, now), "reported_at"
    )


@_D.rule(
    "ncmec-2h",
    title="NCMEC is told within 2 hours of the child being discovered missing",
    duty=Duty.NOTIFY, deadline=_2H, strength=Strength.REGULATION, severity=Severity.SERIOUS,
    sources=_2023,
    standard=kit.clock_messages(Anchor.AGENCY_INFORMED),
    fields=("MissingEpisode.agency_informed_at", "MissingEpisode.notifications"),
)  # fmt: skip
def ncmec_2h(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """A notification to NCMEC at most 2 elapsed hours after the discovery."""
    yield from us.after_agency_learned(
        ctx, case, _2H, lambda c, ep, now: kit.notified(ep, "ncmec", now), "notified_at"
    )


def month_after(at: datetime, zone: str) -> datetime:
    """The end of the same local date a calendar month after ``at`` (clamped to month end).

    >>> from missingcare.time import local_instant
    >>> month_after(local_instant(2027, 1, 31, 9, zone="America/Chicago"), "America/Chicago")
    datetime.datetime(2027, 3, 1, 6, 0, tzinfo=datetime.timezone.utc)
    """
    d = local_date(at, zone)
    year, month = (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)
    same = date(year, month, min(d.day, calendar.monthrange(year, month)[1]))
    return start_of_local_day(same + timedelta(days=1), zone)


@_D.rule(
    "family-friends-contacted-monthly",
    title="Family, friends and others who may know are contacted at least monthly until the "
    "child is located",
    duty=Duty.SEARCH, strength=Strength.AGENCY_POLICY, severity=Severity.WARNING,
    sources=_D.cite("MO2", locator="CW Man. §§ 4.9.1, 4.9.5"),
    fields=("MissingEpisode.agency_informed_at", "MissingEpisode.search_actions",
            "SearchAction.action", "SearchAction.at", "MissingEpisode.ended_at"),
)  # fmt: skip
def family_friends_contacted_monthly(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """No gap of more than a calendar month (see the module docstring) from when the agency
    learned to the first contact, between contacts, and to the location (or now)."""
    now = ctx.as_of
    for ep in kit.timeline(case, now):
        find, e = kit.about(ctx, ep), ep.record
        if e.agency_informed_at is None or e.agency_informed_at > now:
            if e.agency_informed_at is None:
                yield find("unknown", Outcome.INSUFFICIENT_DATA, evidence=["agency_informed_at"])
            continue
        located = kit.ended_by(ep, now)
        horizon = located if located is not None else now
        contacts = sorted(
            (a.at, m) for m, a in enumerate(e.search_actions)
            if a.action.code in CONTACT_ACTIONS and e.agency_informed_at <= a.at <= horizon
        )  # fmt: skip
        since, evidence = e.agency_informed_at, ["agency_informed_at"]
        for at, m in contacts:
            due = month_after(since, e.zone)
            if at > due:
                params = {"since": since, "due": due}
                yield find("gap", Outcome.BREACHED, params=params, due=due, evidence=evidence)
                break
            since, evidence = at, [*evidence, f"search_actions[{m}]"]
        else:
            due = month_after(since, e.zone)
            if horizon > due:
                params = {"since": since, "due": due}
                yield find("gap", Outcome.BREACHED, params=params, due=due, evidence=evidence)
            elif located is None:
                yield find("pending", Outcome.PENDING, params={"due": due}, due=due,
                           evidence=evidence)  # fmt: skip
            else:
                key = "met" if contacts else "located-before-due"
                yield find(key, Outcome.MET, params={"located_at": located, "due": due},
                           observed=located, evidence=[*evidence, "ended_at"])  # fmt: skip


@_D.rule(
    "trauma-informed-response",
    title="The response on return is trauma-informed and not punitive",
    duty=Duty.LENS, strength=Strength.AGENCY_POLICY, severity=Severity.WARNING,
    sources=_D.cite("MO-2020", locator="4.9.1") + _D.cite("MO2", "MO"),
    fields=("ReturnConversation.responses_on_return", "ResponseOnReturn.response",
            "ResponseOnReturn.safeguarding_reason"),
)  # fmt: skip
def trauma_informed_response(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """The responses on return recorded in the first return conversation held for the
    episode, up to when it was held: one restrictive response with no safeguarding reason
    (the lens's definition) is a breach. Judged once that conversation is held, so a later
    record never turns a finding round."""
    now, restrictive = ctx.as_of, DEFAULT_GROUPS.restrictive_responses
    for ep in kit.timeline(case, now):
        talks = [c for c in kit.covering(case, ep.record.id) if kit.known(c.record.held_at, now)]
        if not talks:
            if kit.ended_by(ep, now) is not None:
                yield kit.about(ctx, ep)(
                    "no-conversation", Outcome.INSUFFICIENT_DATA, evidence=["$.conversations"]
                )
            continue
        first = min(talks, key=lambda c: (c.record.held_at, c.index))
        held_at = first.record.held_at
        find = kit.about(ctx, ep)
        found = [
            (first.path_of(f"responses_on_return[{i}]"), r)
            for conv, i, r in responses_for(case, ep.record.id)
            if conv.id == first.record.id and held_at is not None and r.at <= held_at
        ]
        punitive = [
            (p, r) for p, r in found
            if r.response.code in restrictive and r.safeguarding_reason is not True
        ]  # fmt: skip
        if punitive:
            what = ", ".join(dict.fromkeys(r.response.display.lower() for _, r in punitive))
            yield find("punitive", Outcome.BREACHED, params={"responses": what},
                       observed=punitive[0][1].at, evidence=[p for p, _ in punitive])  # fmt: skip
        elif found:
            yield find("met", Outcome.MET, observed=held_at, evidence=[p for p, _ in found])
        else:
            yield find("unknown", Outcome.INSUFFICIENT_DATA, evidence=[first.path_of("held_at")])


_DERIVED = us.PACK.derive(
    code="US-MO",
    name="Missouri",
    zone="America/Chicago",
    add=(family_friends_contacted_monthly, trauma_informed_response),
    sources=SOURCES,
    vocabularies=VOCABULARIES,
    evidence=[("search_actions", CONTACTED_OTHERS.code), ("search_actions", "contacted_family")],
    aliases=("Missouri",),
    description=(
        "The US federal duties, plus the Missouri Child Welfare Manual: contact with family, "
        "friends and others who may know at least monthly until the child is located, a "
        "trauma-informed, non-punitive response on return, and (from 28 August 2023, with RSMo "
        "210.795) law enforcement and NCMEC within 2 hours of discovery."
    ),
)
_2023_EDITION = Edition(
    "2023-08", effective_from=date(2023, 8, 28), add=(law_enforcement_2h, ncmec_2h),
    sources=_2023, note="Missouri manual subsection 8, effective 28 August 2023, and RSMo "
    "210.795: law enforcement and NCMEC within 2 hours of discovery.",
)  # fmt: skip
#: The Missouri pack: the federal rules, Missouri's, and its 2023 edition, in Central time.
#: (``derive`` adds rules from the parent's first edition; a state edition is appended
#: here, in date order, so a later federal edition still reaches the pack.)
PACK = attrs.evolve(
    _DERIVED,
    editions=sorted((*_DERIVED.editions, _2023_EDITION), key=lambda ed: ed.effective_from),
)
