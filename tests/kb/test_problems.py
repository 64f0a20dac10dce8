"""Problems name file, line and key path on one clean line; suggestions are close ids."""

from __future__ import annotations

from pathlib import Path

from hipthrust_cli.kb.problems import Problem, SourceTexts, did_you_mean, suggest


def test_a_problem_is_one_located_line(tmp_path: Path) -> None:
    path = tmp_path / "drills.yaml"
    path.write_text("drills:\n  - id: a\n    name: A\n  - id: b\n    name: B\n")
    texts = SourceTexts()
    texts.texts[path] = path.read_text()
    problem = texts.problem(path, ["drills", 1, "name"], "bad\x1b[31m\nname")
    assert str(problem) == f"{path}:5: drills[1].name: bad\\x1b[31m\\nname"
    assert "\x1b" not in str(problem) and "\n" not in str(problem)
    assert problem.severity == "error"
    assert str(Problem(None, None, "settings", "what — do")) == "settings: what — do"


def test_did_you_mean_offers_only_close_words() -> None:
    known = ["pain_level", "pain_where", "back_history"]
    assert did_you_mean("pain_levl", known) == "did you mean 'pain_level', 'pain_where'?"
    assert did_you_mean("pain_levl", known, n=1, quoted=False) == "did you mean pain_level?"
    assert did_you_mean("xyz", known) is None
    assert suggest("back_histry", known) == "; did you mean 'back_history'?"
    assert suggest("xyz", known) == ""


def test_did_you_mean_phrases_the_matches_of_another_search() -> None:
    found = ["Weighted Glute Bridge", "Resistance Band Bridge"]
    assert (
        did_you_mean("bridge", found, n=5, cutoff=None, joiner=" or ")
        == "did you mean 'Weighted Glute Bridge' or 'Resistance Band Bridge'?"
    )
    assert did_you_mean("bridge", [], cutoff=None) is None
