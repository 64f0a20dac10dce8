"""Mark the answers of a report that were measured from a video (pure)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from hipthrust_cli.core.report import Diagnosis, EvidenceItem
    from hipthrust_cli.video.analysis import VideoAnswer

MARK = "measured from video"


def mark_measured(
    report: Diagnosis, measured: Mapping[str, VideoAnswer], words: Mapping[str, str]
) -> Diagnosis:
    """*report* with every answer taken from *measured* marked "measured from video".

    Each view draws the evidence text, so the mark is in the text; JSON also gets
    ``source: video`` on those evidence items and in ``measured``. *words* gives each
    question and its answer in words, as the report's "Measured from video" list shows it.
    """
    used = {q: a for q, a in measured.items() if report.answers.get(q) == a.choice}

    def mark(items: list[EvidenceItem]) -> list[EvidenceItem]:
        return [
            dataclasses.replace(
                e, text=f"{e.text} ({MARK}: {used[e.question].text})", source="video"
            )
            if e.question in used
            else e
            for e in items
        ]

    findings = [
        dataclasses.replace(
            f,
            supporting=mark(f.supporting),
            conflicting=mark(f.conflicting),
            unconfirmed=mark(f.unconfirmed),
        )
        for f in report.findings
    ]
    return dataclasses.replace(
        report,
        findings=findings,
        measured={
            q: {
                "answer": a.choice,
                "source": a.source,
                "words": words.get(q, q),
                "text": a.text,
            }
            for q, a in used.items()
        },
    )
