"""One ``hipthrust diagnose`` run: answers, interview, history and the report.

The command line parses the options and hands them over as a :class:`Request`; this
module decides everything else — which answers win (:mod:`hipthrust_cli.core.answers`),
whether anybody is there to ask, what ``--again`` carries over, which past session
progress is measured against, and that the report is saved before it is shown (a closed
pipe, a full disk or a vanished ``-o`` folder must never cost the interview). It never
prints: what the person should hear comes back as :class:`Notice` objects, at each step,
for the command line to show.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Literal

from hipthrust_cli.errors import AnswersError, UsageError
from hipthrust_cli.safetext import clean_line

# The history commands use this module too (notices, dates): what only a diagnose run
# needs is imported when it runs, so they do not pay for the knowledge base's models.
if TYPE_CHECKING:  # pragma: no cover - types only
    from hipthrust_cli.core.interview import Again, Asker, Interview
    from hipthrust_cli.core.report import Diagnosis, Previous
    from hipthrust_cli.history import History
    from hipthrust_cli.history import Session as Saved
    from hipthrust_cli.kb import Answer, KnowledgeBase
    from hipthrust_cli.video.analysis import VideoAnswer


@dataclass(frozen=True)
class Notice:
    """A line for the person, on stderr: a warning, or plain information."""

    text: str
    warning: bool = False


@dataclass(frozen=True)
class Request:
    """What ``diagnose`` was asked to do, its options parsed and checked."""

    from_file: Mapping[str, Answer] = field(default_factory=dict)
    from_options: Mapping[str, Answer] = field(default_factory=dict)
    measured: Mapping[str, VideoAnswer] = field(default_factory=dict)
    answers_given: bool = False  # --answers or --answer was given (even if empty)
    stdin_is_terminal: bool = False  # and not taken by --answers -
    no_input: bool = False
    thorough: bool = False
    again: bool = False
    no_history: bool = False
    verbose: bool = False


def read_answers_file(
    path: Path, kb: KnowledgeBase, stdin: BinaryIO | None = None
) -> dict[str, Answer]:
    """Read and check an answers file; ``-`` reads standard input; empty means no answers."""
    from hipthrust_cli import yamlio
    from hipthrust_cli.core.answers import MAX_ANSWERS_BYTES, parse_file

    name = "standard input" if str(path) == "-" else str(path)
    try:
        if str(path) == "-":
            if stdin is None and sys.stdin is None:
                raise yamlio.YamlProblem(
                    "cannot be read: standard input is closed; give a file, or pipe the answers in"
                )
            source = stdin if stdin is not None else sys.stdin.buffer
            text = yamlio.decode(source.read(MAX_ANSWERS_BYTES + 1), MAX_ANSWERS_BYTES)
        else:
            text = yamlio.read_text(path, MAX_ANSWERS_BYTES)
    except yamlio.YamlProblem as problem:
        place = f"{name}:{problem.line}" if problem.line else name
        raise AnswersError(f"Answers file {place}: the file {problem.sentence()}") from None
    return parse_file(text, str(path), kb)


def measured_answers(
    kb: KnowledgeBase, measured: Sequence[VideoAnswer], given: Mapping[str, Answer]
) -> tuple[dict[str, VideoAnswer], list[Notice]]:
    """The answers a video measured with confidence, for questions not answered otherwise."""
    questions = kb.question_by_id
    kept = {
        a.question: a
        for a in measured
        if a.question in questions
        and a.question not in given
        and any(c.id == a.choice for c in questions[a.question].choices)
    }
    return kept, [
        Notice(
            clean_line(
                f"Measured from video: {questions[a.question].text} — "
                f"{questions[a.question].label_of(a.choice)} ({a.text})."
            )
        )
        for a in kept.values()
    ]


def uses_history(request: Request) -> bool:
    """Whether the run reads or writes the history (``--no-history`` alone keeps out)."""
    return not request.no_history or request.again


class Diagnose:
    """One diagnose run, step by step: :meth:`start`, :meth:`ask` if needed, :meth:`finish`.

    Each step leaves what the person should hear in :attr:`notices`; the caller shows
    and clears them (:meth:`take_notices`) before the next step, so they appear in order.
    """

    def __init__(self, kb: KnowledgeBase, request: Request, store: History | None) -> None:
        from hipthrust_cli.core.answers import Layers
        from hipthrust_cli.core.interview import Interview

        self.kb = kb
        self.request = request
        self.store = store if uses_history(request) else None
        self.notices: list[Notice] = []
        self.last: Saved | None = None
        self.interview = Interview(kb=kb)
        self._layers = Layers()

    def take_notices(self) -> list[Notice]:
        """The notices so far, in order; they are cleared."""
        notices, self.notices = self.notices, []
        return notices

    def _warn(self, text: str) -> None:
        self.notices.append(Notice(text, warning=True))

    @property
    def interactive(self) -> bool:
        """Whether questions are asked at a prompt (a terminal, and no ``--no-input``)."""
        return self.request.stdin_is_terminal and not self.request.no_input

    def start(self) -> Interview:
        """Read the history, layer the answers, and set up the interview."""
        from hipthrust_cli.core.answers import Layers, reusable, still_valid
        from hipthrust_cli.core.interview import Interview

        request = self.request
        self.last = self._last_session() if self.store is not None else None
        again: dict[str, Answer] = {}
        if request.again:
            if self.last is None:
                self.notices.append(Notice("No earlier session to start from: starting fresh.\n"))
            else:
                again = reusable(self.kb, still_valid(self.kb, self.last.answers))
        self._layers = Layers(
            options=request.from_options,
            file=request.from_file,
            video={qid: m.choice for qid, m in request.measured.items()},
            again=again,
        )
        self.interview = Interview.start(
            self.kb, self._layers.preset(self.interactive), thorough=request.thorough
        )
        return self.interview

    def needs_asking(self) -> bool:
        """Whether questions are left to ask at a prompt; a UsageError if nobody can answer."""
        request = self.request
        if request.no_input or self.interview.next_question() is None:
            return False
        if request.stdin_is_terminal:
            return True
        if not (request.answers_given or (request.again and self.last is not None)):
            raise UsageError(
                "hipthrust diagnose needs a terminal to ask its questions; give answers "
                "with --answers FILE (or --answer QID=VALUE), or add --no-input."
            )
        return False

    def again(self) -> Again | None:
        """What ``--again`` carries into the wizard: last session's answers, named."""
        from hipthrust_cli.core.interview import Again

        if not self.request.again or self.last is None:
            return None
        return Again(self._layers.carried(), self.last.id, _when(self.last.created))

    def ask(self, asker: Asker) -> None:
        """Run the interview with *asker* (the terminal's prompts)."""
        from hipthrust_cli import collector
        from hipthrust_cli.core import interview

        collector.before_waiting()
        interview.run(self.interview, asker, again=self.again())

    def finish(self, when: str | None = None) -> tuple[Diagnosis, int | None]:
        """The report, dated (*when*, else now) and saved; its session number, if saved."""
        from hipthrust_cli.core.diagnose import diagnose

        if self.request.verbose:
            for qid in self.interview.ignored():
                self.notices.append(
                    Notice(
                        f"Note: ignored the answer to '{qid}': that question does not apply "
                        "given your other answers.\n"
                    )
                )
        compared = self._last_full_session()
        report = diagnose(
            self.kb, self.interview.final_answers(), _previous(compared), self.interview.asked
        )
        if self.request.measured:
            from hipthrust_cli.video.mark import mark_measured

            report = mark_measured(report, self.request.measured, self._measured_words())
        report = dated(report, when)
        # Saved before anything is shown: a closed pipe, a full disk or a vanished -o
        # folder must never cost the interview.
        saved = None
        if self.store is not None and not self.request.no_history:
            saved = self._save(report)
        return report, saved

    def _measured_words(self) -> dict[str, str]:
        questions = self.kb.question_by_id
        return {
            qid: f"{questions[qid].text} — {questions[qid].label_of(a.choice)}"
            for qid, a in self.request.measured.items()
        }

    # --- history --------------------------------------------------------------------------

    def _moved_aside(self) -> None:
        if self.store is not None:
            self.notices += moved_aside(self.store)

    def _last_session(self) -> Saved | None:
        from hipthrust_cli.history import HistoryError

        assert self.store is not None
        try:
            last = self.store.last()
        except HistoryError as exc:
            self._warn(f"could not read your history ({exc}); continuing without it.")
            return None
        self._moved_aside()
        return last

    def _save(self, report: Diagnosis) -> int | None:
        from hipthrust_cli.history import HistoryError

        assert self.store is not None
        number: int | None = None
        try:
            number = self.store.save(report)
        except HistoryError as exc:
            self._warn(f"this diagnosis was not saved in your history: {exc}.")
        self._moved_aside()
        return number

    def _last_full_session(self) -> Saved | None:
        """The newest session whose report looked for causes, to measure progress against.

        A session that stopped at an emergency (or any level whose report holds no
        causes) never looked for causes, so nothing could be called "no longer found"
        against it.
        """
        from hipthrust_cli.core.triage import POLICY
        from hipthrust_cli.kb import Level

        def full(session: Saved) -> bool:
            try:
                return POLICY[Level(session.triage)].causes
            except ValueError:
                return False

        last = self.last
        if self.store is None or last is None or full(last):
            return last
        from hipthrust_cli.history import HistoryError  # only with a history: --no-history skips it

        try:
            sessions = self.store.sessions()
        except HistoryError:
            return None
        return next((s for s in reversed(sessions) if full(s)), None)


def moved_aside(store: History) -> list[Notice]:
    """A warning if *store* found its file unreadable and moved it aside (said once)."""
    if store.moved_aside is None:
        return []
    where, store.moved_aside = store.moved_aside, None
    return [
        Notice(
            f"your history file could not be read, so it was moved to {where} "
            "(kept, not deleted) and a new history was started.",
            warning=True,
        )
    ]


def saved_notice(number: int, dash: Literal["—", "-"] = "—") -> Notice:
    """The last line of a saved run: its session number and how to start from it."""
    return Notice(f"Saved as session #{number} {dash} next time: hipthrust diagnose --again")


def dated(report: Diagnosis, when: str | None = None) -> Diagnosis:
    """*report* stamped with when it was made (now, or *when* for an older saved one)."""
    import datetime as dt

    if report.date:
        return report
    stamp = when or dt.datetime.now().astimezone().isoformat(timespec="seconds")
    return replace(report, date=stamp)


def _previous(last: Saved | None) -> Previous | None:
    from hipthrust_cli.core.report import Previous

    if last is None:
        return None
    return Previous(
        date=last.created,
        findings=[(mid, title) for mid, title, _ in last.findings],
        pain=last.pain,
        number=last.id,
    )


def _when(created: str) -> str:
    """A saved session's time as people say it, in local time: "Thu 12 Nov 2026, 14:05"."""
    import datetime as dt

    try:
        moment = dt.datetime.fromisoformat(created).astimezone()
    except ValueError:
        return clean_line(created)
    return f"{moment:%a} {moment.day} {moment:%b %Y, %H:%M}"
