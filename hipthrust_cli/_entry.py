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

    closed_at_start = True  # what the CLI checks, to say so in one sentence

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


PLUGINS = "PYDANTIC_DISABLE_PLUGINS"
LOADER = "pydantic.plugin._loader"


def _plugins_off() -> bool:
    # The values for which pydantic's own loader returns no plugins at all.
    return os.environ.get(PLUGINS) in ("__all__", "1", "true")


def _no_plugin_scan() -> None:
    """Switch pydantic's plugins off, and let it find none without ``importlib.metadata``.

    hipthrust uses no pydantic plugins, and looking for them scans every installed
    package's entry points (about 10 ms), so they are off unless the person switched
    them on. Even off, pydantic's loader imports ``importlib.metadata`` (with email,
    zipfile, csv …: 9-16 ms, before Typer can parse an option) only to return none. So
    while they are off, a stand-in returns none in its place. It checks again on every
    call, and hands anything else, or a call with plugins switched on, to the real
    loader: a newer pydantic is then slower, never wrong. Only a hipthrust run does
    this; importing hipthrust as a library changes nothing.
    """
    os.environ.setdefault(PLUGINS, "__all__")
    if not _plugins_off() or LOADER in sys.modules:
        return
    import importlib
    import importlib.machinery
    import types

    stand_in = types.ModuleType(LOADER)
    stand_in.__spec__ = importlib.machinery.ModuleSpec(LOADER, None)

    def real() -> types.ModuleType:
        if sys.modules.get(LOADER) is stand_in:
            del sys.modules[LOADER]
        return importlib.import_module(LOADER)

    def get_plugins(*args: object, **kwargs: object) -> object:
        if _plugins_off() and not args and not kwargs:
            return ()
        return real().get_plugins(*args, **kwargs)

    def anything_else(attr: str) -> object:
        if attr.startswith("__"):  # the import system asks for __path__: not a package
            raise AttributeError(attr)
        return getattr(real(), attr)

    stand_in.get_plugins = get_plugins  # type: ignore[attr-defined]
    stand_in.__getattr__ = anything_else  # type: ignore[method-assign]
    sys.modules[LOADER] = stand_in


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
        _no_plugin_scan()
        from hipthrust_cli.cli import main as run

        run()
    except KeyboardInterrupt:
        _stop_while_starting(signal.SIGINT, None)
