"""Every finding of the England pack on two synthetic cohorts, kept as a digest.

The digests were taken on the pack as it was before it was rewritten over the
rule kit (:mod:`missingcare.rules.kit`); the rewrite must find exactly the same
things. The one documented difference: a deadline met when the clock ran from
another episode's return (the child went missing again before the duty was
done) now says so, with the message key ``met-later-return`` and the parameter
``clock_episode_id``. Those findings are mapped back to the old form (key
``met``, no ``clock_episode_id``, the text rendered from the ``met`` template)
before hashing, and the test counts them.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import attrs

from missingcare.findings import Finding, render_message
from missingcare.packs.gb_eng import PACK
from missingcare.rules import RulePack, evaluate
from missingcare.testing.synth import Cohort

#: Taken before the rewrite: (findings, SHA-256 of their canonical lines).
COHORT_DIGEST = (72188, "7105cb6b9336e948fd24341ca0b9ea9c07935e81e425fd0f89c4f1b8fba978e9")
COHORT2_DIGEST = (14279, "c322b41363b2891be894b81add71ce7fda5ae33301a8a390772dd41da618f981")
#: How many findings on each cohort use the new ``met-later-return`` wording.
COHORT_MAPPED = 245
COHORT2_MAPPED = 34

_NEW_KEY = ".met-later-return"


def _old_form(pack: RulePack, f: Finding) -> tuple[Finding, bool]:
    """The finding as the pack wrote it before the rewrite; whether it had to be mapped."""
    if not f.message_id.endswith(_NEW_KEY):
        return f, False
    params = {k: v for k, v in f.params if k != "clock_episode_id"}
    text = render_message(pack.rule(f.rule.code).template("met"), params)
    old = attrs.evolve(
        f, message_id=f.message_id.removesuffix(_NEW_KEY) + ".met", params=params, text=text
    )
    return old, True


def _canon(f: Finding) -> str:
    return json.dumps(
        [
            str(f.rule),
            f.outcome.value,
            f.severity.value,
            f.strength.value,
            f.subject,
            f.message_id,
            [[k, repr(v)] for k, v in f.params],
            f.text,
            repr(f.due),
            repr(f.observed),
            list(f.evidence),
            f.episode_id,
            f.conversation_id,
        ]
    )


def _digest(cohort: Cohort, pack: RulePack, instants: tuple[datetime, ...]) -> tuple[int, str, int]:
    h = hashlib.sha256()
    n = mapped = 0
    for case in cohort:
        for as_of in instants:
            for f in evaluate(case, pack=pack, as_of=as_of).findings:
                old, was_mapped = _old_form(pack, f)
                mapped += was_mapped
                h.update(_canon(old).encode())
                h.update(b"\n")
                n += 1
    return n, h.hexdigest(), mapped


def test_the_england_pack_finds_what_it_found_before_on_2000_children() -> None:
    n, digest, mapped = _digest(
        Cohort(children=2000, seed=2026),
        PACK,
        (datetime(2025, 10, 1, 9, tzinfo=UTC), datetime(2026, 4, 1, 9, tzinfo=UTC)),
    )
    assert (n, digest) == COHORT_DIGEST
    assert mapped == COHORT_MAPPED


def test_a_configured_england_pack_finds_what_it_found_before_across_zones() -> None:
    pack = PACK.configure(repeat_missing_threshold=2, strategy_meeting_within=timedelta(days=3))
    n, digest, mapped = _digest(
        Cohort(
            children=400,
            seed=11,
            zones=("Europe/London", "America/New_York", "Australia/Sydney"),
            children_per_home=2,
        ),
        pack,
        (datetime(2025, 10, 26, 1, 30, tzinfo=UTC), datetime(2026, 4, 1, 9, tzinfo=UTC)),
    )
    assert (n, digest) == COHORT2_DIGEST
    assert mapped == COHORT2_MAPPED
