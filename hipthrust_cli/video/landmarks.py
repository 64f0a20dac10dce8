"""Pose landmarks per frame, and the angles read off one frame.

A :class:`Clip` is what the pose model saw: one :class:`Pose` (or ``None``) per frame,
with image landmarks in pixels (y grows downwards) and world landmarks in metres (the
model's 3D estimate, centred on the hips, z towards the camera). Angles are measured on
the side of the body nearer the camera, in the image plane, which is the body's sagittal
plane when the camera is side-on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

Side = Literal["left", "right"]

NAMES = (
    "nose",
    "left_ear",
    "right_ear",
    "left_shoulder",
    "right_shoulder",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)
"""The landmarks used, by their MediaPipe names."""

SIDE_JOINTS = ("shoulder", "hip", "knee", "ankle")


@dataclass(frozen=True)
class Landmark:
    """A point in the image (pixels, y down) with the model's visibility score (0-1)."""

    x: float
    y: float
    visibility: float = 1.0


Vec3 = tuple[float, float, float]


@dataclass(frozen=True)
class Pose:
    """The landmarks found in one frame."""

    image: dict[str, Landmark]
    world: dict[str, Vec3] = field(default_factory=dict)


@dataclass(frozen=True)
class Clip:
    """A video as the pose model saw it."""

    width: int
    height: int
    fps: float
    poses: list[Pose | None]

    @property
    def duration_s(self) -> float:
        """Length of the clip in seconds."""
        return len(self.poses) / self.fps if self.fps > 0 else 0.0


@dataclass(frozen=True)
class FrameAngles:
    """What one frame shows, in degrees; ``None`` where a landmark is missing."""

    hip_extension: float | None
    shin: float | None
    torso_floor: float | None
    neck_flexion: float | None
    floor_tilt: float | None
    side_ratio: float | None
    hip_visibility: float


def near_side(clip: Clip) -> Side:
    """The side of the body facing the camera: the one the model sees better."""
    totals = {"left": 0.0, "right": 0.0}
    for pose in clip.poses:
        if pose is None:
            continue
        for side in totals:
            for joint in SIDE_JOINTS:
                lm = pose.image.get(f"{side}_{joint}")
                totals[side] += lm.visibility if lm else 0.0
    return "left" if totals["left"] >= totals["right"] else "right"


def _angle(a: Landmark, b: Landmark, c: Landmark) -> float:
    """The angle ABC in degrees, 0-180."""
    v1 = (a.x - b.x, a.y - b.y)
    v2 = (c.x - b.x, c.y - b.y)
    n = math.hypot(*v1) * math.hypot(*v2)
    if n == 0:
        return 180.0
    cos = max(-1.0, min(1.0, (v1[0] * v2[0] + v1[1] * v2[1]) / n))
    return math.degrees(math.acos(cos))


def hip_extension(shoulder: Landmark, hip: Landmark, knee: Landmark) -> float:
    """Shoulder-hip-knee angle, 180 for a straight line, above 180 when the hips rise past it.

    The body lies face up in a hip thrust, so "past the line" means the hip is above the
    shoulder-knee line in the image.
    """
    inner = _angle(shoulder, hip, knee)
    dx, dy = knee.x - shoulder.x, knee.y - shoulder.y
    # The normal of the shoulder-knee line that points up in the image (y grows down).
    nx, ny = (dy, -dx) if dx >= 0 else (-dy, dx)
    above = (hip.x - shoulder.x) * nx + (hip.y - shoulder.y) * ny > 0
    return 360.0 - inner if above else inner


def shin_angle(hip: Landmark, knee: Landmark, ankle: Landmark) -> float:
    """Shin angle from vertical; positive when the ankle is out in front of the knee.

    "In front" is the direction from the hip towards the knee.
    """
    forward = 1.0 if knee.x >= hip.x else -1.0
    return math.degrees(math.atan2((ankle.x - knee.x) * forward, ankle.y - knee.y))


def torso_floor(shoulder: Landmark, hip: Landmark) -> float:
    """Angle of the hip-shoulder line to the horizontal; positive with the shoulders lower."""
    return math.degrees(math.atan2(shoulder.y - hip.y, abs(shoulder.x - hip.x)))


def neck_flexion(shoulder: Landmark, hip: Landmark, ear: Landmark, nose: Landmark) -> float:
    """How far the face turns towards the feet, relative to the torso, in degrees.

    The ear-to-nose line is about square to the spine with the head neutral (0 here, give
    or take the face's own slope of about 10°); tucking the chin makes it positive, tipping
    the head back negative.
    """
    ux, uy = shoulder.x - hip.x, shoulder.y - hip.y
    fx, fy = nose.x - ear.x, nose.y - ear.y
    n = math.hypot(ux, uy) * math.hypot(fx, fy)
    if n == 0:
        return 0.0
    cos = max(-1.0, min(1.0, (ux * fx + uy * fy) / n))
    return math.degrees(math.acos(cos)) - 90.0


def floor_tilt(heel: Landmark, toe: Landmark) -> float:
    """Tilt of the heel-to-toe line from horizontal, -90..90 degrees."""
    dx = toe.x - heel.x
    dy = toe.y - heel.y
    if dx < 0:
        dx, dy = -dx, -dy
    return math.degrees(math.atan2(-dy, dx))


def side_ratio(pose: Pose, side: Side) -> float | None:
    """Left-right spread of hips and shoulders over the length of thigh and torso.

    About 0.1 on a side-on camera (perspective alone); it grows as the camera turns
    towards the front or the feet.
    """
    p = pose.image
    try:
        spread = (
            _dist(p["left_hip"], p["right_hip"]) + _dist(p["left_shoulder"], p["right_shoulder"])
        ) / 2
        length = (
            _dist(p[f"{side}_hip"], p[f"{side}_knee"])
            + _dist(p[f"{side}_shoulder"], p[f"{side}_hip"])
        ) / 2
    except KeyError:
        return None
    return spread / length if length > 0 else None


def _dist(a: Landmark, b: Landmark) -> float:
    return math.hypot(a.x - b.x, a.y - b.y)


def frame_angles(pose: Pose, side: Side) -> FrameAngles:
    """Every angle one frame shows, measured on *side*."""
    p = pose.image

    def get(name: str) -> Landmark | None:
        return p.get(f"{side}_{name}") or p.get(name)

    sh, hip, knee, ankle = get("shoulder"), get("hip"), get("knee"), get("ankle")
    ear, nose, heel, toe = get("ear"), get("nose"), get("heel"), get("foot_index")
    return FrameAngles(
        hip_extension=hip_extension(sh, hip, knee) if sh and hip and knee else None,
        shin=shin_angle(hip, knee, ankle) if hip and knee and ankle else None,
        torso_floor=torso_floor(sh, hip) if sh and hip else None,
        neck_flexion=neck_flexion(sh, hip, ear, nose) if sh and hip and ear and nose else None,
        floor_tilt=floor_tilt(heel, toe) if heel and toe else None,
        side_ratio=side_ratio(pose, side),
        hip_visibility=hip.visibility if hip else 0.0,
    )
