"""Ask the interview's questions in the terminal with questionary, drawn on stderr.

This is the only module that imports questionary and prompt_toolkit, and it does so
inside functions, so commands that never prompt never pay for them. It decides nothing:
the order, ``when`` and stopping all come from :class:`~hipthrust_cli.interview.Interview`.

Ctrl-C raises ``KeyboardInterrupt`` and Ctrl-D raises ``EOFError``; the CLI turns both
into a one-line message and exit code 130.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, TextIO

from hipthrust_cli.errors import Terminated
from hipthrust_cli.interview import Interview
from hipthrust_cli.knowledge import NOT_SURE, Answer, Kind, Question
from hipthrust_cli.safetext import clean_line

SELECT_INDENT = 3  # " » " before a select choice
CHECKBOX_INDENT = 5  # " » ○ " before a checkbox choice
WHY = "__why__"
BACK = "__back__"
SHOW = "__show__"
CHANGE = "__change__"
MORE = "__more__"
NOW = "__now__"
REPORT_NOW = "Show my report now"


def _eof_on_ctrl_d(question: Any) -> Any:
    """Make Ctrl-D end the interview and Ctrl-Z suspend it, as in any shell program.

    prompt_toolkit ignores both in menus by default (the terminal is in raw mode, so
    Ctrl-Z never reaches the kernel as SIGTSTP); suspending restores the terminal and
    ``fg`` redraws the question.
    """
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings

    bindings = KeyBindings()

    @bindings.add("c-d", eager=True)
    def _(event: Any) -> None:
        event.app.exit(exception=EOFError, style="class:aborting")

    @bindings.add("c-z", eager=True)
    def _suspend(event: Any) -> None:
        event.app.suspend_to_background()

    app = question.application
    app.key_bindings = merge_key_bindings([app.key_bindings, bindings])
    return question


def _width() -> int:
    """Columns of the terminal the prompts are drawn on (stderr; stdout may be a file)."""
    import os
    import shutil

    try:
        columns = os.get_terminal_size(sys.stderr.fileno()).columns
    except (OSError, ValueError, AttributeError):
        columns = shutil.get_terminal_size(fallback=(80, 24)).columns
    return max(30, columns)


def _wrap(label: str, indent: int) -> str:
    """Wrap a choice to the terminal: questionary cuts long choices off at the edge.

    The first choice of the screening list is a warning sign; it must never be cut.
    Continuation lines are indented to start under the label's first letter.
    """
    import textwrap

    lines = textwrap.wrap(clean_line(label), max(20, _width() - indent - 1))
    return ("\n" + " " * indent).join(lines) if lines else ""


def _hint(message: str, hint: str) -> str:
    """The key hint after the question, on a line of its own when it would not fit."""
    last = message.rsplit("\n", 1)[-1]
    # "? " before the message, a space between message and hint.
    fits = 2 + len(last) + 1 + len(hint) < _width()
    return hint if fits else "\n  " + hint


def _style() -> Any:
    from questionary import Style

    return Style(
        [
            ("qmark", "fg:ansicyan bold"),
            ("question", "bold"),
            ("answer", "fg:ansicyan"),
            ("pointer", "fg:ansicyan bold"),
            ("highlighted", "fg:ansicyan bold"),
            ("instruction", "fg:ansibrightblack"),
        ]
    )


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
        io: dict[str, Any] = {"output": self.output, "style": _style()}
        if self.input is not None:
            io["input"] = self.input
        return io

    def say(self, text: str = "") -> None:
        """Write guidance on stderr, wrapped at word boundaries to the terminal's width."""
        import textwrap

        lines = []
        for line in text.split("\n"):
            indent = line[: len(line) - len(line.lstrip())]
            # A bullet's wrapped lines start under its text, not under the bullet.
            hanging = indent + "  " if line.lstrip().startswith("• ") else indent
            wrapped = textwrap.wrap(
                line.strip(),
                max(20, _width() - 1),
                initial_indent=indent,
                subsequent_indent=hanging,
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
    ) -> Answer | str:
        """Ask one question until it has an answer; "Why do we ask?" explains and re-asks.

        *default* is pre-selected (a previous answer); with *back*, a select prompt also
        offers "← Back", which returns :data:`BACK`; with *report_now* it offers "Show my
        report now", which returns :data:`NOW`.
        """
        import questionary

        # "? " comes before the message; wrap it so no word is broken at the edge.
        count = f"[{number}/{total}]" if total is not None else f"[{number}]"
        message = _wrap(f"{count} {question.text}", 2)
        if question.kind is Kind.multi:
            self.say(f"  ({clean_line(question.why)})")
            return self._ask_multi(question, message, default)
        choices: list[Any] = []
        if question.kind is Kind.scale:
            assert question.min is not None and question.max is not None
            for value in range(question.min, question.max + 1):
                label = str(value)
                if value == question.min and question.min_label:
                    label += f" – {clean_line(question.min_label)}"
                if value == question.max and question.max_label:
                    label += f" – {clean_line(question.max_label)}"
                choices.append(questionary.Choice(label, value=value))
        else:
            choices = [
                questionary.Choice(_wrap(c.label, SELECT_INDENT), value=c.id)
                for c in question.choices
            ]
        choices.append(questionary.Choice("Not sure", value=NOT_SURE))
        choices.append(questionary.Choice("Why do we ask this?", value=WHY))
        if back:
            choices.append(questionary.Choice("← Back", value=BACK))
        if report_now:
            choices.append(questionary.Choice(REPORT_NOW, value=NOW))
        selected = next((c for c in choices if c.value == default), None)
        while True:
            prompt = questionary.select(
                message,
                choices=choices,
                default=selected,
                instruction=_hint(message, "(arrow keys, Enter)"),
                **self._io(),
            )
            value = _eof_on_ctrl_d(prompt).unsafe_ask()
            if value != WHY:
                return value  # type: ignore[no-any-return]
            self.say(f"  Why we ask: {clean_line(question.why)}")

    def _ask_multi(self, question: Question, message: str, default: Answer | None) -> Answer:
        import questionary

        ticked = set(default) if isinstance(default, list) else {default}
        labels = {c.id: _wrap(c.label, CHECKBOX_INDENT) for c in question.choices}
        labels[NOT_SURE] = "Not sure"
        alone = {c.id for c in question.choices if c.exclusive} | {NOT_SURE}

        def validate(selected: list[str]) -> bool | str:
            if not selected:
                return "Tick at least one with Space (or 'None of these' / 'Not sure'), then Enter."
            lonely = [s for s in selected if s in alone]
            if lonely and len(selected) > 1:
                alone_label = " ".join(labels[lonely[0]].split())
                return f"'{alone_label}' cannot be combined with other choices."
            return True

        prompt = questionary.checkbox(
            message,
            choices=[
                questionary.Choice(label, value=cid, checked=cid in ticked)
                for cid, label in labels.items()
            ],
            validate=validate,
            instruction=_hint(message, "(Space to tick, Enter to confirm)"),
            **self._io(),
        )
        picked: list[str] = _eof_on_ctrl_d(prompt).unsafe_ask()
        return NOT_SURE if picked == [NOT_SURE] else picked

    def confirm_emergency(self, interview: Interview) -> bool:
        """Before stopping for an emergency, show what was reported; False means go back."""
        import questionary

        self.say("\nBefore we stop, please check. You told us:")
        for sign in interview.emergency_signs():
            self.say(f"  • {clean_line(sign)}")
        self.say("These need emergency help, so the questions stop here.")
        action = _eof_on_ctrl_d(
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

    def review(self, interview: Interview) -> str | None:
        """Show the answers; returns None for "Show my report", or a question id to change."""
        import questionary

        items = interview.review()
        self.say("\nYour answers:")
        for question, answer in items:
            self.say(f"  • {clean_line(question.text)} — {clean_line(question.label_of(answer))}")
        left = interview.not_asked()
        if left:
            self.say(
                f"\nNot asked ({len(left)}): your answers so far were unlikely to change "
                "the report. You can answer them too:"
            )
            for question in left:
                self.say(f"  • {clean_line(question.text)}")
        choices = [
            questionary.Choice("Show my report", value=SHOW),
            questionary.Choice("Change an answer", value=CHANGE),
        ]
        if left:
            choices.insert(1, questionary.Choice(f"Answer the {len(left)} more", value=MORE))
        action = _eof_on_ctrl_d(
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
            questionary.Choice(_short(f"{q.text} — {q.label_of(a)}"), value=q.id) for q, a in items
        ]
        choices.append(questionary.Choice("← Back to the list", value=BACK))
        picked = _eof_on_ctrl_d(
            questionary.select(
                "Which answer do you want to change?",
                choices=choices,
                instruction="(arrow keys, Enter)",
                **self._io(),
            )
        ).unsafe_ask()
        return None if picked is None else (CHANGE if picked == BACK else str(picked))


def _short(text: str, limit: int = 90) -> str:
    text = clean_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def run(
    interview: Interview,
    prompter: Prompter | None = None,
    defaults: dict[str, Answer] | None = None,
    review: bool = True,
) -> None:
    """Ask every question the interview still needs, then let the user review the answers.

    *defaults* (e.g. the last session's answers, for ``--again``) are pre-selected. An
    emergency answer ends the interview, also when it is given in the review, once the
    user has seen what they reported and confirmed it (or gone back to change it).
    """
    with _terminal_restored_on_signals():
        _run(interview, prompter or Prompter(), dict(defaults or {}), review)


@contextmanager
def _terminal_restored_on_signals() -> Iterator[None]:
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

        if sys.stdin is not None and sys.stdin.isatty():
            fd = sys.stdin.fileno()
            saved = termios.tcgetattr(fd)
    except (ImportError, OSError, ValueError):  # pragma: no cover - no termios (Windows)
        saved = None

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

            with suppress(OSError):
                termios.tcsetattr(fd, termios.TCSANOW, saved)
        with suppress(OSError, ValueError, AttributeError):
            sys.stderr.write("\x1b[?25h")  # show the cursor again
            sys.stderr.flush()
        raise
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run(
    interview: Interview, prompter: Prompter, defaults: dict[str, Answer], review: bool
) -> None:
    first = interview.next_question()
    if first is None:
        return
    prompter.say(
        "hipthrust: a quick safety check, then short questions about your hip thrust, "
        "only as many as it takes. Choose 'Not sure' whenever you don't know. Ctrl-C "
        "stops at any time."
    )
    section: bool | None = None
    last_shown: Question | None = None
    while True:
        question = interview.next_question()
        if question is None:
            if interview.emergency or interview.stopped or not review or not interview.asked:
                break
            choice = prompter.review(interview)
            if choice is None:
                break
            if choice == MORE:
                interview.ask_more()
                continue
            if choice != CHANGE:
                previous = interview.reopen(choice)
                if previous is not None:
                    defaults[choice] = previous
            continue
        if question.red_flag is not section:
            section = question.red_flag
            prompter.say(
                "\nFirst, a quick safety check." if section else "\nNow, about your hip thrust."
            )
        if question.group == "self_test" and (
            last_shown is None or last_shown.group != "self_test"
        ):
            prompter.say(
                "\nA quick test you can do now (it would change the result; choose "
                "'Not sure' to skip it):"
            )
        last_shown = question
        number, total = interview.progress(question)
        value = prompter.ask(
            question,
            number,
            total,
            default=defaults.get(question.id),
            back=interview.can_go_back(question),
            report_now=not interview.is_safety(question),
        )
        if value == BACK:
            defaults.update(interview.back(question))
            continue
        if value == NOW:
            interview.stop()
            continue
        interview.record(question, value)
        if interview.emergency and not prompter.confirm_emergency(interview):
            # A mis-tick must not end the session: ask the same question again.
            previous = interview.reopen(question.id)
            if previous is not None:
                defaults[question.id] = previous
    if interview.emergency:
        prompter.say("\nStopping here: one of your answers needs medical attention first.\n")
