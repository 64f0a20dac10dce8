"""Looking things up: ``variations``, ``alternatives``, ``form`` and ``questions``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from hipthrust_cli.cli import common
from hipthrust_cli.cli.app import app, examples
from hipthrust_cli.cli.common import FormatOption, KbOption
from hipthrust_cli.cli.funnel import say
from hipthrust_cli.errors import UsageError
from hipthrust_cli.safetext import clean_line, quote

if TYPE_CHECKING:  # pragma: no cover - types only; importing them would slow start-up
    from hipthrust_cli.kb import KnowledgeBase, Variation


def _find_variation(kb: KnowledgeBase, name: str) -> tuple[Variation, str | None]:
    """The variation *name* means, with a note when it was a close match; else exit 2."""
    from hipthrust_cli.core import variations
    from hipthrust_cli.kb.problems import did_you_mean

    search = variations.find(kb.variations, name)
    if search.found is not None:
        return search.found, search.note
    # The search picks the candidates by words and spelling; they are only phrased here.
    hint = did_you_mean(
        name, search.candidates, n=len(search.candidates), cutoff=None, joiner=" or "
    )
    raise UsageError(
        f"There is no variation called {quote(name)}; "
        + (hint or "run 'hipthrust variations' to see them all.")
    )


@app.command(
    epilog=examples(
        "hipthrust variations",
        "hipthrust variations 'single leg'",
        "hipthrust variations --goal endurance --equipment band",
    )
)
def variations(
    name: Annotated[
        str | None, typer.Argument(help="Show one variation in detail, e.g. 'single leg'.")
    ] = None,
    goal: Annotated[str | None, typer.Option(help="Filter by goal, e.g. mass, endurance.")] = None,
    muscle: Annotated[str | None, typer.Option(help="Filter by target muscle, e.g. core.")] = None,
    equipment: Annotated[
        str | None, typer.Option(help="Filter by equipment, e.g. dumbbell, bodyweight.")
    ] = None,
    level: Annotated[
        str | None, typer.Option(help="Filter by level: beginner, intermediate, advanced.")
    ] = None,
    fmt: FormatOption = "rich",
    kb_dirs: KbOption = None,
) -> None:
    """List hip-thrust variations, filter them by goal, or show one in detail."""
    kb = common.load(kb_dirs)
    if name is not None:
        found, note = _find_variation(kb, name)
        if note:
            say(clean_line(note) + "\n")
        items = [found]
    else:
        from hipthrust_cli.core import variations as search

        items = search.select(
            kb.variations, goal=goal, muscle=muscle, equipment=equipment, level=level
        )
    if not items:
        filters = ", ".join(
            f"{k}={quote(v)}"
            for k, v in (
                ("goal", goal),
                ("muscle", muscle),
                ("equipment", equipment),
                ("level", level),
            )
            if v is not None
        )
        # Goals, levels and equipment come from the knowledge base: data, never markup.
        say(
            clean_line(
                f"No variation matches {filters}. Goals: "
                f"{', '.join(sorted({g for v in kb.variations for g in v.goal}))}; levels: "
                f"{', '.join(sorted({v.level for v in kb.variations}))}; equipment: "
                f"{', '.join(sorted({e for v in kb.variations for e in v.equipment}))}."
            )
        )
    common.emit(lambda out: common.view(fmt).variations(items, out, detail=name is not None))


@app.command(
    epilog=examples(
        "hipthrust alternatives", "hipthrust alternatives --back-friendly --format markdown"
    )
)
def alternatives(
    back_friendly: Annotated[
        bool, typer.Option("--back-friendly", help="Only exercises that spare the lower back.")
    ] = False,
    fmt: FormatOption = "rich",
    kb_dirs: KbOption = None,
) -> None:
    """Glute exercises to use while you fix your hip thrust."""
    kb = common.load(kb_dirs)
    items = [a for a in kb.alternatives if a.back_friendly or not back_friendly]
    common.emit(lambda out: common.view(fmt).alternatives(items, out))


@app.command(epilog=examples("hipthrust form", "hipthrust form --format markdown > form.md"))
def form(fmt: FormatOption = "rich", kb_dirs: KbOption = None) -> None:
    """The correct-form checklist, with a side view of the top position."""
    kb = common.load(kb_dirs)
    common.emit(lambda out: common.view(fmt).form(kb.technique, out))


@app.command(epilog=examples("hipthrust questions", "hipthrust questions --format json"))
def questions(fmt: FormatOption = "rich", kb_dirs: KbOption = None) -> None:
    """Every question the interview can ask, with ids and choices (for answers files)."""
    kb = common.load(kb_dirs)
    common.emit(lambda out: common.view(fmt).questions(kb, out))
