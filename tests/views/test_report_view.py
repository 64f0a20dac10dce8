"""The report as people read it: one screen, every fix and drill, plain where it must be.

Issue 14: a two-cause report fits in 70 lines at 100 columns; wide terminals get 100
columns; files get no trailing spaces; dumb and non-UTF-8 terminals get ASCII; exports
carry the date, the answers and every section, warning-sign answers only when asked.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hipthrust_cli import history
from hipthrust_cli.core.diagnose import diagnose
from hipthrust_cli.kb import KnowledgeBase
from tests.conftest import Run, story, write_answers

# The README's example person: the back arches at the top. Two causes.
ARCHING: dict[str, Any] = {
    "emergency_signs": ["none"],
    "urgent_signs": ["none"],
    "health_history": ["none"],
    "age_band": "age_16_to_50",
    "about_pain": ["muscle_effort"],
    "where_felt": ["lower_back"],
    "when_felt": "top",
    "pain_level": 3,
    "lockout_arch": "clearly",
    "range_of_motion": "full",
    "head_position": "chin_tucked",
}
BOX_CHARACTERS = set("╭╮╰╯│─━┃☐✓✗•█░▶⚠")


def _report(
    cli: Any,
    tmp_path: Path,
    *args: str,
    answers: dict[str, Any] = ARCHING,
    env: dict[str, str] | None = None,
) -> Run:
    path = write_answers(tmp_path / "answers.yaml", answers)
    return cli("diagnose", "--answers", str(path), *args, env=env)


def _run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    path = write_answers(tmp_path / "answers.yaml", ARCHING)
    return subprocess.run(
        [sys.executable, "-m", "hipthrust_cli", "diagnose", "--answers", str(path), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        cwd=tmp_path,
        env={**os.environ, **env},
        timeout=60,
    )


# --- one screen ------------------------------------------------------------------------------


def test_two_cause_report_fits_on_a_screen(cli: Any, tmp_path: Path, kb: KnowledgeBase) -> None:
    d = diagnose(kb, ARCHING)
    assert len(d.findings) == 2, "the example person has two causes"
    run = _report(cli, tmp_path, "--no-history")
    lines = run.stdout.splitlines()
    assert run.code == 0 and len(lines) <= 70, len(lines)
    out = run.stdout
    # Every fix of both causes, and each drill's how-to, once.
    for f in d.findings:
        for fix in f.fixes:
            assert " ".join(fix.text.split()[:6]) in " ".join(out.split()), fix.text
    dead_bug = next(x for x in kb.drills if x.id == "dead_bug")
    assert " ".join(dead_bug.how.split()[:8]) in " ".join(out.split())
    assert out.count("Posterior pelvic tilt practice") == 2, "named twice, explained once"
    assert out.count("Lying on your back, knees bent") == 1
    # Only the form cues for these causes; the whole checklist stays in 'hipthrust form'.
    assert "Glute squeeze:" in out and "Positioning:" in out
    assert "Controlled descent:" not in out and "hipthrust form" in out
    # Alternatives carry their caveats; the clinician note is last; no flag inside.
    assert "Stop if it causes sharp pain or pain down a leg" in " ".join(out.split())
    assert lines[-1].strip().endswith("get it checked.") and "does not replace" in lines[-2]
    assert "--format markdown has all" not in out and "first fix shown" not in out


def test_more_causes_are_listed_without_a_flag(cli: Any, tmp_path: Path) -> None:
    many = story(
        lockout_arch="clearly",
        bench_height="high",
        tempo="bounce",
        shins_at_top="feet_far",
        head_position="looking_up",
    )
    run = _report(cli, tmp_path, "--no-history", answers=many)
    assert run.code == 0 and "Also possible" in run.stdout
    assert "--format" not in run.stdout


def test_the_fix_that_matches_the_answers_comes_first(kb: KnowledgeBase) -> None:
    far = diagnose(kb, story(shins_at_top="feet_far", where_felt=["lower_back", "hamstrings"]))
    feet = next(f for f in far.findings if f.id == "incorrect_foot_placement")
    assert feet.fixes[0].text.startswith("Feel it in your hamstrings?")
    bounce = diagnose(kb, story(tempo="bounce"))
    jerky = next(f for f in bounce.findings if f.id == "jerky_movement")
    assert jerky.fixes[0].text.startswith("Lift smoothly")


def test_form_focus_follows_the_causes(kb: KnowledgeBase) -> None:
    d = diagnose(kb, ARCHING)
    assert d.form_focus == ["glute_squeeze", "positioning"]
    assert len(d.form_checklist) == len(kb.technique.checklist), "exports keep all of it"


# --- width, trailing spaces, ASCII -----------------------------------------------------------


def test_wide_terminal_is_capped_near_100_columns(cli: Any, tmp_path: Path) -> None:
    run = _report(cli, tmp_path, "--no-history", env={"COLUMNS": "220"})
    assert run.code == 0
    assert max(len(line) for line in run.stdout.splitlines()) == 100


def test_wide_pseudo_terminal_is_capped(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    path = write_answers(tmp_path / "answers.yaml", ARCHING)
    env = {**os.environ, "COLUMNS": "220", "LINES": "50", "TERM": "xterm", "NO_COLOR": "1"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "hipthrust_cli", "diagnose", "--answers", str(path), "--no-history", "--no-input"],
        env=env,
        cwd=str(tmp_path),
        dimensions=(50, 220),
        timeout=60,
        encoding="utf-8",
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    lines = [re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", x) for x in child.before.splitlines()]
    assert "Likely causes" in "\n".join(lines)
    assert max(len(line.rstrip("\r")) for line in lines) <= 100


@pytest.mark.parametrize("columns", [40, 80])
def test_a_dumb_terminal_is_wrapped_to_its_own_width(tmp_path: Path, columns: int) -> None:
    # Rich assumes 80 columns whenever TERM=dumb; a 40-column phone terminal got 80.
    pexpect = pytest.importorskip("pexpect")
    path = write_answers(tmp_path / "answers.yaml", ARCHING)
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "hipthrust_cli", "diagnose", "--answers", str(path), "--no-history", "--no-input"],
        env={**env, "TERM": "dumb"},
        cwd=str(tmp_path),
        dimensions=(50, columns),
        timeout=60,
        encoding="utf-8",
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    lines = child.before.splitlines()
    assert "Likely causes" in "\n".join(lines)
    assert max(len(line.rstrip("\r")) for line in lines) <= columns


def test_no_trailing_spaces_when_not_a_terminal(cli: Any, tmp_path: Path) -> None:
    run = _report(cli, tmp_path, "--no-history")
    assert run.code == 0
    assert [n for n, line in enumerate(run.stdout.splitlines(), 1) if line != line.rstrip()] == []


@pytest.mark.parametrize(
    "env",
    [{"TERM": "dumb"}, {"LANG": "C", "LC_ALL": "C"}, {"PYTHONIOENCODING": "ascii"}],
    ids=["dumb", "lang-c", "ascii-encoding"],
)
def test_plain_ascii_where_the_terminal_needs_it(tmp_path: Path, env: dict[str, str]) -> None:
    proc = _run(tmp_path, "--no-history", **env)
    assert proc.returncode == 0, proc.stderr
    assert not BOX_CHARACTERS & set(proc.stdout), BOX_CHARACTERS & set(proc.stdout)
    assert proc.stdout.isascii()
    assert "[ ] Keep a neutral spine" in proc.stdout and "Likely causes" in proc.stdout


def test_a_utf8_terminal_keeps_its_marks(tmp_path: Path) -> None:
    proc = _run(tmp_path, "--no-history", LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="xterm")
    assert proc.returncode == 0 and "☐" in proc.stdout and "╭" in proc.stdout


# --- nothing answered never reads as self-care ----------------------------------------------


def test_nothing_answered_is_never_a_self_care_badge(cli: Any) -> None:
    rich = cli("diagnose", "--no-input", "--no-history")
    assert rich.code == 0
    assert "NOT FULLY CHECKED" in rich.stdout and "SELF-CARE" not in rich.stdout
    assert "No warning signs reported" not in rich.stdout
    data = cli("diagnose", "--no-input", "--no-history", "-f", "json").json()
    assert data["triage"]["complete"] is False and data["triage"]["unscreened"]
    page = cli("diagnose", "--no-input", "--no-history", "-f", "markdown").stdout
    assert "NOT FULLY CHECKED" in page and "SELF-CARE" not in page


# --- saved, and how to come back ---------------------------------------------------------------


def test_saved_line_on_stderr(cli: Any, tmp_path: Path) -> None:
    run = _report(cli, tmp_path, "-f", "json")
    assert run.code == 0 and run.json()["version"] == 4  # stdout is only the JSON
    assert run.stderr == "Saved as session #1 — next time: hipthrust diagnose --again\n"
    again = _report(cli, tmp_path)
    assert "Saved as session #2" in again.stderr and "Saved as" not in again.stdout
    assert "Saved as" not in _report(cli, tmp_path, "--no-history").stderr


# --- exports: date, answers, every section, screening only when asked ----------------------


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_exports_carry_date_answers_and_every_section(
    cli: Any, tmp_path: Path, kb: KnowledgeBase, fmt: str
) -> None:
    target = tmp_path / f"report.{fmt}"
    run = _report(cli, tmp_path, "-o", str(target))
    assert run.code == 0
    page = target.read_text()
    year = re.search(r"\b20\d\d\b", page)
    assert year, "the report is dated"
    for step in kb.technique.checklist:  # the whole checklist, not only the focus
        assert step.step in page
    assert "Your answers" in page and "clearly arches" in page
    assert "Dead bug" in page and "2–3 sets of 8 per side" in page
    assert "Warm-up" in page and "Deadlifts" in page
    screening = [q for q in kb.questions if q.red_flag and q.id in ARCHING]
    assert screening
    for q in screening:
        assert q.text not in page, f"warning-sign question shown: {q.id}"
    assert "warning-sign questions are not included" in page
    assert "No warning signs reported" in page, "the triage result is always there"


def test_include_screening_adds_the_warning_sign_answers(
    cli: Any, tmp_path: Path, kb: KnowledgeBase
) -> None:
    target = tmp_path / "report.md"
    run = _report(cli, tmp_path, "-o", str(target), "--include-screening")
    assert run.code == 0
    page = target.read_text()
    screening = next(q for q in kb.questions if q.id == "health_history")
    assert screening.text.replace("?", "\\?") in page or screening.text in page
    assert "not included" not in page
    stdout = _report(cli, tmp_path, "-f", "markdown", "--include-screening").stdout
    assert "How old are you" in stdout
    assert "How old are you" not in _report(cli, tmp_path, "-f", "markdown").stdout


def test_history_show_exports_follow_the_same_rule(cli: Any, tmp_path: Path) -> None:
    assert _report(cli, tmp_path).code == 0
    plain, full = tmp_path / "plain.html", tmp_path / "full.html"
    assert cli("history", "show", "1", "-o", str(plain)).code == 0
    assert cli("history", "show", "1", "-o", str(full), "--include-screening").code == 0
    assert "How old are you" not in plain.read_text()
    assert "How old are you" in full.read_text()


# --- progress against the last full report ------------------------------------------------------


def test_progress_skips_a_session_that_stopped_at_an_emergency(cli: Any, tmp_path: Path) -> None:
    first = _report(cli, tmp_path, "-f", "json", answers=dict(ARCHING, pain_level=6))
    assert first.code == 0
    emergency = dict(ARCHING, emergency_signs=["saddle_numbness"])
    stopped = _report(cli, tmp_path, "-f", "json", answers=emergency).json()
    assert stopped["triage"]["level"] == "emergency" and stopped["progress"] is None
    now = _report(cli, tmp_path, "-f", "json", answers=dict(ARCHING, pain_level=2)).json()
    progress = now["progress"]
    assert progress["session"] == 1, "compared with the last session that looked for causes"
    assert progress["still_present"] == ["Arching the lower back", progress["still_present"][1]]
    created = history.History(Path(os.environ["HIPTHRUST_DATA_DIR"])).sessions()[0].created
    hh_mm = created[11:16]
    assert re.match(
        rf"Since session #1, \d{{1,2}} \w{{3}} {hh_mm}: pain down from 6 to 2", progress["summary"]
    )
    rich = _report(cli, tmp_path, answers=dict(ARCHING, pain_level=2)).stdout
    assert "Since session #3" in rich  # the last full report is now session 3


# --- kb show by name ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dead_bug", "Dead bug", "DEAD BUG", "  dead   bug "])
def test_kb_show_finds_a_drill_by_id_or_name(cli: Any, name: str) -> None:
    run = cli("kb", "show", "drills", name, "-f", "json")
    assert run.code == 0, run
    assert run.json()["id"] == "dead_bug"


def test_kb_show_unknown_name_still_suggests(cli: Any) -> None:
    run = cli("kb", "show", "drills", "Dead bugs please")
    assert run.code == 2 and "There is no drill" in run.stderr
