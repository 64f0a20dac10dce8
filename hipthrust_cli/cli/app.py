"""The ``hipthrust`` app: its root command, help screens and one-line usage errors.

The commands register themselves on :data:`app` from their own modules (the list is in
``hipthrust_cli/cli/__init__.py``); each runs inside the exception funnel
(:mod:`hipthrust_cli.cli.funnel`), which is where failures become exit codes.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from hipthrust_cli import errors
from hipthrust_cli.cli.common import echo
from hipthrust_cli.cli.funnel import Typer, error, internal_error, quiet_stdout, say, version
from hipthrust_cli.safetext import clean_line

# --- usage errors and help screens ---------------------------------------------------------


# Typer's (pydantic's) wording for a bad value, and what a person would rather read.
_LIBRARY_WORDS = (
    ("Value error, ", ""),
    ("Input should be a valid integer, unable to parse string as an integer", "not a whole number"),
    ("Input should be a valid integer", "not a whole number"),
    ("Input should be ", "should be "),
)


def _usage_line(exc: Exception) -> str:
    """One plain sentence for a Typer/Click usage error, with where to look next."""
    message = " ".join(str(getattr(exc, "format_message", lambda: str(exc))()).split())
    for library, plain in _LIBRARY_WORDS:
        message = message.replace(library, plain)
    if not message.endswith(("?", "!")):
        message = message.rstrip(".") + "."
    ctx = getattr(exc, "ctx", None)
    path = getattr(ctx, "command_path", "") or "hipthrust"
    return f"{clean_line(message)} Try '{clean_line(path)} --help'."


def _is_usage_error(exc: Exception) -> bool:
    # Typer vendors Click privately since 0.29 and exports only BadParameter, so a usage
    # error is recognised by what Click gives every one: an exit code and a message.
    return isinstance(getattr(exc, "exit_code", None), int) and hasattr(exc, "format_message")


def examples(*lines: str) -> str:
    """A help screen's closing "Examples:" block, kept line by line (Click's no-rewrap mark)."""
    return "Examples:\n\n\b\n" + "\n".join(f"  {line}" for line in lines)


def _tidy(command: Any) -> None:
    """Name every value the same way: --goal GOAL, NUMBER, [KIND], [COMMAND]...

    Typer 0.29 shows ``NUMBER <int>`` in the help and ``{number}`` in the usage line; the
    plain help screens (``rich_markup_mode=None``) already show no ``<bool>`` after flags.
    """
    for param in command.params:
        if param.param_type_name == "option" and not param.is_flag and param.metavar is None:
            param.metavar = (param.name or "value").upper()  # --goal GOAL, not --goal <str>
        elif param.param_type_name == "argument":
            name = (param.metavar or param.name or "").strip("[]. ").upper()
            shown = (name if param.required else f"[{name}]") + ("..." if param.nargs != 1 else "")
            param.metavar = name
            # Typer reads these two per parameter; set on the instance, not the class.
            param.display_type_rich = lambda ctx: None
            param._usage_display_name = lambda shown=shown: shown
    for sub in getattr(command, "commands", {}).values():
        _tidy(sub)


class _Group(TyperGroup):
    """The root command: Typer's parsing, hipthrust's one-line usage errors."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        _tidy(self)
        try:
            code = super().main(
                args=args,
                prog_name=prog_name,
                complete_var=complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        except typer.Abort:
            say("\nStopped. Nothing was changed.")
            code = errors.EXIT_INTERRUPTED
        except Exception as exc:
            if not _is_usage_error(exc):
                raise
            if type(exc).__name__ == "NoArgsIsHelpError":  # bare 'hipthrust': the help
                echo(str(exc.format_message()))  # type: ignore[attr-defined]
            else:
                error(_usage_line(exc))
            code = int(exc.exit_code)  # type: ignore[attr-defined]
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else errors.EXIT_OK)


def _version_callback(value: bool) -> None:
    if value:
        echo(f"hipthrust {version()}")
        raise typer.Exit()


def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            callback=_version_callback,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    """Find out why you feel hip thrusts in your lower back, and what to change.

    Start with: hipthrust diagnose
    """


app = Typer(
    name="hipthrust",
    help=(
        "Feel hip thrusts in your lower back? hipthrust asks a few questions, screens for "
        "warning signs, explains the likely causes and gives you a checklist of fixes."
    ),
    epilog=examples("hipthrust diagnose", "hipthrust help diagnose", "hipthrust variations"),
    cls=_Group,
    # Outside the funnel: the root has no body, and until a command starts, Ctrl-C
    # keeps ending start-up with its one line (see _entry).
    callback=_root,
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help screens: no boxes (they break under TERM=dumb), no Rich import for help.
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def _prune_groups(argv: Sequence[str]) -> None:
    """Leave out the command groups this invocation cannot reach.

    Typer builds a parser for every command on every run; the ``kb`` and ``history``
    groups cost 2.6 ms of that (benchmarks/README.md). When the first argument is one of
    the plain commands, they are not needed. Help, no command, or anything unrecognised
    keeps the whole tree, so listings and "did you mean" stay complete.
    """
    plain = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    plain.discard("help")  # 'help history' needs the groups
    first = next((a for a in argv if not a.startswith("-")), None)
    if first in plain and not {"-h", "--help"} & set(argv):
        app.registered_groups = []


def main() -> None:
    """Entry point of the ``hipthrust`` command."""
    try:
        _prune_groups(sys.argv[1:])
        app(prog_name="hipthrust")
    except KeyboardInterrupt:
        say("\nStopped (Ctrl-C). Nothing was saved.\n")
        sys.exit(errors.EXIT_INTERRUPTED)
    except BrokenPipeError:
        quiet_stdout()
        sys.exit(errors.EXIT_OK)
    except Exception as exc:
        sys.exit(internal_error(exc))
