"""Warning-sign scenarios, as a user meets them: the level, and the report's first line.

Each scenario is a story written from the guidance the red flags cite (NICE NG59, NICE
NG234, the NHS pages on back pain, sciatica and cauda equina syndrome, IFOMPT 2020). It
runs through the command line and checks the JSON level, the title the terminal report
opens with, and that every later line of the report agrees with that level.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hipthrust_cli.core.triage import POLICY, policy_table_markdown
from hipthrust_cli.kb import NOT_SURE, Level
from hipthrust_cli.views.blocks import BADGE, NOT_CHECKED_BADGE
from tests.conftest import ROOT, Run, story, write_answers

EMERGENCY = "Get emergency help now"
SAME_DAY = "Get checked today"
URGENT = "See a doctor within a few days"
ROUTINE = "Have a GP or physiotherapist check your back"
SELF_CARE = "No warning signs reported: work on form, and keep an eye on it"
NOT_CHECKED = "Warning signs not fully checked: read the list below first"

CHECKS = [
    "check_saddle",
    "check_wiping",
    "check_bladder",
    "check_bladder_feeling",
    "check_sexual",
    "check_legs",
    "check_walking",
]
ALL_NO = {q: "no" for q in CHECKS}


def _fall(details: str, **more: Any) -> dict[str, Any]:
    return story(urgent_signs=["fall_or_accident"], fall_details=details, **more)


# (name, answers, expected level, expected first line of the report)
SCENARIOS: list[tuple[str, dict[str, Any], Level, str]] = [
    # --- single signs ------------------------------------------------------------------
    ("saddle numbness", story(emergency_signs=["saddle_numbness"]), Level.emergency, EMERGENCY),
    ("numb when wiping", story(emergency_signs=["wiping_numbness"]), Level.emergency, EMERGENCY),
    ("bladder or bowel", story(emergency_signs=["bladder_bowel"]), Level.emergency, EMERGENCY),
    (
        "no bladder feeling",
        story(emergency_signs=["bladder_sensation"]),
        Level.emergency,
        EMERGENCY,
    ),
    ("sexual function", story(emergency_signs=["sexual_dysfunction"]), Level.emergency, EMERGENCY),
    ("both legs", story(emergency_signs=["both_legs"]), Level.emergency, EMERGENCY),
    ("walking", story(emergency_signs=["walking_difficulty"]), Level.emergency, EMERGENCY),
    ("serious recent accident", _fall("serious_recent"), Level.emergency, EMERGENCY),
    ("serious accident long ago", _fall("serious_past"), Level.urgent, URGENT),
    ("minor recent fall", _fall("minor_recent"), Level.routine, ROUTINE),
    ("minor fall long ago", _fall("minor_past"), Level.routine, ROUTINE),
    ("fever", story(urgent_signs=["fever_unwell"]), Level.same_day, SAME_DAY),
    ("weight loss", story(urgent_signs=["weight_loss"]), Level.same_day, SAME_DAY),
    ("night pain", story(urgent_signs=["night_pain"]), Level.same_day, SAME_DAY),
    ("lump or shape", story(urgent_signs=["lump_or_shape"]), Level.same_day, SAME_DAY),
    ("history of cancer", story(urgent_signs=["cancer_history"]), Level.urgent, URGENT),
    ("weak leg", story(urgent_signs=["leg_weakness"]), Level.urgent, URGENT),
    ("pain down one leg", story(urgent_signs=["leg_pain"]), Level.routine, ROUTINE),
    ("getting worse", story(urgent_signs=["worsening"]), Level.routine, ROUTINE),
    ("morning stiffness", story(urgent_signs=["morning_stiffness"]), Level.routine, ROUTINE),
    ("osteoporosis", story(health_history=["osteoporosis"]), Level.routine, ROUTINE),
    ("immune", story(health_history=["immune"]), Level.routine, ROUTINE),
    ("spinal procedure", story(health_history=["spinal_procedure"]), Level.urgent, URGENT),
    ("under 16", story(age_band="under_16"), Level.routine, ROUTINE),
    ("over 50 alone", story(age_band="over_50"), Level.self_care, SELF_CARE),
    ("nothing ticked", story(), Level.self_care, SELF_CARE),
    ("strong pain", story(pain_level=8), Level.routine, ROUTINE),
    # --- combinations the guidance escalates -------------------------------------------
    (
        "cancer + leg pain (NG234)",
        story(urgent_signs=["cancer_history", "leg_pain"]),
        Level.emergency,
        EMERGENCY,
    ),
    (
        "cancer + weak leg (NG234)",
        story(urgent_signs=["cancer_history", "leg_weakness"]),
        Level.emergency,
        EMERGENCY,
    ),
    (
        "cancer + night pain (NG234)",
        story(urgent_signs=["cancer_history", "night_pain"]),
        Level.same_day,
        SAME_DAY,
    ),
    (
        "cancer + worsening (NG234)",
        story(urgent_signs=["cancer_history", "worsening"]),
        Level.same_day,
        SAME_DAY,
    ),
    (
        "minor fall + osteoporosis",
        _fall("minor_recent", health_history=["osteoporosis"]),
        Level.same_day,
        SAME_DAY,
    ),
    (
        "old minor fall + steroids",
        _fall("minor_past", health_history=["steroids"]),
        Level.same_day,
        SAME_DAY,
    ),
    ("minor fall + over 50", _fall("minor_recent", age_band="over_50"), Level.same_day, SAME_DAY),
    (
        "fever + spinal procedure",
        story(urgent_signs=["fever_unwell"], health_history=["spinal_procedure"]),
        Level.emergency,
        EMERGENCY,
    ),
    (
        "fever + weak immune system",
        story(urgent_signs=["fever_unwell"], health_history=["immune"]),
        Level.emergency,
        EMERGENCY,
    ),
    (
        "fever + injecting drugs",
        story(urgent_signs=["fever_unwell"], health_history=["iv_drugs"]),
        Level.emergency,
        EMERGENCY,
    ),
    (
        "fever + recent infection (no escalation)",
        story(urgent_signs=["fever_unwell"], health_history=["recent_infection"]),
        Level.same_day,
        SAME_DAY,
    ),
    # --- "not sure" ------------------------------------------------------------------------
    (
        "not sure, then no to each sign",
        story(emergency_signs=NOT_SURE, **ALL_NO),
        Level.self_care,
        SELF_CARE,
    ),
    (
        "not sure, then yes to both legs",
        story(emergency_signs=NOT_SURE, **{**ALL_NO, "check_legs": "yes"}),
        Level.emergency,
        EMERGENCY,
    ),
    (
        "not sure, still not sure about wiping",
        story(emergency_signs=NOT_SURE, **{**ALL_NO, "check_wiping": NOT_SURE}),
        Level.same_day,
        SAME_DAY,
    ),
    (
        "not sure, follow-ups never answered",
        story(emergency_signs=NOT_SURE),
        Level.same_day,
        SAME_DAY,
    ),
    ("not sure about other signs", story(urgent_signs=NOT_SURE), Level.self_care, NOT_CHECKED),
    ("not sure about age", story(age_band=NOT_SURE), Level.self_care, NOT_CHECKED),
    ("a fall, not sure how bad", _fall(NOT_SURE), Level.urgent, URGENT),
    # --- unanswered --------------------------------------------------------------------------
    ("nothing answered", {}, Level.self_care, NOT_CHECKED),
    ("only the first list", {"emergency_signs": ["none"]}, Level.self_care, NOT_CHECKED),
    (
        "one leg, health unanswered",
        story(urgent_signs=["leg_pain"], health_history=None),
        Level.routine,
        ROUTINE,
    ),
]


def _report(cli: Callable[..., Run], tmp_path: Path, answers: dict[str, Any], *args: str) -> Run:
    path = write_answers(tmp_path / "answers.yaml", answers)
    return cli("diagnose", "--answers", str(path), "--no-input", "--no-history", *args)


def first_line(report: str) -> str:
    """The first line of text inside the triage panel (the badge sits in its border)."""
    for line in report.splitlines()[1:]:
        inner = line.strip().strip("│").strip()
        if inner:
            return inner
    return ""


@pytest.mark.parametrize(
    ("name", "answers", "level", "title"), SCENARIOS, ids=[s[0] for s in SCENARIOS]
)
def test_warning_sign_scenario(
    cli: Callable[..., Run],
    tmp_path: Path,
    name: str,
    answers: dict[str, Any],
    level: Level,
    title: str,
) -> None:
    data = _report(cli, tmp_path, answers, "-f", "json").json()
    assert data["triage"]["level"] == level.value, name
    assert data["triage"]["complete"] is (not data["triage"]["unscreened"])
    assert all(r["source"] for r in data["triage"]["reasons"]), "every sign names its source"

    run = _report(cli, tmp_path, answers)
    assert run.code == 0, run
    report = run.stdout
    assert first_line(report) == title
    badge = NOT_CHECKED_BADGE if title == NOT_CHECKED else BADGE[level]
    assert badge in report.splitlines()[0]
    _agrees_with_its_level(report, level, data)


def _agrees_with_its_level(report: str, level: Level, data: dict[str, Any]) -> None:
    """Every later line says the same thing as the referral."""
    policy = POLICY[level]
    panel_end = next(i for i, line in enumerate(report.splitlines()) if line.startswith("╰"))
    after = "\n".join(report.splitlines()[panel_end + 1 :])
    if level is Level.emergency:
        for section in ("Likely causes", "Correct form", "Alternatives", "Fixes:"):
            assert section not in after
    if level in (Level.same_day, Level.urgent):
        assert after.lstrip().startswith("After you have been checked")
        assert "Fixes:" not in after and "☐ " not in after.split("Correct form")[0]
        assert "Film a set" not in report and "Alternatives while you fix it" not in report
        assert not any(a["loaded"] for a in data["alternatives"])
    if level is Level.same_day:
        assert "Get emergency help now" not in report and "call 999" not in report.lower()
    if level is not Level.self_care:
        assert "No warning signs reported" not in report
    note = "Some effort in the lower back is normal"
    pain = data["answers"].get("pain_level")
    assert (note in report) == (
        policy.reassurance and data["triage"]["complete"] and isinstance(pain, int) and pain <= 3
    )
    assert all(a["caveat"] for a in data["alternatives"]), "alternatives carry caveats"
    assert "does not replace" in report


def test_there_are_at_least_thirty_scenarios() -> None:
    assert len(SCENARIOS) >= 30


def test_strong_pain_offers_nothing_heavier_than_bodyweight(
    cli: Callable[..., Run], tmp_path: Path
) -> None:
    light = _report(cli, tmp_path, story(pain_level=2), "-f", "json").json()
    assert any(a["loaded"] for a in light["alternatives"])
    heavy = _report(cli, tmp_path, story(pain_level=7), "-f", "json").json()
    assert heavy["alternatives"] and not any(a["loaded"] for a in heavy["alternatives"])


def test_unscreened_signs_are_named_one_by_one(cli: Callable[..., Run], tmp_path: Path) -> None:
    data = _report(cli, tmp_path, story(urgent_signs=NOT_SURE), "-f", "json").json()
    tri = data["triage"]
    assert tri["complete"] is False
    assert "Losing weight without trying" in tri["unscreened"]
    assert not any(u.endswith("?") for u in tri["unscreened"]), "signs, not question stems"
    report = _report(cli, tmp_path, story(urgent_signs=NOT_SURE)).stdout
    assert "NOT FULLY CHECKED" in report.splitlines()[0] and "SELF-CARE" not in report


# --- overlays cannot lower safety ----------------------------------------------------------


def _overlay(tmp_path: Path, red_flags: str = "", questions: str = "") -> Path:
    folder = tmp_path / "overlay"
    folder.mkdir(parents=True)
    if red_flags:
        (folder / "red_flags.yaml").write_text(red_flags)
    if questions:
        (folder / "questions.yaml").write_text(questions)
    return folder


OVERLAYS: list[tuple[str, str, str, dict[str, Any], int, str]] = [
    # name, red_flags.yaml, questions.yaml, answers, exit code, expected level or message
    ("remove an emergency sign", "remove: [saddle_numbness]\n", "", {}, 3, "saddle_numbness"),
    (
        "lower an emergency sign",
        "red_flags:\n  - id: both_legs\n    level: routine\n    title: Both legs\n"
        "    source: S\n    any: [{question: emergency_signs, answers: [both_legs]}]\n",
        "",
        {},
        3,
        "lowers the shipped emergency warning sign 'both_legs' to routine",
    ),
    (
        "lower a routine sign to nothing by removing it is allowed",
        "remove: [worsening_pain]\n",
        "",
        {"urgent_signs": ["worsening"]},
        0,
        "self_care",
    ),
    (
        "weaken the question an emergency sign reads",
        "",
        "questions:\n  - id: emergency_signs\n    red_flag: true\n    kind: multi\n"
        "    text: T\n    why: W\n    choices: [{id: none, label: None, exclusive: true}]\n",
        {},
        3,
        "the screening question 'emergency_signs'",
    ),
    (
        "soften the emergency advice",
        "levels:\n  emergency:\n    title: Rest at home\n    advice: It will pass.\n",
        "",
        {},
        3,
        "changes the shipped emergency title or advice",
    ),
    (
        "raise a routine sign",
        "red_flags:\n  - id: leg_pain\n    level: urgent\n    title: Pain down one leg\n"
        "    source: Our clinic's protocol\n"
        "    any: [{question: urgent_signs, answers: [leg_pain]}]\n",
        "",
        {"urgent_signs": ["leg_pain"]},
        0,
        "urgent",
    ),
    (
        "add a sign",
        "red_flags:\n  - id: our_sign\n    level: same_day\n    title: Pain at 9 or 10\n"
        "    source: Our clinic's protocol\n    any: [{question: pain_level, min: 9}]\n",
        "",
        {"pain_level": 9},
        0,
        "same_day",
    ),
    (
        "an old-format overlay",
        "red_flags:\n  - {id: r, level: urgent, title: T,"
        " any: [{question: tempo, answers: [bounce]}]}\n",
        "",
        {},
        3,
        "written for the red-flag format before knowledge base 2026.12",
    ),
]


@pytest.mark.parametrize(
    ("name", "flags", "questions", "answers", "code", "expected"),
    OVERLAYS,
    ids=[o[0] for o in OVERLAYS],
)
def test_overlay_scenario(
    cli: Callable[..., Run],
    tmp_path: Path,
    name: str,
    flags: str,
    questions: str,
    answers: dict[str, Any],
    code: int,
    expected: str,
) -> None:
    folder = _overlay(tmp_path, flags, questions)
    run = _report(cli, tmp_path, story(**answers), "--kb", str(folder), "-f", "json")
    assert run.code == code, run
    if code == 3:
        assert run.stdout == ""
        assert expected in run.stderr and str(folder) in run.stderr
        assert run.stderr.count("\n") == 1, "one clear message"
    else:
        assert run.json()["triage"]["level"] == expected
        text = _report(cli, tmp_path, story(**answers), "--kb", str(folder)).stdout
        assert first_line(text) == TITLES[Level(expected)]


TITLES = {
    Level.emergency: EMERGENCY,
    Level.same_day: SAME_DAY,
    Level.urgent: URGENT,
    Level.routine: ROUTINE,
    Level.self_care: SELF_CARE,
}


def test_the_guard_can_only_be_lifted_from_outside_and_then_every_report_says_so(
    cli: Callable[..., Run], tmp_path: Path
) -> None:
    folder = _overlay(tmp_path, "remove: [saddle_numbness]\n")
    answers = story(emergency_signs=["saddle_numbness"])
    for how in ({"args": ("--allow-unsafe-kb",)}, {"env": {"HIPTHRUST_ALLOW_UNSAFE_KB": "1"}}):
        args = ("--kb", str(folder), *how.get("args", ()))
        path = write_answers(tmp_path / "answers.yaml", answers)
        run = cli(
            "diagnose", "--answers", str(path), "--no-input", "--no-history", *args,
            env=how.get("env"),
        )  # fmt: skip
        assert run.code == 0, run
        panel = run.stdout[: run.stdout.index("╰")]
        assert "Safety checks were switched off" in panel and "saddle_numbness" in panel
    # A knowledge-base file cannot switch it off: there is no such key.
    sneaky = _overlay(tmp_path / "x", "allow_unsafe: true\nremove: [saddle_numbness]\n")
    assert _report(cli, tmp_path, answers, "--kb", str(sneaky)).code == 3


# --- the README's safety section follows the knowledge base -------------------------------


def test_readme_lists_every_sign_with_its_level_and_source(kb: Any) -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Safety") :]
    for flag in kb.red_flags:
        row = next((line for line in section.splitlines() if f"`{flag.id}`" in line), None)
        assert row is not None, f"README safety section does not list {flag.id}"
        assert f"`{flag.level.value}`" in row and flag.source in row, flag.id


def test_readme_table_of_what_each_level_shows_is_the_code() -> None:
    readme = (ROOT / "README.md").read_text()
    assert policy_table_markdown() in readme


def test_old_saved_sessions_still_list_and_show(
    cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hipthrust_cli import history
    from tests.test_history import save_as_written

    data_dir = tmp_path / "data"
    monkeypatch.setenv("HIPTHRUST_DATA_DIR", str(data_dir))

    old = {
        "version": 1,
        "triage": {
            "level": "urgent",
            "title": "See a doctor within a day or two",
            "advice": "Stop training hip thrusts for now.",
            "reasons": ["Fever or feeling unwell along with the back pain"],
            "unscreened": [],
        },
        "findings": [],
        "notes": [],
        "next_steps": [],
        "form_checklist": [],
        "warm_up": [],
        "progression": [],
        "alternatives": [
            {
                "id": "glute_bridge",
                "name": "Glute bridges",
                "muscles": ["glutes"],
                "benefits": "Lower-back friendly.",
                "back_friendly": True,
            }
        ],
        "summary": "See a doctor before training this again.",
        "disclaimer": "It does not replace a doctor.",
        "answers": {"urgent_signs": ["fever_unwell"]},
        "kb_version": "2026.11.0",
    }
    save_as_written(history.History(data_dir), old)
    listed = cli("history", "--format", "json")
    assert listed.code == 0 and listed.json()[0]["triage"] == "urgent"
    shown = cli("history", "show", "1")
    assert shown.code == 0, shown
    assert "See a doctor within a day or two" in shown.stdout
    assert "Fever or feeling unwell along with the back pain" in shown.stdout
    assert re.search(r"⚠ URGENT", shown.stdout.splitlines()[0])


def test_an_old_answers_file_is_told_where_the_fall_question_went(
    cli: Callable[..., Run], tmp_path: Path
) -> None:
    run = _report(cli, tmp_path, story(emergency_signs=["fall_or_accident"]))
    assert run.code == 2 and run.stdout == ""
    assert "moved from emergency_signs to urgent_signs" in run.stderr
    assert "fall_details" in run.stderr and run.stderr.count("\n") == 1


def test_the_screen_is_five_prompts_when_nothing_is_ticked(kb: Any) -> None:
    from hipthrust_cli.core.interview import Interview

    interview = Interview.start(kb, {})
    screen = []
    while (q := interview.next_question()) is not None and q.red_flag:
        screen.append(q.id)
        interview.record(q, ["none"] if q.kind.value == "multi" else "age_16_to_50")
    assert screen == ["emergency_signs", "urgent_signs", "health_history", "age_band", "about_pain"]


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_every_view_names_sources_and_the_neutral_badge(
    cli: Callable[..., Run], tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"report.{'md' if fmt == 'markdown' else fmt}"
    answers = story(urgent_signs=["cancer_history", "night_pain"])
    assert _report(cli, tmp_path, answers, "-o", str(out)).code == 0
    text = out.read_text()
    assert "GET CHECKED TODAY" in text and "source: NICE NG234" in text
    assert "After you have been checked" in text and "Fixes" not in text
    unsure = tmp_path / f"unsure.{'md' if fmt == 'markdown' else fmt}"
    assert _report(cli, tmp_path, story(age_band=NOT_SURE), "-o", str(unsure)).code == 0
    text = unsure.read_text()
    assert "NOT FULLY CHECKED" in text and "SELF-CARE" not in text
    assert "Your age (under 16, or over 50)" in text
