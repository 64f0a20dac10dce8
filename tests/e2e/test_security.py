"""Issue 13: nothing lost, nothing leaked, no input that ends in "this is a bug".

Each test names the finding it covers; each fails on the version that shipped before.
Permission tests run as a real unprivileged user (see ``conftest.as_user``), a full disk
is a real small tmpfs where the machine allows mounting one.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hipthrust_cli import history
from hipthrust_cli.core import diagnose as engine
from hipthrust_cli.kb.files import FILES
from tests.conftest import ROOT, TRACEBACK, Run, as_user, needs_root, story, write_answers


def _answers(tmp_path: Path, **overrides: Any) -> Path:
    return write_answers(tmp_path / "answers.yaml", story(**overrides))


def _sessions(folder: Path) -> int:
    return len(history.History(folder).sessions())


def _run(
    args: list[str], env: dict[str, str], shell_prefix: str = "", **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """Run the real command in a child process (``python -m hipthrust_cli``)."""
    command = [sys.executable, "-m", "hipthrust_cli", *args]
    if shell_prefix:  # e.g. 'exec "$@" >&-' to start with stdout closed
        command = ["sh", "-c", shell_prefix, "sh", *command]
    return subprocess.run(
        command,
        env={**os.environ, **env},
        capture_output="stdout" not in kwargs,
        text=True,
        timeout=60,
        cwd=ROOT,
        **kwargs,
    )


# --- private by default ---------------------------------------------------------------------


def test_history_and_its_folders_are_private(
    cli: Callable[..., Run], tmp_path: Path, data_dir: Path
) -> None:
    """Shipped: history.sqlite3 0644 in 0755 folders, readable by every local user."""
    assert cli("diagnose", "--answers", str(_answers(tmp_path)), "-f", "json").code == 0
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    for name in ("history.sqlite3", "history.sqlite3-wal", "history.sqlite3-shm"):
        path = data_dir / name
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name


def test_an_old_wide_history_is_made_private(
    cli: Callable[..., Run], tmp_path: Path, data_dir: Path
) -> None:
    assert cli("diagnose", "--answers", str(_answers(tmp_path)), "-f", "json").code == 0
    (data_dir / "history.sqlite3").chmod(0o644)
    data_dir.chmod(0o755)
    assert cli("history", "-f", "json").code == 0
    assert stat.S_IMODE((data_dir / "history.sqlite3").stat().st_mode) == 0o600


def test_a_configured_folder_keeps_its_mode_and_hipthrusts_own_is_narrowed(
    cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HIPTHRUST_DATA_DIR may be shared on purpose; the default folder is hipthrust's own."""
    answers = str(_answers(tmp_path))
    configured = tmp_path / "shared"
    configured.mkdir(mode=0o755)
    configured.chmod(0o755)
    monkeypatch.setenv("HIPTHRUST_DATA_DIR", str(configured))
    assert cli("diagnose", "--answers", answers, "-f", "json").code == 0
    assert stat.S_IMODE(configured.stat().st_mode) == 0o755
    assert stat.S_IMODE((configured / "history.sqlite3").stat().st_mode) == 0o600
    assert stat.S_IMODE((configured / "cache").stat().st_mode) == 0o700

    monkeypatch.delenv("HIPTHRUST_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    own = tmp_path / "xdg" / "hipthrust"
    own.mkdir(parents=True)
    own.chmod(0o755)  # as an older hipthrust left it
    assert cli("diagnose", "--answers", answers, "-f", "json").code == 0
    assert stat.S_IMODE(own.stat().st_mode) == 0o700
    assert stat.S_IMODE((own / "history.sqlite3").stat().st_mode) == 0o600


@needs_root
def test_another_user_cannot_read_the_history(
    cli: Callable[..., Run], tmp_path: Path, shared_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = shared_tmp / "data"
    monkeypatch.setenv("HIPTHRUST_DATA_DIR", str(folder))
    assert cli("diagnose", "--answers", str(_answers(tmp_path)), "-f", "json").code == 0
    db = folder / "history.sqlite3"

    def peek() -> str:
        try:
            return db.read_bytes()[:6].decode()
        except PermissionError:
            return "denied"

    assert as_user(peek) == "denied"
    folder.chmod(0o755)  # even with the folder open, the file itself is private
    assert as_user(peek) == "denied"


@pytest.mark.parametrize("command", ["export", "report"])
def test_overwriting_keeps_the_mode_and_never_widens(
    cli: Callable[..., Run], tmp_path: Path, data_dir: Path, command: str
) -> None:
    """Shipped: -o and history export turned an existing 0600 file into 0644."""
    answers = str(_answers(tmp_path))
    target = tmp_path / ("out.json" if command == "export" else "out.md")

    def write() -> Run:
        if command == "export":
            return cli("history", "export", str(target))
        return cli("diagnose", "--answers", answers, "-f", "json", "-o", str(target))

    assert cli("diagnose", "--answers", answers, "-f", "json").code == 0
    assert write().code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600, "a new export is private"
    for mode in (0o600, 0o640, 0o400 | 0o200):
        target.chmod(mode)
        assert write().code == 0
        assert stat.S_IMODE(target.stat().st_mode) == mode


def test_hard_links_keep_seeing_the_new_contents(
    cli: Callable[..., Run], tmp_path: Path, data_dir: Path
) -> None:
    """Shipped: the rename left the other name with the old contents."""
    answers = str(_answers(tmp_path))
    assert cli("diagnose", "--answers", answers, "-f", "json").code == 0
    target, other = tmp_path / "export.json", tmp_path / "other-name.json"
    target.write_text("old")
    os.link(target, other)
    assert cli("history", "export", str(target)).code == 0
    assert other.read_text() == target.read_text() != "old"
    assert json.loads(other.read_text())["sessions"]


# --- save first, then show --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["rich", "markdown", "json"])
def test_a_closed_pipe_exits_0_quietly_and_the_session_is_saved(
    tmp_path: Path, data_dir: Path, fmt: str
) -> None:
    """Shipped: saved after printing, so 'diagnose | head -1' lost it; Rich exited 1."""
    command = [sys.executable, "-m", "hipthrust_cli", "diagnose"]
    args = ["--answers", str(_answers(tmp_path)), "-f", fmt]
    env = {**os.environ, "HIPTHRUST_DATA_DIR": str(data_dir)}
    proc = subprocess.Popen(
        [*command, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader goes away before the report is written
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, err
    assert err == ""
    assert _sessions(data_dir) == 1


def test_a_full_stdout_is_a_sentence_and_the_session_is_saved(
    tmp_path: Path, data_dir: Path
) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("this system has no /dev/full")
    with open("/dev/full", "w") as full:
        run = _run(
            ["diagnose", "--answers", str(_answers(tmp_path))],
            {"HIPTHRUST_DATA_DIR": str(data_dir)},
            stdout=full,
            stderr=subprocess.PIPE,
        )
    assert run.returncode == 2 and "disk is full" in run.stderr and TRACEBACK not in run.stderr
    assert "saved as session 1" in run.stderr
    assert _sessions(data_dir) == 1


def test_a_closed_stdout_is_a_sentence_and_never_reaches_the_history(
    tmp_path: Path, data_dir: Path
) -> None:
    """With fd 1 closed, the history database could have become 'stdout'."""
    run = _run(
        ["diagnose", "--answers", str(_answers(tmp_path)), "-f", "json"],
        {"HIPTHRUST_DATA_DIR": str(data_dir)},
        shell_prefix='exec "$@" >&-',
    )
    # The same sentence as for a stdout that is None (one wording for one condition).
    assert run.returncode == 2 and "Cannot write to standard output: it is closed." in run.stderr
    assert "saved as session 1" in run.stderr
    assert _sessions(data_dir) == 1
    (session,) = history.History(data_dir).sessions()
    assert session.report.findings is not None


def test_a_read_only_stdout_is_not_called_closed(tmp_path: Path, data_dir: Path) -> None:
    """fd 1 open for reading only: writing fails, but it is not closed."""
    run = _run(
        ["variations"], {"HIPTHRUST_DATA_DIR": str(data_dir)}, shell_prefix='exec "$@" 1</dev/null'
    )
    assert run.returncode == 2 and "it is closed" not in run.stderr
    assert run.stderr.startswith("Error: Cannot write to standard output (")


@pytest.mark.parametrize(
    "args",
    [["diagnose", "--no-such-option"], ["diagnose", "--answer", "nope=1", "--no-input"]],
    ids=["typer-usage", "our-usage"],
)
def test_a_usage_error_with_stderr_closed_is_exit_2_not_a_bug(
    data_dir: Path, args: list[str]
) -> None:
    """Shipped: writing the sentence to a closed stderr was itself 'a bug' (exit 1)."""
    run = _run(args, {"HIPTHRUST_DATA_DIR": str(data_dir)}, shell_prefix='exec "$@" 2>&-')
    assert run.returncode == 2
    assert not data_dir.exists() or not list(data_dir.glob("hipthrust-error-*"))


def test_answers_from_a_closed_stdin(data_dir: Path) -> None:
    run = _run(
        ["diagnose", "--answers", "-", "-f", "json"],
        {"HIPTHRUST_DATA_DIR": str(data_dir)},
        shell_prefix='exec "$@" <&-',
    )
    assert run.returncode == 2 and "standard input is closed" in run.stderr
    assert TRACEBACK not in run.stderr and "this is a bug" not in run.stderr


def test_an_output_folder_that_vanishes_keeps_the_session(
    cli: Callable[..., Run], tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shipped: the -o folder vanishing during the wizard lost the whole interview."""
    folder = tmp_path / "reports"
    folder.mkdir()
    real = engine.diagnose

    def diagnose_then_vanish(*args: Any, **kwargs: Any) -> Any:
        folder.rmdir()  # as if removed while the user was answering
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "diagnose", diagnose_then_vanish)
    run = cli(
        "diagnose", "--answers", str(_answers(tmp_path)), "-f", "json", "-o", str(folder / "r.md")
    )
    assert run.code == 2 and "session 1" in run.stderr and "history show 1" in run.stderr
    assert json.loads(run.stdout)["triage"]
    assert _sessions(data_dir) == 1


@needs_root
def test_an_unwritable_output_folder_is_refused_before_the_first_question(
    cli: Callable[..., Run], shared_tmp: Path
) -> None:
    """Shipped: only a missing folder was checked early; permissions failed at the end."""
    import typer.rich_utils  # noqa: F401 - preloaded for the unprivileged child

    target = shared_tmp / "r.md"  # root's 0755 folder: nobody cannot write here
    cli("diagnose", "--no-input", "-f", "json", "--no-history")  # warm imports as root

    def run() -> list[Any]:
        # No answers and no terminal: without the early check this would be the
        # "needs a terminal" error, i.e. the interview would have started.
        result = cli("diagnose", "-o", str(target), "--no-history")
        return [result.code, result.stderr]

    code, stderr = as_user(run)
    assert code == 2 and "permission denied" in stderr and "r.md" in stderr, stderr


# --- knowledge-base files that are not files --------------------------------------------


@pytest.mark.parametrize("kind", ["dev-zero-link", "fifo", "device"])
def test_overlay_files_that_are_not_files_are_refused_before_reading(
    tmp_path: Path, data_dir: Path, kind: str
) -> None:
    """Shipped: /dev/zero grew memory without bound (the cache key read it), a FIFO hung."""
    overlay = tmp_path / "o"
    overlay.mkdir()
    notes = overlay / "notes.yaml"
    if kind == "fifo":
        os.mkfifo(notes)
    elif kind == "dev-zero-link":
        notes.symlink_to("/dev/zero")
    else:
        notes.symlink_to("/dev/null")
    run = _run(["variations", "--kb", str(overlay)], {"HIPTHRUST_DATA_DIR": str(data_dir)})
    assert run.returncode == 3 and "notes.yaml" in run.stderr, run.stderr
    assert TRACEBACK not in run.stderr


# --- terminal: every string through the one escaping function -----------------------------------

EVIL = "\x1b]52;c;cHduZWQ=\x07\x1b[2J\x1b]8;;https://x.example\x1b\\\x9b31m\u202eevil"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")
# Ids, references and enumerations: poisoned, they would only make the overlay invalid.
STRUCTURAL = {"id", "question", "answers", "kind", "level", "evidence", "drills", "form", "remove"}
STRUCTURAL |= {"always_ask", "group", "kind_of_evidence", "related"}


def _poison_strings(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _poison_strings(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_poison_strings(v, key) for v in value]
    if isinstance(value, str) and key not in STRUCTURAL:
        return value + EVIL
    return value


@pytest.fixture
def hostile_overlay(tmp_path: Path) -> Path:
    """Every text, name and list of words in the shipped knowledge base, with escapes."""
    import yaml

    from tests.conftest import DATA

    overlay = tmp_path / ("hostile\x1b[2J\u202e")
    overlay.mkdir()
    for name in FILES:
        data = yaml.safe_load((DATA / name).read_text())
        (overlay / name).write_text(yaml.safe_dump(_poison_strings(data), allow_unicode=True))
    return overlay


def _clean(run: Run, what: object) -> None:
    assert TRACEBACK not in run.stderr and "this is a bug" not in run.stderr, (what, run)
    for raw in RAW:
        assert raw not in run.stdout, (what, repr(raw), run.stdout[:400])
        assert raw not in run.stderr, (what, repr(raw), run.stderr[:400])


def test_every_command_escapes_a_hostile_overlay(
    cli: Callable[..., Run],
    tmp_path: Path,
    data_dir: Path,
    hostile_overlay: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Shipped: 'variations --goal' printed overlay goals raw (OSC 52, OSC 8, clear screen).

    The overlay changes the shipped warning signs' texts too, which the safety guard
    refuses; switching it off lets those texts reach every report, escaped.
    """
    monkeypatch.setenv("HIPTHRUST_ALLOW_UNSAFE_KB", "1")
    kb_args = ["--kb", str(hostile_overlay)]
    answers = str(_answers(tmp_path, lockout_arch="clearly", bench_height="high", pain_level=6))
    commands: list[list[str]] = [
        ["variations"],
        ["variations", "single leg"],
        ["variations", "--goal", "no-such-goal"],
        ["variations", "--equipment", "nothing-like-this", "--level", "nope"],
        ["alternatives"],
        ["form"],
        ["questions"],
        ["kb", "show"],
        *[
            ["kb", "show", kind]
            for kind in (
                "questions",
                "red_flags",
                "mistakes",
                "drills",
                "variations",
                "alternatives",
                "notes",
                "technique",
                "settings",
            )
        ],
        ["kb", "show", "questions", "pain_level"],
        ["kb", "show", "mistakes", "no_such_id"],
        ["diagnose", "--answers", answers, "--verbose"],
    ]
    for command in commands:
        for fmt in ("rich", "markdown", "json"):
            args = [*command, "-f", fmt, *kb_args]
            run = cli(*args)
            _clean(run, args)
            assert run.code == (2 if "no_such_id" in command else 0), (args, run)
            shown = run.stdout + run.stderr
            if "no_such_id" not in command and (command != ["kb", "show"] or fmt != "json"):
                assert any(m in shown for m in ("x1b", "u001b", "\\e", "evil")), "shown, escaped"
    for fmt in ("rich", "markdown", "json"):
        _clean(cli("history", "-f", fmt), ("history", fmt))
        _clean(cli("history", "show", "1", "-f", fmt), ("history show", fmt))
        _clean(cli("kb", "validate", str(hostile_overlay), "-f", fmt), ("kb validate", fmt))
    html = tmp_path / "r.html"
    md = tmp_path / "r.md"
    for target in (html, md):
        run = cli("diagnose", "--answers", answers, "-f", "json", "-o", str(target), *kb_args)
        _clean(run, target)
        text = target.read_text()
        assert all(raw not in text for raw in RAW), target


def test_problems_in_a_hostile_folder_are_escaped(cli: Callable[..., Run], tmp_path: Path) -> None:
    """Shipped: 'kb validate DIR' printed the folder name raw."""
    folder = tmp_path / "x\x1b]52;c;cHduZWQ=\x07"
    folder.mkdir()
    (folder / "drills.yaml").write_text("drills:\n  - {id: d, name: '\x1b[2J', how: 3}\n")
    (folder / "drill\x1b[2J.yaml").write_text("")
    for fmt in ("rich", "markdown", "json"):
        _clean(cli("kb", "validate", str(folder), "-f", fmt), fmt)
    _clean(cli("variations", "--kb", str(folder)), "variations")
    _clean(cli("diagnose", "--no-input", "-o", str(folder / "r.txt")), "-o")
