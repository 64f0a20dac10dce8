"""``hipthrust history``: list past diagnoses, show one again, export or clear them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hipthrust_cli.cli import common
from hipthrust_cli.cli.app import app, examples
from hipthrust_cli.cli.common import FormatOption, OutputOption, ScreeningOption
from hipthrust_cli.cli.funnel import Typer, say
from hipthrust_cli.errors import UsageError
from hipthrust_cli.safetext import clean_line
from hipthrust_cli.views import formats

if TYPE_CHECKING:  # pragma: no cover - types only; importing them would slow start-up
    from hipthrust_cli.history import History
    from hipthrust_cli.history import Session as Saved

history_app = Typer(
    name="history",
    help="Your past diagnoses: list them, show one again, export or clear them.",
    epilog=examples(
        "hipthrust history", "hipthrust history show 2", "hipthrust history export all.json"
    ),
    invoke_without_command=True,
)
app.add_typer(history_app)


@history_app.callback()
def history_list(
    ctx: typer.Context,
    fmt: FormatOption = "rich",
) -> None:
    """List past sessions (date, triage, top cause, pain) with a pain sparkline.

    Everything stays on this machine, in the user data folder (HIPTHRUST_DATA_DIR
    overrides it). 'hipthrust history clear' deletes it.
    """
    if ctx.invoked_subcommand is not None:
        return
    store = common.history()
    sessions = _sessions(store)
    rows = [
        {
            "number": s.id,
            "date": s.created,
            "triage": s.triage,
            "top_cause": s.top_cause,
            "pain": s.pain,
            "causes": len(s.findings),
            "kb_version": s.kb_version,
        }
        for s in sessions
    ]
    if not sessions and not formats.get(fmt).machine:
        say("No sessions yet: run 'hipthrust diagnose' to start your history.\n")
        return
    common.emit(lambda out: common.view(fmt).history(rows, out))


def _moved_aside(store: History) -> None:
    from hipthrust_cli.session import moved_aside

    common.notify(moved_aside(store))


def _sessions(store: History | None) -> list[Saved]:
    from hipthrust_cli.history import HistoryError

    if store is None:
        return []
    try:
        sessions = store.sessions()
    except HistoryError as exc:
        raise UsageError(f"Cannot read your history: {exc}.") from None
    _moved_aside(store)
    return sessions


@history_app.command(
    "show",
    epilog=examples("hipthrust history show 3", "hipthrust history show 3 -o session-3.html"),
)
def history_show(
    number: Annotated[int, typer.Argument(help="The session number, from 'hipthrust history'.")],
    fmt: FormatOption = "rich",
    output: OutputOption = None,
    include_screening: ScreeningOption = False,
) -> None:
    """Show a past report again, exactly as it was."""
    from hipthrust_cli.session import dated

    target = common.one_output(output)
    sessions = _sessions(common.history())
    session = next((s for s in sessions if s.id == number), None)
    if session is None:
        known = (
            f"sessions are numbered {sessions[0].id} to {sessions[-1].id}"
            if sessions
            else ("there are no sessions yet")
        )
        raise UsageError(f"There is no session {number}; {known} ('hipthrust history' lists them).")
    try:
        report = dated(session.report, session.created)
    except (KeyError, TypeError, ValueError):
        raise UsageError(
            f"Session {number} cannot be shown: its saved report is damaged."
        ) from None
    # JSON shows it exactly as saved: an older report keeps its scores, no fields are added.
    common.show(report, fmt, include_screening, saved=session.saved)
    if target is not None:
        common.write_report(report, target, include_screening)


@history_app.command(
    "clear", epilog=examples("hipthrust history clear", "hipthrust history clear --yes")
)
def history_clear(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete every saved session (asks first)."""
    store = common.history()
    count = len(_sessions(store))
    if store is None or count == 0:
        say("Your history is already empty.\n")
        return
    if not yes:
        if not common.stdin_is_terminal():
            raise UsageError(
                f"Refusing to delete {count} sessions without confirmation; add --yes."
            )
        if not typer.confirm(f"Delete all {count} saved sessions?", default=False, err=True):
            say("Nothing was deleted.\n")
            return
    from hipthrust_cli.history import HistoryError

    try:
        store.clear()
    except HistoryError as exc:
        raise UsageError(f"Could not clear your history: {exc}.") from None
    say(f"Deleted {count} session{'s' * (count != 1)}.\n")


@history_app.command("export", epilog=examples("hipthrust history export sessions.json"))
def history_export(
    file: Annotated[
        Path, typer.Argument(help="Where to write every session, as JSON (- for stdout).")
    ],
) -> None:
    """Write every saved session (answers and full report) to a JSON file (private: 0600)."""
    import json

    from hipthrust_cli import paths

    if str(file) != "-":
        paths.check_target(file)  # before reading anything

    sessions = _sessions(common.history())
    data = {
        "version": 1,
        "sessions": [
            {
                "number": s.id,
                "date": s.created,
                "kb_version": s.kb_version,
                "triage": s.triage,
                "pain": s.pain,
                "answers": s.answers,
                "report": s.saved,
            }
            for s in sessions
        ],
    }
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if str(file) == "-":
        common.echo(text)
        return
    common.write_atomically(file, text)
    say(
        f"Exported {len(sessions)} session{'s' * (len(sessions) != 1)} to {clean_line(str(file))}\n"
    )
