"""The exceptions missingcare raises.

Every exception derives from :class:`MissingCareError`, and each leaf also
derives from the matching built-in (``ValueError``, ``LookupError``) so callers
can catch either.  No message ever contains a rejected *value*: the data this
library handles is a child's special-category data, so errors name the field
path and what would have been accepted, and nothing else.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from typing import Any

import attrs

__all__ = [
    "REPORTED_VIOLATIONS",
    "AmbiguousLocalTimeError",
    "EmptyHistoryError",
    "HistoryTampered",
    "InvalidPackError",
    "InvalidZoneError",
    "LineError",
    "MissingCareError",
    "NaiveDatetimeError",
    "NonExistentLocalTimeError",
    "PackConflictError",
    "PackError",
    "PackNotConfiguredError",
    "UnknownCodeError",
    "UnknownEditionError",
    "UnknownJurisdictionError",
    "Unusable903Input",
    "ValidationError",
    "Violation",
]


class MissingCareError(Exception):
    """Base class of every exception raised by missingcare."""


@attrs.frozen
class Violation:
    """One reason a document or value was refused.

    ``path`` is a JSONPath into the document (``$.conversations[0].held_at``);
    ``code`` is a stable machine-readable reason (``required``, ``wrong_type``,
    ``unknown_code``…); ``message`` says in English what would be accepted.
    None of the three ever contains the rejected value.
    """

    path: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message} [{self.code}]"


#: The order violations are listed in: by path, then code.
_ORDER = operator.attrgetter("path", "code")

#: How many violations a :class:`ValidationError` lists by default; the rest are counted.
REPORTED_VIOLATIONS = 100


class ValidationError(MissingCareError, ValueError):
    """A document or value broke the model's rules.

    ``violations`` lists the violations found, each with its path, sorted:
    every one of them, up to ``limit`` (:data:`REPORTED_VIOLATIONS` by
    default); ``more`` counts those left off. The exception's text is built
    from those paths and codes only.

    >>> many = [Violation(f"$.items[{i}]", "required", "this field is required") for i in range(5)]
    >>> print(ValidationError(many, limit=2))
    5 violations:
      $.items[0]: this field is required [required]
      $.items[1]: this field is required [required]
      and 3 more
    """

    violations: tuple[Violation, ...]
    more: int

    def __init__(
        self, violations: Iterable[Violation], limit: int | None = None, more: int = 0
    ) -> None:
        found = list(violations)
        if len(found) > 1:  # one violation (the hooks raise many such errors) is sorted
            found = sorted(set(found), key=_ORDER)
        if not found:
            raise ValueError("a ValidationError needs at least one violation")
        keep = REPORTED_VIOLATIONS if limit is None else max(1, limit)
        self.violations = tuple(found[:keep])
        self.more = more + max(0, len(found) - keep)
        super().__init__()

    def __str__(self) -> str:
        # rendered when read, not when raised: the refusal path and the hooks raise many
        # errors only for their violations, whose text is never read
        return self._render()

    def _render(self) -> str:
        n = len(self.violations) + self.more
        head = f"{n:,} violation{'s' if n != 1 else ''}"
        tail = f"\n  and {self.more:,} more" if self.more else ""
        return head + ":\n" + "\n".join(f"  {v}" for v in self.violations) + tail

    @property
    def paths(self) -> tuple[str, ...]:
        """The distinct paths of the violations listed, sorted."""
        return tuple(sorted({v.path for v in self.violations}))

    def __repr__(self) -> str:
        more = f", more={self.more}" if self.more else ""
        return f"{type(self).__name__}({list(self.violations)!r}{more})"

    def __reduce__(self) -> tuple[type[ValidationError], tuple[tuple[Violation, ...], int, int]]:
        return (type(self), (self.violations, len(self.violations), self.more))

    @classmethod
    def single(cls, path: str, code: str, message: str) -> ValidationError:
        """Build an error with one violation."""
        return cls((Violation(path, code, message),))


class LineError(ValidationError):
    """A refused line of a JSON-lines input: its number (from 1) and its violations.

    >>> err = LineError(3, [Violation("$.child.id", "required", "this field is required")])
    >>> print(err)
    line 3: 1 violation:
      $.child.id: this field is required [required]
    >>> err.line
    3

    ``document`` names the document type the line is, when it is a whole
    document of another type (a ``MissingEpisode`` where case files were
    expected), else ``None``.
    """

    line: int
    document: str | None

    def __init__(
        self,
        line: int,
        violations: Iterable[Violation],
        limit: int | None = None,
        more: int = 0,
        *,
        document: str | None = None,
    ) -> None:
        self.line = line
        self.document = document
        super().__init__(violations, limit, more)

    def _render(self) -> str:
        hint = f" (this line is a {self.document} document)" if self.document else ""
        return f"line {self.line:,}{hint}: {super()._render()}"

    def __repr__(self) -> str:
        return f"LineError(line={self.line}, {list(self.violations)!r})"

    def __reduce__(self) -> Any:
        return (_line_error, (self.line, self.violations, self.more, self.document))


def _line_error(
    line: int, violations: tuple[Violation, ...], more: int, document: str | None
) -> LineError:
    return LineError(line, violations, len(violations), more, document=document)


class HistoryTampered(ValidationError):  # noqa: N818 - reads as what was found
    """A case history's chain of revisions breaks: a revision was altered after it was written.

    ``index`` is the position of the first revision that fails (from 0); the
    violations say what failed in it (``$.digest``, ``$.previous_digest``…),
    by path and code, never a value.

    >>> err = HistoryTampered(4, [Violation("$.digest", "digest_mismatch", "expected ...")])
    >>> print(err)
    revision 4: 1 violation:
      $.digest: expected ... [digest_mismatch]
    >>> err.index
    4
    """

    index: int

    def __init__(
        self, index: int, violations: Iterable[Violation], limit: int | None = None, more: int = 0
    ) -> None:
        self.index = index
        super().__init__(violations, limit, more)

    def _render(self) -> str:
        return f"revision {self.index:,}: {super()._render()}"

    def __repr__(self) -> str:
        return f"HistoryTampered(index={self.index}, {list(self.violations)!r})"

    def __reduce__(self) -> Any:
        return (_history_tampered, (self.index, self.violations, self.more))


def _history_tampered(index: int, violations: tuple[Violation, ...], more: int) -> HistoryTampered:
    return HistoryTampered(index, violations, len(violations), more)


class EmptyHistoryError(MissingCareError, LookupError):
    """A case history with no revision was asked for its case file."""


class NaiveDatetimeError(ValidationError):
    """A datetime without a time zone or offset was given where an instant is needed."""

    def __init__(self, path: str = "$") -> None:
        super().__init__(
            (
                Violation(
                    path,
                    "naive_datetime",
                    "expected an aware instant with an offset (RFC 3339), "
                    "or a local time with its IANA zone",
                ),
            )
        )

    def __reduce__(self) -> tuple[type[NaiveDatetimeError], tuple[str]]:  # type: ignore[override]
        return (type(self), (self.violations[0].path,))


class AmbiguousLocalTimeError(ValidationError):
    """A local wall-clock time occurs twice in its zone (the repeated hour)."""

    def __init__(self, path: str = "$") -> None:
        super().__init__(
            (
                Violation(
                    path,
                    "ambiguous_local_time",
                    "this local time occurs twice in the zone (clocks went back); "
                    "give an offset or choose the earlier or later reading",
                ),
            )
        )

    def __reduce__(self) -> tuple[type[AmbiguousLocalTimeError], tuple[str]]:  # type: ignore[override]
        return (type(self), (self.violations[0].path,))


class NonExistentLocalTimeError(ValidationError):
    """A local wall-clock time falls in the gap when clocks go forward."""

    def __init__(self, path: str = "$") -> None:
        super().__init__(
            (
                Violation(
                    path,
                    "nonexistent_local_time",
                    "this local time does not exist in the zone (clocks went forward)",
                ),
            )
        )

    def __reduce__(self) -> tuple[type[NonExistentLocalTimeError], tuple[str]]:  # type: ignore[override]
        return (type(self), (self.violations[0].path,))


class InvalidZoneError(ValidationError):
    """A name that is not an IANA time-zone identifier was given as a zone."""

    def __init__(self, path: str = "$") -> None:
        super().__init__(
            (
                Violation(
                    path,
                    "unknown_zone",
                    "expected an IANA time-zone name such as 'Europe/London'",
                ),
            )
        )

    def __reduce__(self) -> tuple[type[InvalidZoneError], tuple[str]]:  # type: ignore[override]
        return (type(self), (self.violations[0].path,))


class UnknownCodeError(MissingCareError, LookupError):
    """A code is not in the vocabulary it was looked up in.

    Codes are vocabulary terms, not personal data, so the message names the
    code and the closest matches to help the caller fix it.
    """

    def __init__(self, vocabulary: str, code: str, suggestions: tuple[str, ...] = ()) -> None:
        self.vocabulary = vocabulary
        self.code = code
        self.suggestions = suggestions
        hint = f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"{code!r} is not a code of the vocabulary {vocabulary!r}{hint}")

    def __reduce__(self) -> tuple[type[UnknownCodeError], tuple[str, str, tuple[str, ...]]]:
        return (type(self), (self.vocabulary, self.code, self.suggestions))


# --- rule packs and their registry ---------------------------------------------


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


class PackNotConfiguredError(InvalidPackError):
    """A pack needs a local setting it will not guess (the US pack's time zone, say)."""


# --- adapters ------------------------------------------------------------------


class Unusable903Input(MissingCareError, ValueError):  # noqa: N818 - reads as a noun phrase
    """A file cannot be read as a 903 table or return; nothing partial is returned.

    Raised by :mod:`missingcare.adapters.ssda903`'s readers (and importable from
    there too). ``source`` is the file name as given; ``problem`` is one line
    saying what is wrong and what would be accepted. Neither ever quotes the
    file's content.
    """

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")

    def __reduce__(self) -> tuple[type[Unusable903Input], tuple[str, str]]:
        return (type(self), (self.source, self.problem))
