"""The one way a moved name keeps working for a release: a module ``__getattr__`` that warns.

When a public name moves, its old module keeps a line such as::

    __getattr__ = moved(__name__, {"Cohort": "missingcare.testing.synth.Cohort"})

Asking the old module for the name then emits a :class:`DeprecationWarning`
naming the new path, and returns the object from its new home (imported only
then, so the old module costs nothing to import). Any other name is an
ordinary :class:`AttributeError`. The changelog lists every moved name.

>>> import warnings
>>> getattr_ = moved("old.place", {"dumps": "json.dumps"})
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     import json
...     getattr_("dumps") is json.dumps
True
>>> str(caught[0].message)
'old.place.dumps is deprecated; use json.dumps (the old path goes in the next minor release)'
"""

from __future__ import annotations

import pkgutil
import warnings
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["moved"]


def moved(old_module: str, new_paths: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for names that moved: warn, then return the new object.

    ``new_paths`` maps each old name to the dotted path it now lives at
    (``"package.module.name"``).
    """
    table = dict(new_paths)

    def __getattr__(name: str) -> Any:  # noqa: N807 - it becomes a module's __getattr__
        try:
            target = table[name]
        except KeyError:
            raise AttributeError(f"module {old_module!r} has no attribute {name!r}") from None
        warnings.warn(
            f"{old_module}.{name} is deprecated; use {target} "
            "(the old path goes in the next minor release)",
            DeprecationWarning,
            stacklevel=2,
        )
        return pkgutil.resolve_name(target)

    return __getattr__
