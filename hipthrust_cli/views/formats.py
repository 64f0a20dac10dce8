"""Every output format, registered once: its ``--format`` name and its ``-o`` endings.

Adding a format is one view module (implementing :class:`View`) plus one line in
:data:`FORMATS`. A view module is imported only when its format is used, so ``--format
json`` never loads Rich. Imports nothing at run time, to keep start-up fast.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TextIO, cast

if TYPE_CHECKING:  # pragma: no cover - types only
    from hipthrust_cli.core.report import Diagnosis
    from hipthrust_cli.kb import Alternative, KnowledgeBase, Technique, Variation
    from hipthrust_cli.views.blocks import Section


class View(Protocol):
    """What a view module draws. A file-only format (``stdout=False``) needs ``report``."""

    def report(
        self, d: Diagnosis, out: TextIO, include_screening: bool = False, saved: Any = None
    ) -> None:
        """The report.

        *saved* is the report as saved in the history, for views that show data exactly
        as it is (JSON).
        """

    def sections(self, d: Diagnosis, include_screening: bool = False) -> list[Section]:
        """The sections of a report this view draws (from :mod:`~hipthrust_cli.views.blocks`)."""

    def variations(self, items: Sequence[Variation], out: TextIO, detail: bool = False) -> None:
        """Variations; *detail* when one was asked for by name."""

    def alternatives(self, items: Sequence[Alternative], out: TextIO) -> None:
        """Alternative exercises."""

    def form(self, t: Technique, out: TextIO) -> None:
        """The technique guide."""

    def questions(self, kb: KnowledgeBase, out: TextIO) -> None:
        """The questionnaire."""

    def data(
        self,
        value: Any,
        title: str,
        out: TextIO,
        rows: Sequence[Sequence[str]] | None = None,
        headings: Sequence[str] = (),
    ) -> None:
        """Knowledge-base data, as a table of *rows* with *headings* when given."""

    def history(self, rows: Sequence[Mapping[str, Any]], out: TextIO) -> None:
        """Past sessions, oldest first."""


class OutputFormat:
    """One output format.

    A plain class, not a NamedTuple or dataclass: the CLI imports this registry on every
    run, and making those classes costs a quarter to half a millisecond of start-up.
    """

    __slots__ = ("described", "machine", "module", "name", "stdout", "suffixes")

    def __init__(
        self,
        name: str,
        module: str,
        suffixes: tuple[str, ...] = (),
        described: str = "",
        stdout: bool = True,
        machine: bool = False,
    ) -> None:
        self.name = name  # its --format value
        self.module = module  # the view module that draws it
        self.suffixes = suffixes  # -o file names ending in these are written in it
        self.described = described  # how the -o error message names it
        self.stdout = stdout  # offered by --format; False: only written to files
        self.machine = machine  # for programs: prints even when there is nothing to show

    def __repr__(self) -> str:
        return f"OutputFormat({self.name!r})"

    def view(self) -> View:
        """The view module, imported now."""
        return cast(View, importlib.import_module(self.module))


FORMATS = (
    OutputFormat("rich", "hipthrust_cli.views.terminal"),
    OutputFormat("markdown", "hipthrust_cli.views.markdown", (".md", ".markdown"), "Markdown"),
    OutputFormat("json", "hipthrust_cli.views.json", machine=True),
    OutputFormat("html", "hipthrust_cli.views.html", (".html", ".htm"), "a web page", False),
)

NAMES = tuple(f.name for f in FORMATS if f.stdout)
"""The --format choices, the default first."""


_BY_NAME = {f.name: f for f in FORMATS}


def get(name: str) -> OutputFormat:
    """The format called *name* (any case); KeyError when there is none."""
    return _BY_NAME[name.casefold()]


def for_suffix(suffix: str) -> OutputFormat | None:
    """The format a file whose name ends in *suffix* (".md", any case) is written in."""
    return next((f for f in FORMATS if suffix.lower() in f.suffixes), None)


def file_endings() -> str:
    """The endings ``-o`` understands, for people: ".md (Markdown) or .html (a web page)"."""
    return " or ".join(f"{f.suffixes[0]} ({f.described})" for f in FORMATS if f.suffixes)


def help_text() -> str:
    """The --format help: "How to print: rich (default), markdown or json."."""
    first, *rest = NAMES
    others = f"{', '.join(rest[:-1])} or {rest[-1]}" if len(rest) > 1 else "".join(rest)
    return f"How to print: {first} (default), {others}."
