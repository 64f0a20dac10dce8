"""The knowledge base's vocabulary: answers, questions, conditions, warning signs, settings.

Every model is frozen and refuses unknown keys. The causes, exercises and form models are
in :mod:`hipthrust_cli.kb.content`; the files that hold them and the merged
:class:`~hipthrust_cli.kb.files.KnowledgeBase` in :mod:`hipthrust_cli.kb.files`.
Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

NOT_SURE = "not_sure"
UNANSWERED = "unanswered"
"""In a condition's ``answers``: holds when the question has no answer at all."""

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
Answer = str | list[str] | int
"""One answer: a choice id (single), a list of choice ids (multi), an int (scale)."""


class Model(BaseModel):
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


class Choice(Model):
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


class Condition(Model):
    """A test on one answer: a choice among ``answers``, or a scale value in ``min``..``max``.

    For a multi question it holds when any chosen id is in ``answers``. ``not_sure`` may
    be listed in ``answers`` to make "Not sure" count (as for cauda-equina screening), and
    ``unanswered`` to make a missing answer count (a follow-up that was never answered).
    """

    question: Id
    # A tuple, so a condition holds nothing mutable and the cache can share equal ones.
    answers: tuple[str, ...] | None = Field(None, min_length=1)
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


class Question(Model):
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
        from hipthrust_cli.kb.kinds import rules

        problem = rules(self).shape_problem(self)
        if problem is not None:
            raise ValueError(problem)
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
        """The human words for an answer, e.g. ``['a', 'b']`` → ``"A; B"``."""
        from hipthrust_cli.kb.kinds import rules

        return rules(self).label(self, value)


def conditions_hold(
    all_of: Iterable[Condition], any_of: Iterable[Condition], answers: Mapping[str, Answer]
) -> bool:
    """Whether every condition of *all_of* and (if given) one of *any_of* hold."""
    if not all(c.matches(answers) for c in all_of):
        return False
    any_of = list(any_of)
    return not any_of or any(c.matches(answers) for c in any_of)


class RedFlag(Model):
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

    def fires(self, answers: Mapping[str, Answer]) -> bool:
        """Whether this flag is triggered by the answers."""
        return conditions_hold(self.all, self.any, answers)


class LevelText(Model):
    """What the triage panel says for one level."""

    title: Text
    advice: Text


class Note(Model):
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
        return conditions_hold(self.all, self.any, answers)


def reject_report_threshold(data: Any) -> Any:
    """One clear message for a settings file written for the scored (version 1) model."""
    if isinstance(data, dict) and "report_threshold" in data:
        raise ValueError(
            "'report_threshold' was replaced by 'bands' (the lower edges of very likely, "
            "likely and possible) when scores became probabilities; see docs/authoring.md"
        )
    return data


class Bands(Model):
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


class Settings(Model):
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
        return reject_report_threshold(data)


def _first_duplicate(items: Iterable[str]) -> str | None:
    seen: set[str] = set()
    for item in items:
        if item in seen:
            return item
        seen.add(item)
    return None
