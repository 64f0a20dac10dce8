"""The terminal view ("rich"): the only place that imports Rich, and only when drawing.

Registered in :mod:`hipthrust_cli.views.formats`; implements its ``View``.
"""

from hipthrust_cli.views.terminal.report import report, sections
from hipthrust_cli.views.terminal.tables import (
    alternatives,
    data,
    form,
    history,
    questions,
    variations,
)

__all__ = [
    "alternatives",
    "data",
    "form",
    "history",
    "questions",
    "report",
    "sections",
    "variations",
]
