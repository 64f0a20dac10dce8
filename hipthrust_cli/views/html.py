"""The HTML view: a report as one self-contained page, to share with a coach.

No scripts, no external assets (a Content-Security-Policy forbids loading anything);
every string is escaped. Holds the export sections of :mod:`~hipthrust_cli.views.blocks`.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from hipthrust_cli.safetext import clean
from hipthrust_cli.views import blocks as b

if TYPE_CHECKING:  # pragma: no cover - types only
    from hipthrust_cli.core.report import Diagnosis

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


sections = b.export
"""The sections this view draws (the export's: everything)."""


def e(text: str) -> str:
    """*text* escaped for HTML, controls shown, not sent."""
    return html.escape(clean(text), quote=True)


def _ul(items: Sequence[str], heading: str = "") -> list[str]:
    return [heading, "<ul>", *(f"<li>{e(x)}</li>" for x in items), "</ul>"] if items else []


def report_text(d: Diagnosis, include_screening: bool = False) -> str:
    """The report as one self-contained HTML page: no scripts, no external assets.

    Like Markdown it holds everything, warning-sign answers only with *include_screening*.
    """
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # Nothing may be loaded from anywhere: the page is complete as it is.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        "<title>hipthrust report</title>",
        f"<style>{_CSS}</style></head><body><main>",
    ]
    for section in sections(d, include_screening):
        out += _DRAW[type(section)](section)
    return "\n".join(out) + "\n"


def report(d: Diagnosis, out: TextIO, include_screening: bool = False, saved: Any = None) -> None:
    """Write the report as an HTML page (see :func:`report_text`)."""
    out.write(report_text(d, include_screening))


def _header(s: b.Header) -> list[str]:
    date = f" · {e(s.date)}" if s.date else ""
    return [f'<p class="muted">hipthrust report{date} · knowledge base {e(s.kb_version)}</p>']


def _triage(s: b.Triage) -> list[str]:
    out = [
        f'<section class="triage {s.tone}"><span class="badge">{e(s.badge)}</span>',
        f"<h1>{e(s.title)}</h1><p>{e(s.advice)}</p>",
    ]
    reasons = [f"{title} (source: {source})" if source else title for title, source in s.reasons]
    out += _ul(reasons, "<p><strong>Why:</strong></p>")
    out += _ul(s.unscreened, f"<p><strong>{e(b.UNSCREENED_HEADING)}</strong></p>")
    out += _ul(s.safety_waived, f"<p><strong>{e(b.SAFETY_WAIVED_HEADING)}</strong></p>")
    return [*out, "</section>"]


def _after_check(s: b.AfterCheck) -> list[str]:
    return [f"<h2>{e(s.heading)}</h2><p><em>{e(s.note)}</em></p>"]


def _progress(s: b.ProgressBlock) -> list[str]:
    out = [f"<h2>{e(s.heading)}</h2><p>{e(s.summary)}</p>"]
    out += [
        f"<p><strong>{e(title)}:</strong> {e(', '.join(items))}</p>" for _, title, items in s.lists
    ]
    return out


def _notes(s: b.Notes) -> list[str]:
    return [
        f'<p>{e(text)} <span class="ev">({e(evidence)})</span></p>' for text, evidence in s.items
    ]


def _strength(c: b.Cause) -> str:
    if c.band is not None:
        return f'<span class="muted">— {e(c.band)}</span>'
    return (
        f'<span class="meter" role="img" aria-label="{c.percent}%"><span '
        f'style="width:{c.percent}%"></span></span> <span class="muted">{c.percent}%</span>'
    )


def _findings(s: b.Findings) -> list[str]:
    out = [f"<h2>{e(s.heading)}</h2>"]
    for c in [*s.full, *s.brief]:
        related = f"<p>{e(c.related)}</p>" if c.related else ""
        out.append(
            f"<article><h3>{c.number}. {e(c.title)} {_strength(c)}</h3>"
            f"<p><em>{e(c.consequence)}</em></p>{related}"
            f"<p><strong>{e(s.why_heading)}</strong></p>"
            '<ul class="why">'
        )
        out += [f"<li>✓ {e(x)}</li>" for x in c.supporting]
        out += [f"<li>✗ against: {e(x)}</li>" for x in c.conflicting]
        out += [f"<li>? not confirmed: {e(x)}</li>" for x in c.unconfirmed]
        out.append("</ul>")
        if c.fixes:
            out.append(f'<p><strong>{e(s.fixes_heading)}</strong></p><ul class="check">')
            out += [
                f"<li>{e(x)}" + (f' <span class="ev">({e(n)})</span>' if n else "") + "</li>"
                for x, n in c.fixes
            ]
            out.append("</ul>")
        if c.drills:
            out.append(f'<p><strong>{e(s.drills_heading)}</strong></p><ul class="check">')
            out += [
                f"<li><strong>{e(x.name)}</strong>" + (f": {e(x.how)}" if x.how else "") + "</li>"
                for x in c.drills
            ]
            out.append("</ul>")
        out.append("</article>")
    return out


def _measured(s: b.Measured) -> list[str]:
    return _ul([f"{w} (measured from video: {x})" for w, x in s.items], f"<h2>{e(s.heading)}</h2>")


def _next_steps(s: b.NextSteps) -> list[str]:
    return _ul(s.items, f"<h2>{e(s.heading)}</h2>")


def _form(s: b.Form) -> list[str]:
    # After a referral the form is information, not a to-do list: plain bullets, as the
    # terminal and Markdown views draw it.
    listed = '<ul class="check">' if s.checkboxes else "<ul>"
    out = [f"<h2>{e(s.heading)}</h2>{listed}"]
    out += [f"<li><strong>{e(step)}:</strong> {e(cue)}</li>" for step, cue in s.steps]
    out.append("</ul>")
    return out + _ul(s.warm_up, "<h3>Warm-up</h3>") + _ul(s.progression, "<h3>Progression</h3>")


def _alternatives(s: b.Alternatives) -> list[str]:
    out = [f"<h2>{e(s.heading)}</h2><ul>"]
    for a in s.items:
        friendly = " (back-friendly)" if a.back_friendly else ""
        out.append(
            f"<li><strong>{e(a.name)}</strong>{friendly}: {e(a.text)} "
            f'<span class="muted">({e(", ".join(a.muscles))})</span></li>'
        )
    return [*out, "</ul>"]


def _answers(s: b.Answers) -> list[str]:
    out = [f'<h2>{e(s.heading)}</h2><dl class="answers">']
    out += [f"<dt>{e(q)}</dt><dd>{e(a)}</dd>" for q, a in s.pairs]
    out.append("</dl>")
    return out + ([f'<p class="muted">{e(s.left_out)}</p>'] if s.left_out else [])


def _footer(s: b.Footer) -> list[str]:
    return [
        f"<footer><p><strong>{e(s.summary)}</strong></p><p>{e(s.disclaimer)}</p>",
        f"<p>Knowledge base {e(s.kb_version)}.</p></footer></main></body></html>",
    ]


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
