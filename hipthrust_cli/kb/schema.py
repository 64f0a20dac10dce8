"""The JSON Schema of every knowledge-base file, and naming and browsing its kinds.

For editors (``# yaml-language-server: $schema=…`` at the top of each shipped file) and
for ``hipthrust kb schema`` / ``kb show``. Nothing here prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hipthrust_cli.kb.files import FILES, LIST_KEYS, KnowledgeBase

SCHEMA_DIR = "schema"
KINDS = [*LIST_KEYS, "technique", "settings"]


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of every knowledge-base file, keyed by ``NAME.schema.json``."""
    out = {}
    for name, kb_file in FILES.items():
        schema = kb_file.model.model_json_schema()
        stem = name.removesuffix(".yaml")
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"hipthrust/{stem}.schema.json",
            **schema,
        }
        out[f"{stem}.schema.json"] = schema
    return out


def kind_of(name: str) -> str | None:
    """Normalise a kind given by a user (``red-flags``, ``mistake``, ``questions.yaml``)."""
    key = name.lower().removesuffix(".yaml").replace("-", "_")
    for kind in KINDS:
        if key in (kind, kind.rstrip("s"), kind[:-1]):
            return kind
    return None


def entries(kb: KnowledgeBase, kind: str) -> list[Any]:
    """The entries of a list kind, in knowledge-base order."""
    return list(getattr(kb, kind))


def summary(kb: KnowledgeBase) -> list[tuple[str, int]]:
    """How many entries of each kind the knowledge base holds."""
    return [(kind, len(getattr(kb, kind))) for kind in LIST_KEYS] + [
        ("form steps", len(kb.technique.checklist)),
    ]


def schema_comment(name: str) -> str:
    """The editor hint line a shipped file starts with."""
    return f"# yaml-language-server: $schema={SCHEMA_DIR}/{name.removesuffix('.yaml')}.schema.json"


def schema_path(data_dir: Path, name: str) -> Path:
    """Where the committed schema of file *name* lives."""
    return data_dir / SCHEMA_DIR / f"{name.removesuffix('.yaml')}.schema.json"
