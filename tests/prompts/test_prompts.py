"""Prompts driven by keystrokes through prompt_toolkit pipes, as a user would type them."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from hipthrust_cli import prompts
from hipthrust_cli.core.interview import BACK, Again, Interview, Review
from hipthrust_cli.kb import NOT_SURE, Kind, KnowledgeBase

ENTER, DOWN, UP, SPACE = "\r", "\x1b[B", "\x1b[A", " "
CTRL_C, CTRL_D = "\x03", "\x04"


class Scripted(prompts.Prompter):
    """A Prompter that types the next script entry before each prompt appears.

    The review at the end takes its keys from *reviews* (default: Enter, "Show my
    report"); each review may need two entries (the action, then which answer).
    """

    def __init__(
        self,
        pipe: Any,
        script: list[str],
        reviews: list[str] | None = None,
        confirms: list[str] | None = None,
    ) -> None:
        super().__init__(err=io.StringIO(), input=pipe, output=DummyOutput())
        self.pipe, self.script = pipe, list(script)
        self.reviews = list(reviews or [])
        self.confirms = list(confirms or [])
        self.asked: list[tuple[str, int, Any, bool]] = []

    def ask(self, question: Any, number: int, total: int, **kwargs: Any) -> Any:
        self.asked.append((question.id, number, kwargs.get("default"), kwargs.get("back", False)))
        self.pipe.send_text(self.script.pop(0))
        return super().ask(question, number, total, **kwargs)

    def review(self, review: Review) -> Any:
        self.pipe.send_text(self.reviews.pop(0) if self.reviews else ENTER)
        return super().review(review)

    def confirm_emergency(self, signs: list[str]) -> bool:
        # Default Enter: "Yes, that's right"; DOWN + ENTER goes back.
        self.pipe.send_text(self.confirms.pop(0) if self.confirms else ENTER)
        return super().confirm_emergency(signs)


@pytest.fixture
def pipe() -> Iterator[Any]:
    with create_pipe_input() as p:
        yield p


def _ask(kb: KnowledgeBase, pipe: Any, qid: str, keys: str) -> tuple[Any, str]:
    prompter = Scripted(pipe, [keys])
    value = prompter.ask(kb.question_by_id[qid], 1, 20)
    return value, prompter.err.getvalue()  # type: ignore[attr-defined]


def test_select_with_arrows(kb: KnowledgeBase, pipe: Any) -> None:
    assert _ask(kb, pipe, "bench_height", ENTER)[0] == "low"
    assert _ask(kb, pipe, "bench_height", DOWN * 4 + ENTER)[0] == "high"


def test_not_sure_is_offered(kb: KnowledgeBase, pipe: Any) -> None:
    assert _ask(kb, pipe, "bench_height", DOWN * 5 + ENTER)[0] == NOT_SURE


def test_why_we_ask_explains_and_asks_again(kb: KnowledgeBase, pipe: Any) -> None:
    prompter = Scripted(pipe, [UP + ENTER])
    question = kb.question_by_id["bench_height"]
    # After the explanation the same question is asked again; answer it with Enter.
    original = prompter.say

    def say(text: str = "", **kwargs: Any) -> None:
        original(text, **kwargs)
        pipe.send_text(DOWN * 4 + ENTER)

    prompter.say = say  # type: ignore[method-assign]
    assert prompter.ask(question, 1, 20) == "high"
    assert "Why we ask: A bench much higher" in prompter.err.getvalue()  # type: ignore[attr-defined]


def test_scale_takes_a_typed_number(kb: KnowledgeBase, pipe: Any) -> None:
    assert _ask(kb, pipe, "pain_level", "4" + ENTER)[0] == 4
    assert _ask(kb, pipe, "pain_level", "10" + ENTER)[0] == 10
    assert _ask(kb, pipe, "pain_level", "0" + ENTER)[0] == 0
    # A digit that would leave the scale starts a new number: "1", "4" is 4.
    assert _ask(kb, pipe, "pain_level", "14" + ENTER)[0] == 4
    # An arrow move after a digit starts over: "1", Down, "3" is 3, not 13.
    assert _ask(kb, pipe, "pain_level", "1" + DOWN + "3" + ENTER)[0] == 3
    # The arrow keys still work from a typed number.
    assert _ask(kb, pipe, "pain_level", "4" + DOWN + ENTER)[0] == 5


def test_enter_at_once_on_the_scale_is_not_a_zero(kb: KnowledgeBase, pipe: Any) -> None:
    value, err = _ask(kb, pipe, "pain_level", ENTER)
    assert value == NOT_SURE
    assert "→ Not sure" in err


def test_enter_at_once_gives_the_usual_answer_or_not_sure(kb: KnowledgeBase, pipe: Any) -> None:
    # Enter throughout must never manufacture a cause: the pointer starts on the usual
    # (neutral) answer, or on "Not sure" where there is none or for a warning sign.
    for question in kb.questions:
        if question.kind is Kind.multi:
            continue
        value = _ask(kb, pipe, question.id, ENTER)[0]
        usual = [c.id for c in question.choices if c.neutral]
        if question.red_flag or question.kind is Kind.scale or not usual:
            assert value == NOT_SURE, question.id
        else:
            assert value == usual[0], question.id


def test_choices_start_from_the_usual_answer(kb: KnowledgeBase) -> None:
    # Never the worst answer first: where a question has a usual answer and its choices
    # have no inherent order that puts it elsewhere, it comes first.
    ordered_elsewhere = {"age_band"}  # youngest first
    for question in kb.questions:
        if question.kind is not Kind.single or question.id in ordered_elsewhere:
            continue
        neutral = [i for i, c in enumerate(question.choices) if c.neutral]
        if neutral:
            assert neutral[0] == 0, question.id


def test_the_answer_is_echoed_in_words(kb: KnowledgeBase, pipe: Any) -> None:
    value, err = _ask(kb, pipe, "bench_height", DOWN * 4 + ENTER)
    assert "? [1 of about 20] How high is the bench (or box) you thrust from? → A bench" in err
    assert "above 50 cm" in err
    # A checklist names what was ticked, not "done (2 selections)".
    value, err = _ask(kb, pipe, "where_felt", SPACE + DOWN + SPACE + ENTER)
    assert value == ["lower_back", "glutes"]
    assert "→ Lower back; Glutes (buttocks)" in " ".join(err.split())
    assert "selections" not in err


def test_a_checklist_has_back(kb: KnowledgeBase, pipe: Any) -> None:
    prompter = Scripted(pipe, [UP + ENTER])
    question = kb.question_by_id["where_felt"]
    assert prompter.ask(question, 2, None, back=True) == BACK
    # Space on "← Back" ticks nothing; Enter on it still goes back.
    prompter = Scripted(pipe, [UP + SPACE + ENTER])
    assert prompter.ask(question, 2, None, back=True) == BACK
    # Without back=True there is no such row: Up from the top reaches "Not sure".
    prompter = Scripted(pipe, [UP + SPACE + ENTER])
    assert prompter.ask(question, 1, None) == NOT_SURE


def test_a_previous_choice_is_marked(kb: KnowledgeBase, pipe: Any) -> None:
    prompter = Scripted(pipe, [ENTER])
    question = kb.question_by_id["bench_height"]
    assert prompter.ask(question, 1, None, default="high", mark="last time") == "high"
    prompter = Scripted(pipe, [ENTER])
    question = kb.question_by_id["where_felt"]
    value = prompter.ask(question, 1, None, default=["glutes"], mark="last time")
    assert value == ["glutes"]


def test_checkbox_needs_a_tick_and_exclusive_none(kb: KnowledgeBase, pipe: Any) -> None:
    # Enter with nothing ticked is refused; then tick the first two and confirm.
    keys = ENTER + SPACE + DOWN * 2 + SPACE + ENTER
    value, err = _ask(kb, pipe, "emergency_signs", keys)
    assert value == ["saddle_numbness", "bladder_bowel"]
    assert "base of the spine" in err  # the why is shown before a screening list


def test_checkbox_none_cannot_combine(kb: KnowledgeBase, pipe: Any) -> None:
    # Tick "saddle" and "None of these": refused; untick saddle; confirm "none".
    keys = SPACE + DOWN * 7 + SPACE + ENTER + UP * 7 + SPACE + ENTER
    assert _ask(kb, pipe, "emergency_signs", keys)[0] == ["none"]


def test_checkbox_not_sure(kb: KnowledgeBase, pipe: Any) -> None:
    assert _ask(kb, pipe, "urgent_signs", DOWN * 11 + SPACE + ENTER)[0] == NOT_SURE


def test_ctrl_c_and_ctrl_d(kb: KnowledgeBase, pipe: Any) -> None:
    with pytest.raises(KeyboardInterrupt):
        _ask(kb, pipe, "bench_height", CTRL_C)
    with pytest.raises(EOFError):
        _ask(kb, pipe, "bench_height", CTRL_D)
    with pytest.raises(EOFError):
        _ask(kb, pipe, "emergency_signs", CTRL_D)


SCREENED = {
    "emergency_signs": ["none"],
    "urgent_signs": ["none"],
    "health_history": ["none"],
    "age_band": "age_16_to_50",
}
ASKED = ("about_pain",)


def _screened(kb: KnowledgeBase) -> dict[str, Any]:
    """Everything answered except the 'about your pain' checklist."""
    preset = {q.id: NOT_SURE for q in kb.questions if not q.red_flag and q.id not in ASKED}
    preset.update(SCREENED)
    return preset


def test_back_goes_to_the_previous_question_with_its_answer(kb: KnowledgeBase, pipe: Any) -> None:
    preset = {q: v for q, v in _screened(kb).items() if q not in ("age_band", "pain_level")}
    interview = Interview.start(kb, preset)
    # age_band: 16 to 50 (two up from "Not sure"); about_pain: Back (Up from the first
    # tick is the last item: a safety question has no "Show my report now"); age_band
    # again (16 to 50 is pre-selected, so Down picks "over 50"); about_pain: the first
    # tick; pain_level.
    script = [UP * 2 + ENTER, UP + ENTER, DOWN + ENTER, SPACE + ENTER, "3" + ENTER]
    prompter = Scripted(pipe, script)
    prompts.run(interview, prompter)
    asked = [(qid, n) for qid, n, _, _ in prompter.asked]
    assert asked == [
        ("age_band", 1),
        ("about_pain", 2),
        ("age_band", 1),
        ("about_pain", 2),
        ("pain_level", 3),
    ]
    assert prompter.asked[0][3] is False, "no Back on the first question"
    assert prompter.asked[1][3] is True
    assert prompter.asked[2][2] == "age_16_to_50", "the earlier answer is the default"
    assert interview.answers["age_band"] == "over_50"
    assert interview.answers["about_pain"] == ["muscle_effort"]


def test_review_changes_an_answer_and_asks_new_follow_ups(kb: KnowledgeBase, pipe: Any) -> None:
    preset = _screened(kb)
    preset.update({"about_pain": ["none"]})
    del preset["where_felt"]
    preset.pop("when_felt")
    # thorough: so many "Not sure" answers would otherwise stop the adaptive part at once
    interview = Interview.start(kb, preset, thorough=True)
    # where_felt: glutes only. Review: "Change an answer" -> the where_felt line (6th
    # answer in order) -> tick lower back too -> when_felt now applies -> "At the top".
    script = [DOWN + SPACE + ENTER, SPACE + ENTER, DOWN * 2 + ENTER]
    reviews = [DOWN + ENTER + DOWN * 5 + ENTER, ENTER]
    prompter = Scripted(pipe, script, reviews)
    prompts.run(interview, prompter)
    assert interview.answers["where_felt"] == ["lower_back", "glutes"]
    assert interview.final_answers()["when_felt"] == "top"
    asked = [qid for qid, _, _, _ in prompter.asked]
    assert asked == ["where_felt", "where_felt", "when_felt"]
    assert prompter.asked[1][2] == ["glutes"], "the changed answer starts from the old one"
    assert "Your answers:" in prompter.err.getvalue()  # type: ignore[attr-defined]


def test_an_emergency_given_in_the_review_ends_at_once(kb: KnowledgeBase, pipe: Any) -> None:
    preset = _screened(kb)
    del preset["emergency_signs"]
    interview = Interview.start(kb, {**preset, "about_pain": ["none"]})
    # emergency_signs: "none"; review: change it (first line) -> untick none, tick saddle;
    # then confirm what was ticked.
    script = [DOWN * 7 + SPACE + ENTER, SPACE + DOWN * 7 + SPACE + ENTER]
    prompter = Scripted(pipe, script, [DOWN + ENTER + ENTER])
    prompts.run(interview, prompter)
    assert interview.emergency
    assert "You told us:" in prompter.err.getvalue()  # type: ignore[attr-defined]
    assert interview.answers["emergency_signs"] == ["saddle_numbness"]


def test_run_skips_follow_ups_and_shows_progress(kb: KnowledgeBase, pipe: Any) -> None:
    preset = {q: v for q, v in _screened(kb).items() if q not in ("where_felt", "age_band")}
    # thorough: so many "Not sure" answers would otherwise stop the adaptive part at once
    interview = Interview.start(kb, preset, thorough=True)
    # age_band: 16 to 50 (two up from "Not sure", where a warning-sign question starts);
    # about_pain: "None of these" (the eighth tick); where_felt: glutes
    script = [UP * 2 + ENTER, DOWN * 7 + SPACE + ENTER, DOWN + SPACE + ENTER]
    prompter = Scripted(pipe, script)
    prompts.run(interview, prompter)
    assert interview.asked == ["age_band", "about_pain", "where_felt"]
    assert interview.answers["where_felt"] == ["glutes"]
    assert "when_felt" not in interview.final_answers()
    err = prompter.err.getvalue()  # type: ignore[attr-defined]
    assert "only as many as it" in err and "quick safety check" in err and "Now, about" in err


def test_run_stops_at_an_emergency(kb: KnowledgeBase, pipe: Any) -> None:
    interview = Interview.start(kb, {})
    prompter = Scripted(pipe, [DOWN * 2 + SPACE + ENTER])  # bladder/bowel
    prompts.run(interview, prompter)
    assert interview.asked == ["emergency_signs"] and interview.emergency
    err = prompter.err.getvalue()  # type: ignore[attr-defined]
    assert "You told us:" in err and "New difficulty peeing" in err
    assert "needs medical attention" in err


def test_a_mis_tick_can_be_taken_back_before_the_stop(kb: KnowledgeBase, pipe: Any) -> None:
    preset = {q: v for q, v in _screened(kb).items() if q != "emergency_signs"}
    preset.update({q: NOT_SURE for q in ASKED})
    interview = Interview.start(kb, preset)
    # Tick saddle by mistake; at "Is that right?" go back; the same list comes again with
    # saddle ticked: untick it, tick "None of these".
    script = [SPACE + ENTER, SPACE + DOWN * 7 + SPACE + ENTER]
    prompter = Scripted(pipe, script, confirms=[DOWN + ENTER])
    prompts.run(interview, prompter)
    assert [qid for qid, _, _, _ in prompter.asked] == ["emergency_signs", "emergency_signs"]
    assert prompter.asked[1][2] == ["saddle_numbness"], "the mis-tick is shown, to undo"
    assert interview.answers["emergency_signs"] == ["none"] and not interview.emergency


def test_review_lists_what_was_not_asked_and_answers_more(kb: KnowledgeBase, pipe: Any) -> None:
    from tests.conftest import CLEAN

    preset = {k: v for k, v in CLEAN.items() if k not in ("tempo", "anatomy", "pain_level")}
    interview = Interview.start(kb, preset)
    assert {q.id for q in interview.not_asked()} == {"tempo", "anatomy", "pain_level"}
    # Only the pain level is always asked; the review then lists the two left, and
    # "Answer the 2 more" (the second choice) asks both in order, then the review again.
    prompter = Scripted(pipe, ["2" + ENTER, ENTER, ENTER], reviews=[DOWN + ENTER, ENTER])
    prompts.run(interview, prompter)
    err = prompter.err.getvalue()  # type: ignore[attr-defined]
    assert "Not asked (2)" in err and "How do you move through each rep?" in err
    assert [a[0] for a in prompter.asked] == ["pain_level", "tempo", "anatomy"]
    assert interview.answers["tempo"] == "controlled" and interview.answers["pain_level"] == 2


def test_self_tests_are_introduced_as_a_quick_test(kb: KnowledgeBase, pipe: Any) -> None:
    from tests.conftest import CLEAN

    preset = {k: v for k, v in CLEAN.items() if k != "knee_to_wall"}
    preset.update(heel_lift="heels_lift", what_you_see=["heels_lift"])
    interview = Interview.start(kb, preset)
    prompter = Scripted(pipe, [DOWN * 2 + ENTER, ENTER])  # cannot; then footwear: flat
    prompts.run(interview, prompter, review=False)
    err = prompter.err.getvalue()  # type: ignore[attr-defined]
    assert prompter.asked[0][0] == "knee_to_wall"
    assert "A quick test you can do now" in err


def test_again_asks_the_screen_and_pain_fresh_then_opens_the_review(
    kb: KnowledgeBase, pipe: Any
) -> None:
    from hipthrust_cli.core.answers import reusable
    from tests.conftest import CLEAN

    last = {**CLEAN, "bench_height": "high", "pain_level": 8, "emergency_signs": ["none"]}
    carried = reusable(kb, last)
    assert "pain_level" not in carried and "emergency_signs" not in carried
    again = Again(carried, 3, "Thu 12 Nov 2026, 14:05")
    interview = Interview.start(kb, {})
    fresh = [
        DOWN * 7 + SPACE + ENTER,  # emergency signs: none of these
        DOWN * 10 + SPACE + ENTER,  # urgent signs: none of these
        DOWN * 6 + SPACE + ENTER,  # health: none of these
        UP * 2 + ENTER,  # aged 16 to 50
        DOWN * 7 + SPACE + ENTER,  # about your pain: none of these
        "3" + ENTER,  # pain 3 (last time 8: never offered)
        DOWN + ENTER,  # bench height, changed from the review: Down from "high" is "Not sure"
    ]
    order = [q.id for q in kb.ordered_questions if q.id in {**carried, **CLEAN}]
    change = DOWN + ENTER + DOWN * order.index("bench_height") + ENTER
    prompter = Scripted(pipe, fresh, reviews=[change, ENTER])
    prompts.run(interview, prompter, again=again)
    asked = [qid for qid, _, _, _ in prompter.asked]
    assert asked[:6] == [
        "emergency_signs",
        "urgent_signs",
        "health_history",
        "age_band",
        "about_pain",
        "pain_level",
    ]
    assert all(default is None for _, _, default, _ in prompter.asked[:6]), "asked fresh"
    assert asked[6:] == ["bench_height"], "then straight to the review, not 20 Enters"
    assert prompter.asked[6][2] == "high", "last time's answer is pre-selected"
    err = prompter.err.getvalue()  # type: ignore[attr-defined]
    assert "Your answers from Thu 12 Nov 2026, 14:05 (session #3):" in err
    assert "Your answers today:" in err
    assert interview.answers["pain_level"] == 3
    assert interview.answers["bench_height"] != "high"
    assert interview.answers["tempo"] == "controlled", "the rest carried over"


@pytest.mark.parametrize("columns", [30, 40, 60, 100])
def test_a_checklist_warning_fits_on_one_line(
    monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    """prompt_toolkit draws a checklist's warning on one line and cuts it at the edge.

    (Seen by hand in tmux at 40 columns: "Tick at least one with Space (or 'None o". A
    pexpect terminal does not draw that toolbar, so the choice of words is tested here.)
    """
    import hipthrust_cli.prompts as prompts

    monkeypatch.setattr(prompts, "terminal_width", lambda: columns)
    long = "Tick at least one with Space (or 'None of these' or 'Not sure'), then Enter."
    said = prompts._fits(long, "Tick one with Space, then Enter.", "Space ticks, Enter confirms.")
    assert len(said) < columns
    assert said == long if len(long) < columns else "Space" in said
