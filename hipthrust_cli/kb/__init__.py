"""The knowledge base: ``data/*.yaml`` → a checked, merged :class:`KnowledgeBase`.

Pure: nothing here prints, prompts, reads the environment (callers pass overlay folders
and the cache folder in) or touches the terminal. This package exports the vocabulary
every other part uses; the work is in its modules: :mod:`~hipthrust_cli.kb.loading`
(load, overlays, cache), :mod:`~hipthrust_cli.kb.checks`, :mod:`~hipthrust_cli.kb.lint`,
:mod:`~hipthrust_cli.kb.schema`, :mod:`~hipthrust_cli.kb.kinds` (question kinds) and
:mod:`~hipthrust_cli.kb.files` (the registry of knowledge-base files).
"""

from hipthrust_cli.kb.content import (
    DEFAULT_CAVEAT,
    Alternative,
    Cause,
    ContextShift,
    Drill,
    EvidenceKind,
    Fix,
    GluteAspect,
    Likelihood,
    Mistake,
    Prior,
    Step,
    Strategy,
    Technique,
    Variation,
)
from hipthrust_cli.kb.files import KnowledgeBase, Origin
from hipthrust_cli.kb.models import (
    NOT_SURE,
    UNANSWERED,
    Answer,
    Bands,
    Choice,
    Condition,
    Evidence,
    Kind,
    Level,
    LevelText,
    Note,
    Question,
    RedFlag,
    Settings,
)

__all__ = [
    "DEFAULT_CAVEAT",
    "NOT_SURE",
    "UNANSWERED",
    "Alternative",
    "Answer",
    "Bands",
    "Cause",
    "Choice",
    "Condition",
    "ContextShift",
    "Drill",
    "Evidence",
    "EvidenceKind",
    "Fix",
    "GluteAspect",
    "Kind",
    "KnowledgeBase",
    "Level",
    "LevelText",
    "Likelihood",
    "Mistake",
    "Note",
    "Origin",
    "Prior",
    "Question",
    "RedFlag",
    "Settings",
    "Step",
    "Strategy",
    "Technique",
    "Variation",
]
