"""The knowledge-base cache: faster, never stale, never trusted blindly."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from hipthrust_cli import cache, knowledge

from .conftest import DATA


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "kb"
    shutil.copytree(DATA, folder)
    return folder


def test_hit_returns_the_same_knowledge_base(tmp_path: Path) -> None:
    store = tmp_path / "cache"
    first = knowledge.load(cache_dir=store)
    assert len(list(store.glob("kb-*.pickle"))) == 1
    second = knowledge.load(cache_dir=store)
    assert second is not first
    assert [m.id for m in second.mistakes] == [m.id for m in first.mistakes]
    assert second.evidence_by_question.keys() == first.evidence_by_question.keys()


def test_a_changed_file_is_never_served_stale(tmp_path: Path) -> None:
    folder, store = _copy(tmp_path), tmp_path / "cache"
    assert knowledge.load(base=folder, cache_dir=store).settings.stop_threshold == 0.22
    path = folder / "settings.yaml"
    path.write_text(path.read_text().replace("stop_threshold: 0.22", "stop_threshold: 0.5"))
    os.utime(path, (1, 1))  # even with an old timestamp: the key is the content
    assert knowledge.load(base=folder, cache_dir=store).settings.stop_threshold == 0.5


def test_a_changed_overlay_is_never_served_stale(tmp_path: Path) -> None:
    overlay, store = tmp_path / "o", tmp_path / "cache"
    overlay.mkdir()
    (overlay / "drills.yaml").write_text("drills:\n  - {id: plank, name: One, how: H}\n")
    assert knowledge.load([overlay], cache_dir=store).exercise_names["plank"] == "One"
    (overlay / "drills.yaml").write_text("drills:\n  - {id: plank, name: Two, how: H}\n")
    assert knowledge.load([overlay], cache_dir=store).exercise_names["plank"] == "Two"
    (overlay / "drills.yaml").unlink()
    assert knowledge.load([overlay], cache_dir=store).exercise_names["plank"] == "Front plank"


def test_an_invalid_kb_is_never_cached(tmp_path: Path) -> None:
    folder, store = _copy(tmp_path), tmp_path / "cache"
    (folder / "drills.yaml").write_text("drills:\n  - {id: x}\n")
    for _ in range(2):
        with pytest.raises(knowledge.KnowledgeBaseError):
            knowledge.load(base=folder, cache_dir=store)
    assert not list(store.glob("kb-*.pickle"))


def test_damaged_cache_is_a_miss(tmp_path: Path) -> None:
    store = tmp_path / "cache"
    knowledge.load(cache_dir=store)
    for entry in store.glob("kb-*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert knowledge.load(cache_dir=store).mistakes


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_cache_writable_by_others_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "cache"
    knowledge.load(cache_dir=store)
    entry = next(store.glob("kb-*.pickle"))
    assert entry.stat().st_mode & 0o077 == 0, "the cache is private"
    entry.chmod(0o666)
    calls = []
    monkeypatch.setattr(cache.pickle, "load", lambda *a: calls.append(a))
    knowledge.load(cache_dir=store)
    assert calls == [], "a file others can write is never unpickled"


def test_unwritable_cache_folder_is_silent(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert knowledge.load(cache_dir=blocker / "cache").mistakes


def test_cache_keeps_a_few_entries(tmp_path: Path) -> None:
    store = tmp_path / "cache"
    for i in range(cache.MAX_FILES + 3):
        overlay = tmp_path / f"o{i}"
        overlay.mkdir()
        (overlay / "drills.yaml").write_text(f"drills:\n  - {{id: plank, name: P{i}, how: H}}\n")
        knowledge.load([overlay], cache_dir=store)
    assert len(list(store.glob("kb-*.pickle"))) == cache.MAX_FILES


def test_default_dir_follows_hipthrust_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIPTHRUST_DATA_DIR", "/x/y")
    assert cache.default_dir() == Path("/x/y/cache")
