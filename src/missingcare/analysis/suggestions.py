"""Suggestions: factors and needs the record points to that nobody has recorded yet.

A :class:`Suggestion` proposes a push factor, a pull factor, an unmet need or a
protective factor *from the evidence in the record*: the log in the
before-window, the significant dates that fell in it, where the child was
found and who with, how the episode ended, and the child's own words. It
comes from a transparent, versioned :class:`CueTable` shipped as package data
(``cues/en.toml``, English): each cue says what it looks for and cites the
reference keys that say why. No model is learned and nothing is scored: a
reviewer can read, for every suggestion, the cues that raised it and the
records they matched.

A suggestion is never a recorded factor. It is shown as
:data:`SUGGESTED` ("suggested from the record, not recorded by staff"), kept
apart from the factors staff recorded, and offered in a fixed order (by kind,
then code), never ranked by likelihood. A concept already recorded for the
episode is not suggested again.

The same table lists the exploitation indicators (domain research §6.4, §7.6)
the lens looks for to prompt a screening (:func:`indicators_seen`).

>>> table = CueTable.english()
>>> table.language, len(table.cues) > 20, len(table.indicators) > 5
('en', True, True)
>>> table.cue("pull.family").concept.code
'see_family'
"""

from __future__ import annotations

import enum
import functools
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from importlib.resources import files
from typing import Any

import attrs

from missingcare.analysis._common import lower_first, records
from missingcare.analysis.before import DateInWindow, window_log
from missingcare.analysis.config import DEFAULT_CONFIG, LensConfig
from missingcare.analysis.insights import Evidence
from missingcare.case import CaseFile
from missingcare.context import ContextEntry
from missingcare.episodes import MissingEpisode
from missingcare.exceptions import ValidationError
from missingcare.vocab import Concept
from missingcare.vocabularies import CORE

__all__ = [
    "SUGGESTED",
    "Cue",
    "CueTable",
    "IndicatorSeen",
    "Suggestion",
    "SuggestionKind",
    "exploitation_indicators",
]

#: How every suggestion is labelled wherever it is shown.
SUGGESTED = "suggested from the record, not recorded by staff"


class SuggestionKind(enum.Enum):
    """What a suggestion proposes (a closed set: the lens branches on it)."""

    PUSH = "push"
    PULL = "pull"
    NEED = "need"
    PROTECTIVE = "protective"

    @property
    def vocabulary(self) -> str:
        """The name of the vocabulary its concepts come from."""
        return "unmet_needs" if self is SuggestionKind.NEED else f"{self.value}_factors"

    @property
    def label(self) -> str:
        """``push factor``, ``pull factor``, ``unmet need``, ``protective factor``."""
        return "unmet need" if self is SuggestionKind.NEED else f"{self.value} factor"


#: The matchers a cue may use, each a set of codes (see ``cues/en.toml``).
_CODE_MATCHERS = ("context", "dates", "found", "address", "distance", "with", "ending", "harm")


_NO_CODES: frozenset[str] = frozenset()


def _phrase(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").lower().split())


@attrs.frozen
class Cue:
    """One line of the cue table: what it suggests (or indicates), what it looks for, why.

    ``kind`` is ``None`` for an exploitation-indicator cue, whose ``concept``
    is an indicator; otherwise the concept is a push or pull factor, a need or
    a protective factor. ``match`` holds, per matcher (``context``, ``dates``,
    ``found``, ``address``, ``distance``, ``with``, ``ending``, ``harm``), the
    codes looked for; ``words`` the phrases looked for in the child's own words.
    """

    id: str
    kind: SuggestionKind | None
    concept: Concept
    cites: tuple[str, ...]
    match: tuple[tuple[str, frozenset[str]], ...] = ()
    words: tuple[str, ...] = ()
    no_contact: bool = False
    adult_contacted: bool = False
    days_missing: int | None = None

    def codes(self, matcher: str) -> frozenset[str]:
        """The codes the cue looks for with ``matcher`` (empty if none)."""
        return self._by_matcher.get(matcher, _NO_CODES)

    @functools.cached_property
    def _by_matcher(self) -> dict[str, frozenset[str]]:
        # the first entry of a matcher, as a scan of ``match`` would find it
        out: dict[str, frozenset[str]] = {}
        for name, codes in self.match:
            out.setdefault(name, codes)
        return out

    @functools.cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        if not self.words:
            return None
        alternatives = "|".join(re.escape(_phrase(w)) for w in self.words)
        return re.compile(rf"(?<![\w'])(?:{alternatives})(?![\w'])")

    def phrases_in(self, text: str) -> tuple[str, ...]:
        """The cue's phrases found in ``text`` (whole words, any case), in order found."""
        pattern = self._pattern
        if pattern is None:
            return ()
        return tuple(dict.fromkeys(m.group(0) for m in pattern.finditer(_phrase(text))))


@attrs.frozen
class CueTable:
    """A versioned table of cues, in one language; an embedder may extend or replace it.

    >>> push = CORE["push_factors"]
    >>> extra = Cue("local.curfew", SuggestionKind.PUSH, push["rules_and_sanctions"],
    ...             ("LOCAL",), words=("curfew",))
    >>> table = CueTable.english().extended([extra], version="2026.12.1+local.1")
    >>> table.cue("local.curfew").words, table.version
    (('curfew',), '2026.12.1+local.1')
    """

    version: str
    language: str
    cues: tuple[Cue, ...]
    indicators: tuple[Cue, ...]

    def __attrs_post_init__(self) -> None:
        ids = [c.id for c in (*self.cues, *self.indicators)]
        if len(set(ids)) != len(ids):
            raise ValidationError.single("$.cue[*].id", "duplicate_id", "expected unique cue ids")

    def cue(self, cue_id: str) -> Cue:
        """The cue (or indicator cue) with ``cue_id``; raises ``KeyError`` if none."""
        for c in (*self.cues, *self.indicators):
            if c.id == cue_id:
                return c
        raise KeyError(cue_id)

    def without(self, *cue_ids: str) -> CueTable:
        """The table with the cues ``cue_ids`` left out (to see what each one adds)."""
        drop = set(cue_ids)
        return attrs.evolve(
            self,
            cues=tuple(c for c in self.cues if c.id not in drop),
            indicators=tuple(c for c in self.indicators if c.id not in drop),
        )

    def extended(self, cues: Iterable[Cue], *, version: str) -> CueTable:
        """The table with ``cues`` added (indicator cues have ``kind=None``), re-versioned."""
        more = tuple(cues)
        return attrs.evolve(
            self,
            version=version,
            cues=(*self.cues, *(c for c in more if c.kind is not None)),
            indicators=(*self.indicators, *(c for c in more if c.kind is None)),
        )

    @classmethod
    def from_toml(cls, text: str) -> CueTable:
        """A table from the TOML cue-table format (see ``cues/en.toml``).

        Errors name the entry (``$.cue[3].suggests``), never a value.
        """
        data = tomllib.loads(text)
        return cls(
            version=_str(data, "version", "$.version"),
            language=_str(data, "language", "$.language"),
            cues=tuple(_cue(e, f"$.cue[{i}]", False) for i, e in enumerate(data.get("cue", []))),
            indicators=tuple(
                _cue(e, f"$.indicator[{i}]", True) for i, e in enumerate(data.get("indicator", []))
            ),
        )

    @staticmethod
    @functools.cache
    def english() -> CueTable:
        """The shipped English table (``cues/en.toml``), read once."""
        text = (files("missingcare.analysis") / "cues" / "en.toml").read_text(encoding="utf-8")
        return CueTable.from_toml(text)


def _str(data: Mapping[str, Any], key: str, path: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError.single(path, "required", "expected a non-empty text")
    return value


def _cue(entry: Mapping[str, Any], path: str, indicator: bool) -> Cue:
    cue_id = _str(entry, "id", f"{path}.id")
    kind: SuggestionKind | None = None
    if indicator:
        concept = _concept("exploitation_indicators", _str(entry, "indicates", path), path)
    else:
        kind_code, _, code = _str(entry, "suggests", f"{path}.suggests").partition(":")
        try:
            kind = SuggestionKind(kind_code)
        except ValueError:
            raise ValidationError.single(
                f"{path}.suggests", "unknown_kind", "expected push:, pull:, need: or protective:"
            ) from None
        concept = _concept(kind.vocabulary, code, f"{path}.suggests")
    cites = entry.get("cites")
    if not isinstance(cites, list) or not cites or not all(isinstance(c, str) for c in cites):
        raise ValidationError.single(f"{path}.cites", "required", "a cue cites its sources")
    match = []
    for name in _CODE_MATCHERS:
        codes = entry.get(name, [])
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise ValidationError.single(f"{path}.{name}", "invalid", "expected a list of codes")
        if codes:
            match.append((name, frozenset(codes)))
    words = entry.get("words", [])
    if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
        raise ValidationError.single(f"{path}.words", "invalid", "expected a list of phrases")
    days = entry.get("days_missing")
    if days is not None and (not isinstance(days, int) or isinstance(days, bool) or days < 1):
        raise ValidationError.single(f"{path}.days_missing", "invalid", "expected whole days")
    cue = Cue(
        id=cue_id,
        kind=kind,
        concept=concept,
        cites=tuple(cites),
        match=tuple(match),
        words=tuple(words),
        no_contact=entry.get("no_contact") is True,
        adult_contacted=entry.get("adult_contacted") is True,
        days_missing=days,
    )
    if not (cue.match or cue.words or cue.adult_contacted or cue.days_missing):
        raise ValidationError.single(path, "empty", "a cue must look for something")
    return cue


def _concept(vocabulary: str, code: str, path: str) -> Concept:
    vocab = CORE[vocabulary]
    if code not in vocab.codes:
        raise ValidationError.single(path, "unknown_code", f"expected a code of {vocabulary}")
    return vocab[code]


# --- the evidence of one episode ----------------------------------------------------------------


@attrs.frozen
class Seen:
    """One thing in the record a cue can match: matcher, code, a label, and where it is."""

    matcher: str
    code: str
    label: str
    evidence: Evidence
    no_contact: bool = False


@attrs.frozen
class Said:
    """Words the child said, where they are, and who heard them."""

    text: str
    evidence: Evidence


def episode_evidence(
    case: CaseFile,
    episode: MissingEpisode,
    window: Sequence[ContextEntry],
    dates: Iterable[DateInWindow],
    by: datetime | None = None,
) -> tuple[tuple[Seen, ...], tuple[Said, ...]]:
    """Everything cues may match for one episode: coded items and the child's words.

    ``window`` is the before-window's log and ``dates`` the significant dates
    that fell in it; with ``by``, a conversation held later is not read.
    """
    seen: list[Seen] = []
    said: list[Said] = []
    for c in window:
        ev = Evidence.record("context", c.id)
        seen.append(Seen("context", c.category.code, lower_first(c.category.display), ev))
        if c.child_said is not None:
            said.append(Said(c.child_said, Evidence.record("context", c.id, within=".child_said")))
    for d in dates:
        ev = Evidence.record("significant_dates", d.record.id)
        label = lower_first(d.record.kind.display)
        seen.append(Seen("dates", d.record.kind.code, label, ev, d.contact_arranged is not True))

    def on_episode(matcher: str, concept: Concept | None, within: str) -> None:
        if concept is not None:
            ev = Evidence.record("episodes", episode.id, within=within)
            seen.append(Seen(matcher, concept.code, lower_first(concept.display), ev))

    located = episode.located
    if located is not None:
        on_episode("found", located.where, ".located.where")
        on_episode("address", located.address_link, ".located.address_link")
        on_episode("distance", located.distance, ".located.distance")
    for i, where in enumerate(episode.whereabouts):
        on_episode("found", where, f".whereabouts[{i}]")
    for i, who in enumerate(episode.who_with):
        on_episode("with", who, f".who_with[{i}]")
    for i, harm in enumerate(episode.harm_disclosed):
        on_episode("harm", harm, f".harm_disclosed[{i}]")
    on_episode("ending", episode.ending, ".ending")
    if episode.child_said is not None:
        said.append(
            Said(episode.child_said, Evidence.record("episodes", episode.id, within=".child_said"))
        )
    for conv in sorted(case.conversations_for(episode.id), key=lambda c: c.id):
        if conv.held_at is None or (by is not None and conv.held_at > by):
            continue

        def on_conv(matcher: str, concept: Concept, within: str, conv_id: str = conv.id) -> None:
            ev = Evidence.record("conversations", conv_id, within=within)
            seen.append(Seen(matcher, concept.code, lower_first(concept.display), ev))

        for i, where in enumerate(conv.whereabouts):
            on_conv("found", where, f".whereabouts[{i}]")
        for i, who in enumerate(conv.who_with):
            on_conv("with", who, f".who_with[{i}]")
        for i, harm in enumerate(conv.harm_disclosed):
            on_conv("harm", harm, f".harm_disclosed[{i}]")
        if conv.child_account is not None:
            ev = Evidence.record("conversations", conv.id, within=".child_account")
            said.append(Said(conv.child_account, ev))
    return tuple(seen), tuple(said)


def _contacted(case: CaseFile, episode: MissingEpisode, by: datetime | None) -> Iterator[Evidence]:
    for ta, i in records(case).contacts.get(episode.id, ()):
        contact = ta.contacts[i]
        if contact.child_initiated is True and (by is None or contact.at <= by):
            yield Evidence.record("trusted_adults", ta.id, within=f".contacts[{i}]")


@attrs.frozen
class _Hit:
    evidence: tuple[Evidence, ...]
    because: tuple[str, ...]


def _match(
    cue: Cue,
    case: CaseFile,
    episode: MissingEpisode,
    seen: Sequence[Seen],
    said: Sequence[Said],
    *,
    by: datetime | None,
) -> _Hit | None:
    evidence: list[Evidence] = []
    because: list[str] = []
    codes = cue._by_matcher.get
    for item in seen:
        if item.code in codes(item.matcher, _NO_CODES) and (
            item.matcher != "dates" or not cue.no_contact or item.no_contact
        ):
            evidence.append(item.evidence)
            because.append(item.label)
    for words in said:
        found = cue.phrases_in(words.text)
        if found:
            evidence.append(words.evidence)
            because += [f"“{p}”" for p in found]
    if cue.adult_contacted:
        contacts = list(_contacted(case, episode, by))
        evidence += contacts
        because += ["contacted a trusted adult"] if contacts else []
    duration = episode.duration
    if (
        cue.days_missing is not None
        and duration is not None
        and duration.total_seconds() >= cue.days_missing * 86400
    ):
        evidence.append(Evidence.record("episodes", episode.id, within=".ended_at"))
        because.append(f"missing {cue.days_missing} days or more")
    if not evidence:
        return None
    return _Hit(tuple(evidence), tuple(dict.fromkeys(because)))


@attrs.frozen
class Suggestion:
    """A factor or need proposed from the record: never recorded, never scored.

    ``cue_ids`` are the cues that raised it, ``cites`` their reference keys,
    ``because`` what they matched (in words), and ``evidence`` where it is in
    the case file. :attr:`note` is :data:`SUGGESTED`.
    """

    kind: SuggestionKind
    concept: Concept
    cue_ids: tuple[str, ...]
    cites: tuple[str, ...]
    because: tuple[str, ...]
    evidence: tuple[Evidence, ...]

    @property
    def note(self) -> str:
        """How the suggestion must be labelled: :data:`SUGGESTED`."""
        return SUGGESTED

    @property
    def evidence_paths(self) -> tuple[str, ...]:
        """The JSON paths of the evidence, sorted."""
        return tuple(e.path for e in self.evidence)

    def sentence(self) -> str:
        """The suggestion in words, with what it rests on and its label."""
        return (
            f"Suggested {self.kind.label}: {lower_first(self.concept.display)} "
            f"({SUGGESTED}; from {', '.join(self.because)})."
        )


@attrs.frozen
class IndicatorSeen:
    """An exploitation indicator seen in the record, with its evidence and cues."""

    indicator: Concept
    cue_ids: tuple[str, ...]
    cites: tuple[str, ...]
    because: tuple[str, ...]
    evidence: tuple[Evidence, ...]


_KIND_ORDER = {k: i for i, k in enumerate(SuggestionKind)}


def suggest(
    table: CueTable,
    case: CaseFile,
    episode: MissingEpisode,
    seen: Sequence[Seen],
    said: Sequence[Said],
    *,
    recorded: frozenset[tuple[str, str]],
    by: datetime | None = None,
) -> tuple[Suggestion, ...]:
    """The suggestions for one episode, by kind then code; ``recorded`` holds
    (kind, code) pairs already recorded, which are not suggested again."""
    merged: dict[tuple[SuggestionKind, str], list[tuple[Cue, _Hit]]] = {}
    for cue in table.cues:
        if cue.kind is None or (cue.kind.value, cue.concept.code) in recorded:
            continue
        hit = _match(cue, case, episode, seen, said, by=by)
        if hit is not None:
            merged.setdefault((cue.kind, cue.concept.code), []).append((cue, hit))
    out = [
        Suggestion(
            kind=kind,
            concept=hits[0][0].concept,
            cue_ids=tuple(sorted(c.id for c, _ in hits)),
            cites=tuple(sorted({k for c, _ in hits for k in c.cites})),
            because=tuple(dict.fromkeys(b for _, h in hits for b in h.because)),
            evidence=tuple(sorted({e for _, h in hits for e in h.evidence})),
        )
        for (kind, _), hits in merged.items()
    ]
    return tuple(sorted(out, key=lambda s: (_KIND_ORDER[s.kind], s.concept.code)))


def indicators_seen(
    table: CueTable,
    case: CaseFile,
    episode: MissingEpisode,
    seen: Sequence[Seen],
    said: Sequence[Said],
    *,
    by: datetime | None = None,
) -> tuple[IndicatorSeen, ...]:
    """The exploitation indicators the record shows for one episode, by code."""
    merged: dict[str, list[tuple[Cue, _Hit]]] = {}
    for cue in table.indicators:
        hit = _match(cue, case, episode, seen, said, by=by)
        if hit is not None:
            merged.setdefault(cue.concept.code, []).append((cue, hit))
    out = [
        IndicatorSeen(
            indicator=hits[0][0].concept,
            cue_ids=tuple(sorted(c.id for c, _ in hits)),
            cites=tuple(sorted({k for c, _ in hits for k in c.cites})),
            because=tuple(dict.fromkeys(b for _, h in hits for b in h.because)),
            evidence=tuple(sorted({e for _, h in hits for e in h.evidence})),
        )
        for hits in merged.values()
    ]
    return tuple(sorted(out, key=lambda i: i.indicator.code))


def exploitation_indicators(
    case: CaseFile,
    episode_id: str,
    *,
    by: datetime | None = None,
    config: LensConfig = DEFAULT_CONFIG,
    cues: CueTable | None = None,
) -> tuple[IndicatorSeen, ...]:
    """The exploitation indicators around the episode ``episode_id``, with their evidence.

    Read from the before-window, the episode (where found, who with, harm,
    its length, the child's words) and the return conversations held by
    ``by`` (all, without it), with the indicator cues of ``cues`` (the shipped
    English table by default). A jurisdiction's rule that expects a screening
    when indicators appear reads them here. Raises ``KeyError`` for an
    unknown episode.
    """
    table = cues if cues is not None else CueTable.english()
    episode = case.episode(episode_id)
    entries, dates = window_log(case, episode_id, config)  # the window's insights unread
    seen, said = episode_evidence(case, episode, entries, dates, by)
    return indicators_seen(table, case, episode, seen, said, by=by)
