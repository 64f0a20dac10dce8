"""An SQLite file kept safely: what went wrong in words, private files, values read back.

Generic help for :mod:`hipthrust_cli.history`: SQLite's result codes told apart (a full
disk, a lock, a read-only or damaged file), the one sentence a person reads for each,
files created readable by their owner only, and values read back from a file anyone
with access could have edited, checked. Nothing here prints.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - types only
    from hipthrust_cli.core.report import JSON

# SQLite's primary result codes that matter here (https://sqlite.org/rescode.html).
PERM, BUSY, LOCKED, READONLY, IOERR, CORRUPT, FULL, CANTOPEN, NOTADB = (
    3,
    5,
    6,
    8,
    10,
    11,
    13,
    14,
    26,
)
DAMAGE = {CORRUPT, NOTADB}
WORDS = {  # Python 3.10 has no sqlite_errorcode: the messages SQLite gives for each code
    "malformed": CORRUPT,
    "not a database": NOTADB,
    "is locked": BUSY,
    "is full": FULL,
    "readonly": READONLY,
    "unable to open": CANTOPEN,
}


def code(exc: BaseException) -> int | None:
    """The primary SQLite result code of an error, if it has one."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF
    text = str(exc).lower()
    return next((c for words, c in WORDS.items() if words in text), None)


def reason(exc: BaseException, path: Path) -> str:
    """One sentence (without the final stop) saying what went wrong and what to do."""
    found = code(exc)
    if found == FULL or (isinstance(exc, OSError) and exc.errno == 28) or disk_full(path):
        return "the disk is full; free some space and run it again"
    if found in (BUSY, LOCKED):
        return (
            f"{path} is locked by another program (perhaps another hipthrust); "
            "try again in a moment"
        )
    if found in (READONLY, PERM) or isinstance(exc, PermissionError):
        return f"{path} is read-only; check the permissions of the file and its folder"
    if found == CANTOPEN:
        return f"{path} cannot be opened; check that its folder exists and is yours"
    detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
    return f"{path}: {detail}"


def disk_full(path: Path) -> bool:
    """Whether the disk holding *path* has (almost) no room left.

    SQLite reports a full disk as SQLITE_FULL only sometimes; growing its shared-memory
    file on a full disk is a "disk I/O error". Asking the file system tells them apart.
    """
    for folder in (path, *path.parents):
        try:
            info = os.statvfs(folder)
        except (OSError, AttributeError):
            continue
        return info.f_bavail * info.f_frsize < 64 * 1024
    return False


def not_finite(name: str) -> None:
    """Refuse NaN and infinity in saved JSON (``json.loads`` would accept them)."""
    raise ValueError(name)


def loads(text: object) -> dict[str, JSON]:
    """A JSON object as saved; anything else (damaged, not an object) reads as empty."""
    if not isinstance(text, (str, bytes)):
        return {}
    try:
        value = json.loads(text, parse_constant=not_finite)
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def text(value: object) -> str:
    """A text column as saved; another type reads as its text, NULL as empty."""
    return value if isinstance(value, str) else "" if value is None else str(value)


def rollback(db: sqlite3.Connection) -> None:
    """Roll back if a transaction is still open; SQLite ends some failed ones by itself."""
    if db.in_transaction:
        with suppress(sqlite3.Error):
            db.execute("ROLLBACK")


def make_private_file(path: Path) -> None:
    """Create the database file readable by its owner only (SQLite copies its mode to -wal)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        os.close(os.open(path, flags, 0o600))
    except FileExistsError:
        narrow(path)


def narrow(path: Path) -> None:
    """Make an existing history (saved by an older hipthrust as 0644) private, if it is ours."""
    for item in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            info = os.lstat(item)
            if info.st_uid == os.getuid() and info.st_mode & 0o077 and not os.path.islink(item):
                os.chmod(item, info.st_mode & 0o700)
        except (OSError, AttributeError):
            continue


def confirmed_damaged(path: Path) -> bool:
    """Whether SQLite itself finds the file damaged (``PRAGMA quick_check``).

    Only then is it moved aside: busy, locked, full or read-only files are not damaged.
    """
    try:
        db = sqlite3.connect(path.absolute().as_uri() + "?mode=ro", uri=True)
        try:
            rows = db.execute("PRAGMA quick_check").fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        return code(exc) in DAMAGE
    return rows != [("ok",)]


def move_aside(path: Path) -> Path:
    """Rename a damaged file (and its -wal and -shm) to ``NAME.unreadable-STAMP``; kept."""
    import datetime as dt

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.unreadable-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.unreadable-{stamp}-{n}")
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    return target


def fraction(value: object) -> float:
    """A number as saved, from 0 to 1: anything else (text, NaN, out of range) reads as 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0.0
    number = float(value)
    return number if math.isfinite(number) and 0.0 <= number <= 1.0 else 0.0


def missing_table(db: sqlite3.Connection, columns: dict[str, set[str]]) -> str | None:
    """The first table of *columns* the database lacks or has without all its columns."""
    for table, needed in columns.items():
        have = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
        if not needed <= have:
            return table
    return None
