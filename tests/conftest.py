"""Shared fixtures: a fixed terminal, an isolated data folder, the shipped knowledge base."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from hipthrust_cli.cli import app
from hipthrust_cli.kb import NOT_SURE, KnowledgeBase, loading

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

# A person with no warning signs who answered everything "fine": no mistake should fire.
CLEAN: dict[str, Any] = {
    "emergency_signs": ["none"],
    "urgent_signs": ["none"],
    "health_history": ["none"],
    "age_band": "age_16_to_50",
    "about_pain": ["muscle_effort"],
    "where_felt": ["lower_back", "glutes"],
    "when_felt": "whole_rep",
    "what_you_see": ["none"],
    "rep_onset": "first_reps",
    "pain_level": 2,
    "head_position": "chin_tucked",
    "lockout_arch": "no_arch",
    "range_of_motion": "full",
    "bench_contact": "below_shoulder_blades",
    "bench_height": "standard",
    "shins_at_top": "vertical",
    "foot_stance": "hip_to_shoulder",
    "heel_lift": "heels_down",
    "glute_feel": "strongly",
    "warm_up": "glute_specific",
    "load_change": "no_change",
    "tempo": "controlled",
    "plank_time": "over_60s",
    "knee_to_wall": "easily",
    "hamstring_flex": "toes",
    "thomas_test": "flat",
    "bar_position": "hip_crease",
    "other_pain": "only_hip_thrusts",
    "anatomy": "none_known",
}


@pytest.fixture(autouse=True)
def _isolate(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every test gets its own data folder, no overlays, and a fixed plain terminal."""
    monkeypatch.setenv("HIPTHRUST_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("HIPTHRUST_KB", raising=False)
    monkeypatch.delenv("HIPTHRUST_DEBUG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("TERM", "xterm")
    # A C or POSIX locale makes reports plain ASCII (tested on purpose where it matters);
    # the suite must not depend on the locale of whoever runs it.
    for name in ("LC_CTYPE", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LC_ALL", "C.UTF-8")


TRACEBACK = "Traceback (most recent call last)"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder of the test's own that it can look into (HIPTHRUST_DATA_DIR)."""
    folder = tmp_path / "data"
    monkeypatch.setenv("HIPTHRUST_DATA_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return loading.load()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


class Run:
    """The outcome of one CLI invocation, as a user sees it."""

    def __init__(self, code: int, stdout: str, stderr: str) -> None:
        self.code, self.stdout, self.stderr = code, stdout, stderr

    def json(self) -> Any:
        return json.loads(self.stdout)

    def __repr__(self) -> str:
        return f"Run(code={self.code}, stdout={self.stdout[:300]!r}, stderr={self.stderr[:300]!r})"


@pytest.fixture
def cli(runner: CliRunner) -> Iterator[Any]:
    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Run:
        result = runner.invoke(app, list(args), input=input, env=env)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Run(result.exit_code, result.stdout, result.stderr)

    yield invoke


def write_answers(path: Path, answers: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(answers, sort_keys=False))
    return path


def story(**overrides: Any) -> dict[str, Any]:
    """CLEAN answers with some changed; a value of None removes the answer.

    Like a real person, the 'what_you_see' checklist ticks what the other answers
    describe (tests/scenarios.py), unless it is given.
    """
    from .scenarios import SEEN

    out = dict(CLEAN)
    for key, value in overrides.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    if "what_you_see" not in overrides:
        ticks = sorted({tick for (q, a), tick in SEEN.items() if out.get(q) == a})
        out["what_you_see"] = ticks or ["none"]
    return out


NOBODY = 65534

needs_root = pytest.mark.skipif(
    not hasattr(os, "getuid") or os.getuid() != 0,
    reason="switching to an unprivileged user needs root (CI runs as root)",
)


def as_user(func: Callable[[], Any], uid: int = NOBODY) -> Any:
    """Run *func* in a child process that is really user *uid* (no groups), return its result.

    The kernel, not a monkeypatch, decides every permission: this is what ``setpriv
    --reuid=65534 --regid=65534 --clear-groups`` does, done with fork so the child needs
    nothing it cannot read (the interpreter here lives under a private /root). *func* must
    not import new modules; its result must be JSON data.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 0
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            try:
                out = {"value": func()}
            except BaseException as exc:  # report, do not let pytest run on in the child
                import traceback

                out = {"error": "".join(traceback.format_exception(exc))}
            os.write(write_end, json.dumps(out).encode())
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the unprivileged child failed"
    out = json.loads(b"".join(chunks))
    if "error" in out:
        raise AssertionError(out["error"])
    return out["value"]


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A fresh folder in /tmp that an unprivileged user can enter (pytest's is root-only)."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="hipthrust-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


__all__ = [
    "CLEAN",
    "DATA",
    "NOBODY",
    "NOT_SURE",
    "ROOT",
    "Run",
    "as_user",
    "needs_root",
    "story",
    "write_answers",
]
