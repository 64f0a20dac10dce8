"""The question flow: which question comes next, progress, and when to stop.

The warning-sign screen comes first, complete and in order; an emergency answer ends the
interview at once. Then every other question a warning sign reads and those
``settings.always_ask`` names, in file order, then the adaptive
part (:mod:`hipthrust_cli.core.adaptive`): the most informative question next, until no
answer left is likely to change the report, or the person asks for the report now.
``thorough`` asks every question that applies, in file order. Given answers (a file,
``--answer``) are used and never asked again.

:func:`run` is the whole conversation: the questions in order, "Back", "Show my report
now", the review with its changes, and the emergency confirmation. It does no terminal
I/O: it drives an :class:`Asker` (``prompts.Prompter`` in the terminal, a scripted one in
tests), which asks and shows, and this module decides what to ask and when.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Protocol

from hipthrust_cli.core.adaptive import next_adaptive
from hipthrust_cli.kb import Answer, KnowledgeBase, Level, Question


@dataclass
class Interview:
    """One run through the questionnaire, starting from answers already given."""

    kb: KnowledgeBase
    answers: dict[str, Answer] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    thorough: bool = False
    stopped: bool = False  # the person asked for the report now
    reopened: list[str] = field(default_factory=list)  # changed from the review

    @classmethod
    def start(
        cls, kb: KnowledgeBase, preset: Mapping[str, Answer], thorough: bool = False
    ) -> Interview:
        """Begin with *preset* answers (from a file or ``--answer``); only the rest is asked."""
        return cls(kb=kb, answers=dict(preset), thorough=thorough)

    def is_relevant(self, question: Question) -> bool:
        """Whether a question applies, given the answers so far (its ``when`` holds)."""
        return all(c.matches(self.answers) for c in question.when)

    @property
    def emergency(self) -> bool:
        """True once an answer fires an emergency red flag: the interview is over."""
        return any(
            flag.level is Level.emergency and flag.fires(self.answers) for flag in self.kb.red_flags
        )

    def emergency_signs(self) -> list[str]:
        """The emergency warning signs the answers so far report, in words."""
        return [
            flag.title
            for flag in self.kb.red_flags
            if flag.level is Level.emergency and flag.fires(self.answers)
        ]

    def pending(self) -> list[Question]:
        """Questions still to ask, in order, as far as the answers so far tell."""
        return [
            q for q in self.kb.ordered_questions if q.id not in self.answers and self.is_relevant(q)
        ]

    def next_question(self) -> Question | None:
        """The next question to ask, or None when the interview is finished."""
        if self.emergency:
            return None
        pending = self.pending()
        screen = [q for q in pending if q.red_flag]
        if screen:
            return screen[0]  # the screen is fixed and complete, never adaptive
        if not pending:
            return None
        # Questions a warning sign reads (pain type, how long it lasts, back history, pain
        # level) are safety questions: neither the adaptive part nor "Show my report now"
        # skips them.
        first = [q for q in pending if self.is_safety(q)]
        if first:
            return first[0]
        # A changed answer is asked at once, then the follow-ups it opens, whatever the
        # adaptive choice would be: the person asked for them (also after "Show my report
        # now", and for --again, whose review opens with the interview stopped).
        changed = set(self.reopened)
        for q in pending:
            if q.id in changed:
                return q
        for q in pending:
            if any(c.question in changed for c in q.when):
                return q
        if self.stopped:
            return None
        if self.thorough:
            return pending[0]
        last = self.kb.question_by_id.get(self.asked[-1]) if self.asked else None
        return next_adaptive(self.kb, self.answers, pending, last)

    def is_safety(self, question: Question) -> bool:
        """Whether *question* is always asked: a warning sign reads it, or ``always_ask``."""
        return (
            question.red_flag
            or question.id in self.kb.red_flag_questions
            or question.id in self.kb.settings.always_ask
        )

    def in_screen(self) -> bool:
        """Whether screening questions are still to come (no early report yet)."""
        return any(q.red_flag for q in self.pending())

    def stop(self) -> None:
        """The person asked for the report now: ask nothing more after the screen."""
        self.stopped = True

    def ask_more(self) -> None:
        """From the review: ask every question not yet asked, in order."""
        self.stopped = False
        self.thorough = True

    def not_asked(self) -> list[Question]:
        """Questions that apply but have no answer: shown in the review, ``skipped`` in JSON."""
        return [q for q in self.pending() if not q.red_flag]

    def record(self, question: Question, value: Answer) -> None:
        """Store an answer given at a prompt."""
        self.answers[question.id] = value
        if question.id not in self.asked:
            self.asked.append(question.id)

    def progress(self, question: Question | None = None) -> tuple[int, int | None]:
        """``(number of *question* or the next one, how many this run will ask)``.

        The total is given only while every remaining question will be asked
        (``thorough``); the adaptive part decides as it goes, so then it is None. It is
        an upper bound: questions already asked, plus every unanswered one that applies
        or still could (a follow-up whose question is not answered yet). An answer can
        only close follow-ups, so the total shrinks or stays and never jumps up as the
        number moves on. A question asked again (after Back or the review) keeps its
        number.
        """
        number = len(self.asked) + 1
        if question is not None and question.id in self.asked:
            number = self.asked.index(question.id) + 1
        if not self.thorough:
            return number, None
        possible = [
            q
            for q in self.kb.ordered_questions
            if q.id not in self.answers
            and q.id not in self.asked
            and all(c.matches(self.answers) or c.question not in self.answers for c in q.when)
        ]
        return number, len(self.asked) + len(possible)

    def can_go_back(self, question: Question) -> bool:
        """Whether there is an earlier question asked in this run to go back to."""
        position = self.asked.index(question.id) if question.id in self.asked else len(self.asked)
        return position > 0

    def back(self, question: Question) -> dict[str, Answer]:
        """Go back from *question* to the one asked before it.

        That question and every one asked after it are asked again, in order; their
        answers are returned, to be offered as defaults.
        """
        position = self.asked.index(question.id) if question.id in self.asked else len(self.asked)
        return {
            qid: self.answers.pop(qid) for qid in self.asked[position - 1 :] if qid in self.answers
        }

    def reopen(self, qid: str) -> Answer | None:
        """Ask *qid* again (from the review); returns its current answer as the default.

        Follow-ups its new answer makes relevant are asked after it; answers to
        questions that no longer apply are set aside (see :meth:`final_answers`).
        """
        self.reopened.append(qid)
        return self.answers.pop(qid, None)

    def review(self) -> list[tuple[Question, Answer]]:
        """The answers given in this run that count, in interview order, for the review."""
        questions = self.kb.question_by_id
        # final_answers is in interview order already (a walk of every question would
        # cost more than the answers: a big knowledge base has tens of thousands).
        return [(questions[qid], v) for qid, v in self.final_answers().items() if qid in questions]

    def ignored(self) -> list[str]:
        """Ids of given answers whose question does not apply (its ``when`` is false)."""
        return [
            qid
            for qid in self.answers
            if qid in self.kb.question_by_id and not self.is_relevant(self.kb.question_by_id[qid])
        ]

    def final_answers(self) -> dict[str, Answer]:
        """The answers that count: those to questions that apply, in interview order."""
        ignored = set(self.ignored())
        order = self.kb.question_order
        kept = [(qid, v) for qid, v in self.answers.items() if qid not in ignored]
        kept.sort(key=lambda item: order.get(item[0], len(order)))
        return dict(kept)


# What an Asker returns besides an answer.
BACK: Final = "__back__"  # at a question: go back to the one before
NOW: Final = "__now__"  # at a question: show my report now
MORE: Final = "__more__"  # in the review: answer the questions not asked
CHANGE: Final = "__change__"  # in the review: back to the list (change nothing yet)

INTRO = (
    "hipthrust: a quick safety check, then short questions about your hip thrust, "
    "only as many as it takes. Choose 'Not sure' whenever you don't know. Ctrl-C "
    "stops at any time."
)
SCREEN = "\nFirst, a quick safety check."
LIFT = "\nNow, about your hip thrust."
SELF_TEST = (
    "\nA quick test you can do now (it would change the result; choose 'Not sure' to skip it):"
)
STOPPING = "\nStopping here: one of your answers needs medical attention first.\n"


@dataclass(frozen=True)
class Again:
    """The last session's answers, for ``diagnose --again``: shown in the review, marked."""

    answers: dict[str, Answer]
    number: int
    when: str  # e.g. "Thu 12 Nov 2026, 14:05"

    def carried(self, qid: str, answer: Answer) -> bool:
        """Whether *answer* to *qid* is the one carried over from the last session."""
        return qid in self.answers and self.answers[qid] == answer


@dataclass(frozen=True)
class Review:
    """What the review shows: the answers that count and the questions not asked."""

    answers: list[tuple[Question, Answer]]  # every answer that counts, in interview order
    not_asked: list[Question]
    carried: list[tuple[Question, Answer]] = field(default_factory=list)  # from --again
    again: Again | None = None  # names the session *carried* came from


class Asker(Protocol):
    """Asks the questions and shows the review; decides nothing (``prompts.Prompter``)."""

    def say(self, text: str = "") -> None:
        """Show a line of guidance (a section heading, what happens next)."""

    def ask(
        self,
        question: Question,
        number: int,
        total: int | None,
        default: Answer | None = None,
        back: bool = False,
        report_now: bool = False,
        mark: str | None = None,
    ) -> Answer | str:
        """Ask *question*; returns its answer, :data:`BACK` or :data:`NOW`.

        *number* of about *total* is the counter; *default* is pre-selected, labelled
        with *mark*; *back* and *report_now* say whether "Back" and "Show my report now"
        are offered.
        """
        ...

    def confirm_emergency(self, signs: list[str]) -> bool:
        """Show the emergency signs reported; True to stop, False to go back and change."""
        ...

    def review(self, review: Review) -> str | None:
        """Show the answers; returns what to do next.

        None shows the report, :data:`MORE` asks the questions not asked, :data:`CHANGE`
        shows the list again, and a question id asks that question again.
        """
        ...


def run(
    interview: Interview,
    asker: Asker,
    defaults: Mapping[str, Answer] | None = None,
    review: bool = True,
    again: Again | None = None,
) -> None:
    """Ask every question the interview still needs, then let the person review the answers.

    *defaults* are pre-selected. With *again* (``diagnose --again``), the questions it
    does not carry over (the warning-sign screen, the pain and everything a warning sign
    reads) are asked fresh, then its answers fill in the rest and the review opens at
    once, listing them under the last session's date. An emergency answer ends the
    interview, also when it is given in the review, once the person has seen what they
    reported and confirmed it (or gone back to change it).
    """
    if interview.next_question() is None and again is None:
        return
    chosen = dict(defaults or {})
    asker.say(INTRO)
    section: bool | None = None
    last_shown: Question | None = None
    carried = False
    while True:
        question = interview.next_question()
        fresh_done = question is None or not interview.is_safety(question)
        if again is not None and not carried and not interview.emergency and fresh_done:
            # The fresh part is done: the last session's answers fill in the rest, and
            # the review opens at once instead of asking them one by one.
            carried = True
            for qid, value in again.answers.items():
                interview.answers.setdefault(qid, value)
            interview.stop()
            continue
        if question is None:
            if interview.emergency or not review or not (interview.asked or carried):
                break
            if interview.stopped and not carried:
                break
            choice = asker.review(_review(interview, again))
            if choice is None:
                break
            if choice == MORE:
                interview.ask_more()
            elif choice != CHANGE:
                _reopen(interview, choice, chosen)
            continue
        if question.red_flag is not section:
            section = question.red_flag
            asker.say(SCREEN if section else LIFT)
        if question.group == "self_test" and (
            last_shown is None or last_shown.group != "self_test"
        ):
            asker.say(SELF_TEST)
        last_shown = question
        number, total = interview.progress(question)
        default = chosen.get(question.id)
        mark = None
        if default is not None:
            last_time = again is not None and again.answers.get(question.id) == default
            mark = "last time" if last_time else "your answer"
        value = asker.ask(
            question,
            number,
            total,
            default=default,
            back=interview.can_go_back(question),
            report_now=not interview.is_safety(question),
            mark=mark,
        )
        if value == BACK:
            chosen.update(interview.back(question))
            continue
        if value == NOW:
            interview.stop()
            continue
        interview.record(question, value)
        if interview.emergency and not asker.confirm_emergency(interview.emergency_signs()):
            # A mis-tick must not end the session: ask the same question again.
            _reopen(interview, question.id, chosen)
    if interview.emergency:
        asker.say(STOPPING)


def _reopen(interview: Interview, qid: str, chosen: dict[str, Answer]) -> None:
    """Ask *qid* again, its current answer pre-selected."""
    previous = interview.reopen(qid)
    if previous is not None:
        chosen[qid] = previous


def _review(interview: Interview, again: Again | None) -> Review:
    items = interview.review()
    carried = [] if again is None else [(q, a) for q, a in items if again.carried(q.id, a)]
    return Review(
        answers=items,
        not_asked=interview.not_asked(),
        carried=carried,
        again=again,
    )
