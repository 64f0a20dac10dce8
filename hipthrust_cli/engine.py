"""The diagnosis: red-flag triage, scored likely causes with their evidence, and advice.

``diagnose(kb, answers)`` is pure: the same answers always give the same
:class:`Diagnosis`, and nothing here prints, prompts or touches files. Every view (rich,
markdown, json) renders this one model.

Causes are independent hypotheses with their own posterior probability
(:mod:`hipthrust_cli.core.model`). A cause is reported when its posterior reaches the
"possible" band; it is shown with its band ("very likely", "likely", "possible") and,
in JSON, its ``probability``. Ranking: causes that something the person saw or felt in
the lift raised come before causes raised only by proxies (capacity tests) or context,
then by band and probability; a proxy-only cause is never put above "likely". "Why we
think so" lists the answers that moved each cause most, for and against; questions that
could have raised it but were not answered are *unconfirmed*.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from hipthrust_cli.core.model import Belief, beliefs, rows_for
from hipthrust_cli.core.triage import Alternatives, Reason, Triage, report_policy, triage
from hipthrust_cli.kb import (
    NOT_SURE,
    Answer,
    Condition,
    Evidence,
    KnowledgeBase,
    Level,
    Question,
)
from hipthrust_cli.kb.odds import features

__all__ = ["Diagnosis", "Reason", "Triage", "diagnose", "report_from_dict", "triage"]

# 4: drills carry their how-to ('how'); fixes that match the answers come first;
# 'form_focus' names the form steps that matter for the causes found; progress names the
# session it compares with ('session'). Version 3 reports load and show as they were.
# 3: findings carry 'probability' and 'band' instead of 'score'; 'related'; 'interview'.
# 2: five triage levels; reasons carry their source; triage.complete; alternatives carry
# 'loaded' and a caveat; 'after_check'. Reports saved under versions 1 and 2 (with a
# 'score' per finding) still load and show as they were.
REPORT_VERSION = 4
SUPPORTING_SHOWN = 3
CONFLICTING_SHOWN = 2
UNCONFIRMED_SHOWN = 2
PROXY_BAND_CAP = "likely"
DISCLAIMER = (
    "hipthrust gives general exercise guidance. It does not diagnose, and it does not "
    "replace a doctor or physiotherapist. If pain is severe, getting worse, or worries "
    "you, get it checked."
)


# The report is built from knowledge that was validated when it was loaded, so it is made
# of plain frozen dataclasses: validating it again would only cost start-up time.


@dataclass(frozen=True, kw_only=True)
class EvidenceItem:
    """One answer that bears on a finding: the question, the answer, in words."""

    question: str
    answer: str
    text: str
    source: str | None = None  # "video" when measured from a video, else given by the user
    words: str = ""
    """The answer alone, in words (empty before version 4): the short report quotes it."""


@dataclass(frozen=True, kw_only=True)
class FixOut:
    """One fix, with how well it is supported."""

    text: str
    evidence: Evidence
    source: str | None


@dataclass(frozen=True, kw_only=True)
class Exercise:
    """A drill or alternative exercise, named, with how to do it (empty before version 4)."""

    id: str
    name: str
    how: str = ""


OMIT_IF_NONE = {"omit_if_none": True}


@dataclass(frozen=True, kw_only=True)
class Finding:
    """A likely cause, with its probability band and the answers that moved it most.

    ``score`` is only set on findings read back from a version 1 report (history).
    """

    id: str
    title: str
    probability: float | None = field(default=None, metadata=OMIT_IF_NONE)
    band: str | None = field(default=None, metadata=OMIT_IF_NONE)
    score: float | None = field(default=None, metadata=OMIT_IF_NONE)
    consequence: str
    fixes: list[FixOut]
    drills: list[Exercise]
    supporting: list[EvidenceItem]
    conflicting: list[EvidenceItem]
    unconfirmed: list[EvidenceItem]
    related: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class InterviewOut:
    """Which questions the wizard asked (in order) and which that apply it did not."""

    asked: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class FormStep:
    """One step of the correct-form checklist."""

    id: str
    step: str
    cue: str
    why: str


@dataclass(frozen=True, kw_only=True)
class AlternativeOut:
    """An exercise to use while fixing the hip thrust."""

    id: str
    name: str
    muscles: list[str]
    benefits: str
    back_friendly: bool
    loaded: bool = False
    caveat: str = ""


@dataclass(frozen=True, kw_only=True)
class NoteOut:
    """An explanation that applies to these answers."""

    id: str
    text: str
    evidence: Evidence
    source: str | None


@dataclass(frozen=True, kw_only=True)
class AnswerOut:
    """One answer as a report lists it: the question, the answer in words."""

    question: str
    text: str
    words: str
    screening: bool  # a warning-sign question: left out of exports unless asked for


@dataclass(frozen=True, kw_only=True)
class Previous:
    """What the engine needs to know about the last diagnosis, to show progress."""

    date: str  # when it was saved, ISO 8601 (a bare date in older callers)
    findings: list[tuple[str, str]]  # (mistake id, title), ranked
    pain: int | None
    number: int | None = None  # its session number in the history


@dataclass(frozen=True, kw_only=True)
class Progress:
    """How this diagnosis compares with the previous one."""

    since: str
    resolved: list[str]
    still_present: list[str]
    new: list[str]
    pain_before: int | None
    pain_now: int | None
    pain_trend: str  # "down", "up", "same" or "unknown"
    summary: str
    session: int | None = None  # the session compared with, when known


@dataclass(frozen=True, kw_only=True)
class Diagnosis:
    """Everything a report shows, in the order it shows it."""

    version: int = REPORT_VERSION
    triage: Triage
    findings: list[Finding]
    notes: list[NoteOut]
    next_steps: list[str]
    form_checklist: list[FormStep]
    warm_up: list[str]
    progression: list[str]
    alternatives: list[AlternativeOut]
    summary: str
    disclaimer: str = DISCLAIMER
    answers: dict[str, Answer]
    kb_version: str
    progress: Progress | None = None
    after_check: bool = False
    """Everything after the triage panel is for after a clinician has seen the user."""
    # Answers measured from a video: question id → {"answer", "source": "video", "text"}.
    measured: dict[str, dict[str, str]] = field(default_factory=dict)
    interview: InterviewOut = field(default_factory=InterviewOut)
    form_focus: list[str] = field(default_factory=list)
    """Ids of the form-checklist steps that matter for the causes found (first cause first).

    The terminal shows only these; exports show the whole checklist."""
    answered: list[AnswerOut] = field(default_factory=list)
    """Every answer given, in interview order, in words (exports list them)."""
    date: str = ""
    """When the report was made, ISO 8601; set by the caller (the engine reads no clock)."""


def _item(
    question: Question, value: Answer | None, only: Sequence[str] | None = None
) -> EvidenceItem:
    if isinstance(value, list) and only is not None:
        # A checklist answer is quoted by the ticks that bear on this cause.
        value = [v for v in value if v in only] or value
    if value is None:
        answer, words = "", "not answered"
    else:
        answer, words = _as_text(value), question.label_of(value)
    return EvidenceItem(
        question=question.id, answer=answer, text=f"{question.text} — {words}", words=words
    )


def _as_text(value: Answer) -> str:
    return ",".join(value) if isinstance(value, list) else str(value)


def rank(kb: KnowledgeBase, answers: Mapping[str, Answer]) -> list[tuple[Belief, str]]:
    """The causes to report with their band, first to last (see the module docstring)."""
    bands = kb.settings.bands
    names = [name for name, _ in bands.edges()]
    reported = []
    for b in beliefs(kb, answers):
        band = bands.of(b.probability)
        if band is None:
            continue
        if not b.observed and names.index(band) < names.index(PROXY_BAND_CAP):
            band = PROXY_BAND_CAP  # a capacity test alone never makes a cause very likely
        reported.append((b, band))
    reported.sort(key=lambda r: (not r[0].observed, names.index(r[1]), -r[0].probability))
    return reported


def _finding(
    kb: KnowledgeBase,
    answers: Mapping[str, Answer],
    belief: Belief,
    band: str,
    shown_fixes: set[str],
    shown_sources: dict[str, set[str]],
    reported: Sequence[str],
) -> Finding:
    mistake = kb.mistakes[belief.index]
    questions = kb.question_by_id
    ups = [m for m in belief.moves if m.log_ratio > 0]
    downs = [m for m in belief.moves if m.log_ratio < 0]
    # Questions that could have raised this cause but were not answered, the most
    # telling first.
    open_questions = []
    for qid in dict.fromkeys(r.question for r in mistake.evidence):
        q = questions.get(qid)
        if q is None or answers.get(qid) not in (None, NOT_SURE):
            continue
        if not all(c.matches(answers) for c in q.when):
            continue
        best = max(
            (p / a for outcomes in features(q, rows_for(mistake, qid)) for p, a in outcomes),
            default=1.0,
        )
        if best > 1.0:
            open_questions.append((best, qid))
    open_questions.sort(key=lambda x: -x[0])
    # A fix already shown for a cause ranked above is not repeated. Related causes
    # (arching, over-extension, rib flare) word the same cue differently; a fix citing
    # the same source as one shown for a related cause is that cue again.
    related_sources = {s for r in mistake.related for s in shown_sources.get(r, ())}
    fixes = [
        f
        for f in mistake.fixes
        if f.text not in shown_fixes and not (f.source and f.source in related_sources)
    ]
    # The fix that speaks to what this person told us comes first (the sort is stable).
    fixes.sort(key=lambda f: not (f.when and _any(f.when, answers)))
    shown_fixes.update(f.text for f in mistake.fixes)
    shown_sources[mistake.id] = {f.source for f in fixes if f.source}
    titles = {m.id: m.title for m in kb.mistakes}

    def listed(qid: str) -> list[str]:
        return [a for r in mistake.evidence if r.question == qid for a in r.answers or []]

    return Finding(
        id=mistake.id,
        title=mistake.title,
        probability=round(belief.probability, 3),
        band=band,
        consequence=mistake.consequence,
        fixes=[FixOut(text=f.text, evidence=f.evidence, source=f.source) for f in fixes],
        drills=[Exercise(id=d, name=kb.exercise_names[d], how=_how(kb, d)) for d in mistake.drills],
        supporting=[
            _item(questions[m.question], answers[m.question], listed(m.question))
            for m in ups[:SUPPORTING_SHOWN]
        ],
        conflicting=[
            _item(questions[m.question], answers[m.question]) for m in downs[:CONFLICTING_SHOWN]
        ],
        unconfirmed=[
            _item(questions[q], answers.get(q)) for _, q in open_questions[:UNCONFIRMED_SHOWN]
        ],
        related=[
            titles[r] for r in mistake.related if r in reported and r in titles and r != mistake.id
        ],
    )


def _words(question: Question, value: Answer) -> str:
    """An answer in words; a scale answer with its range ("3 out of 10")."""
    if question.max is not None and isinstance(value, int) and not isinstance(value, bool):
        return f"{value} out of {question.max}"
    return question.label_of(value)


def _how(kb: KnowledgeBase, exercise: str) -> str:
    """How to do a drill (or an alternative a cause points to), from the knowledge base."""
    for d in kb.drills:
        if d.id == exercise:
            return d.how
    for a in kb.alternatives:
        if a.id == exercise:
            return a.how
    return ""


def _form_focus(kb: KnowledgeBase, findings: Sequence[Finding]) -> list[str]:
    """The form steps the causes found point to, in the order of the causes."""
    by_id = {m.id: m for m in kb.mistakes}
    wanted = [s for f in findings if f.id in by_id for s in by_id[f.id].form]
    steps = {s.id for s in kb.technique.checklist}
    return [s for s in dict.fromkeys(wanted) if s in steps]


def _any(conditions: list[Condition], answers: Mapping[str, Answer]) -> bool:
    return any(c.matches(answers) for c in conditions)


def diagnose(
    kb: KnowledgeBase,
    answers: Mapping[str, Answer],
    previous: Previous | None = None,
    asked: Sequence[str] = (),
) -> Diagnosis:
    """Turn a set of answers into a report: triage first, then causes and advice.

    What the report holds follows its triage level through
    :func:`~hipthrust_cli.core.triage.report_policy`, the one place that decides it.
    With *previous* (the last saved diagnosis) the report also says what changed since;
    *asked* are the question ids the wizard asked, in order.
    """
    answers = dict(answers)
    tri = triage(kb, answers)
    policy = report_policy(tri, answers)
    interview = InterviewOut(
        asked=list(asked),
        skipped=[
            q.id
            for q in kb.ordered_questions
            if q.id not in answers and all(c.matches(answers) for c in q.when)
        ],
    )

    findings: list[Finding] = []
    if policy.causes:
        ranked = rank(kb, answers)
        reported = [b.id for b, _ in ranked]
        texts: set[str] = set()
        sources: dict[str, set[str]] = {}
        findings = [_finding(kb, answers, b, band, texts, sources, reported) for b, band in ranked]
        if not policy.fixes:
            # Fixes are things to do now; at this level the first thing to do is get checked.
            findings = [replace(f, fixes=[], drills=[]) for f in findings]

    alternatives = []
    if policy.alternatives is not Alternatives.none:
        alternatives = [
            a
            for a in kb.alternatives
            if not _any(a.avoid_when, answers)
            and not (a.loaded and policy.alternatives is Alternatives.unloaded)
        ]
        if _any(kb.settings.back_pain, answers):
            alternatives.sort(key=lambda a: not a.back_friendly)  # stable: KB order otherwise

    next_steps: list[str] = []
    if policy.causes and not findings:
        answered = sum(1 for v in answers.values() if v != NOT_SURE)
        left = len(interview.skipped)
        next_steps = [
            "We could not single out a cause from your answers"
            + (" (many were 'not sure' or unanswered)." if answered < 8 else ".")
        ]
        if policy.self_checks:
            next_steps += [
                "Film a set from the side and compare it with the form checklist below.",
                "Ask a coach or physiotherapist to watch a few reps.",
            ]
        left = len(interview.skipped)
        if left:
            next_steps.insert(
                1,
                f"{left} question{'s' * (left != 1)} went unanswered; 'hipthrust diagnose "
                "--thorough' asks every one.",
            )

    return Diagnosis(
        findings=findings,
        notes=[
            NoteOut(id=n.id, text=n.text, evidence=n.evidence, source=n.source)
            for n in kb.notes
            if n.applies(answers) and (policy.reassurance or not n.reassuring)
        ]
        if policy.causes
        else [],
        next_steps=next_steps,
        form_checklist=[
            FormStep(id=s.id, step=s.step, cue=s.cue, why=s.why) for s in kb.technique.checklist
        ]
        if policy.form
        else [],
        warm_up=list(kb.technique.warm_up) if policy.form else [],
        progression=list(kb.technique.progression) if policy.form else [],
        alternatives=[
            AlternativeOut(
                id=a.id,
                name=a.name,
                muscles=list(a.muscles),
                benefits=a.benefits,
                back_friendly=a.back_friendly,
                loaded=a.loaded,
                caveat=a.caveat,
            )
            for a in alternatives
        ],
        summary=_summary(tri, findings),
        triage=tri,
        answers=answers,
        kb_version=kb.settings.kb_version,
        # After an emergency causes were not looked for, so none can be called resolved.
        progress=compare(previous, findings, answers) if previous and policy.causes else None,
        after_check=policy.after_check,
        interview=interview,
        form_focus=_form_focus(kb, findings) if policy.form else [],
        answered=[
            AnswerOut(
                question=q.id, text=q.text, words=_words(q, answers[q.id]), screening=q.red_flag
            )
            for q in kb.ordered_questions
            if q.id in answers
        ],
    )


_SUMMARY_FIRST = {
    Level.emergency: "Get emergency help now. Form fixes can wait until a doctor has seen you.",
    Level.same_day: "Get checked today, before any training.",
    Level.urgent: "See a doctor within a few days, before training this again.",
    Level.routine: "Have a GP or physiotherapist check your back, and keep active within comfort.",
    Level.self_care: "",
}


def _summary(tri: Triage, findings: list[Finding]) -> str:
    first = _SUMMARY_FIRST[tri.level]
    if tri.level is Level.emergency:
        return first
    if tri.level in (Level.same_day, Level.urgent):
        if not findings:
            return first
        n = len(findings)
        return (
            f"{first} Once you have been checked: {n} likely cause{'s' if n != 1 else ''}, "
            f"starting with {findings[0].title.lower()}."
        )
    first = first + " " if first else ""
    if not findings:
        return first + "No single likely cause stood out; start with the form checklist."
    top = findings[0]
    others = len(findings) - 1
    # The summary closes every view, so the other causes are always above it.
    notes = [top.band] if top.band else []
    if others:
        notes.append(f"{others} more cause{'s' * (others != 1)} above")
    said = f" ({'; '.join(notes)})" if notes else ""
    fix = f": {top.fixes[0].text}" if top.fixes else ""
    return f"{first}Start with {top.title.lower()}{said}{fix}"


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


def report_from_dict(data: Mapping[str, Any]) -> Diagnosis:
    """Rebuild a report from its JSON form (as saved in history).

    Raises ``KeyError``, ``TypeError`` or ``ValueError`` when *data* is not a report.
    """

    def items(rows: Any) -> list[EvidenceItem]:
        return [
            EvidenceItem(
                question=r["question"],
                answer=r["answer"],
                text=r["text"],
                source=r.get("source"),
                words=str(r.get("words", "")),
            )
            for r in rows
        ]

    def reason(r: Any, level: Level) -> Reason:
        # Version 1 saved each reason as its title alone.
        if isinstance(r, str):
            return Reason(id="", title=r, level=level, source="")
        return Reason(id=r["id"], title=r["title"], level=Level(r["level"]), source=r["source"])

    t = data["triage"]
    level = Level(t["level"])
    progress = data.get("progress")
    unscreened = list(t.get("unscreened", []))
    return Diagnosis(
        version=int(data.get("version", REPORT_VERSION)),
        triage=Triage(
            level=level,
            title=t["title"],
            advice=t["advice"],
            reasons=[reason(r, level) for r in t["reasons"]],
            unscreened=unscreened,
            complete=bool(t.get("complete", not unscreened)),
            safety_waived=list(t.get("safety_waived", [])),
        ),
        findings=[
            Finding(
                id=f["id"],
                title=f["title"],
                probability=float(f["probability"]) if "probability" in f else None,
                band=str(f["band"]) if "band" in f else None,
                score=float(f["score"]) if "score" in f else None,
                related=list(f.get("related", [])),
                consequence=f["consequence"],
                fixes=[
                    FixOut(text=x["text"], evidence=Evidence(x["evidence"]), source=x.get("source"))
                    for x in f["fixes"]
                ],
                drills=[
                    Exercise(id=x["id"], name=x["name"], how=str(x.get("how", "")))
                    for x in f["drills"]
                ],
                supporting=items(f["supporting"]),
                conflicting=items(f["conflicting"]),
                unconfirmed=items(f["unconfirmed"]),
            )
            for f in data["findings"]
        ],
        notes=[
            NoteOut(
                id=n["id"], text=n["text"], evidence=Evidence(n["evidence"]), source=n.get("source")
            )
            for n in data["notes"]
        ],
        next_steps=list(data["next_steps"]),
        form_checklist=[
            FormStep(id=x["id"], step=x["step"], cue=x["cue"], why=x["why"])
            for x in data["form_checklist"]
        ],
        warm_up=list(data["warm_up"]),
        progression=list(data["progression"]),
        alternatives=[
            AlternativeOut(
                id=a["id"],
                name=a["name"],
                muscles=list(a["muscles"]),
                benefits=a["benefits"],
                back_friendly=bool(a["back_friendly"]),
                loaded=bool(a.get("loaded", False)),
                caveat=a.get("caveat", ""),
            )
            for a in data["alternatives"]
        ],
        summary=data["summary"],
        disclaimer=data.get("disclaimer", DISCLAIMER),
        answers=dict(data["answers"]),
        kb_version=data["kb_version"],
        progress=Progress(**progress) if isinstance(progress, dict) else None,
        after_check=bool(data.get("after_check", False)),
        measured=dict(data.get("measured") or {}),
        interview=InterviewOut(
            asked=list(data.get("interview", {}).get("asked", [])),
            skipped=list(data.get("interview", {}).get("skipped", [])),
        ),
        form_focus=[str(x) for x in data.get("form_focus", [])],
        answered=[
            AnswerOut(
                question=a["question"],
                text=a["text"],
                words=a["words"],
                screening=bool(a["screening"]),
            )
            for a in data.get("answered", [])
        ],
        date=str(data.get("date", "")),
    )
