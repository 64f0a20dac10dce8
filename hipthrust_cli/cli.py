"""The ``hipthrust`` command line: commands and options, and the mapping of errors to exits.

Each command loads the knowledge base, calls the core, and hands the result to a view.
All failures pass through :func:`_guard`, which prints one sentence on stderr and exits
with the documented code: 2 bad usage or answers, 3 invalid knowledge base, 130
interrupted, 1 unexpected (with the details written to a log file).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO, TypeVar

import typer
from typer.core import TyperGroup

from hipthrust_cli import errors

# pydantic looks for plugins in every installed package's entry points the first time a
# model is built (about 10 ms); hipthrust uses none.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
from hipthrust_cli.errors import HipthrustError, UsageError
from hipthrust_cli.paths import TargetError
from hipthrust_cli.safetext import clean_line, quote
from hipthrust_cli.views import formats

if TYPE_CHECKING:  # pragma: no cover - types only; importing them would slow start-up
    from hipthrust_cli.history import History
    from hipthrust_cli.history import Session as Saved
    from hipthrust_cli.kb import Answer, KnowledgeBase, Variation
    from hipthrust_cli.session import Notice
    from hipthrust_cli.video.analysis import VideoAnswer
    from hipthrust_cli.views.formats import View

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


def _examples(*lines: str) -> str:
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
            _say("\nStopped. Nothing was changed.")
            code = errors.EXIT_INTERRUPTED
        except Exception as exc:
            if not _is_usage_error(exc):
                raise
            if type(exc).__name__ == "NoArgsIsHelpError":  # bare 'hipthrust': the help
                _print(str(exc.format_message()))  # type: ignore[attr-defined]
            else:
                _error(_usage_line(exc))
            code = int(exc.exit_code)  # type: ignore[attr-defined]
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else errors.EXIT_OK)


app = typer.Typer(
    name="hipthrust",
    help=(
        "Feel hip thrusts in your lower back? hipthrust asks a few questions, screens for "
        "warning signs, explains the likely causes and gives you a checklist of fixes."
    ),
    epilog=_examples("hipthrust diagnose", "hipthrust help diagnose", "hipthrust variations"),
    cls=_Group,
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help screens: no boxes (they break under TERM=dumb), no Rich import for help.
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def _format_name(value: str) -> str:
    """A --format value: one of the registered formats' names (any case)."""
    if value.casefold() in formats.NAMES:
        return value.casefold()
    raise typer.BadParameter(f"{value!r} is not one of {', '.join(map(repr, formats.NAMES))}.")


KbOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--kb",
        metavar="DIR",
        help="Extra knowledge-base folder layered over the shipped one (repeatable). "
        "HIPTHRUST_KB does the same.",
    ),
]
FormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        parser=_format_name,
        help=formats.help_text(),
    ),
]

F = TypeVar("F", bound=Callable[..., Any])


# --- errors --------------------------------------------------------------------------------


def _color(stream: Any) -> bool:
    return (
        not os.environ.get("NO_COLOR")
        and os.environ.get("TERM") != "dumb"
        and hasattr(stream, "isatty")
        and stream.isatty()
    )


def _error(message: str) -> None:
    if sys.stderr is None:  # stderr closed: the exit code is all we can give
        return
    prefix = "\x1b[1;31mError:\x1b[0m " if _color(sys.stderr) else "Error: "
    try:
        sys.stderr.write(prefix + message + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _say(text: str) -> None:
    """A line for the user on stderr (notes, confirmations); never fails."""
    if sys.stderr is None:
        return
    try:
        sys.stderr.write(text if text.endswith("\n") else text + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _internal_error(exc: BaseException) -> int:
    import datetime
    import traceback

    if os.environ.get("HIPTHRUST_DEBUG") == "1":
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
        return errors.EXIT_INTERNAL
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    where = "nowhere (the log could not be written)"
    # Only inside the user's own private data folder: the log holds the command line,
    # which can hold answers, and a shared temp folder can be pre-created by anyone.
    try:
        from hipthrust_cli import paths

        folder = paths.data_dir()
        paths.make_private_dir(folder, narrow=paths.is_own_data_dir(folder))
        path = folder / f"hipthrust-error-{stamp}.log"
        paths.write_private_new(path, f"hipthrust {_version()}\n{' '.join(sys.argv)}\n\n{details}")
        where = clean_line(str(path))
    except Exception:
        pass
    _error(
        f"hipthrust hit an unexpected problem ({type(exc).__name__}); this is a bug. "
        f"Details were written to {where}."
    )
    return errors.EXIT_INTERNAL


def _quiet_stdout() -> None:
    """After the reader of our stdout went away, send the rest nowhere, silently."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


_OUTPUT_ERRNOS = {5, 9, 28, 122}  # EIO, EBADF, ENOSPC, EDQUOT


def _guard(func: F) -> F:
    """Run a command so every failure becomes one clear line and its exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from hipthrust_cli._entry import ctrl_c_raises

        ctrl_c_raises()  # start-up is over: Ctrl-C now stops the command (see _entry)
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except typer.Abort:  # Click's prompts turn Ctrl-C and Ctrl-D into Abort
            _say("\nStopped. Nothing was changed.")
            raise typer.Exit(errors.EXIT_INTERRUPTED) from None
        except HipthrustError as exc:
            _error(clean_line(exc.message))
            raise typer.Exit(exc.exit_code) from None
        except TargetError as exc:
            _error(f"Cannot write {quote(exc.path)}: {clean_line(exc.reason)}.")
            raise typer.Exit(errors.EXIT_USAGE) from None
        except errors.Terminated as exc:
            _say(f"\nStopped ({exc.name}). Nothing was saved.")
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            _say("\nStopped (Ctrl-C). Nothing was saved.")
            raise typer.Exit(errors.EXIT_INTERRUPTED) from None
        except EOFError:
            _say("\nInput ended (Ctrl-D), so the interview stopped. Nothing was saved.")
            raise typer.Exit(errors.EXIT_INTERRUPTED) from None
        except BrokenPipeError:
            _quiet_stdout()
            raise typer.Exit(errors.EXIT_OK) from None
        except OSError as exc:
            if exc.errno not in _OUTPUT_ERRNOS:
                raise typer.Exit(_internal_error(exc)) from None
            # Output that could not be written (a full disk, a closed or failing stdout).
            _error(f"Cannot write the output ({exc.strerror or exc}); send it somewhere else.")
            raise typer.Exit(errors.EXIT_USAGE) from None
        except Exception as exc:
            raise typer.Exit(_internal_error(exc)) from None

    return wrapper  # type: ignore[return-value]


# --- helpers -------------------------------------------------------------------------------


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("hipthrust")
    except PackageNotFoundError:
        return "unknown (not installed)"


UNSAFE_ENV = "HIPTHRUST_ALLOW_UNSAFE_KB"


def _load(kb_dirs: Sequence[Path] | None, allow_unsafe: bool = False) -> KnowledgeBase:
    from hipthrust_cli import paths
    from hipthrust_cli.kb import loading

    # The safety guard can only be switched off from the command line or the environment,
    # never from a knowledge-base file, which an overlay could carry.
    allow = allow_unsafe or os.environ.get(UNSAFE_ENV, "").strip().lower() in ("1", "true", "yes")
    return loading.load(
        loading.overlay_dirs(kb_dirs or (), os.environ),
        cache_dir=paths.cache_dir(),
        allow_unsafe=allow,
    )


def _stdin_is_terminal() -> bool:
    return bool(sys.stdin) and sys.stdin.isatty()


def _print(text: str) -> None:
    with _stdout():
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()


class _stdout:
    """Writing to stdout: a full disk or a closed stdout is a sentence, not a bug.

    A reader that went away (BrokenPipeError) is left to the funnel, which exits 0.
    """

    def __enter__(self) -> None:
        if sys.stdout is None:
            raise UsageError(
                "Cannot write to standard output: it is closed. Run the command with its "
                "output going somewhere (a terminal, a file or a pipe)."
            )

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError):
            import errno

            why = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
            raise UsageError(
                f"Cannot write to standard output ({why}); send the output somewhere else."
            ) from None


def _version_callback(value: bool) -> None:
    if value:
        _print(f"hipthrust {_version()}")
        raise typer.Exit()


@app.callback()
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


# --- commands ------------------------------------------------------------------------------


@app.command(
    epilog=_examples(
        "hipthrust diagnose",
        "hipthrust diagnose --again",
        "hipthrust diagnose --answer pain_level=4 --format json",
        "hipthrust diagnose --answers my-answers.yaml -o report.html",
    )
)
@_guard
def diagnose(
    answers_file: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            "-a",
            metavar="FILE",
            help="YAML file of answers (question id: answer), or - for stdin. "
            "See 'hipthrust questions'.",
        ),
    ] = None,
    answer: Annotated[
        list[str] | None,
        typer.Option(
            "--answer",
            metavar="QID=VALUE",
            help="Answer one question, e.g. pain_level=4 or where_felt=lower_back,glutes. "
            "Repeatable; overrides the file.",
        ),
    ] = None,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never prompt; unanswered questions stay unanswered.")
    ] = False,
    thorough: Annotated[
        bool,
        typer.Option(
            "--thorough",
            help="Ask every question that applies, not only those that could change the report.",
        ),
    ] = False,
    fmt: FormatOption = "rich",
    kb_dirs: KbOption = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also say which given answers were ignored.")
    ] = False,
    again: Annotated[
        bool,
        typer.Option(
            "--again",
            help="Start from your last session's answers: the warning signs and the "
            "pain are asked fresh, then the review lists the rest to change (used as "
            "answers with --no-input or without a terminal, with the warning signs and "
            "pain left unanswered).",
        ),
    ] = False,
    output: Annotated[
        list[Path] | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Also write the report to FILE: Markdown (.md) or a self-contained web "
            "page (.html) to share with a coach; - writes it to stdout in the --format "
            "format instead.",
        ),
    ] = None,
    no_history: Annotated[
        bool, typer.Option("--no-history", help="Do not save this diagnosis in your history.")
    ] = False,
    allow_unsafe_kb: Annotated[
        bool,
        typer.Option(
            "--allow-unsafe-kb",
            help="Use --kb overlays even if they remove or lower shipped emergency or "
            "same-day warning signs; the report then says so. HIPTHRUST_ALLOW_UNSAFE_KB=1 "
            "does the same.",
        ),
    ] = False,
    include_screening: Annotated[
        bool,
        typer.Option(
            "--include-screening",
            help="Also list your answers to the warning-sign questions in a Markdown or "
            "HTML report (left out by default; the triage result is always there).",
        ),
    ] = False,
    video: Annotated[
        Path | None,
        typer.Option(
            "--video",
            metavar="VIDEO",
            help="A side-view video of a set: what it measures with confidence is "
            "answered for you (see 'hipthrust analyze'). Needs hipthrust[video].",
        ),
    ] = None,
) -> None:
    """Answer a few questions and get a report: warning signs, likely causes, fixes.

    The questions go to stderr and the report to stdout, so you can pipe the report or
    save it to a file.
    """
    from hipthrust_cli import session as one_run
    from hipthrust_cli.core.answers import parse_options

    target = _one_output(output)  # a bad -o fails before any question is asked
    kb = _load(kb_dirs, allow_unsafe_kb)
    from_file = one_run.read_answers_file(answers_file, kb) if answers_file else {}
    from_options = parse_options(answer or [], kb)
    measured = _video_answers(video, kb, {**from_file, **from_options}) if video else {}
    request = one_run.Request(
        from_file=from_file,
        from_options=from_options,
        measured=measured,
        answers_given=answers_file is not None or bool(answer),
        stdin_is_terminal=_stdin_is_terminal() and str(answers_file) != "-",
        no_input=no_input,
        thorough=thorough,
        again=again,
        no_history=no_history,
        verbose=verbose,
    )
    run = one_run.Diagnose(kb, request, _history() if one_run.uses_history(request) else None)
    run.start()
    _notify(run.take_notices())
    if run.needs_asking():
        from hipthrust_cli import prompts

        with prompts.terminal_restored_on_signals():
            run.ask(prompts.Prompter())
    report, saved = run.finish()
    _notify(run.take_notices())
    hint = (
        f" The diagnosis is saved as session {saved}; 'hipthrust history show {saved}' "
        "shows it again (add -o FILE to write it)."
        if saved is not None
        else ""
    )
    try:
        _show(report, fmt, include_screening)
    except UsageError as exc:  # stdout closed or full
        raise UsageError(exc.message + hint) from None
    if target is not None:
        try:
            _write_report(report, target, include_screening)
        except TargetError as exc:
            raise UsageError(
                f"Cannot write {quote(exc.path)}: {clean_line(exc.reason)}.{hint}"
            ) from None
    if saved is not None:
        _notify([one_run.saved_notice(saved, "—" if _can_say("—") else "-")])


def _notify(notices: Sequence[Notice]) -> None:
    """Show what a run has to say, on stderr: warnings marked as such."""
    for notice in notices:
        (_warn if notice.warning else _say)(notice.text)


def _can_say(text: str) -> bool:
    """Whether stderr can show *text* as it is (not on an ASCII-only terminal)."""
    try:
        text.encode(getattr(sys.stderr, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _show(report: Any, fmt: str, include_screening: bool = False, saved: Any = None) -> None:
    _emit(lambda out: _view(fmt).report(report, out, include_screening, saved))


def _view(fmt: str) -> View:
    """The view of the --format *fmt*."""
    return formats.get(fmt).view()


def _emit(draw: Callable[[TextIO], None]) -> None:
    """Run *draw* on stdout: a closed or full stdout is a sentence (see :class:`_stdout`)."""
    with _stdout():
        draw(sys.stdout)
        sys.stdout.flush()


def _one_output(output: Sequence[Path] | None) -> Path | None:
    """The one ``-o`` target (None for none, or for ``-``: stdout), checked now.

    Checked before any question is asked, so a wrong name, a missing or unwritable
    folder, or a target that is not a plain file never costs an interview.
    """
    if not output:
        return None
    if len(output) > 1:
        raise UsageError(
            f"-o/--output was given {len(output)} times "
            f"({', '.join(quote(p) for p in output)}); give it once."
        )
    if str(output[0]) == "-":
        return None  # the report goes to stdout, as without -o, in the --format format
    _output_format(output[0])
    return output[0]


def _output_format(path: Path) -> formats.OutputFormat:
    """The format to write *path* in; checked before any question is asked."""
    from hipthrust_cli import paths

    paths.check_target(path)
    found = formats.for_suffix(path.suffix)
    if found is None:
        raise UsageError(
            f"Cannot tell the format of {quote(path)} from its name; end it in "
            f"{formats.file_endings()}."
        )
    return found


def _write_report(report: Any, path: Path, include_screening: bool = False) -> None:
    import io

    text = io.StringIO()
    _output_format(path).view().report(report, text, include_screening)
    _write_atomically(path, text.getvalue())
    _say(f"Report written to {clean_line(str(path))}")


# --- video ---------------------------------------------------------------------------------


class VideoFormat(str, Enum):
    """Output formats of a video analysis."""

    rich = "rich"
    json = "json"


def _analyze_video(path: Path, annotate: Path | None = None) -> Any:
    """Read *path* with the pose model (progress on stderr) and analyse it."""
    from hipthrust_cli.video import analysis, pose, rules
    from hipthrust_cli.views.terminal.video import frame_progress

    hint = pose.missing()
    if hint:
        raise UsageError(hint)
    if annotate is not None:
        if annotate.suffix.lower() != ".png":
            raise UsageError(f"Cannot write {quote(annotate)}: give a file name ending in .png.")
        if not annotate.parent.is_dir():
            raise UsageError(
                f"Cannot write {quote(annotate)}: the folder {quote(annotate.parent)} does "
                "not exist."
            )
    settings = rules.load()
    with pose.quiet_native_logs() as terminal:
        bar = frame_progress(terminal, f"Reading {path.name}")
        try:
            clip = pose.read(path, bar)
        finally:
            bar.stop()
        result = analysis.analyze(clip, settings)
        if annotate is not None:
            if pose.annotate(path, clip, result, annotate):
                terminal.write(f"Annotated picture written to {clean_line(str(annotate))}\n")
            else:
                terminal.write("No complete rep was found, so no picture was written.\n")
    return result


def _video_answers(
    path: Path, kb: KnowledgeBase, given: Mapping[str, Answer]
) -> dict[str, VideoAnswer]:
    """The answers a video measured with confidence, for questions not answered otherwise."""
    from hipthrust_cli.session import measured_answers

    result = _analyze_video(path)
    for warning in result.warnings:
        _warn(warning)
    kept, notices = measured_answers(kb, result.answers, given)
    _notify(notices)
    return kept


@app.command(
    epilog=_examples(
        "hipthrust analyze my-set.mp4",
        "hipthrust analyze my-set.mp4 --annotate top.png",
        "hipthrust diagnose --video my-set.mp4",
    )
)
@_guard
def analyze(
    video: Annotated[Path, typer.Argument(help="A side-view video of a set.")],
    fmt: Annotated[
        VideoFormat,
        typer.Option("--format", "-f", case_sensitive=False, help="How to print: rich or json."),
    ] = VideoFormat.rich,
    annotate: Annotated[
        Path | None,
        typer.Option(
            "--annotate",
            metavar="OUT.png",
            help="Also write the top of the most typical rep, with the skeleton and the "
            "measured angles drawn on it, as a PNG.",
        ),
    ] = None,
    kb_dirs: KbOption = None,
) -> None:
    """Measure a hip thrust from a side-view video: reps, tempo, hip and shin angles.

    Filming: phone at hip height, side on, in landscape, whole body and bench in frame, 2-3 reps.

    Needs the video extra: pip install 'hipthrust[video]'. What it measures with
    confidence answers questions for you in: hipthrust diagnose --video VIDEO
    """
    from hipthrust_cli.core.report import DISCLAIMER
    from hipthrust_cli.video.analysis import report_dict

    kb = _load(kb_dirs)
    result = _analyze_video(video, annotate)
    if fmt is VideoFormat.json:
        from hipthrust_cli.views.json import to_json

        _print(to_json(report_dict(result, str(video))))
    else:
        from hipthrust_cli.views.terminal.video import print_analysis

        print_analysis(result, kb, str(video), sys.stdout, DISCLAIMER)


# --- history -------------------------------------------------------------------------------


def _history() -> History | None:
    from hipthrust_cli import history, paths

    try:
        return history.History(paths.data_dir())
    except Exception:  # no home folder, unusable platform folder: run without history
        return None


def _warn(message: str) -> None:
    prefix = "\x1b[33mWarning:\x1b[0m " if sys.stderr and _color(sys.stderr) else "Warning: "
    _say(prefix + clean_line(message))


def _moved_aside(store: History) -> None:
    from hipthrust_cli.session import moved_aside

    _notify(moved_aside(store))


history_app = typer.Typer(
    name="history",
    help="Your past diagnoses: list them, show one again, export or clear them.",
    epilog=_examples(
        "hipthrust history", "hipthrust history show 2", "hipthrust history export all.json"
    ),
    invoke_without_command=True,
)
app.add_typer(history_app)


@history_app.callback()
@_guard
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
    store = _history()
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
        _say("No sessions yet: run 'hipthrust diagnose' to start your history.\n")
        return
    _emit(lambda out: _view(fmt).history(rows, out))


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
    epilog=_examples("hipthrust history show 3", "hipthrust history show 3 -o session-3.html"),
)
@_guard
def history_show(
    number: Annotated[int, typer.Argument(help="The session number, from 'hipthrust history'.")],
    fmt: FormatOption = "rich",
    output: Annotated[
        list[Path] | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Also write it to FILE (.md or .html); - writes it to stdout instead.",
        ),
    ] = None,
    include_screening: Annotated[
        bool,
        typer.Option(
            "--include-screening",
            help="Also list the answers to the warning-sign questions in Markdown or HTML.",
        ),
    ] = False,
) -> None:
    """Show a past report again, exactly as it was."""
    from hipthrust_cli.session import dated

    target = _one_output(output)
    sessions = _sessions(_history())
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
    _show(report, fmt, include_screening, saved=session.saved)
    if target is not None:
        _write_report(report, target, include_screening)


@history_app.command(
    "clear", epilog=_examples("hipthrust history clear", "hipthrust history clear --yes")
)
@_guard
def history_clear(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete every saved session (asks first)."""
    store = _history()
    count = len(_sessions(store))
    if store is None or count == 0:
        _say("Your history is already empty.\n")
        return
    if not yes:
        if not _stdin_is_terminal():
            raise UsageError(
                f"Refusing to delete {count} sessions without confirmation; add --yes."
            )
        if not typer.confirm(f"Delete all {count} saved sessions?", default=False, err=True):
            _say("Nothing was deleted.\n")
            return
    from hipthrust_cli.history import HistoryError

    try:
        store.clear()
    except HistoryError as exc:
        raise UsageError(f"Could not clear your history: {exc}.") from None
    _say(f"Deleted {count} session{'s' * (count != 1)}.\n")


@history_app.command("export", epilog=_examples("hipthrust history export sessions.json"))
@_guard
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

    sessions = _sessions(_history())
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
        _print(text)
        return
    _write_atomically(file, text)
    _say(
        f"Exported {len(sessions)} session{'s' * (len(sessions) != 1)} to {clean_line(str(file))}\n"
    )


def _find_variation(kb: KnowledgeBase, name: str) -> tuple[Variation, str | None]:
    """The variation *name* means, with a note when it was a close match; else exit 2."""
    from hipthrust_cli.core import variations

    search = variations.find(kb.variations, name)
    if search.found is not None:
        return search.found, search.note
    if search.candidates:
        raise UsageError(
            f"There is no variation called {quote(name)}; did you mean "
            f"{' or '.join(quote(n) for n in search.candidates)}?"
        )
    raise UsageError(
        f"There is no variation called {quote(name)}; run 'hipthrust variations' to see them all."
    )


@app.command(
    epilog=_examples(
        "hipthrust variations",
        "hipthrust variations 'single leg'",
        "hipthrust variations --goal endurance --equipment band",
    )
)
@_guard
def variations(
    name: Annotated[
        str | None, typer.Argument(help="Show one variation in detail, e.g. 'single leg'.")
    ] = None,
    goal: Annotated[str | None, typer.Option(help="Filter by goal, e.g. mass, endurance.")] = None,
    muscle: Annotated[str | None, typer.Option(help="Filter by target muscle, e.g. core.")] = None,
    equipment: Annotated[
        str | None, typer.Option(help="Filter by equipment, e.g. dumbbell, bodyweight.")
    ] = None,
    level: Annotated[
        str | None, typer.Option(help="Filter by level: beginner, intermediate, advanced.")
    ] = None,
    fmt: FormatOption = "rich",
    kb_dirs: KbOption = None,
) -> None:
    """List hip-thrust variations, filter them by goal, or show one in detail."""
    kb = _load(kb_dirs)
    if name is not None:
        found, note = _find_variation(kb, name)
        if note:
            _say(clean_line(note) + "\n")
        items = [found]
    else:
        from hipthrust_cli.core import variations as search

        items = search.select(
            kb.variations, goal=goal, muscle=muscle, equipment=equipment, level=level
        )
    if not items:
        filters = ", ".join(
            f"{k}={quote(v)}"
            for k, v in (
                ("goal", goal),
                ("muscle", muscle),
                ("equipment", equipment),
                ("level", level),
            )
            if v is not None
        )
        # Goals, levels and equipment come from the knowledge base: data, never markup.
        _say(
            clean_line(
                f"No variation matches {filters}. Goals: "
                f"{', '.join(sorted({g for v in kb.variations for g in v.goal}))}; levels: "
                f"{', '.join(sorted({v.level for v in kb.variations}))}; equipment: "
                f"{', '.join(sorted({e for v in kb.variations for e in v.equipment}))}."
            )
        )
    _emit(lambda out: _view(fmt).variations(items, out, detail=name is not None))


@app.command(
    epilog=_examples(
        "hipthrust alternatives", "hipthrust alternatives --back-friendly --format markdown"
    )
)
@_guard
def alternatives(
    back_friendly: Annotated[
        bool, typer.Option("--back-friendly", help="Only exercises that spare the lower back.")
    ] = False,
    fmt: FormatOption = "rich",
    kb_dirs: KbOption = None,
) -> None:
    """Glute exercises to use while you fix your hip thrust."""
    kb = _load(kb_dirs)
    items = [a for a in kb.alternatives if a.back_friendly or not back_friendly]
    _emit(lambda out: _view(fmt).alternatives(items, out))


@app.command(epilog=_examples("hipthrust form", "hipthrust form --format markdown > form.md"))
@_guard
def form(fmt: FormatOption = "rich", kb_dirs: KbOption = None) -> None:
    """The correct-form checklist, with a side view of the top position."""
    kb = _load(kb_dirs)
    _emit(lambda out: _view(fmt).form(kb.technique, out))


@app.command(epilog=_examples("hipthrust questions", "hipthrust questions --format json"))
@_guard
def questions(fmt: FormatOption = "rich", kb_dirs: KbOption = None) -> None:
    """Every question the interview can ask, with ids and choices (for answers files)."""
    kb = _load(kb_dirs)
    _emit(lambda out: _view(fmt).questions(kb, out))


# --- kb: for knowledge-base authors -------------------------------------------------------

kb_app = typer.Typer(
    name="kb",
    help="For people who write the knowledge base: validate it, get its schema, browse it.",
    epilog=_examples("hipthrust kb validate my-overlay/", "hipthrust kb show mistakes"),
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(kb_app)


def _write_atomically(path: Path, text: str, private: bool = True) -> None:
    """Write *text* to *path* (see :func:`hipthrust_cli.paths.write_atomically`).

    Reports and exports hold health data, so a new file is private (0600); schemas are
    not, and get the usual mode for new files.
    """
    from hipthrust_cli import paths

    mode = paths.PRIVATE_FILE
    if not private:
        umask = os.umask(0o022)
        os.umask(umask)
        mode = 0o666 & ~umask
    paths.write_atomically(path, text.encode("utf-8"), mode)


@kb_app.command(
    "validate",
    epilog=_examples(
        "hipthrust kb validate",
        "hipthrust kb validate my-overlay/",
        "hipthrust kb validate my-overlay/ --strict",
    ),
)
@_guard
def kb_validate(
    folder: Annotated[
        Path | None,
        typer.Argument(help="Folder to check; without it, the shipped knowledge base."),
    ] = None,
    overlay: Annotated[
        bool | None,
        typer.Option(
            "--overlay/--alone",
            help="Check the folder layered over the shipped knowledge base, or alone. "
            "Default: alone if it holds every file, layered otherwise.",
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    fmt: FormatOption = "rich",
) -> None:
    """Check a knowledge base and list every problem: FILE:LINE: key.path: what — what to do.

    Exit code 0 when there are no errors (and, with --strict, no warnings), 3 otherwise.
    """
    from hipthrust_cli.kb import loading
    from hipthrust_cli.kb import schema as kbschema
    from hipthrust_cli.kb.lint import lint
    from hipthrust_cli.views.json import problem_json, to_json

    if folder is None:
        layered, what = False, "the shipped knowledge base"
        kb, problems = loading.collect()
    else:
        layered = overlay if overlay is not None else not loading.is_complete(folder)
        what = (
            f"{clean_line(str(folder))} "
            f"({'layered over the shipped knowledge base' if layered else 'alone'})"
        )
        kb, problems = (
            loading.collect(overlays=[folder]) if layered else loading.collect(base=folder)
        )
    if kb is not None:
        problems += lint(kb)
    faults = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    failed = bool(faults) or (strict and bool(warnings))
    if fmt == "json":
        _print(
            to_json(
                {
                    "ok": not failed,
                    "checked": what,
                    "errors": [problem_json(p) for p in faults],
                    "warnings": [problem_json(p) for p in warnings],
                }
            )
        )
    else:
        for p in faults:
            _print(str(p))
        for p in warnings:
            _print(f"{p} (warning)")
        if not problems and kb is not None:
            counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in kbschema.summary(kb))
            _print(f"No problems in {what}: {counts}.")
        else:
            _print(
                f"{len(faults)} error{'s' * (len(faults) != 1)} and {len(warnings)} "
                f"warning{'s' * (len(warnings) != 1)} in {what}."
            )
    if failed:
        raise typer.Exit(errors.EXIT_KB)


@kb_app.command(
    "schema", epilog=_examples("hipthrust kb schema questions", "hipthrust kb schema -o schemas/")
)
@_guard
def kb_schema(
    file: Annotated[
        str | None,
        typer.Argument(help="One file's schema, e.g. questions or mistakes.yaml; default all."),
    ] = None,
    output_given: Annotated[
        list[Path] | None,
        typer.Option(
            "--output",
            "-o",
            help="Write to this file (one schema) or folder (all schemas) instead of stdout "
            "(- is stdout).",
        ),
    ] = None,
) -> None:
    """The JSON Schema of the knowledge-base files, for editor completion and checks.

    The shipped data/*.yaml files point to data/schema/ with a
    '# yaml-language-server: $schema=...' line, which VS Code's YAML extension reads.
    """
    import json

    from hipthrust_cli.kb import schema as kbschema

    if output_given and len(output_given) > 1:
        raise UsageError(f"-o/--output was given {len(output_given)} times; give it once.")
    output = output_given[0] if output_given else None
    schemas = kbschema.json_schemas()
    if file is not None:
        kind = kbschema.kind_of(file)
        name = f"{kind}.schema.json" if kind else ""
        if name not in schemas:
            raise UsageError(
                f"There is no knowledge-base file {quote(file)}; choose one of "
                f"{', '.join(s.removesuffix('.schema.json') for s in schemas)}."
            )
        text = json.dumps(schemas[name], indent=2, ensure_ascii=False) + "\n"
        if output is None or str(output) == "-":
            _print(text)
        else:
            _write_atomically(output, text, private=False)
            _say(f"Wrote {clean_line(str(output))}\n")
        return
    if output is None or str(output) == "-":
        _print(json.dumps(schemas, indent=2, ensure_ascii=False))
        return
    if output.exists() and not output.is_dir():
        raise UsageError(
            f"{quote(output)} is a file; give a folder for all schemas, or name one schema "
            "(e.g. 'hipthrust kb schema questions -o questions.schema.json')."
        )
    try:
        output.mkdir(exist_ok=True)
    except OSError as exc:
        raise UsageError(f"Cannot create {quote(output)}: {exc.strerror or exc}.") from None
    for name, schema in schemas.items():
        _write_atomically(
            output / name, json.dumps(schema, indent=2, ensure_ascii=False) + "\n", private=False
        )
    _say(f"Wrote {len(schemas)} schemas to {clean_line(str(output))}\n")


@kb_app.command(
    "show",
    epilog=_examples(
        "hipthrust kb show",
        "hipthrust kb show drills",
        "hipthrust kb show drills dead_bug",
        'hipthrust kb show drills "Dead bug"',
    ),
)
@_guard
def kb_show(
    kind: Annotated[
        str | None,
        typer.Argument(
            help="questions, red_flags, mistakes, drills, variations, alternatives, "
            "notes, technique or settings."
        ),
    ] = None,
    entry_id: Annotated[
        str | None, typer.Argument(metavar="[ID]", help="One entry's id or name (any case).")
    ] = None,
    fmt: FormatOption = "rich",
    kb_dirs: KbOption = None,
) -> None:
    """Browse what the knowledge base holds: a summary, one kind, or one entry."""
    from hipthrust_cli.kb import schema as kbschema
    from hipthrust_cli.views.tables import label_of

    kb = _load(kb_dirs)
    view = _view(fmt)
    if kind is None:
        data: Any = {k: n for k, n in kbschema.summary(kb)}
        title = "Knowledge base " + kb.settings.kb_version
        rows = [[k, str(n)] for k, n in kbschema.summary(kb)]
        _emit(lambda out: view.data(data, title, out, rows=rows, headings=["Kind", "Entries"]))
        return
    found = kbschema.kind_of(kind)
    if found is None:
        raise UsageError(
            f"There is no kind {quote(kind)}; choose one of {', '.join(kbschema.KINDS)}."
        )
    if found in ("technique", "settings"):
        model = kb.technique if found == "technique" else kb.settings
        dump = model.model_dump(mode="json", exclude_none=True)
        _emit(lambda out: view.data(dump, found, out))
        return
    items = kbschema.entries(kb, found)
    if entry_id is None:
        rows = [[e.id, label_of(e)] for e in items]
        headings = ["Id", "Title"]
        if found == "red_flags":
            # Every warning sign with the level it leads to and the guidance behind it.
            rows = [[e.id, str(e.level.value), label_of(e), str(e.source)] for e in items]
            headings = ["Id", "Level", "Title", "Source"]
        dumps = [e.model_dump(mode="json", exclude_none=True) for e in items]
        return _emit(lambda out: view.data(dumps, found, out, rows=rows, headings=headings))
    match = next((e for e in items if e.id == entry_id), None)
    if match is None:
        # By name too, in any case: 'kb show drills "Dead bug"' is how people say it.
        wanted = " ".join(entry_id.split()).casefold()
        match = next(
            (
                e
                for e in items
                if e.id.casefold() == wanted.replace(" ", "_")
                or " ".join(label_of(e).split()).casefold() == wanted
            ),
            None,
        )
    if match is None:
        import difflib

        close = difflib.get_close_matches(entry_id, [e.id for e in items], n=3, cutoff=0.5)
        hint = (
            f"did you mean {', '.join(close)}?"
            if close
            else f"'hipthrust kb show {found}' lists them."
        )
        raise UsageError(f"There is no {found.rstrip('s')} {quote(entry_id)}; {hint}")
    dump = match.model_dump(mode="json", exclude_none=True)
    _emit(lambda out: view.data(dump, f"{found} {match.id}", out))


@app.command(
    "help",
    epilog=_examples("hipthrust help", "hipthrust help diagnose", "hipthrust help history show"),
)
def help_(
    command: Annotated[
        list[str] | None,
        typer.Argument(metavar="[COMMAND]...", help="The command to explain, e.g. diagnose."),
    ] = None,
) -> None:
    """Show help for hipthrust, or for one command."""
    code = app(args=[*(command or []), "--help"], prog_name="hipthrust", standalone_mode=False)
    raise typer.Exit(code if isinstance(code, int) else errors.EXIT_OK)


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
        _say("\nStopped (Ctrl-C). Nothing was saved.\n")
        sys.exit(errors.EXIT_INTERRUPTED)
    except BrokenPipeError:
        _quiet_stdout()
        sys.exit(errors.EXIT_OK)
    except Exception as exc:
        sys.exit(_internal_error(exc))
