"""A cache of the validated knowledge base, so start-up does not re-parse unchanged YAML.

The key is a SHA-256 over the exact bytes that were parsed, the name of every file in
every knowledge-base folder, and the versions of the code that validated them, so a
changed, added or misspelt file can never be served stale: it gets a new key. On a hit
nothing is parsed or validated again.

The cache holds **data only**: JSON of plain values, with small tags naming which
knowledge-base model, enum or dataclass an object was. Reading it can construct
nothing but those types (looked up inside this package, never imported by name from
elsewhere), so a planted cache file can at worst be a wrong-but-harmless knowledge base,
and never runs code. Serialisation is generic: it walks each model's declared fields, so
a model that gains a field needs no change here.

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
from collections.abc import Iterable
from pathlib import Path, PurePath
from typing import Any

from pydantic import BaseModel

FORMAT = 2
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


class Unsupported(Exception):
    """A value the cache cannot hold as plain data; the knowledge base is then not cached."""


def _name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def encode(value: Any) -> Any:
    """*value* as plain JSON data, models, enums and dataclasses tagged with their type."""
    if value is None or isinstance(value, (str, bool, int)):
        if isinstance(value, enum.Enum):
            return {"~e": _name(type(value)), "v": value.value}
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Unsupported("a number that is not finite")
        return value
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, BaseModel):
        out = {"~m": _name(type(value))}
        for field in type(value).model_fields:
            out[field] = encode(getattr(value, field))
        return out
    if isinstance(value, enum.Enum):
        return {"~e": _name(type(value)), "v": encode(value.value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {"~c": _name(type(value))}
        for f in dataclasses.fields(value):
            if f.init:
                out[f.name] = encode(getattr(value, f.name))
        return out
    if isinstance(value, dict):
        return {"~d": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {"~t": [encode(v) for v in value]}
    if isinstance(value, PurePath):
        return {"~p": str(value)}
    raise Unsupported(type(value).__name__)


def _resolve(name: str) -> type:
    """The class a tag names, which must be defined inside hipthrust and already loaded."""
    module_name, _, qualname = name.partition(":")
    if module_name != _PACKAGE and not module_name.startswith(_PACKAGE + "."):
        raise Unsupported(name)
    module = sys.modules.get(module_name)  # never import: only what is already running
    obj: Any = module
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
    if not isinstance(obj, type):
        raise Unsupported(name)
    return obj


class _Decoder:
    def __init__(self) -> None:
        self.types: dict[str, type] = {}

    def _type(self, name: str, check: Any) -> Any:
        cls = self.types.get(name)
        if cls is None:
            cls = _resolve(name)
            if not check(cls):
                raise Unsupported(name)
            self.types[name] = cls
        return cls

    def hook(self, obj: dict[str, Any]) -> Any:
        if "~m" in obj:
            cls = self._type(obj.pop("~m"), lambda c: issubclass(c, BaseModel))
            fields = cls.model_fields
            if obj.keys() != fields.keys():  # the model changed: let pydantic fill defaults
                return cls.model_construct(**{k: v for k, v in obj.items() if k in fields})
            # What model_construct does, without its per-field default handling: every
            # field is present and was validated before it was written.
            model = cls.__new__(cls)
            object.__setattr__(model, "__dict__", obj)
            object.__setattr__(model, "__pydantic_fields_set__", set(obj))
            object.__setattr__(model, "__pydantic_extra__", None)
            object.__setattr__(model, "__pydantic_private__", None)
            return model
        if "~e" in obj:
            cls = self._type(obj["~e"], lambda c: issubclass(c, enum.Enum))
            return cls(obj["v"])
        if "~c" in obj:
            cls = self._type(obj.pop("~c"), dataclasses.is_dataclass)
            return cls(**obj)
        if "~d" in obj:
            return {_hashable(k): v for k, v in obj["~d"]}
        if "~t" in obj:
            return tuple(obj["~t"])
        if "~p" in obj:
            return Path(obj["~p"])
        return obj


def _hashable(value: Any) -> Any:
    return tuple(_hashable(v) for v in value) if isinstance(value, list) else value


def _no_constants(name: str) -> float:
    raise Unsupported(name)  # NaN and infinities are never written, so never read


def decode(text: str | bytes) -> Any:
    """The value :func:`encode` produced; raises ValueError or :class:`Unsupported`."""
    return json.loads(text, object_hook=_Decoder().hook, parse_constant=_no_constants)


# --- files ---------------------------------------------------------------------------------


def _usable(folder: Path) -> bool:
    return folder.is_dir() and _trusted_folder(folder)


def _trusted_folder(folder: Path) -> bool:
    from hipthrust_cli import paths

    return paths.is_private_chain(folder)


def read(folder: Path | None, name: str) -> Any | None:
    """The cached object, or None on a miss or any doubt."""
    if folder is None:
        return None
    try:
        if not _usable(folder):
            return None
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
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
        return decode(data)
    except Exception:  # a damaged or doubtful cache is a miss, whatever the damage
        return None


def write(folder: Path | None, name: str, value: Any) -> None:
    """Store *value*; atomic (temp file + rename), private, best effort."""
    if folder is None:
        return
    try:
        from hipthrust_cli import paths

        text = json.dumps(encode(value), separators=(",", ":"), allow_nan=False)
        paths.make_private_dir(folder)
        if not _trusted_folder(folder):
            return
        paths.write_atomically(folder / f"kb-{name}{SUFFIX}", text.encode("utf-8"))
        entries = sorted(folder.glob(f"kb-*{SUFFIX}"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-MAX_FILES]:
            old.unlink(missing_ok=True)
        for stale in folder.glob("kb-*.pickle"):  # format 1 was a pickle: never read again
            stale.unlink(missing_ok=True)
    except Exception:
        pass
