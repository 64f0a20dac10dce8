"""The arithmetic of the knowledge base's numbers: odds, and the outcomes of a question.

Here, below both, so that the engine (:mod:`hipthrust_cli.core.model`) and the linter
(:mod:`hipthrust_cli.kb.lint`) read a cause's evidence by the same rule, and the
knowledge base never imports the core. Pure arithmetic: nothing here prints.
"""

from __future__ import annotations

from collections.abc import Sequence

from hipthrust_cli.kb.content import Likelihood
from hipthrust_cli.kb.kinds import rules
from hipthrust_cli.kb.models import Question


def features(question: Question, rows: Sequence[Likelihood]) -> list[list[tuple[float, float]]]:
    """The answer outcomes a question has for one cause: ``(P | present, P | absent)``.

    One list per independent feature: a single or scale question is one feature whose
    outcomes are the listed answers plus "anything else"; each row of a multi question is
    its own ticked / not ticked feature.
    """
    if not rows:
        return []
    if rules(question).many:
        return [[(r.present, r.absent), (1 - r.present, 1 - r.absent)] for r in rows]
    outcomes = [(r.present, r.absent) for r in rows]
    rest = (1 - sum(r.present for r in rows), 1 - sum(r.absent for r in rows))
    if rest[0] > 1e-9 and rest[1] > 1e-9:
        outcomes.append(rest)
    return [outcomes]


def odds(p: float) -> float:
    """Probability → odds."""
    return p / (1 - p)


def prob(o: float) -> float:
    """Odds → probability."""
    return o / (1 + o)
