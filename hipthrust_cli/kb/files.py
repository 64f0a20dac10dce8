"""The one registry of knowledge-base files, and the merged :class:`KnowledgeBase`.

Each file is a :class:`KbFile`: its name, the model that reads it, and, for a file of
entries, the key of its list. Files of entries are all alike (the list, and ``remove:
[ids]`` for overlays), so their models are made here from the entry model rather than
written out one by one; ``technique.yaml`` and ``settings.yaml`` are sections an overlay
may give only some of. Adding a knowledge-base file is one line in :data:`FILES` and
one field of :class:`KnowledgeBase`. Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field, create_model, model_validator

from hipthrust_cli.kb.content import (
    Alternative,
    Cause,
    Drill,
    GluteAspect,
    Likelihood,
    Mistake,
    Step,
    Strategy,
    Technique,
    Variation,
)
from hipthrust_cli.kb.models import (
    Bands,
    Condition,
    Id,
    Level,
    LevelText,
    Model,
    Note,
    Question,
    RedFlag,
    Settings,
    Text,
    reject_report_threshold,
)
from hipthrust_cli.kb.rows import DEFERRED, DERIVED, LAZY, deferred_attribute


@dataclass(frozen=True)
class KbFile:
    """One knowledge-base file: its name, its model, and the key of its entries if a list."""

    name: str
    model: type[Model]
    key: str | None = None
    """The list of entries with ids (merged by id), or None for sections merged by key."""
    whole: type[Model] | None = None
    """For a file of sections: the model the merged sections must make."""

    @property
    def attr(self) -> str:
        """The attribute of :class:`KnowledgeBase` that holds what this file gives."""
        return self.key or self.name.removesuffix(".yaml")


def _entries_file(name: str, key: str, entry: type[Model], doc: str = "", **extra: Any) -> KbFile:
    """A file of *entry* models under *key*, plus ``remove`` for overlays."""
    title = "".join(part.title() for part in key.split("_")) + "File"
    fields: dict[str, Any] = {
        **extra,
        key: (list[entry], Field(default_factory=list)),  # type: ignore[valid-type]
        "remove": (list[Id], Field(default_factory=list)),
    }
    model = create_model(
        title, __base__=Model, __doc__=f"``{name}``{doc}.", __module__=__name__, **fields
    )
    return KbFile(name, model, key)


class TechniqueFile(Model):
    """``technique.yaml``: an overlay may give only some of the sections."""

    checklist: list[Step] | None = None
    warm_up: list[Text] | None = None
    performance: list[Text] | None = None
    progression: list[Text] | None = None
    advanced: list[Text] | None = None
    long_term: list[Strategy] | None = None
    glute_health: list[GluteAspect] | None = None
    sketch: list[str] | None = None


class SettingsFile(Model):
    """``settings.yaml``: an overlay may give only some of the settings."""

    kb_version: Text | None = None
    bands: Bands | None = None
    stop_threshold: float | None = Field(None, gt=0, lt=1)
    always_ask: list[Id] | None = None
    back_pain: list[Condition] | None = None

    @model_validator(mode="before")
    @classmethod
    def _old_threshold(cls, data: Any) -> Any:
        return reject_report_threshold(data)


FILES: dict[str, KbFile] = {
    f.name: f
    for f in (
        KbFile("settings.yaml", SettingsFile, whole=Settings),
        _entries_file("questions.yaml", "questions", Question),
        _entries_file(
            "red_flags.yaml",
            "red_flags",
            RedFlag,
            ": the level texts and the warning signs",
            levels=(dict[Level, LevelText], Field(default_factory=dict)),
        ),
        _entries_file("mistakes.yaml", "mistakes", Mistake),
        _entries_file("drills.yaml", "drills", Drill),
        _entries_file("variations.yaml", "variations", Variation),
        _entries_file("alternatives.yaml", "alternatives", Alternative),
        _entries_file("notes.yaml", "notes", Note),
        KbFile("technique.yaml", TechniqueFile, whole=Technique),
    )
}
"""Every knowledge-base file, in the order they are read."""

LIST_KEYS = [f.key for f in FILES.values() if f.key is not None]
"""The keys of the files of entries: ``questions``, ``red_flags`` …"""


@dataclass(frozen=True)
class Origin:
    """Where an entry came from, so a later check can name the file, key path and line."""

    file: Path
    path: tuple[str | int, ...]


@dataclass
class KnowledgeBase:
    """Everything hipthrust knows, merged from the shipped data and any overlays.

    One field for each file of :data:`FILES` (named by its ``attr``), the level texts of
    ``red_flags.yaml``, and where each entry came from.
    """

    settings: Settings
    questions: list[Question]
    levels: dict[Level, LevelText]
    red_flags: list[RedFlag]
    mistakes: Annotated[Sequence[Mistake], LAZY]
    """From the cache, each decoded on first use; :attr:`causes` summarises them all."""
    drills: list[Drill]
    variations: list[Variation]
    alternatives: list[Alternative]
    notes: list[Note]
    technique: Technique
    origins: Annotated[dict[tuple[str, str], Origin], DEFERRED] = field(
        default_factory=dict, repr=False
    )
    """Only ``kb lint`` and the checks read these: from the cache, decoded on first read."""
    safety_waived: list[str] = field(default_factory=list)
    """What overlays lowered while the safety guard was switched off (normally empty)."""
    causes: Annotated[list[Cause], DERIVED] = field(init=False, repr=False, compare=False)
    """One summary per cause, in the order of :attr:`mistakes`: computed from them on
    first read, or read from the cache (so a hit decodes only the causes it needs)."""

    if not TYPE_CHECKING:  # to the type checker, a typo stays a typo

        def __getattr__(self, name: str) -> Any:
            """A field the cache left to decode when it is first read (``origins``).

            Or the derived :attr:`causes` of a knowledge base not read from the cache.
            """
            if name == "causes":
                causes = self.__dict__[name] = [Cause.of(m) for m in self.mistakes]
                return causes
            return deferred_attribute(self, name)

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
    def question_order(self) -> dict[str, int]:
        """Each question's place in :attr:`ordered_questions`, to sort answers by."""
        return {q.id: i for i, q in enumerate(self.ordered_questions)}

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
        return {c.question for flag in self.red_flags for c in (*flag.any, *flag.all)}

    @cached_property
    def exercise_names(self) -> dict[str, str]:
        """Display names of every drill and alternative, keyed by id."""
        names = {d.id: d.name for d in self.drills}
        names.update({a.id: a.name for a in self.alternatives})
        return names
