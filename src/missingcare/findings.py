"""Findings: what a rule found about a case file, as values (a breach is data, not an error).

A :class:`Finding` says exactly what (a message id with parameters, and the
English text rendered from them), why (the rule, its strength and its
sources), by when (the due instant, and the observed one where something was
done) and on what evidence (paths into the case file).  An
:class:`Evaluation` holds the findings of one evaluation in a deterministic
order, with helpers for the questions people ask of it: what is breached,
what is due before 09:00 tomorrow, what did rule X find.

Missing data is never read as compliance: a rule that cannot decide says
:attr:`Outcome.INSUFFICIENT_DATA`.

>>> from datetime import datetime, UTC
>>> ref = RuleRef("GB-ENG", "2015-04", "return-conversation-72h")
>>> f = Finding(
...     rule=ref,
...     outcome=Outcome.PENDING,
...     severity=Severity.WARNING,
...     strength=Strength.STATUTORY_GUIDANCE,
...     subject="$.episodes[0]",
...     message_id="gb-eng.return-conversation-72h.pending",
...     params=(("due", datetime(2026, 10, 27, 21, tzinfo=UTC)),),
...     text="Return conversation due by 21:00 on Tue 27 October 2026 (GMT).",
...     due=datetime(2026, 10, 27, 21, tzinfo=UTC),
...     zone="Europe/London",
... )
>>> f.is_outstanding
True
>>> str(f.rule)
'GB-ENG/2015-04/return-conversation-72h'
"""

from __future__ import annotations

import enum
import functools
import re
import string
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta

import attrs

from missingcare import _fields
from missingcare.time import computed_instant, format_duration, format_local, instant

__all__ = [
    "Evaluation",
    "Finding",
    "Outcome",
    "ParamValue",
    "RuleRef",
    "Severity",
    "Strength",
    "render_message",
    "template_fields",
]

#: The types a message parameter may take. Free text from the case (the
#: child's words, notes) is never a parameter.
ParamValue = _fields.ParamValue


class Outcome(enum.Enum):
    """What a rule found for one subject (an episode, a conversation, the child)."""

    #: The expectation was met.
    MET = "met"
    #: The expectation was not met (or met too late).
    BREACHED = "breached"
    #: Not yet due: something is still to be done, by ``due`` when there is a deadline.
    PENDING = "pending"
    #: The rule does not apply to this subject (yet).
    NOT_APPLICABLE = "not_applicable"
    #: The record lacks a fact the rule needs; never read as compliance.
    INSUFFICIENT_DATA = "insufficient_data"


class Severity(enum.Enum):
    """How much a finding asks of the reader, from a note to a serious failing.

    ``PROMPT`` is for judgement calls the library must not assert as breaches
    (for example "consider notifying Ofsted under regulation 40(4)").
    """

    INFO = "info"
    PROMPT = "prompt"
    WARNING = "warning"
    SERIOUS = "serious"

    @property
    def rank(self) -> int:
        """0 for ``INFO`` up to 3 for ``SERIOUS``, for sorting and thresholds."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 0, Severity.PROMPT: 1, Severity.WARNING: 2, Severity.SERIOUS: 3}


class Strength(enum.Enum):
    """On whose authority an expectation rests (domain research §9 "strength")."""

    #: Primary or secondary legislation ("must"): statute or regulation.
    REGULATION = "regulation"
    #: Statutory guidance ("should"), e.g. DfE 2014 guidance issued under s7 LASSA 1970.
    STATUTORY_GUIDANCE = "statutory_guidance"
    #: A statutory data return's specification (SSDA903 validation rules).
    RETURN_SPECIFICATION = "return_specification"
    #: Police authorised professional practice.
    POLICE_PRACTICE = "police_practice"
    #: A public agency's own procedure or policy manual, or a national protocol between
    #: agencies (a US state's child-welfare manual, Victoria's Child Protection Manual,
    #: the Tusla–Garda protocol): binding on its staff, but not legislation.
    AGENCY_POLICY = "agency_policy"
    #: A local protocol or policy (thresholds differ between authorities).
    LOCAL_PRACTICE = "local_practice"
    #: Good practice from research and practice guidance, not a duty.
    GOOD_PRACTICE = "good_practice"


_PACK = r"[A-Z]{2}(-[A-Z0-9]{1,3})?"
_CODE = r"[a-z0-9][a-z0-9_.-]{0,63}"
_PACK_HELP = "an ISO 3166-1 or 3166-2 code such as 'GB-ENG'"
_CODE_HELP = "a code of 1-64 characters: lower-case letters, digits, '_', '.', '-'"


@attrs.frozen(order=True)
class RuleRef:
    """A stable, machine-readable reference to a rule: pack code, edition, rule code."""

    pack: str = attrs.field(**_fields.code(_PACK, "Pack", _PACK_HELP))
    edition: str = attrs.field(**_fields.code(_CODE, "Edition", _CODE_HELP))
    code: str = attrs.field(**_fields.code(_CODE, "Rule", _CODE_HELP))

    def __str__(self) -> str:
        return f"{self.pack}/{self.edition}/{self.code}"


def _format_value(value: ParamValue, zone: str | None) -> str:
    if isinstance(value, datetime):
        return format_local(value, zone)
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


class _PeopleFormatter(string.Formatter):
    """Formats message parameters for people: instants on the zone's wall clock, plurals.

    A field's format spec ``one/many`` writes the count and the right noun:
    ``{count:time/times}`` gives ``1 time`` or ``3 times``.
    """

    def __init__(self, zone: str | None) -> None:
        super().__init__()
        self.zone = zone

    def format_field(self, value: object, format_spec: str) -> str:
        if "/" in format_spec:
            one, many = format_spec.split("/", 1)
            if isinstance(value, int) and not isinstance(value, bool):
                return _plural(value, one, many)
            return f"{value} {many}"
        if isinstance(value, (str, int, bool, datetime, timedelta)):
            value = _format_value(value, self.zone)
        return format(value, format_spec)


#: One formatter per zone serves every message.
_formatter = functools.lru_cache(maxsize=256)(_PeopleFormatter)


def template_fields(template: str) -> frozenset[str]:
    """The names of the ``{placeholders}`` in an English message template."""
    return frozenset(
        name for _, name, _, _ in string.Formatter().parse(template) if name is not None
    )


#: A pack has a few dozen templates, each rendered once per finding.
_cached_template_fields = functools.lru_cache(maxsize=1024)(template_fields)

#: A template's pieces: literal text, then a placeholder's name and format spec
#: (the name ``None`` after the last literal).
_Pieces = tuple[tuple[str, str | None, str], ...]


@functools.lru_cache(maxsize=1024)
def _pieces(template: str) -> _Pieces | None:
    """``template`` parsed once, as :meth:`string.Formatter.vformat` parses it on every call;
    ``None`` when it uses more than plain ``{name}`` / ``{name:spec}`` placeholders
    (a conversion, an attribute or index, a nested spec): those go through ``vformat``."""
    out = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        if name is not None and (
            conversion is not None or not name.isidentifier() or "{" in (spec or "")
        ):
            return None
        out.append((literal, name, spec or ""))
    return tuple(out)


def render_message(
    template: str,
    params: Mapping[str, ParamValue],
    *,
    zone: str | None = None,
    strict: bool = True,
) -> str:
    """Render an English template from parameters, for people.

    Instants are written on the wall clock of ``zone`` (the placement's IANA
    zone) with its abbreviation, by :func:`~missingcare.time.format_local`;
    with no zone, in UTC, saying so. Lengths of time are words (``72 hours``),
    and a count with the format spec ``one/many`` takes the right noun
    (``{count:time/times}``: ``1 time``, ``3 times``). Machines read the
    parameters, where instants stay RFC 3339 UTC on the wire.

    Raises :class:`KeyError` if a placeholder has no parameter, and (when
    ``strict``, as for findings) :class:`ValueError` if a parameter is not used
    by the template.

    >>> render_message("{count} episodes in {window}", {"count": 3, "window": timedelta(days=30)})
    '3 episodes in 30 days'
    >>> render_message("Mentioned {count:time/times}.", {"count": 1})
    'Mentioned 1 time.'
    >>> from datetime import UTC
    >>> render_message("Due by {due}.", {"due": datetime(2026, 10, 27, 21, tzinfo=UTC)},
    ...                zone="Europe/London")
    'Due by 21:00 on Tue 27 October 2026 (GMT).'
    """
    fields = _cached_template_fields(template)
    if strict:
        unused = set(params) - fields
        if unused:
            raise ValueError("parameters not used by the template: " + ", ".join(sorted(unused)))
    missing = fields - set(params)
    if missing:
        raise KeyError("template placeholders without parameters: " + ", ".join(sorted(missing)))
    formatter = _formatter(zone)
    pieces = _pieces(template)
    if pieces is None:
        return formatter.vformat(template, (), params)
    # the same text as vformat (tests/test_findings.py compares them), without re-parsing
    format_field = formatter.format_field
    return "".join(
        [
            literal if name is None else literal + format_field(params[name], spec)
            for literal, name, spec in pieces
        ]
    )


@attrs.frozen
class Finding:
    """One thing a rule found, with what, why, by when and on what evidence.

    ``subject`` is the path of the record the finding is about
    (``$.episodes[2]``); ``evidence`` the paths of the facts it rests on.
    ``message_id`` and ``params`` let embedders translate; ``text`` is the
    English rendering. ``due`` is when something is or was due, ``observed``
    when it was done (if it was). ``episode_id`` and ``conversation_id`` name
    the records concerned so a task list can link to them. ``zone`` is the
    placement's IANA zone the text shows instants in (``None``: UTC); show
    ``due`` and ``observed`` to people with
    :func:`~missingcare.time.format_local` in it.
    """

    rule: RuleRef = attrs.field(**_fields.nested(RuleRef, "Rule", "The rule that found this."))
    outcome: Outcome = attrs.field(
        **_fields.choice(Outcome, "Outcome", "What the rule found for the subject.")
    )
    severity: Severity = attrs.field(
        **_fields.choice(Severity, "Severity", "How much the finding asks of the reader.")
    )
    strength: Strength = attrs.field(
        **_fields.choice(Strength, "Strength", "On whose authority the expectation rests.")
    )
    subject: str = attrs.field(
        **_fields.ident("Subject", "The path of the record the finding is about.")
    )
    message_id: str = attrs.field(
        **_fields.ident("Message", "The message's stable id, for translation.")
    )
    text: str = attrs.field(**_fields.text("Text", "The message rendered in English."))
    params: tuple[tuple[str, ParamValue], ...] = attrs.field(
        default=(),
        converter=_fields.to_params,
        metadata={
            _fields.KIND: _fields.FieldKind(
                "param", "Parameters", "The values the message is rendered from.", many=True
            )
        },
    )
    due: datetime | None = _fields.computed_at("Due", "When it is or was due.")
    observed: datetime | None = _fields.computed_at("Observed", "When it was done, if it was.")
    evidence: tuple[str, ...] = _fields.many(
        str, "Evidence", "The paths of the facts it rests on.", unique=True
    )
    episode_id: str | None = _fields.optional_ident("Episode", "The episode concerned.")
    conversation_id: str | None = _fields.optional_ident(
        "Conversation", "The return conversation concerned."
    )
    zone: str | None = _fields.optional_zone(
        "Time zone", "The IANA zone the text shows instants in (absent: UTC)."
    )

    @property
    def parameters(self) -> dict[str, ParamValue]:
        """The message parameters as a (fresh) dict."""
        return dict(self.params)

    @property
    def is_outstanding(self) -> bool:
        """Whether something is still to be done: pending, or breached with nothing done yet."""
        return self.outcome is Outcome.PENDING or (
            self.outcome is Outcome.BREACHED and self.observed is None
        )

    @property
    def sort_key(self) -> tuple[object, ...]:
        """The key that gives findings their deterministic order."""
        return (
            self.due is None,
            self.due or _EPOCH,
            _natural(self.subject),
            self.rule.pack,
            self.rule.edition,
            _natural(self.rule.code),
            self.message_id,
            repr(self.params),
            self.outcome.value,
        )


_EPOCH = instant(datetime.fromisoformat("1970-01-01T00:00:00+00:00"))


_DIGIT_RUNS = re.compile(r"(\d+)")


@functools.lru_cache(maxsize=1 << 12)
def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    # cached: a case file's findings share a few subjects and rule codes
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in _DIGIT_RUNS.split(text) if part
    )


@attrs.frozen
class Evaluation:
    """The findings of one evaluation of one case file against one pack edition.

    Findings are ordered deterministically: by due instant (undated last),
    then subject, then rule, so the same input always gives the same
    sequence and task lists come out in due order. ``known_at`` is set when
    the case was read as known at another instant than ``as_of`` (only what
    had been recorded by then; see :func:`~missingcare.rules.evaluate`), and
    absent when the two are the same.
    """

    pack: str = attrs.field(**_fields.code(_PACK, "Pack", _PACK_HELP))
    edition: str = attrs.field(**_fields.code(_CODE, "Edition", _CODE_HELP))
    as_of: datetime = attrs.field(**_fields.at("As of", "The instant the case was evaluated at."))
    child_id: str = attrs.field(**_fields.ident("Child", "The id of the child evaluated."))
    findings: tuple[Finding, ...] = _fields.many(
        Finding, "Findings", "What the rules found, in due order.", ordered_by="sort_key"
    )
    known_at: datetime | None = _fields.optional_at(
        "Known at",
        "Only what had been recorded by this instant was read (absent: as of the evaluation).",
    )

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def with_outcome(self, *outcomes: Outcome) -> tuple[Finding, ...]:
        """The findings with any of the given outcomes."""
        return tuple(f for f in self.findings if f.outcome in outcomes)

    def breaches(self) -> tuple[Finding, ...]:
        """The findings whose outcome is :attr:`Outcome.BREACHED`."""
        return self.with_outcome(Outcome.BREACHED)

    def pending(self) -> tuple[Finding, ...]:
        """The findings whose outcome is :attr:`Outcome.PENDING`."""
        return self.with_outcome(Outcome.PENDING)

    def outstanding(self) -> tuple[Finding, ...]:
        """What is still to be done: pending, or breached with nothing done yet."""
        return tuple(f for f in self.findings if f.is_outstanding)

    def due_before(self, when: datetime, *, outstanding_only: bool = True) -> tuple[Finding, ...]:
        """Findings due strictly before ``when``, in due order: a task list's "due and overdue".

        By default only outstanding findings (pending, or breached with
        nothing done) are returned; pass ``outstanding_only=False`` for all.
        """
        limit = computed_instant(when)
        return tuple(
            f
            for f in self.findings
            if f.due is not None and f.due < limit and (f.is_outstanding or not outstanding_only)
        )

    def by_rule(self, code: str) -> tuple[Finding, ...]:
        """The findings of the rule with ``code``."""
        return tuple(f for f in self.findings if f.rule.code == code)

    def for_episode(self, episode_id: str) -> tuple[Finding, ...]:
        """The findings about the episode with ``episode_id``."""
        return tuple(f for f in self.findings if f.episode_id == episode_id)

    def counts(self) -> dict[Outcome, int]:
        """How many findings there are of each outcome (every outcome present as a key)."""
        out = dict.fromkeys(Outcome, 0)
        for f in self.findings:
            out[f.outcome] += 1
        return out
