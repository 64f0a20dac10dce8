"""kb schema and kb show: the JSON Schema of every file, and browsing the knowledge base."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from hipthrust_cli.kb import schema as kb_schema
from tests.conftest import DATA, Run

# --- kb schema ------------------------------------------------------------------------------------


def test_committed_schema_matches_the_models() -> None:
    for name, schema in kb_schema.json_schemas().items():
        committed = json.loads((DATA / "schema" / name).read_text())
        assert committed == schema, (
            f"data/schema/{name} is stale: run 'hipthrust kb schema -o data/schema'"
        )


def test_data_files_point_to_their_schema() -> None:
    for path in DATA.glob("*.yaml"):
        first = path.read_text().splitlines()[0]
        assert first == kb_schema.schema_comment(path.name), path.name
        assert kb_schema.schema_path(DATA, path.name).is_file()


def test_schema_rejects_what_the_loader_rejects() -> None:
    schema = kb_schema.json_schemas()["drills.schema.json"]
    drill = schema["$defs"]["Drill"]
    assert drill["additionalProperties"] is False
    assert set(drill["required"]) == {"id", "name", "how"}


def test_schema_command(cli: Callable[..., Run], tmp_path: Path) -> None:
    one = cli("kb", "schema", "mistakes")
    assert one.code == 0 and json.loads(one.stdout)["$id"] == "hipthrust/mistakes.schema.json"
    everything = cli("kb", "schema").json()
    assert set(everything) == {
        f"{n.removesuffix('.yaml')}.schema.json" for n in (p.name for p in DATA.glob("*.yaml"))
    }
    run = cli("kb", "schema", "-o", str(tmp_path / "out"))
    assert run.code == 0 and len(list((tmp_path / "out").glob("*.schema.json"))) == 9
    run = cli("kb", "schema", "questions.yaml", "-o", str(tmp_path / "q.json"))
    assert run.code == 0 and json.loads((tmp_path / "q.json").read_text())["type"] == "object"


def test_schema_command_errors(cli: Callable[..., Run], tmp_path: Path) -> None:
    run = cli("kb", "schema", "mistakez")
    assert run.code == 2 and "choose one of" in run.stderr
    run = cli("kb", "schema", "questions", "-o", str(tmp_path / "missing" / "q.json"))
    assert run.code == 2 and "does not exist" in run.stderr
    assert not (tmp_path / "missing").exists()


# --- kb show ---------------------------------------------------------------------------------


def test_show_summary_kind_and_entry(cli: Callable[..., Run]) -> None:
    summary = cli("kb", "show", "-f", "json").json()
    assert summary["mistakes"] >= 12 and summary["questions"] >= 20
    mistakes = cli("kb", "show", "mistakes", "-f", "json").json()
    assert mistakes[0]["id"] == "arching_lower_back"
    entry = cli("kb", "show", "mistake", "weak_core", "-f", "json").json()
    assert entry["prior"]["p"] == 0.2 and entry["prior"]["why"]
    assert entry["evidence"][0]["question"] == "what_you_see"
    assert "present: 0.4" in cli("kb", "show", "mistakes", "weak_core").stdout
    assert "```yaml" in cli("kb", "show", "red-flags", "leg_pain", "-f", "markdown").stdout
    assert "| arching\\_lower\\_back |" in cli("kb", "show", "mistakes", "-f", "markdown").stdout
    assert "checklist" in cli("kb", "show", "technique").stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["kb", "show", "exercises"], "choose one of"),
        (["kb", "show", "mistakes", "weak_cor"], "did you mean weak_core"),
    ],
)
def test_show_errors(cli: Callable[..., Run], args: list[str], needle: str) -> None:
    run = cli(*args)
    assert run.code == 2 and needle in run.stderr and run.stdout == ""
