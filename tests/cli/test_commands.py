"""Every command of the real command tree: help, README, the funnel and JSON output.

The commands are found by walking the tree Typer builds, never from a list, so a new
command is checked the moment it is registered.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any

import pytest
import typer.main

from hipthrust_cli.cli import app, funnel
from hipthrust_cli.errors import KnowledgeBaseError
from tests.conftest import ROOT, Run


def _tree(command: Any = None, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every command and group of the real command tree, with its argument path."""
    command = command or typer.main.get_command(app)
    found = [(path, command)]
    for name, sub in getattr(command, "commands", {}).items():
        found += _tree(sub, (*path, name))
    return found


TREE = dict(_tree())
COMMANDS = list(TREE)
# What runs when a path is invoked: the root's callback only runs before a command, and
# a group without a callback (kb) has nothing of its own to guard.
RUNNABLE = [path for path, command in TREE.items() if path and command.callback is not None]


def _name(path: tuple[str, ...]) -> str:
    return " ".join(path) or "hipthrust"


def _minimal_args(path: tuple[str, ...]) -> list[str]:
    """*path* with a value for each required parameter: "1" parses as a number, a name
    and a path alike."""
    args = list(path)
    for param in TREE[path].params:
        if param.required:
            args += [param.opts[0], "1"] if param.param_type_name == "option" else ["1"]
    return args


def test_the_tree_is_walked() -> None:
    # A guard against a walk that finds nothing and so checks nothing.
    assert {("diagnose",), ("history", "show"), ("kb", "validate"), ("help",)} <= set(COMMANDS)
    assert {("history",), ("history", "export"), ("analyze",)} <= set(RUNNABLE)


@pytest.mark.parametrize("path", COMMANDS, ids=_name)
def test_every_command_has_help_with_examples(cli: Any, path: tuple[str, ...]) -> None:
    run: Run = cli(*path, "--help")
    assert run.code == 0 and run.stderr == ""
    usage = " ".join(("Usage: hipthrust", *path))
    assert run.stdout.startswith(usage), run.stdout[:80]
    summary = (TREE[path].help or "").strip().splitlines()
    assert summary and summary[0].endswith("."), path  # a one-line summary, as a sentence
    assert " ".join(summary[0].split()) in " ".join(run.stdout.split())
    examples = run.stdout.split("Examples:", 1)[1].split()
    assert examples.count("hipthrust") >= 1
    # One style of placeholder, and plain text that reads the same under TERM=dumb.
    for noise in ("<bool>", "<str>", "<int>", "{", "╭", "│"):
        assert noise not in run.stdout, (noise, path)
    assert max(len(line) for line in run.stdout.splitlines()) <= 100
    assert cli("help", *path).stdout == run.stdout


def test_help_of_an_unknown_command(cli: Any) -> None:
    run: Run = cli("help", "diagnoze")
    assert run.code == 2 and run.stdout == ""
    assert run.stderr == (
        "Error: No such command 'diagnoze'. Did you mean 'diagnose'? Try 'hipthrust --help'.\n"
    )


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for path in COMMANDS:
        assert " ".join(("hipthrust", *path)) in readme, path


# --- the funnel ------------------------------------------------------------------------------

BROKEN = "The knowledge base is broken on purpose, for this test."


def _fail_in(target: Callable[..., Any]) -> Callable[[Callable[..., Any]], None]:
    """A first step for the funnel that fails only inside *target*, the function as written."""

    def first_step(func: Callable[..., Any]) -> None:
        if func is target:
            raise KnowledgeBaseError(BROKEN)

    return first_step


@pytest.mark.parametrize("path", RUNNABLE, ids=_name)
def test_every_command_is_guarded(
    cli: Any, monkeypatch: pytest.MonkeyPatch, path: tuple[str, ...]
) -> None:
    """An error inside any command is its one line and documented exit, never "a bug".

    The failure is raised in the command's own run, after parsing, by the first thing the
    funnel calls: a command registered without the funnel would let it escape as an
    unexpected error (exit 1, "this is a bug").
    """
    monkeypatch.setattr(funnel, "_begin", _fail_in(inspect.unwrap(TREE[path].callback)))
    run: Run = cli(*_minimal_args(path))
    assert (run.code, run.stderr, run.stdout) == (3, f"Error: {BROKEN}\n", ""), run
    assert "this is a bug" not in run.stderr


def test_a_new_command_is_guarded_without_a_decorator(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app, "registered_commands", list(app.registered_commands))

    @app.command("explode")
    def explode(what: str = "kb") -> None:
        """Fail on purpose."""
        if what == "kb":
            raise KnowledgeBaseError(BROKEN)
        if what == "pipe":
            raise BrokenPipeError
        raise RuntimeError("boom")

    assert (cli("explode").code, cli("explode").stderr) == (3, f"Error: {BROKEN}\n")
    assert cli("explode", "--what", "pipe").code == 0
    run: Run = cli("explode", "--what", "bug")
    assert run.code == 1 and len(run.stderr.splitlines()) == 1
    assert "unexpected problem (RuntimeError); this is a bug" in run.stderr
    assert "Traceback" not in run.stderr


# --- output ----------------------------------------------------------------------------------


def test_every_json_format_is_json(cli: Any) -> None:
    """Every command with --format prints valid JSON, or fails with nothing on stdout."""
    first = cli("diagnose", "--no-input", "--answer", "pain_level=3", "-f", "json")
    assert first.code == 0 and first.json()["version"]  # and 'history show 1' has a session
    printed = set()
    for path in RUNNABLE:
        options = {opt for param in TREE[path].params for opt in param.opts}
        if "--format" not in options:
            continue
        quiet = ["--no-input"] if "--no-input" in options else []
        run: Run = cli(*_minimal_args(path), *quiet, "--format", "json")
        if run.code == 0:
            json.loads(run.stdout)
            printed.add(path)
        else:  # analyze needs a real video, and the video extra
            assert run.code == 2 and run.stdout == "" and run.stderr.startswith("Error: "), run
    # A guard against a walk that checks nothing.
    assert {("variations",), ("alternatives",), ("form",), ("questions",)} <= printed
    assert {("diagnose",), ("history",), ("history", "show"), ("kb", "show")} <= printed
