""":func:`evaluate`: run a pack's edition over one child's case file, as of "now".

It is pure and deterministic: facts whose instants fall after ``as_of`` are
treated as not yet happened, records made after ``known_at`` (by default
``as_of``) as not yet on file, and the case file is not changed.
"""

from __future__ import annotations

import functools
import warnings
from datetime import datetime

from missingcare._known import KnownSource, known_case, read_instant
from missingcare.case import CaseFile
from missingcare.findings import Evaluation, Finding, RuleRef
from missingcare.rules.engine import RuleContext, RulePack
from missingcare.rules.registry import get_pack
from missingcare.time import local_date
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
    return read_instant(as_of, "$.as_of")


def _case_zone(case: CaseFile) -> str | None:
    """The zone a finding without an episode is shown in: the latest episode's placement's."""
    if case.episodes:
        return case.episodes_in_order()[-1].zone
    return case.placements[-1].zone if case.placements else None


def evaluate(
    case: KnownSource,
    *,
    pack: RulePack | str,
    as_of: AsOf | None = None,
    known_at: AsOf | None = None,
    edition: str | None = None,
    clock: Clock | None = None,
) -> Evaluation:
    """Evaluate one child's case file against a pack, as of an instant or a clock's "now".

    ``as_of`` is an aware datetime or a :class:`~missingcare.typing.Clock`
    (read once). The edition is the one in force on ``as_of``'s local date in
    the pack's zone unless ``edition`` names one (a pack without a zone, such as
    the US federal pack, needs :meth:`~missingcare.rules.RulePack.in_zone` or
    ``edition``). Facts whose instants fall after ``as_of`` have not yet
    happened for the rules. The case file is not changed.

    ``known_at`` (an instant or a clock; by default ``as_of``) says what was on
    file: only records made by then are read, by
    :func:`missingcare.records.as_known_at` (a record whose recording time is
    unknown counts by its event time, as before). ``case`` may be a
    :class:`~missingcare.history.CaseHistory`: the file built from the revisions
    made by ``known_at`` is read, and a history with none by then is refused
    with a :class:`~missingcare.exceptions.ValidationError` at ``$.known_at``.
    ``known_at`` may be later than ``as_of`` ("what we know now about then": a
    conversation held on time and written up later counts as held) or earlier
    (today's deadlines over what was on file then). The evaluation records
    ``known_at`` when it differs from ``as_of``.

    ``clock=`` is the deprecated spelling of ``as_of=clock`` (one minor
    release, with a :class:`DeprecationWarning`).
    """
    now = _now(as_of, clock)
    known = now if known_at is None else read_instant(known_at, "$.known_at")
    file = known_case(case, known)
    the_pack = get_pack(pack) if isinstance(pack, str) else pack
    ed = (
        the_pack.edition(edition)
        if edition is not None
        else the_pack.edition_on(local_date(now, the_pack.local_zone))
    )
    settings = the_pack.effective_settings
    zone = _case_zone(file) or the_pack.zone
    episode_zones = {e.id: e.zone for e in file.episodes}
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
        findings.extend(r.check(file, ctx))
    return Evaluation(
        pack=the_pack.code,
        edition=ed.name,
        as_of=now,
        child_id=file.child.id,
        findings=tuple(findings),
        known_at=None if known == now else known,
    )
