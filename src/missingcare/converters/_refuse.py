"""The refusal path: a document's violations, without an exception per field (private).

A document the fast path (:mod:`._fast`) does not accept used to be handed
to the reference converter, whose cattrs hooks raise an exception for every
bad value and walk the whole document in Python: refusing cost up to 12
times accepting (issue 18, defect 7). The functions generated here, two per
model class from the field kinds, find the same violations as cattrs does,
walking the document as it structures it:

* ``_mirror_<Class>`` walks the msgspec mirrors of a document the fast path
  decoded but could not build. msgspec has already held it to everything
  cattrs checks of shape and type (objects, wire types, no key unknown or
  missing, no ``null``): only a leaf's value (an instant, a date, a
  concept's code) or a class's own ``__init__`` can fail;
* ``_walk_<Class>`` walks the JSON tree of a document that msgspec's typed
  decode refused, as cattrs does: a key missing (``required``), keys
  unknown (one ``unknown_key`` at the object), a value of the wrong type,
  a list that is not one or is too long, then the leaves' values.

In both, a value that cannot be read gives a marker instead of an exception,
and the failure is noted with its path, the reference hook that refuses it
and the value; its reason (code and message) is not worked out yet. A class
all of whose fields were read is filled as the fast path fills it
(:func:`._make.fill`), or, when a guard or an invariant does not hold,
built by calling it, whose error is the one the converter reports; a class
with a field that failed is not built (nor is anything that holds it), as
cattrs does not build it. Paths name only the model's fields and indices.

The failures are then sorted by path and only the first ``Limits.violations``
(those a :class:`~missingcare.exceptions.ValidationError` lists) get their
reason, from the reference hook itself; the rest are counted. Paths are
distinct (one failure per value; a class's own violations are under it, and
nothing around a failure is built), so sorting by path is the order the
error sorts in and every failure is one violation: the error is the
converter's, path for path, message for message, and its count. Whenever
that cannot be said (the reference hook accepts a value noted as failed;
nothing failed; the document is refused as a whole, for its encoding, a key
repeated or its version; a choice of vocabulary by a value that is not
text), this path gives no answer and the converter decides."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import attrs
import cattrs
import msgspec
from cattrs.errors import ForbiddenExtraKeysError

from missingcare import _fields
from missingcare._fields import FieldKind
from missingcare.converters._documents import MODELS, SAME_BODY, chosen_vocabularies
from missingcare.converters._limits import Limits
from missingcare.converters._make import Namespace, fill, is_fillable, post_init
from missingcare.converters._reference import _violations
from missingcare.converters.hooks import (
    InvalidError,
    _field_hook,
    _value_hook,
    date_hook,
    duration_hook,
)
from missingcare.exceptions import ValidationError, Violation
from missingcare.time import _RFC3339, parse_instant
from missingcare.vocab import Vocabulary

__all__ = ["Refusal"]

#: What a leaf or a class that could not be read or built gives instead of a value.
_BAD: Any = type("_Bad", (), {"__repr__": lambda _self: "<not read>"})()
#: A key the object does not have.
_NONE: Any = type("_None", (), {"__repr__": lambda _self: "<absent>"})()

#: One failure: (path, the reference hook that refuses the value, the value);
#: or (path, None, a ready :class:`Violation`) for a class's own violation.
Failure = tuple[str, Callable[[object, object], Any] | None, Any]


def _instant(text: str) -> Any:
    """``parse_instant(text)``, or :data:`_BAD` (text that is not RFC 3339 costs no exception)."""
    if _RFC3339.match(text) is None:
        return _BAD
    try:
        return parse_instant(text)
    except ValidationError:
        return _BAD


def _instant_reader(fast: Mapping[str, Any]) -> Callable[[str], Any]:
    """:func:`_instant`, taking the fast path's way for canonical text in range (``fast``:
    the names of the fast path's generated code, see ``_fast._INSTANT_EXPR``)."""
    lo, hi, digits, canonical = fast["_LO"], fast["_HI"], fast["_DIGITS"], fast["_CANONICAL"]
    fromiso = datetime.fromisoformat

    def read(text: str) -> Any:
        if lo <= text <= hi and text.encode().translate(digits) in canonical:
            try:
                return fromiso(text)
            except ValueError:  # a day the month does not have
                return _BAD
        return _instant(text)

    return read


def _duration(text: object) -> Any:
    try:
        return duration_hook(text, None)
    except InvalidError:
        return _BAD


def _date(text: object) -> Any:
    try:
        return date_hook(text, None)
    except InvalidError:
        return _BAD


def _failed(exc: Exception, path: str, out: list[Failure]) -> Any:
    """:data:`_BAD`, with the violations of the class's own error ``exc`` noted at ``path``."""
    out.extend((v.path, None, v) for v in _violations(exc, path))
    return _BAD


#: The kinds this path reads; a class with any other (a finding's message parameters, a
#: code held to a pattern, a computed instant, a tuple kept in order: the documents the
#: library writes, not the records people enter) is left to the converter.
_READ_BASES = frozenset(
    ("text", "id", "zone", "flag", "instant", "date", "duration", "choice", "concept", "nested")
)


def _walkable(cls: type) -> bool:
    """Whether every field of ``cls``, and of the classes it holds, is one this path reads."""
    for _, kind in _fields.kinds(cls):
        if (
            kind.base not in _READ_BASES
            or kind.pattern is not None
            or kind.computed
            or kind.ordered_by is not None
        ):
            return False
        if kind.base == "nested" and not _walkable(kind.model):  # type: ignore[arg-type]
            return False
    return True


class _Defer(Exception):  # noqa: N818 - not an error: the converter decides
    """This path cannot say what the reference converter would (the converter decides)."""


#: The reference's violations for a missing key and for keys the model does not know.
_REQUIRED = _violations(KeyError("required"), "$")[0]
_UNKNOWN = _violations(ForbiddenExtraKeysError("", object, {"unknown"}), "$")[0]

#: A lone surrogate may be written as an escape: such documents are the converter's.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_ESCAPED_COLON = b"\\u003"
_BOM = b"\xef\xbb\xbf"


def _missing(path: str) -> Failure:
    return (path, None, Violation(path, _REQUIRED.code, _REQUIRED.message))


def _unknown(path: str) -> Failure:
    return (path, None, Violation(path, _UNKNOWN.code, _UNKNOWN.message))


class Refusal:
    """The refusal path of a :class:`._fast.FastWire`: two generated walks per model class
    (over the JSON tree, over the msgspec mirror); :meth:`error` and
    :meth:`error_of_mirror` give the reference converter's error, or ``None``."""

    def __init__(
        self,
        converter: cattrs.Converter,
        vocabularies: Mapping[str, Vocabulary],
        limits: Limits,
        fast: Mapping[str, Any],
    ) -> None:
        self._limits = limits
        self._converter = converter
        self._vocabs = vocabularies
        self._ns = Namespace()
        self._ns.env.update(
            {
                "_BAD": _BAD,
                "_NONE": _NONE,
                "_inst": _instant_reader(fast),
                "_dt": _date,
                "_dur": _duration,
                "_failed": _failed,
                "_missing": _missing,
                "_unknown": _unknown,
                "_Defer": _Defer,
                "_dict": dict,
                "_list": list,
                "_enumerate": enumerate,
            }
        )
        self._walks: dict[type, Callable[[Any, str, list[Failure]], Any]] = {}
        self._mirrors: dict[type, Callable[[Any, str, list[Failure]], Any]] = {}
        for cls in MODELS:
            if _walkable(cls):
                self._walks[cls] = self._generate(cls)
                self._mirrors[cls] = self._generate_mirror(cls)
        self._decode = msgspec.json.Decoder().decode
        self._encode = msgspec.json.Encoder().encode

    def _table(self, name: str) -> dict[str, Any]:
        return dict(self._vocabs[name].by_code)

    def _hook(self, kind: FieldKind, vocabulary: str | None) -> Callable[[object, object], Any]:
        """The reference hook of one value of ``kind``: the source of a failure's reason."""
        vocab = None if vocabulary is None else self._vocabs[vocabulary]
        return _value_hook(self._converter, kind, vocab)

    def _read(self, kind: FieldKind, x: str, table: str, path: str) -> str:
        """The expression reading one value ``x`` of ``kind`` (not many): the value, or _BAD."""
        base = kind.base
        if base in ("text", "id", "zone"):
            return f"({x} if _type({x}) is _str else _BAD)"
        if base == "flag":
            return f"({x} if _type({x}) is _bool else _BAD)"
        if base == "instant":
            return f"(_inst({x}) if _type({x}) is _str else _BAD)"
        if base == "date":
            return f"_dt({x})"
        if base == "duration":
            return f"_dur({x})"
        if base in ("choice", "concept"):
            return f"({table}.get({x}, _BAD) if _type({x}) is _str else _BAD)"
        assert base == "nested", kind
        walk = f"_walk_{kind.model.__name__}"  # type: ignore[union-attr]
        return f"({walk}({x}, {path}, out) if _type({x}) is _dict else _BAD)"

    def _generate(self, cls: type) -> Callable[[Any, str, list[Failure]], Any]:
        """The walk of a ``cls`` object ``d`` (a dict) at path ``p``: the value, or
        :data:`_BAD` with the failures found noted in ``out``; as cattrs structures it."""
        name = cls.__name__
        fields = attrs.fields(cls)
        known = self._ns.bind(frozenset(a.name for a in fields))
        src = [f"def _walk_{name}(d, p, out):", "    n = _len(out)"]
        for a, (_, kind) in zip(fields, _fields.kinds(cls), strict=True):
            f, v = a.name, f"a_{a.name}"
            leaf = attrs.evolve(kind, many=False, unique=False, non_empty=False)
            table = hook = ""
            if kind.base == "concept" and kind.vocabulary is None:
                # the vocabulary is chosen by the sibling's value, as the converter picks
                # its hook (an unknown or missing choice: the first binding)
                chosen = chosen_vocabularies(cls, f)
                tables = {m.value: self._table(voc) for m, voc in chosen.items()}
                hooks = {m.value: self._hook(leaf, voc) for m, voc in chosen.items()}
                first = next(iter(tables))
                t_first, h_first = self._ns.bind(tables[first]), self._ns.bind(hooks[first])
                sib = kind.vocabulary_from
                src += [
                    f"    s_{f} = d.get('{sib}')",
                    f"    if _type(s_{f}) in (_list, _dict): raise _Defer",
                    f"    t_{f} = {self._ns.bind(tables)}.get(s_{f}, {t_first})",
                    f"    h_{f} = {self._ns.bind(hooks)}.get(s_{f}, {h_first})",
                ]
                table, hook = f"t_{f}", f"h_{f}"
            elif kind.base == "concept":
                assert kind.vocabulary is not None
                table = self._ns.bind(self._table(kind.vocabulary))
            elif kind.base == "choice":
                assert kind.choices is not None
                table = self._ns.bind({m.value: m for m in kind.choices})
            if not hook:
                hook = self._ns.bind(self._hook(leaf, kind.vocabulary))
            here = f"p + '.{f}'"
            src.append(f"    x = d.get('{f}', _NONE)")
            if a.default is attrs.NOTHING:
                src += [
                    "    if x is _NONE:",
                    f"        {v} = _BAD",
                    f"        out.append(_missing({here}))",
                ]
            else:
                src += ["    if x is _NONE:", f"        {v} = {self._ns.bind(a.default)}"]
            if kind.many:
                # a list refused as a whole (null, not a list, too many items): its reason
                # does not depend on the items, nor on a chosen vocabulary
                vocab = self._vocabs[kind.vocabulary] if kind.vocabulary else None
                whole = self._ns.bind(_field_hook(self._converter, kind, vocab, self._limits))
                item = self._read(leaf, "c", table, f"f'{{p}}.{f}[{{i}}]'")
                failed = "_type(c) is not _dict" if kind.base == "nested" else f"{item} is _BAD"
                src += [
                    f"    elif _type(x) is _list and _len(x) <= {self._limits.items}:",
                    f"        {v} = _tuple([{item} for i, c in _enumerate(x)])",
                    f"        if _BAD in {v}:",
                    (
                        f"            out.extend((f'{{p}}.{f}[{{i}}]', {hook}, c)"
                        f" for i, c in _enumerate(x) if {failed})"
                    ),
                    "    else:",
                    f"        {v} = _BAD",
                    f"        out.append(({here}, {whole}, x))",
                ]
            elif kind.base == "nested":
                walk = f"_walk_{kind.model.__name__}"  # type: ignore[union-attr]
                src += [
                    "    elif _type(x) is _dict:",
                    f"        {v} = {walk}(x, {here}, out)",
                    "    else:",
                    f"        {v} = _BAD",
                    f"        out.append(({here}, {hook}, x))",
                ]
            else:
                src += [
                    "    else:",
                    f"        {v} = {self._read(kind, 'x', table, here)}",
                    f"        if {v} is _BAD: out.append(({here}, {hook}, x))",
                ]
        src += [
            f"    if not d.keys() <= {known}: out.append(_unknown(p))",
            "    if _len(out) != n: return _BAD",
        ]
        src += self._construct(cls)
        return self._ns.run("\n".join(src), f"_walk_{name}")  # type: ignore[no-any-return]

    def _construct(self, cls: type) -> list[str]:
        """The lines that end a walk: build ``cls`` from its values ``a_<field>``, or say
        why not. Filled as the fast path fills it where it can (the values' types are
        certain); when a guard or an invariant fails, the class itself says why."""
        names = [a.name for a in attrs.fields(cls)]
        src: list[str] = []
        if is_fillable(cls):
            lines = fill(cls, {n: f"a_{n}" for n in names}, self._ns, typed=True)
            src.append("    try:")
            src += [f"        {line}" for line in [*lines, *post_init(cls)]]
            src += ["        return _o", "    except Exception:", "        pass"]
        src.append("    try:")
        src.append(f"        return {self._ns.bind(cls)}({', '.join(f'a_{n}' for n in names)})")
        src.append("    except Exception as e:")
        src.append("        return _failed(e, p, out)")
        return src

    def _generate_mirror(self, cls: type) -> Callable[[Any, str, list[Failure]], Any]:
        """The walk of a ``cls`` mirror ``w`` (decoded by the fast path's msgspec types,
        which have checked the shape and types cattrs checks) at path ``p``: only the
        leaves' values and the classes themselves can fail."""
        name = cls.__name__
        src = [f"def _mirror_{name}(w, p, out):", "    n = _len(out)"]
        for a, (_, kind) in zip(attrs.fields(cls), _fields.kinds(cls), strict=True):
            f, v = a.name, f"a_{a.name}"
            leaf = attrs.evolve(kind, many=False, unique=False, non_empty=False)
            table = hook = ""
            if kind.base == "concept" and kind.vocabulary is None:
                # the vocabulary is chosen by a sibling choice field's member
                chosen = chosen_vocabularies(cls, f)
                tables = {m: self._table(voc) for m, voc in chosen.items()}
                hooks = {m: self._hook(leaf, voc) for m, voc in chosen.items()}
                sib = kind.vocabulary_from
                src.append(f"    t_{f} = {self._ns.bind(tables)}[w.{sib}]")
                src.append(f"    h_{f} = {self._ns.bind(hooks)}[w.{sib}]")
                table, hook = f"t_{f}", f"h_{f}"
            elif kind.base == "concept":
                assert kind.vocabulary is not None
                table = self._ns.bind(self._table(kind.vocabulary))
                hook = self._ns.bind(self._hook(leaf, kind.vocabulary))
            elif kind.base in ("instant", "date"):
                hook = self._ns.bind(self._hook(leaf, None))
            x = f"w.{f}"
            if kind.many and kind.base == "concept":
                src += [
                    f"    {v} = _tuple([{table}.get(c, _BAD) for c in {x}])",
                    f"    if _BAD in {v}:",
                    (
                        f"        out.extend((f'{{p}}.{f}[{{i}}]', {hook}, c)"
                        f" for i, c in enumerate({x}) if c not in {table})"
                    ),
                ]
            elif kind.many and kind.base == "nested":
                check = f"_mirror_{kind.model.__name__}"  # type: ignore[union-attr]
                src.append(
                    f"    {v} = _tuple([{check}(c, f'{{p}}.{f}[{{i}}]', out)"
                    f" for i, c in enumerate({x})]) if {x} else ()"
                )
            elif kind.many or kind.base in ("text", "id", "zone", "flag", "duration", "choice"):
                src.append(f"    {v} = {x}")  # typed by msgspec; the class checks the rest
            else:
                if kind.base == "nested":
                    read = f"_mirror_{kind.model.__name__}({x}, p + '.{f}', out)"  # type: ignore[union-attr]
                elif kind.base == "concept":
                    read = f"{table}.get({x}, _BAD)"
                elif kind.base == "instant":
                    read = f"_inst({x})"
                else:
                    assert kind.base == "date", kind
                    read = f"_dt({x})"
                if kind.optional:
                    read = f"None if {x} is None else {read}"
                src.append(f"    {v} = {read}")
                if kind.base != "nested":
                    src.append(f"    if {v} is _BAD: out.append((p + '.{f}', {hook}, {x}))")
        src.append("    if _len(out) != n: return _BAD")
        src += self._construct(cls)
        return self._ns.run("\n".join(src), f"_mirror_{name}")  # type: ignore[no-any-return]

    def error(self, data: bytes, cls: type) -> ValidationError | None:
        """The reference converter's error for the document ``data`` of type ``cls``, or
        ``None`` when this path cannot say (the converter decides: a document it accepts,
        or one refused as a whole, before its content is read)."""
        if (
            len(data) > self._limits.document_bytes
            or data.startswith(_BOM)
            or b"\x00" in data
            or _ESCAPED_COLON in data
            or (b"\\u" in data and _SURROGATE_ESCAPE.search(data) is not None)
        ):
            return None
        try:
            doc = self._decode(data)
        except Exception:
            return None
        # what is refused as a whole (a key repeated, see _fast._keys; not an object; a
        # schema version to check or upgrade) the converter refuses cheaply itself
        if (
            type(doc) is not dict
            or type(doc.get("schema_version")) is not int
            or doc["schema_version"] not in SAME_BODY
            or data.count(b":") != self._encode(doc).count(b":")
        ):
            return None
        del doc["schema_version"]
        walk = self._walks.get(cls)
        if walk is None:
            return None
        out: list[Failure] = []
        try:
            if walk(doc, "$", out) is not _BAD or not out:
                return None
        except _Defer:
            return None
        return self._listed(out)

    def error_of_mirror(self, wire: Any, cls: type) -> ValidationError | None:
        """:meth:`error` for a document the fast path decoded (``wire``, its mirror) but could
        not build: the same error, from a cheaper walk."""
        mirror = self._mirrors.get(cls)
        if mirror is None:
            return None
        out: list[Failure] = []
        if mirror(wire, "$", out) is not _BAD or not out:
            return None
        return self._listed(out)

    def _listed(self, out: list[Failure]) -> ValidationError | None:
        """The error of the failures ``out``: the first of them by path with their reasons."""
        out.sort(key=operator.itemgetter(0))
        keep = min(self._limits.violations, len(out))
        while keep < len(out) and out[keep][0] == out[keep - 1][0]:
            keep += 1  # a tie at the edge: its order is decided by the codes
        listed = []
        # a hook's answer for a value, once (records repeat their values; text hashes)
        reasons: dict[tuple[Any, str], tuple[str, str]] = {}
        for path, hook, value in out[:keep]:
            if hook is None:
                listed.append(value)
                continue
            key = (hook, value) if type(value) is str else None
            reason = None if key is None else reasons.get(key)
            if reason is None:
                try:
                    hook(value, None)
                except InvalidError as exc:
                    reason = (exc.code, exc.message)
                else:
                    return None  # the reference reads it: not a failure this path explains
                if key is not None:
                    reasons[key] = reason
            listed.append(Violation(path, *reason))
        return ValidationError(listed, self._limits.violations, more=len(out) - keep)
