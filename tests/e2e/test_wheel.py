"""The built wheel carries the knowledge base and works from outside the checkout."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, story, write_answers

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    # The build backend comes from the lock (installed beside the tests), not the network.
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
    subprocess.run(
        [*build, "-w", str(work), str(ROOT)],
        check=True,
        timeout=300,
    )
    wheel = next(work.glob("hipthrust-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "hipthrust_cli/data/questions.yaml" in names
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=True)
    pip = [str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q"]
    # The runtime lock, then the wheel alone: what a user gets, with versions we tested.
    lock = ROOT / "requirements" / "runtime.txt"
    subprocess.run([*pip, "--require-hashes", "-r", str(lock)], check=True, timeout=600)
    subprocess.run([*pip, "--no-deps", str(wheel)], check=True, timeout=600)
    return env_dir / "bin" / "hipthrust"


def test_installed_variations(installed: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [str(installed), "variations"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"COLUMNS": "120", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "Single-Leg" in proc.stdout and "Bodyweight" in proc.stdout


def test_installed_diagnose_json(installed: Path, tmp_path: Path) -> None:
    answers = write_answers(tmp_path / "a.yaml", story(bench_height="high"))
    home = tmp_path / "home"  # the platform's own folders, but never the real user's
    home.mkdir()
    proc = subprocess.run(
        [str(installed), "diagnose", "--answers", str(answers), "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(home)},
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["findings"][0]["id"] == "bench_too_high"
    # Nothing on stderr but where the session was saved; stdout is only the JSON.
    assert re.fullmatch(
        r"Saved as session #1 \S next time: hipthrust diagnose --again\n", proc.stderr
    )
    if sys.platform.startswith("linux"):  # platformdirs: ~/.local/share without XDG_*
        saved = home / ".local" / "share" / "hipthrust" / "history.sqlite3"
        assert saved.is_file() and saved.stat().st_mode & 0o777 == 0o600


def test_installed_version(installed: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [str(installed), "--version"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert proc.stdout.startswith("hipthrust 0.")
