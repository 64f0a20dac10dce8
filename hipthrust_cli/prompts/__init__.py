"""Ask the interview's questions in the terminal with questionary, drawn on stderr.

This is the only module that imports questionary and prompt_toolkit, and it does so
inside functions, so commands that never prompt never pay for them. It decides nothing:
:class:`Prompter` is the terminal's :class:`~hipthrust_cli.core.interview.Asker`, and the
order, ``when``, review and stopping all come from :mod:`hipthrust_cli.core.interview`.

Ctrl-C raises ``KeyboardInterrupt`` and Ctrl-D raises ``EOFError``; the CLI turns both
into a one-line message and exit code 130.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, TextIO

from hipthrust_cli.core.interview import BACK, CHANGE, MORE, NOW, Again, Interview, Review
from hipthrust_cli.errors import Terminated
from hipthrust_cli.kb import NOT_SURE, Answer, Question
from hipthrust_cli.kb.kinds import rules
from hipthrust_cli.prompts.widgets import (
    actions_in_checklist,
    ascii_marks,
    can_show,
    eof_on_ctrl_d,
    key_hint,
    plain,
    prompt_style,
    terminal_width,
    type_a_number,
    wrap,
)
from hipthrust_cli.safetext import clean_line

SELECT_INDENT = 3  # " » " before a select choice
CHECKBOX_INDENT = 5  # " » ○ " before a checkbox choice
WHY = "__why__"
SHOW = "__show__"
REPORT_NOW = "Show my report now"
FEW = 3  # the review lists the questions not asked by name up to this many


class Prompter:
    """Asks questions on a terminal. *input*/*output* are for tests (prompt_toolkit pipes)."""

    def __init__(self, err: TextIO | None = None, input: Any = None, output: Any = None) -> None:
        self.err = err or sys.stderr
        self.input = input
        self.output = output

    def _io(self) -> dict[str, Any]:
        if self.output is None:
            from prompt_toolkit.output import create_output

            self.output = create_output(stdout=self.err)
        io: dict[str, Any] = {"output": self.output, "style": prompt_style()}
        if self.input is not None:
            io["input"] = self.input
        if plain(self.err):
            ascii_marks()
            io["pointer"] = ">"
        return io

    def say(self, text: str = "", hanging: str | None = None) -> None:
        """Write guidance on stderr, wrapped at word boundaries to the terminal's width.

        Wrapped lines start under the text of a bullet, or at *hanging* when given.
        """
        import textwrap

        lines = []
        for line in text.split("\n"):
            indent = line[: len(line) - len(line.lstrip())]
            # A bullet's wrapped lines start under its text, not under the bullet.
            bullet = line.lstrip().startswith("• ")
            after = indent + "  " if bullet else indent if hanging is None else hanging
            wrapped = textwrap.wrap(
                line.strip(),
                max(20, terminal_width() - 1),
                initial_indent=indent,
                subsequent_indent=after,
                break_on_hyphens=False,
            )
            lines += wrapped or [""]
        self.err.write("\n".join(lines) + "\n")
        self.err.flush()

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
        """Ask one question until it has an answer; "Why do we ask?" explains and re-asks.

        *default* is pre-selected (a previous answer) and, with *mark* (e.g. "last
        time"), labelled so; with *back*, the prompt also offers "← Back", which returns
        :data:`BACK`; with *report_now* it offers "Show my report now" (:data:`NOW`).
        Once answered, the prompt is replaced by one line: the question and the answer
        in words, wrapped at word boundaries.
        """
        import questionary

        count = _counter(number, total)
        # "? " comes before the message; wrap it so no word is broken at the edge.
        message = wrap(f"{count} {question.text}", 2)
        kind = rules(question)
        if kind.many:
            self.say(f"  ({clean_line(question.why)})")
            value = self._ask_multi(question, message, default, back, mark)
            if value != BACK:
                self.echo(count, question, value)
            return value
        suffix = f"  ({mark})" if mark else ""
        choices: list[Any] = [
            questionary.Choice(
                wrap(label + (suffix if value == default else ""), SELECT_INDENT), value=value
            )
            for value, label in kind.choices(question)
        ]
        choices.append(
            questionary.Choice("Not sure" + (suffix if default == NOT_SURE else ""), value=NOT_SURE)
        )
        choices.append(questionary.Choice("Why do we ask this?", value=WHY))
        if back:
            choices.append(questionary.Choice("← Back", value=BACK))
        if report_now:
            choices.append(questionary.Choice(REPORT_NOW, value=NOW))
        start = default if default is not None else starting_point(question)
        selected = next((c for c in choices if c.value == start), None)
        hint = "(arrow keys, Enter)"
        if kind.takes_range:  # a scale: its number can be typed
            hint = f"(type {question.min}-{question.max} or use the arrow keys, then Enter)"
        while True:
            prompt = questionary.select(
                message,
                choices=choices,
                default=selected,
                instruction=key_hint(message, hint),
                **self._io(),
            )
            prompt.application.erase_when_done = True
            if kind.takes_range:
                type_a_number(prompt, question)
            value = eof_on_ctrl_d(prompt).unsafe_ask()
            if value != WHY:
                if value not in (BACK, NOW):
                    self.echo(count, question, value)
                return value  # type: ignore[no-any-return]
            self.say(f"  Why we ask: {clean_line(question.why)}")

    def echo(self, count: str, question: Question, value: Answer) -> None:
        """The answered question and its answer in words, wrapped at word boundaries.

        A checklist names what was ticked, not how many.
        """
        words = _words(question, value)
        arrow = "→" if can_show(self.err, "→") else "->"
        self.say(f"? {count} {clean_line(question.text)} {arrow} {words}", hanging="  ")

    def _ask_multi(
        self,
        question: Question,
        message: str,
        default: Answer | None,
        back: bool = False,
        mark: str | None = None,
    ) -> Answer | str:
        import questionary

        ticked = set(default) if isinstance(default, list) else {default}
        suffix = f"  ({mark})" if mark else ""
        # " > [ ] " in plain ASCII is two columns wider than " » ○ ".
        indent = CHECKBOX_INDENT + (2 if plain(self.err) else 0)
        labels = {
            c.id: wrap(c.label + (suffix if c.id in ticked else ""), indent)
            for c in question.choices
        }
        labels[NOT_SURE] = "Not sure" + (suffix if NOT_SURE in ticked else "")
        alone = {c.id for c in question.choices if c.exclusive} | {NOT_SURE}

        def validate(selected: list[str]) -> bool | str:
            if not selected:
                none = next((c.label for c in question.choices if c.exclusive), None)
                either = f"'{clean_line(none)}' or 'Not sure'" if none else "'Not sure'"
                return _fits(
                    f"Tick at least one with Space (or {either}), then Enter.",
                    "Tick one with Space, then Enter.",
                    "Space ticks, Enter confirms.",
                )
            lonely = [s for s in selected if s in alone]
            if lonely and len(selected) > 1:
                alone_label = " ".join(labels[lonely[0]].split())
                return _fits(
                    f"'{alone_label}' cannot be combined with other choices.",
                    f"'{alone_label}' goes alone.",
                    "Untick the others, or that one.",
                )
            return True

        choices = [
            questionary.Choice(label, value=cid, checked=cid in ticked)
            for cid, label in labels.items()
        ]
        if back:
            choices.append(questionary.Choice("← Back", value=BACK))
        prompt = questionary.checkbox(
            message,
            choices=choices,
            validate=validate,
            instruction=key_hint(message, "(Space ticks each that applies, Enter confirms)"),
            **self._io(),
        )
        prompt.application.erase_when_done = True
        actions_in_checklist(prompt, {BACK})
        picked: list[str] | str = eof_on_ctrl_d(prompt).unsafe_ask()
        if picked == BACK:
            return BACK
        return NOT_SURE if picked == [NOT_SURE] else list(picked)

    def confirm_emergency(self, signs: list[str]) -> bool:
        """Before stopping for an emergency, show what was reported; False means go back."""
        import questionary

        self.say("\nBefore we stop, please check. You told us:")
        for sign in signs:
            self.say(f"  • {clean_line(sign)}")
        self.say("These need emergency help, so the questions stop here.")
        action = eof_on_ctrl_d(
            questionary.select(
                "Is that right?",
                choices=[
                    questionary.Choice("Yes, that's right: show me what to do", value=SHOW),
                    questionary.Choice("← Back: I ticked something by mistake", value=BACK),
                ],
                instruction="(arrow keys, Enter)",
                **self._io(),
            )
        ).unsafe_ask()
        return bool(action != BACK)

    def review(self, review: Review) -> str | None:
        """Show the answers; returns None for "Show my report", or a question id to change.

        Each line leads with the answer (the part to check), then the question. Answers
        carried over from the last session (``--again``) are listed under its date and
        number, apart from those given today.
        """
        import questionary

        items, again = review.answers, review.again
        # What was not asked comes first, briefly: the answers, the part to check, are
        # listed last, right above the question, so a short terminal still shows them.
        left = review.not_asked
        if left:
            self.say(
                f"\nNot asked ({len(left)}): your answers so far were unlikely to change "
                + (
                    "the report. You can answer them too:"
                    if len(left) <= FEW
                    else f"the report. 'Answer the {len(left)} more' asks them."
                )
            )
            if len(left) <= FEW:
                for question in left:
                    self.say(f"  • {clean_line(question.text)}")
        carried = review.carried
        today = [item for item in items if item not in carried]
        if carried and again is not None:
            if today:
                self.say("\nYour answers today:")
                for question, answer in today:
                    self.say(f"  • {_answer_first(question, answer, short=True)}")
            self.say(f"\nYour answers from {again.when} (session #{again.number}):")
            for question, answer in carried:
                self.say(f"  • {_answer_first(question, answer, short=True)}")
        else:
            self.say("\nYour answers:")
            for question, answer in items:
                self.say(f"  • {_answer_first(question, answer, short=True)}")
        choices = [
            questionary.Choice("Show my report", value=SHOW),
            questionary.Choice("Change an answer", value=CHANGE),
        ]
        if left:
            choices.insert(1, questionary.Choice(f"Answer the {len(left)} more", value=MORE))
        action = eof_on_ctrl_d(
            questionary.select(
                "Ready?",
                choices=choices,
                instruction="(arrow keys, Enter)",
                **self._io(),
            )
        ).unsafe_ask()
        if action == SHOW:
            return None
        if action == MORE:
            return MORE
        choices = [
            questionary.Choice(wrap(_answer_first(q, a, short=True), SELECT_INDENT), value=q.id)
            for q, a in items
        ]
        choices.append(questionary.Choice("← Back to the list", value=BACK))
        which = questionary.select(
            "Which answer do you want to change?",
            choices=choices,
            instruction=key_hint("Which answer do you want to change?", "(arrow keys, Enter)"),
            **self._io(),
        )
        # The question asked next says which answer it was; questionary's own echo of a
        # wrapped choice would be cut at the edge.
        which.application.erase_when_done = True
        picked = eof_on_ctrl_d(which).unsafe_ask()
        return None if picked is None else (CHANGE if picked == BACK else str(picked))


def _answer_first(question: Question, answer: Answer, short: bool = False) -> str:
    """One review line, the answer leading: "Lower back; Glutes — Where do you feel…"."""
    import textwrap

    words = _words(question, answer)
    text = clean_line(question.text)
    if short:
        text = textwrap.shorten(text, 50, placeholder="…")
    return f"{words} — {text}"


def _fits(*messages: str) -> str:
    """The first message that fits on one line: a checklist's warning is never wrapped."""
    room = terminal_width() - 1
    return next((m for m in messages if len(m) <= room), messages[-1])


def _words(question: Question, answer: Answer) -> str:
    """An answer in words: ticked choices joined by "; ", a scale as "4 out of 10"."""
    if isinstance(answer, list) and len(answer) > 1:
        return "; ".join(clean_line(question.label_of(a)) for a in answer)
    return clean_line(rules(question).words(question, answer))


def _counter(number: int, total: int | None) -> str:
    """The counter: [7] while the adaptive interview decides as it goes, else [7 of about 23].

    The total is an upper bound that only shrinks as answers close follow-ups, so the
    counter never jumps from [6/22] to [7/23].
    """
    return f"[{number}]" if total is None else f"[{number} of about {total}]"


def starting_point(question: Question) -> str | None:
    """Where the pointer starts on a question nobody has answered yet.

    Choices run in a natural order with the usual answer first, so Enter at once gives
    the usual answer and never manufactures a cause. Where no answer is usual (a warning
    sign, the pain scale, a question with no neutral choice), the pointer starts on "Not
    sure": Enter at once then records what is true, that nothing was chosen.
    """
    if question.red_flag or rules(question).takes_range:
        return NOT_SURE
    return next((c.id for c in question.choices if c.neutral), NOT_SURE)


def run(
    interview: Interview,
    prompter: Prompter | None = None,
    defaults: dict[str, Answer] | None = None,
    review: bool = True,
    again: Again | None = None,
) -> None:
    """Run the interview (:func:`hipthrust_cli.core.interview.run`) in the terminal.

    SIGTERM and SIGHUP stop it like Ctrl-C does, with the terminal put back as it was.
    """
    from hipthrust_cli.core import interview as conversation

    with terminal_restored_on_signals():
        conversation.run(interview, prompter or Prompter(), defaults, review, again)


@contextmanager
def terminal_restored_on_signals() -> Iterator[None]:
    """While prompting, SIGTERM and SIGHUP stop the interview like Ctrl-C does.

    The default action would kill the process with the terminal still raw and the cursor
    hidden. Raising :class:`~hipthrust_cli.errors.Terminated` instead lets prompt_toolkit
    unwind; then the saved terminal settings are put back and the cursor shown, in case
    the signal arrived between prompts.
    """
    import signal

    saved = None
    fd = -1
    try:
        import termios
    except ImportError:  # pragma: no cover - no termios (Windows)
        termios = None  # type: ignore[assignment]
    if termios is not None:
        # The terminal may hang up between the two calls: then there is nothing to save.
        with suppress(OSError, ValueError, termios.error):
            if sys.stdin is not None and sys.stdin.isatty():
                fd = sys.stdin.fileno()
                saved = termios.tcgetattr(fd)

    def stop(signum: int, frame: Any) -> None:
        raise Terminated(signum, signal.Signals(signum).name)

    wanted = [getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n)]
    previous = {}
    for sig in wanted:
        with suppress(ValueError):  # only the main thread may set handlers (tests may not)
            previous[sig] = signal.signal(sig, stop)
    try:
        yield
    except Terminated:
        if saved is not None:
            import termios

            # A hang-up means the terminal may be gone: then there is nothing to restore
            # (termios.error is not an OSError).
            with suppress(OSError, termios.error):
                termios.tcsetattr(fd, termios.TCSANOW, saved)
        with suppress(OSError, ValueError, AttributeError):
            sys.stderr.write("\x1b[?25h")  # show the cursor again
            sys.stderr.flush()
        raise
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
