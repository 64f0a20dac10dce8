"""Question kinds as objects: each kind checks, coerces, names and offers its answers."""

from __future__ import annotations

import pytest

from hipthrust_cli.errors import AnswersError
from hipthrust_cli.kb import NOT_SURE, Condition, Kind, KnowledgeBase, Question
from hipthrust_cli.kb.kinds import RULES, coerce, rules, unknown_question


def _question(kb: KnowledgeBase, kind: Kind) -> Question:
    return next(q for q in kb.questions if q.kind is kind)


def test_every_kind_has_its_rules() -> None:
    """A new kind without rules would fail here, not fall through as a choice question."""
    assert set(RULES) == set(Kind)


@pytest.mark.parametrize("kind", list(Kind))
def test_every_offered_choice_is_accepted_and_named(kb: KnowledgeBase, kind: Kind) -> None:
    question = _question(kb, kind)
    for value, label in rules(question).choices(question):
        raw: object = [value] if kind is Kind.multi else value
        answer = coerce(question, raw, "here")
        assert answer == raw
        assert question.label_of(answer).split(" - ")[0] in label
    assert coerce(question, NOT_SURE, "here") == NOT_SURE
    assert question.label_of(NOT_SURE) == "Not sure"


def test_scale_choices_label_their_ends(kb: KnowledgeBase) -> None:
    question = kb.question_by_id["pain_level"]
    choices = rules(question).choices(question)
    assert [v for v, _ in choices] == list(range(0, 11))
    assert choices[0][1].startswith("0 - ") and choices[-1][1].startswith("10 - ")
    assert choices[5][1] == "5"


def test_scale_coerces_digits_and_refuses_the_rest(kb: KnowledgeBase) -> None:
    question = kb.question_by_id["pain_level"]
    assert coerce(question, " 7 ", "here") == 7
    for raw in ("²", True, 4.5, 11, "-1"):
        with pytest.raises(AnswersError, match=r"^here: .*pain_level"):
            coerce(question, raw, "here")


def test_multi_refuses_combining_an_exclusive_choice(kb: KnowledgeBase) -> None:
    question = next(
        q for q in kb.questions if q.kind is Kind.multi and any(c.exclusive for c in q.choices)
    )
    alone = next(c.id for c in question.choices if c.exclusive)
    other = next(c.id for c in question.choices if not c.exclusive)
    with pytest.raises(AnswersError, match="cannot be combined"):
        coerce(question, [alone, other], "here")
    assert coerce(question, [other, other], "here") == [other]


def test_single_hints_at_yaml_booleans(kb: KnowledgeBase) -> None:
    question = _question(kb, Kind.single)
    with pytest.raises(AnswersError, match="quote the value"):
        coerce(question, True, "here")


def test_conditions_of_the_wrong_form_are_named(kb: KnowledgeBase) -> None:
    scale, single = kb.question_by_id["pain_level"], _question(kb, Kind.single)
    on_scale = Condition(question=scale.id, answers=["high"])
    on_choice = Condition(question=single.id, min=1)
    assert "use 'min'/'max'" in (rules(scale).reference_problem(scale, on_scale) or "")
    assert "use 'answers'" in (rules(single).reference_problem(single, on_choice) or "")
    assert rules(scale).possible(scale, Condition(question=scale.id, min=3, max=50))
    assert not rules(scale).possible(scale, Condition(question=scale.id, min=11))


def test_an_unknown_question_suggests_close_ids(kb: KnowledgeBase) -> None:
    error = unknown_question("pain_levl", kb.question_by_id, "--answer 'pain_levl=3'")
    assert "; did you mean pain_level, " in error.message
    error = unknown_question("zzz", kb.question_by_id, "here")
    assert error.message.endswith("run 'hipthrust questions' to see the question ids.")


def test_only_a_scale_has_a_range_in_words(kb: KnowledgeBase) -> None:
    scale = kb.question_by_id["pain_level"]
    assert rules(scale).range_words(scale) == "a whole number from 0 to 10"
    for kind in (Kind.single, Kind.multi):
        question = _question(kb, kind)
        assert rules(question).range_words(question) is None
        assert rules(question).many is (kind is Kind.multi)


def test_a_misspelt_choice_is_told_the_closest_one() -> None:
    """Single and multi answers alike: the nearest choice id, then every valid one."""
    from hipthrust_cli.kb.loading import load

    kb = load()
    seen, arch = kb.question_by_id["what_you_see"], kb.question_by_id["lockout_arch"]
    with pytest.raises(AnswersError) as multi:
        coerce(seen, ["feet_far_out"], "a.yaml:7")
    assert "'feet_far_out' is not a choice of 'what_you_see' (did you mean 'feet_far'?)" in (
        multi.value.message
    )
    with pytest.raises(AnswersError) as single:
        coerce(arch, "clearley", "a.yaml:2")
    assert "(did you mean 'clearly'?); valid: no_arch, a_little, clearly" in single.value.message
    with pytest.raises(AnswersError) as far:
        coerce(arch, "zzz", "a.yaml:2")
    assert "did you mean" not in far.value.message
