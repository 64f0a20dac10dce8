"""The video rules: rep detection settings, quality thresholds, measurement → answer table.

They live in ``data/video/rules.yaml`` beside the knowledge base, so a coach can read and
change every threshold with its rationale. Nothing here prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from hipthrust_cli import yamlio
from hipthrust_cli.errors import KnowledgeBaseError

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=1000)]

Check = Literal["pose_found", "side_on", "level", "hips_visible"]
"""Quality checks an answer can depend on (see :mod:`hipthrust_cli.video.analysis`)."""

Measurement = Literal[
    "shin_angle_top_deg",
    "hip_extension_top_deg",
    "torso_floor_top_deg",
    "neck_flexion_top_deg",
    "head_change_deg",
    "lift_s",
    "hold_s",
    "lower_s",
]
"""Per-rep measurements an answer can be built on."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(_Model):
    """An interval; a missing end is open."""

    min: float | None = None
    max: float | None = None

    def holds(self, value: float) -> bool:
        """Whether *value* lies in the interval (ends included)."""
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def describe(self, unit: str) -> str:
        """The interval in words, e.g. 'at least 12°' or 'between -7° and 7°'."""
        if self.min is not None and self.max is not None:
            return f"between {_num(self.min)}{unit} and {_num(self.max)}{unit}"
        if self.min is not None:
            return f"at least {_num(self.min)}{unit}"
        return f"at most {_num(self.max or 0)}{unit}"


def _num(value: float) -> str:
    return f"{value:g}"


class ChoiceRule(Range):
    """A choice of the question, given when the measurement lies in [min, max]."""

    choice: Id
    why: Text
    also: dict[Measurement, Range] = Field(default_factory=dict)


class AnswerRule(_Model):
    """How one measurement answers one question."""

    question: Id
    measurement: Measurement
    needs: list[Check]
    why: Text
    choices: list[ChoiceRule] = Field(min_length=1)


class NotMeasured(_Model):
    """A question a camera cannot answer, and why."""

    question: Id
    why: Text


class RepSettings(_Model):
    """How reps are found in the hip-angle signal."""

    min_range_deg: float = Field(gt=0)
    low_fraction: float = Field(gt=0, lt=1)
    high_fraction: float = Field(gt=0, lt=1)
    min_duration_s: float = Field(gt=0)
    max_duration_s: float = Field(gt=0)
    max_torso_at_top_deg: float = Field(gt=0, le=90)
    max_gap_s: float = Field(ge=0)
    plateau_fraction: float = Field(gt=0, lt=1)
    settle_fraction: float = Field(gt=0, lt=1)


class QualitySettings(_Model):
    """Thresholds of the quality checks."""

    min_pose_share: float = Field(ge=0, le=1)
    min_pose_share_for_answers: float = Field(ge=0, le=1)
    max_side_ratio: float = Field(gt=0)
    max_floor_tilt_deg: float = Field(gt=0)
    min_hip_visibility: float = Field(ge=0, le=1)
    min_reps: int = Field(ge=1)
    agreement: float = Field(gt=0.5, le=1)


class Rules(_Model):
    """``data/video/rules.yaml``."""

    version: int
    reps: RepSettings
    quality: QualitySettings
    answers: list[AnswerRule]
    not_measured: list[NotMeasured]


def default_path() -> Path:
    """The rules that ship with hipthrust."""
    from hipthrust_cli.kb.loading import shipped_dir

    return shipped_dir() / "video" / "rules.yaml"


def load(path: Path | None = None) -> Rules:
    """Read and validate the video rules; a problem is a :class:`KnowledgeBaseError`."""
    path = path or default_path()
    try:
        data = yamlio.parse(yamlio.read_text(path, 1_048_576), 100_000)
    except yamlio.YamlProblem as exc:
        raise KnowledgeBaseError(f"{path}: {exc}") from None
    try:
        return Rules.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise KnowledgeBaseError(f"{path}: {where}: {first['msg']}") from None
