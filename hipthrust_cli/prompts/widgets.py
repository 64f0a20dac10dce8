"""questionary and prompt_toolkit, adjusted: keys, wrapping, plain ASCII, action rows.

Everything here imports questionary or prompt_toolkit inside the function that needs it,
so commands that never prompt never pay for them.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from hipthrust_cli.kb import Question
from hipthrust_cli.safetext import clean_line


def eof_on_ctrl_d(question: Any) -> Any:
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


def terminal_width() -> int:
    """Columns of the terminal the prompts are drawn on (stderr; stdout may be a file)."""
    import os
    import shutil

    try:
        columns = os.get_terminal_size(sys.stderr.fileno()).columns
    except (OSError, ValueError, AttributeError):
        columns = shutil.get_terminal_size(fallback=(80, 24)).columns
    return max(30, columns)


def wrap(label: str, indent: int) -> str:
    """Wrap a choice to the terminal: questionary cuts long choices off at the edge.

    The first choice of the screening list is a warning sign; it must never be cut.
    Continuation lines are indented to start under the label's first letter.
    """
    import textwrap

    lines = textwrap.wrap(clean_line(label), max(20, terminal_width() - indent - 1))
    return ("\n" + " " * indent).join(lines) if lines else ""


def key_hint(message: str, hint: str) -> str:
    """The key hint after the question, on a line of its own when it would not fit."""
    last = message.rsplit("\n", 1)[-1]
    # "? " before the message, a space between message and hint.
    fits = 2 + len(last) + 1 + len(hint) < terminal_width()
    if fits:
        return hint
    import textwrap

    # Wrapped at word boundaries: the terminal would cut "Enter confirms" in two.
    return "\n  " + "\n  ".join(textwrap.wrap(hint, max(20, terminal_width() - 3)))


def prompt_style() -> Any:
    """The colours of the prompts: cyan marks, dimmed hints."""
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


def plain(stream: TextIO) -> bool:
    """Whether to draw the lists in plain ASCII: TERM=dumb, or a terminal without "○"."""
    import os

    return os.environ.get("TERM") == "dumb" or not can_show(stream, "○●»")


def ascii_marks() -> None:
    """Tick boxes as "[ ]" and "[x]": questionary reads them from its module at draw time."""
    from questionary.prompts import common

    vars(common).update(INDICATOR_SELECTED="[x]", INDICATOR_UNSELECTED="[ ]")


def can_show(stream: TextIO, text: str) -> bool:
    """Whether *stream* can show *text* as it is (not on an ASCII-only terminal)."""
    try:
        text.encode(getattr(stream, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def list_control(prompt: Any) -> Any:
    """The questionary list control inside a prompt's layout."""
    from questionary.prompts.common import InquirerControl

    return next(
        c for c in prompt.application.layout.find_all_controls() if isinstance(c, InquirerControl)
    )


def type_a_number(prompt: Any, question: Question) -> None:
    """Let a scale be answered by typing: "4" points at 4, "1" then "0" at 10.

    Digits typed in a row make one number while it stays on the scale; a digit that
    would leave it starts a new number ("1", "4" points at 4). Arrow keys still work;
    Enter confirms what the pointer is on.
    """
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings

    assert question.min is not None and question.max is not None
    low, high = question.min, question.max
    control = list_control(prompt)
    typed: dict[str, Any] = {"digits": "", "at": None}
    bindings = KeyBindings()

    for digit in "0123456789":

        @bindings.add(digit, eager=True)
        def _(event: Any, digit: str = digit) -> None:
            # A move with the arrow keys since the last digit starts a new number.
            joined = typed["digits"] + digit if control.pointed_at == typed["at"] else digit
            if low <= int(joined) <= high and len(joined) <= len(str(high)):
                typed["digits"] = joined
            elif low <= int(digit) <= high:
                typed["digits"] = digit
            else:
                return
            for index, choice in enumerate(control.choices):
                if choice.value == int(typed["digits"]):
                    control.pointed_at = index
            typed["at"] = control.pointed_at

    app = prompt.application
    app.key_bindings = merge_key_bindings([app.key_bindings, bindings])


def actions_in_checklist(prompt: Any, actions: set[str]) -> None:
    """Rows such as "← Back" in a checklist: Enter on one chooses it; Space ticks nothing.

    questionary's checklist only ticks rows; these are actions. They are drawn without
    a tick box, and "a" (tick all) and "i" (invert) are off: ticking every warning sign
    and "None of these" at once is never what someone means.
    """
    from prompt_toolkit.filters import Condition
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
    from questionary.prompts import common

    control = list_control(prompt)
    bindings = KeyBindings()
    on_action = Condition(lambda: control.get_pointed_at().value in actions)

    @bindings.add("enter", eager=True, filter=on_action)
    def _(event: Any) -> None:
        control.is_answered = True
        event.app.exit(result=control.get_pointed_at().value)

    @bindings.add(" ", eager=True, filter=on_action)
    @bindings.add("a", eager=True)
    @bindings.add("i", eager=True)
    def _ignore(event: Any) -> None:
        """Nothing to tick here."""

    draw = control.text

    def without_boxes() -> Any:
        tokens = list(draw())
        row = 0
        for i, (style, text, *_) in enumerate(tokens):
            if text == "\n":
                row += 1
            elif (
                text == vars(common)["INDICATOR_UNSELECTED"] + " "
                and row < len(control.choices)
                and control.choices[row].value in actions
            ):
                tokens[i] = (style, " " * len(text))
        return tokens

    control.text = without_boxes
    app = prompt.application
    app.key_bindings = merge_key_bindings([app.key_bindings, bindings])
