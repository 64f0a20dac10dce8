"""Tools for the people who write the knowledge base: deeper checks, schema, browsing.

Beyond what loading already refuses (schema errors, unknown references, duplicate ids),
:func:`lint` finds mistakes that can never reach the report threshold, ``when``
conditions and red flags that can never be true (errors), and questions or choices that
nothing uses (warnings). Nothing here prints.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from hipthrust_cli.kb.checks import all_conditions
from hipthrust_cli.kb.files import KnowledgeBase
from hipthrust_cli.kb.kinds import rules
from hipthrust_cli.kb.models import Condition, Question
from hipthrust_cli.kb.odds import features, odds, prob
from hipthrust_cli.kb.problems import Problem, SourceTexts


class _Reach:
    """Which questions can ever be asked, and which conditions can ever hold."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.asked: dict[str, bool] = {}
        for q in kb.ordered_questions:  # `when` only refers to earlier questions
            self.asked[q.id] = self._when_possible(q)

    def possible(self, c: Condition) -> bool:
        """Whether some answer to an askable question satisfies *c*."""
        q = self.kb.question_by_id.get(c.question)
        if q is None or not self.asked.get(q.id, False):
            return False
        return rules(q).possible(q, c)

    def _when_possible(self, q: Question) -> bool:
        if not all(self.possible(c) for c in q.when):
            return False
        # Several conditions on one single-choice question must share an answer.
        by_question: dict[str, set[str]] = {}
        for c in q.when:
            target = self.kb.question_by_id.get(c.question)
            if target is not None and rules(target).one_choice and c.answers is not None:
                allowed = set(c.answers)
                by_question[c.question] = by_question.get(c.question, allowed) & allowed
        return all(by_question.values())


def max_probability(kb: KnowledgeBase, index: int, reach: _Reach | None = None) -> float:
    """The highest posterior cause *index* can reach from answers to askable questions."""
    reach = reach or _Reach(kb)
    mistake = kb.mistakes[index]
    o = odds(mistake.prior.p)
    for shift in mistake.context:
        if reach.possible(shift):
            o *= max(1.0, shift.factor)
    by_q: dict[str, list[Any]] = {}
    for row in mistake.evidence:
        by_q.setdefault(row.question, []).append(row)
    for qid, rows in by_q.items():
        question = kb.question_by_id[qid]
        if not reach.asked.get(qid, False):
            continue
        if rules(question).many:
            ratios = [max(r.ratio, 1.0) for r in rows if reach.possible(r)]
        else:
            # Listed answers that can be given, and "anything else" (the last outcome).
            outcomes = features(question, rows)[0]
            ratios = [r.ratio for r in rows if reach.possible(r)]
            if len(outcomes) > len(rows):
                ratios.append(outcomes[-1][0] / outcomes[-1][1])
            ratios = [max([1.0, *ratios])]
        for ratio in ratios:
            o *= ratio
    return prob(o)


PROXY_RATIO_LIMIT = 4.0  # a capacity test should not count like a seen fault


def lint(kb: KnowledgeBase) -> list[Problem]:
    """Problems that only show when the knowledge base is looked at as a whole."""
    texts = SourceTexts()
    for origin in kb.origins.values():
        if origin.file not in texts.texts:
            with contextlib.suppress(OSError):  # lines are a help, not a must
                texts.texts[origin.file] = origin.file.read_text(encoding="utf-8-sig")
    problems: list[Problem] = []

    def add(
        kind: str, entry_id: str, loc: Iterable[str | int], message: str, severity: str
    ) -> None:
        origin = kb.origins.get((kind, entry_id))
        if origin is None:
            problems.append(
                Problem(
                    None,
                    None,
                    ".".join([kind, entry_id, *map(str, loc)]),
                    message,
                    "warning" if severity == "warning" else "error",
                )
            )
            return
        problems.append(
            texts.problem(
                origin.file,
                [*origin.path, *loc],
                message,
                "warning" if severity == "warning" else "error",
            )
        )

    reach = _Reach(kb)
    for q in kb.questions:
        if not reach.asked[q.id]:
            add(
                "questions",
                q.id,
                ["when"],
                "this question can never be asked: its 'when' conditions can never all be true "
                "— check the answers and ranges they name",
                "error",
            )
    for flag in kb.red_flags:
        possible = [reach.possible(c) for c in flag.any]
        if (flag.any and not any(possible)) or not all(reach.possible(c) for c in flag.all):
            add(
                "red_flags",
                flag.id,
                ["any" if flag.any else "all"],
                "this red flag can never fire — check the question, answers and ranges",
                "error",
            )
    edge = kb.settings.bands.possible
    for i, mistake in enumerate(kb.mistakes):
        raises = [
            row
            for row in mistake.evidence
            if row.ratio > 1 and reach.possible(row) and reach.asked.get(row.question, False)
        ]
        if not raises:
            add(
                "mistakes",
                mistake.id,
                ["evidence"],
                "no answer can raise this cause: give at least one answer a 'present' "
                "likelihood above its 'absent' one",
                "error",
            )
            continue
        top = max_probability(kb, i, reach)
        if top < edge:
            add(
                "mistakes",
                mistake.id,
                ["evidence"],
                f"this cause can never be reported: every answer for it together gives "
                f"{top:.2f}, below the 'possible' band ({edge}) — raise its prior or its main "
                "likelihood ratio",
                "error",
            )
        for j, row in enumerate(mistake.evidence):
            if mistake.kind_of(row).value == "proxy" and row.ratio > PROXY_RATIO_LIMIT:
                add(
                    "mistakes",
                    mistake.id,
                    ["evidence", j],
                    f"a proxy (a capacity test) with a likelihood ratio of {row.ratio:.1f}: "
                    f"keep proxies to {PROXY_RATIO_LIMIT:g} or less so they never weigh like "
                    "a seen fault",
                    "warning",
                )

    used_questions: set[str] = set()
    used_choices: set[tuple[str, str]] = set()
    for _, _, _, c in all_conditions(kb):
        used_questions.add(c.question)
        for answer in c.answers or []:
            used_choices.add((c.question, answer))
    for q in kb.questions:
        if q.id not in used_questions:
            add(
                "questions",
                q.id,
                ["id"],
                "no mistake, red flag, note or follow-up uses this question, so its answer "
                "changes nothing — use it in a sign or remove it",
                "warning",
            )
            continue
        for j, choice in enumerate(q.choices):
            if (q.id, choice.id) not in used_choices and not choice.neutral:
                add(
                    "questions",
                    q.id,
                    ["choices", j, "id"],
                    f"nothing refers to the choice '{choice.id}' — use it in a sign, or mark "
                    "it 'neutral: true' if it means nothing is wrong",
                    "warning",
                )
    return problems
