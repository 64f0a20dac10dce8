"""The knowledge base: pydantic models of ``data/*.yaml``, loading, overlays and checks.

The knowledge base is a folder of YAML files, one per kind (``questions.yaml``,
``red_flags.yaml``, ``mistakes.yaml`` …). Every entry has a stable snake_case ``id``.
Extra folders (``--kb DIR`` or ``HIPTHRUST_KB``) are overlays: an entry with a new id is
added, one with an existing id replaces the shipped entry, and ``remove: [ids]`` drops
shipped entries. After merging, every cross-reference is checked. Any problem becomes a
:class:`~hipthrust_cli.errors.KnowledgeBaseError` naming file, key path and line.

Nothing here prints.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from hipthrust_cli import collector, yamlio
from hipthrust_cli.errors import KnowledgeBaseError
from hipthrust_cli.safetext import clean_line

NOT_SURE = "not_sure"
UNANSWERED = "unanswered"
"""In a condition's ``answers``: holds when the question has no answer at all."""
MAX_KB_FILE_BYTES = 64 * 1_048_576
MAX_KB_NODES = 20_000_000

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
Answer = str | list[str] | int
"""One answer: a choice id (single), a list of choice ids (multi), an int (scale)."""


class _Model(BaseModel):
    """Base of every knowledge-base model: unknown keys are errors, values are frozen."""

    # Validators are built on first use, not at import: start-up imports this module on
    # every run, and a cached knowledge base is never validated again.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Kind(str, Enum):
    """How a question is answered."""

    single = "single"
    multi = "multi"
    scale = "scale"


class Level(str, Enum):
    """Triage levels, most serious first."""

    emergency = "emergency"
    same_day = "same_day"
    urgent = "urgent"
    routine = "routine"
    self_care = "self_care"

    @property
    def rank(self) -> int:
        """0 for the most serious level."""
        return list(Level).index(self)


class Evidence(str, Enum):
    """How well a fix is supported."""

    research = "research"
    expert_opinion = "expert_opinion"


class Choice(_Model):
    """One answer a question offers."""

    id: Id
    label: Text
    exclusive: bool = Field(
        False, description="In a multi question, this choice cannot be combined (e.g. 'none')."
    )
    neutral: bool = Field(
        False,
        description="This answer means nothing is wrong, so no rule needs to refer to it "
        "('kb validate' does not warn about it).",
    )


class Condition(_Model):
    """A test on one answer: a choice among ``answers``, or a scale value in ``min``..``max``.

    For a multi question it holds when any chosen id is in ``answers``. ``not_sure`` may
    be listed in ``answers`` to make "Not sure" count (as for cauda-equina screening), and
    ``unanswered`` to make a missing answer count (a follow-up that was never answered).
    """

    question: Id
    answers: list[str] | None = Field(None, min_length=1)
    min: int | None = None
    max: int | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        if self.answers is None and self.min is None and self.max is None:
            raise ValueError("give either 'answers' (choice ids) or 'min'/'max' (for a scale)")
        if self.answers is not None and (self.min is not None or self.max is not None):
            raise ValueError("give either 'answers' or 'min'/'max', not both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self

    def matches(self, answers: Mapping[str, Answer]) -> bool:
        """Whether the given answers satisfy this condition."""
        value = answers.get(self.question)
        if value is None:
            return self.answers is not None and UNANSWERED in self.answers
        if self.answers is not None:
            if isinstance(value, list):
                return any(v in self.answers for v in value)
            return str(value) in self.answers
        if not isinstance(value, int) or isinstance(value, bool):
            return False
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


class Question(_Model):
    """One question of the interview."""

    id: Id
    text: Text
    why: Text = Field(description="One line shown on request: why we ask.")
    kind: Kind
    choices: list[Choice] = Field(default_factory=list)
    min: int | None = None
    max: int | None = None
    min_label: str | None = None
    max_label: str | None = None
    when: list[Condition] = Field(
        default_factory=list, description="Asked only if all of these hold."
    )
    red_flag: bool = False
    group: Literal["self_test"] | None = Field(
        None,
        description="self_test: a quick physical test, asked only when it would change the "
        "result, under 'A quick test you can do now'.",
    )
    screens: str | None = Field(
        None,
        description="For a single-choice screening question: the sign it checks, named in "
        "the report's 'not fully checked' list (default: the question's text).",
    )

    @model_validator(mode="after")
    def _shape(self) -> Question:
        if self.kind is Kind.scale:
            if self.min is None or self.max is None:
                raise ValueError("a scale question needs 'min' and 'max'")
            if self.min > self.max:
                raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
            if self.max - self.min > 100:
                raise ValueError("a scale may have at most 101 points")
            if self.choices:
                raise ValueError("a scale question has 'min'/'max', not 'choices'")
        else:
            if not self.choices:
                raise ValueError(f"a {self.kind.value} question needs at least one choice")
            if self.min is not None or self.max is not None:
                raise ValueError("'min'/'max' are only for scale questions")
        ids = [c.id for c in self.choices]
        dup = _first_duplicate(ids)
        if dup is not None:
            raise ValueError(f"the choice id '{dup}' appears twice")
        if NOT_SURE in ids:
            raise ValueError("'not_sure' is offered automatically; remove it from choices")
        if UNANSWERED in ids:
            raise ValueError("'unanswered' is reserved for conditions; use another choice id")
        return self

    def choice_ids(self) -> list[str]:
        """The ids this question accepts, besides ``not_sure``."""
        return [c.id for c in self.choices]

    def label_of(self, value: Answer) -> str:
        """The human words for an answer, e.g. ``['a', 'b']`` → ``"A, B"``."""
        if value == NOT_SURE:
            return "Not sure"
        if isinstance(value, list):
            return ", ".join(self.label_of(v) for v in value)
        if isinstance(value, int):
            return str(value)
        for choice in self.choices:
            if choice.id == value:
                return choice.label
        return str(value)


class RedFlag(_Model):
    """A warning sign that needs a clinician rather than a form fix."""

    id: Id
    level: Literal[Level.emergency, Level.same_day, Level.urgent, Level.routine]
    title: Text = Field(description="The reason, as the user reads it in the triage panel.")
    advice: str | None = Field(None, description="Advice specific to this sign, if any.")
    source: Text = Field(
        description="The guidance this sign and its level follow, e.g. 'NHS: cauda equina "
        "syndrome'; shown in the report next to the sign."
    )
    any: list[Condition] = Field(default_factory=list)
    all: list[Condition] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_conditions(self) -> RedFlag:
        if not self.any and not self.all:
            raise ValueError("a red flag needs 'any' or 'all' conditions")
        return self

    def conditions(self) -> list[Condition]:
        """Every condition of this flag."""
        return [*self.any, *self.all]

    def fires(self, answers: Mapping[str, Answer]) -> bool:
        """Whether this flag is triggered by the answers."""
        if self.all and not all(c.matches(answers) for c in self.all):
            return False
        return not self.any or any(c.matches(answers) for c in self.any)


class LevelText(_Model):
    """What the triage panel says for one level."""

    title: Text
    advice: Text


class Fix(_Model):
    """One thing to change, with how well it is supported."""

    text: Text
    evidence: Evidence
    source: str | None = None
    when: list[Condition] = Field(
        default_factory=list,
        description="Shown first among its cause's fixes when any of these answers were "
        "given: the fix that speaks to what the person said.",
    )


class EvidenceKind(str, Enum):
    """What kind of answer a likelihood rests on.

    An ``observation`` is something the person saw or felt in the lift itself (a seen
    arch, feet far out); a ``proxy`` is a capacity test away from the lift (plank time,
    toe touch) that only hints at a cause. Observations weigh more (see the engine).
    """

    observation = "observation"
    proxy = "proxy"


class Prior(_Model):
    """How common a cause is among people who feel hip thrusts in their lower back."""

    p: float = Field(gt=0, lt=1, description="Probability before any answer, 0..1 exclusive.")
    why: Text = Field(description="One-line rationale or source for the number.")


class Likelihood(Condition):
    """How likely an answer is when the cause is present, and when it is absent.

    For a single-choice or scale question the rows of one cause are a partition: every
    answer not listed shares what is left (``1 - sum``). For a multi question each row is
    its own yes/no feature (ticked or not).
    """

    present: float = Field(gt=0, lt=1, description="P(this answer | cause present).")
    absent: float = Field(gt=0, lt=1, description="P(this answer | cause absent).")
    kind: EvidenceKind | None = Field(
        None, description="observation or proxy; defaults to the cause's kind_of_evidence."
    )
    why: Text = Field(description="One-line rationale or source for the two numbers.")

    @property
    def ratio(self) -> float:
        """The likelihood ratio: how much this answer multiplies the odds of the cause."""
        return self.present / self.absent


class ContextShift(Condition):
    """Context (injury history, anatomy, age) that shifts a cause's prior odds.

    Context is never a cause itself: it changes how likely a cause is to begin with.
    """

    factor: float = Field(gt=0, le=10, description="Multiplies the prior odds.")
    why: Text = Field(description="One-line rationale or source for the factor.")


_OLD_SIGNS = (
    "mistakes now use 'prior' and 'evidence' (likelihoods given the cause present and "
    "absent, each with a 'why') instead of 'signs' with weights; rewrite this mistake as "
    "docs/authoring.md ('Writing a cause') shows"
)


class Mistake(_Model):
    """A likely cause of feeling hip thrusts in the lower back: an independent hypothesis."""

    id: Id
    title: Text
    consequence: Text
    explanation: str | None = None
    kind_of_evidence: EvidenceKind = Field(
        description="observation when the main evidence is seen in the lift, proxy when it "
        "is a capacity test."
    )
    prior: Prior
    evidence: list[Likelihood] = Field(min_length=1)
    context: list[ContextShift] = Field(default_factory=list)
    related: list[Id] = Field(
        default_factory=list,
        description="Overlapping causes: a fix they share is shown once, under the first.",
    )
    fixes: list[Fix] = Field(min_length=1)
    drills: list[Id] = Field(default_factory=list)
    form: list[Id] = Field(
        default_factory=list,
        description="Ids of the form-checklist steps (technique.yaml) that matter for this "
        "cause: the terminal report shows only these cues.",
    )

    @model_validator(mode="before")
    @classmethod
    def _old_format(cls, data: Any) -> Any:
        if isinstance(data, dict) and "signs" in data:
            raise ValueError(_OLD_SIGNS)
        return data

    def kind_of(self, row: Likelihood) -> EvidenceKind:
        """The kind of one evidence row (its own, or the cause's)."""
        return row.kind or self.kind_of_evidence


class Drill(_Model):
    """An exercise or drill a fix can point to."""

    id: Id
    name: Text
    how: Text
    targets: list[str] = Field(default_factory=list)


class Variation(_Model):
    """A hip-thrust variation."""

    id: Id
    name: Text
    aliases: list[Text] = Field(
        default_factory=list,
        description="Other names people use for it, e.g. 'barbell hip thrust'; "
        "'hipthrust variations NAME' finds it by these too.",
    )
    target_muscles: list[str] = Field(min_length=1)
    reps: Text
    goal: list[str] = Field(min_length=1)
    equipment: list[str] = Field(min_length=1)
    level: Literal["beginner", "intermediate", "advanced"]
    unilateral: bool = False
    notes: str = ""


DEFAULT_CAVEAT = "Stop if it causes sharp pain, or pain or tingling down a leg."


class Alternative(_Model):
    """A glute exercise to use while the hip thrust is being fixed."""

    id: Id
    name: Text
    muscles: list[str] = Field(min_length=1)
    benefits: Text
    back_friendly: bool
    how: str = ""
    loaded: bool = Field(
        False,
        description="Done with added weight (a barbell, dumbbells): never offered at 'urgent' "
        "and above, nor while pain is 7/10 or more.",
    )
    caveat: Text = Field(
        DEFAULT_CAVEAT, description="When to stop or hold back; always shown with the exercise."
    )
    avoid_when: list[Condition] = Field(
        default_factory=list, description="Left out of a report when any of these hold."
    )


class Step(_Model):
    """One step of the correct-form checklist."""

    id: Id
    step: Text
    cue: Text
    why: str = ""
    evidence: Evidence = Evidence.expert_opinion
    source: str | None = None


class Strategy(_Model):
    """A row of the long-term strategy table."""

    id: Id
    strategy: Text
    description: Text
    impact: Text


class GluteAspect(_Model):
    """A row of the glute strength and lower-body health table."""

    id: Id
    aspect: Text
    glute_strength: Text
    weak_glutes: Text
    notes: Text


class Technique(_Model):
    """How to do the movement well, and how to keep doing it well."""

    checklist: list[Step] = Field(min_length=1)
    warm_up: list[Text] = Field(default_factory=list)
    performance: list[Text] = Field(default_factory=list)
    progression: list[Text] = Field(default_factory=list)
    advanced: list[Text] = Field(default_factory=list)
    long_term: list[Strategy] = Field(default_factory=list)
    glute_health: list[GluteAspect] = Field(default_factory=list)
    sketch: list[str] = Field(default_factory=list)


class Note(_Model):
    """An explanation added to a report when its conditions hold (e.g. normal effort)."""

    id: Id
    text: Text
    evidence: Evidence
    source: str | None = None
    reassuring: bool = Field(
        False,
        description="Says that what the user feels is normal: shown only at 'self_care', "
        "with every warning sign screened and pain 3/10 or less.",
    )
    any: list[Condition] = Field(default_factory=list)
    all: list[Condition] = Field(default_factory=list)

    def applies(self, answers: Mapping[str, Answer]) -> bool:
        """Whether this note belongs in a report for these answers."""
        if self.all and not all(c.matches(answers) for c in self.all):
            return False
        return not self.any or any(c.matches(answers) for c in self.any)


def _reject_report_threshold(data: Any) -> Any:
    """One clear message for a settings file written for the scored (version 1) model."""
    if isinstance(data, dict) and "report_threshold" in data:
        raise ValueError(
            "'report_threshold' was replaced by 'bands' (the lower edges of very likely, "
            "likely and possible) when scores became probabilities; see docs/authoring.md"
        )
    return data


class Bands(_Model):
    """Lower edges of the probability bands a cause is reported in.

    Below ``possible`` a cause is not reported. Each edge carries its rationale in
    ``settings.yaml``.
    """

    very_likely: float = Field(0.75, gt=0, lt=1)
    likely: float = Field(0.5, gt=0, lt=1)
    possible: float = Field(0.25, gt=0, lt=1)

    @model_validator(mode="after")
    def _ordered(self) -> Bands:
        if not self.possible < self.likely < self.very_likely:
            raise ValueError("the bands must rise: possible < likely < very_likely")
        return self

    def edges(self) -> list[tuple[str, float]]:
        """``(band name, lower edge)``, highest first."""
        return [
            ("very likely", self.very_likely),
            ("likely", self.likely),
            ("possible", self.possible),
        ]

    def of(self, p: float) -> str | None:
        """The band *p* falls in, or None below ``possible``."""
        for name, edge in self.edges():
            if p >= edge:
                return name
        return None


class Settings(_Model):
    """Knobs of the knowledge base as a whole."""

    kb_version: Text
    bands: Bands = Field(default_factory=Bands)
    stop_threshold: float = Field(
        0.2,
        gt=0,
        lt=1,
        description="The interview stops when no remaining question has at least this "
        "chance of moving any cause across a band edge.",
    )
    always_ask: list[Id] = Field(
        default_factory=list,
        description="Questions asked after the screen whatever the model says (e.g. pain).",
    )
    back_pain: list[Condition] = Field(
        default_factory=list,
        description="Any of these means the user reports back pain (back-friendly first).",
    )

    @model_validator(mode="before")
    @classmethod
    def _old_threshold(cls, data: Any) -> Any:
        return _reject_report_threshold(data)


# --- files -------------------------------------------------------------------------------


class QuestionsFile(_Model):
    """``questions.yaml``."""

    questions: list[Question] = Field(default_factory=list)
    remove: list[Id] = Field(default_factory=list)


class RedFlagsFile(_Model):
    """``red_flags.yaml``: the level texts and the warning signs."""

    levels: dict[Level, LevelText] = Field(default_factory=dict)
    red_flags: list[RedFlag] = Field(default_factory=list)
    remove: list[Id] = Field(default_factory=list)


class MistakesFile(_Model):
    """``mistakes.yaml``."""

    mistakes: list[Mistake] = Field(default_factory=list)
    remove: list[Id] = Field(default_factory=list)


class DrillsFile(_Model):
    """``drills.yaml``."""

    drills: list[Drill] = Field(default_factory=list)
    remove: list[Id] = Field(default_factory=list)


class VariationsFile(_Model):
    """``variations.yaml``."""

    variations: list[Variation] = Field(default_factory=list)
    remove: list[Id] = Field(default_factory=list)


class AlternativesFile(_Model):
    """``alternatives.yaml``."""

    alternatives: list[Alternative] = Field(default_factory=list)
    remove: list[Id] = Field(default_factory=list)


class NotesFile(_Model):
    """``notes.yaml``."""

    notes: list[Note] = Field(default_factory=list)
    remove: list[Id] = Field(default_factory=list)


class TechniqueFile(_Model):
    """``technique.yaml``: an overlay may give only some of the sections."""

    checklist: list[Step] | None = None
    warm_up: list[Text] | None = None
    performance: list[Text] | None = None
    progression: list[Text] | None = None
    advanced: list[Text] | None = None
    long_term: list[Strategy] | None = None
    glute_health: list[GluteAspect] | None = None
    sketch: list[str] | None = None


class SettingsFile(_Model):
    """``settings.yaml``: an overlay may give only some of the settings."""

    kb_version: Text | None = None
    bands: Bands | None = None
    stop_threshold: float | None = Field(None, gt=0, lt=1)
    always_ask: list[Id] | None = None
    back_pain: list[Condition] | None = None

    @model_validator(mode="before")
    @classmethod
    def _old_threshold(cls, data: Any) -> Any:
        return _reject_report_threshold(data)


FILES: dict[str, type[_Model]] = {
    "settings.yaml": SettingsFile,
    "questions.yaml": QuestionsFile,
    "red_flags.yaml": RedFlagsFile,
    "mistakes.yaml": MistakesFile,
    "drills.yaml": DrillsFile,
    "variations.yaml": VariationsFile,
    "alternatives.yaml": AlternativesFile,
    "notes.yaml": NotesFile,
    "technique.yaml": TechniqueFile,
}
LIST_KINDS = {
    "questions.yaml": "questions",
    "red_flags.yaml": "red_flags",
    "mistakes.yaml": "mistakes",
    "drills.yaml": "drills",
    "variations.yaml": "variations",
    "alternatives.yaml": "alternatives",
    "notes.yaml": "notes",
}


# --- the merged knowledge base -----------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    """Where an entry came from, so a later check can name the file, key path and line."""

    file: Path
    path: tuple[str | int, ...]


@dataclass
class KnowledgeBase:
    """Everything hipthrust knows, merged from the shipped data and any overlays."""

    settings: Settings
    questions: list[Question]
    levels: dict[Level, LevelText]
    red_flags: list[RedFlag]
    mistakes: list[Mistake]
    drills: list[Drill]
    variations: list[Variation]
    alternatives: list[Alternative]
    notes: list[Note]
    technique: Technique
    sources: list[Path] = field(default_factory=list)
    origins: dict[tuple[str, str], Origin] = field(default_factory=dict, repr=False)
    safety_waived: list[str] = field(default_factory=list)
    """What overlays lowered while the safety guard was switched off (normally empty)."""

    @cached_property
    def question_by_id(self) -> dict[str, Question]:
        """Questions keyed by id."""
        return {q.id: q for q in self.questions}

    @cached_property
    def ordered_questions(self) -> list[Question]:
        """Interview order: red-flag screening first, then the rest, each in file order."""
        return [q for q in self.questions if q.red_flag] + [
            q for q in self.questions if not q.red_flag
        ]

    @cached_property
    def evidence_by_question(self) -> dict[str, list[tuple[int, Likelihood]]]:
        """Each question's likelihood rows with their cause's index."""
        index: dict[str, list[tuple[int, Likelihood]]] = {}
        for i, mistake in enumerate(self.mistakes):
            for row in mistake.evidence:
                index.setdefault(row.question, []).append((i, row))
        return index

    @cached_property
    def red_flag_questions(self) -> set[str]:
        """Ids of the questions any red flag reads: the interview always asks them."""
        return {c.question for flag in self.red_flags for c in flag.conditions()}

    @cached_property
    def exercise_names(self) -> dict[str, str]:
        """Display names of every drill and alternative, keyed by id."""
        names = {d.id: d.name for d in self.drills}
        names.update({a.id: a.name for a in self.alternatives})
        return names


# --- problems ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the knowledge base, located as precisely as we can.

    Shown as ``FILE:LINE: key.path: what is wrong — what to do``.
    """

    file: Path | None
    line: int | None
    key: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        place = "" if self.file is None else str(self.file)
        if self.file is not None and self.line:
            place += f":{self.line}"
        parts = [p for p in (place, self.key, self.message) if p]
        # Keys and values come from the file: one line, no control characters.
        return clean_line(": ".join(parts))


class SourceTexts:
    """File texts read so far, to find the line of a key path only when one is needed."""

    def __init__(self) -> None:
        self.texts: dict[Path, str] = {}
        self._nodes: dict[Path, Any] = {}

    def problem(
        self,
        file: Path | None,
        loc: Sequence[str | int],
        message: str,
        severity: Literal["error", "warning"] = "error",
    ) -> Problem:
        """A problem at key path *loc* of *file*, with its line when the text is known."""
        text = self.texts.get(file) if file is not None else None
        line = None
        if file is not None and text is not None:
            if file not in self._nodes:  # compose each file once, however many problems
                self._nodes[file] = yamlio.compose(text)
            line = yamlio.locate_in(self._nodes[file], loc)
        return Problem(file, line, _dotted(loc), message, severity)


# --- loading ------------------------------------------------------------------------------


def shipped_dir() -> Path:
    """The knowledge base that ships with hipthrust, in a wheel or in a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "data", here.parent / "data"):
        if (candidate / "questions.yaml").is_file():
            return candidate
    raise KnowledgeBaseError(
        f"The shipped knowledge base is missing (looked in {here / 'data'} and "
        f"{here.parent / 'data'}); reinstall hipthrust."
    )


def overlay_dirs(cli_dirs: Sequence[Path] = (), env: Mapping[str, str] | None = None) -> list[Path]:
    """Overlay folders in the order they apply: ``HIPTHRUST_KB`` entries, then ``--kb``."""
    environ = os.environ if env is None else env
    raw = environ.get("HIPTHRUST_KB", "")
    from_env = [Path(p) for p in raw.split(os.pathsep) if p.strip()]
    return [*from_env, *cli_dirs]


def is_complete(folder: Path) -> bool:
    """Whether *folder* holds every knowledge-base file (a whole KB, not an overlay)."""
    return all((folder / name).is_file() for name in FILES)


def _dotted(loc: Sequence[object]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _pydantic_problems(file: Path, texts: SourceTexts, exc: ValidationError) -> list[Problem]:
    import difflib

    errors = exc.errors(include_url=False)
    # A misspelt key shows up as "unknown key" plus "field missing" next to it; the unknown
    # key is the cause, so it goes first and names the field it was probably meant to be.
    missing: dict[tuple[object, ...], list[str]] = {}
    for err in errors:
        if err["type"] == "missing":
            missing.setdefault(tuple(err["loc"][:-1]), []).append(str(err["loc"][-1]))
    errors.sort(key=lambda e: e["type"] != "extra_forbidden")
    problems = []
    for err in errors:
        # pydantic adds the failing union/enum member to the path; keep the YAML keys only.
        loc = [p for p in err["loc"] if isinstance(p, int) or not str(p).startswith("function-")]
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            close = difflib.get_close_matches(
                str(loc[-1]), missing.get(tuple(err["loc"][:-1]), []), n=1
            )
            hint = f"did you mean '{close[0]}'?" if close else "check its spelling"
            msg = f"unknown key — {hint} (docs/authoring.md lists the fields)"
        elif err["type"] == "missing":
            msg = "this required field is missing — add it"
        elif msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        problems.append(texts.problem(file, loc, msg))
    return problems


_M = TypeVar("_M", bound=_Model)


Snapshot = Mapping[Path, "bytes | yamlio.YamlProblem"]
"""The bytes of each knowledge-base file as read once (or why it could not be read)."""


def _read_file(
    path: Path, model: type[_M], texts: SourceTexts, snapshot: Snapshot | None = None
) -> tuple[_M | None, list[Problem]]:
    try:
        raw = snapshot.get(path) if snapshot is not None else None
        if isinstance(raw, yamlio.YamlProblem):
            raise raw
        if raw is None:
            raw = yamlio.read_bytes(path, MAX_KB_FILE_BYTES)
        text = yamlio.decode(raw, MAX_KB_FILE_BYTES)
        data = yamlio.parse(text, MAX_KB_NODES)
    except yamlio.YamlProblem as problem:
        return None, [Problem(path, problem.line, "", f"the file {problem.sentence()}")]
    texts.texts[path] = text
    if data is None:
        data = {}
    if not isinstance(data, dict):
        first = next(iter(model.model_fields))
        return None, [
            Problem(
                path,
                1,
                "",
                f"the file should be a mapping with keys like '{first}', not a "
                f"{type(data).__name__} — see docs/authoring.md",
            )
        ]
    if model is RedFlagsFile and _old_red_flag_format(data):
        return None, [texts.problem(path, ["red_flags"], OLD_RED_FLAGS_MESSAGE)]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, _pydantic_problems(path, texts, exc)


# Red-flag ids that the 2026.12 screen replaced; an overlay naming them was written for
# the old format.
RETIRED_RED_FLAGS = frozenset({"emergency_signs_unsure", "urgent_signs_unsure", "fall_or_accident"})
OLD_RED_FLAGS_MESSAGE = (
    "this file is written for the red-flag format before knowledge base 2026.12. What "
    "changed: every red flag now needs a 'source' (the guidance it follows); the levels are "
    "emergency, same_day, urgent, routine and self_care; 'fall_or_accident' moved from "
    "emergency_signs to urgent_signs with a follow-up question 'fall_details'; the flags "
    "emergency_signs_unsure, urgent_signs_unsure and fall_or_accident are gone; and "
    "overlays can no longer remove or lower the shipped emergency and same_day signs — "
    "docs/authoring.md, 'Upgrading a red-flag overlay', shows the new format"
)


# Choices the 2026.12 screen moved, so an old overlay is told where they went.
MOVED_CHOICES = {
    ("emergency_signs", "fall_or_accident"): (
        "'fall_or_accident' moved from emergency_signs to urgent_signs in knowledge base "
        "2026.12, with the follow-up 'fall_details' (how serious, how long ago) — see "
        "docs/authoring.md, 'Upgrading a red-flag overlay'"
    ),
}


def _old_red_flag_format(data: Mapping[str, Any]) -> bool:
    """Whether a ``red_flags.yaml`` was written for the format before 2026.12."""
    flags = data.get("red_flags")
    entries = [f for f in flags if isinstance(f, dict)] if isinstance(flags, list) else []
    if any("source" not in f for f in entries):
        return True
    named = [f.get("id") for f in entries]
    removed = data.get("remove")
    if isinstance(removed, list):
        named += removed
    return any(isinstance(n, str) and n in RETIRED_RED_FLAGS for n in named)


def _folder_problems(folder: Path) -> list[Problem]:
    if not folder.exists():
        return [
            Problem(folder, None, "", "the knowledge-base folder does not exist — check the path")
        ]
    if not folder.is_dir():
        return [
            Problem(
                folder,
                None,
                "",
                "is a file — give the folder that holds the knowledge-base .yaml files",
            )
        ]
    stray = sorted(
        p.name for p in folder.iterdir() if p.suffix in {".yaml", ".yml"} and p.name not in FILES
    )
    return [
        Problem(
            folder / name,
            None,
            "",
            f"is not a knowledge-base file — name it one of {', '.join(FILES)}",
        )
        for name in stray
    ]


def collect(
    overlays: Sequence[Path] = (),
    base: Path | None = None,
    allow_unsafe: bool = False,
    snapshot: Snapshot | None = None,
) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Load and check a knowledge base, returning it (if whole) and every problem found.

    With *snapshot* (from :func:`read_sources`), files are parsed from the bytes it holds,
    so what is checked is exactly what the cache key was computed from.

    Overlays may add warning signs and raise levels, never remove or weaken the base's
    ``emergency`` and ``same_day`` signs (see :func:`safety_problems`). With
    *allow_unsafe* those problems are not errors: they are kept in
    ``KnowledgeBase.safety_waived`` so every report can say so.
    """
    folders = [base or shipped_dir(), *overlays]
    texts = SourceTexts()
    problems: list[Problem] = []
    blocking = False
    lists: dict[str, dict[str, Any]] = {kind: {} for kind in LIST_KINDS.values()}
    origins: dict[tuple[str, str], Origin] = {}
    removals: dict[tuple[str, str], Origin] = {}
    levels: dict[Level, LevelText] = {}
    technique: dict[str, Any] = {}
    settings: dict[str, Any] = {}
    shipped: tuple[dict[str, RedFlag], dict[str, Question]] | None = None
    shipped_levels: dict[Level, LevelText] = {}
    level_origins: dict[Level, Path] = {}
    for folder in folders:
        if folder is not folders[0] and shipped is None:
            # What the base folder holds is what overlays must not weaken.
            shipped = (dict(lists["red_flags"]), dict(lists["questions"]))
            shipped_levels = dict(levels)
        folder_problems = _folder_problems(folder)
        problems += folder_problems
        blocking = blocking or bool(folder_problems)
        if folder_problems and not folder.is_dir():
            continue
        for name, model in FILES.items():
            path = folder / name
            if not path.exists():
                continue
            parsed, file_problems = _read_file(path, model, texts, snapshot)
            problems += file_problems
            blocking = blocking or bool(file_problems)
            if parsed is None:
                continue
            if isinstance(parsed, TechniqueFile):
                technique.update(parsed.model_dump(exclude_none=True))
                continue
            if isinstance(parsed, SettingsFile):
                settings.update(parsed.model_dump(exclude_none=True))
                continue
            if isinstance(parsed, RedFlagsFile):
                levels.update(parsed.levels)
                level_origins.update(dict.fromkeys(parsed.levels, path))
            kind = LIST_KINDS[name]
            entries: dict[str, Any] = lists[kind]
            for i, removed in enumerate(getattr(parsed, "remove", [])):
                if removed not in entries:
                    problems.append(
                        texts.problem(
                            path,
                            ["remove", i],
                            f"there is no {kind[:-1]} '{removed}' to remove — check the id"
                            f"{_suggest(removed, entries)}",
                        )
                    )
                    continue
                del entries[removed]
                removals[(kind, removed)] = Origin(path, ("remove", i))
            seen: dict[str, int] = {}
            for i, entry in enumerate(getattr(parsed, kind)):
                if entry.id in seen:
                    problems.append(
                        texts.problem(
                            path,
                            [kind, i, "id"],
                            f"the id '{entry.id}' is used twice in this file (also "
                            f"{kind}[{seen[entry.id]}]) — ids must be unique",
                        )
                    )
                    continue
                seen[entry.id] = i
                # A replaced entry keeps its place, so overlays do not reorder the interview.
                entries[entry.id] = entry
                origins[(kind, entry.id)] = Origin(path, (kind, i))
                removals.pop((kind, entry.id), None)
    # Unreadable or invalid files leave holes that would make reference checks misleading;
    # a skipped duplicate or a bad 'remove' does not, so those still get checked.
    if blocking:
        return None, problems
    try:
        kb = KnowledgeBase(
            settings=Settings.model_validate(settings),
            questions=list(lists["questions"].values()),
            levels=levels,
            red_flags=list(lists["red_flags"].values()),
            mistakes=list(lists["mistakes"].values()),
            drills=list(lists["drills"].values()),
            variations=list(lists["variations"].values()),
            alternatives=list(lists["alternatives"].values()),
            notes=list(lists["notes"].values()),
            technique=Technique.model_validate(technique),
            sources=folders,
            origins=origins,
        )
    except ValidationError as exc:
        return None, [
            Problem(
                folders[-1],
                None,
                _dotted(err["loc"]),
                f"the merged knowledge base is incomplete: {err['msg']} — add it, or layer "
                "this folder over the shipped knowledge base",
            )
            for err in exc.errors(include_url=False)
        ]
    if shipped is not None:
        unsafe = safety_problems(*shipped, kb, removals, texts)
        # The words of an emergency or same-day referral are part of the screen too.
        for level in PROTECTED_LEVELS:
            if level in shipped_levels and kb.levels.get(level) != shipped_levels[level]:
                unsafe.insert(
                    0,
                    texts.problem(
                        level_origins.get(level),
                        ["levels", level.value],
                        f"changes the shipped {level.value} title or advice; "
                        f"{UNSAFE_OVERRIDE_HINT}",
                    ),
                )
        if allow_unsafe:
            kb.safety_waived = [str(p) for p in unsafe]
        else:
            problems = unsafe + problems
    problems += check_references(kb, texts)
    return (None if problems else kb), problems


PROTECTED_LEVELS = (Level.emergency, Level.same_day)
UNSAFE_OVERRIDE_HINT = (
    "overlays may add warning signs and raise levels, never remove or weaken them — "
    "undo that change, or run with --allow-unsafe-kb (or HIPTHRUST_ALLOW_UNSAFE_KB=1), "
    "and every report will say that safety checks were switched off"
)


def safety_problems(
    shipped_flags: Mapping[str, RedFlag],
    shipped_questions: Mapping[str, Question],
    kb: KnowledgeBase,
    removals: Mapping[tuple[str, str], Origin],
    texts: SourceTexts | None = None,
) -> list[Problem]:
    """Every way the overlays weaken the base knowledge base's warning-sign screen.

    Each ``emergency`` and ``same_day`` flag of the base must still be there with the
    same conditions, title and advice (its level may only go up), and every screening
    question it reads must keep its text, kind, ``when`` and choices (new choices may be
    added). No flag of any level may end lower than it shipped.
    """
    texts = texts or SourceTexts()
    problems: list[Problem] = []
    merged = {f.id: f for f in kb.red_flags}
    questions = kb.question_by_id

    def at(kind: str, entry_id: str, message: str) -> None:
        # A removed entry is blamed on the 'remove' that dropped it, not where it came from.
        origin = removals.get((kind, entry_id)) or kb.origins.get((kind, entry_id))
        if origin is None:
            problems.append(Problem(None, None, f"{kind}: {entry_id}", message))
        else:
            problems.append(texts.problem(origin.file, list(origin.path), message))

    checked: set[str] = set()
    for fid, flag in shipped_flags.items():
        now = merged.get(fid)
        what = f"the shipped {flag.level.value} warning sign '{fid}'"
        if now is not None and now.level.rank > flag.level.rank:
            at(
                "red_flags",
                fid,
                f"lowers {what} to {now.level.value}; {UNSAFE_OVERRIDE_HINT}",
            )
            continue
        if flag.level not in PROTECTED_LEVELS:
            continue
        if now is None:
            at("red_flags", fid, f"removes {what}; {UNSAFE_OVERRIDE_HINT}")
            continue
        if now.model_copy(update={"level": flag.level}) != flag:
            at(
                "red_flags",
                fid,
                f"changes {what} (its conditions, title, advice or source); {UNSAFE_OVERRIDE_HINT}",
            )
        for condition in flag.conditions():
            qid = condition.question
            before = shipped_questions.get(qid)
            if before is None or qid in checked:
                continue
            checked.add(qid)
            after = questions.get(qid)
            reads = f"the screening question '{qid}', which {what} reads"
            if after is None:
                at("questions", qid, f"removes {reads}; {UNSAFE_OVERRIDE_HINT}")
            elif (after.text, after.kind, after.when, after.red_flag) != (
                before.text,
                before.kind,
                before.when,
                before.red_flag,
            ) or any(c not in after.choices for c in before.choices):
                at(
                    "questions",
                    qid,
                    f"changes {reads} (its text, kind, when, or a shipped choice); "
                    f"{UNSAFE_OVERRIDE_HINT}",
                )
    return problems


def read_sources(folders: Sequence[Path]) -> tuple[list[tuple[str, bytes]], dict[Path, Any]]:
    """Read every knowledge-base file of *folders* once, for the cache key and for parsing.

    Returns the key material (every name in every folder, and each file's bytes) and the
    snapshot :func:`collect` parses. A file that cannot be read is in the snapshot as its
    :class:`~hipthrust_cli.yamlio.YamlProblem`; a folder that cannot be listed adds a
    marker, so neither is ever keyed as if it were fine.
    """
    parts: list[tuple[str, bytes]] = []
    snapshot: dict[Path, Any] = {}
    for folder in folders:
        where = os.path.abspath(folder)
        try:
            names = sorted(os.listdir(folder))
        except OSError as exc:
            parts.append((f"{where}\0unlistable", str(exc.errno).encode()))
            continue
        # Every name, not just the known files: a misspelt file must not be hidden by a hit.
        parts.append((f"{where}\0names", "\0".join(names).encode("utf-8", "surrogateescape")))
        for name in FILES:
            if name not in names:
                continue
            path = folder / name
            try:
                data = yamlio.read_bytes(path, MAX_KB_FILE_BYTES)
            except yamlio.YamlProblem as problem:
                snapshot[path] = problem
                parts.append((f"{where}/{name}\0unreadable", str(problem).encode()))
                continue
            snapshot[path] = data
            parts.append((f"{where}/{name}", data))
    return parts, snapshot


def _code_salt() -> str:
    """Changes whenever the models change, so a cache never meets code it was not made by."""
    import hashlib

    import pydantic

    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest() + pydantic.VERSION


def load(
    overlays: Sequence[Path] = (),
    base: Path | None = None,
    cache_dir: Path | None = None,
    allow_unsafe: bool = False,
) -> KnowledgeBase:
    """Load the shipped knowledge base, apply *overlays* in order, and check it whole.

    With *cache_dir*, a knowledge base whose files are byte-for-byte unchanged since an
    earlier load is read from the cache instead of being parsed and validated again.
    *allow_unsafe* lets overlays weaken the warning-sign screen (recorded in
    ``safety_waived``). Raises :class:`KnowledgeBaseError` carrying every problem found.
    """
    with collector.paused():
        return _load(overlays, base, cache_dir, allow_unsafe)


def _load(
    overlays: Sequence[Path], base: Path | None, cache_dir: Path | None, allow_unsafe: bool
) -> KnowledgeBase:
    from hipthrust_cli import cache

    folders = [base or shipped_dir(), *overlays]
    snapshot = None
    name = None
    if cache_dir is not None:
        parts, snapshot = read_sources(folders)
        if not any(isinstance(v, yamlio.YamlProblem) for v in snapshot.values()):
            salt = _code_salt() + (":unsafe" if allow_unsafe else "")
            name = cache.key(parts, salt)
            cached = cache.read(cache_dir, name, KnowledgeBase)
            if isinstance(cached, KnowledgeBase):
                return cached
    kb, problems = collect(overlays, base, allow_unsafe, snapshot)
    if kb is None:
        lines = [str(p) for p in problems]
        more = (
            f" (and {len(lines) - 1} more; 'hipthrust kb validate' lists them)"
            if len(lines) > 1
            else ""
        )
        raise KnowledgeBaseError(lines[0] + more, lines)
    if name is not None:
        cache.write(cache_dir, name, kb, KnowledgeBase)
    return kb


def all_conditions(
    kb: KnowledgeBase,
) -> Iterator[tuple[str, str, tuple[str | int, ...], Condition]]:
    """Every condition in the knowledge base as ``(kind, entry id, key path, condition)``."""
    groups: list[tuple[str, Sequence[Any], tuple[str, ...]]] = [
        ("questions", kb.questions, ("when",)),
        ("red_flags", kb.red_flags, ("any", "all")),
        ("mistakes", kb.mistakes, ("evidence", "context")),
        ("alternatives", kb.alternatives, ("avoid_when",)),
        ("notes", kb.notes, ("any", "all")),
    ]
    for kind, entries, parts in groups:
        for entry in entries:
            for part in parts:
                for j, c in enumerate(getattr(entry, part)):
                    yield kind, entry.id, (part, j), c
    for m in kb.mistakes:
        for i, fix in enumerate(m.fixes):
            for j, c in enumerate(fix.when):
                yield "mistakes", m.id, ("fixes", i, "when", j), c
    for j, c in enumerate(kb.settings.back_pain):
        yield "settings", "back_pain", (j,), c


def check_references(kb: KnowledgeBase, texts: SourceTexts | None = None) -> list[Problem]:
    """Every cross-reference problem of a merged knowledge base, located."""
    texts = texts or SourceTexts()
    problems: list[Problem] = []

    def at(kind: str, entry_id: str, *rest: str | int) -> tuple[Path | None, list[str | int]]:
        origin = kb.origins.get((kind, entry_id))
        if origin is None:
            return None, [kind, entry_id, *rest]
        return origin.file, [*origin.path, *rest]

    def add(kind: str, entry_id: str, loc: Sequence[str | int], message: str) -> None:
        file, path = at(kind, entry_id, *loc)
        problems.append(texts.problem(file, path, message))

    missing_levels = [lv.value for lv in Level if lv not in kb.levels]
    if missing_levels:
        problems.append(
            Problem(
                None,
                None,
                "red_flags.yaml: levels",
                f"no title and advice for {', '.join(missing_levels)} — add them",
            )
        )
    questions = kb.question_by_id
    position = {q.id: i for i, q in enumerate(kb.ordered_questions)}

    def check_condition(kind: str, entry_id: str, c: Condition, *loc: str | int) -> None:
        question = questions.get(c.question)
        if question is None:
            add(
                kind,
                entry_id,
                [*loc, "question"],
                f"there is no question '{c.question}' — check the id"
                f"{_suggest(c.question, questions)}",
            )
            return
        if c.answers is not None:
            if question.kind is Kind.scale:
                add(
                    kind,
                    entry_id,
                    [*loc, "answers"],
                    f"'{c.question}' is a scale — use 'min'/'max' instead of 'answers'",
                )
                return
            valid = question.choice_ids()
            for j, ans in enumerate(c.answers):
                if ans not in (NOT_SURE, UNANSWERED) and ans not in valid:
                    add(
                        kind,
                        entry_id,
                        [*loc, "answers", j],
                        MOVED_CHOICES.get((c.question, ans))
                        or f"'{c.question}' has no choice '{ans}' — valid: "
                        f"{', '.join([*valid, NOT_SURE])}",
                    )
        elif question.kind is not Kind.scale:
            add(
                kind,
                entry_id,
                list(loc),
                f"'{c.question}' is not a scale — use 'answers' instead of 'min'/'max'",
            )

    for kind, entry_id, loc, c in all_conditions(kb):
        check_condition(kind, entry_id, c, *loc)
        if kind == "questions" and position.get(c.question, -1) >= position[entry_id]:
            add(
                "questions",
                entry_id,
                [*loc, "question"],
                f"'{c.question}' is asked after '{entry_id}', so it cannot decide whether "
                f"'{entry_id}' is asked — move it earlier",
            )
    cause_ids = {m.id for m in kb.mistakes}
    steps = {s.id for s in kb.technique.checklist}
    for m in kb.mistakes:
        for j, rid in enumerate(m.related):
            if rid not in cause_ids:
                add(
                    "mistakes",
                    m.id,
                    ["related", j],
                    f"there is no mistake '{rid}' — check the id{_suggest(rid, cause_ids)}",
                )
        for j, step in enumerate(m.form):
            if step not in steps:
                add(
                    "mistakes",
                    m.id,
                    ["form", j],
                    f"there is no form step '{step}' in technique.yaml's checklist"
                    f"{_suggest(step, steps)}",
                )
        for j, drill in enumerate(m.drills):
            if drill not in kb.exercise_names:
                add(
                    "mistakes",
                    m.id,
                    ["drills", j],
                    f"there is no drill or alternative '{drill}' — add it to drills.yaml"
                    f"{_suggest(drill, kb.exercise_names)}",
                )
    for m in kb.mistakes:
        _check_model(m, questions, add)
    clash = {d.id for d in kb.drills} & {a.id for a in kb.alternatives}
    for dup in sorted(clash):
        add(
            "drills",
            dup,
            ["id"],
            f"'{dup}' is both a drill and an alternative — rename one so drill references "
            "are unambiguous",
        )
    return problems


def _check_model(
    m: Mistake,
    questions: Mapping[str, Question],
    add: Callable[[str, str, Sequence[str | int], str], None],
) -> None:
    """The cause model of one mistake: partitions that add up, and related causes."""
    by_question: dict[str, list[tuple[int, Likelihood]]] = {}
    for j, row in enumerate(m.evidence):
        by_question.setdefault(row.question, []).append((j, row))
    for qid, rows in by_question.items():
        q = questions.get(qid)
        if q is None or q.kind is Kind.multi:
            continue  # each row of a multi question is its own ticked / not ticked feature
        seen: dict[str, int] = {}
        for j, row in rows:
            for answer in row.answers or []:
                if answer in seen:
                    add(
                        "mistakes",
                        m.id,
                        ["evidence", j, "answers"],
                        f"'{answer}' of '{qid}' already has a likelihood in evidence"
                        f"[{seen[answer]}] — give each answer one row",
                    )
                seen.setdefault(answer, j)
        covered = q.kind is not Kind.scale and set(seen) >= set(q.choice_ids())
        for column in ("present", "absent"):
            total = sum(getattr(row, column) for _, row in rows)
            if total > 1 + 1e-9 or (not covered and total >= 1 - 1e-9):
                add(
                    "mistakes",
                    m.id,
                    ["evidence", rows[0][0], column],
                    f"the '{column}' likelihoods of '{qid}' add up to {total:.2f}; they are "
                    "probabilities of different answers, so they must stay below 1 (the "
                    "answers not listed share what is left)",
                )
    for j, rid in enumerate(m.related):
        if rid == m.id:
            add("mistakes", m.id, ["related", j], "a cause cannot be related to itself")


def _suggest(word: str, known: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(known), n=3, cutoff=0.6)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def _first_duplicate(items: Iterable[str]) -> str | None:
    seen: set[str] = set()
    for item in items:
        if item in seen:
            return item
        seen.add(item)
    return None
