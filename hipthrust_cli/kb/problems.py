"""Problems with the knowledge base, located by file, line and key path; and suggestions.

Nothing here prints: a :class:`Problem` is a value, shown by whoever reports it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from hipthrust_cli import yamlio
from hipthrust_cli.safetext import clean_line

if TYPE_CHECKING:
    from pydantic import ValidationError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the knowledge base, located as precisely as we can.

    Shown as ``FILE:LINE: key.path: what is wrong — what to do``.
    """

    file: Path | None
    line: int | None
    key: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        place = "" if self.file is None else str(self.file)
        if self.file is not None and self.line:
            place += f":{self.line}"
        parts = [p for p in (place, self.key, self.message) if p]
        # Keys and values come from the file: one line, no control characters.
        return clean_line(": ".join(parts))


class SourceTexts:
    """File texts read so far, to find the line of a key path only when one is needed."""

    def __init__(self) -> None:
        self.texts: dict[Path, str] = {}
        self._nodes: dict[Path, Any] = {}

    def problem(
        self,
        file: Path | None,
        loc: Sequence[str | int],
        message: str,
        severity: Literal["error", "warning"] = "error",
    ) -> Problem:
        """A problem at key path *loc* of *file*, with its line when the text is known."""
        text = self.texts.get(file) if file is not None else None
        line = None
        if file is not None and text is not None:
            if file not in self._nodes:  # compose each file once, however many problems
                self._nodes[file] = yamlio.compose(text)
            line = yamlio.locate_in(self._nodes[file], loc)
        return Problem(file, line, dotted(loc), message, severity)


def dotted(loc: Sequence[object]) -> str:
    """A key path as an author writes it: ``questions[3].choices[0].id``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def pydantic_problems(file: Path, texts: SourceTexts, exc: ValidationError) -> list[Problem]:
    """One located problem per pydantic error of *file*, the cause of each first."""
    errors = exc.errors(include_url=False)
    # A misspelt key shows up as "unknown key" plus "field missing" next to it; the unknown
    # key is the cause, so it goes first and names the field it was probably meant to be.
    missing: dict[tuple[object, ...], list[str]] = {}
    for err in errors:
        if err["type"] == "missing":
            missing.setdefault(tuple(err["loc"][:-1]), []).append(str(err["loc"][-1]))
    errors.sort(key=lambda e: e["type"] != "extra_forbidden")
    problems = []
    for err in errors:
        # pydantic adds the failing union/enum member to the path; keep the YAML keys only.
        loc = [p for p in err["loc"] if isinstance(p, int) or not str(p).startswith("function-")]
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            hint = did_you_mean(str(loc[-1]), missing.get(tuple(err["loc"][:-1]), []), n=1)
            hint = hint or "check its spelling"
            msg = f"unknown key — {hint} (docs/authoring.md lists the fields)"
        elif err["type"] == "missing":
            msg = "this required field is missing — add it"
        elif msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        problems.append(texts.problem(file, loc, msg))
    return problems


def did_you_mean(
    word: str,
    known: Iterable[str],
    *,
    n: int = 3,
    cutoff: float | None = 0.6,
    quoted: bool = True,
    joiner: str = ", ",
) -> str | None:
    """``did you mean 'a', 'b'?`` for the *known* words closest to *word*, or None.

    The one "did you mean" of hipthrust: misspelt ids, keys, questions and names all get
    their suggestions here. With ``cutoff=None`` *known* are matches a search of its own
    found (the variation search does), best first, and are only phrased.
    """
    import difflib

    if cutoff is None:
        close = list(known)[:n]
    else:
        close = difflib.get_close_matches(word, list(known), n=n, cutoff=cutoff)
    if not close:
        return None
    return f"did you mean {joiner.join(repr(c) if quoted else c for c in close)}?"


def suggest(word: str, known: Iterable[str]) -> str:
    """``; did you mean 'a'?`` to end a message with, or nothing when no id is close."""
    hint = did_you_mean(word, known)
    return f"; {hint}" if hint else ""
