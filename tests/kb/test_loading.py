"""The knowledge base: the shipped data is complete and sound; broken data is reported well."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from hipthrust_cli.core.diagnose import rank
from hipthrust_cli.core.triage import triage
from hipthrust_cli.errors import KnowledgeBaseError
from hipthrust_cli.kb import NOT_SURE, Answer, Kind, KnowledgeBase, Level, loading
from hipthrust_cli.kb.lint import lint
from tests.conftest import DATA

SEED = DATA.parent.parent / "shared" / "seed" / "hip-thrust-lower-back.txt"


# --- the shipped knowledge base -----------------------------------------------------------


def test_shipped_kb_loads_and_has_every_kind(kb: KnowledgeBase) -> None:
    assert kb.questions and kb.red_flags and kb.mistakes and kb.variations and kb.alternatives
    assert [s.id for s in kb.technique.checklist] == [
        "setup",
        "positioning",
        "movement",
        "glute_squeeze",
        "controlled_descent",
    ]
    assert set(kb.levels) == set(Level)


def test_red_flag_questions_come_first(kb: KnowledgeBase) -> None:
    flags = [q.red_flag for q in kb.ordered_questions]
    assert flags == sorted(flags, reverse=True)
    assert kb.ordered_questions[0].id == "emergency_signs"


def test_every_shipped_question_can_be_asked(kb: KnowledgeBase) -> None:
    """No question's 'when' is impossible: lint, which proves it, finds none."""
    assert [str(p) for p in lint(kb) if "can never be asked" in p.message] == []


@pytest.mark.parametrize("mid", [m.id for m in loading.load().mistakes])
def test_every_mistake_can_be_triggered(kb: KnowledgeBase, mid: str) -> None:
    """Giving the answer each evidence row raises most puts the cause in the report."""
    mistake = next(m for m in kb.mistakes if m.id == mid)
    answers: dict[str, Answer] = {}
    for row in sorted(mistake.evidence, key=lambda r: -r.ratio):
        if row.ratio <= 1 or not row.answers:
            continue
        q = kb.question_by_id[row.question]
        if q.kind is Kind.multi:
            listed = answers.setdefault(q.id, [])
            assert isinstance(listed, list)
            listed.append(row.answers[0])
        elif q.id not in answers:
            answers[q.id] = row.answers[0]
    for q in kb.questions:  # follow-ups need the answer that opens them
        for c in q.when:
            if q.id in answers and c.question not in answers and c.answers:
                target = kb.question_by_id[c.question]
                answers[c.question] = [c.answers[0]] if target.kind is Kind.multi else c.answers[0]
    assert mid in [b.id for b, _ in rank(kb, answers)]


@pytest.mark.parametrize("fid", [f.id for f in loading.load().red_flags])
def test_every_red_flag_fires_its_level(kb: KnowledgeBase, fid: str) -> None:
    flag = next(f for f in kb.red_flags if f.id == fid)
    # Every 'all' condition and the first 'any' one: the least that makes the flag fire.
    answers: dict[str, Answer] = {}
    for cond in [*flag.all, *flag.any[:1]]:
        q = kb.question_by_id[cond.question]
        if cond.answers:
            value: Answer = cond.answers[0]
            if q.kind is Kind.multi and value != NOT_SURE:
                before = answers.get(q.id)
                value = [*(before if isinstance(before, list) else []), value]
        else:
            assert cond.min is not None
            value = cond.min
        answers[q.id] = value
    assert flag.fires(answers)
    result = triage(kb, answers)
    assert result.level is flag.level
    assert flag.id in [r.id for r in result.reasons]
    assert all(r.source for r in result.reasons), "every sign names its guidance"


def test_every_fix_has_an_evidence_level_and_every_drill_exists(kb: KnowledgeBase) -> None:
    for m in kb.mistakes:
        for fix in m.fixes:
            assert fix.evidence.value in {"research", "expert_opinion"}
            if fix.evidence.value == "research":
                assert fix.source, f"{m.id}: research fixes name their source"
        for drill in m.drills:
            assert drill in kb.exercise_names


SEED_MISTAKES = {
    "arching_lower_back": "Arching the Lower Back",
    "poor_glute_activation": "Poor Glute Activation",
    "bench_too_high": "Incorrect Bench Height",
    "overextension_at_top": "Overextension at the Top",
    "poor_ankle_mobility": "Ankle Mobility Issues",
    "weak_core": "Weak Core Muscles",
    "incorrect_foot_placement": "incorrect foot placement",
    "excessive_weight": "excessive weight",
    "incomplete_range_of_motion": "incomplete range of motion",
    "tight_hamstrings": "Tight hamstrings",
}
# Context from the seed: shifts priors and gives advice, never a ranked cause.
SEED_CONTEXT = {
    "previous_back_injury": "previous injuries",
    "structural_difference": "anatomical limitations",
}


@pytest.mark.parametrize(("mid", "phrase"), SEED_MISTAKES.items())
def test_every_mistake_the_seed_names_is_in_the_kb(
    kb: KnowledgeBase, mid: str, phrase: str
) -> None:
    if SEED.exists():
        assert phrase.lower() in SEED.read_text().lower()
    assert mid in {m.id for m in kb.mistakes}


@pytest.mark.parametrize(("nid", "phrase"), SEED_CONTEXT.items())
def test_seed_context_is_advice_not_a_cause(kb: KnowledgeBase, nid: str, phrase: str) -> None:
    if SEED.exists():
        assert phrase.lower() in SEED.read_text().lower()
    assert nid in {n.id for n in kb.notes} and nid not in {m.id for m in kb.mistakes}


def test_every_seed_table_row_is_in_the_kb(kb: KnowledgeBase) -> None:
    variations = {v.name for v in kb.variations}
    assert {
        "Standard Hip Thrust",
        "Single-Leg Hip Thrust",
        "Weighted Glute Bridge",
        "Resistance Band Bridge",
        "Bodyweight Hip Thrust",
    } <= variations
    assert {"glute_bridge", "squat", "deadlift", "banded_lateral_walks"} <= {
        a.id for a in kb.alternatives
    }
    assert {s.strategy for s in kb.technique.long_term} == {
        "Regular practice",
        "Body awareness",
        "Professional guidance",
    }
    assert {g.aspect for g in kb.technique.glute_health} == {
        "Lower back health",
        "Knee health",
        "Athletic performance",
        "Daily activities",
        "Injury prevention",
        "Overall fitness",
    }
    # Table 1 fixes and Table 2 consequences.
    text = " ".join(
        f"{m.consequence} {' '.join(f.text for f in m.fixes)}" for m in kb.mistakes
    ).lower()
    for phrase in [
        "glute squeeze",
        "activation drills",
        "mind-muscle connection",
        "right height",
        "foot placement",
        "limit the motion",
        "rib-to-pelvis",
        "ankle mobility drills",
        "footwear",
        "strengthen your core",
        "neutral spine",
        "shoulder-width",
        "start light",
        "gradually",
        "full hip extension",
        "altered leverage",
        "compromised form",
        "reduced glute activation",
        "back instability",
    ]:
        assert phrase in text, phrase


def test_not_sure_on_the_nerve_checklist_means_checked_today(kb: KnowledgeBase) -> None:
    # The follow-ups were never answered (e.g. --no-input): the signs stay unknown.
    unsure = triage(kb, {"emergency_signs": NOT_SURE})
    assert unsure.level is Level.same_day and not unsure.complete
    follow_ups = [q.id for q in kb.questions if q.id.startswith("check_")]
    assert len(follow_ups) == 7
    all_no = {"emergency_signs": NOT_SURE, **{q: "no" for q in follow_ups}}
    assert triage(kb, all_no).level is Level.self_care
    assert triage(kb, {**all_no, "urgent_signs": ["none"]}).level is Level.self_care
    one_yes = {**all_no, "check_bladder": "yes"}
    assert triage(kb, one_yes).level is Level.emergency
    rest = {"urgent_signs": ["none"], "health_history": ["none"], "age_band": "age_16_to_50"}
    rest["about_pain"] = ["none"]
    rest["pain_level"] = 3
    one_unsure = {**all_no, **rest, "check_walking": NOT_SURE}
    result = triage(kb, one_unsure)
    assert result.level is Level.same_day
    assert result.unscreened == ["New difficulty walking, or leg weakness that is getting worse"]


# --- broken knowledge bases -----------------------------------------------------------------


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(DATA, target)
    return target


def _replace(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _error(**kwargs: Any) -> str:
    with pytest.raises(KnowledgeBaseError) as info:
        loading.load(**kwargs)
    return info.value.message


def test_misspelt_key_names_file_line_and_key(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _replace(folder, "questions.yaml", '    why: "These can', '    whyy: "These can')
    message = _error(base=folder)
    assert "questions.yaml:" in message
    assert "questions[0].whyy" in message
    assert "unknown key" in message
    line = int(message.split("questions.yaml:")[1].split(":")[0])
    assert "whyy" in (folder / "questions.yaml").read_text().splitlines()[line - 1]


def test_missing_required_field(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _replace(folder, "mistakes.yaml", '    title: "Bench too high"\n', "")
    message = _error(base=folder)
    assert "mistakes.yaml:" in message and "mistakes[2].title" in message
    assert "missing" in message


def test_wrong_type(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _replace(folder, "settings.yaml", "stop_threshold: 0.22", "stop_threshold: lots")
    assert "stop_threshold" in _error(base=folder)


def test_unknown_question_reference(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _replace(
        folder,
        "mistakes.yaml",
        "{question: bench_height, answers: [high]",
        "{question: bench_heigth, answers: [high]",
    )
    message = _error(base=folder)
    assert "no question 'bench_heigth'" in message and "bench_height" in message
    assert "mistakes.yaml:" in message


def test_unknown_choice_and_drill(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _replace(folder, "mistakes.yaml", "answers: [high], present", "answers: [tall], present")
    _replace(folder, "mistakes.yaml", "drills: [chin_tuck]", "drills: [chin_tucks]")
    with pytest.raises(KnowledgeBaseError) as info:
        loading.load(base=folder)
    problems = "\n".join(info.value.problems)
    assert "no choice 'tall'" in problems and "valid: low, slightly_low, standard" in problems
    assert "no drill or alternative 'chin_tucks'" in problems


def test_duplicate_id(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _replace(folder, "drills.yaml", "  - id: bird_dog", "  - id: plank")
    assert "used twice" in _error(base=folder)


def test_python_tag_is_refused_not_run(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    marker = tmp_path / "pwned"
    (folder / "notes.yaml").write_text(
        f"notes: !!python/object/apply:os.system ['touch {marker}']\n"
    )
    message = _error(base=folder)
    assert "notes.yaml:1" in message and "not allowed" in message
    assert not marker.exists()


def test_malformed_yaml_reports_the_line(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "drills.yaml").write_text("drills:\n  - id: x\n    name: [unclosed\n")
    message = _error(base=folder)
    assert "drills.yaml:" in message and "not valid YAML" in message


def test_scale_with_min_above_max(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _replace(folder, "questions.yaml", "    min: 0\n    max: 10", "    min: 10\n    max: 0")
    assert "greater than max" in _error(base=folder)


def test_question_with_no_choices(tmp_path: Path) -> None:
    overlay = tmp_path / "o"
    overlay.mkdir()
    (overlay / "questions.yaml").write_text(
        "questions:\n  - id: q1\n    text: T\n    why: W\n    kind: single\n    choices: []\n"
    )
    assert "needs at least one choice" in _error(overlays=[overlay])


def test_mistake_with_no_evidence(tmp_path: Path) -> None:
    overlay = tmp_path / "o"
    overlay.mkdir()
    (overlay / "mistakes.yaml").write_text(
        "mistakes:\n  - id: m1\n    title: T\n    consequence: C\n"
        "    kind_of_evidence: proxy\n    prior: {p: 0.1, why: W}\n    evidence: []\n"
        "    fixes: [{text: F, evidence: research}]\n"
    )
    assert "mistakes[0].evidence" in _error(overlays=[overlay])


def test_empty_file_in_overlay_is_fine(tmp_path: Path) -> None:
    overlay = tmp_path / "o"
    overlay.mkdir()
    (overlay / "mistakes.yaml").write_text("")
    assert loading.load(overlays=[overlay]).mistakes


def test_folder_missing_or_a_file(tmp_path: Path) -> None:
    assert "does not exist" in _error(overlays=[tmp_path / "nope"])
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert "is a file" in _error(overlays=[afile])


def test_stray_yaml_file_is_named(tmp_path: Path) -> None:
    overlay = tmp_path / "o"
    overlay.mkdir()
    (overlay / "mistake.yaml").write_text("mistakes: []\n")
    assert "mistake.yaml: is not a knowledge-base file" in _error(overlays=[overlay])


# --- overlays ---------------------------------------------------------------------------------


def test_overlay_adds_replaces_and_removes(tmp_path: Path) -> None:
    overlay = tmp_path / "o"
    overlay.mkdir()
    (overlay / "alternatives.yaml").write_text(
        "remove: [deadlift]\n"
        "alternatives:\n"
        "  - {id: squat, name: Box squats, muscles: [glutes], benefits: B, back_friendly: true}\n"
        "  - {id: cable_pull_through, name: Cable pull-through, muscles: [glutes],"
        " benefits: B, back_friendly: true}\n"
    )
    kb = loading.load(overlays=[overlay])
    ids = [a.id for a in kb.alternatives]
    assert "deadlift" not in ids
    assert ids[-1] == "cable_pull_through"
    squat = next(a for a in kb.alternatives if a.id == "squat")
    assert squat.name == "Box squats" and ids.index("squat") == 4  # keeps its place


def test_overlay_remove_of_unknown_id(tmp_path: Path) -> None:
    overlay = tmp_path / "o"
    overlay.mkdir()
    (overlay / "drills.yaml").write_text("remove: [planck]\n")
    assert "no drill 'planck' to remove" in _error(overlays=[overlay])


def test_env_overlays_apply_in_order(tmp_path: Path) -> None:
    import os

    first, second = tmp_path / "a", tmp_path / "b"
    for folder, name in ((first, "First"), (second, "Second")):
        folder.mkdir()
        (folder / "drills.yaml").write_text(f"drills:\n  - {{id: plank, name: {name}, how: H}}\n")
    dirs = loading.overlay_dirs([], {"HIPTHRUST_KB": f"{first}{os.pathsep}{second}"})
    kb = loading.load(overlays=dirs)
    assert kb.exercise_names["plank"] == "Second"


def test_when_must_refer_to_an_earlier_question(tmp_path: Path) -> None:
    overlay = tmp_path / "o"
    overlay.mkdir()
    (overlay / "questions.yaml").write_text(
        "questions:\n  - id: emergency_signs\n    red_flag: true\n    kind: multi\n"
        "    text: T\n    why: W\n    choices: [{id: none, label: None, exclusive: true}]\n"
        "    when: [{question: anatomy, answers: [diagnosed]}]\n"
    )
    with pytest.raises(KnowledgeBaseError) as info:
        loading.load(overlays=[overlay])
    assert any("is asked after" in p for p in info.value.problems)


def test_every_number_of_the_model_has_its_reason(kb: KnowledgeBase) -> None:
    for m in kb.mistakes:
        assert 0 < m.prior.p < 1 and m.prior.why.strip()
        for row in m.evidence:
            assert 0 < row.present < 1 and 0 < row.absent < 1 and row.why.strip()
        for shift in m.context:
            assert shift.factor > 0 and shift.why.strip()
