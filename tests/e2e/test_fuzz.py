"""Property-based tests: whatever the input, a report or a clean error, never a crash."""

from __future__ import annotations

import copy
import io
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from hipthrust_cli.cli import app
from hipthrust_cli.core.answers import parse_options
from hipthrust_cli.core.diagnose import diagnose
from hipthrust_cli.errors import AnswersError, KnowledgeBaseError
from hipthrust_cli.kb import NOT_SURE, Kind, loading
from hipthrust_cli.session import read_answers_file
from hipthrust_cli.views import markdown, terminal
from hipthrust_cli.views.json import to_json
from tests.conftest import DATA

KB = loading.load()
QIDS = [q.id for q in KB.questions]
CHOICES = sorted({c.id for q in KB.questions for c in q.choices} | {NOT_SURE})
# CI runs a few hundred examples per property; set HIPTHRUST_FUZZ_EXAMPLES for a long hunt.
EXAMPLES = int(os.environ.get("HIPTHRUST_FUZZ_EXAMPLES", "300"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# Writing the fuzzed files took half this module's time with the pure-Python emitter.
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_DUMPER, allow_unicode=True)


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(CHOICES),
    st.integers(min_value=-2, max_value=12),
)
junk = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=8), st.integers()), inner, max_size=3),
    ),
    max_leaves=10,
)
answer_values = st.one_of(junk, st.lists(st.sampled_from(CHOICES), max_size=4))
answer_maps = st.dictionaries(
    st.one_of(st.sampled_from(QIDS), st.text(max_size=20), st.integers()),
    answer_values,
    max_size=12,
)


def _render_all(report: Any) -> None:
    to_json(report)
    markdown.report_text(report)
    terminal.report(report, io.StringIO())


@FUZZ
@given(data=answer_maps)
def test_random_answers_give_a_report_or_a_clean_error(data: dict[Any, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answers.yaml"
        path.write_text(_dump(data))
        try:
            parsed = read_answers_file(path, KB)
        except AnswersError as exc:
            assert exc.message and "\n" not in exc.message and "\x1b" not in exc.message
            return
    for qid, value in parsed.items():
        question = KB.question_by_id[qid]
        if value != NOT_SURE:
            assert isinstance(value, list) == (question.kind is Kind.multi)
    _render_all(diagnose(KB, parsed))


@settings(max_examples=max(100, EXAMPLES // 3), deadline=None)
@given(items=st.lists(st.text(max_size=40), max_size=4))
def test_random_answer_options(items: list[str]) -> None:
    try:
        parsed = parse_options(items, KB)
    except AnswersError:
        return
    _render_all(diagnose(KB, parsed))


@settings(max_examples=max(100, EXAMPLES // 3), deadline=None)
@given(data=answer_maps)
def test_random_answers_through_the_cli(data: dict[Any, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answers.yaml"
        path.write_text(_dump(data))
        result = CliRunner().invoke(app, ["diagnose", "-a", str(path), "--no-input", "-f", "json"])
    assert result.exit_code in (0, 2), result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stderr
    if result.exit_code == 2:
        assert result.stdout == ""


# --- perturbed knowledge bases ------------------------------------------------------------

DOCS = {p.name: yaml.safe_load(p.read_text()) for p in sorted(DATA.glob("*.yaml"))}


@st.composite
def perturbed(draw: st.DrawFn) -> dict[str, Any]:
    """The shipped knowledge base with one to three keys dropped, renamed or retyped."""
    docs = copy.deepcopy(DOCS)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        name = draw(st.sampled_from(sorted(docs)))
        parent: Any = None
        key: Any = None
        node: Any = docs[name]
        while isinstance(node, (dict, list)) and node and draw(st.integers(0, 4)) > 0:
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            parent, key = node, draw(st.sampled_from(keys))
            node = node[key]
        if parent is None:
            docs[name] = draw(junk)
            continue
        action = draw(st.sampled_from(["drop", "rename", "retype", "duplicate"]))
        if action == "drop":
            if isinstance(parent, dict):
                del parent[key]
            else:
                parent.pop(key)
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = parent.pop(key)
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        else:
            parent[key] = draw(junk)
    return docs


@FUZZ
@given(docs=perturbed(), data=answer_maps)
def test_perturbed_knowledge_base_loads_or_fails_cleanly(
    docs: dict[str, Any], data: dict[Any, Any]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, doc in docs.items():
            (folder / name).write_text(_dump(doc))
        try:
            kb = loading.load(base=folder)
        except KnowledgeBaseError as exc:
            assert exc.message and exc.problems
            assert "\n" not in exc.message
            return
        answers_path = folder / "answers.yaml"
        answers_path.write_text(_dump(data))
        try:
            parsed = read_answers_file(answers_path, kb)
        except AnswersError:
            return
    _render_all(diagnose(kb, parsed))
    terminal.form(kb.technique, io.StringIO())
    terminal.variations(kb.variations, io.StringIO())
    terminal.questions(kb, io.StringIO())
