"""Find hip-thrust variations by what people call them, and filter the list.

People type what they say in the gym: "hip thrust", "barbell hip thrust", "banded",
"glute brigde". A query is matched, in this order, against every variation's name, id and
``aliases``: the whole text exactly; then every word of it (after fixing small typos word
by word, and ignoring endings such as "-ed" and "-s"); then the whole text approximately.
One match is taken (with a note when the text was not an exact name); several are listed
for the person to choose from.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - types only
    from hipthrust_cli.kb import Variation

# A word-by-word typo fix needs a close spelling: "brigde" → "bridge" (0.83), but not
# "band" → "hand" for a word we do not know. The whole-text fallback can be looser, since
# it only ever suggests or takes the single closest name.
_WORD_CUTOFF = 0.8
_TEXT_CUTOFF = 0.6
_TAKE_RATIO = 0.85


@dataclass(frozen=True)
class Search:
    """What a name search found: one variation, or the names to choose from."""

    found: Variation | None = None
    note: str | None = None
    candidates: list[str] = field(default_factory=list)


def _stem(word: str) -> str:
    for suffix in ("ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _words(text: str) -> list[str]:
    return [_stem(w) for w in re.findall(r"[a-z0-9]+", text.lower())]


def _keys(variation: Variation) -> list[str]:
    return [variation.name, variation.id.replace("_", " "), *variation.aliases]


def find(variations: Sequence[Variation], query: str) -> Search:
    """Find the variation *query* names; see the module docstring for how."""
    words = _words(query)
    if not words:
        return Search()
    joined = " ".join(words)
    by_key: dict[str, Variation] = {}
    for v in variations:
        for key in _keys(v):
            by_key.setdefault(" ".join(_words(key)), v)
    if joined in by_key:
        return Search(by_key[joined])
    # Also "singlelegh ipthrust" and "single-leg": compare without spaces too.
    squashed = {k.replace(" ", ""): v for k, v in by_key.items()}
    if joined.replace(" ", "") in squashed:
        return Search(squashed[joined.replace(" ", "")])

    vocabulary = sorted({w for key in by_key for w in key.split()})
    fixed = [
        w
        if w in vocabulary
        else next(iter(difflib.get_close_matches(w, vocabulary, 1, _WORD_CUTOFF)), w)
        for w in words
    ]
    containing = _unique(v for key, v in by_key.items() if set(fixed) <= set(key.split()))
    if len(containing) > 1:  # "glute bridge": prefer a name with no word left over
        exact = _unique(v for key, v in by_key.items() if set(fixed) == set(key.split()))
        containing = exact or containing
    if len(containing) == 1:
        return Search(containing[0], _note(containing[0], query))
    if containing:
        return Search(candidates=[v.name for v in containing])

    close = difflib.get_close_matches(joined, list(by_key), 5, _TEXT_CUTOFF)
    names = _unique(by_key[c] for c in close)
    if len(names) == 1 or (
        names and difflib.SequenceMatcher(None, joined, close[0]).ratio() >= _TAKE_RATIO
    ):
        return Search(names[0], _note(names[0], query))
    return Search(candidates=[v.name for v in names])


def _unique(found: Iterable[Variation]) -> list[Variation]:
    return list({v.id: v for v in found}.values())


def _note(found: Variation, query: str) -> str:
    return f"Showing '{found.name}', the closest match to '{query.strip()}'."


def matches(values: Sequence[str], wanted: str | None) -> bool:
    """True when no filter is given, or *wanted* is part of one of *values* (any case)."""
    if wanted is None:
        return True
    w = "".join(_words(wanted))
    return any(w in "".join(_words(v)) for v in values)


def select(
    variations: Sequence[Variation],
    *,
    goal: str | None = None,
    muscle: str | None = None,
    equipment: str | None = None,
    level: str | None = None,
) -> list[Variation]:
    """The variations that pass every filter given."""
    return [
        v
        for v in variations
        if matches(v.goal, goal)
        and matches(v.target_muscles, muscle)
        and matches(v.equipment, equipment)
        and matches([v.level], level)
    ]
