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
anything?" — would ask nearly every question.) A question must also be expected to tell
at least :data:`MIN_GAIN` bits: a weak cause sitting right on a band edge makes almost
any answer "cross" it (0.42 to 0.38 leaves "possible"), and such a nudge is not worth a
prompt. Both are discounted by how often this person has answered "Not sure" after the
screen (:func:`unsure_rate`): an answer that is likely to be "Not sure" is likely to
change nothing, so someone who knows little about their lift is not asked every question.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hipthrust_cli.core.model import beliefs
from hipthrust_cli.kb import NOT_SURE, Answer, KnowledgeBase, Likelihood, Question
from hipthrust_cli.kb.odds import features, odds, prob

SELF_TEST_WEIGHT = 0.5  # a self-test's information counts half: it costs getting up
# Below a tenth of a bit, summed over every cause, an answer only nudges a cause that
# sits on a band edge. Tuned with benchmarks/interview.py: 0.1 drops such nudges (the
# head position asked of someone who thrusts too high, only because arching sat at 0.42)
# with every scenario still right; 0.12 loses a short plank behind form slipping late.
MIN_GAIN = 0.1


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


def unsure_rate(kb: KnowledgeBase, answers: Mapping[str, Answer]) -> float:
    """The chance that this person's next answer is "Not sure", from their answers so far.

    Counts the questions after the screen (not the warning signs, nor what they read) with
    two informative answers added, so that one early "Not sure" does not silence the
    interview: 1 of 1 gives 1/3, 4 of 4 gives 2/3.
    """
    fixed = kb.red_flag_questions | set(kb.settings.always_ask)
    told = [
        value
        for qid, value in answers.items()
        if qid in kb.question_by_id and not kb.question_by_id[qid].red_flag and qid not in fixed
    ]
    return sum(1 for v in told if v == NOT_SURE) / (len(told) + 2)


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
    informative = 1.0 - unsure_rate(kb, answers)
    best: tuple[float, int, Question] | None = None
    grouping = last_asked is not None and last_asked.group == "self_test"
    for order, question in enumerate(pending):
        v = value_of(kb, question, probabilities)
        if v.cross * informative < threshold or v.gain * informative < MIN_GAIN:
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
