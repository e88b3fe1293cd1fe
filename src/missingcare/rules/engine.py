"""The rule engine: rules, their context, editions, parameters, sources and packs.

A :class:`Rule` is a value: a code, a title, its strength and severity, the
sources it rests on, its English message templates, and a plain callable
``check(case, ctx)`` that yields :class:`~missingcare.findings.Finding`
values. :func:`rule` is decorator sugar that builds one from a function; the
building blocks a check is written with are in :mod:`missingcare.rules.kit`.

A :class:`RulePack` is a jurisdiction's rules, keyed by ISO 3166-2 code
(``GB-ENG``), with dated :class:`Edition` values each declared as the
previous edition plus some rules minus some codes, and typed local
:class:`Parameter` values (a local authority's repeat-missing threshold, who
must be notified) supplied as configuration: ``pack.configure(**params)``
returns the same pack configured; ``pack.derive(code=..., add=..., remove=...)``
a local variant under its own code. No code is edited or copied.

Packs are found through :mod:`missingcare.rules.registry`, and evaluated by
:func:`missingcare.rules.evaluate`.
"""

from __future__ import annotations

import enum
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

import attrs

from missingcare._editions import compose_editions
from missingcare.exceptions import InvalidPackError, PackNotConfiguredError, UnknownEditionError
from missingcare.findings import (
    Finding,
    Outcome,
    ParamValue,
    RuleRef,
    Severity,
    Strength,
    render_message,
)
from missingcare.time import check_zone
from missingcare.typing import Deadline, RuleCheck
from missingcare.vocab import Vocabulary

__all__ = [
    "Edition",
    "Parameter",
    "Rule",
    "RuleContext",
    "RulePack",
    "Source",
    "rule",
]

_CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_PACK_CODE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
_PARAM = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


# --- sources and parameters ---------------------------------------------------


def _nonempty(_inst: object, attr: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidPackError(f"{attr.name} must be non-empty text")


@attrs.frozen
class Source:
    """A source an expectation rests on: a key into the domain research, a title and a URL.

    ``locator`` points inside it (``reg 40(4)(a)``, ``"Independent return interviews"``).
    """

    key: str = attrs.field(validator=_nonempty)
    title: str = attrs.field(validator=_nonempty)
    url: str = attrs.field(validator=_nonempty)
    locator: str | None = None


def _to_sources(value: Iterable[Source]) -> tuple[Source, ...]:
    out = tuple(value)
    if not all(isinstance(s, Source) for s in out):
        raise InvalidPackError("a rule's sources are Source values")
    return out


_UNSET: Any = object()


def _check_param_name(_inst: object, _attr: object, value: str) -> None:
    if not isinstance(value, str) or not _PARAM.match(value):
        raise InvalidPackError("a parameter name is a Python identifier in lower case")


@attrs.frozen
class Parameter:
    """A typed local parameter of a pack, with its default and what it means.

    ``kind`` is the value's type (``int``, ``timedelta``, ``bool``, ``str`` or
    ``tuple``); ``item_kind`` the type of a tuple's items; ``optional`` allows
    ``None`` (meaning "not set"); ``minimum`` bounds numbers and durations;
    ``sources`` cite where a default (or the choice it makes) comes from. An
    ``enum.Enum`` kind declares a choice among named policies.
    """

    name: str = attrs.field(validator=_check_param_name)
    kind: type = attrs.field()
    default: Any = attrs.field()
    description: str = attrs.field(validator=_nonempty)
    minimum: Any = None
    item_kind: type | None = None
    optional: bool = False
    sources: tuple[Source, ...] = attrs.field(default=(), converter=_to_sources)

    def __attrs_post_init__(self) -> None:
        self.validate(self.default)

    def validate(self, value: object) -> Any:
        """Return ``value`` if it is valid for this parameter, else raise :class:`InvalidPackError`.

        The message names the parameter and the expected type, never the value.
        """
        if value is None:
            if self.optional:
                return None
            raise InvalidPackError(f"parameter {self.name!r} is required")
        exact = self.kind in (int, bool)
        ok = type(value) is self.kind if exact else isinstance(value, self.kind)
        if not ok:
            raise InvalidPackError(
                f"parameter {self.name!r} expects a value of type {self.kind.__name__}"
            )
        if self.item_kind is not None and isinstance(value, tuple):
            for item in value:
                if not isinstance(item, self.item_kind):
                    raise InvalidPackError(
                        f"parameter {self.name!r} expects items of type {self.item_kind.__name__}"
                    )
        if self.minimum is not None and value < self.minimum:
            raise InvalidPackError(f"parameter {self.name!r} is below its minimum")
        return value


# --- rules ----------------------------------------------------------------------


def _check_rule_code(_inst: object, _attr: object, value: str) -> None:
    if not isinstance(value, str) or not _CODE.match(value):
        raise InvalidPackError(
            "a rule code is 1-64 characters: lower-case letters, digits, '_', '.', '-'"
        )


def _to_messages(
    value: Mapping[str, str] | Iterable[tuple[str, str]],
) -> tuple[tuple[str, str], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    out = tuple(sorted((str(k), str(v)) for k, v in items))
    for key, _ in out:
        if not _CODE.match(key):
            raise InvalidPackError("a message key is a lower-case code such as 'breached'")
    if len({k for k, _ in out}) != len(out):
        raise InvalidPackError("message keys must be unique within a rule")
    return out


def _to_names(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise InvalidPackError("expected a collection of names, not one string")
    return tuple(value)


class Duty(enum.Enum):
    """The kind of duty a rule checks, so packs can be compared duty by duty.

    The comparison of jurisdictions (``docs/reference/jurisdictions.md``) has a
    row per duty and a column per pack.
    """

    #: Report the child missing to police or law enforcement.
    REPORT = "report"
    #: Tell someone other than police (the placing authority, a department, NCMEC, a court).
    NOTIFY = "notify"
    #: Offer (or arrange) the conversation after the return.
    CONVERSATION_OFFERED = "conversation_offered"
    #: Hold the conversation after the return.
    CONVERSATION_HELD = "conversation_held"
    #: Who holds the conversation (independent, chosen by the child, named in a plan).
    CONVERSATION_HOLDER = "conversation_holder"
    #: What the conversation covers or what is done with what it found.
    CONVERSATION_CONTENT = "conversation_content"
    #: A response when a child goes missing repeatedly (a threshold of episodes).
    REPEAT_THRESHOLD = "repeat_threshold"
    #: A profile kept ready for police (Philomena Part 1, the Child Information Form).
    PROFILE = "profile"
    #: Screening for exploitation or trafficking after a return.
    SCREENING = "screening"
    #: A plan agreed beforehand (an absence plan, a response plan, "not at home").
    PLAN = "plan"
    #: Searching for the child or keeping in contact with those who may know.
    SEARCH = "search"
    #: Keeping the record: what was done is on the child's case record in time.
    RECORD = "record"
    #: The investigative lens: what came before, the trusted adult, the response on return.
    LENS = "lens"


def _check_deadline(_inst: object, _attr: object, value: Deadline | None) -> None:
    if value is not None and not isinstance(value, Deadline):
        raise InvalidPackError(
            "a rule's deadline is a Deadline (ElapsedDeadline, CalendarDeadline)"
        )


@attrs.frozen
class Rule:
    """One expectation: its code, title, authority, sources, messages and check.

    ``messages`` maps a message key (``met``, ``breached``, ``pending``…) to
    an English template with ``{named}`` placeholders; findings carry the
    message id ``<pack>.<rule code>.<key>`` and the parameters, so embedders
    can translate. ``parameters`` names the pack parameters the check reads,
    and ``fields`` the model fields it reads (``"MissingEpisode.returned_at"``),
    so a form can say which rules use a field; ``duty`` the kind of duty it
    checks (:class:`Duty`), for comparing packs; ``deadline`` the time limit the
    source fixes, when it is not a pack parameter (the rule's check reads it, so
    it is said once).
    """

    code: str = attrs.field(validator=_check_rule_code)
    title: str = attrs.field(validator=_nonempty)
    check: RuleCheck = attrs.field(eq=False, repr=False)
    strength: Strength = attrs.field(validator=attrs.validators.instance_of(Strength))
    severity: Severity = attrs.field(validator=attrs.validators.instance_of(Severity))
    sources: tuple[Source, ...] = attrs.field(converter=_to_sources)
    messages: tuple[tuple[str, str], ...] = attrs.field(converter=_to_messages)
    parameters: tuple[str, ...] = attrs.field(default=(), converter=_to_names)
    description: str = ""
    applies_to: str = "episode"
    fields: tuple[str, ...] = attrs.field(default=(), converter=_to_names)
    duty: Duty | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(Duty))
    )
    deadline: Deadline | None = attrs.field(default=None, validator=_check_deadline)
    _templates: Mapping[str, str] = attrs.field(
        init=False, repr=False, eq=False, hash=False, alias="_templates"
    )

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_templates", dict(self.messages))

    def template(self, key: str) -> str:
        """The English template of the message ``key``."""
        try:
            return self._templates[key]
        except KeyError:
            raise KeyError(f"rule {self.code!r} has no message {key!r}") from None

    def has_message(self, key: str) -> bool:
        """Whether the rule declares the message ``key``."""
        return key in self._templates


def rule(
    code: str,
    *,
    title: str,
    strength: Strength,
    severity: Severity,
    sources: Iterable[Source],
    messages: Mapping[str, str],
    parameters: Iterable[str] = (),
    applies_to: str = "episode",
    fields: Iterable[str] = (),
    duty: Duty | None = None,
    deadline: Deadline | None = None,
) -> Callable[[RuleCheck], Rule]:
    """Decorator sugar: turn a check function into a :class:`Rule` (its docstring the description).

    >>> @rule("always-met", title="Always met", strength=Strength.GOOD_PRACTICE,
    ...       severity=Severity.INFO, sources=[Source("X", "A source", "https://example.invalid")],
    ...       messages={"met": "Met."})
    ... def always_met(case, ctx):
    ...     "Says yes."
    ...     yield ctx.finding("met", Outcome.MET, subject="$")
    >>> always_met.code, always_met.description
    ('always-met', 'Says yes.')
    """

    def build(check: RuleCheck) -> Rule:
        doc = (getattr(check, "__doc__", None) or "").strip()
        return Rule(
            code=code,
            title=title,
            check=check,
            strength=strength,
            severity=severity,
            sources=tuple(sources),
            messages=messages,
            parameters=tuple(parameters),
            description=doc,
            applies_to=applies_to,
            fields=tuple(fields),
            duty=duty,
            deadline=deadline,
        )

    return build


@attrs.frozen
class RuleContext:
    """What a rule's check is given besides the case: the instant, the settings, a finding builder.

    ``as_of`` is "now": facts recorded after it are not yet known, and a
    check must not read the system clock. ``zone`` is the zone a finding's
    text shows instants in when its subject has none of its own (the child):
    the placement's, else the pack's, else ``None`` (UTC); ``episode_zones``
    the zone of each episode by id, for a record that covers episodes (a
    return conversation).
    """

    rule: Rule
    ref: RuleRef
    as_of: datetime
    settings: Mapping[str, Any] = attrs.field(eq=False)
    zone: str | None = None
    episode_zones: Mapping[str, str] = attrs.field(factory=dict, eq=False, repr=False)

    def zone_of(self, episode_ids: Iterable[str]) -> str | None:
        """The zone of the first of ``episode_ids`` that is known, else :attr:`zone`."""
        for eid in episode_ids:
            zone = self.episode_zones.get(eid)
            if zone is not None:
                return zone
        return self.zone

    def param(self, name: str) -> Any:
        """The configured value of the pack parameter ``name``."""
        if name not in self.rule.parameters:
            raise InvalidPackError(f"rule {self.rule.code!r} does not declare parameter {name!r}")
        return self.settings[name]

    def finding(
        self,
        key: str,
        outcome: Outcome,
        *,
        subject: str,
        params: Mapping[str, ParamValue] | None = None,
        due: datetime | None = None,
        observed: datetime | None = None,
        evidence: Iterable[str] = (),
        episode_id: str | None = None,
        conversation_id: str | None = None,
        severity: Severity | None = None,
        zone: str | None = None,
    ) -> Finding:
        """Build a finding of this rule, rendering the message ``key`` from ``params``.

        Instants in the text are shown in ``zone`` (the subject's placement's),
        else in the context's :attr:`zone`.
        """
        values = dict(params or {})
        zone = self.zone if zone is None else zone
        return Finding(
            rule=self.ref,
            outcome=outcome,
            severity=self.rule.severity if severity is None else severity,
            strength=self.rule.strength,
            subject=subject,
            message_id=f"{self.ref.pack.lower()}.{self.rule.code}.{key}",
            params=values,
            text=render_message(self.rule.template(key), values, zone=zone),
            due=due,
            observed=observed,
            evidence=tuple(dict.fromkeys(evidence)),  # each path once
            episode_id=episode_id,
            conversation_id=conversation_id,
            zone=zone,
        )


# --- editions and packs -----------------------------------------------------------


def _check_edition_name(_inst: object, _attr: object, value: str) -> None:
    if not isinstance(value, str) or not _CODE.match(value):
        raise InvalidPackError("an edition name is a lower-case code such as '2015-04'")


def _to_rules(value: Iterable[Rule]) -> tuple[Rule, ...]:
    out = tuple(value)
    if not all(isinstance(r, Rule) for r in out):
        raise InvalidPackError("an edition adds Rule values")
    return out


@attrs.frozen
class Edition:
    """A dated edition of a pack: the previous edition, plus ``add``, minus ``remove``.

    The first edition of a pack is its ``add`` rules. ``effective_to`` is the
    last day in force (inclusive); when ``None`` the edition runs until the
    next one starts. Dates are local dates in the pack's zone.
    """

    name: str = attrs.field(validator=_check_edition_name)
    effective_from: date = attrs.field(validator=attrs.validators.instance_of(date))
    effective_to: date | None = None
    add: tuple[Rule, ...] = attrs.field(default=(), converter=_to_rules)
    remove: tuple[str, ...] = attrs.field(default=(), converter=_to_names)
    sources: tuple[Source, ...] = attrs.field(default=(), converter=_to_sources)
    note: str = ""

    def __attrs_post_init__(self) -> None:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise InvalidPackError(f"edition {self.name!r} ends before it starts")


def _to_editions(value: Iterable[Edition]) -> tuple[Edition, ...]:
    out = tuple(value)
    if not out or not all(isinstance(e, Edition) for e in out):
        raise InvalidPackError("a pack needs at least one Edition")
    return out


def _to_parameters(value: Iterable[Parameter]) -> tuple[Parameter, ...]:
    out = tuple(value)
    if not all(isinstance(p, Parameter) for p in out):
        raise InvalidPackError("a pack's parameters are Parameter values")
    return out


def _to_settings(
    value: Mapping[str, Any] | Iterable[tuple[str, Any]],
) -> tuple[tuple[str, Any], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted(items, key=lambda kv: kv[0]))


def _to_vocabularies(value: Iterable[Vocabulary]) -> tuple[Vocabulary, ...]:
    out = tuple(value)
    if not all(isinstance(v, Vocabulary) for v in out):
        raise InvalidPackError("a pack's vocabularies are Vocabulary values")
    if len({v.name for v in out}) != len(out):
        raise InvalidPackError("a pack adds to each vocabulary once")
    return out


def _to_evidence(value: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    out = tuple((str(v), str(c)) for v, c in value)
    if len(set(out)) != len(out):
        raise InvalidPackError("a pack names each piece of evidence once")
    return out


def _check_pack_code(_inst: object, _attr: object, value: str) -> None:
    if not isinstance(value, str) or not _PACK_CODE.match(value):
        raise InvalidPackError("a pack code is an ISO 3166-1 or 3166-2 code such as 'GB-ENG'")


def _check_zone(_inst: object, _attr: object, value: str | None) -> None:
    if value is not None:
        check_zone(value, "$.zone")


@attrs.frozen
class RulePack:
    """A jurisdiction's rules: ISO 3166-2 code, aliases, dated editions, local parameters.

    ``settings`` holds configured parameter values (only those that differ
    from the defaults need appear); :meth:`configure` returns the pack with
    some set, and :meth:`derive` a local variant under its own code.
    ``vocabularies`` are the concepts the pack brings beyond the core
    vocabularies (each a :class:`~missingcare.vocab.Vocabulary` named after
    the core vocabulary it adds to, holding only the additions);
    :meth:`extended_vocabularies` gives them merged, for
    ``make_converter(vocabularies=...)``. ``derived_from`` is the code of the
    pack this one was derived from, if any. ``evidence`` names the concepts the
    rules look for as evidence that something was done, as ``(vocabulary, code)``
    pairs (``("notification_recipients", "ncmec")``, ``("context_categories",
    "strategy_meeting_held")``), so a form can offer them and the synthetic
    generator record them; a derived pack adds to its parent's.
    Editions are composed and checked when the pack is built: codes are
    unique in each edition, removals name rules that exist, and every
    parameter a rule reads is declared.
    """

    code: str = attrs.field(validator=_check_pack_code)
    name: str = attrs.field(validator=_nonempty)
    zone: str | None = attrs.field(validator=_check_zone)
    editions: tuple[Edition, ...] = attrs.field(converter=_to_editions)
    parameters: tuple[Parameter, ...] = attrs.field(default=(), converter=_to_parameters)
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_to_names)
    sources: tuple[Source, ...] = attrs.field(default=(), converter=_to_sources)
    settings: tuple[tuple[str, Any], ...] = attrs.field(default=(), converter=_to_settings)
    description: str = ""
    vocabularies: tuple[Vocabulary, ...] = attrs.field(default=(), converter=_to_vocabularies)
    derived_from: str | None = None
    evidence: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_to_evidence)
    _composed: Mapping[str, tuple[Rule, ...]] = attrs.field(
        init=False, repr=False, eq=False, hash=False, alias="_composed"
    )

    def __attrs_post_init__(self) -> None:
        composed = compose_editions(
            ((ed.name, ed.add, ed.remove) for ed in self.editions),
            code=operator.attrgetter("code"),
            error=InvalidPackError,
        )
        object.__setattr__(self, "_composed", composed)
        declared = {p.name for p in self.parameters}
        if len(declared) != len(self.parameters):
            raise InvalidPackError("parameter names must be unique")
        for rules in composed.values():
            for r in rules:
                for name in r.parameters:
                    if name not in declared:
                        raise InvalidPackError(
                            f"rule {r.code!r} reads parameter {name!r}, which the pack lacks"
                        )
        for name, value in self.settings:
            if name not in declared:
                raise InvalidPackError(f"{self.code} has no parameter {name!r}")
            self.parameter(name).validate(value)
        if len(set(self.aliases)) != len(self.aliases):
            raise InvalidPackError("aliases must be unique")

    # the zone
    def in_zone(self, zone: str) -> RulePack:
        """The pack with its zone set: the IANA zone whose local dates choose the edition.

        A pack whose jurisdiction spans zones (the US federal pack) has none and
        refuses to guess; give it the agency's zone.

        >>> from missingcare.packs.gb_eng import PACK
        >>> PACK.in_zone("Europe/London").zone
        'Europe/London'
        """
        return attrs.evolve(self, zone=check_zone(zone, "$.zone"))

    @property
    def local_zone(self) -> str:
        """The pack's zone; :class:`PackNotConfiguredError` when it has none yet."""
        if self.zone is None:
            raise PackNotConfiguredError(
                f"{self.code} spans several time zones and will not guess one: give it the "
                "agency's zone with pack.in_zone('America/Chicago') (or --zone on the CLI)"
            )
        return self.zone

    # editions
    @property
    def latest(self) -> Edition:
        """The most recent edition."""
        return self.editions[-1]

    def edition(self, name: str | None = None) -> Edition:
        """The edition called ``name`` (the latest when ``None``)."""
        if name is None:
            return self.latest
        for ed in self.editions:
            if ed.name == name:
                return ed
        raise UnknownEditionError(
            f"{self.code} has no edition {name!r}; editions: "
            + ", ".join(e.name for e in self.editions)
        )

    def edition_ends(self, edition: Edition) -> date | None:
        """The last day ``edition`` is in force: ``effective_to``, else the eve of the next."""
        if edition.effective_to is not None:
            return edition.effective_to
        later = [
            e.effective_from for e in self.editions if e.effective_from > edition.effective_from
        ]
        return min(later) - timedelta(days=1) if later else None

    def edition_on(self, day: date) -> Edition:
        """The edition in force on the local date ``day``."""
        candidates = [
            e
            for e in self.editions
            if e.effective_from <= day and ((end := self.edition_ends(e)) is None or day <= end)
        ]
        if not candidates:
            raise UnknownEditionError(f"{self.code} has no edition in force on that date")
        return max(candidates, key=lambda e: e.effective_from)

    def rules(self, edition: str | Edition | None = None) -> tuple[Rule, ...]:
        """The rules of an edition (the latest by default), in declaration order."""
        name = edition.name if isinstance(edition, Edition) else self.edition(edition).name
        return self._composed[name]

    def rule(self, code: str, edition: str | Edition | None = None) -> Rule:
        """The rule with ``code`` in an edition (the latest by default)."""
        for r in self.rules(edition):
            if r.code == code:
                return r
        raise KeyError(code)

    # parameters
    def parameter(self, name: str) -> Parameter:
        """The declared parameter ``name``."""
        for p in self.parameters:
            if p.name == name:
                return p
        raise InvalidPackError(
            f"{self.code} has no parameter {name!r}; parameters: "
            + ", ".join(p.name for p in self.parameters)
        )

    @property
    def effective_settings(self) -> dict[str, Any]:
        """Every parameter's value: configured, else its default."""
        values = {p.name: p.default for p in self.parameters}
        values.update(self.settings)
        return values

    def configure(self, **params: Any) -> RulePack:
        """A derived pack with parameters set (unknown names and wrong types are refused).

        >>> from missingcare.packs.gb_eng import PACK
        >>> local = PACK.configure(repeat_missing_threshold=4)
        >>> local.effective_settings["repeat_missing_threshold"]
        4
        """
        merged = dict(self.settings)
        for name, value in params.items():
            merged[name] = self.parameter(name).validate(value)
        return attrs.evolve(self, settings=merged)

    # vocabularies
    def extended_vocabularies(self) -> tuple[Vocabulary, ...]:
        """Each core vocabulary the pack adds to, with the pack's concepts appended.

        Concepts whose code the core vocabulary already has are skipped. Pass
        the result to ``make_converter(vocabularies=...)`` to read and write
        case files that use the pack's categories.

        >>> from missingcare.packs.gb_eng import PACK
        >>> (vocabulary,) = PACK.extended_vocabularies()
        >>> vocabulary.name, "strategy_meeting_held" in vocabulary.codes
        ('context_categories', True)
        """
        from missingcare.vocabularies import CORE  # noqa: PLC0415 - the large table, on demand

        out: list[Vocabulary] = []
        for added in self.vocabularies:
            core = CORE.get(added.name)
            if core is None:
                out.append(added)
                continue
            present = set(core.codes)
            out.append(core.extend(*(c for c in added.concepts if c.code not in present)))
        return tuple(out)

    # local variants
    def derive(
        self,
        *,
        code: str,
        name: str,
        add: Iterable[Rule] = (),
        remove: Iterable[str] = (),
        settings: Mapping[str, Any] | None = None,
        parameters: Iterable[Parameter] = (),
        sources: Iterable[Source] = (),
        vocabularies: Iterable[Vocabulary] = (),
        aliases: Iterable[str] = (),
        description: str | None = None,
        zone: str | None = None,
        evidence: Iterable[tuple[str, str]] = (),
    ) -> RulePack:
        """A local variant under its own code: this pack's rules, plus ``add``, minus ``remove``.

        The variant keeps every edition (names, dates, notes, sources) of this
        pack; in each, the codes in ``remove`` are left out and the rules in
        ``add`` are added from the first edition on. To replace a rule, name
        its code in ``remove`` and add the new rule with the same code.
        ``parameters`` declares new parameters (for the added rules);
        ``settings`` configures any parameter, this pack's or the new ones.
        The parent's aliases are not inherited (they name the parent).

        >>> from datetime import timedelta
        >>> from missingcare.packs.gb_eng import PACK
        >>> ours = PACK.derive(code="ZZ-LA", name="A local authority (synthetic)",
        ...                    remove=["trusted-adult-recorded"],
        ...                    settings={"repeat_missing_threshold": 2})
        >>> ours.code, ours.derived_from, len(ours.rules()), len(PACK.rules())
        ('ZZ-LA', 'GB-ENG', 12, 13)
        """
        added = _to_rules(add)
        dropped = set(_to_names(remove))
        known = {r.code for ed in self.editions for r in self._composed[ed.name]}
        for missing in sorted(dropped - known):
            raise InvalidPackError(f"{self.code} has no rule {missing!r} to remove")
        editions: list[Edition] = []
        for i, ed in enumerate(self.editions):
            keep = tuple(r for r in ed.add if r.code not in dropped)
            editions.append(
                attrs.evolve(
                    ed,
                    add=(*keep, *added) if i == 0 else keep,
                    remove=tuple(c for c in ed.remove if c not in dropped),
                )
            )
        merged_settings = dict(self.settings)
        derived = RulePack(
            code=code,
            name=name,
            zone=self.zone if zone is None else zone,
            editions=editions,
            parameters=(*self.parameters, *_to_parameters(parameters)),
            aliases=tuple(aliases),
            sources=(*self.sources, *_to_sources(sources)),
            settings=merged_settings,
            description=self.description if description is None else description,
            vocabularies=_merge_vocabularies(self.vocabularies, _to_vocabularies(vocabularies)),
            derived_from=self.code,
            evidence=tuple(dict.fromkeys((*self.evidence, *_to_evidence(evidence)))),
        )
        return derived.configure(**(settings or {}))


def _merge_vocabularies(
    first: tuple[Vocabulary, ...], more: tuple[Vocabulary, ...]
) -> tuple[Vocabulary, ...]:
    merged = {v.name: v for v in first}
    for v in more:
        merged[v.name] = merged[v.name].extend(*v.concepts) if v.name in merged else v
    return tuple(merged.values())
