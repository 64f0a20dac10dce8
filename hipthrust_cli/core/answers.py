"""Answers as named layers: ``--answer`` over the answers file over ``--video`` over ``--again``.

Answers can come from several places at once. Each place is a layer, and a question
takes its answer from the first layer that has one (a ``collections.ChainMap``, as
copier's ``AnswersMap`` layers its answers): ``--answer QID=VALUE`` wins over the answers
file, which wins over what a video measured, which wins over last session's answers
(``--again``). Preset answers are never asked again; the interview asks the rest.

``--again`` answers are preset only when nobody is there to ask: in the wizard they are
offered as pre-selected defaults and listed in the review instead, so they can be changed.

Parsing is pure: the text of an answers file is read at the edge
(:func:`hipthrust_cli.session.read_answers_file`) and checked here.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hipthrust_cli import yamlio
from hipthrust_cli.errors import AnswersError
from hipthrust_cli.kb import NOT_SURE, Answer, KnowledgeBase, folded
from hipthrust_cli.kb.kinds import coerce, rules, unknown_question
from hipthrust_cli.safetext import quote

MAX_ANSWERS_BYTES = 1_048_576  # an answers file larger than this is refused
MAX_ANSWER_NODES = 10_000  # and so is one with more YAML nodes than this


@dataclass(frozen=True)
class Layers:
    """The answers given ahead of the interview, by where they came from."""

    options: Mapping[str, Answer] = field(default_factory=dict)  # --answer QID=VALUE
    file: Mapping[str, Answer] = field(default_factory=dict)  # --answers FILE
    video: Mapping[str, Answer] = field(default_factory=dict)  # --video, measured
    again: Mapping[str, Answer] = field(default_factory=dict)  # --again, last session

    def given(self) -> ChainMap[str, Answer]:
        """Every answer given on the command line, in a file or by a video (not ``--again``)."""
        return ChainMap(dict(self.options), dict(self.file), dict(self.video))

    def preset(self, interactive: bool) -> dict[str, Answer]:
        """The answers the interview starts from and never asks again.

        With someone to ask (*interactive*), last session's answers are not preset: the
        wizard offers them as defaults (:meth:`carried`).
        """
        maps = self.given().maps + ([] if interactive else [dict(self.again)])
        return dict(ChainMap(*maps))

    def carried(self) -> dict[str, Answer]:
        """Last session's answers the wizard offers, where nothing given overrides them."""
        given = self.given()
        return {qid: value for qid, value in self.again.items() if qid not in given}


def parse_file(text: str, name: str, kb: KnowledgeBase) -> dict[str, Answer]:
    """Check the text of an answers file (read from *name*); empty means no answers.

    A question given with no value (``pain_level:``) counts as unanswered, so a template
    with blanks can be used as it is.
    """
    try:
        data = yamlio.parse(text, MAX_ANSWER_NODES)
    except yamlio.YamlProblem as problem:
        place = f"{name}:{problem.line}" if problem.line else name
        raise AnswersError(f"Answers file {place}: the file {problem.sentence()}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise AnswersError(
            f"Answers file {name}: expected a mapping of question id to answer "
            f"(like 'pain_level: 4'), not a {type(data).__name__}."
        )
    answers: dict[str, Answer] = {}
    tree = yamlio.compose(text)

    def at(qid: str) -> str:
        line = yamlio.locate_in(tree, [qid])
        return f"Answers file {name}:{line}" if line else f"Answers file {name}"

    data = _fold(kb, data, at)
    for qid, raw in data.items():
        line = yamlio.locate_in(tree, [qid]) if isinstance(qid, str) else None
        where = f"Answers file {name}:{line}" if line else f"Answers file {name}"
        question = kb.question_by_id.get(qid) if isinstance(qid, str) else None
        if question is None:
            raise unknown_question(qid, kb.question_by_id, where)
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
            raise unknown_question(qid, kb.question_by_id, where)
        raw: object = value
        if rules(question).many and value != NOT_SURE:
            raw = [v.strip() for v in value.split(",") if v.strip()]
        answers[qid] = coerce(question, raw, where)
    if old:
        given = {**old, **({folded.INTO: answers[folded.INTO]} if folded.INTO in answers else {})}
        new = _fold(kb, given, lambda qid: f"--answer {qid}=...", as_option=True)[folded.INTO]
        answers[folded.INTO] = coerce(kb.question_by_id[folded.INTO], new, "--answer")
    return answers


def _fold(
    kb: KnowledgeBase,
    raw: Mapping[Any, Any],
    where: Callable[[str], str],
    as_option: bool = False,
) -> dict[Any, Any]:
    """*raw* with old answers to the questions folded into 'about_pain' translated."""
    if folded.INTO not in kb.question_by_id or any(q in kb.question_by_id for q in folded.FOLDED):
        return dict(raw)  # an overlay that brings the old questions back keeps them
    try:
        return folded.fold(raw, as_option)
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

    A warning sign (the "about your pain" checklist among them) and every answer a warning
    sign reads (the pain level) describe how someone is now, so a weeks-old answer to
    them is never reused: they are asked fresh, or, without a terminal, left unanswered
    (the report then says the screen was not done).
    """
    fresh = kb.red_flag_questions | set(kb.settings.always_ask)
    return {
        qid: value
        for qid, value in saved.items()
        if qid in kb.question_by_id and not kb.question_by_id[qid].red_flag and qid not in fresh
    }
