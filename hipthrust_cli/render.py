"""Views: the same models shown as Rich text, Markdown or JSON.

This is the only module that imports Rich, and only inside the functions that draw Rich
output, so ``--format json`` never loads it. Every string from the knowledge base or the
user is data: it reaches Rich as ``Text`` (never as markup), goes through
:func:`~hipthrust_cli.safetext.clean` so control characters are shown, not sent, and is
escaped in Markdown.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import re
import shlex
from collections.abc import Sequence
from contextvars import ContextVar
from enum import Enum
from typing import TYPE_CHECKING, Any, TextIO

from pydantic import BaseModel

from hipthrust_cli.kb import (
    NOT_SURE,
    Alternative,
    Evidence,
    Kind,
    KnowledgeBase,
    Level,
    Technique,
    Variation,
)
from hipthrust_cli.kb.problems import Problem
from hipthrust_cli.safetext import clean

if TYPE_CHECKING:  # pragma: no cover - types only; 'variations' need not import the engine
    from rich.console import Console, RenderableType
    from rich.text import Text

    from hipthrust_cli.core.report import (
        AlternativeOut,
        Diagnosis,
        EvidenceItem,
        Finding,
        FixOut,
        FormStep,
        Progress,
    )
    from hipthrust_cli.core.triage import Reason, Triage

LEVEL_STYLE = {
    Level.emergency: ("bold white on red", "red", "⚠ EMERGENCY"),
    Level.same_day: ("bold white on dark_orange3", "dark_orange3", "⚠ GET CHECKED TODAY"),
    Level.urgent: ("bold black on yellow", "yellow", "⚠ URGENT"),
    Level.routine: ("bold white on blue", "blue", "ROUTINE CHECK"),
    Level.self_care: ("bold black on cyan", "cyan", "SELF-CARE"),
}
# A self-care report whose screen was not complete: neutral, never the reassuring colour.
NOT_CHECKED_STYLE = ("bold black on white", "white", "NOT FULLY CHECKED")
UNSCREENED_HEADING = "Not fully checked (you answered 'Not sure' or did not answer):"
SAFETY_WAIVED_HEADING = (
    "Safety checks were switched off (--allow-unsafe-kb or HIPTHRUST_ALLOW_UNSAFE_KB): this "
    "report uses knowledge-base overlays that weaken the warning-sign screen:"
)
AFTER_CHECK_HEADING = "After you have been checked"
AFTER_CHECK_NOTE = (
    "Get checked first, as the panel above says. What follows is for after a clinician has "
    "seen you and agreed that you can train again; it is not something to do now."
)


def badge(t: Triage) -> tuple[str, str, str]:
    """The triage panel's badge: (badge style, border style, words)."""
    if t.level is Level.self_care and not t.complete:
        return NOT_CHECKED_STYLE
    return LEVEL_STYLE[t.level]


def reason_text(r: Reason) -> str:
    """A fired warning sign with the guidance it follows, e.g. 'Fever (source: NHS …)'."""
    return f"{r.title} (source: {r.source})" if r.source else r.title


def alternatives_heading(d: Diagnosis) -> str:
    """The alternatives' heading, which must agree with the referral above it."""
    return "Gentle alternatives, once checked" if d.after_check else "Alternatives while you fix it"


def alternative_text(a: AlternativeOut) -> str:
    """An alternative's benefits and its caveat, which is always shown with it."""
    caveat = f" Caveat: {a.caveat}" if a.caveat else ""
    return f"{a.benefits}{caveat}"


def show_unscreened(t: Triage) -> bool:
    """At an emergency the referral stands alone; otherwise unscreened signs are named."""
    return bool(t.unscreened) and t.level is not Level.emergency


# The terminal report shows this many causes in full and the rest as one line each.
FULL_FINDINGS = 3
TODO_EVIDENCE = "expert opinion unless marked research"
EVIDENCE_WORDS = {Evidence.research: "research", Evidence.expert_opinion: "expert opinion"}

# --- JSON ----------------------------------------------------------------------------------

_C1 = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _finite(value: Any) -> Any:
    """*value* with every NaN or infinity replaced by None, which JSON can say."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value


def _plain(value: Any) -> Any:
    """Models, dataclasses and enums as JSON-ready values."""
    # Cheapest checks first: on Python 3.11, is_dataclass() on an enum costs ~36 µs.
    if value is None or isinstance(value, (str, int, float)):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not (f.metadata.get("omit_if_none") and getattr(value, f.name) is None)
        }
    return value


def to_json(data: Any) -> str:
    r"""Serialise a report, models or plain data as JSON; terminal controls are \u-escaped."""
    plain = _plain(data)
    try:
        text = json.dumps(plain, ensure_ascii=False, indent=2, allow_nan=False)
    except ValueError:  # NaN or infinity (e.g. a damaged history row): null, never 'NaN'
        text = json.dumps(_finite(plain), ensure_ascii=False, indent=2, allow_nan=False)
    # json escapes C0 controls itself; DEL, C1 (0x9b is a one-byte CSI) and bidi overrides
    # can only occur inside strings, where a \u escape means the same character.
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def questions_json(kb: KnowledgeBase) -> list[dict[str, Any]]:
    """The questionnaire in the shape the CLI contract gives for ``questions --format json``."""
    return [
        {
            "id": q.id,
            "text": q.text,
            "why": q.why,
            "kind": q.kind.value,
            "choices": [{"id": c.id, "label": c.label} for c in q.choices],
            "min": q.min,
            "max": q.max,
            "when": [c.model_dump(exclude_none=True) for c in q.when],
            "red_flag": q.red_flag,
            "group": q.group,
        }
        for q in kb.ordered_questions
    ]


# --- Markdown ------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!])")


def md(text: str) -> str:
    """Escape knowledge-base text for Markdown, so it shows as written."""
    return _MD_SPECIAL.sub(r"\\\1", clean(text)).replace("\n", " ")


def _bar(score: float, width: int = 10) -> str:
    filled = round(score * width)
    return "█" * filled + "░" * (width - filled)


def strength(f: Finding) -> str:
    """How strongly a finding is supported, in words ("likely").

    A finding from a saved version 1 report shows its score bar and percentage as it did.
    """
    if f.band is not None:
        return f.band
    score = f.score or 0.0
    return f"{_bar(score)} {round(score * 100)}%"


def _related(f: Finding) -> str:
    return f"Goes with: {', '.join(f.related)} (their fixes help here too)" if f.related else ""


def _fix_evidence(evidence: Evidence, source: str | None) -> str:
    words = EVIDENCE_WORDS[evidence]
    return f"{words}: {source}" if source else words


SCREENING_LEFT_OUT = (
    "Your answers to the warning-sign questions are not included here; the triage result "
    "at the top says what they led to."
)


def report_date(d: Diagnosis) -> str:
    """When the report was made, for people: "26 Nov 2026, 14:02" (empty if unknown)."""
    import datetime as dt

    try:
        moment = dt.datetime.fromisoformat(d.date)
    except ValueError:
        return d.date
    return f"{moment.day} {moment:%b %Y, %H:%M}"


def listed_answers(d: Diagnosis, include_screening: bool) -> tuple[list[tuple[str, str]], bool]:
    """(question, answer) pairs an export lists, and whether screening answers were left out.

    Warning-sign answers (cancer, drug use, immune status…) are nobody's business but the
    user's: they are listed only when asked for. The triage result is always shown.
    """
    shown = [(a.text, a.words) for a in d.answered if include_screening or not a.screening]
    left_out = not include_screening and any(a.screening for a in d.answered)
    return shown, left_out


def diagnosis_markdown(d: Diagnosis, include_screening: bool = False) -> str:
    """The report as Markdown, for pasting into a message to a coach.

    Everything is here (the whole form checklist, every fix and drill, the answers), but
    warning-sign answers only with *include_screening*.
    """
    t = d.triage
    out = ["# hipthrust report", ""]
    if d.date:
        out += [f"*{md(report_date(d))}, knowledge base {md(d.kb_version)}*", ""]
    out += [f"## {badge(t)[2]}: {md(t.title)}", "", md(t.advice), ""]
    if t.reasons:
        out += ["**Why:**", ""] + [f"- {md(reason_text(r))}" for r in t.reasons] + [""]
    if show_unscreened(t):
        out += [f"**{md(UNSCREENED_HEADING)}**", ""]
        out += [f"- {md(u)}" for u in t.unscreened] + [""]
    if t.safety_waived:
        out += [f"**{md(SAFETY_WAIVED_HEADING)}**", ""]
        out += [f"- {md(w)}" for w in t.safety_waived] + [""]
    if d.after_check:
        out += [f"## {AFTER_CHECK_HEADING}", "", f"*{md(AFTER_CHECK_NOTE)}*", ""]
    if d.progress is not None:
        out += _progress_markdown(d.progress)
    for note in d.notes:
        out += [f"> {md(note.text)} *({md(_fix_evidence(note.evidence, note.source))})*", ""]
    if d.findings:
        out += ["## Likely causes", ""]
        for i, f in enumerate(d.findings, 1):
            out += _finding_markdown(i, f)
    if d.measured:
        out += ["## Measured from video", ""]
        out += [f"- {md(w)} (measured from video: {md(x)})" for w, x in _measured_lines(d)]
        out += [""]
    if d.next_steps:
        out += ["## What we could not find", ""] + [f"- {md(s)}" for s in d.next_steps] + [""]
    if d.form_checklist:
        out += ["## Correct form", ""]
        box = "- " if d.after_check else "- [ ] "
        out += [f"{box}**{md(s.step)}**: {md(s.cue)}" for s in d.form_checklist] + [""]
        if d.warm_up:
            out += ["**Warm-up**", ""] + [f"- {md(w)}" for w in d.warm_up] + [""]
        if d.progression:
            out += ["**Progression**", ""] + [f"- {md(p)}" for p in d.progression] + [""]
    if d.alternatives:
        out += [f"## {alternatives_heading(d)}", ""]
        for a in d.alternatives:
            friendly = " (back-friendly)" if a.back_friendly else ""
            out.append(
                f"- **{md(a.name)}**{friendly}: {md(alternative_text(a))} "
                f"*{md(', '.join(a.muscles))}*"
            )
        out.append("")
    shown, left_out = listed_answers(d, include_screening)
    if shown or left_out:
        out += ["## Your answers", ""] + [f"- {md(q)} — **{md(a)}**" for q, a in shown]
        out += ["", f"*{md(SCREENING_LEFT_OUT)}*", ""] if left_out else [""]
    out += ["---", "", f"**{md(d.summary)}**", "", f"*{md(d.disclaimer)}*", ""]
    return "\n".join(out)


def _present(sections: Sequence[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """The titled lists that have something in them."""
    return [(title, items) for title, items in sections if items]


def _progress_lists(p: Progress) -> list[tuple[str, list[str]]]:
    return _present(
        [("No longer found", p.resolved), ("Still present", p.still_present), ("New", p.new)]
    )


def _progress_markdown(p: Progress) -> list[str]:
    out = ["## Since last time", "", md(p.summary), ""]
    for title, items in _progress_lists(p):
        out += [f"**{title}:** {md(', '.join(items))}", ""]
    return out


def _measured_lines(d: Diagnosis) -> list[tuple[str, str]]:
    """(question and answer in words, what was measured) for answers taken from a video."""
    return [(m.get("words", q), m.get("text", "")) for q, m in d.measured.items()]


def _finding_markdown(i: int, f: Finding) -> list[str]:
    out = [f"### {i}. {md(f.title)} — {md(strength(f))}", ""]
    out += [md(f.consequence), ""]
    if f.related:
        out += [md(_related(f)), ""]
    out += ["Why we think so:", ""]
    out += [f"- ✓ {md(e.text)}" for e in f.supporting]
    out += [f"- ✗ against: {md(e.text)}" for e in f.conflicting]
    out += [f"- ? not confirmed: {md(e.text)}" for e in f.unconfirmed]
    if f.fixes:
        out += ["", "Fixes:", ""]
    out += [f"- [ ] {md(x.text)} *({md(_fix_evidence(x.evidence, x.source))})*" for x in f.fixes]
    if f.drills:
        out += ["", "Drills:", ""]
        out += [f"- [ ] **{md(x.name)}**" + (f": {md(x.how)}" if x.how else "") for x in f.drills]
    return [*out, ""]


def variations_markdown(items: Sequence[Variation]) -> str:
    """Variations as a Markdown table."""
    out = ["| Variation | Target muscles | Reps | Goal | Equipment | Level | Notes |"]
    out.append("|---|---|---|---|---|---|---|")
    for v in items:
        cells = [
            v.name,
            ", ".join(v.target_muscles) + (", one leg at a time" if v.unilateral else ""),
            v.reps,
            ", ".join(v.goal),
            ", ".join(v.equipment),
            v.level,
            v.notes,
        ]
        out.append("| " + " | ".join(md(c) for c in cells) + " |")
    return "\n".join(out) + "\n"


def alternatives_markdown(items: Sequence[Alternative]) -> str:
    """Alternatives as a Markdown table."""
    out = ["| Exercise | Muscles worked | Benefits | Back-friendly |", "|---|---|---|---|"]
    for a in items:
        # The caveat always travels with the exercise.
        benefits = f"{a.benefits} Caveat: {a.caveat}"
        cells = [a.name, ", ".join(a.muscles), benefits, "yes" if a.back_friendly else "no"]
        out.append("| " + " | ".join(md(c) for c in cells) + " |")
    return "\n".join(out) + "\n"


def form_markdown(t: Technique) -> str:
    """The technique guide as Markdown."""
    out = ["# Hip thrust: correct form", ""]
    out += [f"- [ ] **{md(s.step)}**: {md(s.cue)} {md(s.why)}" for s in t.checklist] + [""]
    if t.sketch:
        out += ["```text", *(clean(line).replace("```", "'''") for line in t.sketch), "```", ""]
    for title, items in _technique_lists(t):
        out += [f"## {title}", ""] + [f"- {md(x)}" for x in items] + [""]
    if t.long_term:
        out += ["## Long-term strategy", "", "| Strategy | Description | Impact |", "|---|---|---|"]
        out += [f"| {md(s.strategy)} | {md(s.description)} | {md(s.impact)} |" for s in t.long_term]
        out.append("")
    if t.glute_health:
        out += ["## Glute strength and lower-body health", ""]
        out += ["| Aspect | Glute strength | Weak glutes | Notes |", "|---|---|---|---|"]
        out += [
            f"| {md(g.aspect)} | {md(g.glute_strength)} | {md(g.weak_glutes)} | {md(g.notes)} |"
            for g in t.glute_health
        ]
        out.append("")
    return "\n".join(out)


def _technique_lists(t: Technique) -> list[tuple[str, list[str]]]:
    return _present(
        [
            ("Warm-up", t.warm_up),
            ("Better hip thrusts, less back", t.performance),
            ("Progression", t.progression),
            ("Advanced techniques", t.advanced),
        ]
    )


def questions_markdown(kb: KnowledgeBase) -> str:
    """The questionnaire as Markdown."""
    out = ["# hipthrust questions", ""]
    for i, q in enumerate(kb.ordered_questions, 1):
        flag = " (warning-sign screening)" if q.red_flag else ""
        out += [f"{i}. **{md(q.text)}** `{q.id}`, {q.kind.value}{flag}", ""]
        out += [f"   - `{c.id}`: {md(c.label)}" for c in q.choices]
        if q.kind is Kind.scale:
            out.append(f"   - a whole number from {q.min} to {q.max}")
        out += [f"   - `{NOT_SURE}`: Not sure", ""]
    return "\n".join(out)


# --- Rich ----------------------------------------------------------------------------------


MAX_WIDTH = 100
"""Lines longer than this are hard to read: wide terminals get a report this wide."""


def ascii_only(file: TextIO) -> bool:
    """Whether *file* should get plain ASCII rather than box, bar and check characters.

    It should on TERM=dumb, under a C/POSIX or other non-UTF-8 locale, and when the
    stream's encoding is not UTF.
    """
    import os

    if os.environ.get("TERM") == "dumb":
        return True
    locale = next((os.environ[k] for k in ("LC_ALL", "LC_CTYPE", "LANG") if os.environ.get(k)), "")
    if locale and "utf" not in locale.lower().replace("-", ""):
        return True
    encoding = (getattr(file, "encoding", None) or "utf-8").lower().replace("-", "")
    return not encoding.startswith("utf")


# What an ASCII-only terminal gets instead of the characters it may not have.
_ASCII = str.maketrans(
    {
        "—": "-",
        "–": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "°": " deg",
        "×": "x",
        "≤": "<=",
        "≥": ">=",
        "→": "->",
        "←": "<-",
        "✓": "+",
        "✗": "x",
        "☐": "[ ]",
        "•": "*",
        "▶": ">",
        "⚠": "!",
        "█": "#",
        "░": ".",
        "\u00a0": " ",
    }
)


def to_ascii(text: str) -> str:
    """*text* with the characters an ASCII-only terminal may lack replaced by ASCII."""
    return text.replace("°C", " C").replace("°F", " F").translate(_ASCII)


_PLAIN: ContextVar[bool] = ContextVar("plain", default=False)
_TRAILING = re.compile(r" +((?:\x1b\[[0-9;]*m)*)$", re.M)


class _Tidy:
    """A stream for Rich: trailing spaces dropped when not a terminal, ASCII when asked.

    Rich pads every line of a panel or padded block to the full width, which leaves
    trailing spaces in a file or a pipe; whole lines are held back until their newline
    so the spaces can be removed.
    """

    def __init__(self, file: TextIO, ascii: bool) -> None:
        self._file, self._ascii = file, ascii
        self._tty = bool(getattr(file, "isatty", lambda: False)())
        self._pending = ""
        self.encoding = "ascii" if ascii else (getattr(file, "encoding", None) or "utf-8")

    def isatty(self) -> bool:
        return self._tty

    def fileno(self) -> int:
        return self._file.fileno()

    def write(self, text: str) -> int:
        if self._ascii:
            text = to_ascii(text).encode("ascii", "replace").decode("ascii")
        if self._tty:
            return self._file.write(text)
        text = self._pending + text
        cut = text.rfind("\n") + 1
        self._pending = text[cut:]
        if cut:
            self._file.write(_TRAILING.sub(r"\1", text[:cut]))
        return len(text)

    def flush(self) -> None:
        if self._pending and not self._tty:
            self._file.write(_TRAILING.sub(r"\1", self._pending))
            self._pending = ""
        self._file.flush()


def console(file: TextIO) -> Console:
    """A Console for *file*: no markup, no emoji codes, no auto-highlighting of data.

    At most :data:`MAX_WIDTH` columns wide; plain ASCII on a terminal that cannot show
    more (:func:`ascii_only`); no trailing spaces when *file* is not a terminal.
    """
    from rich.console import Console

    plain = ascii_only(file)
    _PLAIN.set(plain)  # text is made ASCII before it is wrapped, so widths stay true
    con = Console(
        file=_Tidy(file, plain),  # type: ignore[arg-type]
        markup=False,
        emoji=False,
        highlight=False,
    )
    if con.is_dumb_terminal and not os.environ.get("COLUMNS"):
        # Rich assumes 80 columns on TERM=dumb; the terminal itself knows better.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            con.size = os.get_terminal_size(file.fileno())
    if con.width > MAX_WIDTH:
        con.width = MAX_WIDTH
    # Rich turns a closed pipe into SystemExit(1); the CLI's one funnel makes it a quiet 0.
    con.on_broken_pipe = _broken_pipe  # type: ignore[method-assign]
    return con


def _broken_pipe() -> None:
    raise BrokenPipeError(32, "Broken pipe")


def _t(text: str, style: str = "") -> Text:
    from rich.text import Text

    text = clean(text)
    return Text(to_ascii(text) if _PLAIN.get() else text, style=style)


def _lines(*parts: Text | str) -> Text:
    from rich.text import Text

    out = Text()
    for part in parts:
        out.append_text(part if isinstance(part, Text) else _t(part))
    return out


class _Glyphs:
    """The marks a report draws, in Unicode or (on an ASCII-only terminal) in ASCII."""

    def __init__(self, con: Console) -> None:
        plain = con.encoding.lower().replace("-", "") == "ascii"
        self.yes, self.no, self.open = ("+", "x", "?") if plain else ("✓", "✗", "?")
        self.box, self.dot, self.play = ("[ ]", "*", ">") if plain else ("☐", "•", "▶")


def _rule(con: Console, title: str, extra: str = "") -> None:
    """A section heading; *extra* is added when the line has room for it."""
    from rich.rule import Rule

    if extra and len(title) + len(extra) + 4 <= con.width:
        title += extra
    con.print()
    con.print(Rule(_t(title, "bold"), align="left"))


def print_diagnosis(d: Diagnosis, out: TextIO) -> None:
    """Draw the report with Rich, short enough to read on one screen.

    Triage first, then the causes with every fix and each drill's how-to, only the form
    cues that matter for those causes, the alternatives with their caveats, and the note
    that this does not replace a clinician last. What appears at all follows the triage
    policy through the :class:`Diagnosis`; exports (Markdown, HTML) hold everything.
    """
    from rich.padding import Padding
    from rich.rule import Rule

    con = console(out)
    g = _Glyphs(con)
    con.print(_triage_panel(d, g))
    if d.after_check:
        _rule(con, AFTER_CHECK_HEADING)
        con.print(Padding(_t(AFTER_CHECK_NOTE, "italic"), (0, 1)))
    if d.progress is not None:
        _rule(con, "Since last time")
        con.print(Padding(_t(d.progress.summary), (0, 1)))
        marks = {
            "No longer found": (g.yes, "green"),
            "Still present": (g.dot, "yellow"),
            "New": ("+", "red"),
        }
        con.print(
            _bullets(
                [
                    (
                        _t(marks[title][0], marks[title][1]),
                        _lines(_t(f"{title}: ", "bold"), ", ".join(items)),
                    )
                    for title, items in _progress_lists(d.progress)
                ],
                1,
            )
        )
    for note in d.notes:
        con.print(
            Padding(
                _lines(
                    _t("Good to know: ", "bold"),
                    note.text,
                    _t(f" ({_fix_evidence(note.evidence, note.source)})", "dim"),
                ),
                (1, 1, 0, 1),
            )
        )
    if d.findings:
        _rule(con, "Likely causes")
        shown: set[str] = set()
        for i, f in enumerate(d.findings[:FULL_FINDINGS], 1):
            con.print(_finding_block(i, f, g, shown))
        if len(d.findings) > FULL_FINDINGS:
            con.print(Padding(_t("Also possible", "bold"), (1, 1, 0, 1)))
            for i, f in enumerate(d.findings[FULL_FINDINGS:], FULL_FINDINGS + 1):
                con.print(_finding_line(i, f))
    if d.measured:
        _rule(con, "Measured from video")
        rows = [
            (_t(g.play), _lines(w, _t(f" (measured from video: {x})", "dim")))
            for w, x in _measured_lines(d)
        ]
        con.print(_bullets(rows, 1))
    if d.next_steps:
        _rule(con, "What we could not find")
        con.print(_bullets([(_t(g.dot), _t(step)) for step in d.next_steps], 1))
    steps = focus_steps(d)
    if steps:
        more = (
            " (the whole checklist: hipthrust form)" if len(steps) < len(d.form_checklist) else ""
        )
        _rule(con, form_heading(d), more)
        # A checkbox is a thing to do now; after a referral the form is only information.
        box = g.dot if d.after_check else g.box
        con.print(_bullets([(_t(box), _lines(_t(s.step, "bold"), ": ", s.cue)) for s in steps], 1))
    if d.alternatives:
        friendly = any(a.back_friendly for a in d.alternatives)
        _rule(con, alternatives_heading(d), f" ({g.yes} = back-friendly)" if friendly else "")
        rows = [
            # On screen the caveat travels with the name; exports add the benefits.
            (
                _t(g.yes, "green") if a.back_friendly else _t(g.dot),
                _lines(_t(a.name, "bold"), ": ", a.caveat or a.benefits),
            )
            for a in d.alternatives
        ]
        con.print(_bullets(rows, 1))
    con.print(Rule(style="dim"))
    con.print(Padding(_t(d.summary, "bold"), (0, 1)))
    con.print(Padding(_t(d.disclaimer, "dim italic"), (0, 1)))


def focus_steps(d: Diagnosis) -> list[FormStep]:
    """The form steps the terminal shows: those that matter for the causes, else all."""
    if not d.form_focus:
        return list(d.form_checklist)
    by_id = {s.id: s for s in d.form_checklist}
    return [by_id[i] for i in d.form_focus if i in by_id] or list(d.form_checklist)


def form_heading(d: Diagnosis) -> str:
    """The heading of the terminal's form section."""
    return "Form cues for these causes" if d.form_focus else "Correct form"


def _triage_panel(d: Diagnosis, g: _Glyphs) -> RenderableType:
    from rich.console import Group
    from rich.panel import Panel

    t = d.triage
    badge_style, border, words = badge(t)
    # The title goes in the body, not the border, so a narrow terminal wraps it
    # instead of cutting it off.
    parts: list[RenderableType] = [_t(t.title, "bold"), _t(t.advice)]
    if t.reasons:
        parts += [
            _t("Why:", "bold"),
            _bullets(
                [
                    (
                        _t(g.dot),
                        _lines(r.title, _t(f" (source: {r.source})", "dim") if r.source else ""),
                    )
                    for r in t.reasons
                ],
                0,
            ),
        ]
    if show_unscreened(t):
        parts += [
            _t(UNSCREENED_HEADING, "bold"),
            _bullets([(_t(g.dot), _t(u)) for u in t.unscreened], 0),
        ]
    if t.safety_waived:
        parts += [
            _t(SAFETY_WAIVED_HEADING, "bold"),
            _bullets([(_t(g.dot), _t(w)) for w in t.safety_waived], 0),
        ]
    return Panel(
        Group(*parts),
        title=_t(f" {words} ", badge_style),
        title_align="left",
        border_style=border,
        padding=(0, 1),
    )


class _Hanging:
    """Bullets whose wrapped lines keep a hanging indent under the text, not the marker.

    Wraps each text itself with ``Text.wrap``: a two-column ``Table.grid`` does the same
    but costs several times more to lay out, and the report has many of these lists.
    """

    def __init__(self, rows: Sequence[tuple[Text, Text]], indent: int) -> None:
        self.rows, self.indent = rows, indent

    def __rich_console__(self, console: Console, options: Any) -> Any:
        from rich.segment import Segment

        pad = Segment(" " * self.indent)
        for marker, text in self.rows:
            lead = len(marker.plain) + 1 if marker.plain else 0
            width = max(8, options.max_width - self.indent - lead)
            for n, line in enumerate(text.wrap(console, width)):
                yield pad
                if n == 0 and lead:
                    yield from marker.render(console)
                    yield Segment(" ")
                elif lead:
                    yield Segment(" " * lead)
                yield from line.render(console)
                yield Segment.line()


def _bullets(rows: Sequence[tuple[Text, Text]], indent: int = 2) -> RenderableType:
    """Marker and text, wrapped lines indented under the text."""
    return _Hanging(rows, indent)


def _finding_block(i: int, f: Finding, g: _Glyphs, shown: set[str]) -> RenderableType:
    """One cause in full: why we think so, every fix, and each drill with its how-to.

    A drill already explained under a cause above is named, not explained again.
    """
    from rich.console import Group
    from rich.padding import Padding

    head = _lines(_t(f"{i}. ", "bold"), _t(f.title, "bold"), "  ", _t(strength(f), "magenta"))
    consequence = _t(f.consequence, "italic")
    if f.related:
        consequence.append_text(_t(f" Goes with: {', '.join(f.related)}.", "dim"))
    # On screen an answer is quoted alone (answers are written to stand alone); the
    # exports quote the question with it.
    why = [(_t(g.yes, "green"), _t(_said(e))) for e in f.supporting]
    why += [(_t(g.no, "red"), _lines(_t("against: ", "red"), _said(e))) for e in f.conflicting]
    # Fixes are expert opinion unless marked: research keeps its source, which says what
    # the study did and did not show.
    todo = [
        (_t(g.box), _lines(x.text, _t(f" ({_short_evidence(x)})", "dim")))
        if x.evidence is Evidence.research
        else (_t(g.box), _t(x.text))
        for x in f.fixes
    ]
    for x in f.drills:
        words = _lines(_t("Drill: ", "bold"), _t(x.name, "bold"))
        if x.how and x.id not in shown:
            words.append_text(_lines(" - " if g.box == "[ ]" else " — ", x.how))
        elif x.id in shown:
            words.append_text(_t(" (above)", "dim"))
        shown.add(x.id)
        todo.append((_t(g.box), words))
    parts: list[RenderableType] = [
        *([_t("")] if i > 1 else []),
        head,
        Padding(consequence, (0, 0, 0, 3)),
        Padding(_t("Why we think so:", "bold"), (0, 0, 0, 3)),
        _bullets(why, 5),
    ]
    if todo:
        heading = _lines(_t("What to do", "bold"), _t(f" ({TODO_EVIDENCE})", "dim"), ":")
        parts += [Padding(heading, (0, 0, 0, 3)), _bullets(todo, 5)]
    return Padding(Group(*parts), (0, 1))


def _said(e: EvidenceItem) -> str:
    """An answer in words, alone; a report saved before version 4 quotes the question too."""
    return e.words or e.text


def _short_evidence(x: FixOut) -> str:
    """A fix's evidence level on screen: research keeps its source (what a study showed)."""
    return _fix_evidence(x.evidence, x.source)


def _finding_line(i: int, f: Finding) -> RenderableType:
    first = f.fixes[0].text if f.fixes else f.consequence
    return _bullets(
        [
            (
                _t(f"{i}.", "bold"),
                _lines(
                    _t(f.title, "bold"), "  ", _t(strength(f) + "  ", "magenta"), _t(first, "dim")
                ),
            )
        ],
        1,
    )


Column = tuple[str, int, int]
"""A table column: heading, share of the spare width (0 = as wide as its content), and
the narrowest it may get without breaking words."""


def _widths(
    width: int, columns: Sequence[Column], rows: Sequence[Sequence[str]]
) -> list[int] | None:
    """Column widths that fit *width*, or None when even the minimums do not fit.

    Every column starts at its minimum (a share-0 column at its content's width); what is
    left is shared out by the columns' shares.
    """
    spare = width - (3 * len(columns) + 1)  # borders and padding
    sizes = []
    for i, (name, share, minimum) in enumerate(columns):
        longest = max([len(name), *(len(row[i]) for row in rows)])
        sizes.append(minimum if share else max(minimum, min(longest, 24)))
    surplus = spare - sum(sizes)
    if surplus < 0:
        return None
    shares = sum(c[1] for c in columns) or 1
    return [size + surplus * c[1] // shares for size, c in zip(sizes, columns, strict=True)]


def _table(
    con: Console, columns: Sequence[Column], rows: Sequence[Sequence[str]], title: str
) -> None:
    """A table when every column fits its minimum; otherwise one block per row.

    Below the minimum widths words would have to be broken apart, so on a narrow
    terminal each row becomes a small block of "Heading: value" lines instead.
    """
    from rich.padding import Padding
    from rich.table import Table

    widths = _widths(con.width, columns, rows)
    if widths is None:
        con.print(_t(title, "bold"))
        for row in rows:
            block = _t(row[0], "bold")
            for (name, _, _), value in zip(columns[1:], row[1:], strict=True):
                if value:
                    block.append_text(_lines("\n", _t(f"{name}: ", "dim"), value))
            con.print(Padding(block, (1, 0, 0, 1)))
        return
    table = Table(title=_t(title, "bold"), show_lines=True)
    for (name, _, _), size in zip(columns, widths, strict=True):
        table.add_column(_t(name), width=size)
    for row in rows:
        table.add_row(*(_t(cell) for cell in row))
    con.print(table)


def _variation_row(v: Variation) -> list[str]:
    muscles = ", ".join(v.target_muscles) + (", one leg at a time" if v.unilateral else "")
    return [v.name, muscles, v.reps, ", ".join(v.goal), ", ".join(v.equipment), v.level, v.notes]


VARIATION_COLUMNS: list[Column] = [
    ("Variation", 1, 10),
    ("Target muscles", 1, 11),
    ("Reps", 1, 9),
    ("Goal", 1, 10),
    ("Equipment", 1, 11),
    ("Level", 0, 12),
    ("Notes", 3, 20),
]


def print_variations(items: Sequence[Variation], out: TextIO, title: str) -> None:
    """Variations as a Rich table."""
    con = console(out)
    _table(con, VARIATION_COLUMNS, [_variation_row(v) for v in items], title)


def print_variation(v: Variation, out: TextIO) -> None:
    """One variation in detail."""
    from rich.panel import Panel

    con = console(out)
    row = _variation_row(v)
    body = _t("")
    for (name, _, _), value in zip(VARIATION_COLUMNS[1:], row[1:], strict=True):
        body.append_text(_lines(_t(f"{name}: ", "bold"), value, "\n"))
    body.rstrip()
    con.print(Panel(body, title=_t(v.name, "bold"), title_align="left", padding=(1, 2)))


def print_alternatives(items: Sequence[Alternative], out: TextIO) -> None:
    """Alternatives as a Rich table."""
    con = console(out)
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
    _table(con, columns, rows, "Alternative glute exercises")


def print_form(t: Technique, out: TextIO) -> None:
    """The technique checklist, the side-view sketch, and the long-term advice."""
    from rich.padding import Padding
    from rich.rule import Rule

    con = console(out)
    con.print(Rule(_t("Hip thrust: correct form", "bold"), align="left"))
    rows = []
    for s in t.checklist:
        text = _lines(_t(s.step, "bold"), ": ", s.cue)
        if s.why:
            text.append_text(_lines("\n", _t(s.why, "dim")))
        rows.append((_t("☐"), text))
    con.print(_bullets(rows, 1))
    if t.sketch:
        widest = max(len(line) for line in t.sketch)
        con.print()
        if con.width >= widest + 2:
            con.print(Padding(_t("The top position, from the side:", "bold"), (0, 1)))
            for line in t.sketch:
                con.print(Padding(_t(line, "cyan"), (0, 1)), overflow="ignore", crop=False)
        else:
            con.print(
                Padding(
                    _t(
                        f"(Widen the terminal to {widest + 2} columns to see the side-view "
                        "sketch.)",
                        "dim",
                    ),
                    (0, 1),
                )
            )
    for title, items in _technique_lists(t):
        con.print()
        con.print(Rule(_t(title, "bold"), align="left"))
        con.print(_bullets([(_t("•"), _t(item)) for item in items], 1))
    if t.long_term:
        con.print()
        _table(
            con,
            [("Strategy", 1, 12), ("Description", 2, 16), ("Impact", 2, 14)],
            [[s.strategy, s.description, s.impact] for s in t.long_term],
            "Long-term strategy",
        )
    if t.glute_health:
        con.print()
        _table(
            con,
            [
                ("Aspect", 2, 11),
                ("Glute strength", 2, 11),
                ("Weak glutes", 2, 11),
                ("Notes", 3, 14),
            ],
            [[g.aspect, g.glute_strength, g.weak_glutes, g.notes] for g in t.glute_health],
            "Glute strength and lower-body health",
        )


def print_questions(kb: KnowledgeBase, out: TextIO) -> None:
    """The questionnaire, with ids, for people checking the knowledge base."""
    from rich.padding import Padding

    con = console(out)
    for i, q in enumerate(kb.ordered_questions, 1):
        head = _lines(
            _t(f"{i}. ", "bold"), _t(q.text, "bold"), _t(f"  [{q.id}, {q.kind.value}]", "dim")
        )
        if q.red_flag:
            head.append_text(_t("  warning-sign screening", "yellow"))
        con.print(head)
        body = _t(q.why, "italic dim")
        for c in q.choices:
            body.append_text(_lines("\n• ", _t(c.id, "cyan"), ": ", c.label))
        if q.kind is Kind.scale:
            body.append_text(_t(f"\n• a whole number from {q.min} to {q.max}"))
        body.append_text(_lines("\n• ", _t(NOT_SURE, "cyan"), ": Not sure"))
        if q.when:
            cond = "; ".join(_describe(c.question, c.answers, c.min, c.max) for c in q.when)
            body.append_text(_t(f"\nAsked only when {cond}", "dim"))
        con.print(Padding(body, (0, 0, 1, 3)))


def _describe(qid: str, answers: list[str] | None, lo: int | None, hi: int | None) -> str:
    if answers is not None:
        return f"{qid} is {' or '.join(answers)}"
    return f"{qid} is between {lo if lo is not None else '…'} and {hi if hi is not None else '…'}"


# --- knowledge-base browsing ----------------------------------------------------------------


def problem_json(problem: Problem) -> dict[str, Any]:
    """One knowledge-base problem as a JSON object."""
    return {
        "file": None if problem.file is None else str(problem.file),
        "line": problem.line,
        "key": problem.key,
        "message": problem.message,
        "severity": problem.severity,
        "text": str(problem),
    }


def label_of(entry: BaseModel) -> str:
    """The human name of a knowledge-base entry, whatever its kind."""
    for attr in ("title", "name", "text", "step", "strategy", "aspect"):
        value = getattr(entry, attr, None)
        if isinstance(value, str):
            return value
    return ""


def show(
    fmt: str,
    data: Any,
    title: str,
    rows: Sequence[Sequence[str]] | None = None,
    headings: Sequence[str] = (),
    out: TextIO | None = None,
) -> None:
    """Show knowledge-base data: a table of *rows* when given, else the data as YAML."""
    import sys

    import yaml

    out = out or sys.stdout
    if fmt == "json":
        out.write(to_json(data) + "\n")
        return
    # Wide lines: a wrapped YAML line would look like broken indentation.
    as_yaml = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000)
    if fmt == "markdown":
        out.write(f"# {md(title)}\n\n")
        if rows is not None:
            out.write("| " + " | ".join(headings) + " |\n|" + "---|" * len(headings) + "\n")
            for row in rows:
                out.write("| " + " | ".join(md(c) for c in row) + " |\n")
        else:
            fence = "`" * 3
            out.write(f"{fence}yaml\n{clean(as_yaml).replace(fence, '` ` `')}{fence}\n")
        return
    con = console(out)
    if rows is not None:
        _table(con, [(h, 0 if i == 0 else 1, 8) for i, h in enumerate(headings)], rows, title)
        return
    import textwrap

    con.print(_t(title, "bold"))
    con.print(_t(textwrap.indent(as_yaml.rstrip(), "  ")), soft_wrap=True)


# --- HTML -----------------------------------------------------------------------------------

_CSS = """
:root { color-scheme: light dark; --fg: #1b1b1f; --bg: #fff; --muted: #5c5f66;
  --line: #d8dbe0; --accent: #2563eb; }
@media (prefers-color-scheme: dark) { :root { --fg: #e8e8ea; --bg: #141417;
  --muted: #a0a3aa; --line: #34363b; --accent: #7aa2ff; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--fg); background: var(--bg); }
main { max-width: 46rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.4rem; margin: .2rem 0 .6rem; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 .4rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .2rem; }
.triage { border: 3px solid; border-radius: .6rem; padding: .8rem 1rem; }
.emergency { border-color: #d11; } .same_day { border-color: #c50; }
.urgent { border-color: #d90; } .not_checked { border-color: #888; }
.routine { border-color: #36c; } .self_care { border-color: #0aa; }
.badge { display: inline-block; font-weight: 700; font-size: .8rem; letter-spacing: .05em;
  padding: .1rem .5rem; border-radius: .3rem; color: #fff; background: #555; }
.emergency .badge { background: #d11; } .same_day .badge { background: #a40; }
.urgent .badge { background: #b70; } .not_checked .badge { background: #555; }
.routine .badge { background: #36c; } .self_care .badge { background: #087; }
ul.check { list-style: none; padding-left: 0; } ul.check li { margin: .3rem 0; }
ul.check li::before { content: "\\2610\\00a0"; }
.meter { display: inline-block; width: 6rem; height: .6rem; background: var(--line);
  border-radius: .3rem; vertical-align: middle; overflow: hidden; }
.meter span { display: block; height: 100%; background: var(--accent); }
.muted, .ev { color: var(--muted); } .ev { font-size: .9rem; }
ul.why { list-style: none; padding-left: 0; } .why li { margin: .15rem 0; }
dl.answers dt { color: var(--muted); margin-top: .4rem; }
dl.answers dd { margin: 0 0 0 1rem; font-weight: 600; }
footer { margin-top: 2rem; padding-top: .6rem; border-top: 1px solid var(--line);
  color: var(--muted); font-size: .9rem; }
@media print { body { font-size: 11pt; } main { max-width: none; }
  .triage, article { break-inside: avoid; } }
"""


def diagnosis_html(d: Diagnosis, include_screening: bool = False) -> str:
    """The report as one self-contained HTML page: no scripts, no external assets.

    Like Markdown it holds everything, warning-sign answers only with *include_screening*.
    """
    import html

    def e(text: str) -> str:
        return html.escape(clean(text), quote=True)

    def ul(items: Sequence[str], heading: str = "") -> list[str]:
        return [heading, "<ul>", *(f"<li>{e(x)}</li>" for x in items), "</ul>"] if items else []

    t = d.triage
    badge_words = badge(t)[2]
    level_class = "not_checked" if badge_words == NOT_CHECKED_STYLE[2] else t.level.value
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # Nothing may be loaded from anywhere: the page is complete as it is.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        "<title>hipthrust report</title>",
        f"<style>{_CSS}</style></head><body><main>",
        '<p class="muted">hipthrust report'
        + (f" · {e(report_date(d))}" if d.date else "")
        + f" · knowledge base {e(d.kb_version)}</p>",
        f'<section class="triage {level_class}"><span class="badge">{e(badge_words)}</span>',
        f"<h1>{e(t.title)}</h1><p>{e(t.advice)}</p>",
    ]
    out += ul([reason_text(r) for r in t.reasons], "<p><strong>Why:</strong></p>")
    if show_unscreened(t):
        out += ul(t.unscreened, f"<p><strong>{e(UNSCREENED_HEADING)}</strong></p>")
    out += ul(t.safety_waived, f"<p><strong>{e(SAFETY_WAIVED_HEADING)}</strong></p>")
    out.append("</section>")
    if d.after_check:
        out.append(f"<h2>{e(AFTER_CHECK_HEADING)}</h2><p><em>{e(AFTER_CHECK_NOTE)}</em></p>")
    if d.progress is not None:
        out.append(f"<h2>Since last time</h2><p>{e(d.progress.summary)}</p>")
        for title, items in _progress_lists(d.progress):
            out.append(f"<p><strong>{e(title)}:</strong> {e(', '.join(items))}</p>")
    for note in d.notes:
        out.append(
            f'<p>{e(note.text)} <span class="ev">'
            f"({e(_fix_evidence(note.evidence, note.source))})</span></p>"
        )
    if d.findings:
        out.append("<h2>Likely causes</h2>")
        for i, f in enumerate(d.findings, 1):
            if f.band is not None:
                level = f'<span class="muted">— {e(f.band)}</span>'
            else:
                pct = round((f.score or 0.0) * 100)
                level = (
                    f'<span class="meter" role="img" aria-label="{pct}%"><span '
                    f'style="width:{pct}%"></span></span> <span class="muted">{pct}%</span>'
                )
            related = f"<p>{e(_related(f))}</p>" if f.related else ""
            out.append(
                f"<article><h3>{i}. {e(f.title)} {level}</h3>"
                f"<p><em>{e(f.consequence)}</em></p>{related}"
                "<p><strong>Why we think so:</strong></p>"
                '<ul class="why">'
            )
            out += [f"<li>✓ {e(x.text)}</li>" for x in f.supporting]
            out += [f"<li>✗ against: {e(x.text)}</li>" for x in f.conflicting]
            out += [f"<li>? not confirmed: {e(x.text)}</li>" for x in f.unconfirmed]
            out.append("</ul>")
            if f.fixes:
                out.append('<p><strong>Fixes:</strong></p><ul class="check">')
                out += [
                    f'<li>{e(x.text)} <span class="ev">'
                    f"({e(_fix_evidence(x.evidence, x.source))})</span></li>"
                    for x in f.fixes
                ]
                out.append("</ul>")
            if f.drills:
                out.append('<p><strong>Drills:</strong></p><ul class="check">')
                out += [
                    f"<li><strong>{e(x.name)}</strong>"
                    + (f": {e(x.how)}" if x.how else "")
                    + "</li>"
                    for x in f.drills
                ]
                out.append("</ul>")
            out.append("</article>")
    out += ul(
        [f"{w} (measured from video: {x})" for w, x in _measured_lines(d)],
        "<h2>Measured from video</h2>",
    )
    out += ul(d.next_steps, "<h2>What we could not find</h2>")
    if d.form_checklist:
        out.append('<h2>Correct form</h2><ul class="check">')
        out += [f"<li><strong>{e(s.step)}:</strong> {e(s.cue)}</li>" for s in d.form_checklist]
        out.append("</ul>")
        out += ul(d.warm_up, "<h3>Warm-up</h3>") + ul(d.progression, "<h3>Progression</h3>")
    if d.alternatives:
        out.append(f"<h2>{e(alternatives_heading(d))}</h2><ul>")
        for a in d.alternatives:
            friendly = " (back-friendly)" if a.back_friendly else ""
            out.append(
                f"<li><strong>{e(a.name)}</strong>{friendly}: {e(alternative_text(a))} "
                f'<span class="muted">({e(", ".join(a.muscles))})</span></li>'
            )
        out.append("</ul>")
    shown, left_out = listed_answers(d, include_screening)
    if shown or left_out:
        out.append('<h2>Your answers</h2><dl class="answers">')
        out += [f"<dt>{e(q)}</dt><dd>{e(a)}</dd>" for q, a in shown]
        out.append("</dl>")
        if left_out:
            out.append(f'<p class="muted">{e(SCREENING_LEFT_OUT)}</p>')
    out.append(f"<footer><p><strong>{e(d.summary)}</strong></p><p>{e(d.disclaimer)}</p>")
    out.append(f"<p>Knowledge base {e(d.kb_version)}.</p></footer></main></body></html>")
    return "\n".join(out) + "\n"


def history_table(fmt: str, rows: Sequence[Sequence[str]], spark: str, out: TextIO) -> None:
    """Past sessions, oldest first, with the pain sparkline."""
    headings = ["#", "Date", "Triage", "Top cause", "Pain"]
    if fmt == "markdown":
        out.write("| " + " | ".join(headings) + " |\n|---|---|---|---|---|\n")
        for row in rows:
            out.write("| " + " | ".join(md(c) for c in row) + " |\n")
        out.write(f"\nPain over time: `{spark}`\n")
        return
    con = console(out)
    _table(
        con,
        [("#", 0, 3), ("Date", 0, 16), ("Triage", 0, 9), ("Top cause", 1, 14), ("Pain", 0, 5)],
        rows,
        "Your sessions",
    )
    con.print(_lines(_t("Pain over time (0–10): ", "bold"), _t(spark, "magenta")))


# --- video ---------------------------------------------------------------------------------


class _FrameBar:
    """A Rich progress bar for reading a video's frames (on stderr, gone when done)."""

    def __init__(self, stream: TextIO, label: str) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console(stream),
            transient=True,
        )
        self._label = clean(label)
        self._task: Any = None

    def start(self, total: int) -> None:
        self._task = self._progress.add_task(self._label, total=total or None)
        self._progress.start()

    def advance(self) -> None:
        if self._task is not None:
            self._progress.advance(self._task)

    def stop(self) -> None:
        if self._task is not None:
            self._progress.stop()


def frame_progress(stream: TextIO, label: str) -> _FrameBar:
    """A progress bar drawn on *stream* while frames are read; call ``stop()`` at the end."""
    return _FrameBar(stream, label)


def _video_value(value: float | None, unit: str = "°") -> str:
    if value is None:
        return "–"
    return f"{value:.2f}{unit}" if unit == " s" else f"{value:.0f}{unit}"


def print_analysis(a: Any, kb: KnowledgeBase, video: str, out: TextIO, disclaimer: str) -> None:
    """``hipthrust analyze``: the clip, a per-rep table, what it concluded and what not."""
    from rich.padding import Padding
    from rich.rule import Rule

    con = console(out)
    q = a.quality
    con.print(
        _lines(
            _t(video, "bold"),
            f": {a.width}×{a.height}, {a.fps:g} fps, {a.duration_s:g} s; a person in "
            f"{q.pose_share:.0%} of the frames; {a.reps} complete rep{'s' * (a.reps != 1)}.",
        )
    )
    if a.per_rep:
        columns: list[Column] = [
            ("Rep", 0, 3),
            ("Lift", 0, 6),
            ("Hold", 0, 6),
            ("Lower", 0, 6),
            ("Hip at top", 1, 4),
            ("Shin", 0, 4),
            ("Torso", 0, 5),
            ("Head change", 1, 4),
        ]
        cells = [
            [
                f"Rep {r.rep}",
                _video_value(r.lift_s, " s"),
                _video_value(r.hold_s, " s"),
                _video_value(r.lower_s, " s"),
                _video_value(r.hip_extension_top_deg),
                _video_value(r.shin_angle_top_deg),
                _video_value(r.torso_floor_top_deg),
                _video_value(r.head_change_deg),
            ]
            for r in a.per_rep
        ]
        _table(con, columns, cells, "Per rep")
        con.print(
            _t(
                "Hip at top: shoulder-hip-knee, 180° is a straight line. Shin: from vertical, "
                "+ when the feet are out in front of the knees. Torso: against the floor. "
                "Head change: - when the head tips back as the hips rise.",
                "dim",
            )
        )
        if a.consistency:
            cv = a.consistency.get("rep_duration_cv")
            sd = a.consistency.get("hip_extension_top_sd_deg")
            parts = []
            if cv is not None:
                parts.append(f"rep length varies by {cv:.0%}")
            if sd is not None:
                parts.append(f"hip angle at the top by ±{sd:.0f}°")
            con.print(_t("Consistency: " + ", ".join(parts) + ".", "dim"))
    questions = kb.question_by_id
    con.print()
    con.print(Rule(_t("Measured from video", "bold"), align="left"))
    rows = []
    for ans in a.answers:
        question = questions.get(ans.question)
        words = question.label_of(ans.choice) if question else ans.choice
        title = question.text if question else ans.question
        rows.append(
            (_t("✓", "green"), _lines(_t(title, "bold"), " — ", words, "\n", _t(ans.text, "dim")))
        )
    if not rows:
        rows.append((_t("•"), _t("Nothing could be concluded with confidence.")))
    con.print(_bullets(rows, 1))
    if a.unanswered or a.not_measured:
        con.print()
        con.print(Rule(_t("Still questions", "bold"), align="left"))

        def asked(qid: str) -> str:
            return questions[qid].text if qid in questions else qid

        later = [
            (_t("?", "yellow"), _lines(_t(asked(u.question), "bold"), "\n", _t(u.reason, "dim")))
            for u in a.unanswered
        ]
        later += [
            (_t("?", "yellow"), _lines(_t(asked(qid), "bold"), "\n", _t(why, "dim")))
            for qid, why in a.not_measured.items()
        ]
        con.print(_bullets(later, 1))
    if a.warnings:
        con.print()
        con.print(Rule(_t("Warnings", "bold yellow"), align="left"))
        con.print(_bullets([(_t("!", "yellow"), _t(w)) for w in a.warnings], 1))
    con.print()
    con.print(Rule(style="dim"))
    con.print(Padding(_t(a.cannot_see), (0, 1)))
    con.print(
        Padding(
            _t(
                "Use these answers in a diagnosis: hipthrust diagnose --video "
                + shlex.quote(video),
                "bold",
            ),
            (0, 1),
        )
    )
    con.print(Padding(_t(disclaimer, "dim italic"), (0, 1)))
