"""What a run imports before it can answer: the stand-in for pydantic's plugin loader.

pydantic's loader imports ``importlib.metadata`` (9-16 ms a run) only to find no plugins
when they are switched off; a hipthrust run (``_entry.main``) puts a stand-in in its
place while they are off (benchmarks/README.md). These tests run real processes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

RUN_JSON = (
    "import sys\n"
    "from hipthrust_cli._entry import main\n"
    "sys.argv = ['hipthrust', 'diagnose', '--no-input', '--no-history',"
    " '--answer', 'pain_level=3', '-f', 'json']\n"
    "try:\n    main()\nexcept SystemExit:\n    pass\n"
    "print('METADATA', 'importlib.metadata' in sys.modules, file=sys.stderr)\n"
)


def _run(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    environ |= {"HIPTHRUST_DATA_DIR": str(tmp_path / "data"), **env}
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environ,
        timeout=60,
    )


def test_a_report_never_imports_importlib_metadata(tmp_path: Path) -> None:
    proc = _run(RUN_JSON, tmp_path)
    assert json.loads(proc.stdout)["version"] == 4
    assert "METADATA False" in proc.stderr


def test_plugins_switched_on_are_still_looked_for(tmp_path: Path) -> None:
    """Someone who switches pydantic's plugins on gets the real loader, and a report."""
    proc = _run(RUN_JSON, tmp_path, PYDANTIC_DISABLE_PLUGINS="")
    assert json.loads(proc.stdout)["version"] == 4
    assert "METADATA True" in proc.stderr


def test_importing_hipthrust_changes_nothing_of_pydantic(tmp_path: Path) -> None:
    """A program using hipthrust as a library keeps its own plugin settings."""
    code = (
        "import os, sys\n"
        "import hipthrust_cli.cli, hipthrust_cli.kb.loading\n"
        "print('pydantic.plugin._loader' in sys.modules,"
        " 'PYDANTIC_DISABLE_PLUGINS' in os.environ)\n"
    )
    proc = _run(code, tmp_path)
    assert proc.stdout.split() == ["False", "False"], proc.stderr


def test_the_stand_in_hands_anything_else_to_the_real_loader(tmp_path: Path) -> None:
    """Plugins switched on later, or a newer pydantic asking for more, get the real one."""
    code = (
        "import importlib.util, os, sys\n"
        "from hipthrust_cli import _entry\n"
        "_entry._no_plugin_scan()\n"
        "name = 'pydantic.plugin._loader'\n"
        "stand_in = sys.modules[name]\n"
        "assert stand_in.get_plugins() == ()\n"
        "assert not hasattr(stand_in, '__path__')\n"
        "assert importlib.util.find_spec(name) is stand_in.__spec__\n"
        "assert 'importlib.metadata' not in sys.modules\n"
        "os.environ['PYDANTIC_DISABLE_PLUGINS'] = 'some_other_plugin'\n"
        "assert list(stand_in.get_plugins()) == []  # the real loader: none installed\n"
        "assert 'importlib.metadata' in sys.modules\n"
        "real = sys.modules[name]\n"
        "assert real is not stand_in\n"
        "assert stand_in.PYDANTIC_ENTRY_POINT_GROUP == 'pydantic'\n"
        "assert sys.modules[name] is real  # asked twice, still one real loader\n"
        # The stand-in must keep the name pydantic imports: a pydantic that renamed it
        # would fail here, not in front of a user.
        "assert callable(real.get_plugins)\n"
        "print('OK')\n"
    )
    proc = _run(code, tmp_path)
    assert proc.stdout.strip() == "OK", proc.stderr
