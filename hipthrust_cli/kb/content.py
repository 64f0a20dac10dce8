"""The knowledge base's content: causes and their evidence, fixes, exercises, good form.

Built on the vocabulary of :mod:`hipthrust_cli.kb.models`. Nothing here prints.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from hipthrust_cli.kb.models import Condition, Evidence, Id, Model, Text
from hipthrust_cli.kb.rows import INLINE


class Fix(Model):
    """One thing to change, with how well it is supported."""

    text: Text
    evidence: Evidence
    source: str | None = None
    # A tuple, not a list: a fix holds nothing mutable, so the cache shares equal ones
    # (35,035 fixes of a 1,000x knowledge base are 35 distinct).
    when: tuple[Condition, ...] = Field(
        default_factory=tuple,
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


class Prior(Model):
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


class Mistake(Model):
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
    # Each cause's own rows: not in the cache's tables (see rows.Inline).
    evidence: Annotated[list[Likelihood], INLINE] = Field(min_length=1)
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


class Cause(Model):
    """What the engine reads of every cause before any answer (one per :class:`Mistake`).

    Its id, prior and context, and the questions its evidence reads, in file order: a
    cause whose evidence reads no answered question has its prior after context for a
    posterior, so the cache can leave the cause itself undecoded (``KnowledgeBase.causes``).
    """

    id: Id
    prior: Prior
    reads: tuple[Id, ...]
    context: tuple[ContextShift, ...] = ()

    @classmethod
    def of(cls, mistake: Mistake) -> Cause:
        """The summary of *mistake* (not validated again: it was)."""
        return cls.model_construct(
            id=mistake.id,
            prior=mistake.prior,
            reads=tuple(dict.fromkeys(r.question for r in mistake.evidence)),
            context=tuple(mistake.context),
        )


class Drill(Model):
    """An exercise or drill a fix can point to."""

    id: Id
    name: Text
    how: Text
    targets: list[str] = Field(default_factory=list)


class Variation(Model):
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


class Alternative(Model):
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


class Step(Model):
    """One step of the correct-form checklist."""

    id: Id
    step: Text
    cue: Text
    why: str = ""
    evidence: Evidence = Evidence.expert_opinion
    source: str | None = None


class Strategy(Model):
    """A row of the long-term strategy table."""

    id: Id
    strategy: Text
    description: Text
    impact: Text


class GluteAspect(Model):
    """A row of the glute strength and lower-body health table."""

    id: Id
    aspect: Text
    glute_strength: Text
    weak_glutes: Text
    notes: Text


class Technique(Model):
    """How to do the movement well, and how to keep doing it well."""

    checklist: list[Step] = Field(min_length=1)
    warm_up: list[Text] = Field(default_factory=list)
    performance: list[Text] = Field(default_factory=list)
    progression: list[Text] = Field(default_factory=list)
    advanced: list[Text] = Field(default_factory=list)
    long_term: list[Strategy] = Field(default_factory=list)
    glute_health: list[GluteAspect] = Field(default_factory=list)
    sketch: list[str] = Field(default_factory=list)
