"""The interview flow: order, when-conditions, progress, the emergency stop."""

from __future__ import annotations

import itertools

from hipthrust_cli.core.interview import (
    BACK,
    CHANGE,
    INTRO,
    LIFT,
    MORE,
    NOW,
    SCREEN,
    STOPPING,
    Again,
    Asker,
    Interview,
    Review,
    run,
)
from hipthrust_cli.kb import NOT_SURE, Answer, KnowledgeBase, Question
from tests.conftest import CLEAN


def _walk(interview: Interview, answer_for: dict[str, object]) -> list[str]:
    asked = []
    while (q := interview.next_question()) is not None:
        asked.append(q.id)
        value = answer_for.get(q.id, NOT_SURE)
        interview.record(q, value)  # type: ignore[arg-type]
    return asked


def test_screening_first_then_the_rest(kb: KnowledgeBase) -> None:
    asked = _walk(Interview.start(kb, {}, thorough=True), {"emergency_signs": ["none"]})
    # Five screening prompts for someone with nothing to tick (the issue-12 budget).
    screen = ["emergency_signs", "urgent_signs", "health_history", "age_band", "about_pain"]
    assert asked[:5] == screen
    # Then every question a warning sign reads (the pain level), whatever the model says.
    assert asked[5] == "pain_level"
    assert len(asked) == sum(1 for q in kb.questions if not q.when)  # not_sure skips follow-ups


def test_adaptive_interview_asks_the_telling_questions_and_stops(kb: KnowledgeBase) -> None:
    from tests.scenarios import person

    answers = person(CLEAN, {"bench_height": "high"})
    interview = Interview.start(kb, {})
    asked = _walk(interview, answers)
    after = [q for q in asked if not kb.question_by_id[q].red_flag]
    safety = ["pain_level"]
    assert after[:1] == safety, "every question a warning sign reads, in file order"
    assert after[1] == "what_you_see", "then the checklist, which covers most causes"
    assert "bench_height" in after, "a ticked 'bench is high' is confirmed"
    assert len(after) - len(safety) <= 5
    skipped = interview.not_asked()
    assert skipped and not {q.id for q in skipped} & set(asked)
    assert all(not q.red_flag for q in skipped)


def test_self_tests_come_together_and_only_when_they_matter(kb: KnowledgeBase) -> None:
    from tests.scenarios import person

    clean = _walk(Interview.start(kb, {}), person(CLEAN, {}))
    tests = {q.id for q in kb.questions if q.group == "self_test"}
    assert not tests & set(clean), "a person with nothing wrong does no self-test"
    ankles = _walk(
        Interview.start(kb, {}),
        person(CLEAN, {"knee_to_wall": "cannot", "heel_lift": "heels_lift"}),
    )
    assert "knee_to_wall" in ankles


def test_report_now_never_skips_a_question_a_warning_sign_reads(kb: KnowledgeBase) -> None:
    interview = Interview.start(kb, {})
    interview.stop()
    asked = _walk(interview, {**CLEAN})
    screen = [q for q in asked if kb.question_by_id[q].red_flag]
    safety = ["pain_level"]
    assert asked == [*screen, *safety], "the screen, then what the warning signs read"
    assert all(interview.is_safety(kb.question_by_id[q]) for q in asked)
    assert not interview.is_safety(kb.question_by_id["what_you_see"])


def test_ask_more_from_the_review_asks_the_rest_in_order(kb: KnowledgeBase) -> None:
    from tests.scenarios import person

    interview = Interview.start(kb, {})
    _walk(interview, person(CLEAN, {}))
    left = [q.id for q in interview.not_asked()]
    interview.ask_more()
    nxt = interview.next_question()
    assert nxt is not None and nxt.id == left[0]
    assert interview.progress(nxt)[1] is not None


def test_given_answers_are_used_and_never_asked_again(kb: KnowledgeBase) -> None:
    given = {"what_you_see": ["bench_high"], "bench_height": "high", "pain_level": 3}
    asked = _walk(Interview.start(kb, given), {**CLEAN, "emergency_signs": ["none"]})
    assert not set(given) & set(asked)


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
        Interview.start(kb, {}, thorough=True),
        {**base, "where_felt": ["glutes"], "knee_to_wall": "easily"},
    )
    assert "when_felt" not in asked and "footwear" not in asked
    asked = _walk(
        Interview.start(kb, {}, thorough=True),
        {**base, "where_felt": ["lower_back"], "knee_to_wall": "cannot"},
    )
    assert "when_felt" in asked and "footwear" in asked
    assert asked.index("when_felt") == asked.index("where_felt") + 1


def test_progress_counts_what_this_run_asks(kb: KnowledgeBase) -> None:
    interview = Interview.start(kb, {"pain_level": 3, "anatomy": "none_known"}, thorough=True)
    number, total = interview.progress()
    assert number == 1
    # An upper bound: every question that applies or still could, minus the two preset.
    assert total == len(kb.questions) - 2
    first = interview.next_question()
    assert first is not None
    interview.record(first, ["none"])
    assert interview.progress()[0] == 2
    adaptive = Interview.start(kb, {})
    assert adaptive.progress() == (1, None), "the adaptive part cannot know its length"


def test_preset_answers_are_not_asked_and_ignored_ones_are_reported(kb: KnowledgeBase) -> None:
    interview = Interview.start(
        kb, {"emergency_signs": ["none"], "where_felt": ["glutes"], "when_felt": "top"}
    )
    assert "emergency_signs" not in [q.id for q in interview.pending()]
    assert interview.ignored() == ["when_felt"]
    assert "when_felt" not in interview.final_answers()


def test_a_changed_answer_and_its_follow_ups_are_asked_next(kb: KnowledgeBase) -> None:
    from tests.scenarios import person

    answers = person(CLEAN, {})
    interview = Interview.start(kb, {})
    _walk(interview, answers)
    assert "knee_to_wall" not in interview.asked, "a clean lifter does no ankle test"
    # From the review the person answers it anyway ("easily"), then changes it.
    interview.record(kb.question_by_id["knee_to_wall"], "easily")
    assert interview.next_question() is None
    interview.reopen("knee_to_wall")
    first = interview.next_question()
    assert first is not None and first.id == "knee_to_wall"
    interview.record(first, "cannot")
    follow = interview.next_question()
    assert follow is not None and follow.id == "footwear"


def test_the_counter_never_jumps_up_as_follow_ups_open(kb: KnowledgeBase) -> None:
    # Someone whose answers open follow-ups (not sure of the emergency signs, lower back,
    # stiff ankles): the total may shrink as answers close follow-ups, never grow, and
    # the number only moves forward.
    answers = {**CLEAN, "emergency_signs": NOT_SURE, "where_felt": ["lower_back"]}
    answers.update({f"check_{s}": "no" for s in ("saddle", "wiping", "bladder")})
    answers.update(knee_to_wall="cannot", when_felt="top", urgent_signs=["none"])
    interview = Interview.start(kb, {}, thorough=True)
    seen: list[tuple[int, int]] = []
    while (q := interview.next_question()) is not None:
        number, total = interview.progress(q)
        assert total is not None
        seen.append((number, total))
        interview.record(q, answers.get(q.id, NOT_SURE))  # type: ignore[arg-type]
    numbers = [n for n, _ in seen]
    totals = [t for _, t in seen]
    assert numbers == list(range(1, len(seen) + 1))
    assert all(b <= a for a, b in itertools.pairwise(totals)), totals
    assert totals[-1] == len(seen), "the last question is 'N of about N'"
    assert {"footwear", "when_felt", "check_saddle"} <= set(interview.asked)


def test_someone_unsure_of_everything_is_not_asked_everything(kb: KnowledgeBase) -> None:
    # "Not sure" changes nothing, so each one makes the next answer less likely to matter;
    # the screen is still asked in full (seven cauda-equina follow-ups included).
    from hipthrust_cli.core.adaptive import unsure_rate

    interview = Interview.start(kb, {})
    asked = _walk(interview, {})
    screen = [q for q in asked if kb.question_by_id[q].red_flag]
    assert len(screen) == 12 and asked[len(screen)] == "pain_level"
    assert 1 <= len(asked) - len(screen) - 1 <= 3, asked
    assert unsure_rate(kb, {"what_you_see": NOT_SURE}) == 1 / 3
    assert unsure_rate(kb, {"what_you_see": ["none"], "pain_level": NOT_SURE}) == 0


# --- the whole conversation, against a scripted Asker --------------------------------------


class FakeAsker(Asker):
    """An Asker that answers from a script and records what it was shown.

    *answers* maps a question id to the answers given each time it is asked, in turn
    (BACK and NOW included); *reviews* are the review's choices in turn (None: show the
    report); *confirms* the emergency confirmations in turn.
    """

    def __init__(
        self,
        answers: dict[str, list[Answer | str]],
        reviews: list[str | None] | None = None,
        confirms: list[bool] | None = None,
    ) -> None:
        self.answers = {qid: list(given) for qid, given in answers.items()}
        self.reviews = list(reviews or [])
        self.confirms = list(confirms or [])
        self.said: list[str] = []
        self.asked: list[tuple[str, int, Answer | None, bool, bool, str | None]] = []
        self.shown: list[Review] = []
        self.signs: list[list[str]] = []

    def say(self, text: str = "") -> None:
        self.said.append(text)

    def ask(
        self,
        question: Question,
        number: int,
        total: int | None,
        default: Answer | None = None,
        back: bool = False,
        report_now: bool = False,
        mark: str | None = None,
    ) -> Answer | str:
        self.asked.append((question.id, number, default, back, report_now, mark))
        return self.answers[question.id].pop(0)

    def confirm_emergency(self, signs: list[str]) -> bool:
        self.signs.append(signs)
        return self.confirms.pop(0) if self.confirms else True

    def review(self, review: Review) -> str | None:
        self.shown.append(review)
        return self.reviews.pop(0) if self.reviews else None


def _screened(kb: KnowledgeBase) -> dict[str, Answer]:
    """Everything answered but the last two screen questions, the pain and where_felt."""
    fresh = {"age_band", "about_pain", "pain_level", "where_felt"}
    return {q: v for q, v in CLEAN.items() if q not in fresh}


def _ids(asker: FakeAsker) -> list[str]:
    return [qid for qid, *_ in asker.asked]


def test_back_asks_the_question_before_with_its_answer_pre_selected(kb: KnowledgeBase) -> None:
    interview = Interview.start(kb, _screened(kb))
    asker = FakeAsker(
        {
            "age_band": ["age_16_to_50", "over_50"],
            "about_pain": [BACK, ["muscle_effort"]],
            "pain_level": [3],
            "where_felt": [["glutes"]],
        }
    )
    run(interview, asker)
    assert _ids(asker)[:4] == ["age_band", "about_pain", "age_band", "about_pain"]
    first, second, again, _ = asker.asked[:4]
    assert first[3] is False and second[3] is True, "Back is offered after the first question"
    assert again[1] == 1 and again[2] == "age_16_to_50" and again[5] == "your answer"
    assert second[4] is False, "no 'Show my report now' on a warning-sign question"
    assert interview.answers["age_band"] == "over_50"
    assert asker.said[0] == INTRO and LIFT in asker.said
    assert len(asker.shown) == 1, "the review comes once, at the end"


def test_show_my_report_now_stops_after_the_safety_questions(kb: KnowledgeBase) -> None:
    interview = Interview.start(kb, {})
    asker = FakeAsker({**{q: [v] for q, v in CLEAN.items()}, "where_felt": [NOW]})
    run(interview, asker)
    asked = _ids(asker)
    assert asked[-1] == "where_felt" and "pain_level" in asked
    assert asker.asked[-1][4] is True, "'Show my report now' is offered after the safety part"
    assert "where_felt" not in interview.answers and interview.stopped
    assert asker.shown == [], "asking for the report now skips the review"


def test_the_review_asks_more_then_changes_an_answer(kb: KnowledgeBase) -> None:
    preset = _screened(kb)
    preset.pop("when_felt")
    interview = Interview.start(kb, preset)
    asker = FakeAsker(
        {
            "age_band": ["age_16_to_50"],
            "about_pain": [["muscle_effort"]],
            "pain_level": [2],
            "where_felt": [["glutes"], ["lower_back", "glutes"]],
            "when_felt": ["top"],
        },
        reviews=[MORE, CHANGE, "where_felt", None],
    )
    run(interview, asker)
    first = asker.shown[0]
    assert [q.id for q in first.not_asked] == ["where_felt"], "the adaptive part left it"
    listed = [q.id for q, _ in first.answers]
    assert listed == sorted(listed, key=[q.id for q in kb.ordered_questions].index)
    assert "about_pain" in listed and "where_felt" not in listed
    assert not first.carried and first.again is None
    assert _ids(asker)[3:] == ["where_felt", "where_felt", "when_felt"]
    changed = asker.asked[4]
    assert changed[2] == ["glutes"] and changed[5] == "your answer", "it starts from the old one"
    assert changed[1] == asker.asked[3][1], "a question asked again keeps its number"
    assert interview.final_answers()["when_felt"] == "top", "its new follow-up was asked"
    assert len(asker.shown) == 4 and asker.shown[-1].not_asked == []


def test_an_emergency_is_confirmed_and_a_mis_tick_is_asked_again(kb: KnowledgeBase) -> None:
    interview = Interview.start(kb, {})
    asker = FakeAsker(
        {"emergency_signs": [["saddle_numbness"], ["saddle_numbness"]]},
        confirms=[False, True],
    )
    run(interview, asker)
    assert _ids(asker) == ["emergency_signs", "emergency_signs"]
    assert asker.asked[1][2] == ["saddle_numbness"], "the mis-tick is pre-selected to undo"
    assert len(asker.signs) == 2 and asker.signs[0] == interview.emergency_signs()
    assert interview.emergency and asker.said[-1] == STOPPING
    assert asker.said[1] == SCREEN and asker.shown == []


def test_again_asks_the_fresh_part_then_reviews_the_rest(kb: KnowledgeBase) -> None:
    from hipthrust_cli.core.answers import reusable

    last = {**CLEAN, "bench_height": "high"}
    again = Again(reusable(kb, last), 3, "Thu 12 Nov 2026, 14:05")
    interview = Interview.start(kb, {})
    asker = FakeAsker({q: [v] for q, v in CLEAN.items()})
    run(interview, asker, again=again)
    asked = set(_ids(asker))
    assert {"emergency_signs", "pain_level"} <= asked, "the screen and pain are asked fresh"
    assert "bench_height" not in asked and interview.answers["bench_height"] == "high"
    (review,) = asker.shown
    assert review.again is again
    assert ("bench_height", "high") in [(q.id, a) for q, a in review.carried]
    assert not {q.id for q, _ in review.carried} & asked


def test_nothing_to_ask_says_nothing(kb: KnowledgeBase) -> None:
    interview = Interview.start(kb, {**CLEAN, "bench_height": "standard"}, thorough=False)
    while (question := interview.next_question()) is not None:
        interview.record(question, NOT_SURE)
    asker = FakeAsker({})
    run(interview, asker)
    assert asker.said == [] and asker.asked == [] and asker.shown == []
