"""Prompts driven by keystrokes through prompt_toolkit pipes, as a user would type them."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from hipthrust_cli import prompts
from hipthrust_cli.interview import Interview
from hipthrust_cli.knowledge import NOT_SURE, KnowledgeBase

ENTER, DOWN, UP, SPACE = "\r", "\x1b[B", "\x1b[A", " "
CTRL_C, CTRL_D = "\x03", "\x04"


class Scripted(prompts.Prompter):
    """A Prompter that types the next script entry before each prompt appears."""

    def __init__(self, pipe: Any, script: list[str]) -> None:
        super().__init__(err=io.StringIO(), input=pipe, output=DummyOutput())
        self.pipe, self.script = pipe, list(script)

    def ask(self, question: Any, number: int, total: int) -> Any:
        self.pipe.send_text(self.script.pop(0))
        return super().ask(question, number, total)


@pytest.fixture
def pipe() -> Iterator[Any]:
    with create_pipe_input() as p:
        yield p


def _ask(kb: KnowledgeBase, pipe: Any, qid: str, keys: str) -> tuple[Any, str]:
    prompter = Scripted(pipe, [keys])
    value = prompter.ask(kb.question_by_id[qid], 1, 20)
    return value, prompter.err.getvalue()  # type: ignore[attr-defined]


def test_select_with_arrows(kb: KnowledgeBase, pipe: Any) -> None:
    assert _ask(kb, pipe, "bench_height", ENTER)[0] == "standard"
    assert _ask(kb, pipe, "bench_height", DOWN + ENTER)[0] == "high"


def test_not_sure_is_offered(kb: KnowledgeBase, pipe: Any) -> None:
    assert _ask(kb, pipe, "bench_height", DOWN * 3 + ENTER)[0] == NOT_SURE


def test_why_we_ask_explains_and_asks_again(kb: KnowledgeBase, pipe: Any) -> None:
    prompter = Scripted(pipe, [UP + ENTER])
    question = kb.question_by_id["bench_height"]
    # After the explanation the same question is asked again; answer it with Enter.
    original = prompter.say

    def say(text: str = "") -> None:
        original(text)
        pipe.send_text(DOWN + ENTER)

    prompter.say = say  # type: ignore[method-assign]
    assert prompter.ask(question, 1, 20) == "high"
    assert "Why we ask: A bench much higher" in prompter.err.getvalue()  # type: ignore[attr-defined]


def test_scale(kb: KnowledgeBase, pipe: Any) -> None:
    assert _ask(kb, pipe, "pain_level", DOWN * 4 + ENTER)[0] == 4


def test_checkbox_needs_a_tick_and_exclusive_none(kb: KnowledgeBase, pipe: Any) -> None:
    # Enter with nothing ticked is refused; then tick the first two and confirm.
    keys = ENTER + SPACE + DOWN + SPACE + ENTER
    value, err = _ask(kb, pipe, "emergency_signs", keys)
    assert value == ["saddle_numbness", "bladder_bowel"]
    assert "nerve compression" in err  # the why is shown before a screening list


def test_checkbox_none_cannot_combine(kb: KnowledgeBase, pipe: Any) -> None:
    # Tick "saddle" and "None of these": refused; untick saddle; confirm "none".
    keys = SPACE + DOWN * 5 + SPACE + ENTER + UP * 5 + SPACE + ENTER
    assert _ask(kb, pipe, "emergency_signs", keys)[0] == ["none"]


def test_checkbox_not_sure(kb: KnowledgeBase, pipe: Any) -> None:
    assert _ask(kb, pipe, "urgent_signs", DOWN * 6 + SPACE + ENTER)[0] == NOT_SURE


def test_ctrl_c_and_ctrl_d(kb: KnowledgeBase, pipe: Any) -> None:
    with pytest.raises(KeyboardInterrupt):
        _ask(kb, pipe, "bench_height", CTRL_C)
    with pytest.raises(EOFError):
        _ask(kb, pipe, "bench_height", CTRL_D)
    with pytest.raises(EOFError):
        _ask(kb, pipe, "emergency_signs", CTRL_D)


def test_run_skips_follow_ups_and_shows_progress(kb: KnowledgeBase, pipe: Any) -> None:
    preset = {q.id: NOT_SURE for q in kb.questions if not q.red_flag and q.id != "where_felt"}
    preset.update({"emergency_signs": ["none"], "urgent_signs": ["none"]})
    interview = Interview.start(kb, preset)
    # pain_character, pain_duration, back_history: first choice; where_felt: glutes only
    script = [ENTER, ENTER, ENTER, DOWN + SPACE + ENTER]
    prompter = Scripted(pipe, script)
    prompts.run(interview, prompter)
    assert interview.asked == ["pain_character", "pain_duration", "back_history", "where_felt"]
    assert interview.answers["where_felt"] == ["glutes"]
    assert "when_felt" not in interview.final_answers()
    err = prompter.err.getvalue()  # type: ignore[attr-defined]
    assert "4 short questions" in err and "quick safety check" in err and "Now, about" in err


def test_run_stops_at_an_emergency(kb: KnowledgeBase, pipe: Any) -> None:
    interview = Interview.start(kb, {})
    prompter = Scripted(pipe, [DOWN + SPACE + ENTER])  # bladder/bowel
    prompts.run(interview, prompter)
    assert interview.asked == ["emergency_signs"] and interview.emergency
    assert "needs medical attention" in prompter.err.getvalue()  # type: ignore[attr-defined]
