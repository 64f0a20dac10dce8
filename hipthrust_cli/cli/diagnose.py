"""``hipthrust diagnose``: the interview and its report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hipthrust_cli.cli import common
from hipthrust_cli.cli.app import app, examples
from hipthrust_cli.cli.common import FormatOption, KbOption, OutputOption, ScreeningOption
from hipthrust_cli.errors import UsageError
from hipthrust_cli.paths import TargetError
from hipthrust_cli.safetext import clean_line, quote


@app.command(
    epilog=examples(
        "hipthrust diagnose",
        "hipthrust diagnose --again",
        "hipthrust diagnose --answer pain_level=4 --format json",
        "hipthrust diagnose --answers my-answers.yaml -o report.html",
    )
)
def diagnose(
    answers_file: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            "-a",
            metavar="FILE",
            help="YAML file of answers (question id: answer), or - for stdin. "
            "See 'hipthrust questions'.",
        ),
    ] = None,
    answer: Annotated[
        list[str] | None,
        typer.Option(
            "--answer",
            metavar="QID=VALUE",
            help="Answer one question, e.g. pain_level=4 or where_felt=lower_back,glutes. "
            "Repeatable; overrides the file.",
        ),
    ] = None,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never prompt; unanswered questions stay unanswered.")
    ] = False,
    thorough: Annotated[
        bool,
        typer.Option(
            "--thorough",
            help="Ask every question that applies, not only those that could change the report.",
        ),
    ] = False,
    fmt: FormatOption = "rich",
    kb_dirs: KbOption = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also say which given answers were ignored.")
    ] = False,
    again: Annotated[
        bool,
        typer.Option(
            "--again",
            help="Start from your last session's answers: the warning signs and the "
            "pain are asked fresh, then the review lists the rest to change (used as "
            "answers with --no-input or without a terminal, with the warning signs and "
            "pain left unanswered).",
        ),
    ] = False,
    output: OutputOption = None,
    no_history: Annotated[
        bool, typer.Option("--no-history", help="Do not save this diagnosis in your history.")
    ] = False,
    allow_unsafe_kb: Annotated[
        bool,
        typer.Option(
            "--allow-unsafe-kb",
            help="Use --kb overlays even if they remove or lower shipped emergency or "
            "same-day warning signs; the report then says so. HIPTHRUST_ALLOW_UNSAFE_KB=1 "
            "does the same.",
        ),
    ] = False,
    include_screening: ScreeningOption = False,
    video: Annotated[
        Path | None,
        typer.Option(
            "--video",
            metavar="VIDEO",
            help="A side-view video of a set: what it measures with confidence is "
            "answered for you (see 'hipthrust analyze'). Needs hipthrust[video].",
        ),
    ] = None,
) -> None:
    """Answer a few questions and get a report: warning signs, likely causes, fixes.

    The questions go to stderr and the report to stdout, so you can pipe the report or
    save it to a file.
    """
    from hipthrust_cli import session as one_run
    from hipthrust_cli.cli.analyze import video_answers
    from hipthrust_cli.core.answers import parse_options

    target = common.one_output(output)  # a bad -o fails before any question is asked
    kb = common.load(kb_dirs, allow_unsafe_kb)
    from_file = one_run.read_answers_file(answers_file, kb) if answers_file else {}
    from_options = parse_options(answer or [], kb)
    measured = video_answers(video, kb, {**from_file, **from_options}) if video else {}
    request = one_run.Request(
        from_file=from_file,
        from_options=from_options,
        measured=measured,
        answers_given=answers_file is not None or bool(answer),
        stdin_is_terminal=common.stdin_is_terminal() and str(answers_file) != "-",
        no_input=no_input,
        thorough=thorough,
        again=again,
        no_history=no_history,
        verbose=verbose,
    )
    store = common.history() if one_run.uses_history(request) else None
    run = one_run.Diagnose(kb, request, store)
    run.start()
    common.notify(run.take_notices())
    if run.needs_asking():
        from hipthrust_cli import prompts

        with prompts.terminal_restored_on_signals():
            run.ask(prompts.Prompter())
    report, saved = run.finish()
    common.notify(run.take_notices())
    hint = (
        f" The diagnosis is saved as session {saved}; 'hipthrust history show {saved}' "
        "shows it again (add -o FILE to write it)."
        if saved is not None
        else ""
    )
    try:
        common.show(report, fmt, include_screening)
    except UsageError as exc:  # stdout closed or full
        raise UsageError(exc.message + hint) from None
    if target is not None:
        try:
            common.write_report(report, target, include_screening)
        except TargetError as exc:
            raise UsageError(
                f"Cannot write {quote(exc.path)}: {clean_line(exc.reason)}.{hint}"
            ) from None
    if saved is not None:
        common.notify([one_run.saved_notice(saved, "—" if common.can_say("—") else "-")])
