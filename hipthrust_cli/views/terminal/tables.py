"""Reference tables on a terminal.

Variations, alternatives, the form guide, the questionnaire, knowledge-base entries and
the history of sessions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from hipthrust_cli.kb import NOT_SURE
from hipthrust_cli.kb.kinds import rules
from hipthrust_cli.views.tables import (
    as_yaml,
    condition,
    history_rows,
    sparkline,
    technique_lists,
    variation_row,
)
from hipthrust_cli.views.terminal.console import Column, bullets, console, lines, t, table

if TYPE_CHECKING:  # pragma: no cover - types only
    from hipthrust_cli.kb import Alternative, KnowledgeBase, Technique, Variation

VARIATION_COLUMNS: list[Column] = [
    ("Variation", 1, 10),
    ("Target muscles", 1, 11),
    ("Reps", 1, 9),
    ("Goal", 1, 10),
    ("Equipment", 1, 11),
    ("Level", 0, 12),
    ("Notes", 3, 20),
]


def variations(items: Sequence[Variation], out: TextIO, detail: bool = False) -> None:
    """Variations as a table, or (with *detail*) the one asked for by name in a panel."""
    if not items:
        return
    if detail:
        _variation(items[0], out)
        return
    rows = [variation_row(v) for v in items]
    table(console(out), VARIATION_COLUMNS, rows, "Hip thrust variations")


def _variation(v: Variation, out: TextIO) -> None:
    from rich.panel import Panel

    con = console(out)
    body = t("")
    row = variation_row(v)
    for (name, _, _), value in zip(VARIATION_COLUMNS[1:], row[1:], strict=True):
        body.append_text(lines(t(f"{name}: ", "bold"), value, "\n"))
    body.rstrip()
    con.print(Panel(body, title=t(v.name, "bold"), title_align="left", padding=(1, 2)))


def alternatives(items: Sequence[Alternative], out: TextIO) -> None:
    """Alternatives as a table; the caveat always travels with the benefits."""
    rows = [
        [
            a.name,
            ", ".join(a.muscles),
            f"{a.benefits} Caveat: {a.caveat}",
            "yes" if a.back_friendly else "no",
            a.how,
        ]
        for a in items
    ]
    columns = [
        ("Exercise", 1, 12),
        ("Muscles worked", 1, 10),
        ("Benefits", 2, 14),
        ("Back-friendly", 0, 13),
        ("How", 3, 16),
    ]
    table(console(out), columns, rows, "Alternative glute exercises")


def form(tq: Technique, out: TextIO) -> None:
    """The technique checklist, the side-view sketch, and the long-term advice."""
    from rich.padding import Padding
    from rich.rule import Rule

    con = console(out)
    con.print(Rule(t("Hip thrust: correct form", "bold"), align="left"))
    rows = []
    for s in tq.checklist:
        text = lines(t(s.step, "bold"), ": ", s.cue)
        if s.why:
            text.append_text(lines("\n", t(s.why, "dim")))
        rows.append((t("☐"), text))
    con.print(bullets(rows, 1))
    if tq.sketch:
        widest = max(len(line) for line in tq.sketch)
        con.print()
        if con.width >= widest + 2:
            con.print(Padding(t("The top position, from the side:", "bold"), (0, 1)))
            for line in tq.sketch:
                con.print(Padding(t(line, "cyan"), (0, 1)), overflow="ignore", crop=False)
        else:
            widen = f"(Widen the terminal to {widest + 2} columns to see the side-view sketch.)"
            con.print(Padding(t(widen, "dim"), (0, 1)))
    for title, items in technique_lists(tq):
        con.print()
        con.print(Rule(t(title, "bold"), align="left"))
        con.print(bullets([(t("•"), t(item)) for item in items], 1))
    if tq.long_term:
        con.print()
        table(
            con,
            [("Strategy", 1, 12), ("Description", 2, 16), ("Impact", 2, 14)],
            [[s.strategy, s.description, s.impact] for s in tq.long_term],
            "Long-term strategy",
        )
    if tq.glute_health:
        con.print()
        table(
            con,
            [
                ("Aspect", 2, 11),
                ("Glute strength", 2, 11),
                ("Weak glutes", 2, 11),
                ("Notes", 3, 14),
            ],
            [[g.aspect, g.glute_strength, g.weak_glutes, g.notes] for g in tq.glute_health],
            "Glute strength and lower-body health",
        )


def questions(kb: KnowledgeBase, out: TextIO) -> None:
    """The questionnaire, with ids, for people checking the knowledge base."""
    from rich.padding import Padding

    con = console(out)
    for i, q in enumerate(kb.ordered_questions, 1):
        head = lines(
            t(f"{i}. ", "bold"), t(q.text, "bold"), t(f"  [{q.id}, {q.kind.value}]", "dim")
        )
        if q.red_flag:
            head.append_text(t("  warning-sign screening", "yellow"))
        con.print(head)
        body = t(q.why, "italic dim")
        for c in q.choices:
            body.append_text(lines("\n• ", t(c.id, "cyan"), ": ", c.label))
        scale = rules(q).range_words(q)  # answers that are not listed choices
        if scale:
            body.append_text(t(f"\n• {scale}"))
        body.append_text(lines("\n• ", t(NOT_SURE, "cyan"), ": Not sure"))
        if q.when:
            cond = "; ".join(condition(c.question, c.answers, c.min, c.max) for c in q.when)
            body.append_text(t(f"\nAsked only when {cond}", "dim"))
        con.print(Padding(body, (0, 0, 1, 3)))


def data(
    value: Any,
    title: str,
    out: TextIO,
    rows: Sequence[Sequence[str]] | None = None,
    headings: Sequence[str] = (),
) -> None:
    """Knowledge-base data: a table of *rows* when given, else the data as YAML."""
    import textwrap

    con = console(out)
    if rows is not None:
        table(con, [(h, 0 if i == 0 else 1, 8) for i, h in enumerate(headings)], rows, title)
        return
    con.print(t(title, "bold"))
    con.print(t(textwrap.indent(as_yaml(value).rstrip(), "  ")), soft_wrap=True)


def history(rows: Sequence[Mapping[str, Any]], out: TextIO) -> None:
    """Past sessions, oldest first, with the pain sparkline."""
    con = console(out)
    table(
        con,
        [("#", 0, 3), ("Date", 0, 16), ("Triage", 0, 9), ("Top cause", 1, 14), ("Pain", 0, 5)],
        history_rows(rows),
        "Your sessions",
    )
    spark = sparkline([r["pain"] for r in rows])
    con.print(lines(t("Pain over time (0–10): ", "bold"), t(spark, "magenta")))
