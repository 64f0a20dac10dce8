"""Checks of a merged knowledge base: references, the cause model, and the safety guard.

:func:`check_references` finds what would make the interview or the report wrong
(unknown ids, answers a question does not offer, likelihoods that cannot be
probabilities); :func:`safety_problems` finds every way overlays weaken the shipped
warning-sign screen. Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from hipthrust_cli.kb.content import Likelihood, Mistake
from hipthrust_cli.kb.files import KnowledgeBase, Origin
from hipthrust_cli.kb.folded import moved_question  # questions folded in 2026.12.3
from hipthrust_cli.kb.kinds import MOVED_CHOICES, rules
from hipthrust_cli.kb.models import NOT_SURE, Condition, Level, Question, RedFlag
from hipthrust_cli.kb.problems import Problem, SourceTexts, suggest

PROTECTED_LEVELS = (Level.emergency, Level.same_day)
UNSAFE_OVERRIDE_HINT = (
    "overlays may add warning signs and raise levels, never remove or weaken them — "
    "undo that change, or run with --allow-unsafe-kb (or HIPTHRUST_ALLOW_UNSAFE_KB=1), "
    "and every report will say that safety checks were switched off"
)


def safety_problems(
    shipped_flags: Mapping[str, RedFlag],
    shipped_questions: Mapping[str, Question],
    kb: KnowledgeBase,
    removals: Mapping[tuple[str, str], Origin],
    texts: SourceTexts | None = None,
) -> list[Problem]:
    """Every way the overlays weaken the base knowledge base's warning-sign screen.

    Each ``emergency`` and ``same_day`` flag of the base must still be there with the
    same conditions, title and advice (its level may only go up), and every screening
    question it reads must keep its text, kind, ``when`` and choices (new choices may be
    added). No flag of any level may end lower than it shipped.
    """
    texts = texts or SourceTexts()
    problems: list[Problem] = []
    merged = {f.id: f for f in kb.red_flags}
    questions = kb.question_by_id

    def at(kind: str, entry_id: str, message: str) -> None:
        # A removed entry is blamed on the 'remove' that dropped it, not where it came from.
        origin = removals.get((kind, entry_id)) or kb.origins.get((kind, entry_id))
        if origin is None:
            problems.append(Problem(None, None, f"{kind}: {entry_id}", message))
        else:
            problems.append(texts.problem(origin.file, list(origin.path), message))

    checked: set[str] = set()
    for fid, flag in shipped_flags.items():
        now = merged.get(fid)
        what = f"the shipped {flag.level.value} warning sign '{fid}'"
        if now is not None and now.level.rank > flag.level.rank:
            at(
                "red_flags",
                fid,
                f"lowers {what} to {now.level.value}; {UNSAFE_OVERRIDE_HINT}",
            )
            continue
        if flag.level not in PROTECTED_LEVELS:
            continue
        if now is None:
            at("red_flags", fid, f"removes {what}; {UNSAFE_OVERRIDE_HINT}")
            continue
        if now.model_copy(update={"level": flag.level}) != flag:
            at(
                "red_flags",
                fid,
                f"changes {what} (its conditions, title, advice or source); {UNSAFE_OVERRIDE_HINT}",
            )
        for condition in (*flag.any, *flag.all):
            qid = condition.question
            before = shipped_questions.get(qid)
            if before is None or qid in checked:
                continue
            checked.add(qid)
            after = questions.get(qid)
            reads = f"the screening question '{qid}', which {what} reads"
            if after is None:
                at("questions", qid, f"removes {reads}; {UNSAFE_OVERRIDE_HINT}")
            elif (after.text, after.kind, after.when, after.red_flag) != (
                before.text,
                before.kind,
                before.when,
                before.red_flag,
            ) or any(c not in after.choices for c in before.choices):
                at(
                    "questions",
                    qid,
                    f"changes {reads} (its text, kind, when, or a shipped choice); "
                    f"{UNSAFE_OVERRIDE_HINT}",
                )
    return problems


def all_conditions(
    kb: KnowledgeBase,
) -> Iterator[tuple[str, str, tuple[str | int, ...], Condition]]:
    """Every condition in the knowledge base as ``(kind, entry id, key path, condition)``."""
    groups: list[tuple[str, Sequence[Any], tuple[str, ...]]] = [
        ("questions", kb.questions, ("when",)),
        ("red_flags", kb.red_flags, ("any", "all")),
        ("mistakes", kb.mistakes, ("evidence", "context")),
        ("alternatives", kb.alternatives, ("avoid_when",)),
        ("notes", kb.notes, ("any", "all")),
    ]
    for kind, entries, parts in groups:
        for entry in entries:
            for part in parts:
                for j, c in enumerate(getattr(entry, part)):
                    yield kind, entry.id, (part, j), c
    for m in kb.mistakes:
        for i, fix in enumerate(m.fixes):
            for j, c in enumerate(fix.when):
                yield "mistakes", m.id, ("fixes", i, "when", j), c
    for j, c in enumerate(kb.settings.back_pain):
        yield "settings", "back_pain", (j,), c


def check_references(kb: KnowledgeBase, texts: SourceTexts | None = None) -> list[Problem]:
    """Every cross-reference problem of a merged knowledge base, located."""
    texts = texts or SourceTexts()
    problems: list[Problem] = []

    def at(kind: str, entry_id: str, *rest: str | int) -> tuple[Path | None, list[str | int]]:
        origin = kb.origins.get((kind, entry_id))
        if origin is None:
            return None, [kind, entry_id, *rest]
        return origin.file, [*origin.path, *rest]

    def add(kind: str, entry_id: str, loc: Sequence[str | int], message: str) -> None:
        file, path = at(kind, entry_id, *loc)
        problems.append(texts.problem(file, path, message))

    missing_levels = [lv.value for lv in Level if lv not in kb.levels]
    if missing_levels:
        problems.append(
            Problem(
                None,
                None,
                "red_flags.yaml: levels",
                f"no title and advice for {', '.join(missing_levels)} — add them",
            )
        )
    questions = kb.question_by_id
    position = {q.id: i for i, q in enumerate(kb.ordered_questions)}

    def check_condition(kind: str, entry_id: str, c: Condition, *loc: str | int) -> None:
        question = questions.get(c.question)
        if question is None:
            add(
                kind,
                entry_id,
                [*loc, "question"],
                moved_question(c.question)
                or f"there is no question '{c.question}' — check the id"
                f"{suggest(c.question, questions)}",
            )
            return
        kind_rules = rules(question)
        wrong_form = kind_rules.reference_problem(question, c)
        if wrong_form is not None:
            add(
                kind,
                entry_id,
                [*loc, "answers"] if c.answers is not None else list(loc),
                wrong_form,
            )
            return
        for j in kind_rules.unknown_answers(question, c):
            ans = (c.answers or [])[j]
            add(
                kind,
                entry_id,
                [*loc, "answers", j],
                MOVED_CHOICES.get((c.question, ans))
                or f"'{c.question}' has no choice '{ans}' — valid: "
                f"{', '.join([*question.choice_ids(), NOT_SURE])}",
            )

    for kind, entry_id, loc, c in all_conditions(kb):
        check_condition(kind, entry_id, c, *loc)
        if kind == "questions" and position.get(c.question, -1) >= position[entry_id]:
            add(
                "questions",
                entry_id,
                [*loc, "question"],
                f"'{c.question}' is asked after '{entry_id}', so it cannot decide whether "
                f"'{entry_id}' is asked — move it earlier",
            )
    cause_ids = {m.id for m in kb.mistakes}
    steps = {s.id for s in kb.technique.checklist}
    for m in kb.mistakes:
        for j, rid in enumerate(m.related):
            if rid not in cause_ids:
                add(
                    "mistakes",
                    m.id,
                    ["related", j],
                    f"there is no mistake '{rid}' — check the id{suggest(rid, cause_ids)}",
                )
        for j, step in enumerate(m.form):
            if step not in steps:
                add(
                    "mistakes",
                    m.id,
                    ["form", j],
                    f"there is no form step '{step}' in technique.yaml's checklist"
                    f"{suggest(step, steps)}",
                )
        for j, drill in enumerate(m.drills):
            if drill not in kb.exercise_names:
                add(
                    "mistakes",
                    m.id,
                    ["drills", j],
                    f"there is no drill or alternative '{drill}' — add it to drills.yaml"
                    f"{suggest(drill, kb.exercise_names)}",
                )
    for m in kb.mistakes:
        _check_model(m, questions, add)
    clash = {d.id for d in kb.drills} & {a.id for a in kb.alternatives}
    for dup in sorted(clash):
        add(
            "drills",
            dup,
            ["id"],
            f"'{dup}' is both a drill and an alternative — rename one so drill references "
            "are unambiguous",
        )
    return problems


def _check_model(
    m: Mistake,
    questions: Mapping[str, Question],
    add: Callable[[str, str, Sequence[str | int], str], None],
) -> None:
    """The cause model of one mistake: partitions that add up, and related causes."""
    by_question: dict[str, list[tuple[int, Likelihood]]] = {}
    for j, row in enumerate(m.evidence):
        by_question.setdefault(row.question, []).append((j, row))
    for qid, rows in by_question.items():
        q = questions.get(qid)
        if q is None or rules(q).many:
            continue  # each row of a multi question is its own ticked / not ticked feature
        seen: dict[str, int] = {}
        for j, row in rows:
            for answer in row.answers or []:
                if answer in seen:
                    add(
                        "mistakes",
                        m.id,
                        ["evidence", j, "answers"],
                        f"'{answer}' of '{qid}' already has a likelihood in evidence"
                        f"[{seen[answer]}] — give each answer one row",
                    )
                seen.setdefault(answer, j)
        covered = not rules(q).takes_range and set(seen) >= set(q.choice_ids())
        for column in ("present", "absent"):
            total = sum(getattr(row, column) for _, row in rows)
            if total > 1 + 1e-9 or (not covered and total >= 1 - 1e-9):
                add(
                    "mistakes",
                    m.id,
                    ["evidence", rows[0][0], column],
                    f"the '{column}' likelihoods of '{qid}' add up to {total:.2f}; they are "
                    "probabilities of different answers, so they must stay below 1 (the "
                    "answers not listed share what is left)",
                )
    for j, rid in enumerate(m.related):
        if rid == m.id:
            add("mistakes", m.id, ["related", j], "a cause cannot be related to itself")
