"""The 'about_pain' checklist that replaced pain_character, pain_duration and back_history.

Safety first: every warning sign must fire exactly as it did when the three were separate
questions. The knowledge base as it was is rebuilt here as an overlay that brings back
the three old questions and the three old conditions (copied from knowledge base
2026.12.2), and every combination of old answers is triaged both ways.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
import yaml

from hipthrust_cli.core import answers
from hipthrust_cli.core.triage import triage
from hipthrust_cli.errors import AnswersError
from hipthrust_cli.kb import NOT_SURE, KnowledgeBase, folded
from hipthrust_cli.kb.loading import collect, load
from tests.conftest import CLEAN

# The three questions and the conditions of the three signs that read them, as shipped
# in knowledge base 2026.12.2 (data/questions.yaml, data/red_flags.yaml).
OLD_QUESTIONS = [
    {
        "id": "pain_character",
        "kind": "single",
        "text": "What does the lower-back feeling during hip thrusts feel like?",
        "why": "old",
        "choices": [
            {"id": "muscle_effort", "label": "Muscles working"},
            {"id": "ache", "label": "A dull ache", "neutral": True},
            {"id": "sharp", "label": "Sharp"},
        ],
    },
    {
        "id": "pain_duration",
        "kind": "single",
        "text": "How long does the lower-back feeling last after you train?",
        "why": "old",
        "choices": [
            {"id": c, "label": c}
            for c in ("during_only", "hours", "next_day", "several_days", "weeks")
        ],
    },
    {
        "id": "back_history",
        "kind": "single",
        "text": "Have you had a back injury or back surgery before?",
        "why": "old",
        "choices": [{"id": c, "label": c} for c in ("none", "old_injury", "ongoing", "surgery")],
    },
]
OLD_FLAGS = {
    "previous_back_problem": ("back_history", ["old_injury", "ongoing", "surgery"]),
    "sharp_pain": ("pain_character", ["sharp"]),
    "lasting_pain": ("pain_duration", ["several_days", "weeks"]),
}
MISSING = object()
# In the rebuilt old knowledge base the new checklist still exists; ticking nothing on it
# leaves the old questions to decide, as they did.
UNUSED = {"about_pain": ["none"]}

# Other screening answers the three signs meet: none, other routine signs, an urgent and
# a same-day sign, and the pain level another routine sign reads.
OTHERS: list[dict[str, Any]] = [
    {},
    {"urgent_signs": ["leg_pain"]},
    {"urgent_signs": ["worsening", "morning_stiffness"]},
    {"health_history": ["osteoporosis"], "age_band": "over_50"},
    {"urgent_signs": ["cancer_history"]},
    {"urgent_signs": ["fever_unwell"]},
    {"pain_level": 8},
    {"urgent_signs": NOT_SURE},
]


@pytest.fixture(scope="module")
def old_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    folder = tmp_path_factory.mktemp("kb-2026.12.2")
    (folder / "questions.yaml").write_text(yaml.safe_dump({"questions": OLD_QUESTIONS}))
    shipped = {f.id: f for f in load().red_flags}
    flags = []
    for fid, (qid, ids) in OLD_FLAGS.items():
        flag = shipped[fid]
        flags.append(
            {
                "id": fid,
                "level": flag.level.value,
                "title": flag.title,
                "source": flag.source,
                "any": [{"question": qid, "answers": ids}],
            }
        )
    (folder / "red_flags.yaml").write_text(yaml.safe_dump({"red_flags": flags}))
    return load([folder])


def _choices(qid: str) -> list[Any]:
    return [*folded.FOLDED[qid], NOT_SURE, MISSING]


def _as_checklist(old: dict[str, Any]) -> Any:
    """What a person with these old answers ticks on the new checklist."""
    ticks = [t for q, v in old.items() if v in folded.FOLDED[q] for t in folded.FOLDED[q][v]]
    if ticks:
        return ticks
    if NOT_SURE in old.values():
        return NOT_SURE
    if len(old) < len(folded.FOLDED):
        return MISSING
    return ["none"]


OLD_PAIN_TITLES = {
    f.title for f in load([]).red_flags for c in [*f.any, *f.all] if c.question == folded.INTO
}
COMBINATIONS = list(itertools.product(*(_choices(q) for q in folded.FOLDED)))


def test_every_old_combination_triages_as_before(kb: KnowledgeBase, old_kb: KnowledgeBase) -> None:
    assert len(COMBINATIONS) == 5 * 7 * 6
    base = {k: v for k, v in CLEAN.items() if k not in folded.FOLDED and k != folded.INTO}
    checked = 0
    for values, others in itertools.product(COMBINATIONS, OTHERS):
        old = {q: v for q, v in zip(folded.FOLDED, values, strict=True) if v is not MISSING}
        before = triage(old_kb, {**base, **others, **UNUSED, **old})
        new = _as_checklist(old)
        after_answers = {**base, **others}
        if new is not MISSING:
            after_answers[folded.INTO] = new
        after = triage(kb, after_answers)
        assert after.level == before.level, (old, others)
        assert [r.id for r in after.reasons] == [r.id for r in before.reasons], (old, others)
        # Nothing that was screened is lost; "Not sure" or no answer now leaves the signs
        # of the checklist not fully checked (the gap the old questions had).
        # (The old knowledge base names its pain signs by their red flags' titles; the
        # checklist names them by its ticks, checked just below.)
        screened_before = set(before.unscreened) - OLD_PAIN_TITLES
        assert screened_before <= set(after.unscreened), (old, others)
        if new is NOT_SURE or new is MISSING:
            assert not after.complete
        checked += 1
    assert checked == len(COMBINATIONS) * len(OTHERS)


def test_an_old_answers_file_is_translated_tick_for_tick(
    kb: KnowledgeBase, old_kb: KnowledgeBase, tmp_path: Path
) -> None:
    base = {k: v for k, v in CLEAN.items() if k not in folded.FOLDED and k != folded.INTO}
    for values in COMBINATIONS:
        old = {q: v for q, v in zip(folded.FOLDED, values, strict=True) if v is not MISSING}
        if not old:
            continue
        path = tmp_path / "answers.yaml"
        path.write_text(yaml.safe_dump({**base, **old}))
        try:
            got = answers.parse_file(path.read_text(), str(path), kb)
        except AnswersError as error:
            # Only what cannot be translated without guessing: an old question left out,
            # or "not sure" beside a sign. The one message says where the answers went.
            assert len(old) < 3 or (NOT_SURE in old.values() and _as_checklist(old) != NOT_SURE)
            assert "about_pain" in error.message and "hipthrust questions" in error.message
            continue
        assert len(old) == 3
        assert got[folded.INTO] == _as_checklist(old)
        assert not set(folded.FOLDED) & set(got)
        before = triage(old_kb, {**base, **UNUSED, **old})
        assert [r.id for r in triage(kb, got).reasons] == [r.id for r in before.reasons]


def test_old_answer_options_are_translated_or_named(kb: KnowledgeBase) -> None:
    got = answers.parse_options(
        ["pain_character=sharp", "pain_duration=hours", "back_history=surgery", "pain_level=4"], kb
    )
    assert got == {"pain_level": 4, "about_pain": ["sharp", "surgery"]}
    with pytest.raises(AnswersError) as info:
        answers.parse_options(["back_history=surgery"], kb)
    message = info.value.message
    assert message.startswith("--answer back_history=...: 'back_history' is now part of")
    assert "without pain_character and pain_duration it cannot be translated" in message
    # Written as the option it came as, so it can be typed back in.
    assert "write '--answer about_pain=surgery' with any other tick that applies" in message
    with pytest.raises(AnswersError) as info:
        answers.parse_options(["pain_character=ache", "about_pain=none"], kb)
    assert "give 'about_pain' alone" in info.value.message


def test_not_sure_beside_a_sign_is_offered_not_sure_back(kb: KnowledgeBase) -> None:
    """Shipped: the advice was the sign alone, which drops what the person was unsure of."""
    with pytest.raises(AnswersError) as info:
        answers.parse_options(
            ["pain_character=muscle_effort", "pain_duration=hours", "back_history=not_sure"], kb
        )
    message = info.value.message
    assert "'--answer about_pain=muscle_effort' with any other tick that applies" in message
    assert "or '--answer about_pain=not_sure' if you are not sure" in message
    assert "\n" not in message
    got = answers.parse_options(["about_pain=not_sure"], kb)
    assert got == {"about_pain": "not_sure"}


def test_the_advice_is_written_as_the_answer_came(kb: KnowledgeBase, tmp_path: Path) -> None:
    """In an answers file the advice is YAML to paste; with no sign, none is invented."""
    path = tmp_path / "answers.yaml"
    path.write_text("pain_character: sharp\nback_history: not_sure\n")
    with pytest.raises(AnswersError) as info:
        answers.parse_file(path.read_text(), str(path), kb)
    message = info.value.message
    assert "write 'about_pain: [sharp]' with any other tick that applies" in message
    assert ", or 'about_pain: not_sure' if you are not sure" in message
    path.write_text("pain_duration: hours\n")
    with pytest.raises(AnswersError) as info:
        answers.parse_file(path.read_text(), str(path), kb)
    message = info.value.message
    assert "'about_pain: [...]' with the ticks that apply, or 'about_pain: [none]'" in message
    assert "not sure" not in message
    with pytest.raises(AnswersError) as info:
        answers.parse_options(["pain_duration=hours"], kb)
    assert "or '--answer about_pain=none'" in info.value.message


def test_a_bad_old_value_is_named_with_where_it_went(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text("pain_level: 3\nback_history: yes please\npain_character: ache\n")
    with pytest.raises(AnswersError) as info:
        answers.parse_file(path.read_text(), str(path), kb)
    message = info.value.message
    assert message.startswith(f"Answers file {path}:2: 'yes please' is not a choice of")
    assert "'about_pain'" in message and "\n" not in message and message.endswith(").")


def test_not_sure_names_each_sign_and_never_a_normal_feeling(kb: KnowledgeBase) -> None:
    answered = {
        **{k: v for k, v in CLEAN.items() if k not in folded.FOLDED},
        "about_pain": NOT_SURE,
    }
    result = triage(kb, answered)
    assert not result.complete
    labels = {c.id: c.label for c in kb.question_by_id["about_pain"].choices}
    signs = ["sharp", "several_days", "weeks", "old_injury", "ongoing", "surgery"]
    assert result.unscreened == [labels[s] for s in signs]
    assert labels["muscle_effort"] not in result.unscreened


def test_an_overlay_naming_an_old_question_is_told_where_it_went(tmp_path: Path) -> None:
    (tmp_path / "notes.yaml").write_text(
        "notes:\n  - id: mine\n    text: t\n    evidence: expert_opinion\n"
        "    any:\n      - {question: back_history, answers: [surgery]}\n"
    )
    kb, problems = collect([tmp_path])
    assert kb is None
    assert any(
        "'back_history' is now part of the checklist 'about_pain'" in str(p) for p in problems
    )


def test_why_quotes_only_the_tick_that_moved_a_cause(kb: KnowledgeBase) -> None:
    from hipthrust_cli.core.diagnose import diagnose
    from tests.conftest import story

    answered = story(
        about_pain=["sharp", "old_injury"],
        load_change="added_form_breaks",
        what_you_see=["form_breaks_heavy"],
    )
    weight = next(f for f in diagnose(kb, answered).findings if f.id == "excessive_weight")
    context = [e.words for e in weight.supporting if e.question == "about_pain"]
    assert context == ["You injured your back in the past, and it has recovered"]


def test_a_saved_session_with_the_old_questions_still_carries_over(kb: KnowledgeBase) -> None:
    # --again: old ids are dropped quietly; the checklist, a warning sign, is asked fresh.
    saved = {"pain_character": "sharp", "back_history": "none", "bench_height": "high"}
    assert answers.still_valid(kb, saved) == {"bench_height": "high"}
    assert "about_pain" not in answers.reusable(kb, {"about_pain": ["sharp"], **saved})
