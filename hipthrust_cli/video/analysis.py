"""From a clip's landmarks to reps, per-rep measurements, quality checks and answers.

:func:`analyze` is pure: the same clip and rules always give the same
:class:`Analysis`. An answer is given only when every check it needs passed and enough
reps agree; it always says the value measured and the threshold used.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from hipthrust_cli.video.landmarks import Clip, FrameAngles, Side, frame_angles, near_side
from hipthrust_cli.video.reps import Rep, fill_gaps, find_reps, smooth
from hipthrust_cli.video.rules import AnswerRule, Check, Rules

UNITS = {
    "shin_angle_top_deg": "°",
    "hip_extension_top_deg": "°",
    "torso_floor_top_deg": "°",
    "neck_flexion_top_deg": "°",
    "head_change_deg": "°",
    "lift_s": " s",
    "hold_s": " s",
    "lower_s": " s",
}
LABELS = {
    "shin_angle_top_deg": "shin angle from vertical at the top",
    "hip_extension_top_deg": "hip extension at the top (shoulder-hip-knee)",
    "torso_floor_top_deg": "torso against the floor at the top",
    "neck_flexion_top_deg": "head angle to the torso at the top",
    "head_change_deg": "head angle change, bottom to top",
    "lift_s": "lift",
    "hold_s": "hold at the top",
    "lower_s": "lowering",
}

CANNOT_SEE = (
    "A camera cannot see a lumbar arch or rib flare under clothes and the bar, where the "
    "bench meets your back, how wide your feet are from the side, or what you feel: those "
    "stay questions."
)


@dataclass(frozen=True)
class RepMeasures:
    """What one rep measured; ``None`` where the frames did not show it."""

    rep: int
    start_s: float
    end_s: float
    lift_s: float
    hold_s: float
    lower_s: float
    hip_extension_top_deg: float | None
    shin_angle_top_deg: float | None
    torso_floor_top_deg: float | None
    neck_flexion_top_deg: float | None
    head_change_deg: float | None
    peak_frame: int


@dataclass(frozen=True)
class Quality:
    """How well the video shows what is measured."""

    frames: int
    frames_with_pose: int
    pose_share: float
    side: Side
    side_ratio: float | None
    floor_tilt_deg: float | None
    hip_visibility_top: float | None
    passed: dict[str, bool]


@dataclass(frozen=True)
class VideoAnswer:
    """An answer measured from the video, with the value and the threshold behind it."""

    question: str
    choice: str
    measurement: str
    value: float
    threshold: str
    agreeing_reps: int
    reps: int
    text: str
    source: str = "video"


@dataclass(frozen=True)
class Unanswered:
    """A measured question left unanswered, and why."""

    question: str
    reason: str


@dataclass(frozen=True)
class Analysis:
    """Everything ``hipthrust analyze`` reports about one clip."""

    width: int
    height: int
    fps: float
    duration_s: float
    quality: Quality
    per_rep: list[RepMeasures]
    measurements: dict[str, float]
    consistency: dict[str, float]
    answers: list[VideoAnswer]
    unanswered: list[Unanswered]
    warnings: list[str]
    cannot_see: str = CANNOT_SEE
    not_measured: dict[str, str] = field(default_factory=dict)

    @property
    def reps(self) -> int:
        """The number of complete reps found."""
        return len(self.per_rep)

    def answer_map(self) -> dict[str, str]:
        """Question id to choice id, for an interview."""
        return {a.question: a.choice for a in self.answers}

    def best_rep(self) -> RepMeasures | None:
        """The rep most like the others (closest to the median top hip angle)."""
        if not self.per_rep:
            return None
        target = self.measurements.get("hip_extension_top_deg")
        if target is None:
            return self.per_rep[0]
        return min(
            self.per_rep,
            key=lambda r: abs((r.hip_extension_top_deg or 1e9) - target),
        )


def _median(values: Sequence[float | None]) -> float | None:
    seen = [v for v in values if v is not None]
    return statistics.median(seen) if seen else None


def _measure(k: int, rep: Rep, angles: list[FrameAngles | None], fps: float) -> RepMeasures:
    top = [a for a in angles[rep.top_start : rep.top_end + 1] if a is not None]
    bottom = [a for a in angles[max(0, rep.start - 2) : rep.start + 1] if a is not None]
    neck_top = _median([a.neck_flexion for a in top])
    neck_bottom = _median([a.neck_flexion for a in bottom])
    return RepMeasures(
        rep=k,
        start_s=round(rep.start / fps, 2),
        end_s=round(rep.end / fps, 2),
        lift_s=round((rep.top_start - rep.start) / fps, 2),
        hold_s=round((rep.top_end - rep.top_start) / fps, 2),
        lower_s=round((rep.end - rep.top_end) / fps, 2),
        hip_extension_top_deg=_round(_median([a.hip_extension for a in top])),
        shin_angle_top_deg=_round(_median([a.shin for a in top])),
        torso_floor_top_deg=_round(_median([a.torso_floor for a in top])),
        neck_flexion_top_deg=_round(neck_top),
        head_change_deg=_round(
            neck_top - neck_bottom if neck_top is not None and neck_bottom is not None else None
        ),
        peak_frame=rep.peak,
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def analyze(clip: Clip, rules: Rules) -> Analysis:
    """Find the reps in *clip*, measure them, check the video and conclude what it can."""
    side = near_side(clip)
    angles = [frame_angles(p, side) if p is not None else None for p in clip.poses]
    fps = clip.fps if clip.fps > 0 else 30.0
    raw = [a.hip_extension if a else None for a in angles]
    signal = smooth(fill_gaps(raw, int(rules.reps.max_gap_s * fps)))
    torso = [a.torso_floor if a else None for a in angles]
    reps = find_reps(signal, torso, fps, rules.reps)
    per_rep = [_measure(k + 1, r, angles, fps) for k, r in enumerate(reps)]

    quality = _quality(clip, side, angles, reps, rules)
    measurements = {
        name: round(v, 2)
        for name in UNITS
        if (v := _median([getattr(r, name) for r in per_rep])) is not None
    }
    consistency = _consistency(per_rep)
    answers, unanswered = _answers(per_rep, quality, rules)
    return Analysis(
        width=clip.width,
        height=clip.height,
        fps=round(fps, 3),
        duration_s=round(clip.duration_s, 2),
        quality=quality,
        per_rep=per_rep,
        measurements=measurements,
        consistency=consistency,
        answers=answers,
        unanswered=unanswered,
        warnings=_warnings(quality, per_rep, rules),
        not_measured={n.question: n.why for n in rules.not_measured},
    )


def _quality(
    clip: Clip, side: Side, angles: list[FrameAngles | None], reps: list[Rep], rules: Rules
) -> Quality:
    q = rules.quality
    seen = [a for a in angles if a is not None]
    share = len(seen) / len(angles) if angles else 0.0
    ratio = _median([a.side_ratio for a in seen])
    tilt = _median([a.floor_tilt for a in seen])
    top_vis = _median(
        [
            a.hip_visibility
            for r in reps
            for a in angles[r.top_start : r.top_end + 1]
            if a is not None
        ]
    )
    passed = {
        "pose_found": share >= q.min_pose_share_for_answers,
        "side_on": ratio is not None and ratio <= q.max_side_ratio,
        "level": tilt is not None and abs(tilt) <= q.max_floor_tilt_deg,
        "hips_visible": top_vis is not None and top_vis >= q.min_hip_visibility,
    }
    return Quality(
        frames=len(angles),
        frames_with_pose=len(seen),
        pose_share=round(share, 3),
        side=side,
        side_ratio=_round2(ratio),
        floor_tilt_deg=_round(tilt),
        hip_visibility_top=_round2(top_vis),
        passed=passed,
    )


def _round2(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _consistency(per_rep: list[RepMeasures]) -> dict[str, float]:
    if len(per_rep) < 2:
        return {}
    tops = [r.hip_extension_top_deg for r in per_rep if r.hip_extension_top_deg is not None]
    durations = [r.end_s - r.start_s for r in per_rep]
    out = {"rep_duration_cv": round(statistics.pstdev(durations) / statistics.mean(durations), 2)}
    if len(tops) >= 2:
        out["hip_extension_top_sd_deg"] = round(statistics.pstdev(tops), 1)
    return out


CHECK_WORDS: dict[Check, str] = {
    "pose_found": "too few frames showed a person",
    "side_on": "the camera is not side-on",
    "level": "the camera is not level",
    "hips_visible": "the hips are hidden at the top",
}


def _answers(
    per_rep: list[RepMeasures], quality: Quality, rules: Rules
) -> tuple[list[VideoAnswer], list[Unanswered]]:
    answers: list[VideoAnswer] = []
    unanswered: list[Unanswered] = []
    for rule in rules.answers:
        reason = _blocked(rule, per_rep, quality, rules)
        if reason:
            unanswered.append(Unanswered(rule.question, reason))
            continue
        found = _decide(rule, per_rep, rules)
        if isinstance(found, str):
            unanswered.append(Unanswered(rule.question, found))
        else:
            answers.append(found)
    return answers, unanswered


def _blocked(
    rule: AnswerRule, per_rep: list[RepMeasures], quality: Quality, rules: Rules
) -> str | None:
    failed = [CHECK_WORDS[c] for c in rule.needs if not quality.passed[c]]
    if failed:
        return "not measured: " + "; ".join(failed)
    if len(per_rep) < rules.quality.min_reps:
        return f"not measured: fewer than {rules.quality.min_reps} complete reps"
    return None


def _decide(rule: AnswerRule, per_rep: list[RepMeasures], rules: Rules) -> VideoAnswer | str:
    values = [(r, getattr(r, rule.measurement)) for r in per_rep]
    values = [(r, v) for r, v in values if v is not None]
    if len(values) < rules.quality.min_reps:
        return f"not sure: {LABELS[rule.measurement]} was seen in too few reps"
    median = statistics.median(v for _, v in values)
    unit = UNITS[rule.measurement]
    for choice in rule.choices:
        agree = sum(
            1
            for r, v in values
            if choice.holds(v)
            and all(
                (w := getattr(r, m)) is not None and band.holds(w)
                for m, band in choice.also.items()
            )
        )
        if agree / len(values) >= rules.quality.agreement:
            threshold = choice.describe(unit)
            extra = "; ".join(
                f"{LABELS[m]} {band.describe(UNITS[m])}" for m, band in choice.also.items()
            )
            if extra:
                threshold += f" ({extra})"
            return VideoAnswer(
                question=rule.question,
                choice=choice.choice,
                measurement=rule.measurement,
                value=round(median, 2),
                threshold=threshold,
                agreeing_reps=agree,
                reps=len(values),
                text=(
                    f"{LABELS[rule.measurement]} {_fmt(median, unit)}; {agree} of "
                    f"{len(values)} reps {threshold}"
                ),
            )
    return (
        f"not sure: {LABELS[rule.measurement]} {_fmt(median, unit)} is between the "
        "thresholds, or the reps disagree"
    )


def _fmt(value: float, unit: str) -> str:
    return f"{value:.2f}{unit}" if unit == " s" else f"{value:.0f}{unit}"


def _warnings(quality: Quality, per_rep: list[RepMeasures], rules: Rules) -> list[str]:
    q = rules.quality
    out = []
    if quality.frames == 0:
        return ["The video has no frames."]
    if quality.pose_share < q.min_pose_share:
        out.append(
            f"A person was found in only {quality.pose_share:.0%} of the frames (we want "
            f"{q.min_pose_share:.0%}): keep your whole body and the bench in the frame, "
            "in good light."
        )
    if not quality.passed["side_on"]:
        ratio = "unknown" if quality.side_ratio is None else f"{quality.side_ratio:.2f}"
        out.append(
            "The camera does not look side-on (left-right spread of hips and shoulders "
            f"{ratio}, we want at most {q.max_side_ratio:g}): film from the side, at hip "
            "height, not from the feet or at an angle. Angles are not measured."
        )
    if not quality.passed["level"]:
        tilt = "unknown" if quality.floor_tilt_deg is None else f"{quality.floor_tilt_deg:.0f}°"
        out.append(
            f"The floor line (heel to toe) is tilted by {tilt} (we want at most "
            f"{q.max_floor_tilt_deg:g}°): hold the phone level, or your heels may be lifting. "
            "Angles against vertical are not measured."
        )
    if per_rep and not quality.passed["hips_visible"]:
        vis = quality.hip_visibility_top
        out.append(
            "Your hips are hidden at the top (the pose model's visibility "
            f"{'unknown' if vis is None else f'{vis:.2f}'}, we want at least "
            f"{q.min_hip_visibility:g}), often by the plates: the hip angle and range are "
            "not measured. Film from slightly in front of the side, or use smaller plates."
        )
    if not per_rep:
        out.append(
            "No complete rep was found: film 2-3 full reps, with the whole body in the frame."
        )
    elif len(per_rep) < q.min_reps:
        out.append(f"Only {len(per_rep)} complete rep was found; film 2-3 reps to measure form.")
    return out


def report_dict(analysis: Analysis, video: str) -> dict[str, object]:
    """The JSON form of an analysis (``hipthrust analyze --format json``)."""
    import dataclasses

    q = analysis.quality
    return {
        "video": {
            "path": video,
            "width": analysis.width,
            "height": analysis.height,
            "fps": analysis.fps,
            "frames": q.frames,
            "duration_s": analysis.duration_s,
            "frames_with_pose": q.frames_with_pose,
            "pose_share": q.pose_share,
            "side": q.side,
            "side_ratio": q.side_ratio,
            "floor_tilt_deg": q.floor_tilt_deg,
            "hip_visibility_top": q.hip_visibility_top,
            "checks": dict(q.passed),
        },
        "reps": analysis.reps,
        "per_rep": [dataclasses.asdict(r) for r in analysis.per_rep],
        "measurements": dict(analysis.measurements),
        "consistency": dict(analysis.consistency),
        "answers": analysis.answer_map(),
        "evidence": [dataclasses.asdict(a) for a in analysis.answers],
        "unanswered": [dataclasses.asdict(u) for u in analysis.unanswered],
        "warnings": list(analysis.warnings),
        "cannot_see": analysis.cannot_see,
        "not_measured": dict(analysis.not_measured),
    }
