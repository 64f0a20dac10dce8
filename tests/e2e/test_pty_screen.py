"""In a real pseudo-terminal, what is on the screen: read back, not the bytes that drew it.

Warning signs and echoed answers stay whole at phone and desktop widths, a mis-ticked sign
is listed and taken back, the review list fits 80 by 24, a dumb terminal gets plain ASCII
lists, and --again opens the review under last time's date.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pexpect
import pytest

from hipthrust_cli.kb import loading
from tests.e2e.test_pty import DOWN, ENTER, SPACE, UP, _spawn

pytestmark = pytest.mark.slow


def test_a_phone_sized_terminal_shows_every_warning_sign_whole(tmp_path: Path) -> None:
    env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1", "PROMPT_TOOLKIT_NO_CPR": "1"}
    env.pop("COLUMNS", None)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "hipthrust_cli", "diagnose", "--no-history"],
        env=env,
        cwd=str(tmp_path),
        dimensions=(40, 40),
        encoding="utf-8",
        timeout=30,
    )
    # questionary cuts a choice off at the edge; ours are wrapped under the label instead
    # (40 columns, less "  » ○ " and one spare column).
    import textwrap

    from hipthrust_cli.kb import loading

    gap = r"(?:\x1b\[[0-9;]*m|\s)+"  # line breaks, indentation and style codes
    signs = loading.load().question_by_id["emergency_signs"].choices
    for sign in signs:
        lines = textwrap.wrap(sign.label, 40 - 5 - 1)
        child.expect(gap.join(re.escape(line) for line in lines))
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.wait()  # it closed its end: let it exit before close() would signal it
    child.close()
    assert child.exitstatus == 130


def test_a_sign_ticked_by_mistake_can_be_taken_back(tmp_path: Path) -> None:
    """Tick saddle numbness by mistake, see it listed, go back, and carry on."""
    import json

    import yaml

    from tests.conftest import story

    answers = story(emergency_signs=None)
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(answers))
    child, out = _spawn(tmp_path, "--answers", "a.yaml", "--no-history", "-f", "json")
    child.expect(r"\[1\] Since this back pain started")
    child.send(SPACE + ENTER)  # saddle numbness, by mistake
    child.expect("You told us:")
    child.expect("Numbness or tingling in the saddle area")
    child.expect("Is that right")
    child.send(DOWN + ENTER)  # "← Back: I ticked something by mistake"
    child.expect(r"\[1\] Since this back pain started")
    child.send(SPACE + DOWN * 7 + SPACE + ENTER)  # untick it, tick "None of these"
    child.expect("Ready\\?")
    child.send(ENTER)  # Show my report
    child.expect(pexpect.EOF)
    child.wait()  # it closed its end: let it exit before close() would signal it
    child.close()
    assert child.exitstatus == 0
    report = json.loads(out.read_text())
    assert report["answers"]["emergency_signs"] == ["none"]
    assert report["triage"]["level"] == "self_care" and report["triage"]["complete"] is True


class Screen:
    """hipthrust diagnose in a pseudo-terminal of a given size, read as a person sees it."""

    def __init__(self, tmp_path: Path, columns: int, lines: int, *args: str) -> None:
        import pyte

        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)
        env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1", "PROMPT_TOOLKIT_NO_CPR": "1"}
        env.pop("COLUMNS", None)
        env.pop("LINES", None)
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "hipthrust_cli", "diagnose", "--no-history", "-f", "json", *args],
            env=env,
            cwd=str(tmp_path),
            dimensions=(lines, columns),
            timeout=30,
        )

    def settle(self, text: str) -> list[str]:
        """Read until *text* is on the screen and the screen is still; its rows."""
        import time

        deadline = time.monotonic() + 30
        quiet = time.monotonic()
        while time.monotonic() < deadline:
            try:
                self.stream.feed(self.child.read_nonblocking(65536, timeout=0.2))
                quiet = time.monotonic()
            except pexpect.TIMEOUT:
                if text in "\n".join(self.screen.display) and time.monotonic() - quiet > 0.4:
                    return [row.rstrip() for row in self.screen.display]
            except pexpect.EOF:
                break
        raise AssertionError(f"{text!r} never appeared:\n" + "\n".join(self.screen.display))

    def send(self, keys: str) -> None:
        self.child.send(keys)


def _words_whole(rows: list[str], start: str, expected: str) -> None:
    """The rows from the one starting with *start* read *expected*, no word cut in two."""
    first = next((i for i, row in enumerate(rows) if row.startswith(start)), None)
    assert first is not None, "\n".join(rows)
    words = expected.split()
    got: list[str] = []
    for row in rows[first:]:
        got += row.split()
        if len(got) >= len(words):
            break
    assert got[: len(words)] == words, "\n".join(rows[first : first + 6])


@pytest.mark.parametrize("columns", [40, 100])
def test_answers_are_echoed_whole_words_at_any_width(tmp_path: Path, columns: int) -> None:
    import yaml

    from tests.conftest import story

    answers = story(where_felt=None, lockout_arch=None)
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(answers))
    term = Screen(tmp_path, columns, 120, "--answers", "a.yaml", "--thorough")
    term.settle("Where do you feel")
    term.send(SPACE + DOWN + SPACE + ENTER)  # lower back and glutes
    term.settle("does your lower back arch")
    term.send(DOWN * 2 + ENTER)  # clearly
    rows = term.settle("Ready?")
    assert all(len(row) <= columns for row in rows)
    text = "\n".join(rows)
    assert "selections" not in text, "a checklist names what was ticked"
    kb = loading.load()
    where, arch = kb.question_by_id["where_felt"], kb.question_by_id["lockout_arch"]
    _words_whole(rows, "? [1 of about 2]", f"? [1 of about 2] {where.text} → Lower back; Glutes")
    clearly = where.label_of("glutes")  # "Glutes (buttocks)"
    assert clearly.split()[0] in text
    _words_whole(
        rows, "? [2 of about 2]", f"? [2 of about 2] {arch.text} → {arch.label_of('clearly')}"
    )
    term.send(ENTER)
    term.child.expect(pexpect.EOF)


def test_the_review_list_shows_the_answers_at_80_by_24(tmp_path: Path) -> None:
    import yaml

    from tests.conftest import story

    answers = story(lockout_arch=None)
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(answers))
    term = Screen(tmp_path, 80, 24, "--answers", "a.yaml", "--thorough")
    term.settle("does your lower back arch")
    term.send(DOWN * 2 + ENTER)  # clearly
    term.settle("Ready?")
    term.send(DOWN + ENTER)  # Change an answer
    rows = term.settle("Which answer do you want to change?")
    assert all(len(row) <= 80 for row in rows)
    listed = [row.strip(" »") for row in rows if " — " in row]
    assert len(listed) >= 8, "\n".join(rows)
    # Each line leads with the answer, the part to check: the first is the screen's.
    assert listed[0].startswith("None of these — Since this back pain"), listed[0]
    term.send("\x1b[A" + ENTER)  # "← Back to the list"
    term.settle("Ready?")
    term.send(ENTER)
    term.child.expect(pexpect.EOF)


def test_a_dumb_terminal_gets_plain_ascii_lists(tmp_path: Path) -> None:
    env = {**os.environ, "TERM": "dumb", "NO_COLOR": "1", "PROMPT_TOOLKIT_NO_CPR": "1"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "hipthrust_cli", "diagnose", "--no-history"],
        env=env,
        cwd=str(tmp_path),
        dimensions=(40, 80),
        encoding="utf-8",
        timeout=30,
    )
    child.expect(r"\[ \] None of these")
    child.expect(r"\[ \] Not sure")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.wait()  # it closed its end: let it exit before close() would signal it
    child.close()
    assert child.exitstatus == 130
    assert "○" not in (child.before or "")


def test_again_in_a_real_terminal(tmp_path: Path) -> None:
    """Coming back: the screen and pain asked fresh, then the review under last time's date."""
    import json
    import subprocess

    import yaml

    from tests.conftest import story

    data = tmp_path / "data"
    env = {**os.environ, "HIPTHRUST_DATA_DIR": str(data)}
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(story(bench_height="high", pain_level=7)))
    first = subprocess.run(
        [sys.executable, "-m", "hipthrust_cli", "diagnose", "-a", "a.yaml", "-f", "json"],
        env=env,
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert first.returncode == 0, first.stderr
    out = tmp_path / "again.json"
    child = pexpect.spawn(
        "/bin/sh",
        ["-c", f"{sys.executable} -m hipthrust_cli diagnose --again -f json > {out}"],
        env={**env, "TERM": "xterm", "NO_COLOR": "1", "PROMPT_TOOLKIT_NO_CPR": "1"},
        cwd=str(tmp_path),
        dimensions=(40, 100),
        encoding="utf-8",
        timeout=30,
    )
    screen = [
        ("Since this back pain started", DOWN * 7 + SPACE + ENTER),
        ("Do any of these apply to your back pain", DOWN * 10 + SPACE + ENTER),
        ("Do any of these apply to your health", DOWN * 6 + SPACE + ENTER),
        ("How old are you", UP * 2 + ENTER),
        ("About the lower-back feeling", DOWN * 7 + SPACE + ENTER),
        ("How strong is the lower-back feeling", "3" + ENTER),
    ]
    for text, keys in screen:
        child.expect(re.escape(text))
        child.expect(r"\(arrow keys|\(Space|\(type")
        child.send(keys)
    child.expect(r"Your answers from \w{3} \d+ \w{3} \d{4}, \d\d:\d\d \(session #1\):")
    child.expect("A bench above 50 cm")
    child.expect("Ready\\?")
    child.send(ENTER)
    child.expect(pexpect.EOF)
    child.wait()  # it closed its end: let it exit before close() would signal it
    child.close()
    assert child.exitstatus == 0
    report = json.loads(out.read_text())
    assert report["answers"]["pain_level"] == 3, "today's pain, not last time's 7"
    assert report["answers"]["bench_height"] == "high", "carried over from session #1"
    assert report["interview"]["asked"][-1] == "pain_level", "nothing else asked one by one"
