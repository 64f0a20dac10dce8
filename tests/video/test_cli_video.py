"""`hipthrust analyze` and `diagnose --video` as a user sees them, with the pose model faked.

The edge that reads the video is replaced by the kinematic model, so these run without
the video extra; tests/video/test_pose_model.py runs the real model.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hipthrust_cli.video import pose
from tests.conftest import Run, story, write_answers

from .kinematics import Camera, Thrust, film

MEASURED = ("shins_at_top", "range_of_motion", "tempo", "head_position")


@pytest.fixture
def fake_video(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A file that 'contains' a set with feet too far, read by a fake pose edge."""
    clip = film(Thrust(shin_top_deg=22, lower_s=1.2), Camera())
    path = tmp_path / "set.mp4"
    path.write_bytes(b"not really a video")

    def read(p: Path, progress: Any = None) -> Any:
        if progress is not None:
            progress.start(len(clip.poses))
            for _ in clip.poses:
                progress.advance()
        return clip

    monkeypatch.setattr(pose, "missing", lambda: None)
    monkeypatch.setattr(pose, "read", read)
    return path


def test_analyze_prints_reps_and_what_it_measured(cli: Any, fake_video: Path) -> None:
    run: Run = cli("analyze", str(fake_video))
    assert run.code == 0, run
    assert "4 complete reps" in run.stdout
    assert "Measured from video" in run.stdout
    assert "Feet out in front of my knees" in run.stdout
    assert "cannot see a lumbar arch" in run.stdout
    assert "does not replace" in run.stdout  # every report ends with the clinician note
    assert "Traceback" not in run.stderr


def test_analyze_json(cli: Any, fake_video: Path) -> None:
    run: Run = cli("analyze", str(fake_video), "--format", "json")
    assert run.code == 0, run
    data = run.json()
    assert data["reps"] == 4
    assert data["answers"]["shins_at_top"] == "feet_far"
    assert {e["question"] for e in data["evidence"]} == set(data["answers"])
    assert all(e["source"] == "video" and e["threshold"] for e in data["evidence"])


def test_analyze_without_the_extra_says_how_to_install(
    cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(pose, "missing", lambda: pose.INSTALL_HINT)
    video = tmp_path / "set.mp4"
    video.write_bytes(b"x")
    for args in (("analyze", str(video)), ("diagnose", "--video", str(video), "--no-input")):
        run: Run = cli(*args)
        assert run.code == 2, run
        assert "pip install 'hipthrust[video]'" in run.stderr
        assert run.stdout == ""


def test_annotate_must_be_a_png_in_a_folder_that_exists(cli: Any, fake_video: Path) -> None:
    run: Run = cli("analyze", str(fake_video), "--annotate", "out.jpg")
    assert run.code == 2 and ".png" in run.stderr
    run = cli("analyze", str(fake_video), "--annotate", "/no/such/folder/out.png")
    assert run.code == 2 and "does not exist" in run.stderr


def test_analyze_help_says_how_to_film(cli: Any) -> None:
    run: Run = cli("analyze", "--help")
    assert run.code == 0
    text = " ".join(run.stdout.split())
    for words in ("hip height", "side on", "landscape", "2-3 reps", "hipthrust[video]"):
        assert words in text


def _without_measured(tmp_path: Path) -> str:
    # Someone who films a set has not looked closely yet: the 'what you see' checklist
    # is "not sure", so the video's measurements decide.
    answers = story(**{q: None for q in MEASURED}, what_you_see="not_sure")
    return str(write_answers(tmp_path / "answers.yaml", answers))


def test_diagnose_video_fills_in_and_marks_measured_answers(
    cli: Any, fake_video: Path, tmp_path: Path
) -> None:
    answers = _without_measured(tmp_path)
    run: Run = cli(
        "diagnose",
        "--video",
        str(fake_video),
        "--answers",
        answers,
        "--format",
        "json",
        "--no-history",
    )
    assert run.code == 0, run
    data = run.json()
    assert data["answers"]["shins_at_top"] == "feet_far"
    assert data["measured"]["shins_at_top"]["source"] == "video"
    marked = [
        e for f in data["findings"] for e in f["supporting"] if e["question"] == "shins_at_top"
    ]
    assert marked and all(e["source"] == "video" for e in marked)
    assert all("measured from video" in e["text"] for e in marked)
    assert "Measured from video" in run.stderr


@pytest.mark.parametrize("fmt", ["rich", "markdown"])
def test_every_view_marks_measured_answers(
    cli: Any, fake_video: Path, tmp_path: Path, fmt: str
) -> None:
    answers = _without_measured(tmp_path)
    out = tmp_path / "report.html"
    run: Run = cli(
        "diagnose",
        "--video",
        str(fake_video),
        "--answers",
        answers,
        "--format",
        fmt,
        "--no-history",
        "-o",
        str(out),
    )
    assert run.code == 0, run
    assert "Measured from video" in run.stdout
    assert "measured from video" in " ".join(run.stdout.split())
    assert "measured from video" in out.read_text()


def test_a_given_answer_beats_the_video(cli: Any, fake_video: Path, tmp_path: Path) -> None:
    answers = _without_measured(tmp_path)
    run: Run = cli(
        "diagnose",
        "--video",
        str(fake_video),
        "--answers",
        answers,
        "--answer",
        "shins_at_top=vertical",
        "--format",
        "json",
        "--no-history",
    )
    data = run.json()
    assert data["answers"]["shins_at_top"] == "vertical"
    assert "shins_at_top" not in data["measured"]


def test_video_answers_mean_fewer_questions(kb: Any, fake_video: Path) -> None:
    from hipthrust_cli.core.interview import Interview

    without = Interview.start(kb, {}).pending()
    clip = pose.read(fake_video)
    from hipthrust_cli.video import analysis, rules

    measured = analysis.analyze(clip, rules.load()).answer_map()
    with_video = Interview.start(kb, measured).pending()
    assert len(with_video) == len(without) - len(measured) and len(measured) >= 3


def test_the_extra_is_not_imported_by_other_commands() -> None:
    code = (
        "import sys; from hipthrust_cli import cli\n"
        "sys.argv = ['hipthrust', 'questions', '--format', 'json']\n"
        "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
        "heavy = {'mediapipe', 'cv2', 'numpy'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_a_saved_report_keeps_its_measured_answers(
    cli: Any, fake_video: Path, tmp_path: Path
) -> None:
    answers = _without_measured(tmp_path)
    run: Run = cli("diagnose", "--video", str(fake_video), "--answers", answers)
    assert run.code == 0, run
    shown = cli("history", "show", "1", "--format", "json").json()
    assert shown["measured"]["shins_at_top"]["source"] == "video"
    assert "measured from video" in " ".join(cli("history", "show", "1").stdout.split())
