"""Every bad input gets one clear sentence on stderr, the documented exit code, no traceback.

Each row of the matrix runs the real CLI and checks what the user sees: the exit code,
the message naming the file/key/value and what to do, nothing on stdout for a failed
``--format json`` run, and never a Python traceback.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hipthrust_cli.core import diagnose as engine
from tests.conftest import DATA, ROOT, TRACEBACK, Run, as_user, needs_root, story, write_answers

PACKAGE = ROOT / "hipthrust_cli"


def _check(run: Run, code: int, *needles: str) -> None:
    assert run.code == code, run
    assert run.stdout == "", "a failed json run writes nothing to stdout"
    assert TRACEBACK not in run.stderr
    assert 1 <= len(run.stderr.strip().splitlines()) <= 2, run.stderr
    for needle in needles:
        assert needle in run.stderr, (needle, run.stderr)


# --- answers -------------------------------------------------------------------------------

ANSWER_CASES: dict[str, tuple[str | bytes | None, tuple[str, ...]]] = {
    "missing file": (None, ("does not exist",)),
    "malformed yaml": ("pain_level: 3\nwhere_felt: [lower_back\n", ("not valid YAML", ":3")),
    "a list not a mapping": ("- pain_level\n", ("expected a mapping",)),
    "unknown question": ("pain_levle: 3\n", ("no question 'pain_levle'", "did you mean")),
    "unknown choice": ("tempo: slow\n", ("'slow' is not a choice of 'tempo'", "valid: controlled")),
    "scale out of range": ("pain_level: 11\n", ("11 is out of range", "0 to 10")),
    "scale not a number": ("pain_level: lots\n", ("'lots' is not a valid answer", "0 to 10")),
    "multi given a scalar": ("where_felt: lower_back\n", ("takes a list", "[lower_back]")),
    "python tag": ("a: !!python/object/apply:os.system ['true']\n", ("not allowed",)),
    "binary garbage": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ("binary",)),
    "non-utf8": (b"pain_level: 3\nanatomy: caf\xe9\n", ("not UTF-8", ":2")),
    "alias bomb": (
        "a: &a [x,x,x,x,x,x,x,x,x,x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 10)}]\n"
            for i in range(8)
        ),
        ("expands to more than",),
    ),
    "over 1 MiB": ("#" + "x" * (1_048_577) + "\n", ("1 MiB limit",)),
    "duplicate key": ("tempo: bounce\ntempo: controlled\n", ("twice", ":2")),
    # PyYAML's wording for this varies by release; what matters is the line number.
    "deep nesting": ("a: " + "[" * 5000 + "]" * 5000 + "\n", ("answers.yaml:1:",)),
}


@pytest.mark.parametrize("case", list(ANSWER_CASES))
def test_bad_answers_file(cli: Callable[..., Run], tmp_path: Path, case: str) -> None:
    content, needles = ANSWER_CASES[case]
    path = tmp_path / "answers.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    _check(cli("diagnose", "--answers", str(path), "-f", "json"), 2, str(path), *needles)


def test_answers_file_is_a_folder(cli: Callable[..., Run], tmp_path: Path) -> None:
    _check(cli("diagnose", "--answers", str(tmp_path), "-f", "json"), 2, "is a folder")


@needs_root
def test_answers_file_unreadable(cli: Callable[..., Run], shared_tmp: Path) -> None:
    """As a real unprivileged user, not a monkeypatched open."""
    path = write_answers(shared_tmp / "a.yaml", {"pain_level": 3})
    args = ("diagnose", "--answers", str(path), "-f", "json", "--no-history")
    assert cli(*args).code == 0  # as root: imports everything the child will need
    import typer.rich_utils  # noqa: F401 - Typer reports a usage error through Rich

    path.chmod(0o600)

    def run() -> list[Any]:
        result = cli(*args)
        return [result.code, result.stdout, result.stderr]

    code, stdout, stderr = as_user(run)
    assert code == 2 and not stdout and TRACEBACK not in stderr
    said = re.sub(r"[\s│]+", " ", stderr)
    assert "is not readable" in said or "permission denied" in said, stderr


def test_answers_from_a_device(cli: Callable[..., Run]) -> None:
    _check(cli("diagnose", "--answers", "/dev/zero", "-f", "json"), 2, "is a device")


def test_empty_answers_file_is_no_answers(cli: Callable[..., Run], tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("")
    run = cli("diagnose", "--answers", str(path), "-f", "json")
    assert run.code == 0 and run.json()["answers"] == {}


def test_blank_value_is_unanswered(cli: Callable[..., Run], tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("pain_level:\ntempo: bounce\n")
    assert cli("diagnose", "--answers", str(path), "-f", "json").json()["answers"] == {
        "tempo": "bounce"
    }


def test_answer_without_equals(cli: Callable[..., Run]) -> None:
    _check(cli("diagnose", "--answer", "pain_level", "-f", "json"), 2, "expected QID=VALUE")


def test_answer_with_bad_value_names_it(cli: Callable[..., Run]) -> None:
    _check(cli("diagnose", "--answer", "pain_level=eleven", "-f", "json"), 2, "'eleven'")


def test_ignored_answers_said_with_verbose(cli: Callable[..., Run], tmp_path: Path) -> None:
    path = write_answers(tmp_path / "a.yaml", story(knee_to_wall="easily", footwear="cushioned"))
    run = cli("diagnose", "--answers", str(path), "-f", "json", "--verbose")
    assert run.code == 0 and "ignored the answer to 'footwear'" in run.stderr
    quiet = cli("diagnose", "--answers", str(path), "-f", "json")
    assert quiet.stderr.startswith("Saved as session #") and quiet.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "value", ["²", "--5", "9" * 5000, "nan", "inf", "-inf", "1e400", "٣", "4.0", " "]
)
def test_bad_scale_answers_on_the_command_line(cli: Callable[..., Run], value: str) -> None:
    run = cli("diagnose", "--answer", f"pain_level={value}", "--no-input", "-f", "json")
    assert run.code == 2 and "pain_level" in run.stderr and TRACEBACK not in run.stderr
    assert "this is a bug" not in run.stderr and len(run.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("pain_level: " + "9" * 5000, "more than 18 digits"),
        ("pain_level: .nan", "not a usable number"),
        ("pain_level: -.inf", "not a usable number"),
        ("pain_level: 1.0e+400", "not a usable number"),
        ("pain_level: 3\n? " + "9" * 5000 + "\n: x", "more than 18 digits"),
    ],
)
def test_bad_numbers_in_an_answers_file(
    cli: Callable[..., Run], tmp_path: Path, text: str, words: str
) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(text)
    run = cli("diagnose", "--answers", str(path), "-f", "json")
    assert run.code == 2 and words in run.stderr and str(path) in run.stderr, run


# --- knowledge base ---------------------------------------------------------------------------


def _overlay(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "kb"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)
    return folder


KB_CASES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "malformed yaml": ("drills.yaml", "drills:\n  - id: x\n   name: y\n", ("not valid YAML",)),
    "misspelt key": (
        "drills.yaml",
        "drills:\n  - id: x\n    name: X\n    hwo: H\n",
        ("drills.yaml:4", "drills[0].hwo", "unknown key", "did you mean 'how'"),
    ),
    "unknown top-level key": ("drills.yaml", "drils: []\n", ("drils", "unknown key")),
    "missing field": ("drills.yaml", "drills:\n  - id: x\n    name: X\n", ("drills[0].how",)),
    "wrong type": (
        "variations.yaml",
        "variations:\n  - {id: v, name: V, target_muscles: glutes, reps: '1', goal: [a],"
        " equipment: [b], level: beginner}\n",
        ("target_muscles", "valid list"),
    ),
    "duplicate id": (
        "drills.yaml",
        "drills:\n  - {id: x, name: X, how: H}\n  - {id: x, name: Y, how: H}\n",
        ("used twice", "drills.yaml:3"),
    ),
    "unknown question ref": (
        "notes.yaml",
        "notes:\n  - id: n\n    text: T\n    evidence: research\n"
        "    any: [{question: pain_lvl, min: 3}]\n",
        ("no question 'pain_lvl'", "did you mean 'pain_level'"),
    ),
    "unknown choice ref": (
        "notes.yaml",
        "notes:\n  - id: n\n    text: T\n    evidence: research\n"
        "    any: [{question: tempo, answers: [slow]}]\n",
        ("no choice 'slow'",),
    ),
    "unknown drill ref": (
        "mistakes.yaml",
        "mistakes:\n  - id: m\n    title: T\n    consequence: C\n"
        "    kind_of_evidence: observation\n    prior: {p: 0.1, why: W}\n"
        "    evidence: [{question: tempo, answers: [bounce], present: 0.5, absent: 0.1, why: W}]\n"
        "    fixes: [{text: F, evidence: expert_opinion}]\n    drills: [planks]\n",
        ("no drill or alternative 'planks'", "did you mean 'plank'"),
    ),
    "python tag": ("drills.yaml", "drills: !!python/name:os.system\n", ("not allowed",)),
    "scale min above max": (
        "questions.yaml",
        "questions:\n  - {id: q, text: T, why: W, kind: scale, min: 5, max: 1}\n",
        ("greater than max",),
    ),
    "question without choices": (
        "questions.yaml",
        "questions:\n  - {id: q, text: T, why: W, kind: multi}\n",
        ("needs at least one choice",),
    ),
    "mistake without evidence": (
        "mistakes.yaml",
        "mistakes:\n  - {id: m, title: T, consequence: C, kind_of_evidence: proxy,"
        " prior: {p: 0.1, why: W}, evidence: [], fixes: [{text: F, evidence: research}]}\n",
        ("mistakes[0].evidence",),
    ),
    "old-format mistake": (
        "mistakes.yaml",
        "mistakes:\n  - {id: m, title: T, consequence: C,"
        " signs: [{question: tempo, answers: [bounce], weight: 2}],"
        " fixes: [{text: F, evidence: research}]}\n",
        ("instead of 'signs' with weights",),
    ),
    "probability out of range": (
        "mistakes.yaml",
        "mistakes:\n  - {id: m, title: T, consequence: C, kind_of_evidence: proxy,"
        " prior: {p: 0.1, why: W}, evidence: [{question: tempo, answers: [bounce],"
        " present: 1.2, absent: 0.1, why: W}], fixes: [{text: F, evidence: research}]}\n",
        ("mistakes[0].evidence[0].present",),
    ),
    "unknown red-flag level": (
        "red_flags.yaml",
        "red_flags:\n  - {id: r, level: critical, title: T, source: S,"
        " any: [{question: tempo, answers: [bounce]}]}\n",
        ("red_flags[0].level",),
    ),
    "evidence not allowed": (
        "mistakes.yaml",
        "mistakes:\n  - {id: m, title: T, consequence: C,"
        " kind_of_evidence: observation, prior: {p: 0.1, why: W},"
        " evidence: [{question: tempo, answers: [bounce], present: 0.5, absent: 0.1, why: W}],"
        " fixes: [{text: F, evidence: anecdote}]}\n",
        ("evidence",),
    ),
}


@pytest.mark.parametrize("case", list(KB_CASES))
def test_bad_knowledge_base(cli: Callable[..., Run], tmp_path: Path, case: str) -> None:
    name, text, needles = KB_CASES[case]
    folder = _overlay(tmp_path, name, text)
    _check(cli("diagnose", "--no-input", "--kb", str(folder), "-f", "json"), 3, name, *needles)
    # The same through the environment variable.
    run = cli("variations", "-f", "json", env={"HIPTHRUST_KB": str(folder)})
    _check(run, 3, name)


def test_empty_kb_file_is_fine(cli: Callable[..., Run], tmp_path: Path) -> None:
    folder = _overlay(tmp_path, "drills.yaml", "")
    assert cli("form", "--kb", str(folder), "-f", "json").code == 0


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_kb_folder_missing_or_a_file(cli: Callable[..., Run], tmp_path: Path, kind: str) -> None:
    target = tmp_path / "kb"
    if kind == "file":
        target.write_text("x")
    needle = "does not exist" if kind == "missing" else "is a file"
    _check(cli("form", "--kb", str(target), "-f", "json"), 3, str(target), needle)


def test_kb_file_that_is_a_folder(cli: Callable[..., Run], tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    (folder / "drills.yaml").mkdir(parents=True)
    _check(cli("form", "--kb", str(folder), "-f", "json"), 3, "drills.yaml", "is a folder")


# --- internal errors ------------------------------------------------------------------------------


def _boom(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("boom")


def test_internal_error_is_one_line_and_a_log(
    cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HIPTHRUST_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(engine, "diagnose", _boom)
    run = cli("diagnose", "--no-input", "-f", "json")
    _check(run, 1, "unexpected problem", "RuntimeError")
    log = Path(re.search(r"written to (\S+\.log)", run.stderr).group(1))  # type: ignore[union-attr]
    assert log.parent == tmp_path / "data"
    assert "RuntimeError: boom" in log.read_text() and TRACEBACK in log.read_text()


def test_internal_error_log_never_goes_to_a_shared_folder(
    cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The shipped version fell back to /tmp/hipthrust, which anyone can pre-create."""
    import tempfile

    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv("HIPTHRUST_DATA_DIR", str(blocker / "sub"))
    monkeypatch.setattr(engine, "diagnose", _boom)
    shared = Path(tempfile.gettempdir()) / "hipthrust"
    before = set(shared.iterdir()) if shared.is_dir() else set()
    run = cli("diagnose", "--no-input", "-f", "json")
    assert run.code == 1 and "nowhere" in run.stderr and TRACEBACK not in run.stderr
    assert (set(shared.iterdir()) if shared.is_dir() else set()) == before


def test_internal_error_log_is_private(
    cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("HIPTHRUST_DATA_DIR", str(data))
    monkeypatch.setattr(engine, "diagnose", _boom)
    run = cli("diagnose", "--no-input", "-f", "json")
    (log,) = data.glob("hipthrust-error-*.log")
    assert run.code == 1 and str(log) in run.stderr
    assert log.stat().st_mode & 0o777 == 0o600 and data.stat().st_mode & 0o777 == 0o700


def test_debug_shows_the_traceback(
    cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "diagnose", _boom)
    run = cli("diagnose", "--no-input", "-f", "json", env={"HIPTHRUST_DEBUG": "1"})
    assert run.code == 1 and TRACEBACK in run.stderr


# --- commands ------------------------------------------------------------------------------------


def test_unknown_command_and_option_are_usage_errors(cli: Callable[..., Run]) -> None:
    for args in (["diagnoze"], ["diagnose", "--answerz", "x"], ["variations", "--format", "xml"]):
        run = cli(*args)
        assert run.code == 2 and TRACEBACK not in run.stderr and run.stdout == ""


def test_variation_name_that_matches_nothing(cli: Callable[..., Run]) -> None:
    _check(cli("variations", "\x1b[2Jnordic curl", "-f", "json"), 2, "\\x1b[2J")


# --- the terminal: real processes -----------------------------------------------------------------


def _run(args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **env}
    return subprocess.run(
        ["/bin/sh", "-c", f"{sys.executable} -m hipthrust_cli {args}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=full_env,
        timeout=60,
    )


def test_stdin_not_a_terminal(tmp_path: Path) -> None:
    proc = _run("diagnose < /dev/null", tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "--answers" in proc.stderr and "--no-input" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_stdin_closed(tmp_path: Path) -> None:
    proc = _run("diagnose 0<&-", tmp_path)
    assert proc.returncode == 2 and "--no-input" in proc.stderr and TRACEBACK not in proc.stderr


def test_stdout_piped_into_head(tmp_path: Path) -> None:
    for command in ("form", "variations", "questions --format json"):
        proc = _run(f"{command} | head -n 1", tmp_path, COLUMNS="100")
        assert proc.stderr == "", proc.stderr
        assert proc.stdout.count("\n") == 1


@pytest.mark.parametrize("command", ["variations", "alternatives", "form", "questions"])
def test_narrow_dumb_terminal_keeps_words_whole(tmp_path: Path, command: str) -> None:
    proc = _run(command, tmp_path, TERM="dumb", NO_COLOR="1", COLUMNS="40")
    assert proc.returncode == 0
    assert "\x1b" not in proc.stdout
    lines = proc.stdout.splitlines()
    assert max(len(line) for line in lines) <= 40
    # A word broken across lines leaves fragments that are not words of the knowledge base
    # or of the program's own text.
    source = " ".join(p.read_text() for p in [*DATA.glob("*.yaml"), *PACKAGE.rglob("*.py")])
    vocabulary = set(re.findall(r"[A-Za-z]+", source))
    fragments = set(re.findall(r"[A-Za-z]+", proc.stdout)) - vocabulary
    assert not fragments, fragments


def test_narrow_dumb_terminal_report(tmp_path: Path) -> None:
    answers = write_answers(
        tmp_path / "a.yaml",
        story(lockout_arch="clearly", plank_time="under_30s", bench_height="high", pain_level=6),
    )
    proc = _run(f"diagnose --answers {answers}", tmp_path, TERM="dumb", NO_COLOR="1", COLUMNS="40")
    assert proc.returncode == 0 and "\x1b" not in proc.stdout
    assert max(len(line) for line in proc.stdout.splitlines()) <= 40
    source = " ".join(p.read_text() for p in [*DATA.glob("*.yaml"), *PACKAGE.rglob("*.py")])
    fragments = set(re.findall(r"[A-Za-z]+", proc.stdout)) - set(re.findall(r"[A-Za-z]+", source))
    assert not fragments, fragments
