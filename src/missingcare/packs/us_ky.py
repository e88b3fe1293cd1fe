"""The Kentucky pack, ``US-KY``: the federal pack (``US``) plus Kentucky's DCBS procedure.

Derived from :data:`missingcare.packs.us.PACK` with :meth:`~missingcare.rules.RulePack.derive`,
so a change to the federal rules reaches Kentucky too. From the DCBS Standards of Practice
4.67, *Locating missing children, including runaways* [KY], which implements P.L. 113-183:

* ``missing-person-report-12h``: the social service worker files a missing person report
  with law enforcement no later than 12 hours after receiving notification that the child is
  determined missing (elapsed time from ``agency_informed_at``; the evidence is the episode's
  ``police_report``).
* The notifications "immediately, but no later than 24 hours": the copies of [KY] searched
  name local law enforcement and NCMEC (the 14 June 2023 revision adds what to give NCMEC),
  which are the federal rules ``law-enforcement-24h`` and ``ncmec-24h`` on the same clock, so
  they are not repeated; [KY] is added to the pack's sources. The manual's full list of
  agencies was not visible in the copies seen: a local list is a derived pack with its own
  rule. No notification recipient is added to the vocabulary.

Editions: the federal pack's (the state rule is added from its first edition: the date the
12-hour rule was first set is not in the sources). Zone: ``America/New_York`` (Kentucky's
eastern part, where Frankfort is). Western Kentucky keeps Central time: evaluate there with
``PACK.in_zone("America/Chicago")``, or derive a pack under its own code with
``zone="America/Chicago"``. Deadlines themselves run in each episode's zone.

>>> PACK.zone, PACK.derived_from, PACK.in_zone("America/Chicago").zone
('America/New_York', 'US', 'America/Chicago')
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from missingcare.case import CaseFile
from missingcare.findings import Finding, Severity, Strength
from missingcare.packs import us
from missingcare.rules import Duty, RuleContext, Source, kit
from missingcare.rules.kit import Anchor, ElapsedDeadline

__all__ = ["PACK", "SOURCES"]

_D = kit.read_pack_data("missingcare.packs", "us_states.toml")
#: The sources Kentucky adds to the federal pack's.
SOURCES: tuple[Source, ...] = _D.cite("KY")


_12H = ElapsedDeadline(timedelta(hours=12))


@_D.rule(
    "missing-person-report-12h",
    title="A missing person report is made to law enforcement within 12 hours of the agency "
    "learning the child is missing",
    duty=Duty.REPORT, strength=Strength.AGENCY_POLICY, severity=Severity.SERIOUS,
    deadline=_12H,
    sources=_D.cite("KY", locator="SOP 4.67, procedure 1"),
    standard=kit.clock_messages(Anchor.AGENCY_INFORMED),
    fields=("MissingEpisode.agency_informed_at", "MissingEpisode.police_report",
            "PoliceReport.reported_at"),
)  # fmt: skip
def missing_person_report_12h(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """The report to law enforcement at most 12 elapsed hours after the agency was told the
    child is missing; an unrecorded knowledge time is insufficient data."""
    yield from us.after_agency_learned(
        ctx, case, _12H,
        lambda c, ep, now: kit.reported_to_police(ep, now), "reported_at",
    )  # fmt: skip


#: The Kentucky pack: the federal rules and Kentucky's 12-hour report, in Eastern time.
PACK = us.PACK.derive(
    code="US-KY",
    name="Kentucky",
    zone="America/New_York",
    add=(missing_person_report_12h,),
    sources=SOURCES,
    aliases=("Kentucky",),
    description=(
        "The US federal duties, plus Kentucky DCBS SOP 4.67: a missing person report to law "
        "enforcement within 12 hours of the agency learning the child is missing (the 24-hour "
        "notifications it names, law enforcement and NCMEC, are the federal rules). Eastern "
        "time; western Kentucky uses in_zone('America/Chicago')."
    ),
)
