"""The JSON view: reports, tables and knowledge-base data as JSON (the CLI contract).

Never imports Rich. Terminal controls that JSON leaves alone are escaped, and NaN or
infinity becomes null.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, TextIO

from pydantic import BaseModel

if TYPE_CHECKING:  # pragma: no cover - types only
    from hipthrust_cli.core.report import Diagnosis
    from hipthrust_cli.kb import Alternative, KnowledgeBase, Technique, Variation
    from hipthrust_cli.kb.problems import Problem
    from hipthrust_cli.views.blocks import Section

_C1 = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def sections(d: Diagnosis, include_screening: bool = False) -> list[Section]:
    """The sections this view holds: the export's, as the report's own fields.

    Imported only when asked: JSON is drawn from the report itself.
    """
    from hipthrust_cli.views import blocks

    return blocks.export(d, include_screening)


def _finite(value: Any) -> Any:
    """*value* with every NaN or infinity replaced by None, which JSON can say."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value


def _plain(value: Any) -> Any:
    """Models, dataclasses and enums as JSON-ready values."""
    # Cheapest checks first: on Python 3.11, is_dataclass() on an enum costs ~36 µs.
    if value is None or isinstance(value, (str, int, float)):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not (f.metadata.get("omit_if_none") and getattr(value, f.name) is None)
        }
    return value


def to_json(data: Any) -> str:
    r"""Serialise a report, models or plain data as JSON; terminal controls are \u-escaped."""
    plain = _plain(data)
    try:
        text = json.dumps(plain, ensure_ascii=False, indent=2, allow_nan=False)
    except ValueError:  # NaN or infinity (e.g. a damaged history row): null, never 'NaN'
        text = json.dumps(_finite(plain), ensure_ascii=False, indent=2, allow_nan=False)
    # json escapes C0 controls itself; DEL, C1 (0x9b is a one-byte CSI) and bidi overrides
    # can only occur inside strings, where a \u escape means the same character.
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def questions_json(kb: KnowledgeBase) -> list[dict[str, Any]]:
    """The questionnaire in the shape the CLI contract gives for ``questions --format json``."""
    return [
        {
            "id": q.id,
            "text": q.text,
            "why": q.why,
            "kind": q.kind.value,
            "choices": [{"id": c.id, "label": c.label} for c in q.choices],
            "min": q.min,
            "max": q.max,
            "when": [c.model_dump(exclude_none=True) for c in q.when],
            "red_flag": q.red_flag,
            "group": q.group,
        }
        for q in kb.ordered_questions
    ]


def problem_json(problem: Problem) -> dict[str, Any]:
    """One knowledge-base problem as a JSON object."""
    return {
        "file": None if problem.file is None else str(problem.file),
        "line": problem.line,
        "key": problem.key,
        "message": problem.message,
        "severity": problem.severity,
        "text": str(problem),
    }


def _write(data: Any, out: TextIO) -> None:
    out.write(to_json(data) + "\n")


def report(d: Diagnosis, out: TextIO, include_screening: bool = False, saved: Any = None) -> None:
    """The report as JSON; a report from the history exactly as it was *saved*."""
    _write(d if saved is None else saved, out)


def variations(items: Sequence[Variation], out: TextIO, detail: bool = False) -> None:
    """Variations as a JSON list (one by name is a list of one)."""
    _write(items, out)


def alternatives(items: Sequence[Alternative], out: TextIO) -> None:
    """Alternatives as a JSON list."""
    _write(items, out)


def form(t: Technique, out: TextIO) -> None:
    """The technique guide as JSON."""
    _write(t, out)


def questions(kb: KnowledgeBase, out: TextIO) -> None:
    """The questionnaire as JSON (see :func:`questions_json`)."""
    _write(questions_json(kb), out)


def data(
    value: Any,
    title: str,
    out: TextIO,
    rows: Sequence[Sequence[str]] | None = None,
    headings: Sequence[str] = (),
) -> None:
    """Knowledge-base data as JSON, whole (tables are for people)."""
    _write(value, out)


def history(rows: Sequence[Mapping[str, Any]], out: TextIO) -> None:
    """Past sessions as a JSON list, an empty one when there are none."""
    _write(rows, out)
