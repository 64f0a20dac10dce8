"""Past diagnoses, kept in a local SQLite database so progress can be followed over weeks.

Everything stays on this machine, in ``history.sqlite3`` under the user data folder
(``HIPTHRUST_DATA_DIR`` overrides it). The schema carries a version (``PRAGMA
user_version``) and is brought up to date by migrations inside a transaction. WAL mode
and a busy timeout let several hipthrust runs write at once without losing an entry.

A file that is not a hipthrust history (corrupt, or another program's database) is moved
aside, never deleted, and a new history is started; :class:`History` reports where the
old file went. Nothing here prints, and nothing here reads the environment: the caller
passes the folder in (:func:`hipthrust_cli.paths.data_dir`).

It stores :class:`~hipthrust_cli.core.report.Diagnosis` objects and gives them back:
each session keeps its report as saved (``saved``, its JSON form, shown and exported
exactly as it was) and rebuilds the report from it when asked (``report``).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard, TypeVar

from hipthrust_cli import sqlitefile as sq

if TYPE_CHECKING:  # pragma: no cover - types only; the report model is loaded when needed
    from hipthrust_cli.core.report import JSON, Diagnosis

T = TypeVar("T")

FILE_NAME = "history.sqlite3"
BUSY_SECONDS = 30.0  # how long to wait for another hipthrust run that is writing


class HistoryError(Exception):
    """History could not be read or saved; the message says why in a sentence."""


class _NotOurs(Exception):
    """The history file belongs to another program."""


class _MovedAside(Exception):
    """The history file was damaged and has been moved aside; open a new one."""


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
    answers: dict[str, JSON]
    saved: dict[str, JSON]
    """The report's JSON form exactly as it was saved (an older version keeps its shape)."""
    findings: list[tuple[str, str, float]]  # (mistake id, title, probability or score), ranked

    @cached_property
    def report(self) -> Diagnosis:
        """The saved report, rebuilt; ``ValueError`` when what was saved is damaged."""
        from hipthrust_cli.core.report import from_dict

        return from_dict(self.saved)


class History:
    """The history database in *folder*; opened lazily, created when first written."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / FILE_NAME
        self.moved_aside: Path | None = None

    # --- opening -------------------------------------------------------------------------

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        """Open (and, if *create*, make) the database; None if there is none to read."""
        from hipthrust_cli import paths

        if not create and not self.path.exists():
            return None
        if create:
            try:
                paths.make_private_dir(self.folder, narrow=paths.is_own_data_dir(self.folder))
                sq.make_private_file(self.path)
            except OSError as exc:
                raise HistoryError(
                    f"cannot create {self.path}: {sq.reason(exc, self.folder)}"
                ) from None
        else:
            sq.narrow(self.path)
        try:
            return self._open()
        except _MovedAside:
            return self._open()
        except _NotOurs:
            # Another program's database (or a half-made one of ours): keep it, start anew.
            self._move_aside()
            return self._open()
        except sqlite3.DatabaseError as exc:
            if not create and sq.code(exc) in (sq.READONLY, sq.CANTOPEN, sq.PERM):
                return self._open_read_only(exc)
            raise

    def _open(self) -> sqlite3.Connection:
        """Open the database, waiting out another run that is setting it up.

        SQLite's busy timeout does not cover everything: switching a new file to WAL, or a
        read lock that must become a write lock, fails at once with "database is locked"
        while another connection holds it. So a busy or locked open is tried again until
        :data:`BUSY_SECONDS` have passed (seen with 12 runs creating one history at once).
        """
        import time

        deadline = time.monotonic() + BUSY_SECONDS
        while True:
            try:
                return self._open_once()
            except sqlite3.OperationalError as exc:
                if sq.code(exc) not in (sq.BUSY, sq.LOCKED) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.02)

    def _open_once(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None)
        try:
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA foreign_keys = ON")
            self._migrate(db)
            _check_schema(db)
        except sqlite3.DatabaseError as exc:
            self._close_damaged(db, exc)
            raise
        except BaseException:
            db.close()
            raise
        return db

    def _close_damaged(self, db: sqlite3.Connection, exc: sqlite3.DatabaseError) -> None:
        """Close *db*; if SQLite confirms the file is damaged, move it aside first.

        First, because closing the last connection lets SQLite delete the -wal and -shm
        files, which may hold the only copy of recent sessions. Raises
        :class:`_MovedAside` when it moved the file.
        """
        try:
            damaged = sq.code(exc) in sq.DAMAGE and sq.confirmed_damaged(self.path)
            if damaged:
                self._move_aside()
        finally:
            db.close()
        if damaged:
            raise _MovedAside(str(exc)) from None

    def _open_read_only(self, why: BaseException) -> sqlite3.Connection:
        """Open a history we may not write, so it can still be listed and shown."""
        uri = self.path.absolute().as_uri()
        last: BaseException = why
        # Read-only first; 'immutable' also works where SQLite cannot create the -shm file.
        for query in ("?mode=ro", "?immutable=1"):
            try:
                db = sqlite3.connect(uri + query, uri=True, timeout=BUSY_SECONDS)
            except sqlite3.Error as exc:
                last = exc
                continue
            try:
                if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                    raise HistoryError(
                        f"{self.path} is read-only and was written by another version of "
                        "hipthrust; make it writable so it can be brought up to date"
                    )
                _check_schema(db)
                return db
            except _NotOurs:
                db.close()
                raise HistoryError(
                    f"{self.path} is read-only and not a hipthrust history"
                ) from None
            except sqlite3.Error as exc:
                db.close()
                last = exc
            except BaseException:
                db.close()
                raise
        raise last

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
            sq.rollback(db)
            raise

    def _move_aside(self) -> None:
        try:
            target = sq.move_aside(self.path)
        except OSError as exc:
            raise HistoryError(
                f"{self.path} is damaged and could not be moved aside "
                f"({exc.strerror or exc}); move it away yourself"
            ) from None
        self.moved_aside = target

    def _run(self, create: bool, operation: Callable[[sqlite3.Connection | None], T]) -> T:
        """Run *operation* on the open database; a file found damaged is moved aside once.

        A damaged page may only show when it is read, long after the file opened fine;
        then SQLite is asked to confirm (``PRAGMA quick_check``) before anything moves.
        """
        for attempt in (1, 2):
            try:
                db = self._connect(create)
            except HistoryError:
                raise
            except (sqlite3.Error, OSError) as exc:
                raise HistoryError(
                    f"cannot open your history: {sq.reason(exc, self.path)}"
                ) from None
            try:
                return operation(db)
            except sqlite3.DatabaseError as exc:
                if db is not None and attempt == 1:
                    try:
                        self._close_damaged(db, exc)
                    except _MovedAside:
                        continue
                    finally:
                        db = None
                raise HistoryError(sq.reason(exc, self.path)) from None
            finally:
                if db is not None:
                    db.close()
        raise HistoryError(f"{self.path} is damaged again after a fresh start")  # pragma: no cover

    # --- writing -------------------------------------------------------------------------

    def save(self, report: Diagnosis, when: dt.datetime | None = None) -> int:
        """Store one diagnosis and return its session number."""
        from hipthrust_cli.core.report import to_dict

        pain = report.answers.get("pain_level")
        top = report.findings[0].title if report.findings else None
        row = (report.kb_version, report.triage.level.value, pain if _is_pain(pain) else None, top)
        # A version 4 report carries a probability; versions 1 and 2 carried a score.
        ranked = [(f.id, f.title, sq.fraction(f.probability or f.score)) for f in report.findings]
        return self._insert(to_dict(report), row, ranked, when)

    def _insert(
        self,
        report: Mapping[str, object],
        row: tuple[str, str, int | None, str | None],
        findings: list[tuple[str, str, float]],
        when: dt.datetime | None = None,
    ) -> int:
        """Store one report's JSON form, its summary columns and its ranked findings."""
        created = (when or dt.datetime.now().astimezone()).isoformat(timespec="seconds")
        values = (
            created,
            *row,
            json.dumps(report.get("answers", {}), ensure_ascii=False, allow_nan=False),
            json.dumps(report, ensure_ascii=False, allow_nan=False),
        )

        def insert(db: sqlite3.Connection | None) -> int:
            assert db is not None
            db.execute("BEGIN IMMEDIATE")
            try:
                cursor = db.execute(
                    "INSERT INTO sessions (created, kb_version, triage, pain, top_cause, answers,"
                    " report) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    values,
                )
                session = int(cursor.lastrowid or 0)
                db.executemany(
                    "INSERT INTO findings (session_id, rank, mistake_id, title, score)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [(session, rank, *f) for rank, f in enumerate(findings, 1)],
                )
                db.execute("COMMIT")
            except BaseException:
                sq.rollback(db)
                raise
            return session

        return self._run(True, insert)

    def clear(self) -> int:
        """Delete every session; returns how many there were."""

        def delete(db: sqlite3.Connection | None) -> int:
            if db is None:
                return 0
            db.execute("BEGIN IMMEDIATE")
            try:
                count = int(db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0])
                db.execute("DELETE FROM findings")
                db.execute("DELETE FROM sessions")
                db.execute("COMMIT")
            except BaseException:
                sq.rollback(db)
                raise
            return count

        return self._run(False, delete)

    # --- reading -------------------------------------------------------------------------

    def sessions(self, last_only: bool = False) -> list[Session]:
        """Every session, oldest first (or just the newest).

        Rows are data from a file anyone with access could have edited: every value is
        checked, and one of the wrong type or out of range reads as missing.
        """
        where = " WHERE id = (SELECT MAX(id) FROM sessions)" if last_only else ""

        def read(
            db: sqlite3.Connection | None,
        ) -> tuple[list[tuple[object, ...]], dict[int, list[tuple[str, str, float]]]]:
            if db is None:
                return [], {}
            rows = db.execute(
                "SELECT id, created, kb_version, triage, pain, top_cause, answers, report"
                f" FROM sessions{where} ORDER BY id"
            ).fetchall()
            found: dict[int, list[tuple[str, str, float]]] = {}
            for sid, mid, title, score in db.execute(
                "SELECT session_id, mistake_id, title, score FROM findings"
                f"{where.replace('id =', 'session_id =')} ORDER BY session_id, rank"
            ):
                found.setdefault(sid, []).append((sq.text(mid), sq.text(title), sq.fraction(score)))
            return rows, found

        rows, found = self._run(False, read)
        return [
            Session(
                id=r[0],
                created=sq.text(r[1]),
                kb_version=sq.text(r[2]),
                triage=sq.text(r[3]),
                pain=r[4] if _is_pain(r[4]) else None,
                top_cause=None if r[5] is None else sq.text(r[5]),
                answers=sq.loads(r[6]),
                saved=sq.loads(r[7]),
                findings=found.get(r[0], []),
            )
            for r in rows
            if isinstance(r[0], int)
        ]

    def last(self) -> Session | None:
        """The most recent session."""
        sessions = self.sessions(last_only=True)
        return sessions[-1] if sessions else None


def _is_pain(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10


def _check_schema(db: sqlite3.Connection) -> None:
    """Refuse a database that claims our schema version but lacks our tables."""
    table = sq.missing_table(db, _COLUMNS)
    if table:
        raise _NotOurs(f"no table {table} with the columns hipthrust writes")


_COLUMNS = {
    "sessions": {"id", "created", "kb_version", "triage", "pain", "top_cause", "answers", "report"},
    "findings": {"session_id", "rank", "mistake_id", "title", "score"},
}
