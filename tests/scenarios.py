"""The calibration scenarios (tests/data/scenarios.yaml) and a simulated person.

Shared by tests/core/test_calibration.py and benchmarks/interview.py. A simulated person knows
every answer of their own (the baseline with the scenario's changes) and answers
whatever the interview asks, never more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hipthrust_cli.core.diagnose import diagnose
from hipthrust_cli.core.interview import Interview
from hipthrust_cli.core.report import Diagnosis
from hipthrust_cli.kb import NOT_SURE, Answer, KnowledgeBase

SCENARIOS = Path(__file__).parent / "data" / "scenarios.yaml"
BANDS = ["possible", "likely", "very likely"]

# What a person ticks in the 'what_you_see' checklist follows from what they do: the
# checklist is the quick look, the detailed questions the close one.
SEEN: dict[tuple[str, str], str] = {
    ("lockout_arch", "clearly"): "back_arches",
    ("range_of_motion", "too_high"): "hips_too_high",
    ("range_of_motion", "short"): "stops_short",
    ("head_position", "looking_up"): "head_back",
    ("head_position", "pressing_back"): "head_back",
    ("bench_contact", "mid_back"): "bench_off",
    ("bench_contact", "neck_shoulders"): "bench_off",
    ("bench_contact", "slides"): "bench_off",
    ("bench_height", "high"): "bench_high",
    ("shins_at_top", "feet_far"): "feet_far",
    ("shins_at_top", "feet_close"): "feet_close",
    ("heel_lift", "heels_lift"): "heels_lift",
    ("tempo", "bounce"): "bounce",
    ("tempo", "fast_drop"): "bounce",
    ("load_change", "added_form_breaks"): "form_breaks_heavy",
    ("load_change", "grinding"): "form_breaks_heavy",
    ("bar_position", "stomach"): "bar_off",
    ("bar_position", "thighs"): "bar_off",
}


@dataclass
class Scenario:
    """One person and what their report must say."""

    name: str
    answers: dict[str, Answer]
    first: str | None = None
    top: list[str] = field(default_factory=list)
    not_reported: list[str] = field(default_factory=list)
    max_band: str | None = None

    def check(self, report: Diagnosis) -> list[str]:
        """What is wrong with *report* for this person (empty when it is right)."""
        ids = [f.id for f in report.findings]
        wrong = []
        if self.first is not None and ids[:1] != [self.first]:
            wrong.append(f"expected {self.first} first, got {ids[:3]}")
        for cause in self.top:
            if cause not in ids[:3]:
                wrong.append(f"expected {cause} in the top three, got {ids[:3]}")
        for cause in self.not_reported:
            if cause in ids:
                wrong.append(f"{cause} should not be reported")
        if self.max_band is not None:
            for f in report.findings:
                if f.band is not None and BANDS.index(f.band) > BANDS.index(self.max_band):
                    wrong.append(f"{f.id} is {f.band}, above {self.max_band}")
        return wrong


def person(baseline: Mapping[str, Answer], changes: Mapping[str, Answer]) -> dict[str, Answer]:
    """Every answer of one person: the baseline, the changes, and the checklist they imply."""
    answers = {**baseline, **changes}
    if "what_you_see" not in changes:
        ticks = sorted({tick for (q, a), tick in SEEN.items() if answers.get(q) == a})
        answers["what_you_see"] = ticks or ["none"]
    return answers


def load() -> list[Scenario]:
    """Every scenario of the table."""
    data: dict[str, Any] = yaml.safe_load(SCENARIOS.read_text(encoding="utf-8"))
    baseline = data["baseline"]
    return [
        Scenario(
            name=row["name"],
            answers=person(baseline, row["answers"]),
            first=row.get("first"),
            top=list(row.get("top", [])),
            not_reported=list(row.get("not", [])),
            max_band=row.get("max_band"),
        )
        for row in data["scenarios"]
    ]


def interview(kb: KnowledgeBase, answers: Mapping[str, Answer]) -> tuple[Interview, Diagnosis]:
    """Run the adaptive interview with a person who answers every question they are asked."""
    run = Interview.start(kb, {})
    while (question := run.next_question()) is not None:
        run.record(question, answers.get(question.id, NOT_SURE))
    return run, diagnose(kb, run.final_answers(), None, run.asked)
