"""Issue 13: hostile knowledge-base files fail as located problems, in bounded time and memory.

Each test names the finding it covers; each fails on the version that shipped before.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hipthrust_cli import yamlio
from hipthrust_cli.kb import loading
from tests.conftest import TRACEBACK, Run


@pytest.mark.parametrize(
    ("file", "text", "words"),
    [
        (
            "settings.yaml",
            "report_threshold: 0." + "1" * 5000,
            None,  # a long decimal is a fine float; must not crash
        ),
        ("questions.yaml", "questions:\n  - id: q\n    min: " + "9" * 5000, "more than 18 digits"),
        (
            "mistakes.yaml",
            "mistakes:\n  - id: m\n    title: T\n    consequence: C\n    signs:\n"
            "      - {question: pain_level, min: 1, weight: .nan}\n"
            "    fixes: [{text: F, evidence: research}]\n",
            "not a usable number",
        ),
        (
            "mistakes.yaml",
            "mistakes:\n  - id: m\n    title: T\n    consequence: C\n    signs:\n"
            "      - {question: pain_level, min: 1, weight: .inf}\n"
            "    fixes: [{text: F, evidence: research}]\n",
            "not a usable number",
        ),
    ],
)
def test_bad_numbers_in_the_knowledge_base(
    cli: Callable[..., Run], tmp_path: Path, file: str, text: str, words: str | None
) -> None:
    """Shipped: a .nan weight validated clean and silently disabled its mistake."""
    overlay = tmp_path / "o"
    overlay.mkdir()
    (overlay / file).write_text(text)
    run = cli("kb", "validate", str(overlay))
    assert TRACEBACK not in run.stderr and "this is a bug" not in run.stderr
    if words is None:
        assert run.code in (0, 3)
    else:
        assert run.code == 3 and words in run.stdout, run
        assert cli("variations", "--kb", str(overlay)).code == 3


def test_duplicate_ids_are_located_in_linear_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shipped: every problem re-parsed the file (1,000 duplicates: 49 s). Counted, not timed."""
    overlay = tmp_path / "o"
    overlay.mkdir()
    body = "".join(f"  - {{id: d, name: N{i}, how: H}}\n" for i in range(300))
    (overlay / "drills.yaml").write_text("drills:\n" + body)
    composed = []
    real = yamlio.compose
    monkeypatch.setattr(yamlio, "compose", lambda text: composed.append(1) or real(text))
    _, problems = loading.collect([overlay])
    assert len(problems) == 299 and problems[-1].line == 301
    assert len(composed) == 1


def test_an_alias_heavy_file_is_refused(cli: Callable[..., Run], tmp_path: Path) -> None:
    """Shipped: a 572 kB alias file used 2 GB; now expansion is bounded by the file's size."""
    overlay = tmp_path / "o"
    overlay.mkdir()
    lines = ["x: &a [" + ", ".join(["v"] * 200) + "]"]
    lines.append("drills:")
    lines += [f"  - {{id: d{i}, name: N, how: H, targets: *a}}" for i in range(400)]
    (overlay / "drills.yaml").write_text("\n".join(lines) + "\n")
    run = cli("kb", "validate", str(overlay))
    assert run.code == 3 and "aliases" in run.stdout


def test_a_few_aliases_are_still_fine() -> None:
    assert yamlio.parse("a: &x [1, 2]\nb: *x\nc: *x\n", 1000) == {
        "a": [1, 2],
        "b": [1, 2],
        "c": [1, 2],
    }
