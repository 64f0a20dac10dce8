"""The building blocks of the cache's codec: how each kind of value becomes plain JSON.

:mod:`hipthrust_cli.kb.codec` walks the declared types and assembles these: optional
values, lists, tuples, dicts as pairs, enums, paths, and the row of one model or
dataclass (its field values by position, trailing defaults left out). Pure.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import types
import typing
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel


class Unsupported(Exception):
    """A value or type the cache cannot hold as plain data; nothing is then cached."""


Encode = Callable[[Any], Any]
Decode = Callable[[Any], Any]
PLAIN = (str, int, bool, type(None))


def same(value: Any) -> Any:
    """The value as it is."""
    return value


def plain_container(tp: Any) -> bool:
    """Whether *tp* is a list of scalars or a dict of text to scalars."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is list:
        return args[0] in PLAIN
    return origin is dict and args[0] is str and args[1] in PLAIN


def check_finite(value: Any) -> Any:
    """*value*, refusing a number that JSON cannot hold."""
    if isinstance(value, float) and not math.isfinite(value):
        raise Unsupported("a number that is not finite")
    return value


def optional(func: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    """*func* for a value that may be None; None stays None."""
    if func is None:
        return None
    return lambda v: None if v is None else func(v)


def each(func: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    """*func* applied to every item of a list."""
    if func is None:
        return None
    return lambda items: list(map(func, items))


def tuple_of(func: Callable[[Any], Any] | None) -> Decode:
    """A decoder of a list into a tuple, each item through *func*."""
    if func is None:
        return tuple
    return lambda items: tuple(func(v) for v in items)


def hashable(value: Any) -> Any:
    """A decoded dict key: lists become tuples."""
    return tuple(hashable(v) for v in value) if isinstance(value, list) else value


def pairs(kenc: Encode | None, venc: Encode | None) -> Encode:
    """An encoder of a dict as a list of [key, value] pairs."""

    def encode(mapping: Any) -> Any:
        return [
            [k if kenc is None else kenc(k), v if venc is None else venc(v)]
            for k, v in mapping.items()
        ]

    return encode


def dict_of(kdec: Decode | None, vdec: Decode | None) -> Decode:
    """A decoder of [key, value] pairs into a dict."""

    def decode(pairs: Any) -> Any:
        return {
            (hashable(k) if kdec is None else kdec(k)): (v if vdec is None else vdec(v))
            for k, v in pairs
        }

    return decode


def enum_codec(cls: type[enum.Enum]) -> tuple[Encode, Decode]:
    """An enum member as its value, and back (an unknown value raises)."""
    members = dict(cls._value2member_map_)

    def encode(value: Any) -> Any:
        if not isinstance(value, cls):
            raise Unsupported(f"{type(value).__name__} where {cls.__name__} was declared")
        return value.value

    return encode, members.__getitem__


def path_decoder() -> Decode:
    """A decoder of text into a path; equal texts share one path."""
    seen: dict[str, Path] = {}

    def decode(text: str) -> Path:
        path = seen.get(text)
        if path is None:
            path = seen[text] = Path(text)
        return path

    return decode


def trailing_defaults(cls: type) -> dict[str, Any]:
    """Each field's default as written in the file, for defaults that are plain values.

    A field whose default comes from a factory other than ``list`` (a model, say) has
    none here, so it and every field before it is always written.
    """
    found: dict[str, Any] = {}
    if issubclass(cls, BaseModel):
        for name, info in cls.model_fields.items():
            if info.default_factory is list:
                found[name] = []
            elif info.default_factory is None and is_scalar(info.default):
                found[name] = info.default
    else:
        declared: Any = cls
        for f in dataclasses.fields(declared):
            if f.default_factory is list:
                found[f.name] = []
            elif f.default_factory is dataclasses.MISSING and is_scalar(f.default):
                found[f.name] = f.default
    return found


def is_scalar(value: Any) -> bool:
    """Whether *value* is a plain scalar that JSON holds as it is."""
    if type(value) is float:
        return math.isfinite(value)
    return type(value) in PLAIN


def same_plain(value: Any, default: Any) -> bool:
    """Whether *value* is *default*, type and all."""
    return type(value) is type(default) and value == default  # False is not 0


def fresh(values: list[Any]) -> list[Any]:
    """Defaults to fill a short row with; each list is a new one (models share nothing)."""
    return [[] if type(v) is list else v for v in values]


def is_scalar_type(tp: Any, among: tuple[type, ...] = (*PLAIN, float)) -> bool:
    """Whether values of *tp* are immutable plain scalars (text, numbers, flags, None).

    With *among*: whether *tp* admits any of those types (for numbers that can alias).
    """
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    every = among == (*PLAIN, float)
    if origin is typing.Annotated:
        return is_scalar_type(args[0], among)
    if origin in (typing.Union, types.UnionType):
        found = [is_scalar_type(a, among) for a in args]
        return all(found) if every else any(found)
    if origin is typing.Literal:
        found = [type(a) in among for a in args]
        return all(found) if every else any(found)
    return tp in among


def model_decoder(
    cls: type, names: list[str], decoders: list[Decode | None], tail: list[Any]
) -> Decode:
    """A decoder of a row into a *cls* model, without validation or a call per field."""
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


def dataclass_decoder(
    cls: type,
    names: list[str],
    decoders: list[Decode | None],
    tail: list[Any],
    deferred: frozenset[str] = frozenset(),
    derived: bool = False,
) -> Decode:
    """A decoder of a row into a *cls* dataclass, through its __init__.

    The *deferred* fields decode to functions that make their value; those are kept
    aside, for the class's ``__getattr__`` to call on first read (:class:`Deferred`).
    """
    pairs = list(zip(names, decoders, strict=True))
    shortest = len(pairs) - len(tail)
    new, setattr_ = object.__new__, object.__setattr__

    def decode(row: Any) -> Any:
        if not shortest <= len(row) <= len(pairs):
            raise Unsupported(f"{cls.__name__} with {len(row)} fields")
        if len(row) < len(pairs):
            row = row + fresh(tail[len(row) - shortest :])
        data = {n: v if d is None else d(v) for (n, d), v in zip(pairs, row, strict=True)}
        if not deferred and not derived:
            return cls(**data)
        # Without __init__, which would fill a deferred field with its default (and
        # takes no derived field).
        value: Any = new(cls)
        if deferred:
            data[PENDING] = {n: data.pop(n) for n in deferred}
        setattr_(value, "__dict__", data)
        return value

    return decode


class Deferred:
    """Marks a dataclass field the cache decodes only when it is first read.

    Written ``Annotated[T, DEFERRED]``; the class must be a plain dataclass (no
    ``__post_init__``, no slots) whose ``__getattr__`` calls :func:`deferred_attribute`.
    The knowledge base's ``origins`` (where each entry came from, for error messages)
    is 19% of the cache and read only by ``kb lint``.
    """

    def __repr__(self) -> str:
        return "DEFERRED"  # part of the cache's layout signature: never an address


DEFERRED = Deferred()
PENDING = "_deferred_fields"
"""The instance attribute holding, by field name, what makes each deferred value."""


def deferred_attribute(obj: Any, name: str) -> Any:
    """For a class's ``__getattr__``: a deferred field, decoded now and kept."""
    pending = obj.__dict__.get(PENDING)
    if not pending or name not in pending:
        raise AttributeError(f"{type(obj).__name__!r} object has no attribute {name!r}")
    # Not popped: a copy of the object shares this dict and decodes its own value.
    value: Any = pending[name]()
    obj.__dict__[name] = value
    return value


class Lazy:
    """Marks a list field whose items the cache decodes one by one, each on first use.

    Written ``Annotated[Sequence[T], LAZY]``: each item is on a deferred line of its own
    (covered by the same digest), and a hit gives a :class:`LazyItems`. The 15,015
    causes of a 1,000x knowledge base and their 77,077 likelihood rows are most of what
    a hit would build, and a diagnosis reads a few dozen (benchmarks/README.md).
    """

    def __repr__(self) -> str:
        return "LAZY"  # part of the cache's layout signature: never an address


LAZY = Lazy()


class Inline:
    """Marks a field whose models are written where they are, never in a table.

    For rows that are each one model's own: a cause's likelihood rows (77,077 distinct
    ones at 1,000x) in a table would all be built on every hit, even when the causes
    that hold them are not (:data:`LAZY`).
    """

    def __repr__(self) -> str:
        return "INLINE"


INLINE = Inline()


class Derived:
    """Marks a dataclass field computed from the others (``init=False``), stored in the cache.

    The class's ``__getattr__`` computes it when it is absent (a knowledge base built
    from YAML); a hit reads it from the cache instead, so it need not read what it is
    computed from (the causes' summaries, without the lazy causes).
    """

    def __repr__(self) -> str:
        return "DERIVED"


DERIVED = Derived()

_MISSING: Any = object()


class LazyItems(Sequence[Any]):
    """A read-only list whose items are made on first use.

    By index one at a time, all at once on iteration. *load* makes the items at the
    given indices (in that order).
    """

    __slots__ = ("_items", "_load")

    def __init__(self, count: int, load: Callable[[list[int]], list[Any]]) -> None:
        self._items: list[Any] = [_MISSING] * count
        self._load = load

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self._items)))]
        item = self._items[index]
        if item is _MISSING:
            index = range(len(self._items))[index]  # a negative index, as a position
            item = self._items[index] = self._load([index])[0]
        return item

    def __iter__(self) -> Iterator[Any]:
        items = self._items
        missing = [i for i, item in enumerate(items) if item is _MISSING]
        if missing:
            for i, item in zip(missing, self._load(missing), strict=True):
                items[i] = item
        return iter(list(items))

    def made(self) -> list[int]:
        """The indices of the items made so far."""
        return [i for i, item in enumerate(self._items) if item is not _MISSING]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyItems | list):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(list(self))


class Lines:
    """The deferred lines of a file, from byte *start* of *data*.

    Claimed in the order they were written; found without copying them, each copied
    only when it is decoded.
    """

    def __init__(self, data: bytes, start: int = 0) -> None:
        self.data = data
        self.start = start
        ends, find = [], data.find
        end = find(b"\n", start)
        while end != -1:
            ends.append(end)
            end = find(b"\n", end + 1)
        self.ends = ends
        self.claimed = 0

    def claim(self, first: Any, count: Any) -> None:
        """Take the next *count* lines; a value that points elsewhere is a miss now."""
        if type(first) is not int or type(count) is not int or first != self.claimed:
            raise Unsupported("a deferred value that is not there")
        if count < 0 or first + count > len(self.ends):
            raise Unsupported("a deferred value that is not there")
        self.claimed += count

    def line(self, index: int) -> bytes:
        """The bytes of line *index*, without its newline."""
        start = self.ends[index - 1] + 1 if index else self.start
        return self.data[start : self.ends[index]]
