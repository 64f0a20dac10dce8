"""What the commands share: the --kb and --format options, loading, and writing output.

Reports go to stdout through :func:`emit` and :func:`echo`, files through
:func:`write_atomically`; a closed or full stdout, or a file that cannot be written,
becomes a sentence (a :class:`~hipthrust_cli.errors.UsageError`), never a traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from hipthrust_cli.cli.funnel import say, warn
from hipthrust_cli.errors import UsageError
from hipthrust_cli.safetext import clean_line, quote
from hipthrust_cli.views import formats

if TYPE_CHECKING:  # pragma: no cover - types only; importing them would slow start-up
    from hipthrust_cli.history import History
    from hipthrust_cli.kb import KnowledgeBase
    from hipthrust_cli.session import Notice
    from hipthrust_cli.views.formats import View

# --- options -------------------------------------------------------------------------------


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

OutputOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Also write the report to FILE: Markdown (.md) or a self-contained web "
        "page (.html) to share with a coach; - writes it to stdout in the --format "
        "format instead.",
    ),
]
ScreeningOption = Annotated[
    bool,
    typer.Option(
        "--include-screening",
        help="Also list the answers to the warning-sign questions in a Markdown or "
        "HTML report (left out by default; the triage result is always there).",
    ),
]

# --- input ---------------------------------------------------------------------------------

UNSAFE_ENV = "HIPTHRUST_ALLOW_UNSAFE_KB"


def load(kb_dirs: Sequence[Path] | None, allow_unsafe: bool = False) -> KnowledgeBase:
    """The shipped knowledge base with the --kb and HIPTHRUST_KB overlays over it."""
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


def stdin_is_terminal() -> bool:
    """Whether someone can be asked: stdin is open and a terminal."""
    return bool(sys.stdin) and sys.stdin.isatty()


def history() -> History | None:
    """The user's history, or None where it cannot be opened (then runs go without it)."""
    from hipthrust_cli import history, paths

    try:
        return history.History(paths.data_dir())
    except Exception:  # no home folder, unusable platform folder: run without history
        return None


def notify(notices: Sequence[Notice]) -> None:
    """Show what a run has to say, on stderr: warnings marked as such."""
    for notice in notices:
        (warn if notice.warning else say)(notice.text)


def can_say(text: str) -> bool:
    """Whether stderr can show *text* as it is (not on an ASCII-only terminal)."""
    try:
        text.encode(getattr(sys.stderr, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


# --- stdout --------------------------------------------------------------------------------


class writing_stdout:  # lower case: it reads as a statement, with writing_stdout(): ...
    """Writing to stdout: a full disk or a closed stdout is a sentence, not a bug.

    A reader that went away (BrokenPipeError) is left to the funnel, which exits 0.
    """

    CLOSED = (
        "Cannot write to standard output: it is closed. Run the command with its "
        "output going somewhere (a terminal, a file or a pipe)."
    )

    def __enter__(self) -> None:
        # None when embedded without one; closed_at_start when fd 1 was closed (_entry).
        if sys.stdout is None or getattr(sys.stdout, "closed_at_start", False):
            raise UsageError(self.CLOSED)

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError):
            import errno

            why = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
            raise UsageError(
                f"Cannot write to standard output ({why}); send the output somewhere else."
            ) from None


def echo(text: str) -> None:
    """Print *text* on stdout, as one or more whole lines."""
    with writing_stdout():
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()


def emit(draw: Callable[[TextIO], None]) -> None:
    """Run *draw* on stdout: a closed or full stdout is a sentence (see :class:`writing_stdout`)."""
    with writing_stdout():
        draw(sys.stdout)
        sys.stdout.flush()


def view(fmt: str) -> View:
    """The view of the --format *fmt*."""
    return formats.get(fmt).view()


def show(report: Any, fmt: str, include_screening: bool = False, saved: Any = None) -> None:
    """Print a diagnosis *report* on stdout in the --format *fmt*."""
    emit(lambda out: view(fmt).report(report, out, include_screening, saved))


# --- files ---------------------------------------------------------------------------------


def one_output(output: Sequence[Path] | None) -> Path | None:
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


def write_report(report: Any, path: Path, include_screening: bool = False) -> None:
    """Write *report* to *path* in the format its name ends in (checked by :func:`one_output`)."""
    import io

    text = io.StringIO()
    _output_format(path).view().report(report, text, include_screening)
    write_atomically(path, text.getvalue())
    say(f"Report written to {clean_line(str(path))}")


def write_atomically(path: Path, text: str, private: bool = True) -> None:
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
