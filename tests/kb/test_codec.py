"""The cache's file format: any declared type as plain JSON, and back, exactly."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import pytest
from pydantic import Field

from hipthrust_cli.kb import (
    Answer,
    Bands,
    Condition,
    Evidence,
    Fix,
    KnowledgeBase,
    Level,
    Settings,
    cache,
)
from hipthrust_cli.kb.models import Model
from hipthrust_cli.kb.rows import DEFERRED, DERIVED, INLINE, LAZY, LazyItems


class _Extra(Model):
    """A model with a field of every kind the knowledge base uses, and more."""

    id: str
    weights: list[float] = Field(default_factory=list)
    level: Level = Level.routine
    nested: Fix | None = None
    table: dict[Level, tuple[int, ...]] = Field(default_factory=dict)
    answer: Answer | None = None
    kind: Literal["a", "b"] = "a"
    urgent: Literal[Level.emergency, Level.urgent] = Level.urgent


def test_serialisation_is_generic_over_the_models() -> None:
    """A model that gains fields of any supported kind round-trips with no change here."""
    value = _Extra(
        id="x",
        weights=[0.5, -1.25],
        level=Level.urgent,
        nested=Fix(text="t", evidence=Evidence.research),
        table={Level.emergency: (1, 2)},
        answer=["a", "b"],
        kind="b",
    )
    again = cache.decode(cache.encode(value, _Extra), _Extra)
    assert again == value and again.table[Level.emergency] == (1, 2)
    assert isinstance(again.nested, Fix)


def test_a_type_the_cache_cannot_hold_is_refused_not_guessed() -> None:
    from pydantic import BaseModel

    class Odd(BaseModel):
        anything: Any

    with pytest.raises(cache.Unsupported):
        cache.encode(Odd(anything=1), Odd)


def test_the_whole_knowledge_base_round_trips(kb: KnowledgeBase) -> None:
    again = cache.decode(cache.encode(kb, KnowledgeBase), KnowledgeBase)
    assert isinstance(again, KnowledgeBase)
    for f in ("questions", "red_flags", "mistakes", "drills", "variations", "alternatives"):
        assert [e.model_dump() for e in getattr(again, f)] == [
            e.model_dump() for e in getattr(kb, f)
        ]
    assert again.levels == kb.levels and again.origins == kb.origins
    assert again.technique == kb.technique and again.settings == kb.settings
    assert again == kb


_NOTHING_DEFERRED = hashlib.sha256(b"").hexdigest()


def _written(head: bytes, tables: str, value: str) -> bytes:
    """A cache file by hand: layout, then [tables, value, digest of the deferred lines]."""
    return head + f'\n[{tables}, {value}, "{_NOTHING_DEFERRED}"]\n'.encode()


class _Row(Model):
    name: str
    count: int = 1
    flag: bool = False
    tags: list[str] = Field(default_factory=list)


class _Rows(Model):
    rows: list[_Row]


def test_trailing_defaults_are_left_out_and_come_back_as_they_were() -> None:
    value = _Rows(rows=[_Row(name="a"), _Row(name="b", flag=True), _Row(name="c", count=0)])
    data = cache.encode(value, _Rows)
    # [tables, value]: _Row holds a list, so it has no table and is written in place.
    assert json.loads(data.split(b"\n")[1])[:2] == [[], [[["a"], ["b", 1, True], ["c", 0]]]]
    again = cache.decode(data, _Rows)
    assert again == value and type(again.rows[2].count) is int
    # A default list is each model's own, as pydantic's default_factory makes it.
    assert again.rows[0].tags is not again.rows[1].tags
    with pytest.raises(cache.Unsupported):  # shorter than the fields without defaults
        cache.decode(_written(data.split(b"\n")[0], "[]", "[[[]]]"), _Rows)


class _Flat(Model):
    id: str
    flag: bool = False
    weight: int | bool = 0


def test_equal_rows_of_scalars_are_written_once_and_numbers_do_not_alias() -> None:
    value = [_Flat(id="x", weight=1), _Flat(id="x", weight=1), _Flat(id="x", weight=True)]
    data = cache.encode(value, list[_Flat])
    # Each distinct row once, in _Flat's table; the value refers to rows by index.
    tables, refs, _ = json.loads(data.split(b"\n")[1])
    assert tables == [[["x", False, 1], ["x", False, True]]] and refs == [0, 0, 1]
    again = cache.decode(data, list[_Flat])
    assert again == value
    assert again[0] is again[1]  # frozen and holding nothing mutable: shared
    assert again[2].weight is True and again[0].weight is not True  # 1 == True, yet kept apart
    # A reference to a row that is not there is a miss, never a guess.
    with pytest.raises(IndexError):
        cache.decode(_written(data.split(b"\n")[0], '[[["x"]]]', "[0, 1]"), list[_Flat])
    # The tables are emptied after each decode: nothing is kept alive, or served twice.
    with pytest.raises(IndexError):
        cache.decode(_written(data.split(b"\n")[0], "[[]]", "[0]"), list[_Flat])


class _Tagged(Model):
    id: str
    marks: tuple[int | bool, ...] = ()
    fix: Fix | None = None


def test_equal_models_of_tuples_and_shared_models_are_written_once() -> None:
    # A fix holds tuples of frozen conditions, so equal fixes can be one object.
    when = (Condition(question="q", answers=("a", "b")),)
    fix = Fix(text="Brace first", evidence=Evidence.research, when=when)
    value = [
        _Tagged(id="x", marks=(1,), fix=fix),
        _Tagged(
            id="x", marks=(1,), fix=Fix(text="Brace first", evidence=Evidence.research, when=when)
        ),
        _Tagged(id="x", marks=(True,), fix=fix),
    ]
    data = cache.encode(value, list[_Tagged])
    assert json.loads(data.split(b"\n")[1])[1] == [0, 0, 1]
    again = cache.decode(data, list[_Tagged])
    assert again == value
    assert again[0] is again[1] and again[0].fix is again[2].fix
    assert again[2].marks[0] is True and again[0].marks[0] is not True  # 1 == True, kept apart
    assert type(again[0].fix.when) is tuple and type(again[0].fix.when[0].answers) is tuple


def test_not_finite_numbers_are_never_cached() -> None:
    with pytest.raises(cache.Unsupported):
        cache.encode(
            Settings.model_construct(
                kb_version="k",
                bands=Bands(),
                stop_threshold=float("nan"),
                always_ask=[],
                back_pain=[],
            ),
            Settings,
        )
    head = cache.encode(Settings(kb_version="k"), Settings).split(b"\n")[0]
    with pytest.raises(cache.Unsupported):
        cache.decode(_written(head, "[[[0.75, 0.5, 0.25]]]", '["k", 0, NaN, [], []]'), Settings)


@dataclass
class _NoLookup:
    values: Annotated[list[int], DEFERRED]


def test_only_a_class_that_can_look_a_field_up_may_defer_it() -> None:
    with pytest.raises(cache.Unsupported):
        cache.encode(_NoLookup([1]), _NoLookup)


class _Own(Model):
    name: str
    weight: float = 1.0


class _Holder(Model):
    id: str
    flat: _Flat
    own: Annotated[list[_Own], INLINE]


@dataclass
class _Lazy:
    items: Annotated[Sequence[_Holder], LAZY]
    count: Annotated[int, DERIVED] = field(init=False, repr=False, compare=False)

    def __getattr__(self, name: str) -> Any:
        if name == "count":
            self.__dict__[name] = len(self.items)
            return self.__dict__[name]
        raise AttributeError(name)


def _holders() -> list[_Holder]:
    return [
        _Holder(id=f"h{i}", flat=_Flat(id="x"), own=[_Own(name="a"), _Own(name=f"b{i}")])
        for i in range(4)
    ]


def test_a_lazy_list_makes_each_item_on_first_use_with_the_tables() -> None:
    value = _Lazy(_holders())
    data = cache.encode(value, _Lazy)
    _, body, *lines, end = data.split(b"\n")
    assert len(lines) == 4 and not end  # an item per line, after the value
    tables, refs, _ = json.loads(body)
    # _Flat is in its table; the INLINE field's rows are written in place, never tabled.
    assert tables == [[["x"]]] and refs == [[0, 4], 4]
    assert json.loads(lines[1]) == ["h1", 0, [["a"], ["b1"]]]
    again = cache.decode(data, _Lazy)
    assert isinstance(again.items, LazyItems) and "count" in vars(again)  # read, not derived
    assert again.items.made() == [] and len(again.items) == 4
    assert again.items[-2] == value.items[2] and again.items.made() == [2]
    assert again.items[0].flat is again.items[1].flat  # shared through the table, as ever
    assert list(again.items) == value.items and again == value and again.count == 4


def test_a_lazy_list_pointing_at_other_lines_is_a_miss_at_once() -> None:
    data = cache.encode(_Lazy(_holders()), _Lazy)
    head, body, rest = data.split(b"\n", 2)
    for wrong in (b"[[1,4],4]", b"[[0,5],4]", b"[[0,3],4]", b"[0,4]"):
        damaged = body.replace(b"[[0,4],4]", wrong)
        assert damaged != body
        with pytest.raises(cache.Unsupported):
            cache.decode(b"\n".join([head, damaged, rest]), _Lazy)
