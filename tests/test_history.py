"""History, progress and shared reports: saved safely, shown again, never lost."""

from __future__ import annotations

import functools
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hipthrust_cli import history
from hipthrust_cli.core.diagnose import diagnose
from hipthrust_cli.core.report import Diagnosis
from hipthrust_cli.kb import KnowledgeBase
from hipthrust_cli.kb.loading import load

from .conftest import TRACEBACK, Run, story, write_answers


def save_as_written(store: history.History, report: dict[str, Any]) -> int:
    """Store *report* as an older hipthrust wrote it: its JSON form exactly as given."""
    findings = report.get("findings", [])
    pain = report.get("answers", {}).get("pain_level")
    return store._insert(
        report=report,
        row=(
            report["kb_version"],
            report["triage"]["level"],
            pain if isinstance(pain, int) else None,
            findings[0]["title"] if findings else None,
        ),
        findings=[(f["id"], f["title"], f.get("probability", f.get("score"))) for f in findings],
    )


def a_report(**answers: Any) -> Diagnosis:
    """A real diagnosis of *answers* (the shipped knowledge base)."""
    return diagnose(_shipped(), answers)


@functools.cache
def _shipped() -> KnowledgeBase:
    return load()


def _diagnose(cli: Callable[..., Run], tmp_path: Path, *extra: str, **answers: object) -> Run:
    path = write_answers(tmp_path / "a.yaml", story(**answers))
    return cli("diagnose", "--answers", str(path), "-f", "json", *extra)


# --- the store ------------------------------------------------------------------------------


def test_save_list_last_clear(data_dir: Path) -> None:
    store = history.History(data_dir)
    assert store.sessions() == [] and not store.path.exists()
    report = a_report(**story(pain_level=3, lockout_arch="clearly"))
    first = store.save(report)
    second = store.save(a_report())
    assert (first, second) == (1, 2)
    sessions = store.sessions()
    assert [s.pain for s in sessions] == [3, None]
    top = report.findings[0]
    assert sessions[0].findings[0] == (top.id, top.title, top.probability)
    assert sessions[0].report == report and sessions[1].report == a_report()
    assert store.last() == sessions[-1]
    db = sqlite3.connect(store.path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()
    assert store.clear() == 2 and store.sessions() == []


def test_newer_schema_is_refused_not_touched(data_dir: Path) -> None:
    data_dir.mkdir()
    db = sqlite3.connect(data_dir / history.FILE_NAME)
    db.execute(f"PRAGMA user_version = {history.SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(history.HistoryError, match="newer hipthrust"):
        history.History(data_dir).sessions()
    assert (data_dir / history.FILE_NAME).exists()


# --- the CLI: saving, listing, showing, progress -----------------------------------------------


def test_diagnose_saves_and_compares(
    cli: Callable[..., Run], tmp_path: Path, data_dir: Path
) -> None:
    first = _diagnose(cli, tmp_path, lockout_arch="clearly", pain_level=6)
    assert first.code == 0 and first.json()["progress"] is None
    second = _diagnose(cli, tmp_path, bench_height="high", pain_level=3)
    progress = second.json()["progress"]
    assert progress["resolved"] == ["Arching the lower back"]
    assert progress["new"] == ["Bench too high"]
    assert progress["pain_trend"] == "down" and "pain down from 6 to 3" in progress["summary"]
    assert [s.id for s in history.History(data_dir).sessions()] == [1, 2]


def test_no_history_saves_nothing(cli: Callable[..., Run], tmp_path: Path, data_dir: Path) -> None:
    assert _diagnose(cli, tmp_path, "--no-history").code == 0
    assert not (data_dir / history.FILE_NAME).exists()


def test_history_list_formats(cli: Callable[..., Run], tmp_path: Path, data_dir: Path) -> None:
    assert "No sessions yet" in cli("history").stderr
    _diagnose(cli, tmp_path, lockout_arch="clearly", pain_level=6)
    _diagnose(cli, tmp_path, pain_level=2)
    rows = cli("history", "-f", "json").json()
    assert [r["number"] for r in rows] == [1, 2]
    assert rows[0]["top_cause"] == "Arching the lower back" and rows[1]["pain"] == 2
    rich = cli("history").stdout
    assert "Arching the lower back" in rich and "6/10" in rich and "▅▂" in rich
    assert "| 1 |" in cli("history", "-f", "markdown").stdout


def test_history_show_re_renders(cli: Callable[..., Run], tmp_path: Path, data_dir: Path) -> None:
    original = _diagnose(cli, tmp_path, bench_height="high").json()
    shown = cli("history", "show", "1", "-f", "json").json()
    assert shown == original
    assert "Bench too high" in cli("history", "show", "1").stdout
    run = cli("history", "show", "7")
    assert run.code == 2 and "no session 7" in run.stderr


def test_sessions_saved_with_scores_still_list_show_and_compare(
    cli: Callable[..., Run], tmp_path: Path, data_dir: Path
) -> None:
    """A version 2 report (scores, no bands) reads as it was after the model changed."""
    new = _diagnose(cli, tmp_path, "--no-history", lockout_arch="clearly").json()
    old = dict(new, version=2)
    old.pop("interview")
    old["findings"] = [
        {
            **{k: v for k, v in f.items() if k not in ("probability", "band", "related")},
            "score": 0.8,
        }
        for f in new["findings"]
    ]
    old["answers"] = dict(old["answers"], pain_level=6)
    save_as_written(history.History(data_dir), old)
    rows = cli("history", "-f", "json").json()
    assert rows[0]["top_cause"] == "Arching the lower back"
    shown = cli("history", "show", "1")
    assert shown.code == 0 and "████████░░ 80%" in shown.stdout
    assert cli("history", "show", "1", "-f", "json").json() == old
    assert "80%" in cli("history", "show", "1", "-f", "markdown").stdout
    now = _diagnose(cli, tmp_path, bench_height="high", pain_level=3).json()
    assert now["version"] == 4 and "score" not in now["findings"][0]
    assert now["progress"]["resolved"] == ["Arching the lower back"]
    assert "pain down from 6 to 3" in now["progress"]["summary"]


def test_again_uses_the_last_answers(
    cli: Callable[..., Run], tmp_path: Path, data_dir: Path
) -> None:
    # With no history, --again says so and starts fresh: not an error.
    run = cli("diagnose", "--again", "--no-input", "-f", "json")
    assert run.code == 0 and "No earlier session" in run.stderr and "starting fresh" in run.stderr
    _diagnose(cli, tmp_path, bench_height="high", pain_level=6)
    again = cli("diagnose", "--again", "--no-input", "-f", "json", "--answer", "tempo=bounce")
    data = again.json()
    assert data["answers"]["bench_height"] == "high" and data["answers"]["tempo"] == "bounce"
    assert data["progress"]["still_present"][0] == "Bench too high"
    # Weeks-old warning signs and pain are never reused: without a terminal they stay
    # unanswered, and the report says the screen was not done.
    from hipthrust_cli.kb.loading import load

    kb = load()
    fresh = {q.id for q in kb.questions if q.red_flag} | kb.red_flag_questions
    assert "pain_level" in fresh and "emergency_signs" in fresh
    assert not fresh & set(data["answers"]), fresh & set(data["answers"])
    assert data["triage"]["unscreened"], "the report lists the signs not checked"


def test_export_and_clear(cli: Callable[..., Run], tmp_path: Path, data_dir: Path) -> None:
    _diagnose(cli, tmp_path)
    _diagnose(cli, tmp_path, tempo="bounce")
    target = tmp_path / "export.json"
    assert cli("history", "export", str(target)).code == 0
    data = json.loads(target.read_text())
    assert [s["number"] for s in data["sessions"]] == [1, 2]
    assert data["sessions"][1]["answers"]["tempo"] == "bounce"
    run = cli("history", "export", str(tmp_path / "no" / "x.json"))
    assert run.code == 2 and "does not exist" in run.stderr
    blocked = tmp_path / "ro"
    blocked.mkdir()
    blocked.chmod(0o500)
    if not os.access(blocked, os.W_OK):  # as root, permissions do not stop us
        run = cli("history", "export", str(blocked / "x.json"))
        assert run.code == 2 and not list(blocked.iterdir())
    assert cli("history", "clear").code == 2  # no terminal: needs --yes
    assert "Deleted 2 sessions" in cli("history", "clear", "--yes").stderr
    assert cli("history", "-f", "json").json() == []


def test_clear_asks_first(
    cli: Callable[..., Run], tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _diagnose(cli, tmp_path)
    import typer

    from hipthrust_cli.cli import common

    monkeypatch.setattr(common, "stdin_is_terminal", lambda: True)
    monkeypatch.setattr(typer, "confirm", lambda *a, **k: False)
    run = cli("history", "clear")
    assert "Nothing was deleted" in run.stderr
    assert len(history.History(data_dir).sessions()) == 1


# --- failure modes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content", [b"this is not a database at all" * 100, b"SQLite format 3\x00" + b"\xff" * 4000]
)
def test_corrupt_database_is_moved_aside(
    cli: Callable[..., Run], tmp_path: Path, data_dir: Path, content: bytes
) -> None:
    data_dir.mkdir()
    (data_dir / history.FILE_NAME).write_bytes(content)
    run = _diagnose(cli, tmp_path)
    assert run.code == 0 and json.loads(run.stdout)["findings"] is not None
    assert "moved to" in run.stderr and "kept, not deleted" in run.stderr
    kept = list(data_dir.glob(f"{history.FILE_NAME}.unreadable-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == content
    assert len(history.History(data_dir).sessions()) == 1


def test_foreign_database_is_moved_aside(
    cli: Callable[..., Run], tmp_path: Path, data_dir: Path
) -> None:
    data_dir.mkdir()
    db = sqlite3.connect(data_dir / history.FILE_NAME)
    db.execute("CREATE TABLE photos (id INTEGER, path TEXT)")
    db.execute("INSERT INTO photos VALUES (1, 'a.jpg')")
    db.commit()
    db.close()
    run = _diagnose(cli, tmp_path)
    assert run.code == 0 and "moved to" in run.stderr
    kept = next(data_dir.glob(f"{history.FILE_NAME}.unreadable-*"))
    assert sqlite3.connect(kept).execute("SELECT path FROM photos").fetchone() == ("a.jpg",)


def test_read_only_folder_still_prints_the_report(
    cli: Callable[..., Run], tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: history.History, report: object, when: object = None) -> int:
        raise history.HistoryError(f"cannot create {self.folder} (Read-only file system)")

    monkeypatch.setattr(history.History, "save", refuse)
    run = _diagnose(cli, tmp_path)
    assert run.code == 0 and json.loads(run.stdout)["version"] == 4
    assert run.stderr.count("\n") == 1 and "was not saved" in run.stderr
    assert "Saved as" not in run.stderr


def test_data_dir_that_is_a_file(
    cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("HIPTHRUST_DATA_DIR", str(blocker))
    run = _diagnose(cli, tmp_path)
    assert run.code == 0 and "was not saved" in run.stderr and TRACEBACK not in run.stderr


@pytest.mark.slow
def test_eight_diagnoses_at_once_all_land(tmp_path: Path, data_dir: Path) -> None:
    answers = write_answers(tmp_path / "a.yaml", story())
    env = {**os.environ, "HIPTHRUST_DATA_DIR": str(data_dir)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hipthrust_cli",
                "diagnose",
                "--answers",
                str(answers),
                "--answer",
                f"pain_level={i}",
                "-f",
                "json",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        for i in range(8)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert all(p.returncode == 0 for p in procs), errors
    # Nothing but each run's own "Saved as session #N" line: eight different numbers.
    saved = [
        re.fullmatch(rb"Saved as session #(\d+) \xe2\x80\x94 next time: [^\n]+\n", e)
        for e in errors
    ]
    assert all(saved), errors
    assert len({m[1] for m in saved if m}) == 8
    pains = sorted(s.pain for s in history.History(data_dir).sessions() if s.pain is not None)
    assert pains == list(range(8))


def test_a_locked_database_is_never_moved_aside(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = history.History(data_dir)
    store.save(a_report())
    monkeypatch.setattr(history, "BUSY_SECONDS", 0.1)
    holder = sqlite3.connect(store.path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(history.HistoryError):
            history.History(data_dir).save(a_report())
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not list(data_dir.glob("*.unreadable-*"))
    assert len(history.History(data_dir).sessions()) == 1


def test_many_stores_creating_the_file_at_once(data_dir: Path) -> None:
    import threading

    report = a_report()
    failures: list[BaseException] = []

    def save() -> None:
        try:
            history.History(data_dir).save(report)
        except BaseException as exc:  # collected and reported below
            failures.append(exc)

    threads = [threading.Thread(target=save) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert not list(data_dir.glob("*.unreadable-*")), "a valid history was moved aside"
    assert len(history.History(data_dir).sessions()) == 12
