"""Every finding of the England pack on two synthetic cohorts, kept as a digest.

The digests were taken on the pack as it was before it was rewritten over the
rule kit (:mod:`missingcare.rules.kit`); the rewrite must find exactly the same
things. The documented differences, each mapped back to the old form before
hashing and counted:

* a deadline met when the clock ran from another episode's return (the child
  went missing again before the duty was done) now says so, with the message
  key ``met-later-return`` and the parameter ``clock_episode_id``; the old form
  is key ``met``, no ``clock_episode_id``, the text from the ``met`` template;
* (issue 17, "declined is not held") ``return-conversation-72h`` is
  ``not_applicable`` with key ``declined`` when the child declined by the due
  instant, before any conversation was held (the old form: ``met`` with key
  ``declined`` and the old text), and ``breached`` with key ``declined-late``
  when the decline came after it (the old form: key ``late``, the decline read
  as a late conversation held);
* (issue 17) the 2017-02 edition adds ``exploitation-screening-considered``:
  its findings are left out of the old digest and pinned on their own
  (count per outcome and a digest of their own); the other rules' findings now
  name the edition in force, ``2017-02``, and are mapped back to ``2015-04``;
* (issue 21, "local time for people") a finding's text shows instants on the
  placement's wall clock with the zone's abbreviation, says "1 minute", and
  names a notification's recipient, a conversation topic and an exploitation
  indicator by its label: the old form's text is rendered from the old
  templates of the messages that changed, with instants as RFC 3339 UTC, and
  its parameters carry the codes (mapped back from the labels).
* (issue 22, "records over time") the cohorts say when each record was written
  (``recorded``), and ``evaluate`` reads only what was on file by ``known_at``
  (by default ``as_of``): the digests read the record as known now (``known_at``
  far in the future), which is the record the old pack read. A conversation held
  in time but written up after it was due now says so (key
  ``met-recorded-later`` with ``recorded_at`` and ``recorded_after``; the old
  form is ``met``), counted; the 2015-04 edition adds
  ``return-conversation-recorded`` (regulation 36), whose findings are left out of
  the old digest and pinned on their own, as the screening rule's are.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import attrs

from missingcare.findings import Finding, Outcome, ParamValue
from missingcare.packs.gb_eng import PACK
from missingcare.rules import RulePack, evaluate
from missingcare.testing.synth import Cohort
from missingcare.time import format_instant
from missingcare.vocabularies import EXPLOITATION_INDICATORS, NOTIFICATION_RECIPIENTS

#: Taken before the rewrite: (findings, SHA-256 of their canonical lines).
COHORT_DIGEST = (72188, "7105cb6b9336e948fd24341ca0b9ea9c07935e81e425fd0f89c4f1b8fba978e9")
COHORT2_DIGEST = (14279, "c322b41363b2891be894b81add71ce7fda5ae33301a8a390772dd41da618f981")
#: How many findings on each cohort use the new ``met-later-return`` wording.
COHORT_MAPPED = 245
COHORT2_MAPPED = 34
#: How many ``return-conversation-72h`` findings on each cohort are now ``declined``
#: (``not_applicable``, was ``met``/``declined``) and ``declined-late`` (still
#: ``breached``, was ``late``).
COHORT_DECLINED = (1175, 18)
COHORT2_DECLINED = (251, 2)
#: The new rule's findings on each cohort: count per outcome, and their digest.
#: (They read the lens's indicator cues: a change to ``analysis/cues/en.toml``'s
#: ``[[indicator]]`` entries changes them, deliberately.)
COHORT_SCREENING = (
    {"not_applicable": 7068, "met": 1032, "pending": 828},
    "9ecea8db8f32497e58c5a8d20f690950a4094b4e1d754f63fdf0aeef3a28c7e5",
)
COHORT2_SCREENING = (
    {"pending": 155, "met": 208, "not_applicable": 1391},
    "a8d61b64f1e94960c1e5611dc19848c703a1e8434faf14c191eeb546a7b36022",
)

#: Issue 22: how many findings on each cohort say a conversation held in time was
#: recorded after it was due (mapped back to ``met``), and the regulation 36 rule's
#: findings (count per outcome, and their digest): unconfigured on the first cohort,
#: with a two-day timescale on the second.
COHORT_RECORDED_LATER = 460
COHORT2_RECORDED_LATER = 98
COHORT_RECORDING = (
    {"insufficient_data": 3834},
    "4636572f3d56317c362cf9209a5a223a8b9cdb4caec263b6378711c9b587d28e",
)
#: (Changed once, when a lag of 4 to 6 whole days came to be said in days: 37 texts
#: read "recorded 5 days later" for "recorded 120 hours later", and nothing else.)
COHORT2_RECORDING = (
    {"met": 574, "insufficient_data": 96, "breached": 62},
    "43519c42089c8d52416716759208469366c1343f9ec92d4eb9b779b7a88157d0",
)

_NEW_KEY = ".met-later-return"
_RECORDED_LATER = ".met-recorded-later"
_SCREENING = "exploitation-screening-considered"
_RECORDING = "return-conversation-recorded"
#: The record as known now: every recording in the cohorts is before it.
_KNOWN_NOW = datetime(2100, 1, 1, tzinfo=UTC)
_R72 = "return-conversation-72h"
#: The ``declined`` message before issue 17 (the pack's data now says it does not apply).
_OLD_DECLINED = (
    "The child declined the return conversation for episode {episode_id} at {declined_at}, "
    "before it was due at {due}."
)


#: The templates of the messages issue 21 reworded, as they were.
_OLD_TEMPLATES = {
    "placing-authority-notified.met": (
        "Episode {episode_id}: {recipient} notified at {notified_at}."
    ),
    "placing-authority-notified.not-notified": (
        "Episode {episode_id}: no notification to {recipient} was recorded before the episode "
        "ended."
    ),
    "placing-authority-notified.pending": "Episode {episode_id}: notify {recipient}.",
}
_RECIPIENT_CODES = {c.display: c.code for c in NOTIFICATION_RECIPIENTS.concepts}
_INDICATOR_CODES = {c.display: c.code for c in EXPLOITATION_INDICATORS.concepts}


def _old_value(value: ParamValue) -> str:
    """A parameter as the renderer wrote it before issue 21."""
    if isinstance(value, datetime):
        return format_instant(value)
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        if seconds % 86400 == 0 and seconds >= 7 * 86400:
            days = seconds // 86400
            return f"{days} day{'s' if days != 1 else ''}"
        if seconds % 3600 == 0:
            hours = seconds // 3600
            return f"{hours} hour{'s' if hours != 1 else ''}"
        return f"{seconds // 60} minutes"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _old_render(template: str, params: dict[str, ParamValue]) -> str:
    return template.format_map({k: _old_value(v) for k, v in params.items()})


def _old_params(f: Finding) -> dict[str, ParamValue]:
    """The parameters with codes where issue 21 put labels."""
    params = dict(f.params)
    if isinstance(params.get("recipient"), str):
        params["recipient"] = _RECIPIENT_CODES[str(params["recipient"])]
    if f.rule.code == "return-conversation-topics" and "missing" in params:
        params["missing"] = str(params["missing"]).replace(" ", "_").replace(",_", ", ")
    if f.rule.code == _SCREENING and "indicators" in params:
        labels = str(params["indicators"]).split("; ")
        params["indicators"] = ", ".join(_INDICATOR_CODES[label] for label in labels)
    return params


def _old_text(pack: RulePack, f: Finding) -> Finding:
    """``f`` with its parameters and text as the renderer wrote them before issue 21."""
    params = _old_params(f)
    key = f.message_id.split(".", 1)[1]
    template = _OLD_TEMPLATES.get(key) or pack.rule(f.rule.code).template(key.split(".", 1)[1])
    return attrs.evolve(f, params=params, text=_old_render(template, params))


def _old_declined(pack: RulePack, f: Finding) -> Finding:
    """A ``declined`` finding of the held-within rule as the pack wrote it before issue 17."""
    params = dict(f.params)
    at, due = params.pop("declined_at"), f.due
    assert isinstance(at, datetime)
    assert due is not None
    stem = f.message_id.rsplit(".", 1)[0]
    if at <= due:
        old = {**params, "declined_at": at, "due": due}
        text = _old_render(_OLD_DECLINED, old)
        return attrs.evolve(f, outcome=Outcome.MET, params=old, text=text)
    old = {**params, "due": due, "held_at": at}
    text = _old_render(pack.rule(_R72).template("late"), old)
    return attrs.evolve(
        f, outcome=Outcome.BREACHED, message_id=stem + ".late", params=old, text=text
    )


def _old_form(pack: RulePack, f: Finding) -> tuple[Finding, bool]:
    """The finding as the pack wrote it before the rewrite; whether it had to be mapped."""
    if f.rule.edition == "2017-02":
        f = attrs.evolve(f, rule=attrs.evolve(f.rule, edition="2015-04"))
    if f.rule.code == _R72 and f.message_id.endswith((".declined", ".declined-late")):
        return _old_declined(pack, f), False
    if f.message_id.endswith(_RECORDED_LATER):  # issue 22: the old form is plain "met"
        params = {k: v for k, v in f.params if k not in {"recorded_at", "recorded_after"}}
        stem = f.message_id.removesuffix(_RECORDED_LATER)
        return _old_text(pack, attrs.evolve(f, message_id=stem + ".met", params=params)), False
    if not f.message_id.endswith(_NEW_KEY):
        return _old_text(pack, f), False
    params = {k: v for k, v in f.params if k != "clock_episode_id"}
    text = _old_render(pack.rule(f.rule.code).template("met"), params)
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


@attrs.frozen
class _Tally:
    n: int
    digest: str
    mapped: int
    declined: tuple[int, int]
    screening: tuple[dict[str, int], str]
    recorded_later: int = 0
    recording: tuple[dict[str, int], str] = ({}, "")


def _digest(cohort: Cohort, pack: RulePack, instants: tuple[datetime, ...]) -> _Tally:
    h, new, rec = hashlib.sha256(), hashlib.sha256(), hashlib.sha256()
    n = mapped = declined_met = declined_late = recorded_later = 0
    outcomes: dict[str, int] = {}
    recording: dict[str, int] = {}
    for case in cohort:
        for as_of in instants:
            for f in evaluate(case, pack=pack, as_of=as_of, known_at=_KNOWN_NOW).findings:
                if f.rule.code == _SCREENING:
                    outcomes[f.outcome.value] = outcomes.get(f.outcome.value, 0) + 1
                    new.update(_canon(_old_text(pack, f)).encode() + b"\n")
                    continue
                if f.rule.code == _RECORDING:
                    recording[f.outcome.value] = recording.get(f.outcome.value, 0) + 1
                    rec.update(_canon(f).encode() + b"\n")
                    continue
                recorded_later += f.message_id.endswith(_RECORDED_LATER)
                old, was_mapped = _old_form(pack, f)
                mapped += was_mapped
                if f.rule.code == _R72:
                    declined_met += f.message_id.endswith(".declined")
                    declined_late += f.message_id.endswith(".declined-late")
                h.update(_canon(old).encode())
                h.update(b"\n")
                n += 1
    return _Tally(
        n,
        h.hexdigest(),
        mapped,
        (declined_met, declined_late),
        (outcomes, new.hexdigest()),
        recorded_later,
        (recording, rec.hexdigest()),
    )


def test_the_england_pack_finds_what_it_found_before_on_2000_children() -> None:
    t = _digest(
        Cohort(children=2000, seed=2026),
        PACK,
        (datetime(2025, 10, 1, 9, tzinfo=UTC), datetime(2026, 4, 1, 9, tzinfo=UTC)),
    )
    assert (t.n, t.digest) == COHORT_DIGEST
    assert t.mapped == COHORT_MAPPED
    assert t.declined == COHORT_DECLINED
    assert t.screening == COHORT_SCREENING
    assert t.recorded_later == COHORT_RECORDED_LATER
    assert t.recording == COHORT_RECORDING


def test_a_configured_england_pack_finds_what_it_found_before_across_zones() -> None:
    pack = PACK.configure(
        repeat_missing_threshold=2,
        strategy_meeting_within=timedelta(days=3),
        return_conversation_recorded_within=timedelta(days=2),
    )
    t = _digest(
        Cohort(
            children=400,
            seed=11,
            zones=("Europe/London", "America/New_York", "Australia/Sydney"),
            children_per_home=2,
        ),
        pack,
        (datetime(2025, 10, 26, 1, 30, tzinfo=UTC), datetime(2026, 4, 1, 9, tzinfo=UTC)),
    )
    assert (t.n, t.digest) == COHORT2_DIGEST
    assert t.mapped == COHORT2_MAPPED
    assert t.declined == COHORT2_DECLINED
    assert t.screening == COHORT2_SCREENING
    assert t.recorded_later == COHORT2_RECORDED_LATER
    assert t.recording == COHORT2_RECORDING
