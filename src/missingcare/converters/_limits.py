"""The limits every document read is held to (see ``docs/explanation/safety.md``)."""

from __future__ import annotations

import attrs

from missingcare.exceptions import REPORTED_VIOLATIONS

__all__ = ["DEFAULT_LIMITS", "Limits"]


def _at_least_one(_inst: object, field: attrs.Attribute[int], value: int) -> None:
    if type(value) is not int or value < 1:
        raise ValueError(f"{field.name} must be a whole number, at least 1")


@attrs.frozen
class Limits:
    """How large a document may be, and how much of a refusal is reported.

    * ``document_bytes``: the largest document read, in bytes of UTF-8
      (16 MiB by default: a child's whole case file with a daily context log
      over eighteen years is under 4 MiB);
    * ``items``: the most items in any one list of a document (20,000);
    * ``violations``: the most violations a :class:`~missingcare.exceptions.ValidationError`
      lists; the rest are counted ("and 63,990 more").

    A document over a limit is refused (``too_large``, ``too_many``) before
    its content is examined further.

    >>> Limits().items
    20000
    >>> Limits(items=0)
    Traceback (most recent call last):
    ...
    ValueError: items must be a whole number, at least 1
    """

    document_bytes: int = attrs.field(default=16 * 2**20, validator=_at_least_one)
    items: int = attrs.field(default=20_000, validator=_at_least_one)
    violations: int = attrs.field(default=REPORTED_VIOLATIONS, validator=_at_least_one)


#: The limits used when none are given.
DEFAULT_LIMITS = Limits()
