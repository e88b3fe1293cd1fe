"""Built-in jurisdiction rule packs, one module per jurisdiction.

Importing this module loads no pack: the static table of built-in packs,
:data:`BUILTIN_PACKS`, is the registry's (:mod:`missingcare.rules.registry`). Look packs up
with :func:`missingcare.rules.get_pack` (``get_pack("GB-ENG")``), which
imports a built-in pack's module the first time it is asked for. Third-party
packs register with :func:`missingcare.rules.register_pack` or declare a
``missingcare.packs`` entry point whose name is the pack's code::

    [project.entry-points."missingcare.packs"]
    "GB-WLS" = "mypackage.wales:PACK"

The built-in packs:

* ``GB-ENG`` — England: :mod:`missingcare.packs.gb_eng`.
* ``IE`` — Ireland: :mod:`missingcare.packs.ie`.
* ``AU-VIC`` — Victoria, Australia: :mod:`missingcare.packs.au_vic`.
* ``GB-NIR`` — Northern Ireland: :mod:`missingcare.packs.gb_nir`.
* ``GB-SCT`` — Scotland: :mod:`missingcare.packs.gb_sct`.
* ``GB-WLS`` — Wales: :mod:`missingcare.packs.gb_wls`.
"""

from __future__ import annotations

from missingcare.rules.registry import BUILTIN_PACKS

__all__ = ["BUILTIN_PACKS"]
