"""Loading the knowledge base: the shipped folder, overlays, merging, and the cache.

The knowledge base is a folder of YAML files, one per kind (``questions.yaml``,
``red_flags.yaml``, ``mistakes.yaml`` …). Every entry has a stable snake_case ``id``.
Extra folders (``--kb DIR`` or ``HIPTHRUST_KB``) are overlays: an entry with a new id is
added, one with an existing id replaces the shipped entry, and ``remove: [ids]`` drops
shipped entries. After merging, every cross-reference is checked. Any problem becomes a
:class:`~hipthrust_cli.errors.KnowledgeBaseError` naming file, key path and line.

Nothing here prints.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from hipthrust_cli import collector, yamlio
from hipthrust_cli.errors import KnowledgeBaseError
from hipthrust_cli.kb.checks import (
    PROTECTED_LEVELS,
    UNSAFE_OVERRIDE_HINT,
    check_references,
    safety_problems,
)
from hipthrust_cli.kb.files import FILES, LIST_KEYS, KnowledgeBase, Origin
from hipthrust_cli.kb.models import Level, LevelText, Model, Question, RedFlag
from hipthrust_cli.kb.problems import Problem, SourceTexts, dotted, pydantic_problems, suggest

MAX_KB_FILE_BYTES = 64 * 1_048_576
MAX_KB_NODES = 20_000_000


def shipped_dir() -> Path:
    """The knowledge base that ships with hipthrust, in a wheel or in a source checkout."""
    here = Path(__file__).resolve().parent.parent  # the package, above kb/
    for candidate in (here / "data", here.parent / "data"):
        if (candidate / "questions.yaml").is_file():
            return candidate
    raise KnowledgeBaseError(
        f"The shipped knowledge base is missing (looked in {here / 'data'} and "
        f"{here.parent / 'data'}); reinstall hipthrust."
    )


def overlay_dirs(cli_dirs: Sequence[Path], env: Mapping[str, str]) -> list[Path]:
    """Overlay folders in the order they apply: ``HIPTHRUST_KB`` entries, then ``--kb``.

    *env* is the environment, passed in by the edge that read it.
    """
    raw = env.get("HIPTHRUST_KB", "")
    from_env = [Path(p) for p in raw.split(os.pathsep) if p.strip()]
    return [*from_env, *cli_dirs]


def is_complete(folder: Path) -> bool:
    """Whether *folder* holds every knowledge-base file (a whole KB, not an overlay)."""
    return all((folder / name).is_file() for name in FILES)


_M = TypeVar("_M", bound=Model)


Snapshot = Mapping[Path, "bytes | yamlio.YamlProblem"]
"""The bytes of each knowledge-base file as read once (or why it could not be read)."""


def _read_file(
    path: Path, model: type[_M], texts: SourceTexts, snapshot: Snapshot | None = None
) -> tuple[_M | None, list[Problem]]:
    try:
        raw = snapshot.get(path) if snapshot is not None else None
        if isinstance(raw, yamlio.YamlProblem):
            raise raw
        if raw is None:
            raw = yamlio.read_bytes(path, MAX_KB_FILE_BYTES)
        text = yamlio.decode(raw, MAX_KB_FILE_BYTES)
        data = yamlio.parse(text, MAX_KB_NODES)
    except yamlio.YamlProblem as problem:
        return None, [Problem(path, problem.line, "", f"the file {problem.sentence()}")]
    texts.texts[path] = text
    if data is None:
        data = {}
    if not isinstance(data, dict):
        first = next(iter(model.model_fields))
        return None, [
            Problem(
                path,
                1,
                "",
                f"the file should be a mapping with keys like '{first}', not a "
                f"{type(data).__name__} — see docs/authoring.md",
            )
        ]
    if path.name == "red_flags.yaml" and _old_red_flag_format(data):
        return None, [texts.problem(path, ["red_flags"], OLD_RED_FLAGS_MESSAGE)]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, pydantic_problems(path, texts, exc)


# Red-flag ids that the 2026.12 screen replaced; an overlay naming them was written for
# the old format.
RETIRED_RED_FLAGS = frozenset({"emergency_signs_unsure", "urgent_signs_unsure", "fall_or_accident"})
OLD_RED_FLAGS_MESSAGE = (
    "this file is written for the red-flag format before knowledge base 2026.12. What "
    "changed: every red flag now needs a 'source' (the guidance it follows); the levels are "
    "emergency, same_day, urgent, routine and self_care; 'fall_or_accident' moved from "
    "emergency_signs to urgent_signs with a follow-up question 'fall_details'; the flags "
    "emergency_signs_unsure, urgent_signs_unsure and fall_or_accident are gone; and "
    "overlays can no longer remove or lower the shipped emergency and same_day signs — "
    "docs/authoring.md, 'Upgrading a red-flag overlay', shows the new format"
)


def _old_red_flag_format(data: Mapping[str, Any]) -> bool:
    """Whether a ``red_flags.yaml`` was written for the format before 2026.12."""
    flags = data.get("red_flags")
    entries = [f for f in flags if isinstance(f, dict)] if isinstance(flags, list) else []
    if any("source" not in f for f in entries):
        return True
    named = [f.get("id") for f in entries]
    removed = data.get("remove")
    if isinstance(removed, list):
        named += removed
    return any(isinstance(n, str) and n in RETIRED_RED_FLAGS for n in named)


def _folder_problems(folder: Path) -> list[Problem]:
    if not folder.exists():
        return [
            Problem(folder, None, "", "the knowledge-base folder does not exist — check the path")
        ]
    if not folder.is_dir():
        return [
            Problem(
                folder,
                None,
                "",
                "is a file — give the folder that holds the knowledge-base .yaml files",
            )
        ]
    stray = sorted(
        p.name for p in folder.iterdir() if p.suffix in {".yaml", ".yml"} and p.name not in FILES
    )
    return [
        Problem(
            folder / name,
            None,
            "",
            f"is not a knowledge-base file — name it one of {', '.join(FILES)}",
        )
        for name in stray
    ]


def collect(
    overlays: Sequence[Path] = (),
    base: Path | None = None,
    allow_unsafe: bool = False,
    snapshot: Snapshot | None = None,
) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Load and check a knowledge base, returning it (if whole) and every problem found.

    With *snapshot* (from :func:`read_sources`), files are parsed from the bytes it holds,
    so what is checked is exactly what the cache key was computed from.

    Overlays may add warning signs and raise levels, never remove or weaken the base's
    ``emergency`` and ``same_day`` signs (see :func:`safety_problems`). With
    *allow_unsafe* those problems are not errors: they are kept in
    ``KnowledgeBase.safety_waived`` so every report can say so.
    """
    folders = [base or shipped_dir(), *overlays]
    texts = SourceTexts()
    problems: list[Problem] = []
    blocking = False
    lists: dict[str, dict[str, Any]] = {key: {} for key in LIST_KEYS}
    sections: dict[str, dict[str, Any]] = {name: {} for name in FILES}
    origins: dict[tuple[str, str], Origin] = {}
    removals: dict[tuple[str, str], Origin] = {}
    levels: dict[Level, LevelText] = {}
    shipped: tuple[dict[str, RedFlag], dict[str, Question]] | None = None
    shipped_levels: dict[Level, LevelText] = {}
    level_origins: dict[Level, Path] = {}
    for folder in folders:
        if folder is not folders[0] and shipped is None:
            # What the base folder holds is what overlays must not weaken.
            shipped = (dict(lists["red_flags"]), dict(lists["questions"]))
            shipped_levels = dict(levels)
        folder_problems = _folder_problems(folder)
        problems += folder_problems
        blocking = blocking or bool(folder_problems)
        if folder_problems and not folder.is_dir():
            continue
        for name, kb_file in FILES.items():
            path = folder / name
            if not path.exists():
                continue
            parsed, file_problems = _read_file(path, kb_file.model, texts, snapshot)
            problems += file_problems
            blocking = blocking or bool(file_problems)
            if parsed is None:
                continue
            kind = kb_file.key
            if kind is None:  # sections: an overlay replaces the ones it gives
                sections[name].update(parsed.model_dump(exclude_none=True))
                continue
            if kind == "red_flags":
                file_levels: dict[Level, LevelText] = getattr(parsed, "levels")  # noqa: B009
                levels.update(file_levels)
                level_origins.update(dict.fromkeys(file_levels, path))
            entries: dict[str, Any] = lists[kind]
            for i, removed in enumerate(getattr(parsed, "remove", [])):
                if removed not in entries:
                    problems.append(
                        texts.problem(
                            path,
                            ["remove", i],
                            f"there is no {kind[:-1]} '{removed}' to remove — check the id"
                            f"{suggest(removed, entries)}",
                        )
                    )
                    continue
                del entries[removed]
                removals[(kind, removed)] = Origin(path, ("remove", i))
            seen: dict[str, int] = {}
            for i, entry in enumerate(getattr(parsed, kind)):
                if entry.id in seen:
                    problems.append(
                        texts.problem(
                            path,
                            [kind, i, "id"],
                            f"the id '{entry.id}' is used twice in this file (also "
                            f"{kind}[{seen[entry.id]}]) — ids must be unique",
                        )
                    )
                    continue
                seen[entry.id] = i
                # A replaced entry keeps its place, so overlays do not reorder the interview.
                entries[entry.id] = entry
                origins[(kind, entry.id)] = Origin(path, (kind, i))
                removals.pop((kind, entry.id), None)
    # Unreadable or invalid files leave holes that would make reference checks misleading;
    # a skipped duplicate or a bad 'remove' does not, so those still get checked.
    if blocking:
        return None, problems
    try:
        merged: dict[str, Any] = {}
        for name, kb_file in FILES.items():
            if kb_file.key is not None:
                merged[kb_file.key] = list(lists[kb_file.key].values())
            elif kb_file.whole is not None:
                merged[kb_file.attr] = kb_file.whole.model_validate(sections[name])
        kb = KnowledgeBase(levels=levels, origins=origins, **merged)
    except ValidationError as exc:
        return None, [
            Problem(
                folders[-1],
                None,
                dotted(err["loc"]),
                f"the merged knowledge base is incomplete: {err['msg']} — add it, or layer "
                "this folder over the shipped knowledge base",
            )
            for err in exc.errors(include_url=False)
        ]
    if shipped is not None:
        unsafe = safety_problems(*shipped, kb, removals, texts)
        # The words of an emergency or same-day referral are part of the screen too.
        for level in PROTECTED_LEVELS:
            if level in shipped_levels and kb.levels.get(level) != shipped_levels[level]:
                unsafe.insert(
                    0,
                    texts.problem(
                        level_origins.get(level),
                        ["levels", level.value],
                        f"changes the shipped {level.value} title or advice; "
                        f"{UNSAFE_OVERRIDE_HINT}",
                    ),
                )
        if allow_unsafe:
            kb.safety_waived = [str(p) for p in unsafe]
        else:
            problems = unsafe + problems
    problems += check_references(kb, texts)
    return (None if problems else kb), problems


def read_sources(folders: Sequence[Path]) -> tuple[list[tuple[str, bytes]], dict[Path, Any]]:
    """Read every knowledge-base file of *folders* once, for the cache key and for parsing.

    Returns the key material (every name in every folder, and each file's bytes) and the
    snapshot :func:`collect` parses. A file that cannot be read is in the snapshot as its
    :class:`~hipthrust_cli.yamlio.YamlProblem`; a folder that cannot be listed adds a
    marker, so neither is ever keyed as if it were fine.
    """
    parts: list[tuple[str, bytes]] = []
    snapshot: dict[Path, Any] = {}
    for folder in folders:
        where = os.path.abspath(folder)
        try:
            names = sorted(os.listdir(folder))
        except OSError as exc:
            parts.append((f"{where}\0unlistable", str(exc.errno).encode()))
            continue
        # Every name, not just the known files: a misspelt file must not be hidden by a hit.
        parts.append((f"{where}\0names", "\0".join(names).encode("utf-8", "surrogateescape")))
        for name in FILES:
            if name not in names:
                continue
            path = folder / name
            try:
                data = yamlio.read_bytes(path, MAX_KB_FILE_BYTES)
            except yamlio.YamlProblem as problem:
                snapshot[path] = problem
                parts.append((f"{where}/{name}\0unreadable", str(problem).encode()))
                continue
            snapshot[path] = data
            parts.append((f"{where}/{name}", data))
    return parts, snapshot


def _code_salt() -> str:
    """Changes whenever the models change, so a cache never meets code it was not made by."""
    import hashlib

    import pydantic

    digest = hashlib.sha256()
    for module in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(module.read_bytes())
    return digest.hexdigest() + pydantic.VERSION


def load(
    overlays: Sequence[Path] = (),
    base: Path | None = None,
    cache_dir: Path | None = None,
    allow_unsafe: bool = False,
) -> KnowledgeBase:
    """Load the shipped knowledge base, apply *overlays* in order, and check it whole.

    With *cache_dir*, a knowledge base whose files are byte-for-byte unchanged since an
    earlier load is read from the cache instead of being parsed and validated again.
    *allow_unsafe* lets overlays weaken the warning-sign screen (recorded in
    ``safety_waived``). Raises :class:`KnowledgeBaseError` carrying every problem found.
    """
    with collector.paused():
        kb = _load(overlays, base, cache_dir, allow_unsafe)
    _LAST[0] = kb
    return kb


# The knowledge base loaded last stays reachable from this self-referencing list, so it
# is never freed object by object: not when the command drops it, and not at exit, where
# the collector freezes everything first (hipthrust_cli.collector) and so never collects
# this cycle; the operating system takes the memory back at once. Freeing the 350,000
# objects of a 1,000x knowledge base one by one took 0.13-0.25 s of every run
# (benchmarks/README.md). Nothing in a knowledge base has a finalizer that could be
# skipped, and the next load replaces it, so a long-lived process keeps at most one.
_LAST: list[Any] = [None]
_LAST.append(_LAST)


def _load(
    overlays: Sequence[Path], base: Path | None, cache_dir: Path | None, allow_unsafe: bool
) -> KnowledgeBase:
    from hipthrust_cli.kb import cache

    folders = [base or shipped_dir(), *overlays]
    snapshot = None
    name = None
    if cache_dir is not None:
        parts, snapshot = read_sources(folders)
        if not any(isinstance(v, yamlio.YamlProblem) for v in snapshot.values()):
            salt = _code_salt() + (":unsafe" if allow_unsafe else "")
            name = cache.key(parts, salt)
            cached = cache.read(cache_dir, name, KnowledgeBase)
            if isinstance(cached, KnowledgeBase):
                return cached
    kb, problems = collect(overlays, base, allow_unsafe, snapshot)
    if kb is None:
        lines = [str(p) for p in problems]
        more = (
            f" (and {len(lines) - 1} more; 'hipthrust kb validate' lists them)"
            if len(lines) > 1
            else ""
        )
        raise KnowledgeBaseError(lines[0] + more, lines)
    if name is not None:
        cache.write(cache_dir, name, kb, KnowledgeBase)
    return kb
