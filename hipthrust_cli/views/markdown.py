"""The Markdown view: the export sections of a report, and the reference tables.

Knowledge-base and user text is escaped (:func:`md`), so it shows as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from hipthrust_cli.kb import NOT_SURE
from hipthrust_cli.kb.kinds import rules
from hipthrust_cli.safetext import clean
from hipthrust_cli.views import blocks as b
from hipthrust_cli.views.tables import (
    HISTORY_HEADINGS,
    as_yaml,
    history_rows,
    sparkline,
    technique_lists,
    variation_row,
)

if TYPE_CHECKING:  # pragma: no cover - types only
    from hipthrust_cli.core.report import Diagnosis
    from hipthrust_cli.kb import Alternative, KnowledgeBase, Technique, Variation

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!])")


def md(text: str) -> str:
    """Escape knowledge-base text for Markdown, so it shows as written."""
    return _MD_SPECIAL.sub(r"\\\1", clean(text)).replace("\n", " ")


sections = b.export
"""The sections this view draws (the export's: everything)."""


def _write(text: str, out: TextIO) -> None:
    out.write(text if text.endswith("\n") else text + "\n")


def report_text(d: Diagnosis, include_screening: bool = False) -> str:
    """The report as Markdown, for pasting into a message to a coach.

    Everything is here (the whole form checklist, every fix and drill, the answers), but
    warning-sign answers only with *include_screening*.
    """
    out = ["# hipthrust report", ""]
    for section in sections(d, include_screening):
        out += _DRAW[type(section)](section)
    return "\n".join(out)


def report(d: Diagnosis, out: TextIO, include_screening: bool = False, saved: Any = None) -> None:
    """Write the report as Markdown (see :func:`report_text`)."""
    _write(report_text(d, include_screening), out)


def _list(items: Sequence[str], heading: str) -> list[str]:
    return [heading, "", *(f"- {md(x)}" for x in items), ""] if items else []


def _header(s: b.Header) -> list[str]:
    return [f"*{md(s.date)}, knowledge base {md(s.kb_version)}*", ""] if s.date else []


def _triage(s: b.Triage) -> list[str]:
    out = [f"## {md(s.badge)}: {md(s.title)}", "", md(s.advice), ""]
    reasons = [f"{title} (source: {source})" if source else title for title, source in s.reasons]
    out += _list(reasons, "**Why:**")
    out += _list(s.unscreened, f"**{md(b.UNSCREENED_HEADING)}**")
    return out + _list(s.safety_waived, f"**{md(b.SAFETY_WAIVED_HEADING)}**")


def _after_check(s: b.AfterCheck) -> list[str]:
    return [f"## {md(s.heading)}", "", f"*{md(s.note)}*", ""]


def _progress(s: b.ProgressBlock) -> list[str]:
    out = [f"## {md(s.heading)}", "", md(s.summary), ""]
    for _, title, items in s.lists:
        out += [f"**{md(title)}:** {md(', '.join(items))}", ""]
    return out


def _notes(s: b.Notes) -> list[str]:
    out: list[str] = []
    for text, evidence in s.items:
        out += [f"> {md(text)} *({md(evidence)})*", ""]
    return out


def _findings(s: b.Findings) -> list[str]:
    out = [f"## {md(s.heading)}", ""]
    for c in [*s.full, *s.brief]:
        out += [f"### {c.number}. {md(c.title)} — {md(c.strength)}", "", md(c.consequence), ""]
        if c.related:
            out += [md(c.related), ""]
        out += [s.why_heading, ""]
        out += [f"- ✓ {md(x)}" for x in c.supporting]
        out += [f"- ✗ against: {md(x)}" for x in c.conflicting]
        out += [f"- ? not confirmed: {md(x)}" for x in c.unconfirmed]
        if c.fixes:
            out += ["", s.fixes_heading, ""]
        out += [f"- [ ] {md(x)}" + (f" *({md(n)})*" if n else "") for x, n in c.fixes]
        if c.drills:
            out += ["", s.drills_heading, ""]
            out += [
                f"- [ ] **{md(x.name)}**" + (f": {md(x.how)}" if x.how else "") for x in c.drills
            ]
        out.append("")
    return out


def _measured(s: b.Measured) -> list[str]:
    lines = [f"- {md(w)} (measured from video: {md(x)})" for w, x in s.items]
    return [f"## {md(s.heading)}", "", *lines, ""]


def _next_steps(s: b.NextSteps) -> list[str]:
    return _list(s.items, f"## {md(s.heading)}")


def _form(s: b.Form) -> list[str]:
    box = "- [ ] " if s.checkboxes else "- "
    out = [f"## {md(s.heading)}", ""]
    out += [f"{box}**{md(step)}**: {md(cue)}" for step, cue in s.steps] + [""]
    return out + _list(s.warm_up, "**Warm-up**") + _list(s.progression, "**Progression**")


def _alternatives(s: b.Alternatives) -> list[str]:
    out = [f"## {md(s.heading)}", ""]
    for a in s.items:
        friendly = " (back-friendly)" if a.back_friendly else ""
        out.append(f"- **{md(a.name)}**{friendly}: {md(a.text)} *{md(', '.join(a.muscles))}*")
    return [*out, ""]


def _answers(s: b.Answers) -> list[str]:
    out = [f"## {md(s.heading)}", ""] + [f"- {md(q)} — **{md(a)}**" for q, a in s.pairs]
    return out + (["", f"*{md(s.left_out)}*", ""] if s.left_out else [""])


def _footer(s: b.Footer) -> list[str]:
    return ["---", "", f"**{md(s.summary)}**", "", f"*{md(s.disclaimer)}*", ""]


_DRAW: dict[type[b.Section], Callable[[Any], list[str]]] = {
    b.Header: _header,
    b.Triage: _triage,
    b.AfterCheck: _after_check,
    b.ProgressBlock: _progress,
    b.Notes: _notes,
    b.Findings: _findings,
    b.Measured: _measured,
    b.NextSteps: _next_steps,
    b.Form: _form,
    b.Alternatives: _alternatives,
    b.Answers: _answers,
    b.Footer: _footer,
}


# --- reference tables ----------------------------------------------------------------------


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(md(c) for c in cells) + " |"


def variations(items: Sequence[Variation], out: TextIO, detail: bool = False) -> None:
    """Variations as a Markdown table (nothing when none match)."""
    if not items:
        return
    head = ["| Variation | Target muscles | Reps | Goal | Equipment | Level | Notes |"]
    rows = [_row(variation_row(v)) for v in items]
    _write("\n".join([*head, "|---|---|---|---|---|---|---|", *rows]) + "\n", out)


def alternatives(items: Sequence[Alternative], out: TextIO) -> None:
    """Alternatives as a Markdown table; the caveat always travels with the exercise."""
    head = ["| Exercise | Muscles worked | Benefits | Back-friendly |", "|---|---|---|---|"]
    rows = [
        _row(
            [
                a.name,
                ", ".join(a.muscles),
                f"{a.benefits} Caveat: {a.caveat}",
                "yes" if a.back_friendly else "no",
            ]
        )
        for a in items
    ]
    _write("\n".join([*head, *rows]) + "\n", out)


def form(t: Technique, out: TextIO) -> None:
    """The technique guide as Markdown."""
    lines = ["# Hip thrust: correct form", ""]
    lines += [f"- [ ] **{md(s.step)}**: {md(s.cue)} {md(s.why)}" for s in t.checklist] + [""]
    if t.sketch:
        sketch = (clean(line).replace("```", "'''") for line in t.sketch)
        lines += ["```text", *sketch, "```", ""]
    for title, items in technique_lists(t):
        lines += _list(items, f"## {title}")
    if t.long_term:
        lines += [
            "## Long-term strategy",
            "",
            "| Strategy | Description | Impact |",
            "|---|---|---|",
        ]
        lines += [_row([s.strategy, s.description, s.impact]) for s in t.long_term] + [""]
    if t.glute_health:
        lines += ["## Glute strength and lower-body health", ""]
        lines += ["| Aspect | Glute strength | Weak glutes | Notes |", "|---|---|---|---|"]
        lines += [
            _row([g.aspect, g.glute_strength, g.weak_glutes, g.notes]) for g in t.glute_health
        ]
        lines.append("")
    _write("\n".join(lines), out)


def questions(kb: KnowledgeBase, out: TextIO) -> None:
    """The questionnaire as Markdown."""
    lines = ["# hipthrust questions", ""]
    for i, q in enumerate(kb.ordered_questions, 1):
        flag = " (warning-sign screening)" if q.red_flag else ""
        lines += [f"{i}. **{md(q.text)}** `{q.id}`, {q.kind.value}{flag}", ""]
        lines += [f"   - `{c.id}`: {md(c.label)}" for c in q.choices]
        scale = rules(q).range_words(q)  # answers that are not listed choices
        if scale:
            lines.append(f"   - {scale}")
        lines += [f"   - `{NOT_SURE}`: Not sure", ""]
    _write("\n".join(lines), out)


def data(
    value: Any,
    title: str,
    out: TextIO,
    rows: Sequence[Sequence[str]] | None = None,
    headings: Sequence[str] = (),
) -> None:
    """Knowledge-base data: a table of *rows* when given, else the data as fenced YAML."""
    out.write(f"# {md(title)}\n\n")
    if rows is not None:
        out.write("| " + " | ".join(headings) + " |\n|" + "---|" * len(headings) + "\n")
        for row in rows:
            out.write(_row(row) + "\n")
    else:
        fence = "`" * 3
        out.write(f"{fence}yaml\n{clean(as_yaml(value)).replace(fence, '` ` `')}{fence}\n")


def history(rows: Sequence[Mapping[str, Any]], out: TextIO) -> None:
    """Past sessions as a Markdown table, with the pain sparkline."""
    out.write("| " + " | ".join(HISTORY_HEADINGS) + " |\n|---|---|---|---|---|\n")
    for row in history_rows(rows):
        out.write(_row(row) + "\n")
    out.write(f"\nPain over time: `{sparkline([r['pain'] for r in rows])}`\n")
