"""Answers given ahead of the interview: an answers file and ``--answer QID=VALUE``.

An answers file is a YAML mapping of question id to answer: a choice id for a ``single``
question, a list of choice ids for a ``multi`` question, a whole number for a ``scale``,
or ``not_sure`` for any question. Every value is checked against the knowledge base, and
a problem becomes an :class:`~hipthrust_cli.errors.AnswersError` that names the file,
line, question and value, and lists what would be valid.
"""

from __future__ import annotations

import difflib
import re

from hipthrust_cli.errors import AnswersError
from hipthrust_cli.knowledge import (
    MOVED_CHOICES,
    NOT_SURE,
    Answer,
    Kind,
    KnowledgeBase,
    Question,
)
from hipthrust_cli.safetext import quote

MAX_ANSWERS_BYTES = 1_048_576
MAX_ANSWER_NODES = 10_000
_WHOLE = re.compile(r"[+-]?[0-9]{1,9}", re.ASCII)


def _valid(question: Question) -> str:
    if question.kind is Kind.scale:
        return f"a whole number from {question.min} to {question.max}, or {NOT_SURE}"
    return ", ".join([*question.choice_ids(), NOT_SURE])


def _unknown_question(qid: object, kb: KnowledgeBase, where: str) -> AnswersError:
    close = difflib.get_close_matches(str(qid), list(kb.question_by_id), n=3, cutoff=0.5)
    hint = (
        f"did you mean {', '.join(close)}?"
        if close
        else "run 'hipthrust questions' to see the question ids."
    )
    return AnswersError(f"{where}: there is no question {quote(qid)}; {hint}")


def coerce(question: Question, raw: object, where: str) -> Answer:
    """Check one raw answer against its question and return it in canonical form.

    *where* names the place the answer came from, for the error message.
    """
    qid = question.id
    if raw == NOT_SURE:
        return NOT_SURE
    if question.kind is Kind.scale:
        value: object = raw
        # ASCII digits only, and few of them: '²' and '٣' are digits to str.isdigit but
        # not to int(), and a 5,000-digit number is refused by int() itself.
        if isinstance(raw, str) and _WHOLE.fullmatch(raw.strip()):
            value = int(raw.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            raise AnswersError(
                f"{where}: {quote(raw)} is not a valid answer to '{qid}'; give {_valid(question)}."
            )
        assert question.min is not None and question.max is not None  # checked at load
        if not question.min <= value <= question.max:
            raise AnswersError(
                f"{where}: {value} is out of range for '{qid}'; give {_valid(question)}."
            )
        return value
    valid = question.choice_ids()
    if question.kind is Kind.multi:
        if not isinstance(raw, list):
            raise AnswersError(
                f"{where}: '{qid}' takes a list of choices, e.g. [{valid[0]}], "
                f"not {quote(raw)}; valid choices: {_valid(question)}."
            )
        if not raw:
            raise AnswersError(
                f"{where}: the list for '{qid}' is empty; pick at least one of {_valid(question)}."
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
                    f"{where}: {quote(item)} is not a choice of '{qid}'; valid: {_valid(question)}."
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
    if isinstance(raw, str) and raw in valid:
        return raw
    hint = " (YAML reads yes/no as true/false; quote the value)" if isinstance(raw, bool) else ""
    raise AnswersError(
        f"{where}: {quote(raw)} is not a choice of '{qid}'{hint}; valid: {_valid(question)}."
    )
