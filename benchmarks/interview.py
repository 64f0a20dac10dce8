"""Interview length and accuracy over the calibration table (tests/data/scenarios.yaml).

    python benchmarks/interview.py            # the adaptive interview, simulated in-process
    python benchmarks/interview.py --pty      # the same people in a real pseudo-terminal

Each person knows all their own answers and answers whatever the wizard asks. Reported:
prompts after the warning-sign screen and in all (median and worst; in all counts the
screen, every question and the review, a checklist as one prompt), how often the
expected first cause came first, and how often a two-cause person had both in the top
three. Not a timed test: it measures what the interview asks, not how fast it runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hipthrust_cli.kb import KnowledgeBase, loading  # noqa: E402
from tests.scenarios import Scenario, interview, load  # noqa: E402

REVIEW = 1  # "Show my report" / "Change an answer" after the last question


def _pty_run(kb: KnowledgeBase, scenario: Scenario, folder: Path) -> tuple[int, int]:
    import json

    from hipthrust_cli.core.report import from_dict
    from tests.e2e.test_pty import _drive, _spawn

    child, out = _spawn(folder, "--no-history", "-f", "json")
    met = _drive(child, kb, scenario.answers)
    child.close()
    report = from_dict(json.loads(out.read_text()))
    screen = sum(1 for q in report.interview.asked if kb.question_by_id[q].red_flag)
    return len(met) - screen, len(met)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pty", action="store_true", help="drive a real pseudo-terminal")
    args = parser.parse_args()
    kb = loading.load()
    after: list[int] = []
    total: list[int] = []
    first_ok = first_n = top_ok = top_n = wrong = 0
    with tempfile.TemporaryDirectory() as tmp:
        for n, scenario in enumerate(load()):
            run, report = interview(kb, scenario.answers)
            screen = sum(1 for q in run.asked if kb.question_by_id[q].red_flag)
            if args.pty:
                folder = Path(tmp) / str(n)
                folder.mkdir()
                post, everything = _pty_run(kb, scenario, folder)
            else:
                post = len(run.asked) - screen + REVIEW
                everything = len(run.asked) + REVIEW
            after.append(post)
            total.append(everything)
            ids = [f.id for f in report.findings]
            if scenario.first:
                first_n += 1
                first_ok += ids[:1] == [scenario.first]
            if len(scenario.top) >= 2:
                top_n += 1
                top_ok += all(c in ids[:3] for c in scenario.top)
            problems = scenario.check(report)
            wrong += bool(problems)
            flag = "  <-- " + "; ".join(problems) if problems else ""
            print(f"{everything:3d} {post:3d}  {scenario.name}{flag}")
    print()
    print(f"people: {len(total)}  (prompts in all, then after the screen; review included)")
    print(f"prompts in all:        median {statistics.median(total):g}, worst {max(total)}")
    print(f"prompts after screen:  median {statistics.median(after):g}, worst {max(after)}")
    print(f"expected cause first:  {first_ok}/{first_n} ({100 * first_ok / max(1, first_n):.0f}%)")
    print(f"both causes in top 3:  {top_ok}/{top_n} ({100 * top_ok / max(1, top_n):.0f}%)")
    print(f"scenarios wrong:       {wrong}")
    return 0 if wrong == 0 and statistics.median(total) <= 12 else 1


if __name__ == "__main__":
    raise SystemExit(main())
