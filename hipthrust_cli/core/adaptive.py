"""The adaptive interview: which question to ask next, and when to stop asking.

After the warning-sign screen (fixed and complete, never adaptive) and the questions
``settings.always_ask`` names, the next question is the one whose answer is expected
to tell the most about the causes: the sum, over causes, of the expected fall in the
entropy of "is this cause present?" (expected information gain, in bits). Self-tests
(``group: self_test``) count for half, since they take the person away from the screen,
and once one is asked the other worthwhile self-tests follow it, as one group.

Stopping rule: for each remaining question we compute the chance that its answer moves
at least one cause across a band edge (into or out of "possible", "likely", "very
likely"), using the current posteriors to predict the answer. When no remaining question
reaches ``settings.stop_threshold`` the answers left are unlikely to change what the
report says, and the interview stops. (A worst-case rule — "could any answer move
anything?" — would ask nearly every question.)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hipthrust_cli.core.model import beliefs
from hipthrust_cli.kb import Answer, KnowledgeBase, Likelihood, Question
from hipthrust_cli.kb.odds import features, odds, prob

SELF_TEST_WEIGHT = 0.5  # a self-test's information counts half: it costs getting up


def _entropy(p: float) -> float:
    if p <= 0 or p >= 1:
        return 0.0
    return -(p * math.log2(p) + (1 - p) * math.log2(1 - p))


def _band_index(p: float, edges: Sequence[float]) -> int:
    return sum(1 for e in edges if p >= e)


@dataclass(frozen=True)
class Value:
    """What asking one question is worth now."""

    question: str
    gain: float  # expected information gain, bits, summed over causes
    cross: float  # chance that the answer moves some cause across a band edge


def value_of(kb: KnowledgeBase, question: Question, probabilities: Sequence[float]) -> Value:
    """Expected information gain of *question*, and its chance of changing a band."""
    edges = [e for _, e in kb.settings.bands.edges()]
    gain = 0.0
    stay = 1.0  # chance that no cause changes band
    by_cause: dict[int, list[Likelihood]] = {}
    for index, row in kb.evidence_by_question.get(question.id, ()):
        by_cause.setdefault(index, []).append(row)
    for index, rows in by_cause.items():
        p = probabilities[index]
        band = _band_index(p, edges)
        for outcomes in features(question, rows):
            expected_h = 0.0
            crossing = 0.0
            for present, absent in outcomes:
                p_answer = p * present + (1 - p) * absent
                if p_answer <= 0:
                    continue
                post = prob(odds(p) * present / absent) if 0 < p < 1 else p
                expected_h += p_answer * _entropy(post)
                if _band_index(post, edges) != band:
                    crossing += p_answer
            gain += max(0.0, _entropy(p) - expected_h)
            stay *= 1 - min(1.0, crossing)
    return Value(question.id, gain, 1 - stay)


def next_adaptive(
    kb: KnowledgeBase,
    answers: Mapping[str, Answer],
    pending: Sequence[Question],
    last_asked: Question | None = None,
) -> Question | None:
    """The most informative pending question worth asking, or None to stop."""
    if not pending:
        return None
    probabilities = [b.probability for b in beliefs(kb, answers)]
    threshold = kb.settings.stop_threshold
    best: tuple[float, int, Question] | None = None
    grouping = last_asked is not None and last_asked.group == "self_test"
    for order, question in enumerate(pending):
        v = value_of(kb, question, probabilities)
        if v.cross < threshold:
            continue
        worth = v.gain * (SELF_TEST_WEIGHT if question.group == "self_test" else 1.0)
        if grouping and question.group == "self_test":
            worth += 100.0  # finish the group of quick tests before moving on
        key = (worth, -order)
        if best is None or key > (best[0], best[1]):
            best = (worth, -order, question)
    return best[2] if best else None


def remaining_values(
    kb: KnowledgeBase, answers: Mapping[str, Answer], pending: Sequence[Question]
) -> list[Value]:
    """The value of every pending question, most informative first (for benchmarks)."""
    probabilities = [b.probability for b in beliefs(kb, answers)]
    values = [value_of(kb, q, probabilities) for q in pending]
    return sorted(values, key=lambda v: -v.gain)
