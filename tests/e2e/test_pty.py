"""End to end in a real pseudo-terminal: a person answering with arrow keys and Enter."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pexpect
import pytest

from hipthrust_cli.kb import NOT_SURE, Answer, Kind, KnowledgeBase, Question, loading

pytestmark = pytest.mark.slow

DOWN, UP, SPACE, ENTER = "\x1b[B", "\x1b[A", " ", "\r"
PROMPT = re.compile(r"\[(\d+)(?: of about (\d+))?\] ([^\r\n]{10,40})")


SCREEN_CLEAR = {
    "emergency_signs": "none",
    "urgent_signs": "none",
    "health_history": "none",
    "age_band": "age_16_to_50",
    "about_pain": "none",
}


def _spawn(tmp_path: Path, *args: str) -> tuple[pexpect.spawn, Path]:
    out = tmp_path / "report.txt"
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "COLUMNS": "100",
        "LINES": "40",
        "NO_COLOR": "1",
        # pexpect does not answer cursor-position requests the way a terminal does;
        # without this each prompt waits for that answer to time out.
        "PROMPT_TOOLKIT_NO_CPR": "1",
    }
    cmd = " ".join([sys.executable, "-m", "hipthrust_cli", "diagnose", *args])
    child = pexpect.spawn(
        "/bin/sh",
        ["-c", f"{cmd} > {out}"],
        env=env,
        cwd=str(tmp_path),
        dimensions=(40, 100),
        encoding="utf-8",
        timeout=30,
    )
    return child, out


def _answer_all(child: pexpect.spawn, keys_for: dict[str, str]) -> list[str]:
    """Answer every prompt: keys chosen by a fragment of the question, Enter otherwise."""
    seen: list[str] = []
    last = 0
    while True:
        index = child.expect([PROMPT, pexpect.EOF, "Ready\\?"])
        if index == 1:
            return seen
        if index == 2:  # the review: "Show my report" is the first choice
            child.send(ENTER)
            continue
        number, text = int(child.match.group(1)), child.match.group(3)
        if number <= last:  # a redraw of the prompt already answered
            continue
        last = number
        seen.append(text)
        keys = next((k for frag, k in keys_for.items() if frag in text), ENTER)
        child.send(keys)


def _keys(question: Question, value: Answer) -> str:
    """The keys that give *value* at *question*'s prompt, from a fresh prompt."""
    from hipthrust_cli.prompts import starting_point

    ids = question.choice_ids()
    if question.kind is Kind.multi:
        ticks = [len(ids)] if value == NOT_SURE else [ids.index(v) for v in value]
        keys, at = "", 0
        for index in sorted(ticks):
            keys += DOWN * (index - at) + SPACE
            at = index
        return keys + ENTER
    if question.kind is Kind.scale:
        # The pointer starts on "Not sure"; a number is typed.
        return ENTER if value == NOT_SURE else f"{value}{ENTER}"
    ids = [*ids, NOT_SURE]
    start, target = ids.index(str(starting_point(question))), ids.index(str(value))
    return (DOWN * (target - start) if target >= start else UP * (start - target)) + ENTER


def _drive(child: pexpect.spawn, kb: KnowledgeBase, answers: dict[str, Answer]) -> list[str]:
    """Answer every prompt as the person would; returns the prompts met, the review included.

    Each prompt is recognised by the start of its question text; the review ("Ready?")
    gets "Show my report".
    """
    questions = list(kb.questions)
    met: list[str] = []
    last = 0
    while True:
        index = child.expect([PROMPT, pexpect.EOF, "Ready\\?"])
        if index == 1:
            return met
        if index == 2:
            if met[-1:] != ["review"]:  # not the redraw after the answer
                met.append("review")
                child.send(ENTER)
            continue
        number, text = int(child.match.group(1)), child.match.group(3)
        if number <= last:  # a redraw of the prompt already answered
            continue
        last = number
        words = re.sub(r"\x1b(\[[0-9;]*m?)?", "", text).split("(arrow keys")[0].split("(Space")[0]
        words = words.rstrip()
        tries = [words, words.rsplit(" (", 1)[0]]  # a key hint cut off at 40 characters
        question = next((q for w in tries for q in questions if q.text.startswith(w)), None)
        assert question is not None, f"no question starts with {words!r}"
        met.append(question.id)
        child.send(_keys(question, answers.get(question.id, NOT_SURE)))


def test_form_problem_by_arrow_keys(tmp_path: Path) -> None:
    from tests.conftest import story

    kb = loading.load()
    person = story(
        about_pain=["none"],
        where_felt=["lower_back"],
        when_felt="top",
        pain_level=4,
        lockout_arch="clearly",
        head_position="looking_up",
        plank_time="under_30s",
        rep_onset="last_reps",
    )
    child, out = _spawn(tmp_path)
    met = _drive(child, kb, person)
    child.wait()  # it closed its end: let it exit before close() would signal it
    child.close()
    assert child.exitstatus == 0
    assert met[:4] == ["emergency_signs", "urgent_signs", "health_history", "age_band"]
    assert "footwear" not in met, "a follow-up whose condition is false is skipped"
    assert met[-1] == "review"
    report = out.read_text()
    assert report.startswith("╭") and "SELF-CARE" in report.splitlines()[0]
    causes = report[report.index("Likely causes") :]
    first = re.findall(r"^ \d\. (.+?)  (very likely|likely|possible)", causes, re.M)
    assert first[0] == ("Arching the lower back", "very likely")
    assert "does not replace" in report


# People from the calibration table, driven through the real terminal: prompts in all,
# the screen and the review included (a checklist is one prompt).
PTY_PEOPLE = [
    "clear arch at the top",
    "glutes barely working",
    "high box",
    "feet far out, hamstrings burning, 55 cm box (issue 12)",
    "added weight, form breaks",
    "bouncing reps",
    "arch and heavy load",
    "a lifter with good form and mild effort",
    "stiff ankles, heels lift",
]


def test_simulated_people_in_a_real_terminal(tmp_path: Path) -> None:
    import statistics

    from tests.scenarios import load

    kb = loading.load()
    people = {s.name: s for s in load()}
    counts = []
    for n, name in enumerate(PTY_PEOPLE):
        scenario = people[name]
        folder = tmp_path / str(n)
        folder.mkdir()
        child, out = _spawn(folder, "--no-history", "-f", "json")
        met = _drive(child, kb, scenario.answers)
        child.wait()  # it closed its end: let it exit before close() would signal it
        child.close()
        assert child.exitstatus == 0, name
        import json

        from hipthrust_cli.core.report import from_dict

        report = from_dict(json.loads(out.read_text()))
        assert scenario.check(report) == [], name
        assert report.interview.asked == [m for m in met if m != "review"]
        counts.append(len(met))
    # Issue 12 asks for a median of at most 12. After merging the triage work, three
    # questions its warning signs read (pain type, how long it lasts, back history) are
    # asked after the four-prompt screen, so the median is 14; see
    # tests/core/test_calibration.py::test_a_dozen_prompts_in_all for the open goal.
    assert statistics.median(counts) <= 14, counts


def test_emergency_red_flag_stops_at_once(tmp_path: Path) -> None:
    child, out = _spawn(tmp_path)
    child.expect(PROMPT)
    child.send(DOWN * 2 + SPACE + ENTER)  # bladder or bowel changes
    child.expect("Is that right")
    child.send(ENTER)  # yes
    child.expect("needs medical attention")
    child.expect(pexpect.EOF)
    child.wait()  # it closed its end: let it exit before close() would signal it
    child.close()
    assert child.exitstatus == 0
    report = out.read_text()
    assert "EMERGENCY" in report.splitlines()[0] and "A&E" in report
    assert "Likely causes" not in report


def test_ctrl_c_exits_130_and_writes_nothing(tmp_path: Path) -> None:
    child, out = _spawn(tmp_path)
    child.expect(PROMPT)
    child.sendcontrol("c")
    child.expect("Stopped")
    child.expect(pexpect.EOF)
    child.wait()  # it closed its end: let it exit before close() would signal it
    child.close()
    assert child.exitstatus == 130
    assert out.read_text() == ""
    assert "Traceback" not in (child.before or "")


def test_ctrl_d_exits_cleanly(tmp_path: Path) -> None:
    child, out = _spawn(tmp_path, "--answer", "emergency_signs=none")
    child.expect(PROMPT)
    child.sendcontrol("d")
    child.expect("Ctrl-D")
    child.expect(pexpect.EOF)
    child.wait()  # it closed its end: let it exit before close() would signal it
    child.close()
    assert child.exitstatus == 130 and out.read_text() == ""


def test_ctrl_c_in_the_middle_of_the_interview(tmp_path: Path) -> None:
    child, out = _spawn(tmp_path)
    answered = 0
    last = 0
    # The five screening prompts ("None of these", 16 to 50), then the usual answers.
    keys = {1: DOWN * 7 + SPACE, 2: DOWN * 10 + SPACE, 3: DOWN * 6 + SPACE, 4: UP * 2}
    keys[5] = DOWN * 7 + SPACE
    while answered < 6:
        child.expect(PROMPT)
        number = int(child.match.group(1))
        if number <= last:
            continue
        last = number
        answered += 1
        if answered < 6:
            child.send(keys.get(number, "") + ENTER)
    child.sendcontrol("c")  # in the middle of the interview
    child.expect("Stopped")
    child.expect(pexpect.EOF)
    child.wait()  # it closed its end: let it exit before close() would signal it
    child.close()
    assert child.exitstatus == 130 and out.read_text() == ""


def test_back_and_review_in_a_real_terminal(tmp_path: Path) -> None:
    import json

    import yaml

    from tests.conftest import story

    answers = story(bench_height=None, shins_at_top=None)
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(answers))
    child, out = _spawn(tmp_path, "--answers", "a.yaml", "--no-history", "-f", "json", "--thorough")
    up = "\x1b[A"
    child.expect(r"\[1 of about 2\] How high is the bench")
    child.send(DOWN * 4 + ENTER)  # above 50 cm
    child.expect(r"\[2 of about 2\] At the top, looking from the side")
    child.send(up * 2 + ENTER)  # wraps to the end: "Show my report now", then "← Back"
    child.expect(r"\[1 of about 2\] How high is the bench")
    child.send(up * 2 + ENTER)  # "above 50 cm" is pre-selected; two up is 40 to 46 cm
    child.expect(r"\[2 of about 2\]")
    child.send(ENTER)  # vertical shins
    child.expect("Ready\\?")
    child.send(DOWN + ENTER)  # Change an answer
    child.expect("Which answer do you want to change")
    order = [q.id for q in loading.load().ordered_questions]
    given = [qid for qid in order if qid in {**answers, "bench_height": 1, "shins_at_top": 1}]
    child.send(DOWN * given.index("bench_height") + ENTER)
    child.expect(r"How high is the bench")
    child.send(DOWN * 2 + ENTER)  # from 40–46 cm to above 50 cm
    child.expect("Ready\\?")
    child.send(ENTER)  # Show my report
    child.expect(pexpect.EOF)
    child.wait()  # it closed its end: let it exit before close() would signal it
    child.close()
    assert child.exitstatus == 0
    report = json.loads(out.read_text())
    assert report["answers"]["bench_height"] == "high"
    assert report["findings"][0]["id"] == "bench_too_high"
    assert report["interview"]["asked"] == ["bench_height", "shins_at_top"]


def test_show_my_report_now_skips_the_rest(tmp_path: Path) -> None:
    import json

    child, out = _spawn(
        tmp_path,
        "--no-history",
        "-f",
        "json",
        *(f"--answer {q}={v}" for q, v in SCREEN_CLEAR.items()),
        "--answer what_you_see=back_arches",
    )
    child.expect(r"\[1\] How strong is")
    child.send("3" + ENTER)
    child.expect(r"\[2\] ")
    child.send("\x1b[A" + ENTER)  # the last choice of a select: "Show my report now"
    child.expect(pexpect.EOF)
    child.wait()  # it closed its end: let it exit before close() would signal it
    child.close()
    assert child.exitstatus == 0
    report = json.loads(out.read_text())
    assert report["interview"]["asked"] == ["pain_level"]
    assert len(report["interview"]["skipped"]) > 10
