"""``hipthrust analyze``: measure a set from a video; and the video answers of ``diagnose``."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hipthrust_cli.cli import common
from hipthrust_cli.cli.app import app, examples
from hipthrust_cli.cli.common import KbOption
from hipthrust_cli.cli.funnel import warn
from hipthrust_cli.errors import UsageError
from hipthrust_cli.safetext import clean_line, quote

if TYPE_CHECKING:  # pragma: no cover - types only; importing them would slow start-up
    from hipthrust_cli.kb import Answer, KnowledgeBase
    from hipthrust_cli.video.analysis import VideoAnswer


class VideoFormat(str, Enum):
    """Output formats of a video analysis."""

    rich = "rich"
    json = "json"


def _analyze_video(path: Path, annotate: Path | None = None) -> Any:
    """Read *path* with the pose model (progress on stderr) and analyse it."""
    from hipthrust_cli.video import analysis, pose, rules
    from hipthrust_cli.views.terminal.video import frame_progress

    hint = pose.missing()
    if hint:
        raise UsageError(hint)
    if annotate is not None:
        if annotate.suffix.lower() != ".png":
            raise UsageError(f"Cannot write {quote(annotate)}: give a file name ending in .png.")
        if not annotate.parent.is_dir():
            raise UsageError(
                f"Cannot write {quote(annotate)}: the folder {quote(annotate.parent)} does "
                "not exist."
            )
    settings = rules.load()
    with pose.quiet_native_logs() as terminal:
        bar = frame_progress(terminal, f"Reading {path.name}")
        try:
            clip = pose.read(path, bar)
        finally:
            bar.stop()
        result = analysis.analyze(clip, settings)
        if annotate is not None:
            if pose.annotate(path, clip, result, annotate):
                terminal.write(f"Annotated picture written to {clean_line(str(annotate))}\n")
            else:
                terminal.write("No complete rep was found, so no picture was written.\n")
    return result


def video_answers(
    path: Path, kb: KnowledgeBase, given: Mapping[str, Answer]
) -> dict[str, VideoAnswer]:
    """The answers a video measured with confidence, for questions not answered otherwise."""
    from hipthrust_cli.session import measured_answers

    result = _analyze_video(path)
    for warning in result.warnings:
        warn(warning)
    kept, notices = measured_answers(kb, result.answers, given)
    common.notify(notices)
    return kept


@app.command(
    epilog=examples(
        "hipthrust analyze my-set.mp4",
        "hipthrust analyze my-set.mp4 --annotate top.png",
        "hipthrust diagnose --video my-set.mp4",
    )
)
def analyze(
    video: Annotated[Path, typer.Argument(help="A side-view video of a set.")],
    fmt: Annotated[
        VideoFormat,
        typer.Option("--format", "-f", case_sensitive=False, help="How to print: rich or json."),
    ] = VideoFormat.rich,
    annotate: Annotated[
        Path | None,
        typer.Option(
            "--annotate",
            metavar="OUT.png",
            help="Also write the top of the most typical rep, with the skeleton and the "
            "measured angles drawn on it, as a PNG.",
        ),
    ] = None,
    kb_dirs: KbOption = None,
) -> None:
    """Measure a hip thrust from a side-view video: reps, tempo, hip and shin angles.

    Filming: phone at hip height, side on, in landscape, whole body and bench in frame, 2-3 reps.

    Needs the video extra: pip install 'hipthrust[video]'. What it measures with
    confidence answers questions for you in: hipthrust diagnose --video VIDEO
    """
    from hipthrust_cli.core.report import DISCLAIMER
    from hipthrust_cli.video.analysis import report_dict

    kb = common.load(kb_dirs)
    result = _analyze_video(video, annotate)
    if fmt is VideoFormat.json:
        from hipthrust_cli.views.json import to_json

        common.echo(to_json(report_dict(result, str(video))))
    else:
        from hipthrust_cli.views.terminal.video import print_analysis

        print_analysis(result, kb, str(video), sys.stdout, DISCLAIMER)
