"""One registry of output formats: every format draws the same report, -o picks by name."""

from __future__ import annotations

import dataclasses
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hipthrust_cli.core.diagnose import diagnose
from hipthrust_cli.core.report import Diagnosis, Previous
from hipthrust_cli.core.report import from_dict as report_from_dict
from hipthrust_cli.kb import KnowledgeBase
from hipthrust_cli.views import blocks, formats
from hipthrust_cli.views.formats import View
from tests.conftest import Run, story

# People whose reports between them hold every kind of section.
PEOPLE: dict[str, dict[str, Any]] = {
    "four causes": story(
        lockout_arch="clearly",
        plank_time="under_30s",
        rep_onset="last_reps",
        bench_height="high",
        tempo="bounce",
    ),
    "same day": story(urgent_signs=["fever_unwell"], lockout_arch="clearly"),
    "emergency": story(emergency_signs=["saddle_numbness"]),
    "nothing found": story(),
}


def _reports(kb: KnowledgeBase) -> dict[str, Diagnosis]:
    out = {name: diagnose(kb, answers) for name, answers in PEOPLE.items()}
    before = Previous(
        date="2026-11-01T10:00:00+00:00",
        findings=[("bench_too_high", "Bench too high"), ("gone", "Gone")],
        pain=6,
    )
    measured = {"lockout_arch": {"words": "Arch at the top — clearly", "text": "195°"}}
    out["progress and video"] = dataclasses.replace(
        diagnose(kb, PEOPLE["four causes"], before), measured=measured, date="2026-11-26T14:02"
    )
    return out


def test_the_people_cover_every_kind_of_section(kb: KnowledgeBase) -> None:
    seen = {
        type(s)
        for d in _reports(kb).values()
        for profile in (blocks.screen, blocks.export)
        for s in profile(d, True)
    }
    assert seen == set(blocks.Section.__subclasses__())


def _drawn(view: View, d: Diagnosis) -> str:
    out = io.StringIO()
    view.report(d, out, True)
    return out.getvalue()


@pytest.mark.parametrize("spec", formats.FORMATS, ids=lambda f: f.name)
def test_every_format_draws_every_section_of_the_report(
    kb: KnowledgeBase, spec: formats.OutputFormat
) -> None:
    view = spec.view()
    for name, d in _reports(kb).items():
        text = _drawn(view, d)
        sections = view.sections(d, True)
        assert isinstance(sections[-1], blocks.Footer), "the clinician note is always last"
        if spec.machine:
            data = json.loads(text)
            for s in sections:  # the report's own fields, each with something in it
                assert data[s.key] not in (None, "", [], {}, False), (name, s.key)
            continue
        at = 0
        for heading in filter(None, map(blocks.heading_of, sections)):
            at = text.find(heading, at)  # each after the one before: in order
            assert at != -1, (name, heading)
        assert d.triage.title.split(":")[0] in text and d.disclaimer.split(".")[0] in text


def test_each_view_implements_the_view_protocol() -> None:
    wanted = [n for n, v in vars(View).items() if callable(v) and not n.startswith("_")]
    assert "report" in wanted and "history" in wanted
    for spec in formats.FORMATS:
        needs = wanted if spec.stdout else ["report", "sections"]
        missing = [n for n in needs if not callable(getattr(spec.view(), n, None))]
        assert not missing, (spec.name, missing)


def test_names_and_endings_are_registered_once() -> None:
    names = [f.name for f in formats.FORMATS]
    endings = [s for f in formats.FORMATS for s in f.suffixes]
    assert len(set(names)) == len(names) and len(set(endings)) == len(endings)
    assert all(s.startswith(".") and s == s.lower() for s in endings)
    assert formats.NAMES[0] == "rich", "the default comes first"


@pytest.mark.parametrize(
    ("spec", "suffix"),
    [(f, s) for f in formats.FORMATS for s in f.suffixes],
    ids=lambda x: getattr(x, "name", x),
)
def test_output_suffix_picks_the_format(
    cli: Any, tmp_path: Path, spec: formats.OutputFormat, suffix: str
) -> None:
    target = tmp_path / f"Report{suffix.upper()}"  # any case
    run: Run = cli(
        "diagnose", "--no-input", "--no-history", "--answer", "bench_height=high",
        "-f", "json", "-o", str(target),
    )  # fmt: skip
    assert run.code == 0, run
    report = report_from_dict(run.json())
    assert target.read_text(encoding="utf-8") == _drawn_plain(spec.view(), report)


def _drawn_plain(view: View, d: Diagnosis) -> str:
    out = io.StringIO()
    view.report(d, out)
    return out.getvalue()


def test_an_unknown_ending_names_every_registered_one(cli: Any, tmp_path: Path) -> None:
    run: Run = cli("diagnose", "--no-input", "--no-history", "-o", str(tmp_path / "r.txt"))
    assert run.code == 2 and run.stdout == ""
    for spec in formats.FORMATS:
        if spec.suffixes:
            assert f"{spec.suffixes[0]} ({spec.described})" in run.stderr


@pytest.mark.parametrize("name", formats.NAMES)
def test_format_option_takes_every_printed_format(cli: Any, name: str) -> None:
    run: Run = cli("form", "-f", name.upper())
    assert run.code == 0 and run.stdout.strip(), run
    help_text = " ".join(cli("form", "--help").stdout.split())
    assert name in help_text


def test_format_option_refuses_others_and_lists_the_choices(cli: Any) -> None:
    run: Run = cli("form", "-f", "html")  # written to files only
    assert run.code == 2
    assert all(repr(n) in run.stderr for n in formats.NAMES)


def test_views_without_rich_never_import_it() -> None:
    code = (
        "import sys\n"
        "import hipthrust_cli.views.blocks, hipthrust_cli.views.tables\n"
        "from hipthrust_cli.views import formats\n"
        "mods = [f.view() for f in formats.FORMATS]\n"
        "print([m for m in sys.modules if m.split('.')[0] == 'rich'])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    ).stdout
    assert out.strip() == "[]", "importing any view (even the terminal's) loads no Rich"
