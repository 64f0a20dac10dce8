"""The one registry of knowledge-base files agrees with the knowledge base it builds."""

from __future__ import annotations

import dataclasses

from hipthrust_cli.kb import KnowledgeBase
from hipthrust_cli.kb.files import FILES, LIST_KEYS
from tests.conftest import DATA


def test_every_registered_file_fills_a_field_of_the_knowledge_base(kb: KnowledgeBase) -> None:
    fields = {f.name for f in dataclasses.fields(KnowledgeBase)}
    for kb_file in FILES.values():
        assert kb_file.attr in fields, kb_file.name
        assert getattr(kb, kb_file.attr), f"{kb_file.name} gave nothing"
    assert set(LIST_KEYS) <= fields


def test_the_registry_names_exactly_the_shipped_files() -> None:
    assert set(FILES) == {p.name for p in DATA.glob("*.yaml")}


def test_a_file_of_entries_reads_its_list_and_removals() -> None:
    model = FILES["drills.yaml"].model
    parsed = model.model_validate(
        {"drills": [{"id": "a", "name": "A", "how": "H"}], "remove": ["b"]}
    )
    assert [d.id for d in parsed.drills] == ["a"] and parsed.remove == ["b"]  # type: ignore[attr-defined]
    assert model.__name__ == "DrillsFile"
