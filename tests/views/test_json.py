"""JSON output is strict JSON: numbers a parser would refuse become null."""

from __future__ import annotations

import json
from typing import Any


def _strict_json(text: str) -> Any:
    def refuse(name: str) -> None:
        raise AssertionError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_json_output_never_contains_nan() -> None:
    from hipthrust_cli.views.json import to_json

    text = to_json({"a": float("nan"), "b": [float("inf"), 1.5]})
    assert _strict_json(text) == {"a": None, "b": [None, 1.5]}
