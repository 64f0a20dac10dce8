"""docs/authoring.md cannot rot: its walk-through runs, and every field is documented."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest

from hipthrust_cli.kb.files import FILES
from hipthrust_cli.kb.models import Model

from .conftest import ROOT, Run

DOC = ROOT / "docs" / "authoring.md"
BLOCK = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```", re.S | re.M)


def test_walk_through_runs(
    cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    commands = 0
    for lang, info, body in BLOCK.findall(DOC.read_text()):
        if lang == "yaml" and "file=" in info:
            target = tmp_path / info.split("file=", 1)[1].strip()
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body)
        elif lang == "console":
            lines = body.splitlines()
            for i, line in enumerate(lines):
                if not line.startswith("$ hipthrust "):
                    continue
                commands += 1
                run = cli(*shlex.split(line[len("$ hipthrust ") :]))
                output = run.stdout + run.stderr
                expected = []
                for want in lines[i + 1 :]:
                    if want.startswith("$ "):
                        break
                    expected.append(want.removesuffix("...").rstrip())
                for want in filter(None, expected):
                    assert want in output, f"{line}\n  expected: {want}\n  got:\n{output}"
    assert commands >= 4


def _fields(model: type[Model], seen: set[type[Model]]) -> set[str]:
    if model in seen:
        return set()
    seen.add(model)
    names = set(model.model_fields)
    for field in model.model_fields.values():
        for arg in _walk(field.annotation):
            if isinstance(arg, type) and issubclass(arg, Model):
                names |= _fields(arg, seen)
    return names


def _walk(annotation: object) -> list[object]:
    args = getattr(annotation, "__args__", ()) or ()
    out: list[object] = [annotation]
    for arg in args:
        out += _walk(arg)
    return out


@pytest.mark.parametrize("name", list(FILES))
def test_every_field_is_documented(name: str) -> None:
    text = DOC.read_text()
    for field in _fields(FILES[name].model, set()):
        assert f"`{field}`" in text, f"{name}: field '{field}' is not in docs/authoring.md"
