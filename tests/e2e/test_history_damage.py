"""Issue 13: a damaged, foreign, locked, read-only or full history never loses a report.

Each test names the finding it covers; each fails on the version that shipped before. A
full disk is a real small tmpfs where the machine allows mounting one.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hipthrust_cli import history
from tests.conftest import NOBODY, TRACEBACK, Run, as_user, needs_root, story, write_answers
from tests.test_history import save_as_written


def _answers(tmp_path: Path, **overrides: Any) -> Path:
    return write_answers(tmp_path / "answers.yaml", story(**overrides))


def _sessions(folder: Path) -> int:
    return len(history.History(folder).sessions())


def _report(**extra: Any) -> dict[str, Any]:
    return {"triage": {"level": "self_care"}, "kb_version": "k", "answers": {}, **extra}


def _damage_a_page(db: Path) -> None:
    """Overwrite the sessions table's first page, leaving the file header intact."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'sessions'").fetchone()[0]
    conn.close()
    data = bytearray(db.read_bytes())
    assert root > 1 and len(data) >= root * page
    data[(root - 1) * page : root * page] = b"\xa5" * page
    db.write_bytes(bytes(data))


def test_a_damaged_page_is_moved_aside_and_history_goes_on(
    cli: Callable[..., Run], tmp_path: Path, data_dir: Path
) -> None:
    """Shipped: one damaged page made every later diagnosis 'not saved', for ever."""
    store = history.History(data_dir)
    for i in range(40):
        save_as_written(store, _report(answers={"pain_level": i % 11, "note": "x" * 400}))
    _damage_a_page(store.path)
    run = cli("diagnose", "--answers", str(_answers(tmp_path)), "-f", "json")
    assert run.code == 0 and "moved to" in run.stderr, run
    kept = list(data_dir.glob("history.sqlite3.unreadable-*"))
    assert any(k.name.endswith("unreadable-" + k.name.split("-", 1)[1]) for k in kept)
    assert _sessions(data_dir) == 1
    assert cli("history", "clear", "--yes").code == 0


def test_clear_recovers_a_damaged_history(cli: Callable[..., Run], data_dir: Path) -> None:
    """Shipped: 'history clear --yes' exited 2 on a damaged history, for ever."""
    store = history.History(data_dir)
    for _ in range(40):
        save_as_written(store, _report(answers={"note": "y" * 400}))
    _damage_a_page(store.path)
    run = cli("history", "clear", "--yes")
    assert run.code == 0 and "moved to" in run.stderr, run
    assert cli("history", "clear", "--yes").code == 0


def test_a_foreign_database_claiming_our_version_is_moved_aside(
    cli: Callable[..., Run], tmp_path: Path, data_dir: Path
) -> None:
    data_dir.mkdir()
    db = sqlite3.connect(data_dir / "history.sqlite3")
    db.execute("CREATE TABLE notes (body TEXT)")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    run = cli("diagnose", "--answers", str(_answers(tmp_path)), "-f", "json")
    assert run.code == 0 and "moved to" in run.stderr and "not saved" not in run.stderr
    assert _sessions(data_dir) == 1


def test_wal_and_shm_move_aside_with_the_database(data_dir: Path) -> None:
    data_dir.mkdir()
    (data_dir / "history.sqlite3").write_bytes(b"garbage" * 1000)
    (data_dir / "history.sqlite3-wal").write_bytes(b"wal")
    store = history.History(data_dir)
    save_as_written(store, _report())
    assert store.moved_aside is not None
    assert Path(str(store.moved_aside) + "-wal").read_bytes() == b"wal"


@needs_root
def test_a_read_only_history_can_still_be_listed_and_shown(
    cli: Callable[..., Run], shared_tmp: Path
) -> None:
    """Shipped: a read-only but readable history could not even be listed."""
    folder = shared_tmp / "data"
    store = history.History(folder)
    save_as_written(store, _report(answers={"pain_level": 3}))
    save_as_written(store, _report(answers={"pain_level": 4}))
    for path in [folder, *folder.iterdir()]:
        os.chown(path, NOBODY, NOBODY)
        path.chmod(0o500 if path.is_dir() else 0o400)

    def read_then_write() -> list[Any]:
        store = history.History(folder)
        pains = [s.pain for s in store.sessions()]
        try:
            save_as_written(store, _report())
            said = "saved"
        except history.HistoryError as exc:
            said = str(exc)
        return [pains, said]

    pains, said = as_user(read_then_write)
    assert pains == [3, 4]
    assert "read-only" in said
    assert sorted(p.name for p in folder.iterdir())[0] == "history.sqlite3"
    assert not list(folder.glob("*.unreadable-*")), "read-only is not damage"


def test_a_locked_history_gets_its_own_sentence_and_is_not_moved(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = history.History(data_dir)
    save_as_written(store, _report())
    monkeypatch.setattr(history, "BUSY_SECONDS", 0.1)
    holder = sqlite3.connect(store.path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(history.HistoryError, match="locked by another program"):
            save_as_written(history.History(data_dir), _report())
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not list(data_dir.glob("*.unreadable-*"))


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """A 256 KiB tmpfs: a real full disk. Skipped where mounting is not allowed."""
    import tempfile

    if not hasattr(os, "getuid") or os.getuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = Path(tempfile.mkdtemp(prefix="hipthrust-full-"))
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        mount.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)
        mount.rmdir()


def _fill(folder: Path) -> None:
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)


def test_a_full_disk_says_so(small_disk: Path) -> None:
    """Shipped: 'cannot rollback - no transaction is active'."""
    store = history.History(small_disk / "data")
    save_as_written(store, _report())
    _fill(small_disk)
    with pytest.raises(history.HistoryError) as caught:
        for _ in range(50):
            save_as_written(store, _report(answers={"note": "z" * 20_000}))
    assert "disk is full" in str(caught.value)
    assert "rollback" not in str(caught.value)
    assert not list((small_disk / "data").glob("*.unreadable-*"))


def test_a_full_disk_in_the_cli_keeps_the_report(
    cli: Callable[..., Run], tmp_path: Path, small_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIPTHRUST_DATA_DIR", str(small_disk / "data"))
    _fill(small_disk)
    run = cli("diagnose", "--answers", str(_answers(tmp_path)), "-f", "json")
    assert run.code == 0 and json.loads(run.stdout)["triage"]
    assert "not saved" in run.stderr and ("disk is full" in run.stderr or "create" in run.stderr)
    assert TRACEBACK not in run.stderr and "this is a bug" not in run.stderr


def _plant_rows(folder: Path) -> None:
    store = history.History(folder)
    save_as_written(
        store,
        _report(answers={"pain_level": 2}, findings=[{"id": "a", "title": "A", "score": 0.5}]),
    )
    db = sqlite3.connect(store.path)
    db.execute(
        "INSERT INTO sessions (created, kb_version, triage, pain, top_cause, answers, report)"
        " VALUES ('2026-01-01', 'k', 'self_care', 'text', 5, '{}', '{\"x\": NaN}')"
    )
    sid = db.execute("SELECT MAX(id) FROM sessions").fetchone()[0]
    db.execute("INSERT INTO findings VALUES (?, 1, 'm', 7, 'NaN')", (sid,))
    db.execute("INSERT INTO findings VALUES (?, 2, 'n', 'N', 1e308)", (sid,))
    db.execute("INSERT INTO findings VALUES (1, 2, 'o', 'O', ?)", (float("inf"),))
    db.commit()
    db.close()


def _strict_json(text: str) -> Any:
    def refuse(name: str) -> None:
        raise AssertionError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_damaged_history_rows_are_shown_not_crashed_on(
    cli: Callable[..., Run], data_dir: Path
) -> None:
    """Shipped: a text pain, an int title, a NaN or 1e308 score ended in 'this is a bug'."""
    _plant_rows(data_dir)
    for args in (
        ["history"],
        ["history", "-f", "json"],
        ["history", "-f", "markdown"],
        ["history", "show", "1", "-f", "json"],
        ["history", "show", "2"],
        ["history", "export", "-"],
        ["diagnose", "--again", "--no-input", "-f", "json"],
    ):
        run = cli(*args)
        assert run.code in (0, 2), (args, run)
        assert "this is a bug" not in run.stderr and TRACEBACK not in run.stderr
        if run.code == 0 and ("json" in args or "export" in args):
            _strict_json(run.stdout)
