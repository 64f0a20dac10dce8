"""A cache of the validated knowledge base, so start-up does not re-parse unchanged YAML.

The key is a SHA-256 over the bytes of every knowledge-base file (and the versions of
hipthrust, pydantic and Python), so a changed file can never be served stale: it simply
gets a new key. On a hit nothing is parsed or validated. Measurements (benchmarks/) show
parsing and validation dominate start-up and grow with the knowledge base, which is why
this exists.

The cache is a pickle, so it is only read when the file belongs to the current user and
no one else can write to it or its folder, the rule ssh applies to its keys. Every
failure to read or write the cache is silent: the cache is a speed-up, never a
requirement.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

FORMAT = 1
MAX_FILES = 8  # old entries beyond this are removed


def default_dir() -> Path | None:
    """Where the cache lives: under ``HIPTHRUST_DATA_DIR``, else the user's cache folder."""
    configured = os.environ.get("HIPTHRUST_DATA_DIR")
    if configured:
        return Path(configured) / "cache"
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "hipthrust"
    home = Path.home() if "HOME" in os.environ or sys.platform == "win32" else None
    if home is None:
        return None
    if sys.platform == "win32":  # pragma: no cover - not exercised on CI
        return Path(os.environ.get("LOCALAPPDATA", home)) / "hipthrust" / "cache"
    if sys.platform == "darwin":  # pragma: no cover
        return home / "Library" / "Caches" / "hipthrust"
    return home / ".cache" / "hipthrust"


def key(files: list[Path], salt: str) -> str | None:
    """The cache key of these files' current contents, or None if one cannot be read."""
    digest = hashlib.sha256(f"{FORMAT}|{salt}|{sys.version}".encode())
    for path in files:
        try:
            data = path.read_bytes()
        except OSError:
            return None
        name = str(path.resolve()).encode()
        digest.update(name + b"\0" + len(data).to_bytes(8, "little") + data)
    return digest.hexdigest()


def _trusted(path: Path) -> bool:
    if not hasattr(os, "getuid"):  # pragma: no cover - Windows: per-user profile folders
        return True
    uid = os.getuid()
    for item in (path, path.parent):
        info = item.stat()
        if info.st_uid != uid or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return False
    return True


def read(folder: Path | None, name: str) -> Any | None:
    """The cached object, or None on a miss or any doubt."""
    if folder is None:
        return None
    path = folder / f"kb-{name}.pickle"
    try:
        if not path.is_file() or not _trusted(path):
            return None
        with path.open("rb") as handle:
            return pickle.load(handle)
    except Exception:  # a damaged cache is a miss, whatever the damage
        return None


def write(folder: Path | None, name: str, value: Any) -> None:
    """Store *value*; atomic (temp file + rename), private, best effort."""
    if folder is None:
        return
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".kb-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, folder / f"kb-{name}.pickle")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        entries = sorted(folder.glob("kb-*.pickle"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-MAX_FILES]:
            old.unlink(missing_ok=True)
    except Exception:
        pass
