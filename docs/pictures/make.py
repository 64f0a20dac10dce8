"""Make the README's pictures from the real program, so they show what users see.

    python docs/pictures/make.py          # rewrite docs/pictures/*.svg
    python docs/pictures/make.py --check  # exit 1 if a picture's text is out of date

Each picture is a real run: the report is ``hipthrust diagnose`` on a fixed answers file,
the wizard is ``hipthrust diagnose`` in a pseudo-terminal read through a terminal emulator
(pyte). Both use a fixed width, an empty data folder and no history, so a fresh run gives
the same text. Rich draws the SVG; tests compare the text in it, never the bytes, which
change with Rich releases.
"""

from __future__ import annotations

import html
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

HERE = Path(__file__).resolve().parent
WIDTH, HEIGHT = 100, 34
# An arching lifter who feels it at the top: the README's example person.
ANSWERS = """\
emergency_signs: [none]
urgent_signs: [none]
health_history: [none]
age_band: age_16_to_50
about_pain: [muscle_effort]
where_felt: [lower_back]
when_felt: top
pain_level: 3
lockout_arch: clearly
range_of_motion: full
head_position: chin_tucked
"""


def _env(data_dir: str) -> dict[str, str]:
    return {
        **os.environ,
        "COLUMNS": str(WIDTH),
        "LINES": str(HEIGHT),
        "TERM": "xterm-256color",
        "FORCE_COLOR": "1",
        "HIPTHRUST_DATA_DIR": data_dir,
        "PROMPT_TOOLKIT_NO_CPR": "1",
    }


def report_ansi() -> str:
    """The terminal report of the example person, with its colours."""
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        answers = Path(tmp) / "answers.yaml"
        answers.write_text(ANSWERS)
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "hipthrust_cli",
                "diagnose",
                "--answers",
                str(answers),
                "--no-history",
            ],
            capture_output=True,
            text=True,
            env=_env(tmp),
            timeout=120,
            check=True,
        )
    return run.stdout


def wizard_screen() -> list[list[tuple[str, str]]]:
    """The wizard's first screen, as rows of (character, Rich style) cells."""
    import pexpect
    import pyte

    screen = pyte.Screen(WIDTH, HEIGHT)
    stream = pyte.ByteStream(screen)
    with tempfile.TemporaryDirectory() as tmp:
        child = pexpect.spawn(
            sys.executable,
            ["-m", "hipthrust_cli", "diagnose", "--no-history"],
            env=_env(tmp),
            cwd=tmp,
            dimensions=(HEIGHT, WIDTH),
            timeout=30,
        )
        quiet_since, deadline = time.monotonic(), time.monotonic() + 60
        # Read until the screen has been still for a moment: the first question is drawn.
        while time.monotonic() - quiet_since < 1.5 and time.monotonic() < deadline:
            try:
                stream.feed(child.read_nonblocking(65536, timeout=0.2))
                quiet_since = time.monotonic()
            except pexpect.TIMEOUT:
                pass
        child.sendcontrol("c")
        child.close(force=True)
    rows = []
    for y in range(screen.lines):
        line = screen.buffer[y]
        rows.append([(line[x].data, _style(line[x])) for x in range(screen.columns)])
    while rows and not "".join(c for c, _ in rows[-1]).strip():
        rows.pop()
    return rows


def _style(char: object) -> str:
    parts = []
    for attr in ("bold", "italics", "underscore", "reverse"):
        if getattr(char, attr, False):
            parts.append({"italics": "italic", "underscore": "underline"}.get(attr, attr))
    fg, bg = getattr(char, "fg", "default"), getattr(char, "bg", "default")
    if fg != "default":
        parts.append(_colour(fg))
    if bg != "default":
        parts.append("on " + _colour(bg))
    return " ".join(parts)


def _colour(name: str) -> str:
    if re.fullmatch(r"[0-9a-fA-F]{6}", name):
        return "#" + name.lower()
    return {"brown": "yellow"}.get(name, name)


def _svg(title: str, draw: Callable[[Console], None]) -> str:
    from rich.console import Console

    with open(os.devnull, "w") as nowhere:
        console = Console(record=True, width=WIDTH, file=nowhere, color_system="truecolor")
        draw(console)
    return console.export_svg(title=title)


def report_svg() -> str:
    """The report picture."""
    from rich.text import Text

    return _svg(
        "hipthrust diagnose --answers my-answers.yaml",
        lambda console: console.print(Text.from_ansi(report_ansi()), end=""),
    )


def wizard_svg() -> str:
    """The wizard picture."""
    from rich.text import Text

    def draw(console: Console) -> None:
        for row in wizard_screen():
            text = Text()
            for char, style in row:  # Text merges neighbours of one style into one run
                text.append(char, style or None)
            text.rstrip()
            console.print(text)

    return _svg("hipthrust diagnose", draw)


def svg_text(svg: str) -> str:
    """The text an SVG made by Rich shows, line by line, without trailing spaces.

    Rich draws each run of text at its column (x = column × character width) and leaves
    spaces out, so the columns are rebuilt from x and the character width.
    """
    rows: dict[int, dict[int, str]] = {}
    pattern = (
        r'<text[^>]*\bx="([\d.]+)"[^>]*textLength="([\d.]+)"'
        r'[^>]*clip-path="url\(#[\w-]+-line-(\d+)\)"[^>]*>([^<]*)</text>'
    )
    for match in re.finditer(pattern, svg):
        content = html.unescape(match[4]).replace("\xa0", " ")
        width = float(match[2]) / max(len(content), 1)
        column = round(float(match[1]) / width)
        row = rows.setdefault(int(match[3]), {})
        for offset, char in enumerate(content):
            row[column + offset] = char
    out = []
    for n in range(max(rows, default=-1) + 1):
        cells = rows.get(n, {})
        out.append("".join(cells.get(c, " ") for c in range(max(cells, default=-1) + 1)).rstrip())
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


PICTURES = {"report.svg": report_svg, "wizard.svg": wizard_svg}


def main(argv: list[str]) -> int:
    """Write the pictures, or with --check say which ones are out of date."""
    stale = []
    for name, make in PICTURES.items():
        fresh = make()
        path = HERE / name
        if "--check" in argv:
            old = path.read_text() if path.exists() else ""
            if svg_text(old) != svg_text(fresh):
                stale.append(name)
        else:
            path.write_text(fresh)
            print(f"wrote {path}")
    if stale:
        print(f"out of date: {', '.join(stale)}; run: python docs/pictures/make.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
