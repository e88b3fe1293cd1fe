"""A fast path for the wire format, derived from the field kinds (private).

:mod:`missingcare.converters.hooks` is the reference: a cattrs converter
whose hooks check every leaf in Python. This module reaches the same results
faster, from the same :class:`~missingcare._fields.FieldKind` of each field:

* **load** — the JSON bytes are decoded by msgspec into generated
  ``msgspec.Struct`` mirrors of the wire format (strict types, ``null``
  refused, unknown keys refused, required keys enforced, enumerations by
  value), then generated code turns each mirror into the model: codes are
  resolved through the vocabularies, instants are parsed as
  :func:`missingcare.time.parse_instant` parses them (see ``_CANONICAL``),
  and the attrs instance is filled directly by :func:`._make.fill` with the
  guards its kinds imply for values whose types are already certain (text
  not blank nor too long, zone known, no repeated concepts), then the
  class's own ``__attrs_post_init__`` invariants run. A class whose
  ``__init__`` does more than its kinds say is built by calling it. Whenever
  *anything* fails, the document goes to the refusal path (:mod:`._refuse`),
  which lists the reference converter's violations without it (the same
  :class:`~missingcare.exceptions.ValidationError`, path for path), or, when
  it cannot say, to the reference converter, which builds the value or
  raises the exact error it always raises: the fast path only ever accepts
  documents it fully accepted.
* **dump** — generated code copies each model value into generated Structs
  that mirror its class field for field (codes for concepts), and msgspec
  encodes them, omitting defaults as the converter's omit-if-default does;
  msgspec's text for UTC instants, dates and strings is byte-for-byte the
  converter's (checked by ``tests/test_converters_fast.py``). On any failure
  the reference converter is used.

>>> from missingcare import ChildRef, CaseFile
>>> wire = FastWire()
>>> data = wire.dump(CaseFile(child=ChildRef("C-1")))
>>> data
b'{"schema_version":2,"child":{"id":"C-1"}}'
>>> wire.load(data, CaseFile).child.id
'C-1'
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta
from typing import Annotated, Any, TypeVar

import attrs
import cattrs
import msgspec

from missingcare import _fields
from missingcare._fields import FieldKind
from missingcare.converters import _documents, _reference
from missingcare.converters._documents import (
    DOCUMENTS,
    MODELS,
    SAME_BODY,
    SCHEMA_VERSION,
    chosen_vocabularies,
)
from missingcare.converters._limits import DEFAULT_LIMITS, Limits
from missingcare.converters._make import Namespace, fill, is_fillable, post_init
from missingcare.converters._refuse import Refusal
from missingcare.converters.hooks import date_hook, make_converter, param_document, param_hook
from missingcare.time import (
    EARLIEST,
    LATEST,
    format_instant,
    parse_computed_instant,
    parse_instant,
)
from missingcare.vocab import Vocabulary

__all__ = ["FastWire", "default_wire"]

T = TypeVar("T")


#: Canonical instant text, with every ASCII digit turned into "0" (see below).
_CANONICAL = frozenset((b"0000-00-00T00:00:00Z", b"0000-00-00T00:00:00.000000Z"))
_DIGITS = bytes.maketrans(b"0123456789", b"0000000000")

# Why ``fromisoformat(text)`` may stand for ``parse_instant(text)`` when
# ``text.encode().translate(_DIGITS)`` is in ``_CANONICAL``: translate only
# changes ASCII digits, and UTF-8 encodes any non-ASCII character as bytes
# >= 0x80 that no template holds, so ``text`` is ASCII with digits exactly
# where the template has "0" and the template's separators elsewhere. Such
# text matches ``time._RFC3339``, ``text.upper()`` is ``text`` itself, and
# ``fromisoformat`` of it is a plain UTC datetime (the "Z"), which
# ``instant()`` returns unchanged: ``parse_instant`` returns the same value,
# or fails exactly when ``fromisoformat`` raises (February 30th), in which
# case the fast path falls back. Any other text goes to ``parse_instant``.
# (msgspec's own datetime type is not used: it accepts more than the
# converter, such as naive times, a space for "T", "+0100" and nanoseconds.)


#: Instants already parsed in the document being read, by text: records repeat
#: them (a status starts when the child was last seen; the return is often the
#: end). Datetimes are immutable, so sharing one object between records is safe
#: and saves memory. At most ``_SEEN_MAX`` are remembered, and the cache is
#: emptied when each load ends, accepted or refused: it never keeps a
#: document's instants after the document is read.
_SEEN: dict[str, datetime] = {}
_SEEN_MAX = 1 << 14

#: Canonical instant text sorts as the instant does, so the accepted range
#: (``time.EARLIEST`` to ``time.LATEST``) is two comparisons of the text:
#: ``_LO`` is a prefix of every canonical text of the first second of 1900,
#: and every canonical text of the last second of 2200 sorts at or before
#: ``_HI`` ("." sorts before "Z"). Text outside goes to ``parse_instant``,
#: which refuses it (``out_of_range``).
_LO = format_instant(EARLIEST)[:19]
_HI = format_instant(LATEST.replace(microsecond=0))

#: The build expression for an instant's text ``{ref}``: the instant seen
#: before, or ``fromisoformat`` of canonical text in range, remembered while
#: there is room, or else ``parse_instant`` (see above). Every call in it is
#: into C, so reading an instant costs no Python frame.
_INSTANT_EXPR = (
    "(_SEEN_GET(x := {ref}) or (((_SEEN_SET(x, _fromiso(x)) if _len(_SEEN) < _SEEN_MAX"
    " else _fromiso(x)) if _LO <= x <= _HI and x.encode().translate(_DIGITS) in _CANONICAL"
    " else _parse_instant(x))))"
)

#: The escape of a colon (``\\u003a`` or ``\\u003A``) begins so: in a document
#: that holds it, the key count below is not to be trusted (see ``_keys``).
_ESCAPED_COLON = b"\\u003"


#: The wire type of one value of each base (choices and nested values: their own types).
_WIRE: Mapping[str, type] = {
    "text": str,
    "id": str,
    "zone": str,
    "flag": bool,
    "date": str,
    "duration": timedelta,
    "instant": str,
    "concept": str,
}


#: How many colons a document's bytes hold (a count in C, with no Python frame).
#:
#: Why this proves a decoded document had no key twice: in JSON a colon
#: follows each key, once, whatever the white space, and is otherwise only
#: inside a string, where it is written as itself unless escaped. When
#: ``data`` holds no ``_ESCAPED_COLON``, ``_keys(data)`` is the number of keys
#: plus the colons inside strings. The wire mirror written back by msgspec,
#: defaults omitted, holds at most one key for each distinct key decoded,
#: and only strings that were in ``data``, with colons written as
#: themselves: its count is at most ``_keys(data)``, and equal only if no
#: key was repeated (msgspec keeps the last of repeated keys). When the
#: counts differ, or ``data`` holds ``_ESCAPED_COLON``, the reference path,
#: which checks each object's keys, decides.
_keys: Callable[[bytes], int] = operator.methodcaller("count", b":")

# _CANONICAL_DOCUMENT: a document whose bytes are exactly its wire mirror written back
# by msgspec has no key twice, whatever it holds, without counting: a Struct is written
# with each of its fields at most once, so the bytes written hold no object with a
# repeated key, and they are the document. This is every document ``to_json`` wrote
# (the mirror is written as the writer writes: the same field order, schema_version
# first, defaults omitted), so the count, two passes over the bytes in C, is only paid
# for text written otherwise.


def _date_text(value: str) -> date:
    return date_hook(value, None)


def _param(value: Any) -> tuple[str, Any]:
    return param_hook(value, None)


def _tuple_of(item: Any) -> Any:
    """The type ``tuple[item, ...]`` for an item type known only at run time."""
    return tuple.__class_getitem__((item, ...))


class _Plan:
    """How one model class travels: its wire mirror and generated build/dump code."""

    __slots__ = ("build", "document", "fields", "json", "source", "struct")

    def __init__(self) -> None:
        self.source = ""
        self.fields: list[tuple[str, Any, Any]] = []
        self.struct: type[msgspec.Struct]
        self.build: Callable[[Any], Any]
        self.document: Callable[[Any], msgspec.Struct]
        self.json: Callable[[Any], bytes]


class FastWire:
    """Fast load and dump of top-level documents, equivalent to the reference converter.

    ``vocabularies`` replaces core vocabularies by name, as for
    :func:`missingcare.converters.make_converter`; the reference converter
    built with the same vocabularies and ``limits`` answers every document
    the fast path does not accept.
    """

    def __init__(
        self,
        vocabularies: Iterable[Vocabulary] | Mapping[str, Vocabulary] | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self._vocabs = _documents.vocabularies(vocabularies)
        self._limits = limits
        self._converter: cattrs.Converter = make_converter(vocabularies, limits=limits)
        self._plans: dict[type, _Plan] = {}
        self._tables: dict[str, dict[str, Any]] = {}
        self._ns = Namespace()
        self._encoder = msgspec.json.Encoder()
        self._ns.env.update(
            {
                "_ENCODE": self._encoder.encode,
                "_SEEN": _SEEN,
                "_SEEN_MAX": _SEEN_MAX,
                "_SEEN_GET": _SEEN.get,
                "_SEEN_SET": _SEEN.setdefault,
                "_LO": _LO,
                "_HI": _HI,
                "_parse_instant": parse_instant,
                "_fromiso": datetime.fromisoformat,
                "_DIGITS": _DIGITS,
                "_CANONICAL": _CANONICAL,
                "_CODE": operator.attrgetter("code"),
                "_date_text": _date_text,
                "_param": _param,
                "_computed": parse_computed_instant,
                "_param_document": param_document,
            }
        )
        for cls in MODELS:
            self._plan(cls)
        self._refusal = Refusal(self._converter, self._vocabs, limits, self._ns.env)
        self._decoders: dict[type, msgspec.json.Decoder[Any]] = {}
        for cls in DOCUMENTS:
            # schema_version first, as the writer puts it (see _CANONICAL_DOCUMENT)
            doc_struct = msgspec.defstruct(
                f"_Doc{cls.__name__}",
                [("schema_version", int), *self._plans[cls].fields],
                kw_only=True,
                forbid_unknown_fields=True,
                omit_defaults=True,
                gc=False,
            )
            self._decoders[cls] = msgspec.json.Decoder(doc_struct)
        #: each document type's (decode, build): what ``load`` needs, in one lookup
        self._readers: dict[type, tuple[Callable[[bytes], Any], Callable[[Any], Any]]] = {
            cls: (decoder.decode, self._plans[cls].build) for cls, decoder in self._decoders.items()
        }
        self._encode = self._encoder.encode
        self._max_bytes = limits.document_bytes
        self._dumpers: dict[type, Callable[[Any], bytes]] = {
            cls: self._plans[cls].json for cls in DOCUMENTS
        }

    @property
    def limits(self) -> Limits:
        """The limits every document read is held to."""
        return self._limits

    @property
    def dumpers(self) -> Mapping[type, Callable[[Any], bytes]]:
        """Each document type's generated writer: its value's bytes, in one Python frame.

        A writer raises on a value it cannot write (which a value built
        through the model's constructors never is); :meth:`dump` then hands
        the value to the reference converter.
        """
        return self._dumpers

    @property
    def converter(self) -> cattrs.Converter:
        """The reference converter that answers what the fast path does not."""
        return self._converter

    # --- generation ---------------------------------------------------------------

    def _table(self, name: str) -> dict[str, Any]:
        """The vocabulary ``name``'s code index, as a dict (the fastest lookup there is)."""
        if name not in self._tables:
            self._tables[name] = dict(self._vocabs[name].by_code)
        return self._tables[name]

    def _index(self, name: str) -> str:
        """The name, in the generated code, of the vocabulary ``name``'s code index."""
        return self._ns.bind(self._table(name))

    def _plan(self, cls: type) -> _Plan:
        plan = _Plan()
        struct_fields: list[tuple[str, Any, Any]] = []
        dump_fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
        values: dict[str, str] = {}  # field name -> build expression over the mirror ``w``
        name = cls.__name__
        src = [f"def _build_{name}(w):"]
        for a, (_, kind) in zip(attrs.fields(cls), _fields.kinds(cls), strict=True):
            index = None
            if kind.base == "concept":
                if kind.vocabulary is None:
                    # the vocabulary is chosen by a sibling choice field's member
                    chosen = chosen_vocabularies(cls, a.name)
                    table = {member: self._table(v) for member, v in chosen.items()}
                    index = f"_VF_{a.name}"
                    src.append(f"    {index} = {self._ns.bind(table)}[w.{kind.vocabulary_from}]")
                else:
                    index = self._index(kind.vocabulary)
            wire_tp, build = self._leaf(kind, index, f"w.{a.name}")
            if a.default is attrs.NOTHING:
                struct_fields.append((a.name, wire_tp, msgspec.NODEFAULT))
                dump_fields.append((a.name, Any))
            else:
                struct_fields.append((a.name, wire_tp, a.default))
                dump_fields.append((a.name, Any, a.default))
                if kind.optional and build != f"w.{a.name}":
                    build = f"None if w.{a.name} is None else {build}"
            values[a.name] = build
        # gc=False: a decoded mirror is a tree (no cycles) thrown away at once,
        # so the collector need not track it.
        # omit_defaults: written back (to count its keys, see _keys) as it was read
        plan.fields = struct_fields
        plan.struct = msgspec.defstruct(
            f"_Wire{name}",
            struct_fields,
            kw_only=True,
            forbid_unknown_fields=True,
            omit_defaults=True,
            gc=False,
        )
        self._ns.env[f"_W_{name}"] = plan.struct
        self._ns.env[f"_C_{name}"] = cls
        if is_fillable(cls):
            # the values __init__ would store, with the checks its kinds imply
            # for values of certain type, then the class's own invariants
            refs = {field: f"a_{field}" for field in values}
            src += [f"    a_{field} = {build}" for field, build in values.items()]
            src += [f"    {line}" for line in fill(cls, refs, self._ns, typed=True)]
            src += [f"    {line}" for line in post_init(cls)]
            src.append("    return _o")
        else:
            src.append(f"    return _C_{name}(" + ", ".join(values.values()) + ")")
        # dump through Structs that mirror the class field for field: msgspec
        # omits the defaults (as the converter's omit-if-default does) in C
        self._ns.env[f"_SD_{name}"] = msgspec.defstruct(
            f"_Dump{name}", dump_fields, omit_defaults=True, gc=False
        )
        self._ns.env[f"_SDOC_{name}"] = msgspec.defstruct(
            f"_DumpDoc{name}",
            [("schema_version", int), *dump_fields],
            omit_defaults=True,
            gc=False,
        )
        args = ", ".join(self._dump_args(cls, "v", 0))
        src.append(f"def _sdoc_{name}(v):")
        src.append(f"    return _SDOC_{name}({SCHEMA_VERSION}, {args})")
        # the document's bytes in one frame (to_json's path: see dumpers)
        src.append(f"def _json_{name}(v):")
        src.append(f"    return _ENCODE(_SDOC_{name}({SCHEMA_VERSION}, {args}))")
        plan.source = "\n".join(src)
        plan.build = self._ns.run(plan.source, f"_build_{name}")
        plan.document = self._ns.env[f"_sdoc_{name}"]
        plan.json = self._ns.env[f"_json_{name}"]
        self._plans[cls] = plan
        return plan

    def _dump_args(self, cls: type, var: str, depth: int) -> list[str]:
        """The expressions giving the dump Struct's fields for ``cls`` value ``var``."""
        return [
            self._struct_dump(kind, f"{var}.{field}", depth) for field, kind in _fields.kinds(cls)
        ]

    def _struct_dump(self, kind: FieldKind, ref: str, depth: int) -> str:
        """The expression giving field ``ref``'s value in a dump Struct.

        Nested values are built inline (a comprehension for a tuple), not by a
        call per value: one Python frame per list instead of one per item.
        ``x{depth}`` and ``i{depth}`` name the value at each level of nesting;
        siblings reuse them, as each is bound and used within one argument.
        """
        x, i = f"x{depth}", f"i{depth}"
        if kind.base == "param":
            return f"([_param_document({i}) for {i} in {x}] if ({x} := {ref}) else ())"
        if kind.many:
            if kind.base == "concept":
                return f"(list(map(_CODE, {x})) if ({x} := {ref}) else ())"
            if kind.base == "nested":
                call = self._dump_call(kind.model, i, depth + 1)  # type: ignore[arg-type]
                return f"([{call} for {i} in {x}] if ({x} := {ref}) else ())"
            return ref
        if kind.base == "concept":
            return (
                f"(None if ({x} := {ref}) is None else {x}.code)"
                if kind.optional
                else f"{ref}.code"
            )
        if kind.base == "nested":
            call = self._dump_call(kind.model, x, depth + 1)  # type: ignore[arg-type]
            if kind.optional:
                return f"(None if ({x} := {ref}) is None else {call})"
            return f"({call} if ({x} := {ref}) is not None else None)"
        return ref

    def _dump_call(self, cls: type, var: str, depth: int) -> str:
        return f"_SD_{cls.__name__}({', '.join(self._dump_args(cls, var, depth))})"

    def _leaf(self, kind: FieldKind, index: str | None, ref: str) -> tuple[Any, str]:
        """(wire type, build expression over ``ref``) for a field of ``kind``."""
        if kind.base == "param":
            # a parameter's key says its type: read as the reference reads it
            wire_params: Any = Annotated[
                _tuple_of(dict[str, Any]), msgspec.Meta(max_length=self._limits.items)
            ]
            return wire_params, f"_tuple([_param(i) for i in {ref}])"
        if kind.many:
            item = attrs.evolve(kind, many=False, unique=False, non_empty=False)
            wire_item, build_item = self._leaf(item, index, "i")
            wire: Any = Annotated[_tuple_of(wire_item), msgspec.Meta(max_length=self._limits.items)]
            if build_item == "i":
                return wire, ref
            # map() over a C-level callable where there is one: no per-item frame
            if kind.base == "concept" and kind.vocabulary is not None:
                getter = self._ns.bind(self._table(kind.vocabulary).__getitem__)
                return wire, f"(_tuple(map({getter}, {ref})) if {ref} else ())"
            if kind.base == "nested":
                fn = f"_build_{kind.model.__name__}"  # type: ignore[union-attr]
                return wire, f"(_tuple(map({fn}, {ref})) if {ref} else ())"
            return wire, f"_tuple([{build_item} for i in {ref}])"
        if kind.base == "concept":
            return str, f"{index}[{ref}]"
        if kind.base == "instant" and kind.computed:
            return str, f"_computed({ref})"
        if kind.base == "instant":
            # the text, parsed as the converter parses it (see _CANONICAL)
            return str, _INSTANT_EXPR.format(ref=ref)
        if kind.base == "date":
            return str, f"_date_text({ref})"
        if kind.base == "choice":
            return kind.choices, ref
        if kind.base == "nested":
            model: Any = kind.model
            return self._plans[model].struct, f"_build_{model.__name__}({ref})"
        return _WIRE[kind.base], ref

    # --- public operations ------------------------------------------------------

    def load(
        self, data: bytes | str, cls: type[T], upgraded: _reference.Upgraded | None = None
    ) -> T:
        """Read a top-level document, exactly as :func:`~missingcare.converters.from_json`."""
        try:
            reader = self._readers.get(cls)
            raw = data
            if type(data) is str:
                try:
                    raw = data.encode()
                except UnicodeEncodeError:  # lone surrogates: the reference path says where
                    reader = None
            if reader is not None and type(raw) is bytes and len(raw) <= self._max_bytes:
                wire = read = None
                try:
                    wire = reader[0](raw)
                    again = self._encode(wire)
                    if wire.schema_version in SAME_BODY and (
                        again == raw  # see _CANONICAL_DOCUMENT
                        or (_ESCAPED_COLON not in raw and _keys(raw) == _keys(again))
                    ):
                        read = wire
                        built = reader[1](wire)
                except Exception:
                    pass
                else:
                    if read is not None:  # accepted (the callback runs outside the try)
                        _reference.noted(upgraded, read.schema_version)
                        return built  # type: ignore[no-any-return]
                # not accepted: refused without the converter when the refusal path can
                # say (decoded with a key repeated or another version: the converter's)
                error = None
                if read is not None:
                    error = self._refusal.error_of_mirror(read, cls)
                elif wire is None:
                    error = self._refusal.error(raw, cls)
                if error is not None:
                    raise error
            return _reference.loads(data, cls, self._converter, self._limits, upgraded)
        finally:
            _SEEN.clear()

    def load_lines(self, lines: Iterable[bytes | str], cls: type[T]) -> Iterator[T]:
        """Read one document per line (JSON lines); blank lines are skipped.

        The first invalid line raises its :class:`ValidationError`.
        """
        _reference.check_document(cls)
        for line in lines:
            if not line.strip():
                continue
            yield self.load(line, cls)

    def dump(self, value: object) -> bytes:
        """The JSON bytes of a top-level value, as :func:`~missingcare.converters.to_json`."""
        dump = self._dumpers.get(type(value))
        if dump is not None:
            try:
                return dump(value)
            except Exception:
                pass
        return _reference.dumps(value, self._converter)

    def dump_lines(self, values: Iterable[object]) -> bytes:
        """JSON lines: each value's document followed by a newline."""
        return b"".join(self.dump(v) + b"\n" for v in values)


@functools.lru_cache(maxsize=1)
def default_wire() -> FastWire:
    """The fast path bound to the core vocabularies (built once, on first use)."""
    return FastWire()
