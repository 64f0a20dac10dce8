"""The cache's file format: a value of a declared type as plain JSON data, and back.

Driven by the declared types, starting from the root type the caller names (the
KnowledgeBase): a model or dataclass is the list of its field values in declaration
order (trailing fields that hold a plain default left out), an enum its value, a tuple a
list, a dict a list of [key, value] pairs, a path its text. So the data names no type
at all, and reading it can build nothing but the types the code itself declares. Pure:
no files, no environment (:mod:`hipthrust_cli.kb.cache` stores and reads the bytes).
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import math
import types
import typing
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import Any

from pydantic import BaseModel

FORMAT = 5


# The file is two lines of JSON: a signature of that layout (every class, field,
# annotation and default), then the value; a layout that changed since the file was
# written is a miss. Fields by position keep
# the file small, and building each model costs one call, which is what makes a hit
# fast (benchmarks/README.md).


class Unsupported(Exception):
    """A value or type the cache cannot hold as plain data; nothing is then cached."""


Encode = Callable[[Any], Any]
Decode = Callable[[Any], Any]
_PLAIN = (str, int, bool, type(None))


def _is_plain(value: Any) -> bool:
    """Whether *value* is JSON as it stands (finite numbers, string keys)."""
    if isinstance(value, _PLAIN) and not isinstance(value, enum.Enum):
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
        self.classes: dict[type, tuple[Encode, Decode]] = {}
        self.layout: list[str] = []
        encode, decode = self._for(root)
        self.encode: Encode = encode or _same
        self.decode: Decode = decode or _same
        self.signature = hashlib.sha256("\n".join(self.layout).encode()).hexdigest()

    def _for(self, tp: Any) -> tuple[Encode | None, Decode | None]:
        """(encode, decode) for values of type *tp*; None means "as it is"."""
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin is typing.Annotated:
            return self._for(args[0])
        if tp in _PLAIN:
            return None, None
        if tp is float:
            return _check_finite, None
        if origin is typing.Literal:
            kinds = {type(a) for a in args}
            if len(kinds) == 1 and issubclass(next(iter(kinds)), enum.Enum):
                return self._for(next(iter(kinds)))
            if all(isinstance(a, _PLAIN) for a in args):
                return None, None
            raise Unsupported(repr(tp))
        if origin in (typing.Union, types.UnionType):
            members = [a for a in args if a is not type(None)]
            if len(members) == 1:
                enc, dec = self._for(members[0])
                return _optional(enc), _optional(dec)
            if all(self._for(m) == (None, None) or _plain_container(m) for m in members):
                return _check_plain, None
            raise Unsupported(repr(tp))
        if origin is list:
            enc, dec = self._for(args[0])
            return _each(enc), _each(dec)
        if origin is tuple:
            # tuple[X, ...], or a fixed tuple whose items all have one type
            if not (len(args) == 2 and args[1] is Ellipsis) and len(set(args)) != 1:
                raise Unsupported(repr(tp))
            enc, dec = self._for(args[0])
            return _each(enc), _tuple_of(dec)
        if origin is dict:
            kenc, kdec = self._for(args[0])
            venc, vdec = self._for(args[1])
            return _pairs(kenc, venc), _dict_of(kdec, vdec)
        if isinstance(tp, type):
            if issubclass(tp, enum.Enum):
                return _enum_codec(tp)
            if issubclass(tp, PurePath):
                return str, _path_decoder()
            if issubclass(tp, BaseModel) or dataclasses.is_dataclass(tp):
                return self._class(tp)
        raise Unsupported(repr(tp))

    def _class(self, cls: type) -> tuple[Encode, Decode]:
        found = self.classes.get(cls)
        if found is not None:
            return found
        # Late-bound, so a model that refers to itself (directly or not) still works.
        slot: list[tuple[Encode | None, Decode | None]] = []

        def encode_late(value: Any) -> Any:
            return slot[0][0](value)  # type: ignore[misc]

        def decode_late(row: Any) -> Any:
            return slot[0][1](row)  # type: ignore[misc]

        self.classes[cls] = (encode_late, decode_late)
        if issubclass(cls, BaseModel):
            fields = {n: f.annotation for n, f in cls.model_fields.items()}
        else:
            hints = typing.get_type_hints(cls, include_extras=True)
            declared: Any = cls
            fields = {f.name: hints[f.name] for f in dataclasses.fields(declared) if f.init}
        defaults = _trailing_defaults(cls)
        self.layout.append(f"{cls.__module__}:{cls.__qualname__}")
        self.layout += [f"  {n}: {t!r} = {defaults.get(n)!r}" for n, t in fields.items()]
        names = list(fields)
        codecs = [self._for(t) for t in fields.values()]
        encoders = list(zip(names, [c[0] for c in codecs], strict=True))
        decoders = [c[1] for c in codecs]
        # The shortest row that may be written: fields after it all have plain defaults.
        required = len(names)
        while required and names[required - 1] in defaults:
            required -= 1
        tail = [defaults[n] for n in names[required:]]

        def encode(value: Any) -> Any:
            if type(value) is not cls:  # a subclass would come back as its parent
                raise Unsupported(f"{type(value).__name__} where {cls.__name__} was declared")
            row = [getattr(value, n) if e is None else e(getattr(value, n)) for n, e in encoders]
            # Trailing fields that hold their default are left out (most choices are
            # neither exclusive nor neutral): less JSON to parse, the first cost of a hit.
            while len(row) > required and _same_plain(row[-1], tail[len(row) - 1 - required]):
                row.pop()
            return row

        if issubclass(cls, BaseModel):
            decode = _model_decoder(cls, names, decoders, tail)
            if all(_is_scalar_type(t) for t in fields.values()):
                # Numbers can alias (1 == 1.0 == True): then the key holds each type too.
                typed = any(_is_scalar_type(t, (int, float)) for t in fields.values())
                decode = _shared(decode, typed)
        else:
            decode = _dataclass_decoder(cls, names, decoders, tail)
        slot.append((encode, decode))
        return encode, decode


def _same(value: Any) -> Any:
    return value


def _plain_container(tp: Any) -> bool:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is list:
        return args[0] in _PLAIN
    return origin is dict and args[0] is str and args[1] in _PLAIN


def _check_finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise Unsupported("a number that is not finite")
    return value


def _optional(func: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    if func is None:
        return None
    return lambda v: None if v is None else func(v)


def _each(func: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    if func is None:
        return None
    return lambda items: list(map(func, items))


def _tuple_of(func: Callable[[Any], Any] | None) -> Decode:
    if func is None:
        return tuple
    return lambda items: tuple(func(v) for v in items)


def _hashable(value: Any) -> Any:
    return tuple(_hashable(v) for v in value) if isinstance(value, list) else value


def _pairs(kenc: Encode | None, venc: Encode | None) -> Encode:
    def encode(mapping: Any) -> Any:
        return [
            [k if kenc is None else kenc(k), v if venc is None else venc(v)]
            for k, v in mapping.items()
        ]

    return encode


def _dict_of(kdec: Decode | None, vdec: Decode | None) -> Decode:
    def decode(pairs: Any) -> Any:
        return {
            (_hashable(k) if kdec is None else kdec(k)): (v if vdec is None else vdec(v))
            for k, v in pairs
        }

    return decode


def _enum_codec(cls: type[enum.Enum]) -> tuple[Encode, Decode]:
    members = dict(cls._value2member_map_)

    def encode(value: Any) -> Any:
        if not isinstance(value, cls):
            raise Unsupported(f"{type(value).__name__} where {cls.__name__} was declared")
        return value.value

    return encode, members.__getitem__


def _path_decoder() -> Decode:
    seen: dict[str, Path] = {}

    def decode(text: str) -> Path:
        path = seen.get(text)
        if path is None:
            path = seen[text] = Path(text)
        return path

    return decode


def _trailing_defaults(cls: type) -> dict[str, Any]:
    """Each field's default as written in the file, for defaults that are plain values.

    A field whose default comes from a factory other than ``list`` (a model, say) has
    none here, so it and every field before it is always written.
    """
    found: dict[str, Any] = {}
    if issubclass(cls, BaseModel):
        for name, info in cls.model_fields.items():
            if info.default_factory is list:
                found[name] = []
            elif info.default_factory is None and _is_scalar(info.default):
                found[name] = info.default
    else:
        declared: Any = cls
        for f in dataclasses.fields(declared):
            if f.default_factory is list:
                found[f.name] = []
            elif f.default_factory is dataclasses.MISSING and _is_scalar(f.default):
                found[f.name] = f.default
    return found


def _is_scalar(value: Any) -> bool:
    if type(value) is float:
        return math.isfinite(value)
    return type(value) in _PLAIN


def _same_plain(value: Any, default: Any) -> bool:
    return type(value) is type(default) and value == default  # False is not 0


def _fresh(values: list[Any]) -> list[Any]:
    """Defaults to fill a short row with; each list is a new one (models share nothing)."""
    return [[] if type(v) is list else v for v in values]


def _is_scalar_type(tp: Any, among: tuple[type, ...] = (*_PLAIN, float)) -> bool:
    """Whether values of *tp* are immutable plain scalars (text, numbers, flags, None).

    With *among*: whether *tp* admits any of those types (for numbers that can alias).
    """
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    every = among == (*_PLAIN, float)
    if origin is typing.Annotated:
        return _is_scalar_type(args[0], among)
    if origin in (typing.Union, types.UnionType):
        found = [_is_scalar_type(a, among) for a in args]
        return all(found) if every else any(found)
    if origin is typing.Literal:
        found = [type(a) in among for a in args]
        return all(found) if every else any(found)
    return tp in among


def _shared(decode: Decode, typed: bool) -> Decode:
    """One model for every equal row, for models whose fields are all scalars.

    Such a model is frozen and holds nothing mutable, so equal ones are interchangeable;
    the same choices ("yes", "no", "not sure") recur in question after question, and
    building each once saved most of the decode time at 1,000x (benchmarks/README.md).
    """
    seen: dict[tuple[Any, ...], Any] = {}

    def decode_shared(row: Any) -> Any:
        row_key = tuple((type(v), v) for v in row) if typed else tuple(row)
        model = seen.get(row_key)
        if model is None:
            model = seen[row_key] = decode(row)
        return model

    return decode_shared


def _model_decoder(
    cls: type, names: list[str], decoders: list[Decode | None], tail: list[Any]
) -> Decode:
    special = [(n, i, d) for i, (n, d) in enumerate(zip(names, decoders, strict=True)) if d]
    count = len(names)
    shortest = count - len(tail)
    # What a short row is padded with, by its length; a list default that no decoder
    # copies is made anew for each model (``fresh``), as its default_factory would.
    pads = {shortest + k: tail[k:] for k in range(len(tail))}
    fresh = [i for i in range(shortest, count) if type(tail[i - shortest]) is list]
    fresh = [i for i in fresh if decoders[i] is None]
    # Every field is set. One set for all instances: the models are frozen, and pydantic
    # copies this set before changing it (model_copy).
    fields_set = set(names)
    new, setattr_ = object.__new__, object.__setattr__

    def decode(row: Any) -> Any:
        length = len(row)
        if length != count:
            pad = pads.get(length)
            if pad is None:
                raise Unsupported(f"{cls.__name__} with {length} fields")
            row = row + pad
            for i in fresh:
                if i >= length:
                    row[i] = []
        data = dict(zip(names, row))  # noqa: B905 - the length was checked just above
        for name, i, func in special:
            data[name] = func(row[i])
        # What model_construct does, without its per-field default handling: every
        # field is present and was validated before it was written.
        model: Any = new(cls)
        setattr_(model, "__dict__", data)
        setattr_(model, "__pydantic_fields_set__", fields_set)
        setattr_(model, "__pydantic_extra__", None)
        setattr_(model, "__pydantic_private__", None)
        return model

    return decode


def _dataclass_decoder(
    cls: type, names: list[str], decoders: list[Decode | None], tail: list[Any]
) -> Decode:
    pairs = list(zip(names, decoders, strict=True))
    shortest = len(pairs) - len(tail)

    def decode(row: Any) -> Any:
        if not shortest <= len(row) <= len(pairs):
            raise Unsupported(f"{cls.__name__} with {len(row)} fields")
        if len(row) < len(pairs):
            row = row + _fresh(tail[len(row) - shortest :])
        return cls(**{n: v if d is None else d(v) for (n, d), v in zip(pairs, row, strict=True)})

    return decode


_CODECS: dict[Any, _Codecs] = {}


def _codecs(root: Any) -> _Codecs:
    found = _CODECS.get(root)
    if found is None:
        found = _CODECS[root] = _Codecs(root)
    return found


def encode(value: Any, root: Any) -> bytes:
    """*value* (of type *root*) as two lines of plain JSON: the layout, then the data."""
    codecs = _codecs(root)
    data = json.dumps(codecs.encode(value), separators=(",", ":"), allow_nan=False)
    return f"{json.dumps(codecs.signature)}\n{data}\n".encode()


def _no_constants(name: str) -> float:
    raise Unsupported(name)  # NaN and infinities are never written, so never read


def decode(data: bytes, root: Any) -> Any:
    """The value :func:`encode` wrote; raises ValueError, TypeError or :class:`Unsupported`."""
    codecs = _codecs(root)
    head, _, body = data.partition(b"\n")
    if json.loads(head) != codecs.signature:
        raise Unsupported("written for another layout of the models")
    return codecs.decode(json.loads(body, parse_constant=_no_constants))
