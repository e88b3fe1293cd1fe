"""The Utah pack, ``US-UT``: the federal pack (``US``) plus Utah DCFS practice guidelines.

Derived from :data:`missingcare.packs.us.PACK` with :meth:`~missingcare.rules.RulePack.derive`,
so a change to the federal rules reaches Utah too. From DCFS Practice Guidelines §300.8 as
summarised by the Child Welfare Information Gateway (May 2020) [UTAH]:

* ``case-staffed-2h``: on receiving the information that the child is missing, the caseworker
  staffs the case with the Child and Family Team within 2 hours (elapsed time from
  ``agency_informed_at``); the evidence is a context entry of the pack's category
  ``case_staffed`` recorded from then on.
* ``ncic-entry-requested-2h``: the caseworker asks that the child be placed on the NCIC
  database within 2 hours *of the report being made* (the source's words: the clock runs from
  ``police_report.reported_at``, not from when the agency learned); the evidence is a context
  entry ``ncic_entry_requested`` recorded from the report on. Without a recorded report
  there is nothing to time: the federal ``law-enforcement-24h`` is the finding then.

The guideline's "file a missing person report immediately" and "report to NCMEC" set no
number beyond the federal 24 hours, which the federal rules already check.

Editions: the federal pack's (the Utah rules are added from its first edition: the date the
guideline first set them is not in the sources; the copy seen is of May 2020). Zone:
``America/Denver``.

>>> PACK.zone
'America/Denver'
>>> sorted(r.code for r in PACK.rules() if r.code.endswith("-2h"))
['case-staffed-2h', 'ncic-entry-requested-2h']
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from missingcare.case import CaseFile
from missingcare.findings import Finding, Severity, Strength
from missingcare.packs import us
from missingcare.rules import Duty, RuleContext, Source, kit
from missingcare.rules.kit import Anchor, ElapsedDeadline
from missingcare.vocab import Concept, Vocabulary
from missingcare.vocabularies import CONTEXT_CATEGORIES

__all__ = ["CASE_STAFFED", "NCIC_ENTRY_REQUESTED", "PACK", "SOURCES", "VOCABULARIES"]

_D = kit.read_pack_data("missingcare.packs", "us_states.toml")
#: The sources Utah adds to the federal pack's.
SOURCES: tuple[Source, ...] = _D.cite("UTAH")

_SYSTEM = "https://missingcare.invalid/vocab"
#: The caseworker staffed the case with the Child and Family Team.
CASE_STAFFED = Concept(
    _SYSTEM, "case_staffed", "Case staffed with the Child and Family Team",
    "The caseworker met with the Child and Family Team to decide whether the child has run "
    "away or is missing, kidnapped or abducted.",
)  # fmt: skip
#: Law enforcement was asked to enter the child in the NCIC database.
NCIC_ENTRY_REQUESTED = Concept(
    _SYSTEM, "ncic_entry_requested", "NCIC entry requested",
    "The caseworker asked law enforcement to place the child on the NCIC database of missing "
    "persons.",
)  # fmt: skip
#: The context categories Utah adds to the core vocabulary.
VOCABULARIES = (
    Vocabulary("context_categories", CONTEXT_CATEGORIES.title,
               (CASE_STAFFED, NCIC_ENTRY_REQUESTED), source="US-UT"),
)  # fmt: skip

_2H = ElapsedDeadline(timedelta(hours=2))
_CITE = _D.cite("UTAH", locator="Practice Guidelines §300.8")


def _recorded_since(category: Concept, anchor: Anchor) -> kit.DoneFor:
    def done(case: CaseFile, ep: kit.EpisodeAt, now: datetime) -> kit.Done:
        e = ep.record
        start = e.agency_informed_at if anchor is Anchor.AGENCY_INFORMED else (
            e.police_report.reported_at if e.police_report is not None else None
        )  # fmt: skip
        if start is None:
            return kit.Done()
        return kit.context_recorded(kit.entries(case, category, now), since=start)

    return done


@_D.rule(
    "case-staffed-2h",
    title="The case is staffed with the Child and Family Team within 2 hours of the agency "
    "learning the child is missing",
    duty=Duty.PLAN, deadline=_2H, strength=Strength.AGENCY_POLICY, severity=Severity.WARNING,
    sources=_CITE,
    standard=kit.clock_messages(Anchor.AGENCY_INFORMED),
    fields=("MissingEpisode.agency_informed_at", "ContextEntry.category", "ContextEntry.at"),
)  # fmt: skip
def case_staffed_2h(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """A ``case_staffed`` entry at most 2 elapsed hours after the agency was told."""
    done = _recorded_since(CASE_STAFFED, Anchor.AGENCY_INFORMED)
    yield from us.after_agency_learned(ctx, case, _2H, done, "staffed_at")


@_D.rule(
    "ncic-entry-requested-2h",
    title="NCIC entry is requested within 2 hours of the report to law enforcement",
    duty=Duty.REPORT, deadline=_2H, strength=Strength.AGENCY_POLICY, severity=Severity.SERIOUS,
    sources=_CITE,
    standard=kit.clock_messages(Anchor.POLICE_REPORT),
    fields=("MissingEpisode.police_report", "PoliceReport.reported_at", "ContextEntry.category"),
)  # fmt: skip
def ncic_entry_requested_2h(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """An ``ncic_entry_requested`` entry at most 2 elapsed hours after the police report."""
    done = _recorded_since(NCIC_ENTRY_REQUESTED, Anchor.POLICE_REPORT)
    yield from us.after_agency_learned(
        ctx, case, _2H, done, "requested_at", anchor=Anchor.POLICE_REPORT
    )


#: The Utah pack: the federal rules and Utah's 2-hour duties, in Mountain time.
PACK = us.PACK.derive(
    code="US-UT",
    name="Utah",
    zone="America/Denver",
    add=(case_staffed_2h, ncic_entry_requested_2h),
    sources=SOURCES,
    vocabularies=VOCABULARIES,
    evidence=[("context_categories", c.code) for c in VOCABULARIES[0].concepts],
    aliases=("Utah",),
    description=(
        "The US federal duties, plus Utah DCFS Practice Guidelines §300.8: the case staffed "
        "with the Child and Family Team within 2 hours of the agency learning the child is "
        "missing, and NCIC entry requested within 2 hours of the report to law enforcement."
    ),
)
