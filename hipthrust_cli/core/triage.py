"""Triage: which warning signs fire, the level they decide, and what the report may hold.

Pure: nothing here prints, prompts or reads the environment. Two things live here, and
only here:

* :func:`triage` turns the screening answers into a :class:`Triage` — the most serious
  level that fires wins, every fired sign is listed with its source, and every sign that
  was not screened ("Not sure" or no answer) is named one by one.
* :data:`POLICY` is the one table of what a report at each level contains (the README
  shows it): whether causes, fixes, the form checklist and "film a set" appear, which
  alternatives may be offered, and whether the "some lower-back effort is normal" note
  may be shown. :func:`report_policy` resolves it for one set of answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from hipthrust_cli.kb import NOT_SURE, Answer, KnowledgeBase, Level, Question
from hipthrust_cli.kb.kinds import rules

UNSCREENED_TITLE = "Warning signs not fully checked: read the list below first"
UNSCREENED_ADVICE = (
    "Some warning-sign questions were answered 'Not sure' or not at all, so this report "
    "cannot tell whether you need a clinician. If any of the signs listed below apply to "
    "you, get checked before you train. If none do, start with the fixes below, and get "
    "checked if the pain becomes sharp, spreads down a leg, or keeps getting worse."
)
PAIN_QUESTION = "pain_level"
HEAVY_PAIN = 7  # from this pain (0-10) on, nothing heavier than bodyweight is offered
MILD_PAIN = 3  # up to this pain, "some lower-back effort is normal" may be said


@dataclass(frozen=True, kw_only=True)
class Reason:
    """One warning sign that fired: what it is, its level, and the guidance behind it."""

    id: str
    title: str
    level: Level
    source: str


@dataclass(frozen=True, kw_only=True)
class Triage:
    """How urgently the user should see someone, and why."""

    level: Level
    title: str
    advice: str
    reasons: list[Reason]
    unscreened: list[str] = field(default_factory=list)
    complete: bool = True
    safety_waived: list[str] = field(default_factory=list)


class Alternatives(str, Enum):
    """Which alternative exercises a report may offer."""

    none = "none"
    unloaded = "unloaded"  # bodyweight only: nothing marked 'loaded'
    all = "all"


@dataclass(frozen=True)
class LevelPolicy:
    """What a report at one triage level holds besides the triage panel."""

    after_check: bool  # everything below the referral sits under "After you have been checked"
    causes: bool  # likely causes, with why we think so
    fixes: bool  # fixes and drills as things to do now
    form: bool  # the correct-form checklist, warm-up and progression
    self_checks: bool  # "film a set", "ask a coach" when no cause stood out
    alternatives: Alternatives
    reassurance: bool  # notes marked 'reassuring' (with a complete screen and mild pain)


POLICY: dict[Level, LevelPolicy] = {
    Level.emergency: LevelPolicy(False, False, False, False, False, Alternatives.none, False),
    Level.same_day: LevelPolicy(True, True, False, True, False, Alternatives.unloaded, False),
    Level.urgent: LevelPolicy(True, True, False, True, False, Alternatives.unloaded, False),
    Level.routine: LevelPolicy(False, True, True, True, True, Alternatives.all, False),
    Level.self_care: LevelPolicy(False, True, True, True, True, Alternatives.all, True),
}
"""What each level's report holds: the one place the report's content follows its level."""


def report_policy(tri: Triage, answers: Mapping[str, Answer]) -> LevelPolicy:
    """:data:`POLICY` for this triage, tightened by the pain the user reported.

    At any level, pain of 7/10 or more offers nothing heavier than bodyweight; the
    reassuring note needs a complete screen and a reported pain of 3/10 or less.
    """
    policy = POLICY[tri.level]
    pain = _pain(answers)
    alternatives = policy.alternatives
    if alternatives is Alternatives.all and pain is not None and pain >= HEAVY_PAIN:
        alternatives = Alternatives.unloaded
    reassurance = policy.reassurance and tri.complete and pain is not None and pain <= MILD_PAIN
    return LevelPolicy(
        policy.after_check,
        policy.causes,
        policy.fixes,
        policy.form,
        policy.self_checks,
        alternatives,
        reassurance,
    )


def _pain(answers: Mapping[str, Answer]) -> int | None:
    value = answers.get(PAIN_QUESTION)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def policy_table_markdown() -> str:
    """:data:`POLICY` as the Markdown table the README shows (a test keeps them equal)."""
    yes = {True: "yes", False: "—"}
    alternatives = {
        Alternatives.none: "none",
        Alternatives.unloaded: "bodyweight only",
        Alternatives.all: "all (bodyweight only at pain 7/10+)",
    }
    rows = [
        "| level | referral | layout | likely causes | fixes and drills | correct form "
        "| film a set / ask a coach | alternatives | normal-effort note |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for level, p in POLICY.items():
        layout = (
            "referral alone"
            if level is Level.emergency
            else "referral first and alone; the rest under “After you have been checked”"
            if p.after_check
            else "referral, then the report"
        )
        note = "only with every sign screened and pain ≤ 3/10" if p.reassurance else "—"
        rows.append(
            f"| `{level.value}` | {_REFERRAL[level]} | {layout} | {yes[p.causes]} "
            f"| {yes[p.fixes]} | {yes[p.form]} | {yes[p.self_checks]} "
            f"| {alternatives[p.alternatives]} | {note} |"
        )
    return "\n".join(rows) + "\n"


_REFERRAL = {
    Level.emergency: "A&E or 999/112/911 now",
    Level.same_day: "checked today: NHS 111, urgent GP, urgent care",
    Level.urgent: "a doctor within a few days; stop the movement",
    Level.routine: "GP or physiotherapist; keep active",
    Level.self_care: "none; get checked if it changes",
}


def triage(kb: KnowledgeBase, answers: Mapping[str, Answer]) -> Triage:
    """Screen the answers for warning signs; the most serious level that fires wins."""
    fired = [flag for flag in kb.red_flags if flag.fires(answers)]
    # Most serious first; within a level a combination ('all') first, since it is the more
    # specific reason; otherwise knowledge-base order (the sort is stable).
    fired.sort(key=lambda f: (f.level.rank, not f.all))
    level = fired[0].level if fired else Level.self_care
    text = kb.levels[level]
    advice = text.advice
    extra = [f.advice for f in fired if f.advice and f.level == level]
    if extra:
        advice = " ".join([advice, *dict.fromkeys(extra)])
    unscreened = unscreened_signs(kb, answers)
    title = text.title
    if unscreened and level is Level.self_care:
        # "No warning signs reported" would be true but misleading when we never asked.
        title, advice = UNSCREENED_TITLE, UNSCREENED_ADVICE
    return Triage(
        level=level,
        title=title,
        advice=advice,
        # Every sign that fired, most serious first; only the deciding level's own advice
        # is added, so no milder instruction sits next to the referral.
        reasons=[Reason(id=f.id, title=f.title, level=f.level, source=f.source) for f in fired],
        unscreened=unscreened,
        complete=not unscreened,
        safety_waived=list(kb.safety_waived),
    )


def unscreened_signs(kb: KnowledgeBase, answers: Mapping[str, Answer]) -> list[str]:
    """Each warning sign we could not rule in or out, named one by one.

    A screening question counts as not screened when it applies and was answered
    "Not sure" or not at all. A "Not sure" that opened follow-up questions is speaking
    through them: only the follow-ups still unsure or unanswered are named.
    """
    out: list[str] = []
    for q in kb.ordered_questions:
        if not q.red_flag or not all(c.matches(answers) for c in q.when):
            continue
        value = answers.get(q.id)
        if value is not None and value != NOT_SURE:
            continue
        if value == NOT_SURE and _follow_ups(kb, q, answers):
            continue
        out += _signs(q)
    # A sign read from an ordinary question (the pain level) is as unchecked as one from
    # the screen when that question was left "Not sure" or unanswered.
    for flag in kb.red_flags:
        if flag.fires(answers):
            continue
        for c in [*flag.any, *flag.all]:
            read = kb.question_by_id.get(c.question)
            if read is None or read.red_flag or not all(w.matches(answers) for w in read.when):
                continue
            if answers.get(read.id, NOT_SURE) == NOT_SURE:
                out.append(flag.title)
                break
    return list(dict.fromkeys(out))


def _follow_ups(kb: KnowledgeBase, question: Question, answers: Mapping[str, Answer]) -> bool:
    return any(
        q.red_flag
        and any(c.question == question.id for c in q.when)
        and all(c.matches(answers) for c in q.when)
        for q in kb.questions
    )


def _signs(question: Question) -> list[str]:
    if rules(question).many:
        # A neutral tick ("None of these", "muscles working") is not a sign to check.
        return [c.label for c in question.choices if not (c.exclusive or c.neutral)]
    return [question.screens or question.text]
