"""Rich for the terminal: a tidy console, safe text, hanging bullets and fitting tables.

The one place (with its sibling modules) that imports Rich, and only inside functions, so
``--format json`` never loads it. Every string from the knowledge base or the user is
data: it reaches Rich as ``Text`` (never as markup) and goes through
:func:`~hipthrust_cli.safetext.clean`, so control characters are shown, not sent.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TextIO

from hipthrust_cli.safetext import clean

if TYPE_CHECKING:  # pragma: no cover - types only
    from rich.console import Console, RenderableType
    from rich.text import Text

MAX_WIDTH = 100
"""Lines longer than this are hard to read: wide terminals get a report this wide."""


def ascii_only(file: TextIO) -> bool:
    """Whether *file* should get plain ASCII rather than box, bar and check characters.

    It should on TERM=dumb, under a C/POSIX or other non-UTF-8 locale, and when the
    stream's encoding is not UTF.
    """
    if os.environ.get("TERM") == "dumb":
        return True
    locale = next((os.environ[k] for k in ("LC_ALL", "LC_CTYPE", "LANG") if os.environ.get(k)), "")
    if locale and "utf" not in locale.lower().replace("-", ""):
        return True
    encoding = (getattr(file, "encoding", None) or "utf-8").lower().replace("-", "")
    return not encoding.startswith("utf")


# What an ASCII-only terminal gets instead of the characters it may not have.
_ASCII = str.maketrans(
    {
        "—": "-",
        "–": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "°": " deg",
        "×": "x",
        "≤": "<=",
        "≥": ">=",
        "→": "->",
        "←": "<-",
        "✓": "+",
        "✗": "x",
        "☐": "[ ]",
        "•": "*",
        "▶": ">",
        "⚠": "!",
        "█": "#",
        "░": ".",
        "\u00a0": " ",
    }
)


def to_ascii(text: str) -> str:
    """*text* with the characters an ASCII-only terminal may lack replaced by ASCII."""
    return text.replace("°C", " C").replace("°F", " F").translate(_ASCII)


_PLAIN: ContextVar[bool] = ContextVar("plain", default=False)
_TRAILING = re.compile(r" +((?:\x1b\[[0-9;]*m)*)$", re.M)


class _Tidy:
    """A stream for Rich: trailing spaces dropped when not a terminal, ASCII when asked.

    Rich pads every line of a panel or padded block to the full width, which leaves
    trailing spaces in a file or a pipe; whole lines are held back until their newline
    so the spaces can be removed.
    """

    def __init__(self, file: TextIO, ascii: bool) -> None:
        self._file, self._ascii = file, ascii
        self._tty = bool(getattr(file, "isatty", lambda: False)())
        self._pending = ""
        self.encoding = "ascii" if ascii else (getattr(file, "encoding", None) or "utf-8")

    def isatty(self) -> bool:
        return self._tty

    def fileno(self) -> int:
        return self._file.fileno()

    def write(self, text: str) -> int:
        if self._ascii:
            text = to_ascii(text).encode("ascii", "replace").decode("ascii")
        if self._tty:
            return self._file.write(text)
        text = self._pending + text
        cut = text.rfind("\n") + 1
        self._pending = text[cut:]
        if cut:
            self._file.write(_TRAILING.sub(r"\1", text[:cut]))
        return len(text)

    def flush(self) -> None:
        if self._pending and not self._tty:
            self._file.write(_TRAILING.sub(r"\1", self._pending))
            self._pending = ""
        self._file.flush()


def console(file: TextIO) -> Console:
    """A Console for *file*: no markup, no emoji codes, no auto-highlighting of data.

    At most :data:`MAX_WIDTH` columns wide; plain ASCII on a terminal that cannot show
    more (:func:`ascii_only`); no trailing spaces when *file* is not a terminal.
    """
    from rich.console import Console

    plain = ascii_only(file)
    _PLAIN.set(plain)  # text is made ASCII before it is wrapped, so widths stay true
    con = Console(
        file=_Tidy(file, plain),  # type: ignore[arg-type]
        markup=False,
        emoji=False,
        highlight=False,
    )
    if con.is_dumb_terminal and not os.environ.get("COLUMNS"):
        # Rich assumes 80 columns on TERM=dumb; the terminal itself knows better.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            con.size = os.get_terminal_size(file.fileno())
    if con.width > MAX_WIDTH:
        con.width = MAX_WIDTH
    # Rich turns a closed pipe into SystemExit(1); the CLI's one funnel makes it a quiet 0.
    con.on_broken_pipe = _broken_pipe  # type: ignore[method-assign]
    return con


def _broken_pipe() -> None:
    raise BrokenPipeError(32, "Broken pipe")


def t(text: str, style: str = "") -> Text:
    """*text* as data for Rich: controls shown, never sent; ASCII where needed."""
    from rich.text import Text

    text = clean(text)
    return Text(to_ascii(text) if _PLAIN.get() else text, style=style)


def lines(*parts: Text | str) -> Text:
    """Parts joined into one Text; plain strings are data (see :func:`t`)."""
    from rich.text import Text

    out = Text()
    for part in parts:
        out.append_text(part if isinstance(part, Text) else t(part))
    return out


class Glyphs:
    """The marks a report draws, in Unicode or (on an ASCII-only terminal) in ASCII."""

    def __init__(self, con: Console) -> None:
        plain = con.encoding.lower().replace("-", "") == "ascii"
        self.yes, self.no, self.open = ("+", "x", "?") if plain else ("✓", "✗", "?")
        self.box, self.dot, self.play = ("[ ]", "*", ">") if plain else ("☐", "•", "▶")


def rule(con: Console, title: str, extra: str = "") -> None:
    """A section heading; *extra* is added when the line has room for it."""
    from rich.rule import Rule

    if extra and len(title) + len(extra) + 4 <= con.width:
        title += extra
    con.print()
    con.print(Rule(t(title, "bold"), align="left"))


class _Hanging:
    """Bullets whose wrapped lines keep a hanging indent under the text, not the marker.

    Wraps each text itself with ``Text.wrap``: a two-column ``Table.grid`` does the same
    but costs several times more to lay out, and the report has many of these lists.
    """

    def __init__(self, rows: Sequence[tuple[Text, Text]], indent: int) -> None:
        self.rows, self.indent = rows, indent

    def __rich_console__(self, console: Console, options: Any) -> Any:
        from rich.segment import Segment

        pad = Segment(" " * self.indent)
        for marker, text in self.rows:
            lead = len(marker.plain) + 1 if marker.plain else 0
            width = max(8, options.max_width - self.indent - lead)
            for n, line in enumerate(text.wrap(console, width)):
                yield pad
                if n == 0 and lead:
                    yield from marker.render(console)
                    yield Segment(" ")
                elif lead:
                    yield Segment(" " * lead)
                yield from line.render(console)
                yield Segment.line()


def bullets(rows: Sequence[tuple[Text, Text]], indent: int = 2) -> RenderableType:
    """Marker and text, wrapped lines indented under the text."""
    return _Hanging(rows, indent)


Column = tuple[str, int, int]
"""A table column: heading, share of the spare width (0 = as wide as its content), and
the narrowest it may get without breaking words."""


def _widths(
    width: int, columns: Sequence[Column], rows: Sequence[Sequence[str]]
) -> list[int] | None:
    """Column widths that fit *width*, or None when even the minimums do not fit.

    Every column starts at its minimum (a share-0 column at its content's width); what is
    left is shared out by the columns' shares.
    """
    spare = width - (3 * len(columns) + 1)  # borders and padding
    sizes = []
    for i, (name, share, minimum) in enumerate(columns):
        longest = max([len(name), *(len(row[i]) for row in rows)])
        sizes.append(minimum if share else max(minimum, min(longest, 24)))
    surplus = spare - sum(sizes)
    if surplus < 0:
        return None
    shares = sum(c[1] for c in columns) or 1
    return [size + surplus * c[1] // shares for size, c in zip(sizes, columns, strict=True)]


def table(
    con: Console, columns: Sequence[Column], rows: Sequence[Sequence[str]], title: str
) -> None:
    """A table when every column fits its minimum; otherwise one block per row.

    Below the minimum widths words would have to be broken apart, so on a narrow
    terminal each row becomes a small block of "Heading: value" lines instead.
    """
    from rich.padding import Padding
    from rich.table import Table

    widths = _widths(con.width, columns, rows)
    if widths is None:
        con.print(t(title, "bold"))
        for row in rows:
            block = t(row[0], "bold")
            for (name, _, _), value in zip(columns[1:], row[1:], strict=True):
                if value:
                    block.append_text(lines("\n", t(f"{name}: ", "dim"), value))
            con.print(Padding(block, (1, 0, 0, 1)))
        return
    grid = Table(title=t(title, "bold"), show_lines=True)
    for (name, _, _), size in zip(columns, widths, strict=True):
        grid.add_column(t(name), width=size)
    for row in rows:
        grid.add_row(*(t(cell) for cell in row))
    con.print(grid)
