"""A cache of the validated knowledge base, so start-up does not re-parse unchanged YAML.

The key is a SHA-256 over the exact bytes that were parsed, the name of every file in
every knowledge-base folder, and the versions of the code that validated them, so a
changed, added or misspelt file can never be served stale: it gets a new key. On a hit
nothing is parsed or validated again.

The cache holds **data only**: JSON of plain values, laid out by the types the code
declares (a model is the list of its field values). The file names no type, so reading
it can build nothing but the models, enums and dataclasses reachable from the root type
(the KnowledgeBase), and a planted file can at worst be a wrong-but-harmless knowledge
base, never code that runs. Serialisation is generic: it follows each model's declared
fields, so a model that gains a field needs no change here (a type it cannot hold, such
as ``Any``, makes it cache nothing rather than guess).

Even so the cache is read only when no one else could have written it: the file is
opened without following links, checked with ``fstat`` on the very descriptor that is
then read, and every folder above it must be ours or root's and not writable by others
(:func:`hipthrust_cli.paths.is_private_chain`). Every failure to read or write the cache
is silent: the cache is a speed-up, never a requirement.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import math
import os
import stat
import sys
import types
import typing
from collections.abc import Callable, Iterable
from pathlib import Path, PurePath
from typing import Any

from pydantic import BaseModel

FORMAT = 4
MAX_FILES = 8  # old entries beyond this are removed
MAX_BYTES = 512 * 1_048_576
SUFFIX = ".json"
_PACKAGE = "hipthrust_cli"


def key(parts: Iterable[tuple[str, bytes]], salt: str) -> str:
    """The cache key of these (name, content) pairs: the bytes that were, or will be, parsed."""
    # The user id too: a key every user shares is a name another user can plant ahead.
    uid = os.getuid() if hasattr(os, "getuid") else 0
    digest = hashlib.sha256(f"{FORMAT}|{salt}|{sys.version}|{uid}".encode())
    for name, data in parts:
        encoded = name.encode("utf-8", "surrogateescape")
        digest.update(len(encoded).to_bytes(8, "little") + encoded)
        digest.update(len(data).to_bytes(8, "little") + data)
    return digest.hexdigest()


# --- encoding ------------------------------------------------------------------------------
#
# The codec is driven by the declared types, starting from the root type the caller
# names (the KnowledgeBase): a model or dataclass is the list of its field values in
# declaration order, an enum its value, a tuple a list, a dict a list of [key, value]
# pairs, a path its text. So the file names no type at all, and reading it can build
# nothing but the types the code itself declares. The file is two lines of JSON: a
# signature of that layout (every class, field and annotation), then the value; a
# layout that changed since the file was written is a miss. Fields by position keep
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
        self.layout.append(f"{cls.__module__}:{cls.__qualname__}")
        self.layout += [f"  {n}: {t!r}" for n, t in fields.items()]
        names = list(fields)
        codecs = [self._for(t) for t in fields.values()]
        encoders = list(zip(names, [c[0] for c in codecs], strict=True))
        decoders = [c[1] for c in codecs]

        def encode(value: Any) -> Any:
            if type(value) is not cls:  # a subclass would come back as its parent
                raise Unsupported(f"{type(value).__name__} where {cls.__name__} was declared")
            return [getattr(value, n) if e is None else e(getattr(value, n)) for n, e in encoders]

        if issubclass(cls, BaseModel):
            decode = _model_decoder(cls, names, decoders)
        else:
            decode = _dataclass_decoder(cls, names, decoders)
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
    return lambda items: [func(v) for v in items]


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


def _model_decoder(cls: type, names: list[str], decoders: list[Decode | None]) -> Decode:
    special = [(n, i, d) for i, (n, d) in enumerate(zip(names, decoders, strict=True)) if d]
    count = len(names)
    # Every field is set. One set for all instances: the models are frozen, and pydantic
    # copies this set before changing it (model_copy).
    fields_set = set(names)
    new, setattr_ = object.__new__, object.__setattr__

    def decode(row: Any) -> Any:
        if len(row) != count:
            raise Unsupported(f"{cls.__name__} with {len(row)} fields")
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


def _dataclass_decoder(cls: type, names: list[str], decoders: list[Decode | None]) -> Decode:
    pairs = list(zip(names, decoders, strict=True))

    def decode(row: Any) -> Any:
        if len(row) != len(pairs):
            raise Unsupported(f"{cls.__name__} with {len(row)} fields")
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


# --- files ---------------------------------------------------------------------------------


def _usable(folder: Path) -> bool:
    return folder.is_dir() and _trusted_folder(folder)


def _trusted_folder(folder: Path) -> bool:
    from hipthrust_cli import paths

    return paths.is_private_chain(folder)


def read(folder: Path | None, name: str, root: Any) -> Any | None:
    """The cached value of type *root*, or None on a miss or any doubt."""
    if folder is None:
        return None
    try:
        if not _usable(folder):
            return None
        flags = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | _CLOEXEC
        if os.open not in os.supports_dir_fd:  # pragma: no cover - Windows
            return _read_plain(folder / f"kb-{name}{SUFFIX}", root)
        dir_fd = os.open(folder, flags | getattr(os, "O_DIRECTORY", 0))
        try:
            # The folder checked above must be the folder opened: same device and inode.
            opened, checked = os.fstat(dir_fd), os.stat(os.path.realpath(folder))
            if (opened.st_dev, opened.st_ino) != (checked.st_dev, checked.st_ino):
                return None
            fd = os.open(f"kb-{name}{SUFFIX}", flags, dir_fd=dir_fd)
        finally:
            os.close(dir_fd)
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(fd)
            if (
                not stat.S_ISREG(info.st_mode)
                or (hasattr(os, "getuid") and info.st_uid != os.getuid())
                or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
                or info.st_size > MAX_BYTES
            ):
                return None
            data = handle.read(MAX_BYTES + 1)
        return decode(data, root)
    except Exception:  # a damaged or doubtful cache is a miss, whatever the damage
        return None


def _read_plain(path: Path, root: Any) -> Any:  # pragma: no cover - Windows only
    """Where folders cannot be opened as descriptors: per-user profile folders."""
    with path.open("rb") as handle:
        return decode(handle.read(MAX_BYTES + 1), root)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def write(folder: Path | None, name: str, value: Any, root: Any) -> None:
    """Store *value* (of type *root*); atomic (temp file + rename), private, best effort."""
    if folder is None:
        return
    try:
        from hipthrust_cli import paths

        data = encode(value, root)
        paths.make_private_dir(folder, narrow=True)  # the cache folder is ours alone
        if not _trusted_folder(folder):
            return
        paths.write_atomically(folder / f"kb-{name}{SUFFIX}", data)
        entries = sorted(folder.glob(f"kb-*{SUFFIX}"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-MAX_FILES]:
            old.unlink(missing_ok=True)
        for stale in folder.glob("kb-*.pickle"):  # format 1 was a pickle: never read again
            stale.unlink(missing_ok=True)
    except Exception:
        pass
