""":func:`evaluate`: run a pack's edition over one child's case file, as of "now".

It is pure and deterministic: facts recorded at instants after ``as_of`` are
treated as not yet known, and the case file is not changed.
"""

from __future__ import annotations

import functools
import warnings
from datetime import datetime

from missingcare.case import CaseFile
from missingcare.findings import Evaluation, Finding, RuleRef
from missingcare.rules.engine import RuleContext, RulePack
from missingcare.rules.registry import get_pack
from missingcare.time import instant, local_date
from missingcare.typing import AsOf, Clock

__all__ = ["evaluate"]

#: References are immutable values; one per rule and edition serves every evaluation.
_rule_ref = functools.lru_cache(maxsize=1 << 12)(RuleRef)


def _now(as_of: AsOf | None, clock: Clock | None) -> datetime:
    if clock is not None:
        warnings.warn(
            "evaluate(clock=...) is deprecated; pass the clock as as_of=",
            DeprecationWarning,
            stacklevel=3,
        )
        if as_of is not None:
            raise TypeError("give as_of only (clock= is its deprecated spelling)")
        as_of = clock
    if as_of is None:
        raise TypeError("evaluate needs as_of: an aware datetime or a Clock")
    if isinstance(as_of, datetime):
        return instant(as_of, "$.as_of")
    if not isinstance(as_of, Clock):
        raise TypeError("as_of is an aware datetime or a Clock")
    return instant(as_of.now(), "$.as_of")


def _case_zone(case: CaseFile) -> str | None:
    """The zone a finding without an episode is shown in: the latest episode's placement's."""
    if case.episodes:
        return case.episodes_in_order()[-1].zone
    return case.placements[-1].zone if case.placements else None


def evaluate(
    case: CaseFile,
    *,
    pack: RulePack | str,
    as_of: AsOf | None = None,
    edition: str | None = None,
    clock: Clock | None = None,
) -> Evaluation:
    """Evaluate one child's case file against a pack, as of an instant or a clock's "now".

    ``as_of`` is an aware datetime or a :class:`~missingcare.typing.Clock`
    (read once). The edition is the one in force on ``as_of``'s local date in
    the pack's zone unless ``edition`` names one (a pack without a zone, such as
    the US federal pack, needs :meth:`~missingcare.rules.RulePack.in_zone` or
    ``edition``). Facts recorded after
    ``as_of`` are not yet known to the rules. The case file is not changed.
    ``clock=`` is the deprecated spelling of ``as_of=clock`` (one minor
    release, with a :class:`DeprecationWarning`).
    """
    if not isinstance(case, CaseFile):
        raise TypeError("evaluate expects a CaseFile")
    now = _now(as_of, clock)
    the_pack = get_pack(pack) if isinstance(pack, str) else pack
    ed = (
        the_pack.edition(edition)
        if edition is not None
        else the_pack.edition_on(local_date(now, the_pack.local_zone))
    )
    settings = the_pack.effective_settings
    zone = _case_zone(case) or the_pack.zone
    episode_zones = {e.id: e.zone for e in case.episodes}
    findings: list[Finding] = []
    for r in the_pack.rules(ed):
        ctx = RuleContext(
            rule=r,
            ref=_rule_ref(the_pack.code, ed.name, r.code),
            as_of=now,
            settings=settings,
            zone=zone,
            episode_zones=episode_zones,
        )
        findings.extend(r.check(case, ctx))
    return Evaluation(
        pack=the_pack.code,
        edition=ed.name,
        as_of=now,
        child_id=case.child.id,
        findings=tuple(findings),
    )
