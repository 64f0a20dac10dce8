"""The interview flow: order, when-conditions, progress, the emergency stop."""

from __future__ import annotations

from hipthrust_cli.interview import Interview
from hipthrust_cli.knowledge import NOT_SURE, KnowledgeBase


def _walk(interview: Interview, answer_for: dict[str, object]) -> list[str]:
    asked = []
    while (q := interview.next_question()) is not None:
        asked.append(q.id)
        value = answer_for.get(q.id, NOT_SURE)
        interview.record(q, value)  # type: ignore[arg-type]
    return asked


def test_screening_first_then_the_rest(kb: KnowledgeBase) -> None:
    asked = _walk(Interview.start(kb, {}), {"emergency_signs": ["none"]})
    # Four screening prompts for someone with nothing to tick (the issue-12 budget).
    assert asked[:4] == ["emergency_signs", "urgent_signs", "health_history", "age_band"]
    assert asked[4] == "pain_character"
    assert len(asked) == sum(1 for q in kb.questions if not q.when)  # not_sure skips follow-ups


def test_emergency_answer_ends_the_interview_at_once(kb: KnowledgeBase) -> None:
    interview = Interview.start(kb, {})
    asked = _walk(interview, {"emergency_signs": ["saddle_numbness"]})
    assert asked == ["emergency_signs"]
    assert interview.emergency


def test_not_sure_on_cauda_equina_asks_each_sign(kb: KnowledgeBase) -> None:
    interview = Interview.start(kb, {})
    asked = _walk(interview, {"check_bladder": "yes"})  # everything else "not sure"
    assert asked[:4] == ["emergency_signs", "check_saddle", "check_wiping", "check_bladder"]
    assert interview.emergency  # a plain "yes" to one sign stops there
    unsure = _walk(Interview.start(kb, {}), {})
    assert unsure[1:8] == [q.id for q in kb.questions if q.id.startswith("check_")]
    assert "where_felt" in unsure  # still unsure is same_day, not a dead end


def test_when_skips_follow_ups(kb: KnowledgeBase) -> None:
    base = {"emergency_signs": ["none"], "urgent_signs": ["none"]}
    asked = _walk(
        Interview.start(kb, {}), {**base, "where_felt": ["glutes"], "knee_to_wall": "easily"}
    )
    assert "when_felt" not in asked and "footwear" not in asked
    asked = _walk(
        Interview.start(kb, {}), {**base, "where_felt": ["lower_back"], "knee_to_wall": "cannot"}
    )
    assert "when_felt" in asked and "footwear" in asked
    assert asked.index("when_felt") == asked.index("where_felt") + 1


def test_progress_counts_what_this_run_asks(kb: KnowledgeBase) -> None:
    interview = Interview.start(kb, {"pain_level": 3, "anatomy": "none_known"})
    number, total = interview.progress()
    assert number == 1
    # every unconditional question minus the two preset ones
    assert total == sum(1 for q in kb.questions if not q.when) - 2
    first = interview.next_question()
    assert first is not None
    interview.record(first, ["none"])
    assert interview.progress()[0] == 2


def test_preset_answers_are_not_asked_and_ignored_ones_are_reported(kb: KnowledgeBase) -> None:
    interview = Interview.start(
        kb, {"emergency_signs": ["none"], "where_felt": ["glutes"], "when_felt": "top"}
    )
    assert "emergency_signs" not in [q.id for q in interview.pending()]
    assert interview.ignored() == ["when_felt"]
    assert "when_felt" not in interview.final_answers()
