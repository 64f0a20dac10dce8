"""The ``hipthrust`` command's entry point: set up the process, then run the CLI.

A non-interactive run lives for a fraction of a second, and while importing Typer,
pydantic and the knowledge base it creates tens of thousands of objects that live until
it exits. Automatic garbage collections only rescan them, and so does the collection
Python runs at shutdown. So collection is paused before anything heavy is imported, and
at exit everything is frozen first, which leaves nothing for the shutdown collection to
scan: about 9 ms (7%) per run, measured in benchmarks/. The interactive wizard, which
runs for minutes, turns collection back on.

Two more things happen here, before anything else, because only here can they cover the
whole run: Ctrl-C during start-up (imports take a few hundred milliseconds) ends with one
line and exit 130 instead of a traceback; and a closed stdin, stdout or stderr is
replaced by ``/dev/null``, so the next file hipthrust opens (the history database!)
cannot become "stdout" and receive the report.
"""

from __future__ import annotations

import contextlib
import os
import sys


class _Closed:
    """Stands in for a standard stream that was closed when hipthrust started."""

    def __init__(self, name: str) -> None:
        self.name = name

    def write(self, text: str) -> int:
        raise OSError(9, f"standard {self.name} is closed")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def _reserve_standard_fds() -> None:
    for fd, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        try:
            os.fstat(fd)
        except OSError:
            try:
                spare = os.open(os.devnull, os.O_RDWR)
            except OSError:  # pragma: no cover - no /dev/null: nothing better to do
                continue
            if spare != fd:
                os.dup2(spare, fd)
                os.close(spare)
            if name == "stderr":
                sys.stderr = open(fd, "w", closefd=False)  # noqa: SIM115 - lives for the run
            elif name == "stdout":
                sys.stdout = _Closed("output")  # type: ignore[assignment,unused-ignore]


def _stop_while_starting(signum: int, frame: object) -> None:
    """Ctrl-C before a command runs: one line and exit 130, whatever is being imported.

    A KeyboardInterrupt raised in the middle of importing Typer, Rich or pydantic can
    be caught and turned into something else by the code being imported; exiting here
    cannot. Nothing has been read or written yet, so there is nothing to clean up.
    """
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write("\nStopped (Ctrl-C). Nothing was saved.\n")
        sys.stderr.flush()
    os._exit(130)


def ctrl_c_raises() -> None:
    """From here on Ctrl-C raises KeyboardInterrupt again (called as a command starts)."""
    import signal

    if signal.getsignal(signal.SIGINT) is _stop_while_starting:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def main() -> None:
    """Run hipthrust."""
    import signal

    with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
        signal.signal(signal.SIGINT, _stop_while_starting)
    try:
        from hipthrust_cli import collector

        collector.start_up()
        _reserve_standard_fds()
        from hipthrust_cli.cli import main as run

        run()
    except KeyboardInterrupt:
        _stop_while_starting(signal.SIGINT, None)
