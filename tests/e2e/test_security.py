"""Issue 13: nothing lost, nothing leaked, no input that ends in "this is a bug".

Each test names the finding it covers; each fails on the version that shipped before.
Permission tests run as a real unprivileged user (see ``conftest.as_user``), a full disk
is a real small tmpfs where the machine allows mounting one.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hipthrust_cli import history, yamlio
from hipthrust_cli.core import diagnose as engine
from hipthrust_cli.kb import loading
from hipthrust_cli.kb.files import FILES
from tests.conftest import NOBODY, ROOT, Run, as_user, needs_root, story, write_answers
from tests.test_history import save_as_written

TRACEBACK = "Traceback (most recent call last)"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("HIPTHRUST_DATA_DIR", str(folder))
    return folder


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
    assert run.returncode == 2 and "standard output is closed" in run.stderr
    assert "saved as session 1" in run.stderr
    assert _sessions(data_dir) == 1
    (session,) = history.History(data_dir).sessions()
    assert session.report.findings is not None


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


# --- targets that are not plain files -------------------------------------------------------


def _fifo(tmp_path: Path) -> Path:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    return fifo


@pytest.fixture
def device(tmp_path: Path) -> Path:
    """A private copy of /dev/null's device node, so a failing test never harms /dev.

    (The shipped version, run as root against the real /dev/null, replaced it with a
    file: exactly the finding this guards against.)
    """
    node = tmp_path / "null"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, AttributeError):
        pytest.skip("making a device node needs root (CI runs as root)")
    return node


@pytest.mark.parametrize(
    "args",
    [
        ["history", "export", "{device}"],
        ["history", "export", "{link}"],
        ["kb", "schema", "questions", "-o", "{device}"],
        ["diagnose", "--no-input", "-f", "json", "-o", "{device}"],
    ],
    ids=["export-device", "export-link-to-device", "schema-device", "report-device"],
)
def test_device_targets_are_refused(
    cli: Callable[..., Run], data_dir: Path, device: Path, args: list[str]
) -> None:
    """Shipped, as root: /dev/null was replaced by a file holding the whole history."""
    link = device.with_name("stdout")  # like /dev/stdout: a link to a device
    link.symlink_to(device)
    run = cli(*[a.format(device=device, link=link) for a in args])
    assert run.code == 2 and "Cannot write" in run.stderr and TRACEBACK not in run.stderr
    assert stat.S_ISCHR(device.lstat().st_mode) and link.is_symlink()


def test_fifo_symlink_and_folder_targets_are_refused(
    cli: Callable[..., Run], tmp_path: Path, data_dir: Path
) -> None:
    answers = str(_answers(tmp_path))
    fifo = _fifo(tmp_path)
    elsewhere = tmp_path / "elsewhere.md"
    elsewhere.write_text("keep me")
    link = tmp_path / "link.md"
    link.symlink_to(elsewhere)
    folder = tmp_path / "folder.md"
    folder.mkdir()
    for target, words in ((fifo, "FIFO"), (link, "symbolic link"), (folder, "folder")):
        run = cli("diagnose", "--answers", answers, "-f", "json", "-o", str(target))
        assert run.code == 2 and words in run.stderr, run
        assert run.stdout == "", "refused before anything ran"
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and link.is_symlink()
    assert elsewhere.read_text() == "keep me" and folder.is_dir()
    assert cli("history", "export", str(link)).code == 2


def test_a_repeated_output_is_an_error(cli: Callable[..., Run], tmp_path: Path) -> None:
    """Shipped: the first -o was silently dropped."""
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    run = cli("diagnose", "--no-input", "-f", "json", "-o", str(a), "-o", str(b))
    assert run.code == 2 and "given 2 times" in run.stderr
    assert not a.exists() and not b.exists()
    assert cli("kb", "schema", "-o", str(a), "-o", str(b)).code == 2


def test_output_dash_writes_the_report_to_stdout_in_the_format(
    cli: Callable[..., Run], tmp_path: Path
) -> None:
    run = cli("diagnose", "--answers", str(_answers(tmp_path)), "-f", "json", "-o", "-")
    assert run.code == 0 and json.loads(run.stdout)["triage"]
    run = cli("diagnose", "--answers", str(_answers(tmp_path)), "-f", "markdown", "-o", "-")
    assert run.code == 0 and run.stdout.startswith("#")
    assert not Path("-").exists()
    assert json.loads(cli("kb", "schema", "questions", "-o", "-").stdout)


# --- history recovery ----------------------------------------------------------------------------


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


def test_json_output_never_contains_nan() -> None:
    from hipthrust_cli.views.json import to_json

    text = to_json({"a": float("nan"), "b": [float("inf"), 1.5]})
    assert _strict_json(text) == {"a": None, "b": [None, 1.5]}


# --- bad input: every one a sentence and exit 2 or 3 --------------------------------------------


@pytest.mark.parametrize(
    "value", ["²", "--5", "9" * 5000, "nan", "inf", "-inf", "1e400", "٣", "4.0", " "]
)
def test_bad_scale_answers_on_the_command_line(cli: Callable[..., Run], value: str) -> None:
    run = cli("diagnose", "--answer", f"pain_level={value}", "--no-input", "-f", "json")
    assert run.code == 2 and "pain_level" in run.stderr and TRACEBACK not in run.stderr
    assert "this is a bug" not in run.stderr and len(run.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("pain_level: " + "9" * 5000, "more than 18 digits"),
        ("pain_level: .nan", "not a usable number"),
        ("pain_level: -.inf", "not a usable number"),
        ("pain_level: 1.0e+400", "not a usable number"),
        ("pain_level: 3\n? " + "9" * 5000 + "\n: x", "more than 18 digits"),
    ],
)
def test_bad_numbers_in_an_answers_file(
    cli: Callable[..., Run], tmp_path: Path, text: str, words: str
) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(text)
    run = cli("diagnose", "--answers", str(path), "-f", "json")
    assert run.code == 2 and words in run.stderr and str(path) in run.stderr, run


@pytest.mark.parametrize(
    ("file", "text", "words"),
    [
        (
            "settings.yaml",
            "report_threshold: 0." + "1" * 5000,
            None,  # a long decimal is a fine float; must not crash
        ),
        ("questions.yaml", "questions:\n  - id: q\n    min: " + "9" * 5000, "more than 18 digits"),
        (
            "mistakes.yaml",
            "mistakes:\n  - id: m\n    title: T\n    consequence: C\n    signs:\n"
            "      - {question: pain_level, min: 1, weight: .nan}\n"
            "    fixes: [{text: F, evidence: research}]\n",
            "not a usable number",
        ),
        (
            "mistakes.yaml",
            "mistakes:\n  - id: m\n    title: T\n    consequence: C\n    signs:\n"
            "      - {question: pain_level, min: 1, weight: .inf}\n"
            "    fixes: [{text: F, evidence: research}]\n",
            "not a usable number",
        ),
    ],
)
def test_bad_numbers_in_the_knowledge_base(
    cli: Callable[..., Run], tmp_path: Path, file: str, text: str, words: str | None
) -> None:
    """Shipped: a .nan weight validated clean and silently disabled its mistake."""
    overlay = tmp_path / "o"
    overlay.mkdir()
    (overlay / file).write_text(text)
    run = cli("kb", "validate", str(overlay))
    assert TRACEBACK not in run.stderr and "this is a bug" not in run.stderr
    if words is None:
        assert run.code in (0, 3)
    else:
        assert run.code == 3 and words in run.stdout, run
        assert cli("variations", "--kb", str(overlay)).code == 3


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


def test_the_answers_file_cannot_be_a_fifo(cli: Callable[..., Run], tmp_path: Path) -> None:
    fifo = _fifo(tmp_path)
    run = cli("diagnose", "--answers", str(fifo), "-f", "json")
    assert run.code == 2 and "pipe" in run.stderr


def test_duplicate_ids_are_located_in_linear_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shipped: every problem re-parsed the file (1,000 duplicates: 49 s). Counted, not timed."""
    overlay = tmp_path / "o"
    overlay.mkdir()
    body = "".join(f"  - {{id: d, name: N{i}, how: H}}\n" for i in range(300))
    (overlay / "drills.yaml").write_text("drills:\n" + body)
    composed = []
    real = yamlio.compose
    monkeypatch.setattr(yamlio, "compose", lambda text: composed.append(1) or real(text))
    _, problems = loading.collect([overlay])
    assert len(problems) == 299 and problems[-1].line == 301
    assert len(composed) == 1


def test_an_alias_heavy_file_is_refused(cli: Callable[..., Run], tmp_path: Path) -> None:
    """Shipped: a 572 kB alias file used 2 GB; now expansion is bounded by the file's size."""
    overlay = tmp_path / "o"
    overlay.mkdir()
    lines = ["x: &a [" + ", ".join(["v"] * 200) + "]"]
    lines.append("drills:")
    lines += [f"  - {{id: d{i}, name: N, how: H, targets: *a}}" for i in range(400)]
    (overlay / "drills.yaml").write_text("\n".join(lines) + "\n")
    run = cli("kb", "validate", str(overlay))
    assert run.code == 3 and "aliases" in run.stdout


def test_a_few_aliases_are_still_fine() -> None:
    assert yamlio.parse("a: &x [1, 2]\nb: *x\nc: *x\n", 1000) == {
        "a": [1, 2],
        "b": [1, 2],
        "c": [1, 2],
    }


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
