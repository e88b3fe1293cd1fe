"""Rules, rule packs, the pack registry, :func:`evaluate` and the rule kit.

* :mod:`missingcare.rules.engine` — :class:`Rule` (and :func:`rule`),
  :class:`RuleContext`, :class:`Edition`, :class:`Parameter`, :class:`Source`,
  :class:`RulePack` (with :meth:`RulePack.configure` and :meth:`RulePack.derive`);
* :mod:`missingcare.rules.registry` — :func:`get_pack`, :func:`register_pack`,
  :func:`available_packs`, :class:`PackRegistry`;
* :mod:`missingcare.rules.evaluation` — :func:`evaluate`;
* :mod:`missingcare.rules.kit` — the public building blocks packs are written
  with: deadlines after an event, done-evidence, repeat thresholds, finding
  builders and standard messages.

The pack errors live in :mod:`missingcare.exceptions` and are re-exported
here, as is the :class:`~missingcare.typing.RuleCheck` Protocol.

>>> from missingcare.rules import get_pack
>>> get_pack("england").code
'GB-ENG'
"""

from __future__ import annotations

from missingcare.exceptions import (
    InvalidPackError,
    PackConflictError,
    PackError,
    PackNotConfiguredError,
    UnknownEditionError,
    UnknownJurisdictionError,
)
from missingcare.rules.engine import (
    Duty,
    Edition,
    Parameter,
    Rule,
    RuleContext,
    RulePack,
    Source,
    rule,
)
from missingcare.rules.evaluation import evaluate
from missingcare.rules.registry import (
    ENTRY_POINT_GROUP,
    PackRegistry,
    available_packs,
    get_pack,
    register_pack,
)
from missingcare.typing import RuleCheck

__all__ = [
    "ENTRY_POINT_GROUP",
    "Duty",
    "Edition",
    "InvalidPackError",
    "PackConflictError",
    "PackError",
    "PackNotConfiguredError",
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
