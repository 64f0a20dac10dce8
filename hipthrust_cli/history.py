"""Past diagnoses, kept in a local SQLite database so progress can be followed over weeks.

Everything stays on this machine, in ``history.sqlite3`` under the user data folder
(``HIPTHRUST_DATA_DIR`` overrides it). The schema carries a version (``PRAGMA
user_version``) and is brought up to date by migrations inside a transaction. WAL mode
and a busy timeout let several hipthrust runs write at once without losing an entry.

A file that is not a hipthrust history (corrupt, or another program's database) is moved
aside, never deleted, and a new history is started; :class:`History` reports where the
old file went. Nothing here prints.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FILE_NAME = "history.sqlite3"
BUSY_SECONDS = 30.0  # how long to wait for another hipthrust run that is writing


class HistoryError(Exception):
    """History could not be read or saved; the message says why in a sentence."""


class _NotOurs(Exception):
    """The history file is damaged or belongs to another program."""


def data_dir() -> Path:
    """The user data folder: ``HIPTHRUST_DATA_DIR``, else the platform's (platformdirs)."""
    configured = os.environ.get("HIPTHRUST_DATA_DIR")
    if configured:
        return Path(configured)
    import platformdirs  # 12 ms to import: only on the history path, only when needed

    return Path(platformdirs.user_data_dir("hipthrust", appauthor=False))


def _migration_1(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created TEXT NOT NULL,
            kb_version TEXT NOT NULL,
            triage TEXT NOT NULL,
            pain INTEGER,
            top_cause TEXT,
            answers TEXT NOT NULL,
            report TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE findings (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            rank INTEGER NOT NULL,
            mistake_id TEXT NOT NULL,
            title TEXT NOT NULL,
            score REAL NOT NULL,
            PRIMARY KEY (session_id, rank)
        )"""
    )
    db.execute("CREATE INDEX findings_by_mistake ON findings(mistake_id)")


# Migration N brings the schema from version N-1 to N. Append, never edit.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_migration_1]
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class Session:
    """One saved diagnosis."""

    id: int
    created: str
    kb_version: str
    triage: str
    pain: int | None
    top_cause: str | None
    answers: dict[str, Any]
    report: dict[str, Any]
    findings: list[tuple[str, str, float]]  # (mistake id, title, probability or score), ranked


class History:
    """The history database in *folder*; opened lazily, created when first written."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / FILE_NAME
        self.moved_aside: Path | None = None

    # --- opening -------------------------------------------------------------------------

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if not create and not self.path.exists():
            return None
        if create:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise HistoryError(f"cannot create {self.folder} ({exc.strerror or exc})") from None
        try:
            return self._open()
        except _NotOurs:
            # Damaged, not a database, or another program's: keep it, start anew. A busy
            # or locked database is none of these (OperationalError) and is never moved.
            self._move_aside()
            return self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        try:
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA foreign_keys = ON")
            self._migrate(db)
        except sqlite3.OperationalError:
            db.close()
            raise
        except sqlite3.DatabaseError as exc:
            db.close()
            raise _NotOurs(str(exc)) from None
        except BaseException:
            db.close()
            raise
        return db

    def _migrate(self, db: sqlite3.Connection) -> None:
        if db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return
        # Decide inside the write lock: another run may be creating or migrating the same
        # file right now, and what it has half done must not look like a foreign database.
        db.execute("BEGIN IMMEDIATE")
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise HistoryError(
                    f"{self.path} was written by a newer hipthrust (schema {version}); "
                    "upgrade hipthrust to read it"
                )
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if version == 0 and tables - {"sqlite_sequence"}:
                raise _NotOurs("a database, but not a hipthrust history")
            for number in range(version, SCHEMA_VERSION):
                MIGRATIONS[number](db)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _move_aside(self) -> None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{FILE_NAME}.unreadable-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{FILE_NAME}.unreadable-{stamp}-{n}")
        try:
            self.path.rename(target)
            for suffix in ("-wal", "-shm"):
                side = self.path.with_name(FILE_NAME + suffix)
                if side.exists():
                    side.rename(target.with_name(target.name + suffix))
        except OSError as exc:
            raise HistoryError(
                f"{self.path} is not a readable history and could not be moved aside "
                f"({exc.strerror or exc})"
            ) from None
        self.moved_aside = target

    @contextmanager
    def _db(self, create: bool) -> Iterator[sqlite3.Connection | None]:
        try:
            db = self._connect(create)
        except (sqlite3.Error, OSError) as exc:
            raise HistoryError(f"cannot open {self.path} ({exc})") from None
        try:
            yield db
        except sqlite3.Error as exc:
            raise HistoryError(f"{self.path}: {exc}") from None
        finally:
            if db is not None:
                db.close()

    # --- writing -------------------------------------------------------------------------

    def save(self, report: dict[str, Any], when: dt.datetime | None = None) -> int:
        """Store one diagnosis (its JSON form) and return its session number."""
        created = (when or dt.datetime.now().astimezone()).isoformat(timespec="seconds")
        answers = report.get("answers", {})
        pain = answers.get("pain_level")
        findings = report.get("findings", [])
        with self._db(create=True) as db:
            assert db is not None
            db.execute("BEGIN IMMEDIATE")
            try:
                cursor = db.execute(
                    "INSERT INTO sessions (created, kb_version, triage, pain, top_cause, answers,"
                    " report) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        created,
                        report.get("kb_version", ""),
                        report["triage"]["level"],
                        pain if isinstance(pain, int) else None,
                        findings[0]["title"] if findings else None,
                        json.dumps(answers, ensure_ascii=False),
                        json.dumps(report, ensure_ascii=False),
                    ),
                )
                session = int(cursor.lastrowid or 0)
                db.executemany(
                    "INSERT INTO findings (session_id, rank, mistake_id, title, score)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [
                        # Version 2 reports carry a probability; version 1 a score.
                        (session, rank, f["id"], f["title"], f.get("probability", f.get("score")))
                        for rank, f in enumerate(findings, 1)
                    ],
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return session

    def clear(self) -> int:
        """Delete every session; returns how many there were."""
        with self._db(create=False) as db:
            if db is None:
                return 0
            db.execute("BEGIN IMMEDIATE")
            count = int(db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0])
            db.execute("DELETE FROM findings")
            db.execute("DELETE FROM sessions")
            db.execute("COMMIT")
        return count

    # --- reading -------------------------------------------------------------------------

    def sessions(self, last_only: bool = False) -> list[Session]:
        """Every session, oldest first (or just the newest)."""
        where = " WHERE id = (SELECT MAX(id) FROM sessions)" if last_only else ""
        with self._db(create=False) as db:
            if db is None:
                return []
            rows = db.execute(
                "SELECT id, created, kb_version, triage, pain, top_cause, answers, report"
                f" FROM sessions{where} ORDER BY id"
            ).fetchall()
            found: dict[int, list[tuple[str, str, float]]] = {}
            for sid, mid, title, score in db.execute(
                "SELECT session_id, mistake_id, title, score FROM findings"
                f"{where.replace('id =', 'session_id =')} ORDER BY session_id, rank"
            ):
                found.setdefault(sid, []).append((mid, title, score))
        return [
            Session(
                id=r[0],
                created=r[1],
                kb_version=r[2],
                triage=r[3],
                pain=r[4],
                top_cause=r[5],
                answers=_loads(r[6]),
                report=_loads(r[7]),
                findings=found.get(r[0], []),
            )
            for r in rows
        ]

    def get(self, number: int) -> Session | None:
        """One session by its number."""
        return next((s for s in self.sessions() if s.id == number), None)

    def last(self) -> Session | None:
        """The most recent session."""
        sessions = self.sessions(last_only=True)
        return sessions[-1] if sessions else None


def _loads(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int | None], top: int = 10) -> str:
    """Pain over time as ``▁▃▅``; a gap (no pain answer) is a space."""
    out = []
    for value in values:
        if value is None:
            out.append(" ")
        else:
            out.append(SPARKS[min(len(SPARKS) - 1, max(0, value * (len(SPARKS) - 1) // top))])
    return "".join(out)
