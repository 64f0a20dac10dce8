"""When Python's cyclic garbage collector runs: the one place that decides it.

hipthrust builds many long-lived objects (the knowledge base) and then either exits at
once (a one-shot command) or waits for minutes on a person (the wizard). So:

* at start-up the collector is off, and everything is frozen at exit (no collection at
  exit either) — :func:`start_up`;
* while a knowledge base is built it stays off (:func:`paused`): each automatic
  collection would rescan the hundreds of thousands of objects just made, and all of
  them live until exit;
* before the wizard it is switched on again (:func:`before_waiting`), with what was built
  so far frozen out of every future collection.
"""

from __future__ import annotations

import atexit
import gc
from collections.abc import Iterator
from contextlib import contextmanager


def start_up() -> None:
    """A fresh process: no collection while starting, none at exit."""
    gc.disable()
    atexit.register(gc.freeze)


@contextmanager
def paused() -> Iterator[None]:
    """Keep the collector off while a knowledge base is built; on again after, if it was."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # Everything just built lives until the process ends: freezing it keeps the
            # first collection after this from rescanning it all once more.
            gc.freeze()
            gc.enable()


def before_waiting() -> None:
    """The wizard runs for minutes: collect again, but leave what start-up built out."""
    gc.freeze()
    gc.enable()
