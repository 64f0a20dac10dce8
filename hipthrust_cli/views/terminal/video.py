"""``hipthrust analyze`` on a terminal: the frame-reading progress bar and the analysis."""

from __future__ import annotations

import shlex
from typing import Any, TextIO

from hipthrust_cli.kb import KnowledgeBase
from hipthrust_cli.safetext import clean
from hipthrust_cli.views.terminal.console import Column, bullets, console, lines, t, table


class _FrameBar:
    """A Rich progress bar for reading a video's frames (on stderr, gone when done)."""

    def __init__(self, stream: TextIO, label: str) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console(stream),
            transient=True,
        )
        self._label = clean(label)
        self._task: Any = None

    def start(self, total: int) -> None:
        self._task = self._progress.add_task(self._label, total=total or None)
        self._progress.start()

    def advance(self) -> None:
        if self._task is not None:
            self._progress.advance(self._task)

    def stop(self) -> None:
        if self._task is not None:
            self._progress.stop()


def frame_progress(stream: TextIO, label: str) -> _FrameBar:
    """A progress bar drawn on *stream* while frames are read; call ``stop()`` at the end."""
    return _FrameBar(stream, label)


def _video_value(value: float | None, unit: str = "°") -> str:
    if value is None:
        return "–"
    return f"{value:.2f}{unit}" if unit == " s" else f"{value:.0f}{unit}"


def print_analysis(a: Any, kb: KnowledgeBase, video: str, out: TextIO, disclaimer: str) -> None:
    """``hipthrust analyze``: the clip, a per-rep table, what it concluded and what not."""
    from rich.padding import Padding
    from rich.rule import Rule

    con = console(out)
    q = a.quality
    con.print(
        lines(
            t(video, "bold"),
            f": {a.width}×{a.height}, {a.fps:g} fps, {a.duration_s:g} s; a person in "
            f"{q.pose_share:.0%} of the frames; {a.reps} complete rep{'s' * (a.reps != 1)}.",
        )
    )
    if a.per_rep:
        columns: list[Column] = [
            ("Rep", 0, 3),
            ("Lift", 0, 6),
            ("Hold", 0, 6),
            ("Lower", 0, 6),
            ("Hip at top", 1, 4),
            ("Shin", 0, 4),
            ("Torso", 0, 5),
            ("Head change", 1, 4),
        ]
        cells = [
            [
                f"Rep {r.rep}",
                _video_value(r.lift_s, " s"),
                _video_value(r.hold_s, " s"),
                _video_value(r.lower_s, " s"),
                _video_value(r.hip_extension_top_deg),
                _video_value(r.shin_angle_top_deg),
                _video_value(r.torso_floor_top_deg),
                _video_value(r.head_change_deg),
            ]
            for r in a.per_rep
        ]
        table(con, columns, cells, "Per rep")
        con.print(
            t(
                "Hip at top: shoulder-hip-knee, 180° is a straight line. Shin: from vertical, "
                "+ when the feet are out in front of the knees. Torso: against the floor. "
                "Head change: - when the head tips back as the hips rise.",
                "dim",
            )
        )
        if a.consistency:
            cv = a.consistency.get("rep_duration_cv")
            sd = a.consistency.get("hip_extension_top_sd_deg")
            parts = []
            if cv is not None:
                parts.append(f"rep length varies by {cv:.0%}")
            if sd is not None:
                parts.append(f"hip angle at the top by ±{sd:.0f}°")
            con.print(t("Consistency: " + ", ".join(parts) + ".", "dim"))
    questions = kb.question_by_id
    con.print()
    con.print(Rule(t("Measured from video", "bold"), align="left"))
    rows = []
    for ans in a.answers:
        question = questions.get(ans.question)
        words = question.label_of(ans.choice) if question else ans.choice
        title = question.text if question else ans.question
        rows.append(
            (t("✓", "green"), lines(t(title, "bold"), " — ", words, "\n", t(ans.text, "dim")))
        )
    if not rows:
        rows.append((t("•"), t("Nothing could be concluded with confidence.")))
    con.print(bullets(rows, 1))
    if a.unanswered or a.not_measured:
        con.print()
        con.print(Rule(t("Still questions", "bold"), align="left"))

        def asked(qid: str) -> str:
            return questions[qid].text if qid in questions else qid

        later = [
            (t("?", "yellow"), lines(t(asked(u.question), "bold"), "\n", t(u.reason, "dim")))
            for u in a.unanswered
        ]
        later += [
            (t("?", "yellow"), lines(t(asked(qid), "bold"), "\n", t(why, "dim")))
            for qid, why in a.not_measured.items()
        ]
        con.print(bullets(later, 1))
    if a.warnings:
        con.print()
        con.print(Rule(t("Warnings", "bold yellow"), align="left"))
        con.print(bullets([(t("!", "yellow"), t(w)) for w in a.warnings], 1))
    con.print()
    con.print(Rule(style="dim"))
    con.print(Padding(t(a.cannot_see), (0, 1)))
    con.print(
        Padding(
            t(
                "Use these answers in a diagnosis: hipthrust diagnose --video "
                + shlex.quote(video),
                "bold",
            ),
            (0, 1),
        )
    )
    con.print(Padding(t(disclaimer, "dim italic"), (0, 1)))
