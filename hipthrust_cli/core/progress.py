"""Progress between sessions: what changed since the last diagnosis that looked for causes.

Pure: the caller finds the previous session (in history) and passes it in as a
:class:`~hipthrust_cli.core.report.Previous`.
"""

from __future__ import annotations

from collections.abc import Mapping

from hipthrust_cli.core.report import Finding, Previous, Progress
from hipthrust_cli.kb import Answer


def compare(previous: Previous, findings: list[Finding], answers: Mapping[str, Answer]) -> Progress:
    """Causes resolved, still present and new since *previous*, and the pain trend."""
    before = dict(previous.findings)
    now = {f.id: f.title for f in findings}
    pain_now = answers.get("pain_level")
    pain = pain_now if isinstance(pain_now, int) and not isinstance(pain_now, bool) else None
    if pain is None or previous.pain is None:
        trend = "unknown"
    else:
        trend = "down" if pain < previous.pain else "up" if pain > previous.pain else "same"
    resolved = [t for i, t in before.items() if i not in now]
    still = [t for i, t in now.items() if i in before]
    new = [t for i, t in now.items() if i not in before]
    parts = []
    if trend == "down":
        parts.append(f"pain down from {previous.pain} to {pain}")
    elif trend == "up":
        parts.append(f"pain up from {previous.pain} to {pain}")
    elif trend == "same":
        parts.append(f"pain the same ({pain})")
    if resolved:
        parts.append(f"{len(resolved)} cause{'s' * (len(resolved) != 1)} no longer found")
    if still:
        parts.append(f"{len(still)} still present")
    if new:
        parts.append(f"{len(new)} new")
    summary = "; ".join(parts) if parts else "no causes found then or now"
    return Progress(
        since=previous.date,
        session=previous.number,
        resolved=resolved,
        still_present=still,
        new=new,
        pain_before=previous.pain,
        pain_now=pain,
        pain_trend=trend,
        summary=f"Since {when_was(previous.date, previous.number)}: {summary}.",
    )


def when_was(date: str, number: int | None = None) -> str:
    """A saved session named for people: "session #4, 26 Nov 14:02" (or the date alone)."""
    import datetime as dt

    try:
        moment = dt.datetime.fromisoformat(date)
    except ValueError:
        words = date
    else:
        words = f"{moment.day} {moment:%b}"
        if "T" in date or " " in date.strip():
            words += f" {moment:%H:%M}"
        if number is None:
            words += f" {moment.year}"
    return f"session #{number}, {words}" if number is not None else words
