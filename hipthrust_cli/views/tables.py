"""What the reference tables show: rows of cells, shared by the terminal and Markdown.

Pure: imports no view library and never prints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - types only
    from hipthrust_cli.kb import Technique, Variation

SPARKS = "▁▂▃▄▅▆▇█"


def variation_row(v: Variation) -> list[str]:
    """A variation's cells: name, muscles, reps, goal, equipment, level, notes."""
    muscles = ", ".join(v.target_muscles) + (", one leg at a time" if v.unilateral else "")
    return [v.name, muscles, v.reps, ", ".join(v.goal), ", ".join(v.equipment), v.level, v.notes]


def technique_lists(t: Technique) -> list[tuple[str, list[str]]]:
    """The technique guide's titled lists that have something in them."""
    lists = [
        ("Warm-up", t.warm_up),
        ("Better hip thrusts, less back", t.performance),
        ("Progression", t.progression),
        ("Advanced techniques", t.advanced),
    ]
    return [(title, items) for title, items in lists if items]


def label_of(entry: Any) -> str:
    """The human name of a knowledge-base entry, whatever its kind."""
    for attr in ("title", "name", "text", "step", "strategy", "aspect"):
        value = getattr(entry, attr, None)
        if isinstance(value, str):
            return value
    return ""


def condition(qid: str, answers: Sequence[str] | None, lo: int | None, hi: int | None) -> str:
    """A question's condition in words: "bench_height is high or low"."""
    if answers is not None:
        return f"{qid} is {' or '.join(answers)}"
    return f"{qid} is between {lo if lo is not None else '…'} and {hi if hi is not None else '…'}"


HISTORY_HEADINGS = ["#", "Date", "Triage", "Top cause", "Pain"]


def history_rows(rows: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    """Past sessions as table cells: the date to the minute, a dash for nothing."""
    return [
        [
            str(r["number"]),
            str(r["date"])[:16].replace("T", " "),
            str(r["triage"]).replace("_", "-"),
            str(r["top_cause"] or "—"),
            "—" if r["pain"] is None else f"{r['pain']}/10",
        ]
        for r in rows
    ]


def sparkline(values: Sequence[int | None], top: int = 10) -> str:
    """Pain over time as ``▁▃▅``; a gap (no pain answer) is a space."""
    out = []
    for value in values:
        if value is None:
            out.append(" ")
        else:
            out.append(SPARKS[min(len(SPARKS) - 1, max(0, value * (len(SPARKS) - 1) // top))])
    return "".join(out)


def as_yaml(value: Any) -> str:
    """Knowledge-base data as YAML, in lines wide enough never to wrap.

    A wrapped YAML line would look like broken indentation.
    """
    import yaml

    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=10_000)
