"""Answers given ahead of the interview: an answers file and ``--answer QID=VALUE``.

An answers file is a YAML mapping of question id to answer: a choice id for a ``single``
question, a list of choice ids for a ``multi`` question, a whole number for a ``scale``,
or ``not_sure`` for any question. Every value is checked against the knowledge base, and
a problem becomes an :class:`~hipthrust_cli.errors.AnswersError` that names the file,
line, question and value, and lists what would be valid.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import BinaryIO

from hipthrust_cli import yamlio
from hipthrust_cli.errors import AnswersError
from hipthrust_cli.kb import NOT_SURE, Answer, Kind, KnowledgeBase
from hipthrust_cli.kb.kinds import coerce, unknown_question
from hipthrust_cli.safetext import quote

MAX_ANSWERS_BYTES = 1_048_576
MAX_ANSWER_NODES = 10_000


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
    for qid, raw in data.items():
        line = yamlio.locate_in(tree, [qid]) if isinstance(qid, str) else None
        where = f"Answers file {path}:{line}" if line else f"Answers file {path}"
        question = kb.question_by_id.get(qid) if isinstance(qid, str) else None
        if question is None:
            raise unknown_question(qid, kb.question_by_id, where)
        if raw is not None:
            answers[question.id] = coerce(question, raw, where)
    return answers


def parse_options(items: Iterable[str], kb: KnowledgeBase) -> dict[str, Answer]:
    """Parse repeated ``--answer QID=VALUE``; a multi answer is comma-separated."""
    answers: dict[str, Answer] = {}
    for item in items:
        where = f"--answer {quote(item)}"
        qid, sep, value = item.partition("=")
        qid, value = qid.strip(), value.strip()
        if not sep or not qid:
            raise AnswersError(
                f"{where}: expected QID=VALUE, e.g. --answer pain_level=4 "
                "or --answer where_felt=lower_back,hamstrings."
            )
        question = kb.question_by_id.get(qid)
        if question is None:
            raise unknown_question(qid, kb.question_by_id, where)
        raw: object = value
        if question.kind is Kind.multi and value != NOT_SURE:
            raw = [v.strip() for v in value.split(",") if v.strip()]
        answers[qid] = coerce(question, raw, where)
    return answers


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
