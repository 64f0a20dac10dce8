"""Answers files and --answer values: valid ones are read, bad ones named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hipthrust_cli import yamlio
from hipthrust_cli.core.answers import Layers, parse_options
from hipthrust_cli.errors import AnswersError
from hipthrust_cli.kb import NOT_SURE, KnowledgeBase
from hipthrust_cli.session import read_answers_file


def _file(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "answers.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def _bad(kb: KnowledgeBase, path: Path) -> str:
    with pytest.raises(AnswersError) as info:
        read_answers_file(path, kb)
    return info.value.message


def test_reads_every_kind(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "where_felt: [lower_back, glutes]\npain_level: 4\nbench_height: high\nanatomy: not_sure\n",
    )
    assert read_answers_file(path, kb) == {
        "where_felt": ["lower_back", "glutes"],
        "pain_level": 4,
        "bench_height": "high",
        "anatomy": NOT_SURE,
    }


def test_empty_file_is_no_answers(kb: KnowledgeBase, tmp_path: Path) -> None:
    assert read_answers_file(_file(tmp_path, ""), kb) == {}
    assert read_answers_file(_file(tmp_path, "# nothing yet\n"), kb) == {}


def test_unknown_question_suggests(kb: KnowledgeBase, tmp_path: Path) -> None:
    message = _bad(kb, _file(tmp_path, "bench_hieght: high\n"))
    assert "answers.yaml:1" in message and "'bench_hieght'" in message
    assert "did you mean bench_height" in message


def test_unknown_choice_lists_valid(kb: KnowledgeBase, tmp_path: Path) -> None:
    message = _bad(kb, _file(tmp_path, "pain_level: 3\nbench_height: tall\n"))
    assert "answers.yaml:2" in message
    assert "valid: low, slightly_low, standard, slightly_high, high, not_sure" in message


def test_yes_no_booleans_get_a_hint(kb: KnowledgeBase, tmp_path: Path) -> None:
    assert "quote the value" in _bad(kb, _file(tmp_path, "anatomy: no\n"))


@pytest.mark.parametrize("value", ["11", "-1", "'four'", "4.5", "true", "[4]"])
def test_scale_out_of_range_or_not_a_number(kb: KnowledgeBase, tmp_path: Path, value: str) -> None:
    message = _bad(kb, _file(tmp_path, f"pain_level: {value}\n"))
    assert "pain_level" in message and "0 to 10" in message


@pytest.mark.parametrize("value", ["lower_back", "3", "{a: b}", "[]"])
def test_multi_needs_a_list(kb: KnowledgeBase, tmp_path: Path, value: str) -> None:
    message = _bad(kb, _file(tmp_path, f"where_felt: {value}\n"))
    assert "where_felt" in message and "lower_back" in message


def test_exclusive_choices_cannot_combine(kb: KnowledgeBase, tmp_path: Path) -> None:
    message = _bad(kb, _file(tmp_path, "emergency_signs: [none, saddle_numbness]\n"))
    assert "'none' cannot be combined" in message


def test_a_list_instead_of_a_mapping(kb: KnowledgeBase, tmp_path: Path) -> None:
    assert "expected a mapping" in _bad(kb, _file(tmp_path, "- pain_level: 3\n"))


def test_python_tag_refused(kb: KnowledgeBase, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    message = _bad(kb, _file(tmp_path, f"x: !!python/object/apply:os.system ['touch {marker}']\n"))
    assert "not allowed" in message and not marker.exists()


def test_binary_and_non_utf8(kb: KnowledgeBase, tmp_path: Path) -> None:
    assert "binary" in _bad(kb, _file(tmp_path, b"\x00\x01\x02\xff"))
    assert "not UTF-8" in _bad(kb, _file(tmp_path, b"pain_level: 3\nanatomy: \xe9\xff\n"))


def test_alias_bomb_refused(kb: KnowledgeBase, tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        lines.append(f"{chr(ord('a') + i)}: &{chr(ord('a') + i)} [{', '.join(['*' + prev] * 10)}]")
    message = _bad(kb, _file(tmp_path, "\n".join(lines) + "\n"))
    assert "expands to more than" in message


@pytest.mark.parametrize(
    "text",
    ["a: " + "[" * 100_000 + "]" * 100_000 + "\n", "- " * 200_000 + "x\n"],
    ids=["flow", "block"],
)
def test_deep_nesting_refused_without_crashing(
    kb: KnowledgeBase, tmp_path: Path, text: str
) -> None:
    # Behaviour, not wording: PyYAML's C parser may stop this itself (6.0.4 does, with its own
    # sentence) before our guard does. Either way: one line naming the file and the line.
    path = _file(tmp_path, text)
    message = _bad(kb, path)
    assert message.startswith(f"Answers file {path}:1: ")
    assert "\n" not in message


@pytest.mark.parametrize("loader", ["C", "pure Python"])
def test_own_depth_guard(monkeypatch: pytest.MonkeyPatch, loader: str) -> None:
    # The pure-Python loader recurses and has no limit of its own, so our guard must stop
    # deep input first; between our limit and libyaml's, ours speaks for the C loader too.
    if loader == "pure Python":
        monkeypatch.setattr(yamlio, "_Loader", yaml.SafeLoader)
    for depth in (yamlio.MAX_DEPTH + 1, 100, 20_000):
        with pytest.raises(yamlio.YamlProblem) as info:
            yamlio.parse("a: " + "[" * depth + "]" * depth + "\n", 10_000)
        assert info.value.line == 1
        if loader == "pure Python" or depth < 500:
            assert f"nests deeper than {yamlio.MAX_DEPTH} levels" in info.value.message
    depth = yamlio.MAX_DEPTH - 1  # the mapping around the lists is one level too
    nested = "a: " + "[" * depth + "]" * depth + "\n"
    assert yamlio.parse(nested, 10_000) is not None


def test_huge_file_refused_before_parsing(kb: KnowledgeBase, tmp_path: Path) -> None:
    message = _bad(kb, _file(tmp_path, "# " + "x" * (1_048_576 + 10) + "\n"))
    assert "1 MiB limit" in message


def test_missing_folder_and_unreadable(kb: KnowledgeBase, tmp_path: Path) -> None:
    assert "does not exist" in _bad(kb, tmp_path / "nope.yaml")
    assert "is a folder" in _bad(kb, tmp_path)


def test_duplicate_keys_refused(kb: KnowledgeBase, tmp_path: Path) -> None:
    message = _bad(kb, _file(tmp_path, "pain_level: 3\npain_level: 5\n"))
    assert "twice" in message and "answers.yaml:2" in message


def test_options_parse_and_override(kb: KnowledgeBase) -> None:
    parsed = parse_options(["pain_level=4", "where_felt=lower_back, glutes"], kb)
    assert parsed == {"pain_level": 4, "where_felt": ["lower_back", "glutes"]}
    given = Layers(options=parsed, file={"pain_level": 2, "tempo": "bounce"})
    assert given.preset(interactive=True) == {**given.file, **parsed}


@pytest.mark.parametrize("item", ["pain_level", "=4", "pain_level:4"])
def test_option_without_equals(kb: KnowledgeBase, item: str) -> None:
    with pytest.raises(AnswersError, match="expected QID=VALUE"):
        parse_options([item], kb)


def test_control_characters_are_not_echoed_raw(kb: KnowledgeBase) -> None:
    with pytest.raises(AnswersError) as info:
        parse_options(["bench_height=\x1b[2Jtall"], kb)
    assert "\x1b" not in info.value.message and "\\x1b" in info.value.message
