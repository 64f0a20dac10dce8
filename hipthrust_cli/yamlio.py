"""Read YAML files safely, for answers and for the knowledge base.

Only the safe loader is used (the C one when PyYAML has it), so tags such as
``!!python/object/apply`` are refused, never executed. Before a document is built, an
iterative pass over the parser's events bounds its nesting depth (libyaml's composer
recurses in C and crashes the interpreter on very deep input), then the composed graph is
checked for alias bombs, recursive aliases and duplicate keys. Problems become
:class:`YamlProblem`, which names the line; callers turn it into their own error type.
"""

from __future__ import annotations

import math
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml

# PyYAML is imported only when a document is parsed: a run served from the knowledge-base
# cache reads bytes and parses nothing, so it never pays for importing it.
_Loader: type[yaml.SafeLoader] | None = None
"""The safe loader, chosen on first use (tests may set it)."""


def _loader() -> type[yaml.SafeLoader]:
    global _Loader
    if _Loader is None:
        import yaml

        try:  # The C loader parses several times faster; it is absent on some builds.
            _Loader = yaml.CSafeLoader  # type: ignore[assignment,unused-ignore]
        except AttributeError:  # pragma: no cover - depends on how PyYAML was built
            _Loader = yaml.SafeLoader
    assert _Loader is not None
    return _Loader


MAX_DEPTH = 64


@dataclass
class YamlProblem(Exception):
    """A file that cannot be read as YAML; ``line`` is 1-based when known."""

    message: str
    line: int | None = None

    def __str__(self) -> str:
        return self.message

    def sentence(self) -> str:
        """The message as the end of a sentence, with exactly one closing mark."""
        return self.message if self.message.endswith((".", "?", "!")) else self.message + "."


def read_text(path: Path, max_bytes: int) -> str:
    """Return the UTF-8 text of *path*, refusing folders, devices, huge and binary files.

    See :func:`read_bytes`; raises :class:`YamlProblem` with a sentence that says what to
    do; the caller adds the file name.
    """
    return decode(read_bytes(path, max_bytes), max_bytes)


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """Return the bytes of the regular file *path*, checked before anything is read.

    The file is opened without blocking (a FIFO with no writer cannot hang us), then the
    open descriptor is checked with ``fstat``: folders, devices (``/dev/zero``, also
    through a link), FIFOs and sockets are refused, and so is a file over the limit. At
    most ``max_bytes + 1`` bytes are ever read, in case the file grows meanwhile.
    """
    # Not blocking on open (POSIX; Windows has no FIFOs to hang on), blocking to read.
    nonblock = getattr(os, "O_NONBLOCK", 0)
    flags = os.O_RDONLY | nonblock | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise YamlProblem("does not exist; check the path") from None
    except PermissionError:
        raise YamlProblem("cannot be read (permission denied); check its permissions") from None
    except IsADirectoryError:
        raise YamlProblem("is a folder, not a file; give the path of a .yaml file") from None
    except OSError as exc:
        raise YamlProblem(f"cannot be read ({exc.strerror or exc}); check the path") from None
    try:
        info = os.fstat(fd)
        mode = info.st_mode
        if stat.S_ISDIR(mode):
            raise YamlProblem("is a folder, not a file; give the path of a .yaml file")
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
            raise YamlProblem("is a device, not a file; give the path of a .yaml file")
        if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
            raise YamlProblem(
                "is a pipe or socket, not a file; give the path of a .yaml file "
                "(or - to read standard input)"
            )
        if not stat.S_ISREG(mode):  # pragma: no cover - every other kind is listed above
            raise YamlProblem("is not a regular file; give the path of a .yaml file")
        if info.st_size > max_bytes:
            raise YamlProblem(
                f"is over the {max_bytes // 1_048_576} MiB limit; is this the right file?"
            )
        if nonblock:
            os.set_blocking(fd, True)
        chunks = []
        left = max_bytes + 1
        # The size fstat gave, and one byte more, in one read: one copy of the file, not
        # a copy per MiB and another to join them (a 30 MB knowledge base: 45 -> 20 ms).
        # The loop still stops at max_bytes + 1, however the file grows meanwhile.
        step = max(info.st_size + 1, 65_536)
        while left > 0:
            chunk = os.read(fd, min(left, step))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise YamlProblem(f"cannot be read ({exc.strerror or exc}); check the path") from None
    finally:
        os.close(fd)


def decode(data: bytes, max_bytes: int) -> str:
    """Check size and encoding of raw bytes and return the text."""
    if len(data) > max_bytes:
        raise YamlProblem(
            f"is over the {max_bytes // 1_048_576} MiB limit; is this the right file?"
        )
    if b"\x00" in data:
        raise YamlProblem("looks like a binary file, not YAML text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise YamlProblem("is not UTF-8 text; save it as UTF-8", line) from None


def _line(mark: Any) -> int | None:
    return None if mark is None else int(mark.line) + 1


def _check_events(text: str) -> None:
    """Bound nesting depth with the (iterative) event parser, before anything recurses."""
    import yaml

    depth = 0
    for event in yaml.parse(text, Loader=_loader()):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlProblem(
                    f"nests deeper than {MAX_DEPTH} levels; flatten the structure",
                    _line(event.start_mark),
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


MAX_DIGITS = 18
ALIAS_GROWTH = 4  # PyYAML itself writes aliases for shared objects: ~2.4x seen
ALIAS_ALLOWANCE = 10_000
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


def _check_number(node: yaml.ScalarNode) -> None:
    """Refuse numbers no knowledge base or answer needs: giant integers, NaN, infinities."""
    text = node.value.lower().replace("_", "")
    if node.tag == _INT and sum(ch.isdigit() for ch in text) > MAX_DIGITS:
        raise YamlProblem(
            f"has a number with more than {MAX_DIGITS} digits; use a smaller number",
            _line(node.start_mark),
        )
    if node.tag == _FLOAT:
        try:
            finite = "nan" not in text and "inf" not in text and math.isfinite(float(text))
        except ValueError:
            finite = True  # a YAML 1.1 form Python does not read; the constructor decides
        if not finite:
            raise YamlProblem(
                f"has {node.value!r}, which is not a usable number (NaN and infinities are "
                "not allowed); write a finite number",
                _line(node.start_mark),
            )


def _check_graph(root: yaml.Node, max_nodes: int) -> None:
    """Refuse alias bombs, recursive aliases, duplicate keys and unusable numbers.

    Aliases may repeat a part of the document, but not blow it up: the expanded document
    may have at most four times the values written out (plus a small allowance), whatever
    *max_nodes* allows, because every expanded value is validated and kept in memory.
    """
    import yaml

    sizes: dict[int, int] = {}

    def size(node: yaml.Node, stack: set[int]) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in stack:
            raise YamlProblem("refers to itself through an alias", _line(node.start_mark))
        total = 1
        if isinstance(node, yaml.MappingNode):
            stack.add(key)
            seen: dict[object, int | None] = {}
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value != "<<":
                    if k.value in seen:
                        raise YamlProblem(
                            f"has the key '{k.value}' twice in one mapping "
                            f"(first on line {seen[k.value]}); keep one",
                            _line(k.start_mark),
                        )
                    seen[k.value] = _line(k.start_mark)
                total += size(k, stack) + size(v, stack)
            stack.discard(key)
        elif isinstance(node, yaml.SequenceNode):
            stack.add(key)
            for item in node.value:
                total += size(item, stack)
            stack.discard(key)
        elif isinstance(node, yaml.ScalarNode) and node.tag in (_INT, _FLOAT):
            _check_number(node)
        if total > max_nodes:
            raise YamlProblem(
                f"expands to more than {max_nodes:,} values (too many aliases?)",
                _line(node.start_mark),
            )
        sizes[key] = total
        return total

    total = size(root, set())
    if total > ALIAS_GROWTH * len(sizes) + ALIAS_ALLOWANCE:
        raise YamlProblem(
            f"uses aliases that expand it to {total:,} values from {len(sizes):,} written "
            "out; write the repeated parts out, or repeat less",
            _line(root.start_mark),
        )


def _problem_from(exc: yaml.YAMLError) -> YamlProblem:
    import yaml

    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if isinstance(exc, yaml.constructor.ConstructorError) and "tag" in str(problem):
        problem = f"{problem}; tags like !!python/... are not allowed"
    if isinstance(exc, yaml.reader.ReaderError):
        return YamlProblem(f"contains a character YAML does not allow ({exc.reason})")
    return YamlProblem(f"is not valid YAML: {problem}", _line(mark))


def parse(text: str, max_nodes: int) -> Any:
    """Parse one YAML document safely; an empty document gives ``None``."""
    import yaml

    try:
        _check_events(text)
        loader = _loader()(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _check_graph(node, max_nodes)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise _problem_from(exc) from None
    except RecursionError:  # pragma: no cover - depth is bounded above
        raise YamlProblem(f"nests deeper than {MAX_DEPTH} levels") from None


def compose(text: str) -> yaml.Node | None:
    """The node graph of *text* (for :func:`locate_in`), or None if it is not valid YAML."""
    import yaml

    try:
        _check_events(text)
        return yaml.compose(text, Loader=_loader())
    except (yaml.YAMLError, YamlProblem):
        return None


def locate(text: str, loc: Sequence[object]) -> int | None:
    """Return the 1-based line of the value at key path *loc*, or of its nearest parent."""
    return locate_in(compose(text), loc)


def locate_in(node: yaml.Node | None, loc: Sequence[object]) -> int | None:
    """Like :func:`locate` on an already composed graph: linear in the path, not the file.

    Locating many problems in one file composes it once, instead of once per problem
    (which made a thousand duplicate ids take most of a minute).
    """
    if node is None:
        return None
    import yaml

    line = _line(node.start_mark)
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == str(part):
                    child = v
                    line = _line(k.start_mark)
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            child = node.value[part]
            line = _line(child.start_mark)
        if child is None:
            break
        node = child
    return line
