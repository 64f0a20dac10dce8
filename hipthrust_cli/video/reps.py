"""Reps in the hip-angle signal: hysteresis, a minimum duration, and each rep's phases.

The signal is the shoulder-hip-knee angle per frame. It goes up as the hips rise and
down as they lower, whatever the camera's distance or the person's size. A rep is the
signal rising from below the low threshold to above the high one and coming back below
the low one; the gap between the two thresholds (hysteresis) means jitter near either
never counts a rep. A rep must also last long enough, and have the torso near the floor
at the top, so that sitting up or getting into position is not a rep.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from hipthrust_cli.video.rules import RepSettings


@dataclass(frozen=True)
class Rep:
    """One rep, as frame indexes into the clip."""

    start: int  # the lift begins
    top_start: int  # the hips reach the top
    peak: int  # the highest point
    top_end: int  # the hips leave the top
    end: int  # the lowering ends at the bottom


def fill_gaps(values: Sequence[float | None], max_gap: int) -> list[float | None]:
    """Bridge runs of up to *max_gap* missing values by straight lines; longer runs stay."""
    out = list(values)
    i, n = 0, len(out)
    while i < n:
        if out[i] is not None:
            i += 1
            continue
        j = i
        while j < n and out[j] is None:
            j += 1
        before = out[i - 1] if i > 0 else None
        after = out[j] if j < n else None
        if before is not None and after is not None and j - i <= max_gap:
            for k in range(i, j):
                out[k] = before + (after - before) * (k - i + 1) / (j - i + 1)
        i = j
    return out


def smooth(values: Sequence[float | None]) -> list[float | None]:
    """A running median of 3, then a running mean of 3: removes single-frame spikes."""
    n = len(values)

    def window(seq: Sequence[float | None], k: int) -> list[float]:
        return [v for v in seq[max(0, k - 1) : k + 2] if v is not None]

    med: list[float | None] = []
    for k in range(n):
        w = window(values, k)
        med.append(statistics.median(w) if values[k] is not None and w else None)
    out: list[float | None] = []
    for k in range(n):
        w = window(med, k)
        out.append(sum(w) / len(w) if med[k] is not None and w else None)
    return out


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def find_reps(
    signal: Sequence[float | None],
    torso: Sequence[float | None],
    fps: float,
    settings: RepSettings,
) -> list[Rep]:
    """The complete reps in *signal* (degrees per frame, ``None`` where unseen)."""
    seen = [v for v in signal if v is not None]
    if len(seen) < 3:
        return []
    bottom, top = _percentile(seen, 0.05), _percentile(seen, 0.95)
    span = top - bottom
    if span < settings.min_range_deg:
        return []
    low = bottom + settings.low_fraction * span
    high = bottom + settings.high_fraction * span

    # Hysteresis: a crossing of `high` counts only after the signal was below `low`, and
    # the rep ends only when it is below `low` again. A gap (None) resets the state.
    crossings: list[tuple[int, int]] = []  # (first frame above high, last frame above low)
    state, up_at = "unknown", -1
    for i, v in enumerate(signal):
        if v is None:
            state = "unknown"
            continue
        if state in ("unknown", "up_unarmed"):
            if v <= low:
                state = "down"
            elif state == "unknown":
                state = "up_unarmed" if v >= high else "unknown"
        elif state == "down" and v >= high:
            state, up_at = "up", i
        elif state == "up" and v <= low:
            crossings.append((up_at, i))
            state = "down"

    reps = []
    for k, (a, b) in enumerate(crossings):
        lo = crossings[k - 1][1] if k > 0 else 0
        hi = crossings[k + 1][0] if k + 1 < len(crossings) else len(signal) - 1
        rep = _phases(signal, (lo, a, b, hi), settings)
        duration = (rep.end - rep.start) / fps
        if not settings.min_duration_s <= duration <= settings.max_duration_s:
            continue
        at_top = [t for t in torso[rep.top_start : rep.top_end + 1] if t is not None]
        if at_top and abs(statistics.median(at_top)) > settings.max_torso_at_top_deg:
            continue
        reps.append(rep)
    return reps


def _phases(
    signal: Sequence[float | None], bounds: tuple[int, int, int, int], settings: RepSettings
) -> Rep:
    """Where the lift starts, the top begins and ends, and the lowering ends.

    ``bounds`` is (end of the previous rep, first frame above the high threshold, first
    frame below the low one after it, start of the next rep). The bottom before the rep
    is the lowest point between the first two, the bottom after it between the last two.
    """
    lo, a, b, hi = bounds

    def high(i: int) -> float:
        v = signal[i]
        return v if v is not None else float("-inf")

    def low(i: int) -> float:
        v = signal[i]
        return v if v is not None else float("inf")

    peak = max(range(a, b), key=high)
    top = high(peak)
    before = min(range(lo, a + 1), key=low)
    after = min(range(b, hi + 1), key=low)
    span = top - min(low(before), low(after))
    tol = max(3.0, settings.plateau_fraction * span)
    top_start = peak
    while top_start > a and high(top_start - 1) >= top - tol:
        top_start -= 1
    top_end = peak
    while top_end < b and high(top_end + 1) >= top - tol:
        top_end += 1
    start = top_start
    settle_before = low(before) + settings.settle_fraction * (top - low(before))
    while start > before and high(start) > settle_before:
        start -= 1
    end = top_end
    settle_after = low(after) + settings.settle_fraction * (top - low(after))
    while end < after and high(end) > settle_after:
        end += 1
    return Rep(start=start, top_start=top_start, peak=peak, top_end=top_end, end=end)
