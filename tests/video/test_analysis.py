"""The pure video layers, driven by a kinematic model of a hip thrust (no video, no model)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from hipthrust_cli.errors import KnowledgeBaseError
from hipthrust_cli.kb import loading
from hipthrust_cli.video import analysis, rules
from hipthrust_cli.video.landmarks import Clip, Landmark, hip_extension, shin_angle
from hipthrust_cli.video.reps import fill_gaps, find_reps

from .kinematics import Camera, Thrust, film

RULES = rules.load()
MEASURED = {"shins_at_top", "range_of_motion", "tempo", "head_position"}


def run(s: Thrust | None = None, cam: Camera | None = None) -> analysis.Analysis:
    return analysis.analyze(film(s or Thrust(), cam or Camera()), RULES)


@pytest.mark.parametrize(
    ("thrust", "question", "choice"),
    [
        (Thrust(shin_top_deg=0), "shins_at_top", "vertical"),
        (Thrust(shin_top_deg=22), "shins_at_top", "feet_far"),
        (Thrust(shin_top_deg=-20), "shins_at_top", "feet_close"),
        (Thrust(hip_top_deg=180), "range_of_motion", "full"),
        (Thrust(hip_top_deg=150, torso_top_deg=-25), "range_of_motion", "short"),
        (Thrust(hip_top_deg=205, torso_top_deg=15), "range_of_motion", "too_high"),
        (Thrust(lower_s=1.2), "tempo", "controlled"),
        (Thrust(lower_s=0.2), "tempo", "fast_drop"),
        (Thrust(neck_bottom_deg=25, neck_top_deg=25), "head_position", "chin_tucked"),
        (Thrust(neck_bottom_deg=25, neck_top_deg=-20), "head_position", "looking_up"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_clear_side_view_answers_what_it_shows(
    thrust: Thrust, question: str, choice: str
) -> None:
    result = run(thrust)
    assert result.reps == thrust.reps
    assert result.answer_map()[question] == choice
    evidence = next(a for a in result.answers if a.question == question)
    assert evidence.source == "video" and evidence.threshold and evidence.text
    assert not result.warnings


def test_values_are_measured_not_just_classified() -> None:
    result = run(Thrust(shin_top_deg=22, hip_top_deg=185, torso_top_deg=5))
    m = result.measurements
    assert m["shin_angle_top_deg"] == pytest.approx(22, abs=2)
    assert m["hip_extension_top_deg"] == pytest.approx(185, abs=2)
    assert m["torso_floor_top_deg"] == pytest.approx(5, abs=2)  # shoulders below the hips
    for r in result.per_rep:
        assert r.lift_s > 0 and r.hold_s > 0 and r.lower_s > 0
    assert result.consistency["hip_extension_top_sd_deg"] < 2


def test_slower_lowering_measures_longer() -> None:
    fast, slow = run(Thrust(lower_s=0.4)), run(Thrust(lower_s=2.0))
    assert slow.measurements["lower_s"] > 3 * fast.measurements["lower_s"]


def test_a_value_between_bands_is_not_an_answer() -> None:
    result = run(Thrust(shin_top_deg=9.5))
    assert "shins_at_top" not in result.answer_map()
    reason = next(u.reason for u in result.unanswered if u.question == "shins_at_top")
    assert "between the thresholds" in reason


def test_noise_and_dropped_frames_still_count_the_reps() -> None:
    result = run(Thrust(reps=5, shin_top_deg=20), Camera(noise_px=3, drop=0.15, seed=7))
    assert result.reps == 5
    assert result.answer_map()["shins_at_top"] == "feet_far"
    assert 0.8 <= result.quality.pose_share < 0.95


def test_many_dropped_frames_warn_and_answer_nothing() -> None:
    result = run(Thrust(), Camera(drop=0.5, seed=3))
    assert any("A person was found in only" in w for w in result.warnings)
    assert not result.answers


def test_getting_into_position_and_hovering_are_not_reps() -> None:
    result = run(Thrust(reps=3, sit_up_s=1.5, jitter_s=3.0))
    assert result.reps == 3


def test_jitter_around_a_threshold_counts_nothing() -> None:
    # A signal hovering around the high threshold with noise: hysteresis never re-arms.
    signal: list[float | None] = [100.0] * 10 + [150 + (6 if i % 2 else -6) for i in range(60)]
    assert find_reps(signal, [0.0] * len(signal), 30, RULES.reps) == []


def test_too_quick_a_bob_is_not_a_rep() -> None:
    result = run(Thrust(reps=3, lift_s=0.1, hold_s=0.0, lower_s=0.1))
    assert result.reps == 0
    assert any("No complete rep" in w for w in result.warnings)


def test_small_movements_are_not_reps() -> None:
    assert run(Thrust(range_deg=10)).reps == 0


def test_hidden_hips_warn_and_keep_hip_answers_out() -> None:
    result = run(Thrust(), Camera(hide_hips_at_top=True))
    assert any("hips are hidden at the top" in w for w in result.warnings)
    assert "range_of_motion" not in result.answer_map()
    assert "shins_at_top" in result.answer_map()  # knee and ankle are still seen
    reason = next(u.reason for u in result.unanswered if u.question == "range_of_motion")
    assert "hips are hidden" in reason


@pytest.mark.parametrize("yaw", [45, 85])
def test_an_oblique_camera_warns_and_measures_no_angles(yaw: float) -> None:
    result = run(Thrust(shin_top_deg=22), Camera(yaw_deg=yaw))
    assert any("does not look side-on" in w for w in result.warnings)
    assert not MEASURED - {"tempo"} & set(result.answer_map())


def test_a_tilted_camera_measures_no_angle_against_vertical() -> None:
    result = run(Thrust(shin_top_deg=0), Camera(roll_deg=20))
    assert any("tilted" in w for w in result.warnings)
    assert "shins_at_top" not in result.answer_map()


def test_one_rep_is_not_a_pattern() -> None:
    result = run(Thrust(reps=1))
    assert result.reps == 1 and not result.answers
    assert any("Only 1 complete rep" in w for w in result.warnings)


def test_an_empty_clip() -> None:
    result = analysis.analyze(Clip(width=10, height=10, fps=30, poses=[]), RULES)
    assert result.reps == 0 and not result.answers and result.warnings


def test_the_json_form_has_the_contract_keys() -> None:
    data = json.loads(json.dumps(analysis.report_dict(run(), "clip.mp4")))
    assert {"video", "reps", "per_rep", "measurements", "answers", "warnings"} <= set(data)
    assert data["reps"] == 4 and len(data["per_rep"]) == 4
    assert data["answers"]["shins_at_top"] == "vertical"
    assert data["video"]["path"] == "clip.mp4" and data["video"]["checks"]["side_on"]


def test_angles_on_hand_made_points() -> None:
    s, k = Landmark(0, 100), Landmark(200, 100)
    assert hip_extension(s, Landmark(100, 100), k) == pytest.approx(180)
    assert hip_extension(s, Landmark(100, 130), k) < 180  # hips sag below the line
    assert hip_extension(s, Landmark(100, 70), k) > 180  # hips pushed past it
    assert shin_angle(Landmark(0, 0), Landmark(100, 0), Landmark(100, 50)) == pytest.approx(0)
    assert shin_angle(Landmark(0, 0), Landmark(100, 0), Landmark(130, 50)) > 0  # feet far
    # Mirrored (facing the other way) gives the same angles.
    assert shin_angle(Landmark(0, 0), Landmark(-100, 0), Landmark(-130, 50)) > 0


def test_gaps_are_bridged_only_when_short() -> None:
    assert fill_gaps([1.0, None, 3.0], 1) == [1.0, 2.0, 3.0]
    assert fill_gaps([1.0, None, None, 4.0], 1) == [1.0, None, None, 4.0]


# --- the rules table -----------------------------------------------------------------------


def test_every_rule_names_a_real_question_and_choice() -> None:
    kb = loading.load()
    questions = {q.id: q for q in kb.questions}
    for rule in RULES.answers:
        assert rule.question in questions, rule.question
        ids = {c.id for c in questions[rule.question].choices}
        for choice in rule.choices:
            assert choice.choice in ids, (rule.question, choice.choice)
    for item in RULES.not_measured:
        assert item.question in questions


def test_bands_of_one_rule_never_overlap() -> None:
    for rule in RULES.answers:
        bands = sorted(
            ((c.min if c.min is not None else -1e9, c.max if c.max is not None else 1e9))
            for c in rule.choices
        )
        for (_, hi), (lo, _) in itertools.pairwise(bands):
            assert hi < lo, rule.question


def test_a_broken_rules_file_is_a_knowledge_base_error(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text("version: 1\nreps: {}\n")
    with pytest.raises(KnowledgeBaseError, match=r"rules\.yaml"):
        rules.load(bad)
    bad.write_text("version: [\n")
    with pytest.raises(KnowledgeBaseError, match=r"not valid YAML"):
        rules.load(bad)
