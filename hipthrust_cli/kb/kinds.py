"""Question kinds as objects: everything that differs between single, multi and scale.

Each kind knows how to check a question's shape, turn a raw answer into its canonical
form (or say why it cannot), name an answer in words, describe what is valid, tell
whether a condition can ever hold, and offer the choices a prompt shows. Code that
needs one of these asks ``rules(question)`` instead of branching on ``question.kind``,
so a new kind is one class here plus one line in :data:`RULES`. Nothing here prints.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from hipthrust_cli.errors import AnswersError
from hipthrust_cli.kb.models import NOT_SURE, UNANSWERED, Answer, Kind
from hipthrust_cli.kb.problems import did_you_mean
from hipthrust_cli.safetext import quote

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hipthrust_cli.kb.models import Condition, Question

_WHOLE = re.compile(r"[+-]?[0-9]{1,9}", re.ASCII)

# Choices the 2026.12 screen moved, so an old overlay or answers file is told where.
MOVED_CHOICES = {
    ("emergency_signs", "fall_or_accident"): (
        "'fall_or_accident' moved from emergency_signs to urgent_signs in knowledge base "
        "2026.12, with the follow-up 'fall_details' (how serious, how long ago) — see "
        "docs/authoring.md, 'Upgrading a red-flag overlay'"
    ),
}


def _close(given: object, valid: list[str]) -> str:
    """`` (did you mean 'feet_far'?)`` for a misspelt choice id, or nothing."""
    hint = did_you_mean(given, valid) if isinstance(given, str) else None
    return f" ({hint})" if hint else ""


class QuestionKind:
    """What a kind of question does; the choice kinds share most of it."""

    takes_range = False
    """Conditions on it use ``min``/``max`` (a scale), not ``answers``."""
    many = False
    """Several choices may be given at once (multi): a prompt ticks boxes, and each
    likelihood row is its own ticked / not-ticked feature rather than part of a partition."""
    one_choice = False
    """Exactly one choice is given (single): conditions on it must share an answer."""

    def shape_problem(self, question: Question) -> str | None:
        """Why this question's fields do not fit its kind, or None."""
        if not question.choices:
            return f"a {question.kind.value} question needs at least one choice"
        if question.min is not None or question.max is not None:
            return "'min'/'max' are only for scale questions"
        return None

    def valid(self, question: Question) -> str:
        """What a valid answer is, in words, for an error message."""
        return ", ".join([*question.choice_ids(), NOT_SURE])

    def range_words(self, question: Question) -> str | None:
        """The answers that are not listed choices, in words (a scale's range), or None."""
        return None

    def label(self, question: Question, value: Answer) -> str:
        """The human words for an answer, e.g. ``["a", "b"]`` → ``"A; B"`` (labels hold commas)."""
        if value == NOT_SURE:
            return "Not sure"
        if isinstance(value, list):
            return "; ".join(self.label(question, v) for v in value)
        if isinstance(value, int):
            return str(value)
        for choice in question.choices:
            if choice.id == value:
                return choice.label
        return str(value)

    def words(self, question: Question, value: Answer) -> str:
        """An answer as a sentence would quote it (a scale's number "out of" its top)."""
        return self.label(question, value)

    def coerce(self, question: Question, raw: object, where: str) -> Answer:
        """*raw* in canonical form; raises :class:`AnswersError` naming *where*."""
        valid = question.choice_ids()
        if isinstance(raw, str) and raw in valid:
            return raw
        hint = (
            " (YAML reads yes/no as true/false; quote the value)"
            if isinstance(raw, bool)
            else _close(raw, valid)
        )
        raise AnswersError(
            f"{where}: {quote(raw)} is not a choice of '{question.id}'{hint}; "
            f"valid: {self.valid(question)}."
        )

    def possible(self, question: Question, condition: Condition) -> bool:
        """Whether some answer to *question* satisfies *condition*."""
        if condition.answers is None:
            return False
        return any(a == NOT_SURE or a in question.choice_ids() for a in condition.answers)

    def reference_problem(self, question: Question, condition: Condition) -> str | None:
        """Why *condition* uses the wrong form for this kind (answers vs. min/max), or None."""
        if condition.answers is None:
            return f"'{question.id}' is not a scale — use 'answers' instead of 'min'/'max'"
        return None

    def unknown_answers(self, question: Question, condition: Condition) -> list[int]:
        """Positions in ``condition.answers`` that name no choice of *question*."""
        valid = question.choice_ids()
        return [
            j
            for j, ans in enumerate(condition.answers or [])
            if ans not in (NOT_SURE, UNANSWERED) and ans not in valid
        ]

    def choices(self, question: Question) -> list[tuple[Answer, str]]:
        """``(value, label)`` pairs a prompt offers besides "Not sure" (raw text)."""
        return [(c.id, c.label) for c in question.choices]


class Single(QuestionKind):
    """One choice id."""

    one_choice = True


class Multi(QuestionKind):
    """A list of choice ids; an ``exclusive`` choice stands alone."""

    many = True

    def coerce(self, question: Question, raw: object, where: str) -> Answer:
        """A de-duplicated list of valid choice ids, or ``not_sure`` alone."""
        qid, valid = question.id, question.choice_ids()
        if not isinstance(raw, list):
            raise AnswersError(
                f"{where}: '{qid}' takes a list of choices, e.g. [{valid[0]}], "
                f"not {quote(raw)}; valid choices: {self.valid(question)}."
            )
        if not raw:
            raise AnswersError(
                f"{where}: the list for '{qid}' is empty; pick at least one of "
                f"{self.valid(question)}."
            )
        picked: list[str] = []
        for item in raw:
            if item == NOT_SURE and len(raw) == 1:
                return NOT_SURE
            if not isinstance(item, str) or item not in valid:
                moved = MOVED_CHOICES.get((qid, item)) if isinstance(item, str) else None
                if moved is not None:  # an answers file from before the 2026.12 screen
                    raise AnswersError(f"{where}: {moved}.")
                raise AnswersError(
                    f"{where}: {quote(item)} is not a choice of '{qid}'{_close(item, valid)}; "
                    f"valid: {self.valid(question)}."
                )
            if item not in picked:
                picked.append(item)
        exclusive = [c.id for c in question.choices if c.exclusive and c.id in picked]
        if (exclusive and len(picked) > 1) or NOT_SURE in picked:
            alone = exclusive[0] if exclusive else NOT_SURE
            raise AnswersError(
                f"{where}: '{alone}' cannot be combined with other choices for '{qid}'; "
                "keep one or the other."
            )
        return picked


class Scale(QuestionKind):
    """A whole number from ``min`` to ``max``."""

    takes_range = True

    def shape_problem(self, question: Question) -> str | None:
        """A scale needs ``min`` ≤ ``max``, at most 101 points, and no choices."""
        if question.min is None or question.max is None:
            return "a scale question needs 'min' and 'max'"
        if question.min > question.max:
            return f"min ({question.min}) is greater than max ({question.max})"
        if question.max - question.min > 100:
            return "a scale may have at most 101 points"
        if question.choices:
            return "a scale question has 'min'/'max', not 'choices'"
        return None

    def valid(self, question: Question) -> str:
        """The range, in words."""
        return f"{self.range_words(question)}, or {NOT_SURE}"

    def words(self, question: Question, value: Answer) -> str:
        """``4 out of 10``; "Not sure" as it is."""
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value} out of {question.max}"
        return self.label(question, value)

    def range_words(self, question: Question) -> str | None:
        """``a whole number from MIN to MAX``."""
        return f"a whole number from {question.min} to {question.max}"

    def coerce(self, question: Question, raw: object, where: str) -> Answer:
        """A whole number in range; digits in a string count."""
        qid = question.id
        value: object = raw
        # ASCII digits only, and few of them: '²' and '٣' are digits to str.isdigit but
        # not to int(), and a 5,000-digit number is refused by int() itself.
        if isinstance(raw, str) and _WHOLE.fullmatch(raw.strip()):
            value = int(raw.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            raise AnswersError(
                f"{where}: {quote(raw)} is not a valid answer to '{qid}'; "
                f"give {self.valid(question)}."
            )
        assert question.min is not None and question.max is not None  # checked at load
        if not question.min <= value <= question.max:
            raise AnswersError(
                f"{where}: {value} is out of range for '{qid}'; give {self.valid(question)}."
            )
        return value

    def possible(self, question: Question, condition: Condition) -> bool:
        """Whether the condition's range overlaps the scale."""
        if condition.answers is not None:
            return any(a == NOT_SURE for a in condition.answers)
        if question.min is None or question.max is None:
            return False
        lo = question.min if condition.min is None else max(question.min, condition.min)
        hi = question.max if condition.max is None else min(question.max, condition.max)
        return lo <= hi

    def reference_problem(self, question: Question, condition: Condition) -> str | None:
        """A condition on a scale gives ``min``/``max``."""
        if condition.answers is not None:
            return f"'{question.id}' is a scale — use 'min'/'max' instead of 'answers'"
        return None

    def unknown_answers(self, question: Question, condition: Condition) -> list[int]:
        """A scale has no choices to name."""
        return []

    def choices(self, question: Question) -> list[tuple[Answer, str]]:
        """Every point of the scale, its ends labelled (raw text: the prompt escapes it)."""
        assert question.min is not None and question.max is not None  # checked at load
        out: list[tuple[Answer, str]] = []
        for n in range(question.min, question.max + 1):
            label = str(n)
            if n == question.min and question.min_label:
                label += f" - {question.min_label}"
            if n == question.max and question.max_label:
                label += f" - {question.max_label}"
            out.append((n, label))
        return out


RULES: dict[Kind, QuestionKind] = {Kind.single: Single(), Kind.multi: Multi(), Kind.scale: Scale()}
"""The one registry of question kinds."""


def rules(question: Question) -> QuestionKind:
    """The rules of *question*'s kind."""
    return RULES[question.kind]


def coerce(question: Question, raw: object, where: str) -> Answer:
    """Check one raw answer against its question and return it in canonical form.

    *where* names the place the answer came from, for the error message.
    """
    if raw == NOT_SURE:
        return NOT_SURE
    return rules(question).coerce(question, raw, where)


def unknown_question(qid: object, question_ids: Iterable[str], where: str) -> AnswersError:
    """The error for an answer to a question that does not exist, with suggestions."""
    hint = did_you_mean(str(qid), question_ids, cutoff=0.5, quoted=False)
    hint = hint or "run 'hipthrust questions' to see the question ids."
    return AnswersError(f"{where}: there is no question {quote(qid)}; {hint}")
