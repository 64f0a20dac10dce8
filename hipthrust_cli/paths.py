"""Every folder hipthrust keeps things in, and the one way it writes a file.

This is the only module that reads ``HIPTHRUST_DATA_DIR``. What hipthrust keeps is
health data (answers and reports), so everything it creates is private: folders 0700,
files 0600. A file that already exists keeps its own mode when it is rewritten, and never
gets a wider one.

Symbolic links are never followed when writing: a target that is a link, a device, a FIFO
or a folder is refused with a :class:`TargetError` that says what to give instead, so
``history export /dev/null`` cannot replace a device node and a link planted at an output
path cannot redirect health data. A file with more than one hard link is rewritten in
place, so every name keeps pointing at the new contents; any other file is replaced
atomically (temporary file in the same folder, then rename), so nothing is ever
half-written.

Imports nothing from the rest of the package.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from pathlib import Path

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # POSIX; Windows has no symbolic-link attack here
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


class TargetError(Exception):
    """A file cannot be written; ``reason`` is the end of a sentence that says why."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def data_dir() -> Path:
    """The user's data folder: ``HIPTHRUST_DATA_DIR``, else the platform's (platformdirs)."""
    configured = os.environ.get("HIPTHRUST_DATA_DIR")
    if configured:
        return Path(configured)
    import platformdirs  # 12 ms to import: only when no folder is configured

    return Path(platformdirs.user_data_dir("hipthrust", appauthor=False))


def cache_dir() -> Path | None:
    """Where the knowledge-base cache lives, or None when there is no sensible place."""
    configured = os.environ.get("HIPTHRUST_DATA_DIR")
    if configured:
        return Path(configured) / "cache"
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "hipthrust"
    if "HOME" not in os.environ and sys.platform != "win32":
        return None
    home = Path.home()
    if sys.platform == "win32":  # pragma: no cover - not exercised on CI
        return Path(os.environ.get("LOCALAPPDATA", home)) / "hipthrust" / "cache"
    if sys.platform == "darwin":  # pragma: no cover
        return home / "Library" / "Caches" / "hipthrust"
    return home / ".cache" / "hipthrust"


def home_dir() -> Path | None:
    """The user's home folder, where the walk over a private folder's parents may stop."""
    home = os.environ.get("HOME")
    return Path(home) if home else None


def make_private_dir(folder: Path, narrow: bool = False) -> None:
    """Create *folder* (and missing parents) readable by its owner only (0700).

    With *narrow*, a folder that already exists and is ours is narrowed to 0700 too:
    only for folders that are hipthrust's own (the cache, the default data folder), never
    for one a user named in ``HIPTHRUST_DATA_DIR``, which may be shared on purpose (the
    files hipthrust puts there are private anyway). Raises OSError.
    """
    missing = []
    for parent in [folder, *folder.parents]:
        if parent.exists():
            break
        missing.append(parent)
    for parent in reversed(missing):
        with contextlib.suppress(FileExistsError):
            parent.mkdir(mode=PRIVATE_DIR)
    info = folder.stat()
    if not stat.S_ISDIR(info.st_mode):
        raise NotADirectoryError(20, "not a folder", str(folder))
    owned = hasattr(os, "getuid") and info.st_uid == os.getuid()
    if (narrow or folder in missing) and owned and info.st_mode & 0o077:
        os.chmod(folder, stat.S_IMODE(info.st_mode) & ~0o077)


def is_own_data_dir(folder: Path) -> bool:
    """Whether *folder* is hipthrust's default data folder, not one the user configured."""
    return "HIPTHRUST_DATA_DIR" not in os.environ and folder == data_dir()


def is_private_chain(folder: Path, stop: Path | None = None) -> bool:
    """Whether no other user can swap *folder* or anything above it.

    Every folder from *folder* up to *stop* (inclusive; the home folder by default) or
    the root must belong to this user or to root, and must not be writable by group or
    others, except a root-owned folder with the sticky bit (``/tmp``), where others cannot
    rename what is ours. The rule ssh applies to its keys, with that one exception.
    """
    if not hasattr(os, "getuid"):  # pragma: no cover - Windows: per-user profile folders
        return True
    uid = os.getuid()
    stop = stop if stop is not None else home_dir()
    try:
        current = Path(os.path.realpath(folder))
        stop_real = Path(os.path.realpath(stop)) if stop is not None else None
        while True:
            info = os.lstat(current)
            if not stat.S_ISDIR(info.st_mode) or info.st_uid not in (uid, 0):
                return False
            shared = info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
            if shared and not (info.st_uid == 0 and info.st_mode & stat.S_ISVTX):
                return False
            if current == stop_real or current.parent == current:
                return True
            current = current.parent
    except OSError:
        return False


def check_target(path: Path) -> None:
    """Refuse a write target that is not (or cannot become) a plain file we can write.

    Called before any question is asked, so a bad ``-o`` never costs an interview.
    Raises :class:`TargetError`.
    """
    parent = path.parent
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise TargetError(path, f"cannot be checked ({exc.strerror or exc})") from None
    if info is not None:
        mode = info.st_mode
        if stat.S_ISLNK(mode):
            raise TargetError(
                path,
                "is a symbolic link, and hipthrust does not write through links; give the "
                "path of the file itself (or - for standard output)",
            )
        if stat.S_ISDIR(mode):
            raise TargetError(path, "is a folder; give a file name")
        if not stat.S_ISREG(mode):
            raise TargetError(
                path,
                f"is {kind_of(mode)}, not a plain file; give the path of a regular file "
                "(or - for standard output)",
            )
    if not parent.is_dir():
        raise TargetError(path, f"the folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK) or (
        info is not None and not os.access(path, os.W_OK)
    ):
        raise TargetError(path, "permission denied; choose a folder you can write to")


def kind_of(mode: int) -> str:
    """What a file that is not a regular one is, in words ("a device", "a named pipe")."""
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def write_atomically(path: Path, data: bytes, mode: int = PRIVATE_FILE) -> None:
    """Write *data* to *path* so that nothing is ever half-written or widened.

    A new file gets *mode* (private by default). An existing file keeps its mode (and,
    with several hard links, its inode, so every link sees the new contents). Refuses
    links, devices, FIFOs and folders. Raises :class:`TargetError`.
    """
    check_target(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:  # pragma: no cover - checked just above
        raise TargetError(path, f"cannot be checked ({exc.strerror or exc})") from None
    try:
        if info is not None and info.st_nlink > 1:
            _write_in_place(path, data)
            return
        import tempfile  # only when writing: start-up does not need it

        new_mode = stat.S_IMODE(info.st_mode) & 0o777 if info is not None else mode
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                os.chmod(tmp, new_mode)  # not fchmod: Windows has none before 3.13
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise TargetError(path, _sentence(exc)) from None


def _write_in_place(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | _NOFOLLOW | _CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(21, "not a regular file")
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.ftruncate(fd, len(data))
        os.fsync(fd)
    finally:
        os.close(fd)


def _sentence(exc: OSError) -> str:
    import errno

    if exc.errno == errno.ENOSPC:
        return "the disk is full; free some space and try again"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied; choose a folder you can write to"
    if exc.errno == errno.EROFS:
        return "the file system is read-only; choose another folder"
    return f"cannot be written ({exc.strerror or exc})"


def write_private_new(path: Path, text: str) -> None:
    """Create *path* (which must not exist) readable by its owner only; never follows links."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
    fd = os.open(path, flags, PRIVATE_FILE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
