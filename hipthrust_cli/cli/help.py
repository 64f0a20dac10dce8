"""``hipthrust help [COMMAND]...``: the help screen of hipthrust or of one command."""

from __future__ import annotations

from typing import Annotated

import typer

from hipthrust_cli import errors
from hipthrust_cli.cli.app import app, examples


@app.command(
    "help",
    epilog=examples("hipthrust help", "hipthrust help diagnose", "hipthrust help history show"),
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
