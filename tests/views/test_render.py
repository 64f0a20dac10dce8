"""Views: text from files is data, never markup or terminal control; JSON skips Rich."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hipthrust_cli.core.diagnose import diagnose
from hipthrust_cli.kb import loading
from hipthrust_cli.views import terminal
from hipthrust_cli.views.json import to_json
from hipthrust_cli.views.markdown import md
from tests.conftest import Run, story

HOSTILE = "[bold red]boom[/] [link=https://evil.example]x[/link] \x1b[2J\x9b31m *md* `c` <b>"


@pytest.fixture
def hostile_kb(tmp_path: Path) -> Path:
    overlay = tmp_path / "kb"
    overlay.mkdir()
    text = json.dumps(HOSTILE)  # JSON strings are valid YAML double-quoted scalars
    (overlay / "mistakes.yaml").write_text(
        "mistakes:\n"
        "  - id: bench_too_high\n"
        f"    title: {text}\n"
        f"    consequence: {text}\n"
        "    kind_of_evidence: observation\n    prior: {p: 0.1, why: W}\n"
        "    evidence: [{question: bench_height, answers: [high], present: 0.9,"
        " absent: 0.05, why: W}]\n"
        f"    fixes: [{{text: {text}, evidence: research, source: {text}}}]\n"
    )
    (overlay / "variations.yaml").write_text(
        "variations:\n"
        f"  - {{id: evil, name: {text}, target_muscles: [glutes], reps: {text},"
        f" goal: [mass], equipment: [bodyweight], level: beginner, notes: {text}}}\n"
    )
    return overlay


def _assert_harmless(out: str) -> None:
    assert "\x1b" not in out and "\x9b" not in out
    assert "\\x1b[2J" in out  # shown, not sent
    assert "[bold red]boom[/]" in out  # printed as written


@pytest.mark.parametrize("fmt", ["rich", "markdown"])
def test_kb_text_is_escaped_in_reports(cli: Any, hostile_kb: Path, fmt: str) -> None:
    run: Run = cli(
        "diagnose",
        "--kb",
        str(hostile_kb),
        "--no-input",
        "--answer",
        "bench_height=high",
        "--answer",
        "what_you_see=bench_high",
        "-f",
        fmt,
    )
    assert run.code == 0, run
    if fmt == "rich":
        _assert_harmless(run.stdout)
    else:
        assert "\x1b" not in run.stdout and "\\[bold red\\]boom\\[/\\]" in run.stdout
        assert "\\*md\\*" in run.stdout and "\\<b\\>" in run.stdout


def test_kb_text_is_escaped_in_tables(cli: Any, hostile_kb: Path) -> None:
    for width in ("140", "40"):
        run: Run = cli("variations", "--kb", str(hostile_kb), env={"COLUMNS": width})
        assert run.code == 0
        assert "\x1b" not in run.stdout and "boom" in run.stdout
        assert "[bold" in run.stdout  # markup is printed, possibly wrapped across lines


def test_json_escapes_c1_and_round_trips(hostile_kb: Path) -> None:
    kb = loading.load(overlays=[hostile_kb])
    text = to_json(diagnose(kb, {"bench_height": "high", "what_you_see": ["bench_high"]}))
    assert "\x9b" not in text and "\x1b" not in text
    assert json.loads(text)["findings"][0]["title"] == HOSTILE


def test_json_path_does_not_import_rich_or_questionary(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from hipthrust_cli.cli import main\n"
        "sys.argv = ['hipthrust', 'diagnose', '--no-input', '--answer', 'pain_level=3',"
        " '-f', 'json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in"
        " ('rich', 'questionary', 'prompt_toolkit')]\n"
        "print('LOADED', bad, file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert json.loads(proc.stdout)["version"] == 4
    assert "LOADED []" in proc.stderr


def test_cli_import_is_light() -> None:
    code = (
        "import sys, hipthrust_cli.cli\n"
        "print([m for m in sys.modules if m.split('.')[0] in"
        " ('rich', 'questionary', 'prompt_toolkit', 'yaml', 'pydantic')])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    ).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("width", [40, 80, 120])
def test_report_fits_the_terminal_and_keeps_words_whole(
    monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    kb = loading.load()
    d = diagnose(
        kb,
        story(
            lockout_arch="clearly",
            plank_time="under_30s",
            rep_onset="last_reps",
            bench_height="high",
        ),
    )
    monkeypatch.setenv("COLUMNS", str(width))
    buf = io.StringIO()
    terminal.report(d, buf)
    out = buf.getvalue()
    assert max(len(line) for line in out.splitlines()) <= width
    words = set(out.split())
    for word in ("Arching", "Weak", "bench", "shoulder-width", "physiotherapist."):
        assert word in words, word


def test_markdown_escape() -> None:
    assert md("a*b_c [x](y) <i> #1 |") == "a\\*b\\_c \\[x\\](y) \\<i\\> \\#1 \\|"
