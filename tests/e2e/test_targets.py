"""Issue 13: output targets and inputs that are not plain files are refused, never hung on.

Each test names the finding it covers; each fails on the version that shipped before.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TRACEBACK, Run, story, write_answers


def _answers(tmp_path: Path, **overrides: Any) -> Path:
    return write_answers(tmp_path / "answers.yaml", story(**overrides))


def _fifo(tmp_path: Path) -> Path:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    return fifo


@pytest.fixture
def device(tmp_path: Path) -> Path:
    """A private copy of /dev/null's device node, so a failing test never harms /dev.

    (The shipped version, run as root against the real /dev/null, replaced it with a
    file: exactly the finding this guards against.)
    """
    node = tmp_path / "null"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, AttributeError):
        pytest.skip("making a device node needs root (CI runs as root)")
    return node


@pytest.mark.parametrize(
    "args",
    [
        ["history", "export", "{device}"],
        ["history", "export", "{link}"],
        ["kb", "schema", "questions", "-o", "{device}"],
        ["diagnose", "--no-input", "-f", "json", "-o", "{device}"],
    ],
    ids=["export-device", "export-link-to-device", "schema-device", "report-device"],
)
def test_device_targets_are_refused(
    cli: Callable[..., Run], data_dir: Path, device: Path, args: list[str]
) -> None:
    """Shipped, as root: /dev/null was replaced by a file holding the whole history."""
    link = device.with_name("stdout")  # like /dev/stdout: a link to a device
    link.symlink_to(device)
    run = cli(*[a.format(device=device, link=link) for a in args])
    assert run.code == 2 and "Cannot write" in run.stderr and TRACEBACK not in run.stderr
    assert stat.S_ISCHR(device.lstat().st_mode) and link.is_symlink()


def test_fifo_symlink_and_folder_targets_are_refused(
    cli: Callable[..., Run], tmp_path: Path, data_dir: Path
) -> None:
    answers = str(_answers(tmp_path))
    fifo = _fifo(tmp_path)
    elsewhere = tmp_path / "elsewhere.md"
    elsewhere.write_text("keep me")
    link = tmp_path / "link.md"
    link.symlink_to(elsewhere)
    folder = tmp_path / "folder.md"
    folder.mkdir()
    for target, words in ((fifo, "FIFO"), (link, "symbolic link"), (folder, "folder")):
        run = cli("diagnose", "--answers", answers, "-f", "json", "-o", str(target))
        assert run.code == 2 and words in run.stderr, run
        assert run.stdout == "", "refused before anything ran"
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and link.is_symlink()
    assert elsewhere.read_text() == "keep me" and folder.is_dir()
    assert cli("history", "export", str(link)).code == 2


def test_a_repeated_output_is_an_error(cli: Callable[..., Run], tmp_path: Path) -> None:
    """Shipped: the first -o was silently dropped."""
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    run = cli("diagnose", "--no-input", "-f", "json", "-o", str(a), "-o", str(b))
    assert run.code == 2 and "given 2 times" in run.stderr
    assert not a.exists() and not b.exists()
    assert cli("kb", "schema", "-o", str(a), "-o", str(b)).code == 2


def test_output_dash_writes_the_report_to_stdout_in_the_format(
    cli: Callable[..., Run], tmp_path: Path
) -> None:
    run = cli("diagnose", "--answers", str(_answers(tmp_path)), "-f", "json", "-o", "-")
    assert run.code == 0 and json.loads(run.stdout)["triage"]
    run = cli("diagnose", "--answers", str(_answers(tmp_path)), "-f", "markdown", "-o", "-")
    assert run.code == 0 and run.stdout.startswith("#")
    assert not Path("-").exists()
    assert json.loads(cli("kb", "schema", "questions", "-o", "-").stdout)


def test_the_answers_file_cannot_be_a_fifo(cli: Callable[..., Run], tmp_path: Path) -> None:
    fifo = _fifo(tmp_path)
    run = cli("diagnose", "--answers", str(fifo), "-f", "json")
    assert run.code == 2 and "pipe" in run.stderr
