"""Calibration: the cause model against people whose causes are known.

Every scenario of tests/data/scenarios.yaml (single causes, two causes, vague and "not
sure" answers, normal effort, proxies against observations, context) is run twice:
with every answer given, and through the adaptive interview with a person who answers
whatever is asked. Both must put the expected cause first or the expected causes in the
top three. benchmarks/interview.py reports the questions asked over the same table.
"""

from __future__ import annotations

import pytest

from hipthrust_cli.core.diagnose import diagnose
from hipthrust_cli.kb import KnowledgeBase
from tests.scenarios import Scenario, interview, load

SCENARIOS = load()


def test_the_table_is_big_and_covers_every_kind() -> None:
    assert len(SCENARIOS) >= 40
    assert sum(1 for s in SCENARIOS if s.first) >= 20
    assert sum(1 for s in SCENARIOS if len(s.top) >= 2) >= 5
    assert sum(1 for s in SCENARIOS if s.max_band) >= 5


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_with_every_answer(kb: KnowledgeBase, scenario: Scenario) -> None:
    assert scenario.check(diagnose(kb, scenario.answers)) == []


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_with_every_answer_but_the_checklist(kb: KnowledgeBase, scenario: Scenario) -> None:
    """Answers files written before the 'what you see' checklist still find the cause."""
    answers = {k: v for k, v in scenario.answers.items() if k != "what_you_see"}
    assert scenario.check(diagnose(kb, answers)) == []


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_through_the_adaptive_interview(kb: KnowledgeBase, scenario: Scenario) -> None:
    run, report = interview(kb, scenario.answers)
    assert scenario.check(report) == []
    fixed = kb.red_flag_questions | set(kb.settings.always_ask)
    adaptive = [q for q in run.asked if not kb.question_by_id[q].red_flag and q not in fixed]
    assert len(adaptive) <= 9, adaptive


CONTEXT = ("anatomy", "about_pain")


def test_a_proxy_or_context_never_outranks_a_seen_fault(kb: KnowledgeBase) -> None:
    def proxy_only(supporting: list[str]) -> bool:
        return all(kb.question_by_id[q].group == "self_test" or q in CONTEXT for q in supporting)

    for scenario in SCENARIOS:
        for report in (diagnose(kb, scenario.answers), interview(kb, scenario.answers)[1]):
            flags = [proxy_only([e.question for e in f.supporting]) for f in report.findings]
            assert flags == sorted(flags), scenario.name
            for f, flag in zip(report.findings, flags, strict=True):
                assert not (flag and f.band == "very likely"), (scenario.name, f.id)


def test_two_causes_share_a_band_only_with_comparable_evidence(kb: KnowledgeBase) -> None:
    """Within a band, the odds of neighbouring causes differ by less than a factor of 12."""
    for scenario in SCENARIOS:
        report = diagnose(kb, scenario.answers)
        for a, b in zip(report.findings, report.findings[1:], strict=False):
            assert a.probability is not None and b.probability is not None
            if a.band == b.band:
                odds_a = a.probability / (1 - a.probability)
                odds_b = b.probability / (1 - b.probability)
                assert max(odds_a, odds_b) / min(odds_a, odds_b) < 12, (scenario.name, a.id, b.id)


def test_a_dozen_prompts_in_all(kb: KnowledgeBase) -> None:
    """Issue 12's goal: a median of at most 12 prompts, screen and review included."""
    import statistics

    counts = [len(interview(kb, s.answers)[0].asked) + 1 for s in SCENARIOS]  # + review
    assert statistics.median(counts) <= 12
