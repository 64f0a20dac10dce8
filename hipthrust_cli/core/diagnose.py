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
from dataclasses import replace

from hipthrust_cli.core.model import Belief, beliefs, best_ratio, rows_for
from hipthrust_cli.core.progress import compare
from hipthrust_cli.core.report import (
    AlternativeOut,
    AnswerOut,
    Diagnosis,
    EvidenceItem,
    Exercise,
    Finding,
    FixOut,
    FormStep,
    InterviewOut,
    NoteOut,
    Previous,
)
from hipthrust_cli.core.triage import Alternatives, Triage, report_policy, triage
from hipthrust_cli.kb import (
    NOT_SURE,
    Answer,
    Condition,
    KnowledgeBase,
    Level,
    Question,
)

SUPPORTING_SHOWN = 3
CONFLICTING_SHOWN = 2
UNCONFIRMED_SHOWN = 2
PROXY_BAND_CAP = "likely"


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
    reported: Mapping[str, str],
) -> Finding:
    """One reported cause for the report; *reported* maps every reported cause to its title."""
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
        best = best_ratio(q, rows_for(mistake, qid))
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

    def listed(qid: str) -> list[str]:
        rows = [*mistake.evidence, *mistake.context]  # context quotes only its own ticks too
        return [a for r in rows if r.question == qid for a in r.answers or []]

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
        related=[reported[r] for r in mistake.related if r in reported and r != mistake.id],
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
    # By the causes' summaries: only the causes found are decoded from a cache.
    by_id = {c.id: i for i, c in enumerate(kb.causes)}
    wanted = [s for f in findings if f.id in by_id for s in kb.mistakes[by_id[f.id]].form]
    steps = {s.id for s in kb.technique.checklist}
    return [s for s in dict.fromkeys(wanted) if s in steps]


def _in_order(kb: KnowledgeBase, answers: Mapping[str, Answer]) -> list[Question]:
    """The answered questions in interview order (not a walk of every question)."""
    questions = kb.question_by_id
    return sorted(
        (questions[qid] for qid in answers if qid in questions),
        key=lambda q: kb.question_order[q.id],
    )


def _any(conditions: Sequence[Condition], answers: Mapping[str, Answer]) -> bool:
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
            if q.id not in answers and (not q.when or all(c.matches(answers) for c in q.when))
        ],
    )

    findings: list[Finding] = []
    if policy.causes:
        ranked = rank(kb, answers)
        # Titles of the reported causes only: a big knowledge base has thousands of causes.
        reported = {b.id: kb.mistakes[b.index].title for b, _ in ranked}
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
            for q in _in_order(kb, answers)
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
