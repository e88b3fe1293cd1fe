"""Where rule packs are found: built-ins, explicit registrations and entry points.

Built-in packs sit in a static table (:data:`missingcare.packs.BUILTIN_PACKS`)
and are imported the first time they are asked for; third parties call
:func:`register_pack` or declare a ``missingcare.packs`` entry point
(:data:`ENTRY_POINT_GROUP`), discovered lazily on the first lookup.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Mapping
from importlib import metadata
from types import MappingProxyType

from missingcare.exceptions import InvalidPackError, PackConflictError, UnknownJurisdictionError
from missingcare.rules.engine import RulePack

__all__ = [
    "BUILTIN_PACKS",
    "ENTRY_POINT_GROUP",
    "PackRegistry",
    "available_packs",
    "get_pack",
    "register_pack",
]

#: The entry-point group third-party packs declare themselves in.
ENTRY_POINT_GROUP = "missingcare.packs"


def _normal(code: str) -> str:
    return code.strip().casefold()


#: Pack code → ``"module:attribute"`` of each built-in :class:`~missingcare.rules.RulePack`:
#: a static table of text, so the registry imports no pack (and no pack module) until one
#: is asked for. Each pack is a module of :mod:`missingcare.packs`.
BUILTIN_PACKS: Mapping[str, str] = MappingProxyType(
    {
        "GB-ENG": "missingcare.packs.gb_eng:PACK",
        "IE": "missingcare.packs.ie:PACK",
        "AU-VIC": "missingcare.packs.au_vic:PACK",
        "GB-NIR": "missingcare.packs.gb_nir:PACK",
        "GB-SCT": "missingcare.packs.gb_sct:PACK",
        "GB-WLS": "missingcare.packs.gb_wls:PACK",
        "US": "missingcare.packs.us:PACK",
        "US-GA": "missingcare.packs.us_ga:PACK",
        "US-KY": "missingcare.packs.us_ky:PACK",
        "US-MO": "missingcare.packs.us_mo:PACK",
        "US-UT": "missingcare.packs.us_ut:PACK",
    }
)


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
