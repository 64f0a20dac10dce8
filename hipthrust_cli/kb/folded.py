"""Answers to the three questions that knowledge base 2026.12.3 folded into one checklist.

``pain_character``, ``pain_duration`` and ``back_history`` were single-choice questions
asked after the warning-sign screen, because warning signs read them. They are now the
screening checklist ``about_pain`` (one prompt instead of three). An answers file or
``--answer`` written before that keeps working when it gives all three: each old answer
becomes the tick it stands for, so every warning sign fires exactly as it did. One that
gives only some of them, or "not_sure" beside an answer that is a sign, cannot be
translated without guessing the rest; it gets one message saying where the answers went.

Pure: a mapping in, a mapping out, or :class:`FoldedAnswer` with the sentence to show.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

INTO = "about_pain"
VERSION = "2026.12.3"
NOT_SURE = "not_sure"

# Old question -> old choice -> the ticks of 'about_pain' it stands for. An empty list is
# an answer that no warning sign, note, cause or alternative read: nothing to tick.
FOLDED: dict[str, dict[str, list[str]]] = {
    "pain_character": {"muscle_effort": ["muscle_effort"], "ache": [], "sharp": ["sharp"]},
    "pain_duration": {
        "during_only": [],
        "hours": [],
        "next_day": [],
        "several_days": ["several_days"],
        "weeks": ["weeks"],
    },
    "back_history": {
        "none": [],
        "old_injury": ["old_injury"],
        "ongoing": ["ongoing"],
        "surgery": ["surgery"],
    },
}


class FoldedAnswer(ValueError):
    """An old answer that cannot be translated; ``question`` is the old id to blame."""

    def __init__(self, question: str, sentence: str) -> None:
        super().__init__(sentence)
        self.question = question


def _moved(qid: str) -> str:
    return f"'{qid}' is now part of the checklist '{INTO}' (knowledge base {VERSION})"


def moved_question(qid: str) -> str | None:
    """Where an old question went, as a sentence, or None if *qid* was not folded."""
    if qid not in FOLDED:
        return None
    return f"{_moved(qid)} — use '{INTO}' ('hipthrust questions' lists its choices)"


def fold(raw: Mapping[Any, Any], as_option: bool = False) -> dict[Any, Any]:
    """*raw* answers with the old three questions replaced by ``about_pain``.

    Blank answers (``None``) count as not given. Raises :class:`FoldedAnswer` when the
    old answers cannot be translated exactly; its advice is written as YAML, or as an
    ``--answer`` option with *as_option*.
    """
    given = {q: raw[q] for q in FOLDED if q in raw and raw[q] is not None}
    if not given:
        return {k: v for k, v in raw.items() if k not in FOLDED}
    first = next(iter(given))
    if raw.get(INTO) is not None:
        raise FoldedAnswer(first, f"{_moved(first)}; give '{INTO}' alone")
    ticks: list[str] = []
    unsure = []
    for qid, value in given.items():
        if value == NOT_SURE:
            unsure.append(qid)
        elif isinstance(value, str) and value in FOLDED[qid]:
            ticks += FOLDED[qid][value]
        else:
            valid = ", ".join([*FOLDED[qid], NOT_SURE])
            raise FoldedAnswer(
                qid, f"{value!r} is not a choice of '{qid}' (valid: {valid}); {moved_question(qid)}"
            )
    missing = [q for q in FOLDED if q not in given]
    if missing or (unsure and ticks):
        reason = (
            f"without {' and '.join(missing)} it cannot be translated"
            if missing
            else f"'not_sure' for {' and '.join(unsure)} cannot be translated beside a sign"
        )
        picked = list(dict.fromkeys(ticks))
        if as_option:
            write = (
                f"'--answer {INTO}={','.join(picked)}' with any other tick that applies"
                if picked
                else f"'--answer {INTO}=...' with the ticks that apply, or '--answer {INTO}=none'"
            )
            unsure_form = f"'--answer {INTO}={NOT_SURE}'"
        else:
            write = (
                f"'{INTO}: [{', '.join(picked)}]' with any other tick that applies"
                if picked
                else f"'{INTO}: [...]' with the ticks that apply, or '{INTO}: [none]'"
            )
            unsure_form = f"'{INTO}: {NOT_SURE}'"
        if unsure:  # ticks alone would drop what the person was not sure of
            write += f", or {unsure_form} if you are not sure"
        raise FoldedAnswer(
            first, f"{_moved(first)}; {reason}, so write {write} ('hipthrust questions' lists them)"
        )
    out = {k: v for k, v in raw.items() if k not in FOLDED}
    out[INTO] = NOT_SURE if unsure else (list(dict.fromkeys(ticks)) or ["none"])
    return out
