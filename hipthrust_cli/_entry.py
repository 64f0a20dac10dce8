"""The ``hipthrust`` command's entry point: set up the process, then run the CLI.

A non-interactive run lives for a fraction of a second, and while importing Typer,
pydantic and the knowledge base it creates tens of thousands of objects that live until
it exits; automatic garbage collections only rescan them (about 13 ms per run, measured
in benchmarks/). So collection is paused here, before anything heavy is imported; the
interactive wizard, which runs for minutes, turns it back on.
"""

from __future__ import annotations

import gc


def main() -> None:
    """Run hipthrust."""
    gc.disable()
    from hipthrust_cli.cli import main as run

    run()
