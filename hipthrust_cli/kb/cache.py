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
as ``Any``, makes it cache nothing rather than guess). A field the code marks deferred
(the knowledge base's ``origins``) stays JSON until it is first read, and a list marked
lazy (its ``mistakes``) has each item on a line of its own, decoded on first use, with
a derived summary of each (``causes``) read at once; a digest of those lines is checked
on every read, so a damaged one is still a silent miss.

Even so the cache is read only when no one else could have written it: the file is
opened without following links, checked with ``fstat`` on the very descriptor that is
then read, and every folder above it must be ours or root's and not writable by others
(:func:`hipthrust_cli.paths.is_private_chain`). Every failure to read or write the cache
is silent: the cache is a speed-up, never a requirement.

Of :mod:`hipthrust_cli.paths` (a leaf: it imports nothing from the package) this uses
only the folder checks and the one atomic write, never a reader of the environment: the
folder is passed in by the edge. Keeping one implementation of those checks matters more
than a copy here would.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from hipthrust_cli.kb.codec import FORMAT, Unsupported, decode, encode

__all__ = ["FORMAT", "Unsupported", "decode", "encode", "key", "read", "write"]

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
        # Not `length + data`: that would copy the 30 MB of a large knowledge base once more.
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


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
