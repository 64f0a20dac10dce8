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
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from hipthrust_cli import yamlio
from hipthrust_cli.core import folded
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


def load_file(path: Path, kb: KnowledgeBase, stdin: BinaryIO | None = None) -> dict[str, Answer]:
    """Read and check an answers file; ``-`` reads standard input; empty means no answers.

    A question given with no value (``pain_level:``) counts as unanswered, so a template
    with blanks can be used as it is.
    """
    try:
        if str(path) == "-":
            if stdin is None and sys.stdin is None:
                raise yamlio.YamlProblem(
                    "cannot be read: standard input is closed; give a file, or pipe the answers in"
                )
            source = stdin if stdin is not None else sys.stdin.buffer
            text = yamlio.decode(source.read(MAX_ANSWERS_BYTES + 1), MAX_ANSWERS_BYTES)
        else:
            text = yamlio.read_text(path, MAX_ANSWERS_BYTES)
        data = yamlio.parse(text, MAX_ANSWER_NODES)
    except yamlio.YamlProblem as problem:
        name = "standard input" if str(path) == "-" else str(path)
        place = f"{name}:{problem.line}" if problem.line else name
        raise AnswersError(f"Answers file {place}: the file {problem.sentence()}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise AnswersError(
            f"Answers file {path}: expected a mapping of question id to answer "
            f"(like 'pain_level: 4'), not a {type(data).__name__}."
        )
    answers: dict[str, Answer] = {}
    tree = yamlio.compose(text)

    def at(qid: str) -> str:
        line = yamlio.locate_in(tree, [qid])
        return f"Answers file {path}:{line}" if line else f"Answers file {path}"

    data = _fold(kb, data, at)
    for qid, raw in data.items():
        line = yamlio.locate_in(tree, [qid]) if isinstance(qid, str) else None
        where = f"Answers file {path}:{line}" if line else f"Answers file {path}"
        question = kb.question_by_id.get(qid) if isinstance(qid, str) else None
        if question is None:
            raise _unknown_question(qid, kb, where)
        if raw is not None:
            answers[question.id] = coerce(question, raw, where)
    return answers


def parse_options(items: Iterable[str], kb: KnowledgeBase) -> dict[str, Answer]:
    """Parse repeated ``--answer QID=VALUE``; a multi answer is comma-separated."""
    answers: dict[str, Answer] = {}
    old: dict[str, str] = {}  # answers to the questions folded into 'about_pain'
    for item in items:
        where = f"--answer {quote(item)}"
        qid, sep, value = item.partition("=")
        qid, value = qid.strip(), value.strip()
        if not sep or not qid:
            raise AnswersError(
                f"{where}: expected QID=VALUE, e.g. --answer pain_level=4 "
                "or --answer where_felt=lower_back,hamstrings."
            )
        if qid in folded.FOLDED and qid not in kb.question_by_id:
            old[qid] = value
            continue
        question = kb.question_by_id.get(qid)
        if question is None:
            raise _unknown_question(qid, kb, where)
        raw: object = value
        if question.kind is Kind.multi and value != NOT_SURE:
            raw = [v.strip() for v in value.split(",") if v.strip()]
        answers[qid] = coerce(question, raw, where)
    if old:
        given = {**old, **({folded.INTO: answers[folded.INTO]} if folded.INTO in answers else {})}
        new = _fold(kb, given, lambda qid: f"--answer {qid}=...")[folded.INTO]
        answers[folded.INTO] = coerce(kb.question_by_id[folded.INTO], new, "--answer")
    return answers


def _fold(kb: KnowledgeBase, raw: Mapping[Any, Any], where: Callable[[str], str]) -> dict[Any, Any]:
    """*raw* with old answers to the questions folded into 'about_pain' translated."""
    if folded.INTO not in kb.question_by_id or any(q in kb.question_by_id for q in folded.FOLDED):
        return dict(raw)  # an overlay that brings the old questions back keeps them
    try:
        return folded.fold(raw)
    except folded.FoldedAnswer as moved:
        raise AnswersError(f"{where(moved.question)}: {moved}.") from None


def still_valid(kb: KnowledgeBase, saved: Mapping[str, object]) -> dict[str, Answer]:
    """The saved answers (e.g. from history) that still fit the knowledge base.

    The knowledge base may have changed since they were given: answers to questions or
    choices that no longer exist are dropped, not errors.
    """
    usable: dict[str, Answer] = {}
    for qid, value in saved.items():
        question = kb.question_by_id.get(qid)
        if question is None:
            continue
        try:
            usable[qid] = coerce(question, value, "history")
        except AnswersError:
            continue
    return usable


def reusable(kb: KnowledgeBase, saved: Mapping[str, Answer]) -> dict[str, Answer]:
    """The saved answers ``--again`` may carry over: never the warning signs or the pain.

    A warning sign, the pain level and every answer a warning sign reads (what the pain
    feels like, how long it lasts, back history) describe how someone is now, so a
    weeks-old answer to them is never reused: they are asked fresh, or, without a
    terminal, left unanswered (the report then says the screen was not done).
    """
    fresh = kb.red_flag_questions | set(kb.settings.always_ask)
    return {
        qid: value
        for qid, value in saved.items()
        if qid in kb.question_by_id and not kb.question_by_id[qid].red_flag and qid not in fresh
    }


def merge(*layers: Mapping[str, Answer]) -> dict[str, Answer]:
    """Merge answer layers; later layers win (file, then ``--answer``)."""
    merged: dict[str, Answer] = {}
    for layer in layers:
        merged.update(layer)
    return merged
