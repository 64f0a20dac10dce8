"""The README's pictures show what the program prints today (their text, not their bytes)."""

from __future__ import annotations

import importlib.util

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow

_spec = importlib.util.spec_from_file_location("make", ROOT / "docs" / "pictures" / "make.py")
assert _spec and _spec.loader
make = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make)


@pytest.mark.parametrize("name", list(make.PICTURES))
def test_picture_matches_a_fresh_run(name: str) -> None:
    committed = make.svg_text((ROOT / "docs" / "pictures" / name).read_text())
    fresh = make.svg_text(make.PICTURES[name]())
    assert committed.splitlines()[:3], f"{name} shows no text"
    assert committed == fresh, f"docs/pictures/{name} is out of date: python docs/pictures/make.py"


def test_readme_shows_the_pictures() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in make.PICTURES:
        assert f"(docs/pictures/{name})" in readme, name
