"""Reports written with -o: Markdown and a self-contained, escaped HTML page."""

from __future__ import annotations

import json
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import TRACEBACK, Run, story, write_answers


def _diagnose(cli: Callable[..., Run], tmp_path: Path, *extra: str, **answers: object) -> Run:
    path = write_answers(tmp_path / "a.yaml", story(**answers))
    return cli("diagnose", "--answers", str(path), "-f", "json", *extra)


@pytest.mark.parametrize("name", ["report.md", "report.html"])
def test_output_files(cli: Callable[..., Run], tmp_path: Path, data_dir: Path, name: str) -> None:
    target = tmp_path / name
    run = _diagnose(cli, tmp_path, "-o", str(target), bench_height="high")
    assert run.code == 0 and json.loads(run.stdout)["findings"], "the report still prints"
    text = target.read_text()
    assert "Bench too high" in text and "does not replace" in text
    if name.endswith(".html"):
        _check_html(text)
    again = tmp_path / f"again-{name}"
    assert cli("history", "show", "1", "-o", str(again), "-f", "json").code == 0
    assert again.read_text() == text


def _check_html(text: str) -> None:
    class Check(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.sources: list[str] = []
            self.tags: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.append(tag)
            self.sources += [v or "" for k, v in attrs if k in ("src", "href")]

    checker = Check()
    checker.feed(text)
    assert text.startswith("<!doctype html>")
    assert checker.sources == [], "no external assets"
    assert "script" not in checker.tags
    assert 'name="viewport"' in text and "@media print" in text


def test_html_escapes_knowledge_base_text(cli: Callable[..., Run], tmp_path: Path) -> None:
    overlay = tmp_path / "kb"
    overlay.mkdir()
    (overlay / "drills.yaml").write_text(
        'drills:\n  - {id: chin_tuck, name: "<script>alert(1)</script>", how: H}\n'
    )
    target = tmp_path / "r.html"
    run = cli(
        "diagnose",
        "--kb",
        str(overlay),
        "--no-input",
        "--no-history",
        "--answer",
        "head_position=looking_up",
        "--answer",
        "what_you_see=head_back",
        "-o",
        str(target),
    )
    assert run.code == 0
    text = target.read_text()
    assert "<script>" not in text and "&lt;script&gt;" in text


@pytest.mark.parametrize("target", ["missing/dir/r.md", "r.txt"])
def test_output_path_errors(
    cli: Callable[..., Run], tmp_path: Path, data_dir: Path, target: str
) -> None:
    run = _diagnose(cli, tmp_path, "-o", str(tmp_path / target))
    assert run.code == 2 and run.stdout == "" and TRACEBACK not in run.stderr
    assert ".md" in run.stderr or "does not exist" in run.stderr
    assert not (tmp_path / "missing").exists()


def test_after_a_referral_the_form_is_information_not_a_to_do_list(
    cli: Callable[..., Run], tmp_path: Path, data_dir: Path
) -> None:
    """Every view agrees: after a referral nothing in the form is a box to tick now."""
    page, notes = tmp_path / "r.html", tmp_path / "r.md"
    assert _diagnose(cli, tmp_path, "-o", str(page), urgent_signs=["cancer_history"]).code == 0
    assert _diagnose(cli, tmp_path, "-o", str(notes), urgent_signs=["cancer_history"]).code == 0
    html, markdown = page.read_text(), notes.read_text()
    assert "After you have been checked" in html
    assert '<ul class="check">' not in html and "- [ ] " not in markdown
    # A person with no warning sign gets the form as a checklist, in every view.
    plain = tmp_path / "plain.html"
    assert _diagnose(cli, tmp_path, "-o", str(plain), bench_height="high").code == 0
    assert '<ul class="check">' in plain.read_text()
