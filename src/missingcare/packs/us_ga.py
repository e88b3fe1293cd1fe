"""The Georgia pack, ``US-GA``: the federal pack (``US``) plus DFCS policy 19.22.

Derived from :data:`missingcare.packs.us.PACK` with :meth:`~missingcare.rules.RulePack.derive`,
so a change to the federal rules reaches Georgia too. From the DFCS Child Welfare Policy
Manual, policy 19.22 *Missing Children* [GA] (the current copy is effective May 2024):

* ``missing-children-team-24h``: the DFCS Missing Children Team told within 24 hours of
  determining that the child is missing;
* ``revenue-specialist-24h`` and ``revenue-specialist-located-24h``: the Revenue
  Maximization Specialist told within 24 hours of determining that the child is missing, and
  within 24 hours of the child being located (from ``ended_at``; only a notification at or
  after the end counts);
* ``juvenile-court-runaway-report``: a runaway report filed in the juvenile court within two
  business days of determining that the child is missing: by the end of the second Georgia
  business day after the day the agency learned, local time. Business days are Monday to
  Friday except Georgia's state holidays, from python-holidays
  (``PublicHolidays("US", "GA")``, which includes the state holiday the day after
  Thanksgiving); the parameter ``court_report_calendar`` takes any
  :class:`~missingcare.typing.WorkingDayCalendar` (an embedder's own list).

"Determining that the child is missing" is ``agency_informed_at``; 24-hour clocks are elapsed
time, each episode on its own clock. The evidence is a notification to the pack's recipients
``missing_children_team``, ``revenue_maximization_specialist`` and ``juvenile_court``. The
24-hour reports to law enforcement and NCMEC the policy repeats are the federal rules.

Editions: the federal pack's (the Georgia rules are added from its first edition: the dates
the policy first set them are not in the sources). Zone: ``America/New_York``.

>>> from datetime import date
>>> PACK.effective_settings["court_report_calendar"].is_working_day(date(2026, 11, 27))
False
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import attrs

from missingcare.case import CaseFile
from missingcare.findings import Finding, Severity, Strength
from missingcare.packs import us
from missingcare.rules import Duty, Rule, RuleContext, Source, kit
from missingcare.rules.kit import Anchor, CalendarDeadline, ElapsedDeadline
from missingcare.time import PublicHolidays
from missingcare.typing import WorkingDayCalendar
from missingcare.vocab import Concept, Vocabulary
from missingcare.vocabularies import NOTIFICATION_RECIPIENTS

__all__ = [
    "JUVENILE_COURT", "MISSING_CHILDREN_TEAM", "PACK", "REVENUE_SPECIALIST", "SOURCES",
    "VOCABULARIES",
]  # fmt: skip

_D = kit.read_pack_data("missingcare.packs", "us_states.toml")
_GA = tuple(s for s in us.SOURCES if s.key == "GA")
#: The sources Georgia adds to the federal pack's: none ([GA] is already there).
SOURCES: tuple[Source, ...] = ()

_SYSTEM = "https://missingcare.invalid/vocab"
#: DFCS's Missing Children Team.
MISSING_CHILDREN_TEAM = Concept(
    _SYSTEM, "missing_children_team", "DFCS Missing Children Team",
    "The Georgia DFCS team told of every child missing from foster care.",
)  # fmt: skip
#: The Revenue Maximization Specialist (title IV-E eligibility).
REVENUE_SPECIALIST = Concept(
    _SYSTEM, "revenue_maximization_specialist", "Revenue Maximization Specialist",
    "The DFCS specialist told when a child in foster care goes missing and when they are "
    "located.",
)  # fmt: skip
#: The juvenile court, to which a runaway report is filed.
JUVENILE_COURT = Concept(
    _SYSTEM, "juvenile_court", "Juvenile court",
    "The juvenile court, given a runaway report with the efforts made to locate the child.",
)  # fmt: skip
#: The notification recipients Georgia adds to the core vocabulary.
VOCABULARIES = (
    Vocabulary("notification_recipients", NOTIFICATION_RECIPIENTS.title,
               (MISSING_CHILDREN_TEAM, REVENUE_SPECIALIST, JUVENILE_COURT), source="US-GA"),
)  # fmt: skip

_24H = ElapsedDeadline(timedelta(hours=24))
_CALENDAR = "court_report_calendar"
#: Two Georgia business days (the calendar is the parameter's; this one is its default).
_COURT = CalendarDeadline(2, calendar=PublicHolidays("US", "GA"))


def _notify_rule(code: str, title: str, recipient: Concept, *, located: bool = False) -> Rule:
    anchor = Anchor.ENDED if located else Anchor.AGENCY_INFORMED

    def done_for(case: CaseFile, ep: kit.EpisodeAt, now: datetime) -> kit.Done:
        done = kit.notified(ep, recipient.code, now)
        end = ep.record.ended_at
        if not located or end is None:
            return done
        return kit.Done(tuple(e for e in done.events if e.at >= end))

    def check(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
        yield from us.after_agency_learned(ctx, case, _24H, done_for, "notified_at", anchor=anchor)

    check.__doc__ = f"A notification to the {recipient.display} at most 24 elapsed hours after " + (
        "the child was located." if located else "the agency learned the child was missing."
    )
    return _D.rule(
        code, title=title, duty=Duty.NOTIFY, deadline=_24H, strength=Strength.AGENCY_POLICY,
        severity=Severity.WARNING, sources=_D.cite() + _GA, standard=kit.clock_messages(anchor),
        fields=("MissingEpisode.agency_informed_at", "MissingEpisode.ended_at",
                "MissingEpisode.notifications", "Notification.recipient", "Notification.at"),
    )(check)  # fmt: skip


missing_children_team_24h = _notify_rule(
    "missing-children-team-24h",
    "The DFCS Missing Children Team is told within 24 hours of the child being determined missing",
    MISSING_CHILDREN_TEAM,
)
revenue_specialist_24h = _notify_rule(
    "revenue-specialist-24h",
    "The Revenue Maximization Specialist is told within 24 hours of the child being "
    "determined missing",
    REVENUE_SPECIALIST,
)
revenue_specialist_located_24h = _notify_rule(
    "revenue-specialist-located-24h",
    "The Revenue Maximization Specialist is told within 24 hours of the child being located",
    REVENUE_SPECIALIST,
    located=True,
)


@_D.rule(
    "juvenile-court-runaway-report",
    title="A runaway report is filed in the juvenile court within two business days of the "
    "child being determined missing",
    duty=Duty.REPORT, strength=Strength.AGENCY_POLICY, severity=Severity.WARNING,
    deadline=_COURT,
    sources=_GA, parameters=(_CALENDAR,), standard=kit.clock_messages(Anchor.AGENCY_INFORMED),
    fields=("MissingEpisode.agency_informed_at", "MissingEpisode.notifications",
            "Notification.recipient", "Notification.at"),
)  # fmt: skip
def juvenile_court_runaway_report(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """A notification to the juvenile court (the runaway report) by the end of the second
    business day after the day the agency learned the child was missing, local time."""
    deadline = attrs.evolve(_COURT, calendar=ctx.param(_CALENDAR))
    yield from us.after_agency_learned(
        ctx, case, deadline, lambda c, ep, now: kit.notified(ep, JUVENILE_COURT.code, now),
        "filed_at",
    )  # fmt: skip


#: The Georgia pack: the federal rules and DFCS policy 19.22's, in Eastern time.
PACK = us.PACK.derive(
    code="US-GA",
    name="Georgia",
    zone="America/New_York",
    add=(missing_children_team_24h, revenue_specialist_24h, revenue_specialist_located_24h,
         juvenile_court_runaway_report),
    parameters=(_D.parameter(_CALENDAR, WorkingDayCalendar, PublicHolidays("US", "GA"),
                             sources=_GA),),
    sources=SOURCES,
    vocabularies=VOCABULARIES,
    evidence=[("notification_recipients", c.code) for c in VOCABULARIES[0].concepts],
    aliases=("Georgia",),
    description=(
        "The US federal duties, plus Georgia DFCS policy 19.22: the Missing Children Team and "
        "the Revenue Maximization Specialist told within 24 hours (the specialist again when "
        "the child is located), and a runaway report to the juvenile court within two "
        "Georgia business days."
    ),
)  # fmt: skip
