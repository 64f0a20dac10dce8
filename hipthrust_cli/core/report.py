"""The report model: what a diagnosis holds, and its JSON form (saved in history).

A report is built from knowledge that was validated when it was loaded, so it is made of
plain frozen dataclasses: validating it again would only cost start-up time. Reading one
back (a saved session) goes through a pydantic ``TypeAdapter``, lazily, after the shapes
of older report versions are brought up to date (:func:`from_dict`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING

from hipthrust_cli.core.triage import Triage
from hipthrust_cli.kb import Answer, Evidence

if TYPE_CHECKING:  # pragma: no cover - types only
    from pydantic import TypeAdapter


# 4: drills carry their how-to ('how'); fixes that match the answers come first;
# 'form_focus' names the form steps that matter for the causes found; progress names the
# session it compares with ('session'). Version 3 reports load and show as they were.
# 3: findings carry 'probability' and 'band' instead of 'score'; 'related'; 'interview'.
# 2: five triage levels; reasons carry their source; triage.complete; alternatives carry
# 'loaded' and a caveat; 'after_check'. Reports saved under versions 1 and 2 (with a
# 'score' per finding) still load and show as they were.
REPORT_VERSION = 4
DISCLAIMER = (
    "hipthrust gives general exercise guidance. It does not diagnose, and it does not "
    "replace a doctor or physiotherapist. If pain is severe, getting worse, or worries "
    "you, get it checked."
)


@dataclass(frozen=True, kw_only=True)
class EvidenceItem:
    """One answer that bears on a finding: the question, the answer, in words."""

    question: str
    answer: str
    text: str
    source: str | None = None  # "video" when measured from a video, else given by the user
    words: str = ""
    """The answer alone, in words (empty before version 4): the short report quotes it."""


@dataclass(frozen=True, kw_only=True)
class FixOut:
    """One fix, with how well it is supported."""

    text: str
    evidence: Evidence
    source: str | None


@dataclass(frozen=True, kw_only=True)
class Exercise:
    """A drill or alternative exercise, named, with how to do it (empty before version 4)."""

    id: str
    name: str
    how: str = ""


OMIT_IF_NONE = {"omit_if_none": True}


@dataclass(frozen=True, kw_only=True)
class Finding:
    """A likely cause, with its probability band and the answers that moved it most.

    ``score`` is only set on findings read back from a version 1 report (history).
    """

    id: str
    title: str
    probability: float | None = field(default=None, metadata=OMIT_IF_NONE)
    band: str | None = field(default=None, metadata=OMIT_IF_NONE)
    score: float | None = field(default=None, metadata=OMIT_IF_NONE)
    consequence: str
    fixes: list[FixOut]
    drills: list[Exercise]
    supporting: list[EvidenceItem]
    conflicting: list[EvidenceItem]
    unconfirmed: list[EvidenceItem]
    related: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class InterviewOut:
    """Which questions the wizard asked (in order) and which that apply it did not."""

    asked: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class FormStep:
    """One step of the correct-form checklist."""

    id: str
    step: str
    cue: str
    why: str


@dataclass(frozen=True, kw_only=True)
class AlternativeOut:
    """An exercise to use while fixing the hip thrust."""

    id: str
    name: str
    muscles: list[str]
    benefits: str
    back_friendly: bool
    loaded: bool = False
    caveat: str = ""


@dataclass(frozen=True, kw_only=True)
class NoteOut:
    """An explanation that applies to these answers."""

    id: str
    text: str
    evidence: Evidence
    source: str | None


@dataclass(frozen=True, kw_only=True)
class AnswerOut:
    """One answer as a report lists it: the question, the answer in words."""

    question: str
    text: str
    words: str
    screening: bool  # a warning-sign question: left out of exports unless asked for


@dataclass(frozen=True, kw_only=True)
class Previous:
    """What the engine needs to know about the last diagnosis, to show progress."""

    date: str  # when it was saved, ISO 8601 (a bare date in older callers)
    findings: list[tuple[str, str]]  # (mistake id, title), ranked
    pain: int | None
    number: int | None = None  # its session number in the history


@dataclass(frozen=True, kw_only=True)
class Progress:
    """How this diagnosis compares with the previous one."""

    since: str
    resolved: list[str]
    still_present: list[str]
    new: list[str]
    pain_before: int | None
    pain_now: int | None
    pain_trend: str  # "down", "up", "same" or "unknown"
    summary: str
    session: int | None = None  # the session compared with, when known


@dataclass(frozen=True, kw_only=True)
class Diagnosis:
    """Everything a report shows, in the order it shows it."""

    version: int = REPORT_VERSION
    triage: Triage
    findings: list[Finding]
    notes: list[NoteOut]
    next_steps: list[str]
    form_checklist: list[FormStep]
    warm_up: list[str]
    progression: list[str]
    alternatives: list[AlternativeOut]
    summary: str
    disclaimer: str = DISCLAIMER
    answers: dict[str, Answer]
    kb_version: str
    progress: Progress | None = None
    after_check: bool = False
    """Everything after the triage panel is for after a clinician has seen the user."""
    # Answers measured from a video: question id → {"answer", "source": "video", "text"}.
    measured: dict[str, dict[str, str]] = field(default_factory=dict)
    interview: InterviewOut = field(default_factory=InterviewOut)
    form_focus: list[str] = field(default_factory=list)
    """Ids of the form-checklist steps that matter for the causes found (first cause first).

    The terminal shows only these; exports show the whole checklist."""
    answered: list[AnswerOut] = field(default_factory=list)
    """Every answer given, in interview order, in words (exports list them)."""
    date: str = ""
    """When the report was made, ISO 8601; set by the caller (the engine reads no clock)."""


JSON = str | int | float | bool | None | list["JSON"] | dict[str, "JSON"]
"""A value as JSON has it."""


def to_dict(report: Diagnosis) -> dict[str, JSON]:
    """The report's JSON form, as ``diagnose --format json`` prints it and history saves it."""
    plain = _plain(report)
    assert isinstance(plain, dict)
    return plain


def _plain(value: object) -> JSON:
    if value is None or isinstance(value, (str, int, float)):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, Enum):
        plain: JSON = value.value
        return plain
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in fields(value)
            if not (f.metadata.get("omit_if_none") and getattr(value, f.name) is None)
        }
    raise TypeError(f"not part of a report: {type(value).__name__}")


def from_dict(data: Mapping[str, object]) -> Diagnosis:
    """Rebuild a report from its JSON form (as saved in history), of any report version.

    Raises ``ValueError`` (a pydantic ``ValidationError``) when *data* is not a report.
    """
    if not isinstance(data, Mapping):
        raise ValueError("a report is a mapping")
    return _adapter().validate_python(_upgrade(dict(data)))


@cache
def _adapter() -> TypeAdapter[Diagnosis]:
    from pydantic import TypeAdapter

    return TypeAdapter(Diagnosis)


def _upgrade(data: dict[str, object]) -> dict[str, object]:
    """Older reports in today's shape: what versions 1 to 3 wrote differently.

    Version 1 saved each warning sign as its title alone and had no ``triage.complete``
    (complete unless something was unscreened); ``measured`` and ``progress`` may be
    null. Fields later versions added have defaults in the dataclasses.
    """
    triage = data.get("triage")
    if isinstance(triage, dict):
        triage = dict(triage)
        reasons = triage.get("reasons")
        if isinstance(reasons, list):
            triage["reasons"] = [
                {"id": "", "title": r, "level": triage.get("level"), "source": ""}
                if isinstance(r, str)
                else r
                for r in reasons
            ]
        triage.setdefault("complete", not triage.get("unscreened"))
        data["triage"] = triage
    if not isinstance(data.get("progress"), dict):
        data["progress"] = None
    if data.get("measured") is None:
        data.pop("measured", None)
    return data
