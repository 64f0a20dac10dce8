"""The edge that reads a video and runs the pose model (the ``video`` extra).

It decodes frames with OpenCV and finds the body's landmarks with MediaPipe Pose (the
"full" model, ``model_complexity=1``, whose weights ship inside the ``mediapipe`` wheel:
nothing is downloaded). It decides nothing: :mod:`hipthrust_cli.video.analysis` does.
Its errors are :class:`~hipthrust_cli.errors.UsageError` sentences for the CLI.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from hipthrust_cli.errors import UsageError
from hipthrust_cli.safetext import quote
from hipthrust_cli.video.landmarks import NAMES, Clip, Landmark, Pose

if TYPE_CHECKING:  # pragma: no cover
    from hipthrust_cli.video.analysis import Analysis

INSTALL_HINT = (
    "hipthrust analyze needs the video extra (a pose model and OpenCV, about 1 GB): "
    "pip install 'hipthrust[video]'. It installs on Python 3.10-3.12 on Linux x86_64, macOS "
    "and Windows."
)

# MediaPipe Pose landmark numbers of the landmarks we use.
INDEX = {
    "nose": 0,
    "left_ear": 7,
    "right_ear": 8,
    "left_shoulder": 11,
    "right_shoulder": 12,
    "left_hip": 23,
    "right_hip": 24,
    "left_knee": 25,
    "right_knee": 26,
    "left_ankle": 27,
    "right_ankle": 28,
    "left_heel": 29,
    "right_heel": 30,
    "left_foot_index": 31,
    "right_foot_index": 32,
}
assert set(INDEX) == set(NAMES)

MAX_FRAMES = 30 * 60 * 10  # ten minutes at 30 fps: a set is seconds long
WORK_WIDTH = 640  # frames are shrunk to this width before the pose model sees them


class FrameProgress(Protocol):
    """What the reader reports while it works (a progress bar, in the CLI)."""

    def start(self, total: int) -> None:
        """The number of frames to read (0 when the container does not say)."""

    def advance(self) -> None:
        """One more frame read."""


def missing() -> str | None:
    """Why the video extra cannot be used here, or ``None`` when it can."""
    import importlib.util

    for module in ("mediapipe", "cv2"):
        if importlib.util.find_spec(module) is None:
            return INSTALL_HINT
    return None


@contextlib.contextmanager
def quiet_native_logs() -> Iterator[TextIO]:
    """Keep the pose model's own logging (TensorFlow Lite, glog, absl) off the terminal.

    That logging is written by C++ straight to file descriptor 2, so the descriptor is
    pointed at the null device while the model runs. The stream yielded still reaches the
    real stderr: draw progress on it.
    """
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        attached = sys.stderr.fileno() == 2
    except (AttributeError, OSError, ValueError):  # stderr replaced, e.g. captured
        attached = False
    sys.stderr.flush()
    saved = os.dup(2)
    terminal: TextIO = (
        os.fdopen(os.dup(saved), "w", buffering=1, encoding="utf-8", errors="replace")
        if attached
        else sys.stderr
    )
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    try:
        yield terminal
    finally:
        with contextlib.suppress(OSError, ValueError):
            terminal.flush()
        if attached:
            terminal.close()
        os.dup2(saved, 2)
        os.close(saved)


def _import() -> tuple[Any, Any]:
    hint = missing()
    if hint:
        raise UsageError(hint)
    try:
        import cv2
        import mediapipe
    except ImportError as exc:  # e.g. two OpenCV packages overwrote each other's cv2
        raise UsageError(
            f"The video extra is installed but cannot be loaded ({exc}). If another OpenCV "
            "package is installed beside it, uninstall them all and run "
            "pip install --force-reinstall 'hipthrust[video]'."
        ) from None
    return cv2, mediapipe


def _open(cv2: Any, path: Path) -> Any:
    if not path.exists():
        raise UsageError(f"The video {quote(path)} does not exist; check the path.")
    if path.is_dir():
        raise UsageError(f"{quote(path)} is a folder; give the path of a video file.")
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):  # a FIFO would block the decoder for ever, a device fill it
        from hipthrust_cli.paths import kind_of

        raise UsageError(f"{quote(path)} is {kind_of(mode)}; give the path of a video file.")
    if not os.access(path, os.R_OK):
        raise UsageError(f"The video {quote(path)} cannot be read (permission denied).")
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        cap.release()
        raise UsageError(
            f"{quote(path)} could not be opened as a video; use an MP4 or MOV from a phone."
        )
    return cap


def _pose_from(result: Any, width: int, height: int) -> Pose | None:
    if result.pose_landmarks is None:
        return None
    points = result.pose_landmarks.landmark
    image = {
        name: Landmark(points[i].x * width, points[i].y * height, points[i].visibility)
        for name, i in INDEX.items()
    }
    world: dict[str, tuple[float, float, float]] = {}
    if result.pose_world_landmarks is not None:
        wl = result.pose_world_landmarks.landmark
        world = {name: (wl[i].x, wl[i].y, wl[i].z) for name, i in INDEX.items()}
    return Pose(image=image, world=world)


def _model(mediapipe: Any, still: bool) -> Any:
    # model_complexity=1 is the model whose weights ship in the wheel; 0 and 2 would be
    # downloaded on first use, which we never do.
    return mediapipe.solutions.pose.Pose(
        static_image_mode=still,
        model_complexity=1,
        smooth_landmarks=True,
        enable_segmentation=False,
        min_detection_confidence=0.5,
        min_tracking_confidence=0.5,
    )


def read(path: Path, progress: FrameProgress | None = None) -> Clip:
    """Decode *path* and find the pose in every frame."""
    cv2, mediapipe = _import()
    cap = _open(cv2, path)
    try:
        width = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        total = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        if progress is not None:
            progress.start(max(0, min(total, MAX_FRAMES)))
        poses: list[Pose | None] = []
        with _model(mediapipe, still=False) as model:
            while len(poses) < MAX_FRAMES:
                ok, frame = cap.read()
                if not ok:
                    break
                if frame.shape[1] > WORK_WIDTH:  # the model sees 256 px; a smaller copy is cheaper
                    scale = WORK_WIDTH / frame.shape[1]
                    frame = cv2.resize(
                        frame,
                        (WORK_WIDTH, round(frame.shape[0] * scale)),
                        interpolation=cv2.INTER_AREA,
                    )
                rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
                # Landmarks come back as fractions of the frame: scale to the original size.
                poses.append(_pose_from(model.process(rgb), width, height))
                if progress is not None:
                    progress.advance()
    finally:
        cap.release()
    if not poses:
        raise UsageError(
            f"No frames could be read from {quote(path)}; is it a video? Use an MP4 or MOV."
        )
    return Clip(width=width, height=height, fps=fps if fps > 0 else 30.0, poses=poses)


def detect_image(rgb: Any) -> Pose | None:
    """The pose in one RGB image (a numpy array), or ``None`` when nobody is found."""
    _, mediapipe = _import()
    import numpy

    height, width = rgb.shape[:2]
    with _model(mediapipe, still=True) as model:
        return _pose_from(model.process(numpy.ascontiguousarray(rgb)), width, height)


SKELETON = (
    ("ear", "shoulder"),
    ("shoulder", "hip"),
    ("hip", "knee"),
    ("knee", "ankle"),
    ("ankle", "heel"),
    ("heel", "foot_index"),
    ("ankle", "foot_index"),
)


def annotate(path: Path, clip: Clip, analysis: Analysis, out: Path) -> bool:
    """Write the top frame of the most typical rep, with skeleton and angles, as a PNG.

    Returns False when there is no rep to draw.
    """
    cv2, _ = _import()
    best = analysis.best_rep()
    if best is None:
        return False
    pose = clip.poses[best.peak_frame]
    cap = _open(cv2, path)
    try:
        cap.set(cv2.CAP_PROP_POS_FRAMES, best.peak_frame)
        ok, frame = cap.read()
    finally:
        cap.release()
    if not ok:
        raise UsageError(f"Could not read frame {best.peak_frame} of {quote(path)} again.")
    if pose is not None:
        side = analysis.quality.side
        scale = max(1.0, frame.shape[0] / 720)

        def at(name: str) -> tuple[int, int] | None:
            lm = pose.image.get(f"{side}_{name}") or pose.image.get(name)
            return (int(lm.x), int(lm.y)) if lm else None

        thick = int(3 * scale)
        for a, b in SKELETON:
            pa, pb = at(a), at(b)
            if pa and pb:
                cv2.line(frame, pa, pb, (80, 220, 80), thick, cv2.LINE_AA)
        for name in ("ear", "shoulder", "hip", "knee", "ankle", "heel", "foot_index", "nose"):
            p = at(name)
            if p:
                cv2.circle(frame, p, int(6 * scale), (40, 40, 230), -1, cv2.LINE_AA)
        labels = [
            ("hip", best.hip_extension_top_deg, "hip"),
            ("knee", best.shin_angle_top_deg, "shin"),
            ("shoulder", best.torso_floor_top_deg, "torso"),
        ]
        for joint, value, word in labels:
            p = at(joint)
            if p and value is not None:
                _label(cv2, frame, f"{word} {value:.0f} deg", (p[0] + 12, p[1] - 12), scale)
    lines = [f"rep {best.rep} of {analysis.reps}, top at {best.peak_frame / clip.fps:.2f} s"]
    lines += [f"{a.question}: {a.choice} ({a.value:g})" for a in analysis.answers]
    for i, text in enumerate(lines):
        _label(cv2, frame, text, (int(12 * scale), int((30 + 28 * i) * scale)), scale)
    if not cv2.imwrite(str(out), frame):
        raise UsageError(f"Cannot write {quote(out)}; check the folder and that it ends in .png.")
    return True


def _label(cv2: Any, frame: Any, text: str, org: tuple[int, int], scale: float) -> None:
    font, size = cv2.FONT_HERSHEY_SIMPLEX, 0.7 * scale
    thick = max(1, int(2 * scale))
    cv2.putText(frame, text, org, font, size, (0, 0, 0), thick + 3, cv2.LINE_AA)
    cv2.putText(frame, text, org, font, size, (255, 255, 255), thick, cv2.LINE_AA)
