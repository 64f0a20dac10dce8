"""The one exception funnel: every failure of every command becomes one line and its exit code.

:class:`Typer` wraps each command and callback in :func:`funnel` as it registers it, so
no command can forget it: 2 bad usage or answers, 3 invalid knowledge base, 130
interrupted, 0 for a reader that closed the pipe early, and 1 for anything unexpected
(one line, with the details written to a log file). Messages for the user go to stderr
through :func:`say`, :func:`warn` and :func:`error`, which never fail themselves.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from hipthrust_cli import _entry, errors
from hipthrust_cli.errors import HipthrustError
from hipthrust_cli.paths import TargetError
from hipthrust_cli.safetext import clean_line, quote

F = TypeVar("F", bound=Callable[..., Any])

_OUTPUT_ERRNOS = {5, 9, 28, 122}  # EIO, EBADF, ENOSPC, EDQUOT


# --- messages on stderr --------------------------------------------------------------------


def color(stream: Any) -> bool:
    """Whether *stream* is a terminal that may be coloured (NO_COLOR and TERM=dumb say no)."""
    return (
        not os.environ.get("NO_COLOR")
        and os.environ.get("TERM") != "dumb"
        and hasattr(stream, "isatty")
        and stream.isatty()
    )


def error(message: str) -> None:
    """``Error: message`` on stderr; never fails."""
    if sys.stderr is None:  # stderr closed: the exit code is all we can give
        return
    prefix = "\x1b[1;31mError:\x1b[0m " if color(sys.stderr) else "Error: "
    try:
        sys.stderr.write(prefix + message + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def say(text: str) -> None:
    """A line for the user on stderr (notes, confirmations); never fails."""
    if sys.stderr is None:
        return
    try:
        sys.stderr.write(text if text.endswith("\n") else text + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def warn(message: str) -> None:
    """``Warning: message`` on stderr, the message made safe to show; never fails."""
    prefix = "\x1b[33mWarning:\x1b[0m " if sys.stderr and color(sys.stderr) else "Warning: "
    say(prefix + clean_line(message))


# --- the unexpected ------------------------------------------------------------------------


def version() -> str:
    """The installed version of hipthrust (its one source: the package metadata)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("hipthrust")
    except PackageNotFoundError:
        return "unknown (not installed)"


def internal_error(exc: BaseException) -> int:
    """Report a bug in one line, with the details in a private log file; the exit code."""
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
        paths.write_private_new(path, f"hipthrust {version()}\n{' '.join(sys.argv)}\n\n{details}")
        where = clean_line(str(path))
    except Exception:
        pass
    error(
        f"hipthrust hit an unexpected problem ({type(exc).__name__}); this is a bug. "
        f"Details were written to {where}."
    )
    return errors.EXIT_INTERNAL


def quiet_stdout() -> None:
    """After the reader of our stdout went away, send the rest nowhere, silently."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


# --- the funnel ----------------------------------------------------------------------------


def _begin(func: Callable[..., Any]) -> None:
    """The first step of every command *func*: start-up is over (see ``_entry``).

    From here on Ctrl-C stops the command with a KeyboardInterrupt, which the funnel
    turns into one line and exit 130. (The meta-tests replace this step to fail inside
    each command in turn, which proves the funnel is around every one.)
    """
    _entry.ctrl_c_raises()


def funnel(func: F) -> F:
    """Run *func* so every failure becomes one clear line and its exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            _begin(func)
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except typer.Abort:  # Click's prompts turn Ctrl-C and Ctrl-D into Abort
            say("\nStopped. Nothing was changed.")
            raise typer.Exit(errors.EXIT_INTERRUPTED) from None
        except HipthrustError as exc:
            error(clean_line(exc.message))
            raise typer.Exit(exc.exit_code) from None
        except TargetError as exc:
            error(f"Cannot write {quote(exc.path)}: {clean_line(exc.reason)}.")
            raise typer.Exit(errors.EXIT_USAGE) from None
        except errors.Terminated as exc:
            say(f"\nStopped ({exc.name}). Nothing was saved.")
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            say("\nStopped (Ctrl-C). Nothing was saved.")
            raise typer.Exit(errors.EXIT_INTERRUPTED) from None
        except EOFError:
            say("\nInput ended (Ctrl-D), so the interview stopped. Nothing was saved.")
            raise typer.Exit(errors.EXIT_INTERRUPTED) from None
        except BrokenPipeError:
            quiet_stdout()
            raise typer.Exit(errors.EXIT_OK) from None
        except OSError as exc:
            if exc.errno not in _OUTPUT_ERRNOS:
                raise typer.Exit(internal_error(exc)) from None
            # Output that could not be written (a full disk, a closed or failing stdout).
            error(f"Cannot write the output ({exc.strerror or exc}); send it somewhere else.")
            raise typer.Exit(errors.EXIT_USAGE) from None
        except Exception as exc:
            raise typer.Exit(internal_error(exc)) from None

    return wrapper  # type: ignore[return-value]


class Typer(typer.Typer):
    """A Typer app whose commands and callbacks all run inside :func:`funnel`.

    The decorators return the function as written (so it can be called and tested as
    it is) and register it wrapped: a new command is guarded without a line for it. A
    callback given to the constructor is registered as it is (the root's, on purpose).
    """

    def command(self, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        """Register a command, inside the funnel (see :meth:`typer.Typer.command`)."""
        register = super().command(*args, **kwargs)

        def decorator(func: F) -> F:
            register(funnel(func))
            return func

        return decorator

    def callback(self, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        """Register a group's callback, inside the funnel (see :meth:`typer.Typer.callback`)."""
        register = super().callback(*args, **kwargs)

        def decorator(func: F) -> F:
            register(funnel(func))
            return func

        return decorator
