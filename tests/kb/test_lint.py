"""kb validate: every problem of a knowledge base, located, and what lint finds beyond loading."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from tests.conftest import DATA, TRACEBACK, Run

PROBLEM_LINE = r"^\S+\.yaml:\d+: [\w.\[\]]+: .+ — .+"


def _overlay(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "kb"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


# --- kb validate ------------------------------------------------------------------------------


def test_shipped_kb_is_clean_even_strict(cli: Callable[..., Run]) -> None:
    run = cli("kb", "validate", "--strict")
    assert run.code == 0, run
    assert run.stdout.startswith("No problems in the shipped knowledge base")


def test_validate_reports_every_problem_with_location(
    cli: Callable[..., Run], tmp_path: Path
) -> None:
    import re

    folder = _overlay(
        tmp_path,
        {
            "drills.yaml": "drills:\n  - {id: a, name: A, hwo: H}\n  - {id: b, nmae: B, how: H}\n",
            "variations.yaml": "variations:\n  - {id: v, name: V}\n",
        },
    )
    run = cli("kb", "validate", str(folder))
    assert run.code == 3
    lines = run.stdout.strip().splitlines()
    errors = lines[:-1]
    assert len(errors) >= 4  # two unknown keys, two missing fields, variation fields...
    assert all(re.match(PROBLEM_LINE, line) for line in errors), errors
    assert any(
        "drills.yaml:2: drills[0].hwo: unknown key — did you mean 'how'?" in e for e in errors
    )
    assert any("drills.yaml:3: drills[1].nmae" in e for e in errors)
    assert lines[-1].startswith(f"{len(errors)} errors and 0 warnings in {folder}")
    assert "layered over the shipped knowledge base" in lines[-1]


def test_validate_cross_references_all_at_once(cli: Callable[..., Run], tmp_path: Path) -> None:
    folder = _overlay(
        tmp_path,
        {
            "mistakes.yaml": (
                "mistakes:\n"
                "  - id: m1\n    title: T\n    consequence: C\n"
                "    kind_of_evidence: observation\n    prior: {p: 0.1, why: W}\n"
                "    evidence: [{question: tempoo, answers: [bounce], present: 0.5,"
                " absent: 0.1, why: W}]\n"
                "    related: [weak_cor]\n"
                "    fixes: [{text: F, evidence: expert_opinion}]\n"
                "    drills: [plankk]\n"
                "  - id: m1\n    title: T\n    consequence: C\n"
                "    kind_of_evidence: observation\n    prior: {p: 0.1, why: W}\n"
                "    evidence: [{question: tempo, answers: [bounce], present: 0.5,"
                " absent: 0.1, why: W}]\n"
                "    fixes: [{text: F, evidence: expert_opinion}]\n"
            ),
        },
    )
    run = cli("kb", "validate", str(folder))
    assert run.code == 3
    assert "used twice" in run.stdout
    assert "no question 'tempoo'" in run.stdout and "did you mean 'tempo'" in run.stdout
    assert "no drill or alternative 'plankk'" in run.stdout
    assert "no mistake 'weak_cor'" in run.stdout and "did you mean 'weak_core'" in run.stdout


def test_validate_checks_the_cause_model(cli: Callable[..., Run], tmp_path: Path) -> None:
    folder = _overlay(
        tmp_path,
        {
            "mistakes.yaml": (
                "mistakes:\n"
                "  - id: lopsided\n    title: T\n    consequence: C\n"
                "    kind_of_evidence: observation\n    prior: {p: 0.1, why: W}\n"
                "    evidence:\n"
                "      - {question: tempo, answers: [bounce], present: 0.7, absent: 0.1, why: W}\n"
                "      - {question: tempo, answers: [fast_drop], present: 0.6, absent: 0.1,"
                " why: W}\n"
                "    fixes: [{text: F, evidence: expert_opinion}]\n"
                "  - id: sinking\n    title: T\n    consequence: C\n"
                "    kind_of_evidence: proxy\n    prior: {p: 0.1, why: W}\n"
                "    evidence:\n"
                "      - {question: plank_time, answers: [under_30s], present: 0.1,"
                " absent: 0.5, why: W}\n"
                "    fixes: [{text: F, evidence: expert_opinion}]\n"
                "  - id: out_of_range\n    title: T\n    consequence: C\n"
                "    kind_of_evidence: proxy\n    prior: {p: 1.5, why: W}\n"
                "    evidence:\n"
                "      - {question: plank_time, answers: [under_30s], present: 0.9,"
                " absent: 0.1, why: W}\n"
                "    fixes: [{text: F, evidence: expert_opinion}]\n"
            ),
        },
    )
    run = cli("kb", "validate", str(folder))
    assert run.code == 3
    assert "mistakes[2].prior.p: Input should be less than 1" in run.stdout
    folder.joinpath("mistakes.yaml").write_text(
        folder.joinpath("mistakes.yaml").read_text().replace("p: 1.5", "p: 0.1")
    )
    run = cli("kb", "validate", str(folder))
    assert run.code == 3
    assert "the 'present' likelihoods of 'tempo' add up to 1.30" in run.stdout
    folder.joinpath("mistakes.yaml").write_text(
        folder.joinpath("mistakes.yaml").read_text().replace("present: 0.6", "present: 0.2")
    )
    run = cli("kb", "validate", str(folder))
    assert run.code == 3
    assert "mistakes[1].evidence: no answer can raise this cause" in run.stdout
    assert "mistakes[2].evidence[0]: a proxy (a capacity test) with a likelihood ratio of 9.0" in (
        run.stdout
    )


def test_old_format_overlay_gets_one_clear_message(cli: Callable[..., Run], tmp_path: Path) -> None:
    folder = _overlay(
        tmp_path,
        {
            "mistakes.yaml": (
                "mistakes:\n  - id: m1\n    title: T\n    consequence: C\n"
                "    signs: [{question: tempo, answers: [bounce], weight: 2}]\n"
                "    fixes: [{text: F, evidence: expert_opinion}]\n"
            ),
            "settings.yaml": "report_threshold: 0.3\n",
        },
    )
    run = cli("kb", "validate", str(folder))
    assert run.code == 3
    errors = [line for line in run.stdout.splitlines() if "yaml:" in line]
    assert len(errors) == 2, run.stdout
    assert any("mistakes[0]: mistakes now use 'prior' and 'evidence'" in e for e in errors)
    assert any("'report_threshold' was replaced by 'bands'" in e for e in errors)
    diag = cli("diagnose", "--kb", str(folder), "--no-input")
    assert diag.code == 3 and "was replaced by 'bands'" in diag.stderr


def test_validate_finds_untriggerable_mistake_and_impossible_when(
    cli: Callable[..., Run], tmp_path: Path
) -> None:
    folder = _overlay(
        tmp_path,
        {
            "mistakes.yaml": (
                "mistakes:\n  - id: shy\n    title: Shy\n    consequence: C\n"
                "    kind_of_evidence: observation\n    prior: {p: 0.01, why: W}\n"
                "    evidence:\n"
                "      - {question: tempo, answers: [bounce], present: 0.2, absent: 0.1, why: W}\n"
                "      - {question: pain_level, min: 11, present: 0.9, absent: 0.1, why: W}\n"
                "    fixes: [{text: F, evidence: expert_opinion}]\n"
            ),
            "questions.yaml": (
                "questions:\n  - id: ghost\n    text: T\n    why: W\n    kind: single\n"
                "    choices: [{id: a, label: A}]\n"
                "    when: [{question: pain_level, min: 20}]\n"
            ),
        },
    )
    run = cli("kb", "validate", str(folder))
    assert run.code == 3
    assert (
        "mistakes[0].evidence: this cause can never be reported: every answer for it together "
        "gives 0.02" in run.stdout
    )
    assert "questions[0].when: this question can never be asked" in run.stdout
    assert "questions[0].id: no mistake, red flag, note or follow-up uses" in run.stdout
    assert "(warning)" in run.stdout


def test_validate_impossible_red_flag(cli: Callable[..., Run], tmp_path: Path) -> None:
    folder = _overlay(
        tmp_path,
        {
            "red_flags.yaml": "red_flags:\n  - {id: r, level: urgent, title: T, source: S,"
            " any: [{question: pain_level, min: 11}]}\n",
        },
    )
    run = cli("kb", "validate", str(folder))
    assert run.code == 3 and "this red flag can never fire" in run.stdout


def test_warnings_pass_unless_strict(cli: Callable[..., Run], tmp_path: Path) -> None:
    folder = _overlay(
        tmp_path,
        {
            "questions.yaml": "questions:\n  - {id: lonely, text: T, why: W, kind: single,"
            " choices: [{id: a, label: A}]}\n",
        },
    )
    run = cli("kb", "validate", str(folder))
    assert run.code == 0 and "0 errors and 1 warning" in run.stdout
    assert cli("kb", "validate", str(folder), "--strict").code == 3


def test_validate_a_complete_folder_alone(cli: Callable[..., Run], tmp_path: Path) -> None:
    folder = tmp_path / "full"
    shutil.copytree(DATA, folder)
    run = cli("kb", "validate", str(folder))
    assert run.code == 0 and "(alone)" in run.stdout
    (folder / "questions.yaml").write_text("questions: []\n")
    run = cli("kb", "validate", str(folder), "--alone")
    assert run.code == 3 and "no question" in run.stdout


def test_validate_json(cli: Callable[..., Run], tmp_path: Path) -> None:
    folder = _overlay(tmp_path, {"drills.yaml": "drills:\n  - {id: a, name: A}\n"})
    run = cli("kb", "validate", str(folder), "-f", "json")
    data = run.json()
    assert run.code == 3 and data["ok"] is False
    problem = data["errors"][0]
    assert problem["line"] == 2 and problem["key"] == "drills[0].how"
    assert problem["file"].endswith("drills.yaml")


def test_validate_missing_folder(cli: Callable[..., Run], tmp_path: Path) -> None:
    run = cli("kb", "validate", str(tmp_path / "nope"))
    assert run.code == 3 and "does not exist" in run.stdout and TRACEBACK not in run.stderr


# --- overlays: add, replace, remove -------------------------------------------------------------


def test_overlay_rules_through_the_cli(cli: Callable[..., Run], tmp_path: Path) -> None:
    folder = _overlay(
        tmp_path,
        {
            "variations.yaml": (
                "remove: [pulse_hip_thrust]\n"
                "variations:\n"
                "  - {id: frog_pump, name: Frog Pump, target_muscles: [glutes], reps: '20-30',"
                " goal: [activation], equipment: [bodyweight], level: beginner}\n"
                "  - {id: standard_hip_thrust, name: Standard Hip Thrust, target_muscles: [glutes],"
                " reps: '6-10', goal: [strength], equipment: [barbell], level: advanced}\n"
            ),
        },
    )
    data = cli("variations", "--kb", str(folder), "-f", "json").json()
    ids = [v["id"] for v in data]
    assert "pulse_hip_thrust" not in ids  # removed
    assert ids[-1] == "frog_pump"  # added
    assert ids[0] == "standard_hip_thrust" and data[0]["reps"] == "6-10"  # replaced in place
    assert cli("kb", "validate", str(folder)).code == 0
