"""Finding variations by what people call them, and filtering them."""

from __future__ import annotations

import pytest

from hipthrust_cli.core import variations
from hipthrust_cli.kb import loading

KB = loading.load()


@pytest.mark.parametrize(
    ("query", "expected", "noted"),
    [
        ("hip thrust", "standard_hip_thrust", False),
        ("barbell hip thrust", "standard_hip_thrust", False),
        ("Barbell Hip-Thrust", "standard_hip_thrust", False),
        ("banded", "resistance_band_bridge", True),
        ("band", "resistance_band_bridge", True),
        ("glute brigde", "weighted_glute_bridge", True),
        ("single leg", "single_leg_hip_thrust", False),
        ("singel leg hip thrust", "single_leg_hip_thrust", True),
        ("single_leg_hip_thrust", "single_leg_hip_thrust", False),
        ("pulses", "pulse_hip_thrust", False),
        ("bodyweigth hip thrust", "bodyweight_hip_thrust", True),
    ],
)
def test_found_by_common_names(query: str, expected: str, noted: bool) -> None:
    search = variations.find(KB.variations, query)
    assert search.found is not None and search.found.id == expected
    assert (search.note is not None) is noted
    if noted:
        assert search.found.name in (search.note or "")


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("bridge", {"Weighted Glute Bridge", "Resistance Band Bridge"}),
        ("thrust", {"Standard Hip Thrust", "Single-Leg Hip Thrust", "Bodyweight Hip Thrust"}),
    ],
)
def test_several_matches_are_listed(query: str, names: set[str]) -> None:
    search = variations.find(KB.variations, query)
    assert search.found is None and names <= set(search.candidates)


@pytest.mark.parametrize("query", ["zercher squat", "", "  ", "!!!"])
def test_nothing_found(query: str) -> None:
    assert variations.find(KB.variations, query) == variations.Search()


def test_filters() -> None:
    ids = {v.id for v in variations.select(KB.variations, equipment="banded")}
    assert ids == {"resistance_band_bridge", "pulse_hip_thrust"}
    assert variations.select(KB.variations, level="ADVANCED")[0].id == "single_leg_hip_thrust"
    assert variations.select(KB.variations, goal="mass", level="beginner") == []
