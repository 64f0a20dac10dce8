"""One diagnose run: which answers win, who is asked, what history adds, what is said."""

from __future__ import annotations

from pathlib import Path

import pytest

from hipthrust_cli.core.answers import Layers
from hipthrust_cli.errors import UsageError
from hipthrust_cli.history import History, HistoryError
from hipthrust_cli.kb import NOT_SURE, KnowledgeBase
from hipthrust_cli.session import Diagnose, Notice, Request

from .conftest import CLEAN, story
from .core.test_interview import FakeAsker


def _run(kb: KnowledgeBase, store: History | None, **request: object) -> Diagnose:
    run = Diagnose(kb, Request(**request), store)  # type: ignore[arg-type]
    run.start()
    return run


def test_answers_come_from_the_first_layer_that_has_one() -> None:
    layers = Layers(
        options={"pain_level": 4},
        file={"pain_level": 2, "tempo": "bounce"},
        video={"tempo": "controlled", "shins_at_top": "vertical"},
        again={"shins_at_top": "angled", "bench_height": "high", "tempo": "fast"},
    )
    alone = layers.preset(interactive=False)
    assert alone == {
        "pain_level": 4,
        "tempo": "bounce",
        "shins_at_top": "vertical",
        "bench_height": "high",
    }
    # With someone to ask, last time's answers are offered in the review, not preset.
    assert layers.preset(interactive=True) == {
        k: v for k, v in alone.items() if k != "bench_height"
    }
    assert layers.carried() == {"bench_height": "high"}


def test_nobody_to_ask_and_nothing_given_is_a_usage_error(kb: KnowledgeBase) -> None:
    run = _run(kb, None)
    with pytest.raises(UsageError, match="needs a terminal"):
        run.needs_asking()
    assert _run(kb, None, no_input=True).needs_asking() is False
    assert _run(kb, None, stdin_is_terminal=True).needs_asking() is True
    given = _run(kb, None, from_options={"pain_level": 3}, answers_given=True)
    assert given.needs_asking() is False


def test_again_without_a_terminal_reuses_last_answers_but_never_the_screen(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    store = History(tmp_path)
    first = _run(kb, store, from_file=story(bench_height="high"), answers_given=True)
    _, saved = first.finish()
    assert saved == 1 and first.take_notices() == []
    again = _run(kb, store, again=True)
    assert again.needs_asking() is False, "last session's answers are the answers"
    answers = again.interview.answers
    assert answers["bench_height"] == "high"
    assert "pain_level" not in answers and "emergency_signs" not in answers
    now, number = again.finish()
    assert number == 2 and now.progress is not None and now.progress.session == 1
    assert not now.triage.complete, "the warning signs were not asked, and the report says so"


def test_again_with_an_empty_history_starts_fresh(kb: KnowledgeBase, tmp_path: Path) -> None:
    run = _run(kb, History(tmp_path), again=True, no_input=True)
    assert run.take_notices() == [Notice("No earlier session to start from: starting fresh.\n")]
    assert run.again() is None and run.interview.answers == {}


def test_no_history_neither_reads_nor_writes(kb: KnowledgeBase, tmp_path: Path) -> None:
    store = History(tmp_path)
    run = _run(kb, store, from_file=CLEAN, answers_given=True, no_history=True)
    assert run.finish()[1] is None and not store.path.exists()


def test_a_failed_save_is_a_warning_and_the_report_still_comes(
    kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: History, report: object, when: object = None) -> int:
        raise HistoryError("the disk is full; free some space and run it again")

    monkeypatch.setattr(History, "save", refuse)
    run = _run(kb, History(tmp_path), from_file=CLEAN, answers_given=True)
    report, saved = run.finish()
    assert saved is None and report.findings is not None
    (notice,) = run.take_notices()
    assert notice.warning and "not saved in your history: the disk is full" in notice.text


def test_progress_skips_a_session_that_never_looked_for_causes(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    store = History(tmp_path)
    _run(kb, store, from_file=story(lockout_arch="clearly"), answers_given=True).finish()
    emergency = story(emergency_signs=["saddle_numbness"])
    _run(kb, store, from_file=emergency, answers_given=True).finish()
    report, saved = _run(kb, store, from_file=CLEAN, answers_given=True).finish()
    assert saved == 3 and report.progress is not None
    assert report.progress.session == 1, "the emergency session is not compared with"
    assert report.progress.resolved == ["Arching the lower back"]


def test_verbose_names_the_answers_that_do_not_apply(kb: KnowledgeBase) -> None:
    given = {**CLEAN, "where_felt": ["glutes"], "when_felt": "top"}
    run = _run(kb, None, from_file=given, answers_given=True, verbose=True)
    run.finish()
    (notice,) = run.take_notices()
    assert "ignored the answer to 'when_felt'" in notice.text and not notice.warning


def test_the_wizard_asks_only_what_nothing_else_answered(kb: KnowledgeBase) -> None:
    preset = {q: v for q, v in CLEAN.items() if q not in ("pain_level", "where_felt")}
    run = _run(kb, None, from_file=preset, stdin_is_terminal=True, thorough=True)
    assert run.needs_asking()
    asker = FakeAsker({"pain_level": [5], "where_felt": [NOT_SURE]})
    run.ask(asker)
    asked = [qid for qid, *_ in asker.asked]
    assert asked == ["pain_level", "where_felt"]
    report, _ = run.finish()
    assert report.answers["pain_level"] == 5 and report.interview.asked == asked
