"""The report on a terminal: the screen sections of the blocks, drawn with Rich.

Triage first, then the causes with every fix and each drill's how-to, only the form cues
that matter for those causes, the alternatives with their caveats, and the note that this
does not replace a clinician last. What appears at all is decided in the blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from hipthrust_cli.views import blocks as b
from hipthrust_cli.views.terminal.console import Glyphs, bullets, console, lines, rule, t

if TYPE_CHECKING:  # pragma: no cover - types only
    from rich.console import Console, RenderableType

    from hipthrust_cli.core.report import Diagnosis

# (badge style, border style) of the referral, by its tone.
TONE_STYLE = {
    "emergency": ("bold white on red", "red"),
    "same_day": ("bold white on dark_orange3", "dark_orange3"),
    "urgent": ("bold black on yellow", "yellow"),
    "routine": ("bold white on blue", "blue"),
    "self_care": ("bold black on cyan", "cyan"),
    # A screen that was not complete: neutral, never the reassuring colour.
    b.NOT_CHECKED_TONE: ("bold black on white", "white"),
}


sections = b.screen
"""The sections this view draws (the screen's: short enough to read on one screen)."""


def report(d: Diagnosis, out: TextIO, include_screening: bool = False, saved: Any = None) -> None:
    """Draw the report with Rich (the screen profile: warning-sign answers are never listed)."""
    con = console(out)
    g = Glyphs(con)
    for section in sections(d):
        _DRAW[type(section)](con, g, section)


def _triage(con: Console, g: Glyphs, s: b.Triage) -> None:
    from rich.console import Group
    from rich.panel import Panel

    badge_style, border = TONE_STYLE[s.tone]
    # The title goes in the body, not the border, so a narrow terminal wraps it
    # instead of cutting it off.
    parts: list[RenderableType] = [t(s.title, "bold"), t(s.advice)]
    if s.reasons:
        rows = [
            (t(g.dot), lines(title, t(f" (source: {source})", "dim") if source else ""))
            for title, source in s.reasons
        ]
        parts += [t("Why:", "bold"), bullets(rows, 0)]
    if s.unscreened:
        parts += [
            t(b.UNSCREENED_HEADING, "bold"),
            bullets([(t(g.dot), t(u)) for u in s.unscreened], 0),
        ]
    if s.safety_waived:
        parts += [
            t(b.SAFETY_WAIVED_HEADING, "bold"),
            bullets([(t(g.dot), t(w)) for w in s.safety_waived], 0),
        ]
    con.print(
        Panel(
            Group(*parts),
            title=t(f" {s.badge} ", badge_style),
            title_align="left",
            border_style=border,
            padding=(0, 1),
        )
    )


def _after_check(con: Console, g: Glyphs, s: b.AfterCheck) -> None:
    from rich.padding import Padding

    rule(con, s.heading)
    con.print(Padding(t(s.note, "italic"), (0, 1)))


def _progress(con: Console, g: Glyphs, s: b.ProgressBlock) -> None:
    from rich.padding import Padding

    rule(con, s.heading)
    con.print(Padding(t(s.summary), (0, 1)))
    marks = {"resolved": (g.yes, "green"), "still_present": (g.dot, "yellow"), "new": ("+", "red")}
    rows = [
        (t(*marks[kind]), lines(t(f"{title}: ", "bold"), ", ".join(items)))
        for kind, title, items in s.lists
    ]
    con.print(bullets(rows, 1))


def _notes(con: Console, g: Glyphs, s: b.Notes) -> None:
    from rich.padding import Padding

    for text, evidence in s.items:
        con.print(
            Padding(
                lines(t("Good to know: ", "bold"), text, t(f" ({evidence})", "dim")),
                (1, 1, 0, 1),
            )
        )


def _findings(con: Console, g: Glyphs, s: b.Findings) -> None:
    from rich.padding import Padding

    rule(con, s.heading)
    for cause in s.full:
        con.print(_cause(cause, g, s))
    if s.brief:
        con.print(Padding(t(s.brief_heading, "bold"), (1, 1, 0, 1)))
        for cause in s.brief:
            con.print(_cause_line(cause))


def _cause(c: b.Cause, g: Glyphs, s: b.Findings) -> RenderableType:
    """One cause in full: why we think so, every fix, and each drill with its how-to."""
    from rich.console import Group
    from rich.padding import Padding

    head = lines(t(f"{c.number}. ", "bold"), t(c.title, "bold"), "  ", t(c.strength, "magenta"))
    consequence = t(c.consequence, "italic")
    if c.related:
        consequence.append_text(t(f" {c.related}", "dim"))
    why = [(t(g.yes, "green"), t(text)) for text in c.supporting]
    why += [(t(g.no, "red"), lines(t("against: ", "red"), text)) for text in c.conflicting]
    todo = [
        (t(g.box), lines(text, t(f" ({note})", "dim")) if note else t(text))
        for text, note in c.fixes
    ]
    for x in c.drills:
        words = lines(t("Drill: ", "bold"), t(x.name, "bold"))
        if x.above:
            words.append_text(t(" (above)", "dim"))
        elif x.how:
            words.append_text(lines(" - " if g.box == "[ ]" else " — ", x.how))
        todo.append((t(g.box), words))
    parts: list[RenderableType] = [
        *([t("")] if c.number > 1 else []),
        head,
        Padding(consequence, (0, 0, 0, 3)),
        Padding(t(s.why_heading, "bold"), (0, 0, 0, 3)),
        bullets(why, 5),
    ]
    if todo:
        heading = lines(t(s.todo_heading, "bold"), t(f" ({s.todo_evidence})", "dim"), ":")
        parts += [Padding(heading, (0, 0, 0, 3)), bullets(todo, 5)]
    return Padding(Group(*parts), (0, 1))


def _cause_line(c: b.Cause) -> RenderableType:
    return bullets(
        [
            (
                t(f"{c.number}.", "bold"),
                lines(t(c.title, "bold"), "  ", t(c.strength + "  ", "magenta"), t(c.line, "dim")),
            )
        ],
        1,
    )


def _measured(con: Console, g: Glyphs, s: b.Measured) -> None:
    rule(con, s.heading)
    rows = [(t(g.play), lines(w, t(f" (measured from video: {x})", "dim"))) for w, x in s.items]
    con.print(bullets(rows, 1))


def _next_steps(con: Console, g: Glyphs, s: b.NextSteps) -> None:
    rule(con, s.heading)
    con.print(bullets([(t(g.dot), t(step)) for step in s.items], 1))


def _form(con: Console, g: Glyphs, s: b.Form) -> None:
    rule(con, s.heading, s.more)
    box = g.box if s.checkboxes else g.dot
    con.print(bullets([(t(box), lines(t(step, "bold"), ": ", cue)) for step, cue in s.steps], 1))


def _alternatives(con: Console, g: Glyphs, s: b.Alternatives) -> None:
    rule(con, s.heading, f" ({g.yes} = back-friendly)" if s.any_back_friendly else "")
    rows = [
        (
            t(g.yes, "green") if a.back_friendly else t(g.dot),
            lines(t(a.name, "bold"), ": ", a.text),
        )
        for a in s.items
    ]
    con.print(bullets(rows, 1))


def _footer(con: Console, g: Glyphs, s: b.Footer) -> None:
    from rich.padding import Padding
    from rich.rule import Rule

    con.print(Rule(style="dim"))
    con.print(Padding(t(s.summary, "bold"), (0, 1)))
    con.print(Padding(t(s.disclaimer, "dim italic"), (0, 1)))


_DRAW: dict[type[b.Section], Callable[[Console, Glyphs, Any], None]] = {
    b.Triage: _triage,
    b.AfterCheck: _after_check,
    b.ProgressBlock: _progress,
    b.Notes: _notes,
    b.Findings: _findings,
    b.Measured: _measured,
    b.NextSteps: _next_steps,
    b.Form: _form,
    b.Alternatives: _alternatives,
    b.Footer: _footer,
}
