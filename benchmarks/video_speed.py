"""How fast `hipthrust analyze` reads a video: frames per second against real time.

    python benchmarks/video_speed.py [VIDEO] [--runs N]

Defaults to the shared side-view clip (../shared/video/bridge-side.mp4, 1280x720, about
24 fps). Reports the median over runs of decoding + pose model (the edge) and of the
pure analysis, and the speed as a multiple of real time. Needs hipthrust[video].
Goal: at least real time (1.0x) for 720p on 2 cores.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from hipthrust_cli.video import analysis, pose, rules

ROOT = Path(__file__).resolve().parent.parent
CLIP = ROOT.parent / "shared" / "video" / "bridge-side.mp4"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", type=Path, default=CLIP)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if pose.missing():
        print(pose.missing(), file=sys.stderr)
        return 2
    settings = rules.load()
    reads, analyses = [], []
    clip = None
    for _ in range(args.runs):
        with pose.quiet_native_logs():
            start = time.perf_counter()
            clip = pose.read(args.video)
            reads.append(time.perf_counter() - start)
        start = time.perf_counter()
        result = analysis.analyze(clip, settings)
        analyses.append(time.perf_counter() - start)
    assert clip is not None
    read, pure = statistics.median(reads), statistics.median(analyses)
    frames = len(clip.poses)
    fps = frames / (read + pure)
    print(f"{args.video.name}: {clip.width}x{clip.height}, {frames} frames at {clip.fps:.2f} fps")
    print(f"read + pose model: {read:.2f} s median of {args.runs} ({frames / read:.1f} frames/s)")
    print(f"analysis (pure):   {pure * 1000:.1f} ms; {result.reps} reps")
    print(f"overall: {fps:.1f} frames/s = {fps / clip.fps:.2f}x real time (goal: 1.0x or more)")
    return 0 if fps >= clip.fps else 1


if __name__ == "__main__":
    sys.exit(main())
