r"""Make text from files safe to show in a terminal.

Knowledge-base entries, answers and file names are data. Control characters and escape
sequences in them must never reach the terminal raw (``\x1b[2J`` would clear the
screen), so they are shown as visible escapes instead.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls (0x9b is a one-byte CSI on some
# terminals), and the bidirectional overrides that can make text read backwards.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str) -> str:
    r"""Return *text* with control characters replaced by visible escapes like ``\x1b``."""
    return _UNSAFE.sub(_visible, text)


def clean_line(text: str) -> str:
    """Like :func:`clean`, and newlines and tabs become visible too (for one-line messages)."""
    return clean(text).replace("\n", "\\n").replace("\t", "\\t")


def quote(value: object, limit: int = 60) -> str:
    """Quote a user-supplied value for an error message, shortened and made harmless."""
    text = clean_line(str(value))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'"
