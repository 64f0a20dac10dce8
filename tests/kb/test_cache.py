"""The knowledge-base cache: faster, never stale, never trusted blindly."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from hipthrust_cli import paths, yamlio
from hipthrust_cli.errors import KnowledgeBaseError
from hipthrust_cli.kb import (
    cache,
    loading,
)
from tests.conftest import DATA, NOBODY, as_user, needs_root


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "kb"
    shutil.copytree(DATA, folder)
    return folder


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on any YAML parse fails: only a cache hit can load a knowledge base."""

    def refuse(text: str, max_nodes: int) -> object:
        raise AssertionError("parsed YAML although the cache should have served it")

    monkeypatch.setattr(yamlio, "parse", refuse)


def test_a_hit_parses_nothing_and_returns_an_equal_knowledge_base(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "cache"
    first = loading.load(cache_dir=store)
    assert len(list(store.glob("kb-*.json"))) == 1
    _no_parsing(monkeypatch)
    second = loading.load(cache_dir=store)
    assert second is not first
    assert second == first
    assert second.evidence_by_question.keys() == first.evidence_by_question.keys()


def test_a_changed_file_misses_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, store = _copy(tmp_path), tmp_path / "cache"
    loading.load(base=folder, cache_dir=store)
    _no_parsing(monkeypatch)
    loading.load(base=folder, cache_dir=store)  # unchanged: a hit
    path = folder / "drills.yaml"
    path.write_bytes(path.read_bytes() + b"\n")  # one byte more, same meaning
    with pytest.raises(AssertionError, match="parsed YAML"):
        loading.load(base=folder, cache_dir=store)


def test_without_a_cache_folder_every_load_parses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loading.load(cache_dir=tmp_path / "cache")
    _no_parsing(monkeypatch)
    with pytest.raises(AssertionError, match="parsed YAML"):
        loading.load()


def test_a_changed_file_is_never_served_stale(tmp_path: Path) -> None:
    folder, store = _copy(tmp_path), tmp_path / "cache"
    assert loading.load(base=folder, cache_dir=store).settings.stop_threshold == 0.22
    path = folder / "settings.yaml"
    path.write_text(path.read_text().replace("stop_threshold: 0.22", "stop_threshold: 0.5"))
    os.utime(path, (1, 1))  # even with an old timestamp: the key is the content
    assert loading.load(base=folder, cache_dir=store).settings.stop_threshold == 0.5


def test_a_changed_overlay_is_never_served_stale(tmp_path: Path) -> None:
    overlay, store = tmp_path / "o", tmp_path / "cache"
    overlay.mkdir()
    (overlay / "drills.yaml").write_text("drills:\n  - {id: plank, name: One, how: H}\n")
    assert loading.load([overlay], cache_dir=store).exercise_names["plank"] == "One"
    (overlay / "drills.yaml").write_text("drills:\n  - {id: plank, name: Two, how: H}\n")
    assert loading.load([overlay], cache_dir=store).exercise_names["plank"] == "Two"
    (overlay / "drills.yaml").unlink()
    assert loading.load([overlay], cache_dir=store).exercise_names["plank"] == "Front plank"


def test_an_invalid_kb_is_never_cached(tmp_path: Path) -> None:
    folder, store = _copy(tmp_path), tmp_path / "cache"
    (folder / "drills.yaml").write_text("drills:\n  - {id: x}\n")
    for _ in range(2):
        with pytest.raises(KnowledgeBaseError):
            loading.load(base=folder, cache_dir=store)
    assert not list(store.glob("kb-*.json"))


def test_damaged_cache_is_a_miss(tmp_path: Path) -> None:
    store = tmp_path / "cache"
    loading.load(cache_dir=store)
    for entry in store.glob("kb-*.json"):
        entry.write_bytes(b"not json")
    assert loading.load(cache_dir=store).mistakes


def _entry(store: Path) -> Path:
    (entry,) = store.glob("kb-*.json")
    return entry


def _poison(entry: Path) -> None:
    """Rewrite a valid cache entry so a hit would be visible: every drill gets a new name."""
    text = entry.read_text().replace('"Front plank"', '"POISONED"')
    assert "POISONED" in text
    entry.write_text(text)


def _served_poison(store: Path) -> bool:
    return loading.load(cache_dir=store).exercise_names["plank"] == "POISONED"


def test_a_hit_really_comes_from_the_cache(tmp_path: Path) -> None:
    """The poisoning helper works, so the refusals below are meaningful."""
    store = tmp_path / "cache"
    loading.load(cache_dir=store)
    _poison(_entry(store))
    assert _served_poison(store)


def test_no_code_path_can_unpickle() -> None:
    source = Path(cache.__file__).parent
    for module in source.rglob("*.py"):
        text = module.read_text()
        assert "import pickle" not in text and "pickle.load" not in text, module


def test_the_cache_is_plain_json_that_names_no_code(tmp_path: Path) -> None:
    store = tmp_path / "cache"
    loading.load(cache_dir=store)
    entry = _entry(store)
    head, body, *deferred = entry.read_bytes().splitlines()
    for line in (head, body, *deferred):
        json.loads(line)  # plain JSON, nothing else
        assert b"hipthrust_cli" not in line and b"os:" not in line
    # Whatever is planted, reading builds only the types the code declares, or misses.
    for planted in (
        b'{"~c": "os:system", "command": "touch PWNED"}',
        head + b'\n[["os:system", "touch PWNED"]]',
        head + b'\n{"__reduce__": ["os.system", ["touch PWNED"]]}',
        b"\x80\x04cos\nsystem\n(S'touch PWNED'\ntR.",  # a pickle
    ):
        entry.write_bytes(planted)
        assert loading.load(cache_dir=store).mistakes
    assert not (tmp_path / "PWNED").exists() and not Path("PWNED").exists()


def test_a_changed_layout_is_a_miss(tmp_path: Path) -> None:
    store = tmp_path / "cache"
    loading.load(cache_dir=store)
    entry = _entry(store)
    _, rest = entry.read_bytes().split(b"\n", 1)
    entry.write_bytes(b'"another layout"\n' + rest)
    _poison(entry)
    assert not _served_poison(store)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_cache_writable_by_others_is_not_read(tmp_path: Path) -> None:
    store = tmp_path / "cache"
    loading.load(cache_dir=store)
    entry = _entry(store)
    assert entry.stat().st_mode & 0o077 == 0, "the cache is private"
    _poison(entry)
    entry.chmod(0o666)
    assert not _served_poison(store)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_linked_cache_entry_is_not_followed(tmp_path: Path) -> None:
    store = tmp_path / "cache"
    loading.load(cache_dir=store)
    entry = _entry(store)
    _poison(entry)
    elsewhere = tmp_path / "planted.json"
    entry.rename(elsewhere)
    entry.symlink_to(elsewhere)
    assert not _served_poison(store)


@needs_root
def test_a_cache_under_a_folder_another_user_controls_is_never_read(shared_tmp: Path) -> None:
    """The shipped cache checked only the file and its folder; the swap race went above."""
    theirs = shared_tmp / "theirs"
    theirs.mkdir()
    mine = theirs / "data" / "cache"
    mine.mkdir(parents=True, mode=0o700)
    loading.load(cache_dir=mine)
    _poison(_entry(mine))
    os.chown(theirs, NOBODY, NOBODY)  # they could now rename 'data' and put their own
    assert not _served_poison(mine)
    os.chown(theirs, 0, 0)
    assert _served_poison(mine)


@needs_root
def test_an_unprivileged_user_reads_only_their_own_cache(shared_tmp: Path) -> None:
    """As a real unprivileged user: their cache works; one planted by root is not theirs."""
    home = shared_tmp / "home"
    home.mkdir()
    os.chown(home, NOBODY, NOBODY)

    def load_twice() -> list[str]:
        store = home / "cache"
        names = [loading.load(cache_dir=store).exercise_names["plank"]]
        _poison(_entry(store))
        names.append(loading.load(cache_dir=store).exercise_names["plank"])
        return names

    assert as_user(load_twice) == ["Front plank", "POISONED"]
    store = home / "cache"
    assert _entry(store).stat().st_uid == NOBODY
    assert store.stat().st_mode & 0o777 == 0o700
    os.chown(_entry(store), 0, 0)  # now root's file in their folder: not theirs to trust
    assert as_user(lambda: loading.load(cache_dir=store).exercise_names["plank"]) == ("Front plank")


def test_unwritable_cache_folder_is_silent(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert loading.load(cache_dir=blocker / "cache").mistakes


def test_cache_keeps_a_few_entries(tmp_path: Path) -> None:
    store = tmp_path / "cache"
    for i in range(cache.MAX_FILES + 3):
        overlay = tmp_path / f"o{i}"
        overlay.mkdir()
        (overlay / "drills.yaml").write_text(f"drills:\n  - {{id: plank, name: P{i}, how: H}}\n")
        loading.load([overlay], cache_dir=store)
    assert len(list(store.glob("kb-*.json"))) == cache.MAX_FILES


def test_cache_dir_follows_hipthrust_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIPTHRUST_DATA_DIR", "/x/y")
    assert paths.cache_dir() == Path("/x/y/cache")


def test_the_key_covers_every_file_name(tmp_path: Path) -> None:
    """A misspelt overlay file is reported with a warm cache as with a cold one."""
    overlay, store = tmp_path / "o", tmp_path / "cache"
    overlay.mkdir()
    (overlay / "drills.yaml").write_text("drills:\n  - {id: plank, name: One, how: H}\n")
    loading.load([overlay], cache_dir=store)  # warm
    (overlay / "drill.yaml").write_text("drills: []\n")
    for _ in range(2):
        with pytest.raises(KnowledgeBaseError, match=r"drill\.yaml"):
            loading.load([overlay], cache_dir=store)


def test_what_is_parsed_is_what_was_keyed(tmp_path: Path) -> None:
    """The bytes read for the key are the bytes parsed: an edit in between cannot slip in."""
    overlay = tmp_path / "o"
    overlay.mkdir()
    drills = overlay / "drills.yaml"
    drills.write_text("drills:\n  - {id: plank, name: One, how: H}\n")
    parts, snapshot = loading.read_sources([loading.shipped_dir(), overlay])
    drills.write_text("drills:\n  - {id: plank, name: Two, how: H}\n")  # edited meanwhile
    kb, problems = loading.collect([overlay], snapshot=snapshot)
    assert not problems and kb is not None and kb.exercise_names["plank"] == "One"
    assert (f"{overlay}/drills.yaml", snapshot[drills]) in parts


def test_origins_are_decoded_only_when_first_read(tmp_path: Path) -> None:
    store = tmp_path / "cache"
    first = loading.load(cache_dir=store)
    second = loading.load(cache_dir=store)
    assert "origins" not in vars(second)  # a hit: left as JSON until someone asks
    assert second.origins == first.origins and "origins" in vars(second)
    origin = second.origins[("mistakes", first.mistakes[0].id)]
    assert origin.file.name == "mistakes.yaml" and isinstance(origin.path, tuple)
    with pytest.raises(AttributeError):
        second.no_such_field  # type: ignore[attr-defined]  # noqa: B018 - a typo stays a typo


def test_a_damaged_deferred_line_is_a_miss_before_anything_is_served(tmp_path: Path) -> None:
    store = tmp_path / "cache"
    loading.load(cache_dir=store)
    entry = _entry(store)
    head, body, rest = entry.read_bytes().split(b"\n", 2)
    *causes, origins, end = rest.split(b"\n")
    assert origins.startswith(b"[[") and not end  # the origins, on the last line
    damaged = origins.replace(b"mistakes", b"mistakez", 1)
    entry.write_bytes(b"\n".join([head, body, *causes, damaged, end]))
    _poison(entry)
    assert not _served_poison(store)


def test_a_damaged_cause_line_is_a_miss_before_anything_is_served(tmp_path: Path) -> None:
    store = tmp_path / "cache"
    loading.load(cache_dir=store)
    entry = _entry(store)
    head, body, rest = entry.read_bytes().split(b"\n", 2)
    first, rest = rest.split(b"\n", 1)
    assert first.startswith(b'["arching_lower_back"')  # each cause on a line of its own
    entry.write_bytes(b"\n".join([head, body, first.replace(b"0.", b"1.", 1), rest]))
    _poison(entry)
    assert not _served_poison(store)


def test_a_hit_decodes_only_the_causes_it_is_asked_for(tmp_path: Path) -> None:
    from hipthrust_cli.core.model import beliefs
    from hipthrust_cli.kb.rows import LazyItems

    store = tmp_path / "cache"
    first = loading.load(cache_dir=store)
    second = loading.load(cache_dir=store)
    assert isinstance(second.mistakes, LazyItems) and second.causes == first.causes
    answers = {"bench_height": "high"}
    assert beliefs(second, answers) == beliefs(first, answers)
    wanted = [i for i, c in enumerate(first.causes) if "bench_height" in c.reads]
    assert 0 < len(wanted) < len(first.causes) and second.mistakes.made() == wanted
    assert [second.mistakes[i] for i in wanted] == [first.mistakes[i] for i in wanted]
    assert list(second.mistakes) == list(first.mistakes) and second == first


def test_only_the_last_loaded_knowledge_base_outlives_its_users(tmp_path: Path) -> None:
    """The last one is kept so exit need not free it; a long-lived process keeps no more."""
    import gc
    import weakref

    store = tmp_path / "cache"
    first = weakref.ref(loading.load(cache_dir=store))
    gc.collect()
    assert first() is not None  # nobody holds it, yet it is not freed object by object
    second = weakref.ref(loading.load(cache_dir=store))  # a hit
    gc.collect()
    assert first() is None and second() is not None
