"""The cache's file format: a value of a declared type as plain JSON data, and back.

Driven by the declared types, starting from the root type the caller names (the
KnowledgeBase): a model or dataclass is the list of its field values in declaration
order (trailing fields that hold a plain default left out), an enum its value, a tuple a
list, a dict a list of [key, value] pairs, a path its text; equal models that hold
nothing mutable are written once, and a field marked deferred waits, as JSON, until it is
first read. So the data names no type at all, and reading it can build nothing but the
types the code itself declares. Pure: no files, no environment
(:mod:`hipthrust_cli.kb.cache` stores and reads the bytes).
"""

from __future__ import annotations

import collections.abc
import dataclasses
import enum
import hashlib
import json
import math
import threading
import types
import typing
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel

from hipthrust_cli.kb.rows import (
    DEFERRED,
    DERIVED,
    INLINE,
    LAZY,
    PLAIN,
    Decode,
    Encode,
    LazyItems,
    Lines,
    Unsupported,
    check_finite,
    dataclass_decoder,
    dict_of,
    each,
    enum_codec,
    is_scalar_type,
    model_decoder,
    optional,
    pairs,
    path_decoder,
    plain_container,
    same,
    same_plain,
    trailing_defaults,
    tuple_of,
)

__all__ = ["FORMAT", "Unsupported", "decode", "encode"]

FORMAT = 7


# The file is lines of JSON: a signature of that layout (every class, field, annotation
# and default), then [tables, value, digest], then one line per deferred value (see
# rows.Deferred; the digest is theirs). A layout that changed since the file was written
# is a miss. Fields by position keep the file small, and building each model costs one
# call, which is what makes a hit fast (benchmarks/README.md). A frozen model that holds
# nothing mutable is written once per distinct row, in its table, and referred to by its
# index there (see _Codecs._table).


def _is_plain(value: Any) -> bool:
    """Whether *value* is JSON as it stands (finite numbers, string keys)."""
    if isinstance(value, PLAIN) and not isinstance(value, enum.Enum):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_is_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain(v) for k, v in value.items())
    return False


def _check_plain(value: Any) -> Any:
    if not _is_plain(value):
        raise Unsupported(f"{type(value).__name__} where plain data was declared")
    return value


class _Codecs:
    """Encoders and decoders for every type reachable from a root type, built once."""

    def __init__(self, root: Any) -> None:
        self.classes: dict[tuple[type, bool], tuple[Encode, Decode]] = {}
        self.layout: list[str] = []
        # Per table: the models decoded from it (filled while a value is decoded), the
        # row decoder, and while encoding, each distinct row's index and the rows.
        self.tables: list[tuple[list[Any], Decode, dict[Any, int], list[Any]]] = []
        self.shared: set[type] = set()  # the models written in a table
        # Building the codec of a field marked INLINE: its models are never tabled.
        self.inline = False
        # While encoding: the JSON of each deferred value, one line each after the value.
        # While decoding: those lines and the tables, for a deferred value decoded later.
        self.lines: list[str] = []
        self.source: tuple[list[list[Any]], Lines] = ([], Lines(b""))
        self.lock = threading.RLock()  # the tables are filled and emptied per call
        encode, decode = self._for(root)
        self.encode: Encode = encode or same
        self.decode: Decode = decode or same
        self.signature = hashlib.sha256("\n".join(self.layout).encode()).hexdigest()

    def _for(self, tp: Any) -> tuple[Encode | None, Decode | None]:
        """(encode, decode) for values of type *tp*; None means "as it is"."""
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin is typing.Annotated:
            return self._for(args[0])
        if tp in PLAIN:
            return None, None
        if tp is float:
            return check_finite, None
        if origin is typing.Literal:
            kinds = {type(a) for a in args}
            if len(kinds) == 1 and issubclass(next(iter(kinds)), enum.Enum):
                return self._for(next(iter(kinds)))
            if all(isinstance(a, PLAIN) for a in args):
                return None, None
            raise Unsupported(repr(tp))
        if origin in (typing.Union, types.UnionType):
            members = [a for a in args if a is not type(None)]
            if len(members) == 1:
                enc, dec = self._for(members[0])
                return optional(enc), optional(dec)
            if all(self._for(m) == (None, None) or plain_container(m) for m in members):
                return _check_plain, None
            raise Unsupported(repr(tp))
        if origin in (list, collections.abc.Sequence):
            enc, dec = self._for(args[0])
            return each(enc), each(dec)
        if origin is tuple:
            # tuple[X, ...], or a fixed tuple whose items all have one type
            if not (len(args) == 2 and args[1] is Ellipsis) and len(set(args)) != 1:
                raise Unsupported(repr(tp))
            enc, dec = self._for(args[0])
            return each(enc), tuple_of(dec)
        if origin is dict:
            kenc, kdec = self._for(args[0])
            venc, vdec = self._for(args[1])
            return pairs(kenc, venc), dict_of(kdec, vdec)
        if isinstance(tp, type):
            if issubclass(tp, enum.Enum):
                return enum_codec(tp)
            if issubclass(tp, PurePath):
                return str, path_decoder()
            if issubclass(tp, BaseModel) or dataclasses.is_dataclass(tp):
                return self._class(tp)
        raise Unsupported(repr(tp))

    def _class(self, cls: type) -> tuple[Encode, Decode]:
        inline, self.inline = self.inline, False  # (the models it holds: as they are)
        found = self.classes.get((cls, inline))
        if found is not None:
            return found
        # Late-bound, so a model that refers to itself (directly or not) still works.
        slot: list[tuple[Encode | None, Decode | None]] = []

        def encode_late(value: Any) -> Any:
            return slot[0][0](value)  # type: ignore[misc]

        def decode_late(row: Any) -> Any:
            return slot[0][1](row)  # type: ignore[misc]

        self.classes[(cls, inline)] = (encode_late, decode_late)
        marked: set[str] = set()
        if issubclass(cls, BaseModel):
            fields = {n: f.annotation for n, f in cls.model_fields.items()}
            marked = {n for n, f in cls.model_fields.items() if INLINE in f.metadata}
        else:
            hints = typing.get_type_hints(cls, include_extras=True)
            declared: Any = cls
            fields = {
                f.name: hints[f.name]
                for f in dataclasses.fields(declared)
                if f.init or DERIVED in _metadata(hints[f.name])
            }
        defaults = trailing_defaults(cls)
        marked |= {n for n, t in fields.items() if INLINE in _metadata(t)}
        self.layout.append(f"{cls.__module__}:{cls.__qualname__}{' (inline)' * inline}")
        self.layout += [
            f"  {n}: {t!r} = {defaults.get(n)!r}{' INLINE' * (n in marked)}"
            for n, t in fields.items()
        ]
        names = list(fields)
        codecs = []
        for n, t in fields.items():
            self.inline = n in marked
            codecs.append(
                self._lazy(typing.get_args(typing.get_args(t)[0])[0])
                if LAZY in _metadata(t)
                else self._for(t)
            )
        self.inline = False
        deferred = frozenset(n for n, t in fields.items() if DEFERRED in _metadata(t))
        derived = frozenset(n for n, t in fields.items() if DERIVED in _metadata(t))
        if deferred or derived:
            plain = not hasattr(cls, "__post_init__") and "__slots__" not in vars(cls)
            if not (plain and "__getattr__" in vars(cls)):
                raise Unsupported(f"{cls.__name__} cannot defer or derive a field")
            codecs = [
                self._deferred(c) if n in deferred else c
                for n, c in zip(names, codecs, strict=True)
            ]
        encoders = list(zip(names, [c[0] for c in codecs], strict=True))
        decoders = [c[1] for c in codecs]
        # The shortest row that may be written: fields after it all have plain defaults.
        required = len(names)
        while required and names[required - 1] in defaults:
            required -= 1
        tail = [defaults[n] for n in names[required:]]

        def encode_row(value: Any) -> Any:
            if type(value) is not cls:  # a subclass would come back as its parent
                raise Unsupported(f"{type(value).__name__} where {cls.__name__} was declared")
            row = [getattr(value, n) if e is None else e(getattr(value, n)) for n, e in encoders]
            # Trailing fields that hold their default are left out (most choices are
            # neither exclusive nor neutral): less JSON to parse, the first cost of a hit.
            while len(row) > required and same_plain(row[-1], tail[len(row) - 1 - required]):
                row.pop()
            return row

        if issubclass(cls, BaseModel):
            decode: Decode = model_decoder(cls, names, decoders, tail)
            key: Callable[[list[Any]], Any] | None = None
            frozen = cls.model_config.get("frozen", False)
            if frozen and all(is_scalar_type(t) for t in fields.values()):
                # Numbers can alias (1 == 1.0 == True): then the key holds each type too.
                typed = any(is_scalar_type(t, (int, float)) for t in fields.values())
                key = _typed_key if typed else tuple
            elif frozen and all(self._immutable(t) for t in fields.values()):
                key = _json_key  # a row holding lists (a fix's conditions, their answers)
            if key is not None and not inline:
                self.layout.append("  (a table)")
                self.shared.add(cls)
                encode, decode = self._table(encode_row, decode, key)
            else:
                encode = encode_row
        else:
            decode = dataclass_decoder(cls, names, decoders, tail, deferred, bool(derived))
            encode = encode_row
        slot.append((encode, decode))
        return encode, decode

    def _deferred(self, codec: tuple[Encode | None, Decode | None]) -> tuple[Encode, Decode]:
        """A value written on a line of its own; read back, a function that decodes it."""
        enc, dec = codec

        def encode(value: Any) -> int:
            data = value if enc is None else enc(value)
            self.lines.append(json.dumps(data, separators=(",", ":"), allow_nan=False))
            return len(self.lines) - 1

        def decode(line: int) -> Callable[[], Any]:
            tables, lines = self.source
            lines.claim(line, 1)

            def load() -> Any:
                return self._later(tables, lines, [line], dec)[0]

            return load

        return encode, decode

    def _lazy(self, item: Any) -> tuple[Encode, Decode]:
        """A list with each item on a line of its own; read back, a :class:`LazyItems`.

        Its line is decoded with the file's tables, so models tabled in one cause are
        shared with the rest as ever; a field whose rows are each cause's own (its
        likelihood rows, 77,077 distinct at 1,000x) is marked INLINE, so that a hit does
        not build them all in a table.
        """
        enc, dec = self._for(item)

        def encode(items: Any) -> list[int]:
            first = len(self.lines)
            for value in items:
                data = value if enc is None else enc(value)
                self.lines.append(json.dumps(data, separators=(",", ":"), allow_nan=False))
            return [first, len(self.lines) - first]

        def decode(value: Any) -> LazyItems:
            tables, lines = self.source
            if type(value) is not list or len(value) != 2:
                raise Unsupported("a lazy list that is not one")
            first, count = value
            lines.claim(first, count)

            def load(indices: list[int]) -> list[Any]:
                return self._later(tables, lines, [first + i for i in indices], dec)

            return LazyItems(count, load)

        return encode, decode

    def _later(
        self, tables: list[list[Any]], lines: Lines, wanted: list[int], dec: Decode | None
    ) -> list[Any]:
        """The values on the *wanted* deferred lines, decoded with the file's *tables*."""
        with self.lock:  # the tables as they were when the value was read
            for (models, _, _, _), saved in zip(self.tables, tables, strict=True):
                models[:] = saved
            try:
                # One parse for all of them: a JSON list of the lines.
                found = json.loads(
                    b"[" + b",".join(map(lines.line, wanted)) + b"]", parse_constant=_no_constants
                )
                return found if dec is None else list(map(dec, found))
            finally:
                for models, _, _, _ in self.tables:
                    models.clear()

    def _immutable(self, tp: Any) -> bool:
        """Whether values of *tp* hold nothing mutable: scalars, enums, tuples, shared models."""
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin is typing.Annotated:
            return self._immutable(args[0])
        if is_scalar_type(tp):
            return True
        if origin in (typing.Union, types.UnionType, tuple):
            return all(self._immutable(a) for a in args if a is not Ellipsis)
        return isinstance(tp, type) and (issubclass(tp, enum.Enum) or tp in self.shared)

    def _table(
        self, encode_row: Encode, decode_row: Decode, key: Callable[[list[Any]], Any]
    ) -> tuple[Encode, Decode]:
        """Equal rows written once, for a frozen model holding nothing mutable; a value is an index.

        Its fields are scalars, enums, tuples, or models shared in the same way, so equal
        ones are interchangeable, and each distinct one is built once. The same choices
        ("yes", "no", "not sure"), priors and fixes recur throughout: at 1,000x, 148,144
        choices are 188 distinct ones, 35,035 fixes 35 (benchmarks/README.md).
        """
        models: list[Any] = []
        index: dict[Any, int] = {}
        rows: list[Any] = []
        self.tables.append((models, decode_row, index, rows))

        def encode(value: Any) -> int:
            row = encode_row(value)
            row_key = key(row)
            found = index.get(row_key)
            if found is None:
                found = index[row_key] = len(rows)
                rows.append(row)
            return found

        # A reference is one C call, with no Python frame: a bad index raises, a miss.
        return encode, models.__getitem__


def _typed_key(row: list[Any]) -> Any:
    return tuple((type(v), v) for v in row)


def _json_key(row: list[Any]) -> Any:
    # The row as it will be written: JSON tells 1, 1.0 and true apart, as the file does.
    return json.dumps(row, separators=(",", ":"), allow_nan=False)


_CODECS: dict[Any, _Codecs] = {}


def _metadata(tp: Any) -> tuple[Any, ...]:
    return tp.__metadata__ if typing.get_origin(tp) is typing.Annotated else ()


def _codecs(root: Any) -> _Codecs:
    found = _CODECS.get(root)
    if found is None:
        found = _CODECS[root] = _Codecs(root)
    return found


def encode(value: Any, root: Any) -> bytes:
    """*value* (of type *root*) as lines of plain JSON: the layout, the data, deferred values."""
    codecs = _codecs(root)
    with codecs.lock:
        try:
            body = codecs.encode(value)
            tables = [rows for _, _, _, rows in codecs.tables]
            rest = "".join(f"{line}\n" for line in codecs.lines).encode()
            # The deferred lines are decoded later, when a miss is no longer possible:
            # their digest, checked on every read, makes a damaged one a miss now.
            digest = hashlib.sha256(rest).hexdigest()
            data = json.dumps([tables, body, digest], separators=(",", ":"), allow_nan=False)
        finally:
            for _, _, index, rows in codecs.tables:
                index.clear()
                rows.clear()
            codecs.lines.clear()
    return f"{json.dumps(codecs.signature)}\n{data}\n".encode() + rest


def _no_constants(name: str) -> float:
    raise Unsupported(name)  # NaN and infinities are never written, so never read


def decode(data: bytes, root: Any) -> Any:
    """The value :func:`encode` wrote; raises ValueError, TypeError or :class:`Unsupported`."""
    codecs = _codecs(root)
    # Found, not split: the deferred lines are most of the file and are not copied.
    head = data.index(b"\n")
    body = data.index(b"\n", head + 1)
    if json.loads(data[:head]) != codecs.signature:
        raise Unsupported("written for another layout of the models")
    tables, value, digest = json.loads(data[head + 1 : body], parse_constant=_no_constants)
    if len(tables) != len(codecs.tables):
        raise Unsupported("a different number of tables")
    if digest != hashlib.sha256(memoryview(data)[body + 1 :]).hexdigest():
        raise Unsupported("the deferred values were changed")
    with codecs.lock:
        try:
            for (models, decode_row, _, _), rows in zip(codecs.tables, tables, strict=True):
                models[:] = map(decode_row, rows)
            lines = Lines(data, body + 1)
            codecs.source = ([list(models) for models, _, _, _ in codecs.tables], lines)
            decoded = codecs.decode(value)
            if lines.claimed != len(lines.ends):  # every deferred line is some value's, once
                raise Unsupported("deferred lines that no value holds")
            return decoded
        finally:
            for models, _, _, _ in codecs.tables:
                models.clear()
            codecs.source = ([], Lines(b""))
