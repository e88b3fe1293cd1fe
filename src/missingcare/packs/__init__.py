"""Built-in jurisdiction rule packs, one module per jurisdiction.

This module is a static table only: importing it loads no pack. Look packs up
with :func:`missingcare.rules.get_pack` (``get_pack("GB-ENG")``), which
imports a built-in pack's module the first time it is asked for. Third-party
packs register with :func:`missingcare.rules.register_pack` or declare a
``missingcare.packs`` entry point whose name is the pack's code::

    [project.entry-points."missingcare.packs"]
    "GB-WLS" = "mypackage.wales:PACK"

The built-in packs:

* ``GB-ENG`` — England: :mod:`missingcare.packs.gb_eng`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["BUILTIN_PACKS"]

#: Pack code → ``"module:attribute"`` of the built-in :class:`~missingcare.rules.RulePack`.
BUILTIN_PACKS: Mapping[str, str] = MappingProxyType({"GB-ENG": "missingcare.packs.gb_eng:PACK"})
