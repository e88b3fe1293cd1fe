"""Rules, rule packs, the pack registry and :func:`evaluate`.

A :class:`Rule` is a value: a code, a title, its strength and severity, the
sources it rests on, its English message templates, and a plain callable
``check(case, ctx)`` that yields :class:`~missingcare.findings.Finding`
values. :func:`rule` is decorator sugar that builds one from a function.

A :class:`RulePack` is a jurisdiction's rules, keyed by ISO 3166-2 code
(``GB-ENG``), with dated :class:`Edition` values each declared as the
previous edition plus some rules minus some codes, and typed local
:class:`Parameter` values (a local authority's repeat-missing threshold, who
must be notified) supplied as configuration: ``pack.configure(**params)``
returns a derived pack; no code is edited.

Packs are found through a registry: built-in packs sit in a static table
(:data:`missingcare.packs.BUILTIN_PACKS`), third parties call
:func:`register_pack` or declare a ``missingcare.packs`` entry point, which is
discovered lazily on the first lookup.

:func:`evaluate` runs a pack edition over one child's case file as of an
instant (or a clock's "now") and returns an
:class:`~missingcare.findings.Evaluation`. It is pure and deterministic: facts
recorded at instants after ``as_of`` are treated as not yet known.
"""

from __future__ import annotations

import functools
import importlib
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from importlib import metadata
from typing import Any, Protocol

import attrs

from missingcare.case import CaseFile
from missingcare.exceptions import MissingCareError
from missingcare.findings import (
    Evaluation,
    Finding,
    Outcome,
    ParamValue,
    RuleRef,
    Severity,
    Strength,
    render_message,
)
from missingcare.time import Clock, check_zone, instant, local_date

__all__ = [
    "ENTRY_POINT_GROUP",
    "Edition",
    "InvalidPackError",
    "PackConflictError",
    "PackError",
    "PackRegistry",
    "Parameter",
    "Rule",
    "RuleCheck",
    "RuleContext",
    "RulePack",
    "Source",
    "UnknownEditionError",
    "UnknownJurisdictionError",
    "available_packs",
    "evaluate",
    "get_pack",
    "register_pack",
    "rule",
]

#: The entry-point group third-party packs declare themselves in.
ENTRY_POINT_GROUP = "missingcare.packs"

_CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_PACK_CODE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
_PARAM = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


# --- errors --------------------------------------------------------------------


class PackError(MissingCareError):
    """Base class of the errors about rule packs and their registry."""


class UnknownJurisdictionError(PackError, LookupError):
    """No pack is registered under a code or alias; lists the codes that are.

    Pack codes are jurisdiction codes, not personal data, so the message names
    the code asked for and the available ones.
    """

    def __init__(self, code: str, available: tuple[str, ...]) -> None:
        self.code = code
        self.available = available
        listed = ", ".join(available) if available else "none"
        super().__init__(f"no rule pack for {code!r}; available packs: {listed}")

    def __reduce__(self) -> tuple[type[UnknownJurisdictionError], tuple[str, tuple[str, ...]]]:
        return (type(self), (self.code, self.available))


class UnknownEditionError(PackError, LookupError):
    """A pack has no edition of that name, or none in force on that date."""


class PackConflictError(PackError, ValueError):
    """A pack code or alias is already registered; packs are never silently replaced."""


class InvalidPackError(PackError, ValueError):
    """A pack, edition, rule or parameter declaration (or configuration) is not valid."""


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


_UNSET: Any = object()


def _check_param_name(_inst: object, _attr: object, value: str) -> None:
    if not isinstance(value, str) or not _PARAM.match(value):
        raise InvalidPackError("a parameter name is a Python identifier in lower case")


@attrs.frozen
class Parameter:
    """A typed local parameter of a pack, with its default and what it means.

    ``kind`` is the value's type (``int``, ``timedelta``, ``bool``, ``str`` or
    ``tuple``); ``item_kind`` the type of a tuple's items; ``optional`` allows
    ``None`` (meaning "not set"); ``minimum`` bounds numbers and durations.
    """

    name: str = attrs.field(validator=_check_param_name)
    kind: type = attrs.field()
    default: Any = attrs.field()
    description: str = attrs.field(validator=_nonempty)
    minimum: Any = None
    item_kind: type | None = None
    optional: bool = False

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


class RuleCheck(Protocol):
    """The shape of a rule's check: findings about a case file, given the context."""

    def __call__(self, case: CaseFile, ctx: RuleContext, /) -> Iterable[Finding]: ...


def _check_rule_code(_inst: object, _attr: object, value: str) -> None:
    if not isinstance(value, str) or not _CODE.match(value):
        raise InvalidPackError(
            "a rule code is 1-64 characters: lower-case letters, digits, '_', '.', '-'"
        )


def _to_sources(value: Iterable[Source]) -> tuple[Source, ...]:
    out = tuple(value)
    if not all(isinstance(s, Source) for s in out):
        raise InvalidPackError("a rule's sources are Source values")
    return out


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


@attrs.frozen
class Rule:
    """One expectation: its code, title, authority, sources, messages and check.

    ``messages`` maps a message key (``met``, ``breached``, ``pending``…) to
    an English template with ``{named}`` placeholders; findings carry the
    message id ``<pack>.<rule code>.<key>`` and the parameters, so embedders
    can translate. ``parameters`` names the pack parameters the check reads,
    and ``fields`` the model fields it reads (``"MissingEpisode.returned_at"``),
    so a form can say which rules use a field.
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

    def template(self, key: str) -> str:
        """The English template of the message ``key``."""
        for k, template in self.messages:
            if k == key:
                return template
        raise KeyError(f"rule {self.code!r} has no message {key!r}")


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
        )

    return build


@attrs.frozen
class RuleContext:
    """What a rule's check is given besides the case: the instant, the settings, a finding builder.

    ``as_of`` is "now": facts recorded after it are not yet known, and a
    check must not read the system clock.
    """

    rule: Rule
    ref: RuleRef
    as_of: datetime
    settings: Mapping[str, Any] = attrs.field(eq=False)

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
    ) -> Finding:
        """Build a finding of this rule, rendering the message ``key`` from ``params``."""
        values = dict(params or {})
        return Finding(
            rule=self.ref,
            outcome=outcome,
            severity=self.rule.severity if severity is None else severity,
            strength=self.rule.strength,
            subject=subject,
            message_id=f"{self.ref.pack.lower()}.{self.rule.code}.{key}",
            params=values,
            text=render_message(self.rule.template(key), values),
            due=due,
            observed=observed,
            evidence=tuple(evidence),
            episode_id=episode_id,
            conversation_id=conversation_id,
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


def _check_pack_code(_inst: object, _attr: object, value: str) -> None:
    if not isinstance(value, str) or not _PACK_CODE.match(value):
        raise InvalidPackError("a pack code is an ISO 3166-1 or 3166-2 code such as 'GB-ENG'")


def _check_zone(_inst: object, _attr: object, value: str) -> None:
    check_zone(value, "$.zone")


@attrs.frozen
class RulePack:
    """A jurisdiction's rules: ISO 3166-2 code, aliases, dated editions, local parameters.

    ``settings`` holds configured parameter values (only those that differ
    from the defaults need appear); :meth:`configure` returns a derived pack.
    Editions are composed and checked when the pack is built: codes are
    unique in each edition, removals name rules that exist, and every
    parameter a rule reads is declared.
    """

    code: str = attrs.field(validator=_check_pack_code)
    name: str = attrs.field(validator=_nonempty)
    zone: str = attrs.field(validator=_check_zone)
    editions: tuple[Edition, ...] = attrs.field(converter=_to_editions)
    parameters: tuple[Parameter, ...] = attrs.field(default=(), converter=_to_parameters)
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_to_names)
    sources: tuple[Source, ...] = attrs.field(default=(), converter=_to_sources)
    settings: tuple[tuple[str, Any], ...] = attrs.field(default=(), converter=_to_settings)
    description: str = ""
    _composed: Mapping[str, tuple[Rule, ...]] = attrs.field(
        init=False, repr=False, eq=False, hash=False, alias="_composed"
    )

    def __attrs_post_init__(self) -> None:
        composed: dict[str, tuple[Rule, ...]] = {}
        current: dict[str, Rule] = {}
        names: set[str] = set()
        for i, ed in enumerate(self.editions):
            if ed.name in names:
                raise InvalidPackError(f"edition name {ed.name!r} is used twice")
            names.add(ed.name)
            if i == 0 and ed.remove:
                raise InvalidPackError("the first edition has nothing to remove")
            for code in ed.remove:
                if code not in current:
                    raise InvalidPackError(
                        f"edition {ed.name!r} removes {code!r}, which the previous edition lacks"
                    )
                del current[code]
            for r in ed.add:
                if r.code in current:
                    raise InvalidPackError(
                        f"edition {ed.name!r} adds {r.code!r} twice (remove it first to replace it)"
                    )
                current[r.code] = r
            composed[ed.name] = tuple(current.values())
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


# --- registry ---------------------------------------------------------------------


def _normal(code: str) -> str:
    return code.strip().casefold()


class PackRegistry:
    """Where packs are found: built-ins (a static table), explicit registrations, entry points.

    Built-in packs and entry points are loaded lazily, on the first lookup
    that needs them. Registering a code or alias twice raises
    :class:`PackConflictError`. The module functions :func:`get_pack`,
    :func:`register_pack` and :func:`available_packs` use one shared registry.
    """

    def __init__(
        self, builtins: Mapping[str, str] | None = None, group: str = ENTRY_POINT_GROUP
    ) -> None:
        if builtins is None:
            from missingcare.packs import BUILTIN_PACKS  # noqa: PLC0415 - a data-only module

            builtins = BUILTIN_PACKS
        self._group = group
        self._lock = threading.RLock()
        self._packs: dict[str, RulePack] = {}
        self._aliases: dict[str, str] = {}
        self._builtins = frozenset(code.upper() for code in builtins)
        self._lazy: dict[str, Callable[[], object]] = {
            code.upper(): _importer(target) for code, target in builtins.items()
        }
        self._discovered = False

    def _discover(self) -> None:
        if self._discovered:
            return
        self._discovered = True
        for ep in sorted(metadata.entry_points(group=self._group), key=lambda e: e.name):
            code = ep.name.strip().upper()
            if code in self._lazy or code in self._packs:
                continue  # a registered or built-in pack wins; the conflict surfaces on load
            self._lazy[code] = ep.load

    def _load(self, code: str) -> RulePack:
        obj = self._lazy[code]()
        del self._lazy[code]
        pack = obj() if callable(obj) and not isinstance(obj, RulePack) else obj
        if not isinstance(pack, RulePack):
            raise InvalidPackError(f"the pack declared as {code!r} is not a RulePack")
        if pack.code != code:
            raise InvalidPackError(f"the pack declared as {code!r} has the code {pack.code!r}")
        self._add(pack)
        return pack

    def _add(self, pack: RulePack) -> None:
        names = [pack.code, *pack.aliases]
        for name in names:
            key = _normal(name)
            if key in self._aliases or (key != _normal(pack.code) and key.upper() in self._lazy):
                raise PackConflictError(f"a pack is already registered as {name!r}")
        for name in names:
            self._aliases[_normal(name)] = pack.code
        self._packs[pack.code] = pack

    def register(self, pack: RulePack) -> None:
        """Register ``pack`` under its code and aliases; refuses a code or alias already taken."""
        if not isinstance(pack, RulePack):
            raise TypeError("register_pack expects a RulePack")
        with self._lock:
            self._discover()
            if pack.code in self._lazy or pack.code in self._packs:
                raise PackConflictError(f"a pack is already registered as {pack.code!r}")
            self._add(pack)

    def get(self, code: str) -> RulePack:
        """The pack registered under ``code`` or one of its aliases (case-insensitive)."""
        if not isinstance(code, str):
            raise TypeError("a pack code is text such as 'GB-ENG'")
        with self._lock:
            self._discover()
            key = _normal(code)
            if key in self._aliases:
                return self._packs[self._aliases[key]]
            if key.upper() in self._lazy:
                return self._load(key.upper())
            # An alias of a pack not loaded yet: load built-ins first; a plug-in that fails to
            # load is skipped here (asking for it by code raises its own error).
            for lazy_code in sorted(self._lazy, key=lambda c: (c not in self._builtins, c)):
                try:
                    self._load(lazy_code)
                except Exception:  # one broken plug-in must not hide the others
                    continue
                if key in self._aliases:
                    return self._packs[self._aliases[key]]
            raise UnknownJurisdictionError(code, self.available())

    def available(self) -> tuple[str, ...]:
        """The codes of every pack that can be looked up, sorted."""
        with self._lock:
            self._discover()
            return tuple(sorted(set(self._packs) | set(self._lazy)))


def _importer(target: str) -> Callable[[], object]:
    module, _, attr = target.partition(":")

    def load() -> object:
        return getattr(importlib.import_module(module), attr)

    return load


_registry: PackRegistry | None = None
_registry_lock = threading.Lock()


def _default() -> PackRegistry:
    global _registry  # noqa: PLW0603 - the shared registry is created on first use
    with _registry_lock:
        if _registry is None:
            _registry = PackRegistry()
        return _registry


def get_pack(code: str) -> RulePack:
    """The pack for an ISO 3166-2 code or alias (``"GB-ENG"``, ``"England"``).

    An unknown code raises :class:`UnknownJurisdictionError`, which lists
    the available codes.

    >>> get_pack("england").code
    'GB-ENG'
    """
    return _default().get(code)


def register_pack(pack: RulePack) -> None:
    """Register a pack; a code or alias already taken raises :class:`PackConflictError`."""
    _default().register(pack)


def available_packs() -> tuple[str, ...]:
    """The codes of the packs available: built-in, registered and declared through entry points."""
    return _default().available()


# --- evaluation -------------------------------------------------------------------


#: References are immutable values; one per rule and edition serves every evaluation.
_rule_ref = functools.lru_cache(maxsize=1 << 12)(RuleRef)


def evaluate(
    case: CaseFile,
    *,
    pack: RulePack | str,
    as_of: datetime | None = None,
    clock: Clock | None = None,
    edition: str | None = None,
) -> Evaluation:
    """Evaluate one child's case file against a pack, as of an instant or a clock's "now".

    Exactly one of ``as_of`` and ``clock`` is given. The edition is the one in
    force on ``as_of``'s local date in the pack's zone unless ``edition``
    names one. Facts recorded after ``as_of`` are not yet known to the rules.
    The case file is not changed.
    """
    if not isinstance(case, CaseFile):
        raise TypeError("evaluate expects a CaseFile")
    if (as_of is None) == (clock is None):
        raise TypeError("give exactly one of as_of and clock")
    if as_of is not None:
        now = instant(as_of, "$.as_of")
    else:
        assert clock is not None
        now = instant(clock.now(), "$.as_of")
    the_pack = get_pack(pack) if isinstance(pack, str) else pack
    ed = (
        the_pack.edition(edition)
        if edition is not None
        else the_pack.edition_on(local_date(now, the_pack.zone))
    )
    settings = the_pack.effective_settings
    findings: list[Finding] = []
    for r in the_pack.rules(ed):
        ctx = RuleContext(
            rule=r, ref=_rule_ref(the_pack.code, ed.name, r.code), as_of=now, settings=settings
        )
        findings.extend(r.check(case, ctx))
    return Evaluation(
        pack=the_pack.code, edition=ed.name, as_of=now, child_id=case.child.id, findings=findings
    )
