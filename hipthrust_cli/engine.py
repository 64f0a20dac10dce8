"""The diagnosis: red-flag triage, scored likely causes with their evidence, and advice.

``diagnose(kb, answers)`` is pure: the same answers always give the same
:class:`Diagnosis`, and nothing here prints, prompts or touches files. Every view (rich,
markdown, json) renders this one model.

Scoring, per mistake: for each question the best matching positive sign counts; their
sum is divided by the most the signs could give; matching negative weights are then
subtracted as they are; the result is clamped to 0..1. A mistake is reported when it
reaches the knowledge base's ``report_threshold``. ``not_sure`` and unanswered questions
add nothing and are listed as *unconfirmed*.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from hipthrust_cli.core.triage import Alternatives, Reason, Triage, report_policy, triage
from hipthrust_cli.knowledge import (
    NOT_SURE,
    Answer,
    Condition,
    Evidence,
    KnowledgeBase,
    Level,
    Question,
)

__all__ = ["Diagnosis", "Reason", "Triage", "diagnose", "report_from_dict", "triage"]

# 2: five triage levels; reasons carry their source; triage.complete; alternatives carry
# 'loaded' and a caveat; 'after_check'. Version 1 reports (saved in history) still load.
REPORT_VERSION = 2
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


@dataclass(frozen=True, kw_only=True)
class FixOut:
    """One fix, with how well it is supported."""

    text: str
    evidence: Evidence
    source: str | None


@dataclass(frozen=True, kw_only=True)
class Exercise:
    """A drill or alternative exercise, named."""

    id: str
    name: str


@dataclass(frozen=True, kw_only=True)
class Finding:
    """A likely cause, with the evidence for and against it."""

    id: str
    title: str
    score: float
    consequence: str
    fixes: list[FixOut]
    drills: list[Exercise]
    supporting: list[EvidenceItem]
    conflicting: list[EvidenceItem]
    unconfirmed: list[EvidenceItem]


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
class Previous:
    """What the engine needs to know about the last diagnosis, to show progress."""

    date: str
    findings: list[tuple[str, str]]  # (mistake id, title), ranked
    pain: int | None


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


def _item(question: Question, value: Answer | None) -> EvidenceItem:
    if value is None:
        answer, words = "", "not answered"
    else:
        answer, words = _as_text(value), question.label_of(value)
    return EvidenceItem(question=question.id, answer=answer, text=f"{question.text} — {words}")


def _as_text(value: Answer) -> str:
    return ",".join(value) if isinstance(value, list) else str(value)


def score_mistakes(
    kb: KnowledgeBase, answers: Mapping[str, Answer]
) -> list[tuple[int, float, dict[str, float], dict[str, float]]]:
    """Score every mistake that any answer touches.

    Returns ``(mistake index, score, best positive weight per question, negative weight
    per question)`` for mistakes with a score above zero, in knowledge-base order. Only
    the signs of answered questions are visited, through the index by question.
    """
    positive: dict[int, dict[str, float]] = {}
    negative: dict[int, dict[str, float]] = {}
    for qid, value in answers.items():
        if value == NOT_SURE:
            continue
        for index, sign in kb.signs_by_question.get(qid, ()):
            if not sign.matches(answers):
                continue
            if sign.weight > 0:
                best = positive.setdefault(index, {})
                best[qid] = max(best.get(qid, 0.0), sign.weight)
            else:
                neg = negative.setdefault(index, {})
                neg[qid] = neg.get(qid, 0.0) + sign.weight
    scored = []
    for index in sorted(positive):
        mistake = kb.mistakes[index]
        raw = sum(positive[index].values()) / mistake.total_positive
        raw += sum(negative.get(index, {}).values())
        score = round(min(1.0, max(0.0, raw)), 3)
        if score > 0:
            scored.append((index, score, positive[index], negative.get(index, {})))
    return scored


def _finding(
    kb: KnowledgeBase,
    answers: Mapping[str, Answer],
    index: int,
    score: float,
    pos: Mapping[str, float],
    neg: Mapping[str, float],
) -> Finding:
    mistake = kb.mistakes[index]
    questions = kb.question_by_id
    sign_questions = list(dict.fromkeys(s.question for s in mistake.signs))
    unconfirmed = [
        _item(questions[q], answers.get(q))
        for q in sign_questions
        if answers.get(q) in (None, NOT_SURE)
        and any(s.weight > 0 for s in mistake.signs if s.question == q)
    ]
    return Finding(
        id=mistake.id,
        title=mistake.title,
        score=score,
        consequence=mistake.consequence,
        fixes=[FixOut(text=f.text, evidence=f.evidence, source=f.source) for f in mistake.fixes],
        drills=[Exercise(id=d, name=kb.exercise_names[d]) for d in mistake.drills],
        supporting=[_item(questions[q], answers[q]) for q in sign_questions if q in pos],
        conflicting=[_item(questions[q], answers[q]) for q in sign_questions if q in neg],
        unconfirmed=unconfirmed,
    )


def _any(conditions: list[Condition], answers: Mapping[str, Answer]) -> bool:
    return any(c.matches(answers) for c in conditions)


def diagnose(
    kb: KnowledgeBase, answers: Mapping[str, Answer], previous: Previous | None = None
) -> Diagnosis:
    """Turn a set of answers into a report: triage first, then causes and advice.

    What the report holds follows its triage level through
    :func:`~hipthrust_cli.core.triage.report_policy`, the one place that decides it.
    With *previous* (the last saved diagnosis) the report also says what changed since.
    """
    answers = dict(answers)
    tri = triage(kb, answers)
    policy = report_policy(tri, answers)

    findings: list[Finding] = []
    if policy.causes:
        threshold = kb.settings.report_threshold
        scored = [s for s in score_mistakes(kb, answers) if s[1] >= threshold]
        scored.sort(key=lambda s: (-s[1], s[0]))
        findings = [_finding(kb, answers, *s) for s in scored]
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
        next_steps = [
            "We could not single out a cause from your answers"
            + (" (many were 'not sure' or unanswered)." if answered < 8 else ".")
        ]
        if policy.self_checks:
            next_steps += [
                "Film a set from the side and compare it with the form checklist below.",
                "Ask a coach or physiotherapist to watch a few reps.",
            ]

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
    n = len(findings)
    causes = f"{n} likely cause{'s' if n != 1 else ''}"
    top = findings[0]
    return f"{first}{causes}; start with {top.title.lower()}: {top.fixes[0].text}"


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
        resolved=resolved,
        still_present=still,
        new=new,
        pain_before=previous.pain,
        pain_now=pain,
        pain_trend=trend,
        summary=f"Since {previous.date}: {summary}.",
    )


def report_from_dict(data: Mapping[str, Any]) -> Diagnosis:
    """Rebuild a report from its JSON form (as saved in history).

    Raises ``KeyError``, ``TypeError`` or ``ValueError`` when *data* is not a report.
    """

    def items(rows: Any) -> list[EvidenceItem]:
        return [
            EvidenceItem(
                question=r["question"], answer=r["answer"], text=r["text"], source=r.get("source")
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
                score=float(f["score"]),
                consequence=f["consequence"],
                fixes=[
                    FixOut(text=x["text"], evidence=Evidence(x["evidence"]), source=x.get("source"))
                    for x in f["fixes"]
                ],
                drills=[Exercise(id=x["id"], name=x["name"]) for x in f["drills"]],
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
    )
