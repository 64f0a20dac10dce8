"""The CLI contract: commands, formats, exit codes, stdout for reports, stderr for the rest."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CLEAN, TRACEBACK, Run, story, write_answers


def _answers(tmp_path: Path, answers: dict[str, Any]) -> str:
    return str(write_answers(tmp_path / "answers.yaml", answers))


def test_version_comes_from_package_metadata(cli: Any) -> None:
    from importlib.metadata import version

    run: Run = cli("--version")
    assert run.code == 0
    assert run.stdout.strip() == f"hipthrust {version('hipthrust')}"


USAGE_ERRORS = {
    ("diagnoze",): "No such command 'diagnoze'.",
    ("variations", "--colour", "red"): "No such option: --colour",
    ("history", "show", "abc"): "Invalid value for 'NUMBER': not a whole number.",
    ("history", "show"): "Missing argument 'NUMBER'.",
    ("diagnose", "--format", "yaml"): "'yaml' is not one of 'rich', 'markdown', 'json'.",
    ("variations", "--goal"): "Option '--goal' requires an argument.",
    ("kb", "nonsense"): "No such command 'nonsense'.",
}


@pytest.mark.parametrize("args", list(USAGE_ERRORS), ids=" ".join)
def test_usage_errors_are_one_plain_line(cli: Any, args: tuple[str, ...]) -> None:
    run: Run = cli(*args)
    assert run.code == 2 and run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("Error: ") and lines[0].endswith(" --help'.")
    assert USAGE_ERRORS[args] in lines[0]
    for library in ("Input should", "Value error", "╭", "Usage:"):
        assert library not in lines[0]


def test_bare_command_prints_help_and_exits_2(cli: Any) -> None:
    run: Run = cli()
    assert run.code == 2 and run.stdout.startswith("Usage: hipthrust")


# --- diagnose ---------------------------------------------------------------------------------


def test_diagnose_json_matches_the_contract(cli: Any, tmp_path: Path) -> None:
    run: Run = cli(
        "diagnose",
        "--answers",
        _answers(tmp_path, story(lockout_arch="clearly", when_felt="top")),
        "--format",
        "json",
    )
    assert run.code == 0, run
    data = run.json()
    assert data["version"] == 4
    assert set(data["triage"]) >= {"level", "title", "advice", "reasons", "complete"}
    assert data["triage"]["level"] in {"emergency", "same_day", "urgent", "routine", "self_care"}
    assert data["triage"]["complete"] is True and data["triage"]["unscreened"] == []
    finding = data["findings"][0]
    assert set(finding) >= {
        "id",
        "title",
        "probability",
        "band",
        "consequence",
        "fixes",
        "drills",
        "supporting",
        "conflicting",
        "unconfirmed",
    }
    assert set(finding["fixes"][0]) == {"text", "evidence", "source"}
    assert set(finding["supporting"][0]) == {"question", "answer", "text", "source", "words"}
    assert set(finding["drills"][0]) == {"id", "name", "how"} and finding["drills"][0]["how"]
    assert data["form_focus"] and set(data["form_focus"]) <= {
        s["id"] for s in data["form_checklist"]
    }
    assert {"question", "text", "words", "screening"} == set(data["answered"][0])
    assert finding["supporting"][0]["source"] is None  # given, not measured from video
    assert data["measured"] == {}
    assert 0 <= finding["probability"] <= 1 and "score" not in finding
    assert finding["band"] in {"very likely", "likely", "possible"}
    assert data["interview"] == {"asked": [], "skipped": []}
    assert isinstance(data["form_checklist"], list) and data["form_checklist"]
    assert isinstance(data["alternatives"], list)
    assert data["answers"]["lockout_arch"] == "clearly"
    # JSON stdout stays clean; the only line on stderr says where the session was saved.
    assert run.stderr == "Saved as session #1 — next time: hipthrust diagnose --again\n"


def test_diagnose_rich_report_order(cli: Any, tmp_path: Path) -> None:
    run: Run = cli("diagnose", "--answers", _answers(tmp_path, story(lockout_arch="clearly")))
    assert run.code == 0, run
    out = run.stdout
    positions = [
        out.index(s)
        for s in (
            "SELF-CARE",
            "Likely causes",
            "Form cues for these causes",
            "Alternatives while you fix it",
            "does not replace",
        )
    ]
    assert positions == sorted(positions)
    assert "☐" in out and "very likely" in out and "Why we think so" in out
    assert "█" not in out and "%" not in out.split("Likely causes")[1].split("Form cues")[0]
    assert out.rstrip().endswith("get it checked.")


def test_diagnose_markdown(cli: Any, tmp_path: Path) -> None:
    run: Run = cli(
        "diagnose", "--answers", _answers(tmp_path, story(bench_height="high")), "-f", "markdown"
    )
    assert run.code == 0
    assert run.stdout.startswith("# hipthrust report")
    assert "### 1. Bench too high" in run.stdout and "- [ ] " in run.stdout


def test_emergency_leads_with_referral(cli: Any, tmp_path: Path) -> None:
    run: Run = cli(
        "diagnose", "--answers", _answers(tmp_path, story(emergency_signs=["saddle_numbness"]))
    )
    assert run.code == 0
    first_lines = "\n".join(run.stdout.splitlines()[:3])
    assert "EMERGENCY" in first_lines and "Get emergency help now" in first_lines
    assert "A&E" in run.stdout and "Likely causes" not in run.stdout
    assert "does not replace" in run.stdout


def test_no_finding_never_says_fine(cli: Any, tmp_path: Path) -> None:
    run: Run = cli("diagnose", "--answers", _answers(tmp_path, CLEAN))
    assert run.code == 0
    assert "What we could not find" in run.stdout and "Film a set from the side" in run.stdout
    assert not re.search(r"you(')?re fine|you are fine", run.stdout, re.I)


def test_answer_overrides_file(cli: Any, tmp_path: Path) -> None:
    run: Run = cli(
        "diagnose",
        "--answers",
        _answers(tmp_path, CLEAN),
        "--answer",
        "bench_height=high",
        "-f",
        "json",
    )
    assert run.json()["answers"]["bench_height"] == "high"
    assert run.json()["findings"][0]["id"] == "bench_too_high"


def test_no_input_leaves_questions_unanswered(cli: Any) -> None:
    run: Run = cli("diagnose", "--no-input", "--answer", "bench_height=high", "-f", "json")
    assert run.code == 0
    data = run.json()
    assert data["answers"] == {"bench_height": "high"}
    assert data["triage"]["unscreened"], "screening questions left unanswered are named"


def test_without_terminal_or_answers_exit_2(cli: Any) -> None:
    run: Run = cli("diagnose")
    assert run.code == 2
    assert run.stdout == ""
    assert "--answers" in run.stderr and "--no-input" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_verbose_reports_ignored_answers(cli: Any, tmp_path: Path) -> None:
    answers = story(where_felt=["glutes"], when_felt="top")
    run: Run = cli("diagnose", "--answers", _answers(tmp_path, answers), "-f", "json", "-v")
    assert "ignored the answer to 'when_felt'" in run.stderr
    assert "when_felt" not in run.json()["answers"]


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("bench_hieght: high\n", "did you mean bench_height"),
        (
            "bench_height: tall\n",
            "valid: low, slightly_low, standard, slightly_high, high, not_sure",
        ),
        ("pain_level: 12\n", "out of range"),
        ("- a\n- b\n", "expected a mapping"),
        ("pain_level: [3\n", "not valid YAML"),
    ],
)
def test_bad_answers_exit_2_with_one_line(
    cli: Any, tmp_path: Path, content: str, needle: str
) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(content)
    run: Run = cli("diagnose", "--answers", str(path), "-f", "json")
    assert run.code == 2
    assert run.stdout == ""
    assert needle in run.stderr and str(path) in run.stderr
    assert TRACEBACK not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_bad_kb_exit_3(cli: Any, tmp_path: Path) -> None:
    overlay = tmp_path / "kb"
    overlay.mkdir()
    (overlay / "drills.yaml").write_text("drills:\n  - id: plank\n    nmae: x\n")
    run: Run = cli("variations", "--kb", str(overlay), "-f", "json")
    assert run.code == 3 and run.stdout == ""
    assert "drills.yaml:3" in run.stderr and "drills[0].nmae" in run.stderr


def test_kb_env_var(cli: Any, tmp_path: Path) -> None:
    overlay = tmp_path / "kb"
    overlay.mkdir()
    (overlay / "variations.yaml").write_text(
        "variations:\n  - {id: frog_pump, name: Frog Pump, target_muscles: [glutes], reps: '20+',"
        " goal: [activation], equipment: [bodyweight], level: beginner}\n"
    )
    run: Run = cli("variations", "-f", "json", env={"HIPTHRUST_KB": str(overlay)})
    assert run.code == 0
    assert run.json()[-1]["id"] == "frog_pump"


# --- variations, alternatives, form, questions ---------------------------------------------------


def test_variations_table_and_filters(cli: Any) -> None:
    run: Run = cli("variations")
    assert run.code == 0
    for name in ("Standard Hip Thrust", "Single-Leg Hip Thrust", "Bodyweight Hip Thrust"):
        assert name in run.stdout
    data = cli("variations", "--goal", "endurance", "-f", "json").json()
    assert data and all("endurance" in v["goal"] for v in data)
    assert set(data[0]) == {
        "id",
        "name",
        "aliases",
        "target_muscles",
        "reps",
        "goal",
        "equipment",
        "level",
        "unilateral",
        "notes",
    }
    data = cli("variations", "--level", "BEGINNER", "--equipment", "band", "-f", "json").json()
    assert [v["id"] for v in data] == ["resistance_band_bridge"]


def test_variations_contradictory_filters_exit_0_and_say_so(cli: Any) -> None:
    run: Run = cli("variations", "--level", "advanced", "--goal", "endurance")
    assert run.code == 0
    assert "No variation matches" in run.stderr and "levels: advanced" in run.stderr
    assert (
        cli("variations", "--level", "advanced", "--goal", "endurance", "-f", "json").json() == []
    )


@pytest.mark.parametrize(
    "name",
    ["single leg", "SINGLE-LEG HIP THRUST", "single_leg_hip_thrust", "singel leg hip thrust"],
)
def test_variation_by_name_is_forgiving(cli: Any, name: str) -> None:
    run: Run = cli("variations", name, "-f", "json")
    assert run.code == 0, run
    assert run.json()[0]["id"] == "single_leg_hip_thrust"


def test_variation_typo_says_what_it_showed(cli: Any) -> None:
    run: Run = cli("variations", "bodyweigth hip thrust")
    assert run.code == 0 and "Bodyweight Hip Thrust" in run.stdout
    assert "closest match" in run.stderr


@pytest.mark.parametrize(
    ("name", "expected"),
    [("hip thrust", "standard_hip_thrust"), ("barbell hip thrust", "standard_hip_thrust")],
)
def test_variation_by_common_name(cli: Any, name: str, expected: str) -> None:
    run: Run = cli("variations", name, "-f", "json")
    assert run.code == 0 and run.stderr == ""
    assert [v["id"] for v in run.json()] == [expected]


@pytest.mark.parametrize(
    ("name", "shown"),
    [("glute brigde", "Weighted Glute Bridge"), ("banded", "Resistance Band Bridge")],
)
def test_single_close_match_is_taken_with_a_note(cli: Any, name: str, shown: str) -> None:
    run: Run = cli("variations", name)
    assert run.code == 0 and shown in run.stdout
    assert run.stderr.strip() == f"Showing '{shown}', the closest match to '{name}'."


def test_variation_miss_suggests_or_fails(cli: Any) -> None:
    run: Run = cli("variations", "bridge")
    assert run.code == 2 and "did you mean" in run.stderr and "Weighted Glute Bridge" in run.stderr
    run = cli("variations", "zercher squat")
    assert run.code == 2 and run.stdout == ""
    assert "no variation called 'zercher squat'" in run.stderr


def test_alternatives(cli: Any) -> None:
    all_ = cli("alternatives", "-f", "json").json()
    friendly = cli("alternatives", "--back-friendly", "-f", "json").json()
    assert len(friendly) < len(all_) and all(a["back_friendly"] for a in friendly)
    run: Run = cli("alternatives")
    assert "Glute bridges" in run.stdout and "Deadlifts" in run.stdout
    assert "| Glute bridges |" in cli("alternatives", "-f", "markdown").stdout


def test_form_has_checklist_and_sketch(cli: Any) -> None:
    run: Run = cli("form")
    assert run.code == 0
    for word in (
        "Setup",
        "Positioning",
        "Movement",
        "Glute squeeze",
        "Controlled descent",
        "chin tucked",
        "shins vertical",
        "drive through the heels",
        "bench edge",
        "torso parallel",
        "Long-term strategy",
        "Glute strength",
    ):
        assert word in run.stdout, word
    assert cli("form", "-f", "json").json()["checklist"][0]["id"] == "setup"
    assert "- [ ] **Setup**" in cli("form", "-f", "markdown").stdout


def test_questions_json_contract(cli: Any) -> None:
    data = cli("questions", "--format", "json").json()
    for q in data:
        assert set(q) == {
            "id",
            "text",
            "why",
            "kind",
            "choices",
            "min",
            "max",
            "when",
            "red_flag",
            "group",
        }
    assert data[0]["red_flag"] is True
    assert {q["id"] for q in data if q["group"] == "self_test"} >= {"plank_time", "thomas_test"}
    scale = next(q for q in data if q["kind"] == "scale")
    assert (scale["min"], scale["max"]) == (0, 10)
    follow = next(q for q in data if q["id"] == "when_felt")
    assert follow["when"] == [{"question": "where_felt", "answers": ["lower_back"]}]
    assert "pain_level" in cli("questions").stdout


def test_unknown_command_and_option_exit_2(cli: Any) -> None:
    assert cli("diagnoze").code == 2
    run: Run = cli("variations", "--colour", "red")
    assert run.code == 2 and TRACEBACK not in run.stderr


def test_entry_point_keeps_every_command_reachable(tmp_path: Path) -> None:
    import subprocess
    import sys

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hipthrust_cli", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert "history" in run("--help").stdout and "kb" in run("--help").stdout
    assert run("kb", "validate").returncode == 0
    assert run("history", "-f", "json").returncode == 0
    assert run("variations", "-f", "json").returncode == 0
    assert run("histroy").returncode == 2
