"""The cause model: each cause an independent yes/no hypothesis with its own posterior.

A cause starts at its prior ``p`` (how common it is among people who feel hip thrusts
in their lower back). Context that applies (an old injury, a diagnosed anatomy) multiplies
its prior odds. Each answered question then multiplies the odds by a likelihood ratio:

- single-choice and scale questions: the cause's rows for that question partition the
  answers. A listed answer gives ``present / absent``; any other answer gives
  ``(1 - sum of present) / (1 - sum of absent)``, so "no arch" counts against arching
  without a row of its own.
- multi questions: each row is its own ticked/not-ticked feature.

"Not sure" and unanswered questions change nothing. Because causes are independent,
people can have two (their posteriors need not add up to 1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hipthrust_cli.kb import (
    NOT_SURE,
    Answer,
    Cause,
    EvidenceKind,
    KnowledgeBase,
    Likelihood,
    Mistake,
    Question,
)
from hipthrust_cli.kb.kinds import rules
from hipthrust_cli.kb.odds import features, odds, prob

CONTEXT = "context"


@dataclass(frozen=True)
class Move:
    """How one answer moved one cause: its log likelihood ratio and the kind of evidence."""

    question: str
    log_ratio: float
    kind: str  # "observation", "proxy" or "context"


@dataclass(frozen=True)
class Belief:
    """One cause after the answers: prior, posterior and the answers that moved it."""

    index: int
    id: str
    prior: float
    probability: float
    moves: tuple[Move, ...]

    @property
    def observed(self) -> bool:
        """Whether something the person saw or felt in the lift raised this cause."""
        return any(m.kind == EvidenceKind.observation.value and m.log_ratio > 0 for m in self.moves)


def _given(value: Answer | None) -> bool:
    return value is not None and value != NOT_SURE


def rows_for(mistake: Mistake, qid: str) -> list[Likelihood]:
    """The cause's likelihood rows for one question, in file order."""
    return [row for row in mistake.evidence if row.question == qid]


def best_ratio(question: Question, rows: Sequence[Likelihood]) -> float:
    """The strongest sign for the cause one answer to *question* could give (1.0: none).

    The largest ``P(answer | present) / P(answer | absent)`` over the question's answer
    outcomes for this cause (see :func:`features`); above 1.0 an answer could raise it.
    """
    return max((p / a for outcomes in features(question, rows) for p, a in outcomes), default=1.0)


def answer_ratio(
    mistake: Mistake, question: Question, rows: Sequence[Likelihood], value: Answer
) -> tuple[float, EvidenceKind]:
    """The likelihood ratio one given answer applies to one cause, and its kind."""
    answers = {question.id: value}
    kind = mistake.kind_of(rows[0])
    if rules(question).many:
        ratio = 1.0
        for r in rows:
            if r.matches(answers):
                ratio *= r.ratio
                kind = mistake.kind_of(r)
            else:
                ratio *= (1 - r.present) / (1 - r.absent)
        return ratio, kind
    for r in rows:
        if r.matches(answers):
            return r.ratio, mistake.kind_of(r)
    rest_present = 1 - sum(r.present for r in rows)
    rest_absent = 1 - sum(r.absent for r in rows)
    if rest_present <= 1e-9 or rest_absent <= 1e-9:
        return 1.0, kind
    return rest_present / rest_absent, kind


def prior_of(mistake: Mistake | Cause, answers: Mapping[str, Answer]) -> tuple[float, list[Move]]:
    """The cause's prior after context (injury history, anatomy …), and the context moves."""
    o = odds(mistake.prior.p)
    moves = []
    for shift in mistake.context:
        if shift.matches(answers):
            o *= shift.factor
            moves.append(Move(shift.question, math.log(shift.factor), CONTEXT))
    return prob(o), moves


def _answered(answers: Mapping[str, Answer], ignore: str | None) -> frozenset[str]:
    return frozenset(q for q, v in answers.items() if q != ignore and _given(v))


def belief(
    kb: KnowledgeBase,
    index: int,
    answers: Mapping[str, Answer],
    ignore: str | None = None,
    answered: frozenset[str] | None = None,
) -> Belief:
    """The posterior of cause *index* given *answers* (optionally leaving one question out).

    *answered* is the ids of the questions *answers* gives (not "Not sure"), less
    *ignore*; :func:`beliefs` works it out once for every cause.
    """
    if answered is None:
        answered = _answered(answers, ignore)
    cause = kb.causes[index]
    if answered.isdisjoint(cause.reads):
        # No answered question reads this cause's evidence: its posterior is its prior
        # after context, and the cause itself need not be decoded (see KnowledgeBase.causes).
        return _posterior(index, cause, *prior_of(cause, answers))
    mistake = kb.mistakes[index]
    prior, moves = prior_of(mistake, answers)
    log_odds = math.log(odds(prior))
    # The rows of the answered questions only: at 1,000x most causes have none, and their
    # posterior is their prior (benchmarks/README.md).
    seen: dict[str, list[Likelihood]] = {}
    for row in mistake.evidence:
        if row.question in answered:
            seen.setdefault(row.question, []).append(row)
    for qid, rows in seen.items():
        value = answers[qid]
        ratio, kind = answer_ratio(mistake, kb.question_by_id[qid], rows, value)
        if ratio != 1.0:
            moves.append(Move(qid, math.log(ratio), kind.value))
            log_odds += math.log(ratio)
    probability = 1 / (1 + math.exp(-log_odds))
    moves.sort(key=lambda m: -abs(m.log_ratio))
    return Belief(
        index=index,
        id=mistake.id,
        prior=mistake.prior.p,
        probability=probability,
        moves=tuple(moves),
    )


def _posterior(index: int, cause: Cause, prior: float, moves: list[Move]) -> Belief:
    """The belief of a cause no answer bears on: the same arithmetic as :func:`belief`."""
    log_odds = math.log(odds(prior))
    probability = 1 / (1 + math.exp(-log_odds))
    moves.sort(key=lambda m: -abs(m.log_ratio))
    return Belief(
        index=index, id=cause.id, prior=cause.prior.p, probability=probability, moves=tuple(moves)
    )


def beliefs(kb: KnowledgeBase, answers: Mapping[str, Answer]) -> list[Belief]:
    """Every cause's posterior, in knowledge-base order."""
    answered = _answered(answers, None)
    return [belief(kb, i, answers, answered=answered) for i in range(len(kb.causes))]
