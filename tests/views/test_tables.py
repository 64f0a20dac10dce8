"""Reference tables: what they show, whatever the view."""

from __future__ import annotations

from hipthrust_cli.views.tables import sparkline


def test_sparkline() -> None:
    assert sparkline([0, 5, 10, None, 3]) == "▁▄█ ▃"
