"""The layout holds: small modules, and each folder imports only what it may.

The boundaries are ruff rules (nested ``ruff.toml`` files, see docs/where-things-live.md);
these tests feed ruff a one-line module *as if* it lived in each folder, so a rule that
stops working (a renamed folder, a config ruff no longer finds) fails here, not in review.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "hipthrust_cli"
MAX_LINES = 450

# (where the module would live, the line it holds, whether ruff must refuse it)
CASES = [
    ("hipthrust_cli/kb/x.py", "import rich", True),
    ("hipthrust_cli/kb/x.py", "from hipthrust_cli.core import model", True),
    ("hipthrust_cli/kb/x.py", "from hipthrust_cli.views import formats", True),
    ("hipthrust_cli/kb/x.py", "import os\n\nHOME = os.environ['HOME']", True),
    ("hipthrust_cli/kb/x.py", "print('hello')", True),
    ("hipthrust_cli/kb/x.py", "from hipthrust_cli.errors import UsageError", False),
    ("hipthrust_cli/core/x.py", "def f() -> None:\n    import questionary", True),
    ("hipthrust_cli/core/x.py", "from hipthrust_cli.session import Diagnose", True),
    ("hipthrust_cli/core/x.py", "from hipthrust_cli.video import analysis", True),
    ("hipthrust_cli/core/x.py", "import sys\n\nOUT = sys.stdout", True),
    ("hipthrust_cli/core/x.py", "from hipthrust_cli.kb import KnowledgeBase", False),
    ("hipthrust_cli/video/x.py", "def f() -> None:\n    import cv2", True),
    ("hipthrust_cli/video/pose.py", "def f() -> None:\n    import cv2", False),
    ("hipthrust_cli/video/x.py", "from hipthrust_cli.core.report import Diagnosis", False),
    ("hipthrust_cli/views/x.py", "def f() -> None:\n    import rich", True),
    ("hipthrust_cli/views/x.py", "from hipthrust_cli.history import History", True),
    ("hipthrust_cli/views/terminal/x.py", "def f() -> None:\n    import rich", False),
    ("hipthrust_cli/views/terminal/x.py", "def f() -> None:\n    import questionary", True),
    ("hipthrust_cli/prompts/x.py", "def f() -> None:\n    import questionary", False),
    ("hipthrust_cli/prompts/x.py", "def f() -> None:\n    import rich", True),
    ("hipthrust_cli/prompts/x.py", "from hipthrust_cli.views import formats", True),
    ("hipthrust_cli/cli/x.py", "import typer", False),
    ("hipthrust_cli/cli/x.py", "def f() -> None:\n    import rich", True),
    ("hipthrust_cli/x.py", "import typer", True),
    ("hipthrust_cli/x.py", "def f() -> None:\n    import rich", True),
    ("hipthrust_cli/x.py", "def f() -> None:\n    import prompt_toolkit", True),
]


def _ruff() -> list[str]:
    found = shutil.which("ruff", path=str(Path(sys.executable).parent))
    if found:
        return [found]
    pytest.importorskip("ruff")
    return [sys.executable, "-m", "ruff"]


@pytest.mark.parametrize(("where", "code", "refused"), CASES)
def test_each_folder_imports_only_what_it_may(where: str, code: str, refused: bool) -> None:
    text = f'"""A module."""\n\n{code}\n'
    run = subprocess.run(
        [*_ruff(), "check", "--no-cache", "--select", "TID251,T20", "--stdin-filename", where, "-"],
        input=text,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == (1 if refused else 0), run.stdout + run.stderr
    if refused:
        assert "TID251" in run.stdout or "T201" in run.stdout


def test_no_module_is_over_450_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"split these modules (at most {MAX_LINES} lines each): {long}"
