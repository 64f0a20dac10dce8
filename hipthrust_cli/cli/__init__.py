"""The ``hipthrust`` command line: one module per command or group of commands.

Each command module registers its commands on :data:`app` when it is imported, and the
imports below are the list of them, in the order ``hipthrust --help`` shows them: a new
command is a new module plus one line here. Every command runs inside the one exception
funnel (:mod:`hipthrust_cli.cli.funnel`) without asking for it.
"""

from __future__ import annotations

from hipthrust_cli.cli.app import app, main

# isort: off
from hipthrust_cli.cli import diagnose  # noqa: F401
from hipthrust_cli.cli import analyze  # noqa: F401
from hipthrust_cli.cli import reference  # noqa: F401
from hipthrust_cli.cli import history  # noqa: F401
from hipthrust_cli.cli import kb  # noqa: F401
from hipthrust_cli.cli import help  # noqa: F401
# isort: on

__all__ = ["app", "main"]
