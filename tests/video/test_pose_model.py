"""The real pose model on real pixels, with the network blocked (needs hipthrust[video]).

A public-domain photo that ships inside scikit-image (NASA's astronaut) checks that one
person is found; the shared side-view clip, when present beside the checkout, checks the
whole command. Neither is copied into the repository.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hipthrust_cli.video import pose
from tests.conftest import ROOT, story, write_answers

pytestmark = pytest.mark.skipif(
    pose.missing() is not None, reason="the video extra is not installed: pip install '.[video]'"
)

CLIP = ROOT.parent / "shared" / "video" / "bridge-side.mp4"
needs_clip = pytest.mark.skipif(
    not CLIP.is_file(), reason=f"the shared test clip {CLIP} is not present"
)

BLOCK_NETWORK = """
import socket

def _blocked(*args, **kwargs):
    raise OSError("network blocked by the test")

socket.socket.connect = _blocked
socket.socket.connect_ex = _blocked
socket.create_connection = _blocked
socket.getaddrinfo = _blocked
"""


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No network in this process: any download would fail loudly."""

    def blocked(*args: Any, **kwargs: Any) -> Any:
        raise OSError("network blocked by the test")

    monkeypatch.setattr(socket.socket, "connect", blocked)
    monkeypatch.setattr(socket.socket, "connect_ex", blocked)
    monkeypatch.setattr(socket, "create_connection", blocked)
    monkeypatch.setattr(socket, "getaddrinfo", blocked)


def _offline_env(tmp_path: Path) -> dict[str, str]:
    site = tmp_path / "offline"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(BLOCK_NETWORK)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    env["HIPTHRUST_DATA_DIR"] = str(tmp_path / "data")
    env.pop("GLOG_minloglevel", None)
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    return env


def test_one_person_is_found_in_a_photo_offline(offline: None) -> None:
    skimage_data = pytest.importorskip("skimage.data")
    found = pose.detect_image(skimage_data.astronaut())
    assert found is not None
    for name in ("nose", "left_shoulder", "right_shoulder"):
        assert found.image[name].visibility > 0.8
    height = skimage_data.astronaut().shape[0]
    assert 0 < found.image["nose"].y < found.image["left_shoulder"].y < height


def test_the_sitecustomize_really_blocks_the_network(tmp_path: Path) -> None:
    code = "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9', timeout=2)"
    proc = subprocess.run(
        [sys.executable, "-c", code], env=_offline_env(tmp_path), capture_output=True, text=True
    )
    assert proc.returncode != 0 and "network blocked by the test" in proc.stderr


def _hipthrust(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hipthrust_cli", *args],
        env=_offline_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
@needs_clip
def test_the_shared_clip_offline(tmp_path: Path) -> None:
    picture = tmp_path / "top.png"
    proc = _hipthrust(
        tmp_path, "analyze", str(CLIP), "--format", "json", "--annotate", str(picture)
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["reps"] == 5
    assert data["video"]["pose_share"] == 1.0 and data["video"]["checks"]["side_on"]
    assert data["answers"]["shins_at_top"] == "feet_far"
    assert 15 <= data["measurements"]["shin_angle_top_deg"] <= 25
    assert data["answers"]["range_of_motion"] == "full"
    assert data["answers"]["tempo"] == "controlled"
    assert not data["warnings"]
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and picture.stat().st_size > 100_000
    # The model's own logging stays off the terminal; only our line is there.
    assert "TensorFlow" not in proc.stderr and "W0000" not in proc.stderr
    assert proc.stderr.strip() == f"Annotated picture written to {picture}"


@pytest.mark.slow
@needs_clip
def test_diagnose_with_the_shared_clip_marks_what_it_measured(tmp_path: Path) -> None:
    # Someone who films a set has not looked closely yet: "not sure" on the checklist.
    answers = story(
        shins_at_top=None,
        range_of_motion=None,
        tempo=None,
        head_position=None,
        what_you_see="not_sure",
    )
    path = write_answers(tmp_path / "answers.yaml", answers)
    proc = _hipthrust(
        tmp_path, "diagnose", "--video", str(CLIP), "--answers", str(path), "--format", "json"
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["answers"]["shins_at_top"] == "feet_far"
    assert data["measured"]["shins_at_top"]["source"] == "video"
    assert data["findings"] and data["findings"][0]["id"]
    assert "Measured from video:" in proc.stderr


def test_a_file_that_is_not_a_video(tmp_path: Path) -> None:
    bad = tmp_path / "notes.mp4"
    bad.write_text("hello")
    proc = _hipthrust(tmp_path, "analyze", str(bad))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("Error: ")
    assert "could not be opened as a video" in proc.stderr
    assert "Traceback" not in proc.stderr
    missing = _hipthrust(tmp_path, "analyze", str(tmp_path / "nope.mp4"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr


@pytest.mark.slow
@needs_clip
def test_the_wizard_asks_fewer_questions_with_a_video(tmp_path: Path) -> None:
    """In a real terminal, asking everything (--thorough): 5 questions, with the video 1."""
    import pexpect
    import yaml

    answers = story(shins_at_top=None, range_of_motion=None, tempo=None, head_position=None)
    answers.pop("foot_stance")  # a camera cannot see this one: it is still asked
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(answers))
    env = {
        **_offline_env(tmp_path),
        "TERM": "xterm-256color",
        "NO_COLOR": "1",
        "PROMPT_TOOLKIT_NO_CPR": "1",
    }

    def first_prompt(*extra: str) -> str:
        cmd = f"{sys.executable} -m hipthrust_cli diagnose --answers a.yaml --no-history --thorough"
        child = pexpect.spawn(
            "/bin/sh",
            ["-c", " ".join([cmd, *extra]) + " > report.txt"],
            env=env,
            cwd=str(tmp_path),
            dimensions=(40, 100),
            encoding="utf-8",
            timeout=120,
        )
        child.expect(r"\[1 of about (\d+)\] ([^\r\n]{10,40})")
        shown = f"{child.match.group(1)} {child.match.group(2)}"
        child.sendcontrol("c")
        child.expect(pexpect.EOF)
        return shown

    assert first_prompt().startswith("5 ")
    with_video = first_prompt("--video", str(CLIP))
    assert with_video.startswith("1 How far apart are your feet")


def test_a_fifo_or_device_is_refused_before_the_decoder_waits_on_it(tmp_path: Path) -> None:
    from hipthrust_cli.errors import UsageError

    cv2, _ = pose._import()
    fifo = tmp_path / "set.mp4"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match="is a named pipe"):
        pose._open(cv2, fifo)  # before: the decoder blocked on the pipe for ever
    with pytest.raises(UsageError, match="is a device"):
        pose._open(cv2, Path("/dev/zero"))
