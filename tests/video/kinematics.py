"""A small kinematic model of a hip thrust, for testing the video layers without video.

Joint angles over time drive a stick figure in the body's sagittal plane (x towards the
feet, y up, z to the body's left): the shoulders pivot on the bench, the feet stay on the
floor, and the knee follows from the thigh and shin lengths. A pinhole camera then films
it from the side (or at an angle, or tilted) and gives the landmarks in pixels, with
noise, dropped frames and lower visibility for hidden points, as the pose model would.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace

from hipthrust_cli.video.landmarks import Clip, Landmark, Pose

TORSO, THIGH, SHIN, NECK, FACE = 0.50, 0.45, 0.45, 0.18, 0.10


@dataclass(frozen=True)
class Thrust:
    """One set, described as a coach would."""

    reps: int = 4
    fps: float = 30.0
    hip_top_deg: float = 180.0  # shoulder-hip-knee at the top
    torso_top_deg: float = 0.0  # hips above (+) or below (-) the shoulders at the top
    range_deg: float = 45.0  # how far the torso turns from bottom to top
    shin_top_deg: float = 0.0  # + feet out in front of the knees
    lift_s: float = 0.8
    hold_s: float = 0.5
    lower_s: float = 1.2
    rest_s: float = 0.6
    neck_bottom_deg: float = 25.0  # chin tucked (+) or head back (-), to the torso
    neck_top_deg: float = 25.0
    sit_up_s: float = 0.0  # starts sitting upright against the bench, then gets in place
    jitter_s: float = 0.0  # ends hovering near the top threshold without lowering fully


@dataclass(frozen=True)
class Camera:
    """Where the phone is: side-on by default, at hip height, 3 m away, landscape 720p."""

    yaw_deg: float = 0.0  # 0 = straight from the side; 90 = from the feet
    roll_deg: float = 0.0  # a tilted phone
    width: int = 1280
    height: int = 720
    noise_px: float = 1.5
    drop: float = 0.0  # share of frames without a pose
    hide_hips_at_top: bool = False
    seed: int = 1


def _rot(v: tuple[float, float], deg: float) -> tuple[float, float]:
    a = math.radians(deg)
    return (v[0] * math.cos(a) - v[1] * math.sin(a), v[0] * math.sin(a) + v[1] * math.cos(a))


def _ease(t: float) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * max(0.0, min(1.0, t)))


def _profile(s: Thrust) -> list[tuple[float, float]]:
    """(rise 0..1, phase 0..1 of the head) per frame."""
    out: list[tuple[float, float]] = []
    n = lambda sec: max(1, round(sec * s.fps))  # noqa: E731
    out += [(0.0, 0.0)] * n(s.rest_s)
    for _ in range(s.reps):
        k = n(s.lift_s)
        out += [(_ease(i / k), _ease(i / k)) for i in range(1, k + 1)]
        out += [(1.0, 1.0)] * n(s.hold_s)
        k = n(s.lower_s)
        out += [(1 - _ease(i / k), 1 - _ease(i / k)) for i in range(1, k + 1)]
        out += [(0.0, 0.0)] * n(s.rest_s)
    if s.jitter_s:
        k = n(s.jitter_s)
        # Up to just under the top threshold and wobble there, never back down fully.
        out += [(0.55 + 0.12 * math.sin(i * 1.3), 0.5) for i in range(k)]
    return out


def _body(s: Thrust, rise: float, head: float, sit: float) -> dict[str, tuple[float, float]]:
    """The sagittal landmarks (x, y) in metres for one instant."""
    shoulder = (0.0, 0.42)
    phi_top = s.torso_top_deg
    phi = phi_top - s.range_deg * (1 - rise)
    if sit > 0:  # sitting upright: hips straight below the shoulders
        phi = phi + (-90.0 - phi) * sit
    hip = (
        shoulder[0] + TORSO * math.cos(math.radians(phi)),
        shoulder[1] + TORSO * math.sin(math.radians(phi)),
    )
    # Place the ankle so that at the top the hip angle and shin angle are as asked.
    hip_top = (
        TORSO * math.cos(math.radians(phi_top)),
        0.42 + TORSO * math.sin(math.radians(phi_top)),
    )
    alpha = phi_top + 180.0 - s.hip_top_deg  # thigh direction at the top
    knee_top = (
        hip_top[0] + THIGH * math.cos(math.radians(alpha)),
        hip_top[1] + THIGH * math.sin(math.radians(alpha)),
    )
    ankle = (
        knee_top[0] + SHIN * math.sin(math.radians(s.shin_top_deg)),
        knee_top[1] - SHIN * math.cos(math.radians(s.shin_top_deg)),
    )
    # The knee: two-link IK between hip and ankle, bending upwards.
    dx, dy = ankle[0] - hip[0], ankle[1] - hip[1]
    d = min(math.hypot(dx, dy), THIGH + SHIN - 1e-6)
    a = (THIGH**2 - SHIN**2 + d**2) / (2 * d)
    h = math.sqrt(max(0.0, THIGH**2 - a**2))
    ux, uy = dx / math.hypot(dx, dy), dy / math.hypot(dx, dy)
    base = (hip[0] + a * ux, hip[1] + a * uy)
    cands = [(base[0] - h * uy, base[1] + h * ux), (base[0] + h * uy, base[1] - h * ux)]
    knee = max(cands, key=lambda p: p[1])
    # Head: the neck in line with the torso, the face turned by the neck angle.
    u = (shoulder[0] - hip[0], shoulder[1] - hip[1])
    norm = math.hypot(*u)
    u = (u[0] / norm, u[1] / norm)
    ear = (shoulder[0] + NECK * u[0], shoulder[1] + NECK * u[1])
    neck = s.neck_bottom_deg + (s.neck_top_deg - s.neck_bottom_deg) * head
    face = _rot(u, -(90.0 + neck))
    nose = (ear[0] + FACE * face[0], ear[1] + FACE * face[1])
    heel = (ankle[0] - 0.05, ankle[1] - 0.07)
    toe = (ankle[0] + 0.15, ankle[1] - 0.075)
    return {
        "shoulder": shoulder,
        "hip": hip,
        "knee": knee,
        "ankle": ankle,
        "heel": heel,
        "foot_index": toe,
        "ear": ear,
        "nose": nose,
    }


HALF_WIDTH = {
    "shoulder": 0.18,
    "hip": 0.15,
    "knee": 0.1,
    "ankle": 0.1,
    "heel": 0.1,
    "foot_index": 0.1,
    "ear": 0.08,
}


def film(s: Thrust, cam: Camera | None = None) -> Clip:
    """The clip a phone would give of set *s*: landmarks per frame, in pixels."""
    cam = cam or Camera()
    rng = random.Random(cam.seed)
    frames = _profile(s)
    sit_frames = round(s.sit_up_s * s.fps)
    lead = [(0.0, 0.0, 1 - i / sit_frames) for i in range(sit_frames)] if sit_frames else []
    timeline = [(r, h, sit) for r, h, sit in lead] + [(r, h, 0.0) for r, h in frames]
    focal = cam.width * 0.9
    centre = (0.55, 0.3, 0.0)
    distance = 3.0
    yaw = math.radians(cam.yaw_deg)
    poses: list[Pose | None] = []
    for rise, head, sit in timeline:
        if rng.random() < cam.drop:
            poses.append(None)
            continue
        body = _body(s, rise, head, sit)
        image: dict[str, Landmark] = {}
        for joint, (x, y) in body.items():
            sides = [("", 0.0)] if joint == "nose" else [("left_", -1.0), ("right_", 1.0)]
            for prefix, sign in sides:
                z = sign * HALF_WIDTH.get(joint, 0.0)
                # Camera on the body's right (+z), turned by yaw about the vertical axis.
                px, py, pz = x - centre[0], y - centre[1], z - centre[2]
                cx = px * math.cos(yaw) - pz * math.sin(yaw)
                depth = distance - (px * math.sin(yaw) + pz * math.cos(yaw))
                u = focal * cx / depth
                v = -focal * py / depth
                u, v = _rot((u, v), cam.roll_deg)
                visible = 0.99 if sign >= 0 else 0.7
                if joint == "hip" and cam.hide_hips_at_top and rise > 0.6:
                    visible = 0.15
                image[prefix + joint] = Landmark(
                    cam.width / 2 + u + rng.gauss(0, cam.noise_px),
                    cam.height / 2 + v + rng.gauss(0, cam.noise_px),
                    visible,
                )
        poses.append(Pose(image=image))
    return Clip(width=cam.width, height=cam.height, fps=s.fps, poses=poses)


def vary(s: Thrust, **changes: float) -> Thrust:
    """*s* with some fields changed."""
    return replace(s, **changes)  # type: ignore[arg-type]
