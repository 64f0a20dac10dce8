"""The report as sections, built once: what each view shows, and in which order.

Every decision about content lives here or is already made in the
:class:`~hipthrust_cli.core.report.Diagnosis`: which causes are shown in full, which fixes keep
their source, whether the warning-sign answers are listed, what a referral changes. The
views (terminal, Markdown, HTML) only draw these sections. Two profiles exist: the
*screen* (short enough to read on one screen) and the *export* (everything, to share).
Pure: imports no view library and never prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from hipthrust_cli.kb import Evidence, Level

if TYPE_CHECKING:  # pragma: no cover - types only
    from hipthrust_cli.core.report import Diagnosis, EvidenceItem, Finding, FixOut, FormStep

BADGE = {
    Level.emergency: "⚠ EMERGENCY",
    Level.same_day: "⚠ GET CHECKED TODAY",
    Level.urgent: "⚠ URGENT",
    Level.routine: "ROUTINE CHECK",
    Level.self_care: "SELF-CARE",
}
# A self-care report whose screen was not complete: neutral, never the reassuring words.
NOT_CHECKED_BADGE = "NOT FULLY CHECKED"
NOT_CHECKED_TONE = "not_checked"
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
SCREENING_LEFT_OUT = (
    "Your answers to the warning-sign questions are not included here; the triage result "
    "at the top says what they led to."
)
# The screen shows this many causes in full and the rest as one line each.
FULL_FINDINGS = 3
TODO_EVIDENCE = "expert opinion unless marked research"
EVIDENCE_WORDS = {Evidence.research: "research", Evidence.expert_opinion: "expert opinion"}


# Sections are dataclasses without a generated __eq__ or __repr__ and not frozen: every
# generated method is compiled when this module is imported, on every report (16 frozen
# dataclasses took 10 ms, as long as the rest of a JSON report).
@dataclass(eq=False, repr=False)
class Section:
    """One part of a report; *key* names the part of the Diagnosis it shows.

    A section with a heading has a ``heading`` attribute (see :func:`heading_of`).
    """

    key: ClassVar[str] = ""


def heading_of(section: Section) -> str:
    """The heading a section is shown under (empty for the triage panel, notes…)."""
    return str(getattr(section, "heading", ""))


@dataclass(eq=False, repr=False)
class Header(Section):
    """When the report was made and from which knowledge base (exports only)."""

    key: ClassVar[str] = "kb_version"
    date: str
    kb_version: str


@dataclass(eq=False, repr=False)
class Triage(Section):
    """The referral: always first, and everything after it agrees with it."""

    key: ClassVar[str] = "triage"
    tone: str  # the level's value, or "not_checked": the colour of the referral
    badge: str
    title: str
    advice: str
    reasons: list[tuple[str, str | None]]  # (warning sign, the guidance it follows)
    unscreened: list[str]  # empty when they are not named (at an emergency)
    safety_waived: list[str]


@dataclass(eq=False, repr=False)
class AfterCheck(Section):
    """After a referral: what follows is for after a clinician has seen you."""

    key: ClassVar[str] = "after_check"
    heading: ClassVar[str] = AFTER_CHECK_HEADING
    note: str = AFTER_CHECK_NOTE


@dataclass(eq=False, repr=False)
class ProgressBlock(Section):
    """The comparison with the last full session."""

    key: ClassVar[str] = "progress"
    heading: ClassVar[str] = "Since last time"
    summary: str
    lists: list[tuple[str, str, list[str]]]  # (kind, title, causes), only those not empty


@dataclass(eq=False, repr=False)
class Notes(Section):
    """Good-to-know notes, each with its evidence in words."""

    key: ClassVar[str] = "notes"
    items: list[tuple[str, str]]  # (text, evidence)


@dataclass(eq=False, repr=False)
class Drill:
    """A drill under a cause; *above* when an earlier cause already explained it."""

    name: str
    how: str
    above: bool = False


@dataclass(eq=False, repr=False)
class Cause:
    """One cause as it is shown."""

    number: int
    title: str
    strength: str  # the band in words, or a saved version 1 report's bar and percentage
    band: str | None
    percent: int  # a version 1 report's score as a percentage
    consequence: str
    related: str  # "Goes with: …" or empty
    supporting: list[str]
    conflicting: list[str]
    unconfirmed: list[str]
    fixes: list[tuple[str, str | None]]  # (text, evidence in words, or None to leave out)
    drills: list[Drill]
    line: str  # what a one-line mention shows after the title: the first fix, else why


@dataclass(eq=False, repr=False)
class Findings(Section):
    """The likely causes: *full* in full, *brief* one line each under "Also possible"."""

    key: ClassVar[str] = "findings"
    heading: ClassVar[str] = "Likely causes"
    brief_heading: ClassVar[str] = "Also possible"
    fixes_heading: ClassVar[str] = "Fixes:"
    drills_heading: ClassVar[str] = "Drills:"
    why_heading: ClassVar[str] = "Why we think so:"
    todo_heading: ClassVar[str] = "What to do"
    todo_evidence: ClassVar[str] = TODO_EVIDENCE
    full: list[Cause]
    brief: list[Cause] = field(default_factory=list)


@dataclass(eq=False, repr=False)
class Measured(Section):
    """Answers taken from a video: (question and answer in words, what was measured)."""

    key: ClassVar[str] = "measured"
    heading: ClassVar[str] = "Measured from video"
    items: list[tuple[str, str]]


@dataclass(eq=False, repr=False)
class NextSteps(Section):
    """What to do when no cause was found."""

    key: ClassVar[str] = "next_steps"
    heading: ClassVar[str] = "What we could not find"
    items: list[str]


@dataclass(eq=False, repr=False)
class Form(Section):
    """The form checklist (all of it, or the cues for the causes found)."""

    key: ClassVar[str] = "form_checklist"
    heading: str
    more: str  # a pointer to the whole checklist when only part is shown
    steps: list[tuple[str, str]]  # (step, cue)
    checkboxes: bool  # a thing to do now; after a referral the form is only information
    warm_up: list[str]
    progression: list[str]


@dataclass(eq=False, repr=False)
class Alternative:
    """An alternative exercise as it is shown; its caveat always travels with it."""

    name: str
    back_friendly: bool
    text: str
    muscles: list[str]


@dataclass(eq=False, repr=False)
class Alternatives(Section):
    """Alternatives, under a heading that agrees with the referral."""

    key: ClassVar[str] = "alternatives"
    heading: str
    items: list[Alternative]

    @property
    def any_back_friendly(self) -> bool:
        """Whether the back-friendly mark needs explaining."""
        return any(a.back_friendly for a in self.items)


@dataclass(eq=False, repr=False)
class Answers(Section):
    """The answers given; warning-sign answers only when asked for (exports only)."""

    key: ClassVar[str] = "answered"
    heading: ClassVar[str] = "Your answers"
    pairs: list[tuple[str, str]]  # (question, answer)
    left_out: str  # the note that screening answers were left out, or empty


@dataclass(eq=False, repr=False)
class Footer(Section):
    """The summary and the note that this does not replace a clinician: always last."""

    key: ClassVar[str] = "disclaimer"
    summary: str
    disclaimer: str
    kb_version: str


def screen(d: Diagnosis, include_screening: bool = False) -> list[Section]:
    """The sections the terminal shows: short enough to read on one screen.

    Answers are never listed on screen, so *include_screening* changes nothing.
    """
    return _sections(d, export=False, include_screening=False)


def export(d: Diagnosis, include_screening: bool = False) -> list[Section]:
    """The sections an export (Markdown, HTML) holds: everything, to share.

    Warning-sign answers (cancer, drug use, immune status…) are nobody's business but the
    user's: they are listed only with *include_screening*. The triage result is always there.
    """
    return _sections(d, export=True, include_screening=include_screening)


def _sections(d: Diagnosis, export: bool, include_screening: bool) -> list[Section]:
    out: list[Section] = [Header(report_date(d), d.kb_version)] if export else []
    out.append(_triage(d))
    if d.after_check:
        out.append(AfterCheck())
    if d.progress is not None:
        p = d.progress
        lists = [
            ("resolved", "No longer found", p.resolved),
            ("still_present", "Still present", p.still_present),
            ("new", "New", p.new),
        ]
        out.append(ProgressBlock(p.summary, [x for x in lists if x[2]]))
    if d.notes:
        out.append(Notes([(n.text, fix_evidence(n.evidence, n.source)) for n in d.notes]))
    if d.findings:
        out.append(_findings(d.findings, export))
    if d.measured:
        out.append(
            Measured([(m.get("words", q), m.get("text", "")) for q, m in d.measured.items()])
        )
    if d.next_steps:
        out.append(NextSteps(list(d.next_steps)))
    form = _form(d, export)
    if form.steps:
        out.append(form)
    if d.alternatives:
        out.append(_alternatives(d, export))
    if export:
        pairs = [(a.text, a.words) for a in d.answered if include_screening or not a.screening]
        left_out = not include_screening and any(a.screening for a in d.answered)
        if pairs or left_out:
            out.append(Answers(pairs, SCREENING_LEFT_OUT if left_out else ""))
    out.append(Footer(d.summary, d.disclaimer, d.kb_version))
    return out


def _triage(d: Diagnosis) -> Triage:
    t = d.triage
    unchecked = t.level is Level.self_care and not t.complete
    return Triage(
        tone=NOT_CHECKED_TONE if unchecked else t.level.value,
        badge=NOT_CHECKED_BADGE if unchecked else BADGE[t.level],
        title=t.title,
        advice=t.advice,
        reasons=[(r.title, r.source or None) for r in t.reasons],
        # At an emergency the referral stands alone; otherwise unscreened signs are named.
        unscreened=list(t.unscreened) if t.level is not Level.emergency else [],
        safety_waived=list(t.safety_waived),
    )


def _findings(findings: Sequence[Finding], export: bool) -> Findings:
    if export:
        return Findings([_cause(i, f, export, set()) for i, f in enumerate(findings, 1)])
    shown: set[str] = set()  # a drill explained under a cause above is named, not explained
    full = [_cause(i, f, export, shown) for i, f in enumerate(findings[:FULL_FINDINGS], 1)]
    brief = [
        _cause(i, f, export, set())
        for i, f in enumerate(findings[FULL_FINDINGS:], FULL_FINDINGS + 1)
    ]
    return Findings(full, brief)


def _cause(i: int, f: Finding, export: bool, shown: set[str]) -> Cause:
    related = ", ".join(f.related)
    drills = []
    for x in f.drills:
        drills.append(Drill(x.name, x.how, above=x.id in shown))
        if not export:
            shown.add(x.id)
    return Cause(
        number=i,
        title=f.title,
        strength=strength(f),
        band=f.band,
        percent=round((f.score or 0.0) * 100),
        consequence=f.consequence,
        related=(
            (
                f"Goes with: {related} (their fixes help here too)"
                if export
                else f"Goes with: {related}."
            )
            if f.related
            else ""
        ),
        # On screen an answer is quoted alone (answers are written to stand alone); the
        # exports quote the question with it.
        supporting=[_said(e, export) for e in f.supporting],
        conflicting=[_said(e, export) for e in f.conflicting],
        unconfirmed=[e.text for e in f.unconfirmed] if export else [],
        fixes=[(x.text, _fix_note(x, export)) for x in f.fixes],
        drills=drills,
        line=f.fixes[0].text if f.fixes else f.consequence,
    )


def _said(e: EvidenceItem, export: bool) -> str:
    """An answer as quoted: with its question in an export, alone on screen.

    A report saved before version 4 has no words alone, so it quotes the question too.
    """
    return e.text if export else (e.words or e.text)


def _fix_note(x: FixOut, export: bool) -> str | None:
    """A fix's evidence in words, or None where it goes without saying.

    On screen fixes are expert opinion unless marked: research keeps its source, which
    says what the study did and did not show.
    """
    if export or x.evidence is Evidence.research:
        return fix_evidence(x.evidence, x.source)
    return None


def _form(d: Diagnosis, export: bool) -> Form:
    checkboxes = not d.after_check
    if export:
        steps = [(s.step, s.cue) for s in d.form_checklist]
        return Form("Correct form", "", steps, checkboxes, list(d.warm_up), list(d.progression))
    focus = focus_steps(d)
    more = " (the whole checklist: hipthrust form)" if len(focus) < len(d.form_checklist) else ""
    title = "Form cues for these causes" if d.form_focus else "Correct form"
    return Form(title, more, [(s.step, s.cue) for s in focus], checkboxes, [], [])


def focus_steps(d: Diagnosis) -> list[FormStep]:
    """The form steps the screen shows: those that matter for the causes, else all."""
    if not d.form_focus:
        return list(d.form_checklist)
    by_id = {s.id: s for s in d.form_checklist}
    return [by_id[i] for i in d.form_focus if i in by_id] or list(d.form_checklist)


def _alternatives(d: Diagnosis, export: bool) -> Alternatives:
    title = (
        "Gentle alternatives, once checked" if d.after_check else "Alternatives while you fix it"
    )
    items = [
        Alternative(
            a.name,
            a.back_friendly,
            # On screen the caveat travels with the name; exports add the benefits.
            (f"{a.benefits} Caveat: {a.caveat}" if a.caveat else a.benefits)
            if export
            else (a.caveat or a.benefits),
            list(a.muscles),
        )
        for a in d.alternatives
    ]
    return Alternatives(title, items)


def fix_evidence(evidence: Evidence, source: str | None) -> str:
    """A fix's or note's evidence in words: "research: Neto et al. 2019"."""
    words = EVIDENCE_WORDS[evidence]
    return f"{words}: {source}" if source else words


def strength(f: Finding) -> str:
    """How strongly a finding is supported, in words ("likely").

    A finding from a saved version 1 report shows its score bar and percentage as it did.
    """
    if f.band is not None:
        return f.band
    score = f.score or 0.0
    filled = round(score * 10)
    return "█" * filled + "░" * (10 - filled) + f" {round(score * 100)}%"


def report_date(d: Diagnosis) -> str:
    """When the report was made, for people: "26 Nov 2026, 14:02" (empty if unknown)."""
    import datetime as dt

    try:
        moment = dt.datetime.fromisoformat(d.date)
    except ValueError:
        return d.date
    return f"{moment.day} {moment:%b %Y, %H:%M}"
