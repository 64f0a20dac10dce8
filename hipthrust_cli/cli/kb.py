"""``hipthrust kb``, for people who write the knowledge base: validate, schema, show."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from hipthrust_cli import errors
from hipthrust_cli.cli import common
from hipthrust_cli.cli.app import app, examples
from hipthrust_cli.cli.common import FormatOption, KbOption
from hipthrust_cli.cli.funnel import Typer, say
from hipthrust_cli.errors import UsageError
from hipthrust_cli.safetext import clean_line, quote

kb_app = Typer(
    name="kb",
    help="For people who write the knowledge base: validate it, get its schema, browse it.",
    epilog=examples("hipthrust kb validate my-overlay/", "hipthrust kb show mistakes"),
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(kb_app)


@kb_app.command(
    "validate",
    epilog=examples(
        "hipthrust kb validate",
        "hipthrust kb validate my-overlay/",
        "hipthrust kb validate my-overlay/ --strict",
    ),
)
def kb_validate(
    folder: Annotated[
        Path | None,
        typer.Argument(help="Folder to check; without it, the shipped knowledge base."),
    ] = None,
    overlay: Annotated[
        bool | None,
        typer.Option(
            "--overlay/--alone",
            help="Check the folder layered over the shipped knowledge base, or alone. "
            "Default: alone if it holds every file, layered otherwise.",
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    fmt: FormatOption = "rich",
) -> None:
    """Check a knowledge base and list every problem: FILE:LINE: key.path: what — what to do.

    Exit code 0 when there are no errors (and, with --strict, no warnings), 3 otherwise.
    """
    from hipthrust_cli.kb import loading
    from hipthrust_cli.kb import schema as kbschema
    from hipthrust_cli.kb.lint import lint
    from hipthrust_cli.views.json import problem_json, to_json

    if folder is None:
        layered, what = False, "the shipped knowledge base"
        kb, problems = loading.collect()
    else:
        layered = overlay if overlay is not None else not loading.is_complete(folder)
        what = (
            f"{clean_line(str(folder))} "
            f"({'layered over the shipped knowledge base' if layered else 'alone'})"
        )
        kb, problems = (
            loading.collect(overlays=[folder]) if layered else loading.collect(base=folder)
        )
    if kb is not None:
        problems += lint(kb)
    faults = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    failed = bool(faults) or (strict and bool(warnings))
    if fmt == "json":
        common.echo(
            to_json(
                {
                    "ok": not failed,
                    "checked": what,
                    "errors": [problem_json(p) for p in faults],
                    "warnings": [problem_json(p) for p in warnings],
                }
            )
        )
    else:
        for p in faults:
            common.echo(str(p))
        for p in warnings:
            common.echo(f"{p} (warning)")
        if not problems and kb is not None:
            counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in kbschema.summary(kb))
            common.echo(f"No problems in {what}: {counts}.")
        else:
            common.echo(
                f"{len(faults)} error{'s' * (len(faults) != 1)} and {len(warnings)} "
                f"warning{'s' * (len(warnings) != 1)} in {what}."
            )
    if failed:
        raise typer.Exit(errors.EXIT_KB)


@kb_app.command(
    "schema", epilog=examples("hipthrust kb schema questions", "hipthrust kb schema -o schemas/")
)
def kb_schema(
    file: Annotated[
        str | None,
        typer.Argument(help="One file's schema, e.g. questions or mistakes.yaml; default all."),
    ] = None,
    output_given: Annotated[
        list[Path] | None,
        typer.Option(
            "--output",
            "-o",
            help="Write to this file (one schema) or folder (all schemas) instead of stdout "
            "(- is stdout).",
        ),
    ] = None,
) -> None:
    """The JSON Schema of the knowledge-base files, for editor completion and checks.

    The shipped data/*.yaml files point to data/schema/ with a
    '# yaml-language-server: $schema=...' line, which VS Code's YAML extension reads.
    """
    import json

    from hipthrust_cli.kb import schema as kbschema

    if output_given and len(output_given) > 1:
        raise UsageError(f"-o/--output was given {len(output_given)} times; give it once.")
    output = output_given[0] if output_given else None
    schemas = kbschema.json_schemas()
    if file is not None:
        kind = kbschema.kind_of(file)
        name = f"{kind}.schema.json" if kind else ""
        if name not in schemas:
            raise UsageError(
                f"There is no knowledge-base file {quote(file)}; choose one of "
                f"{', '.join(s.removesuffix('.schema.json') for s in schemas)}."
            )
        text = json.dumps(schemas[name], indent=2, ensure_ascii=False) + "\n"
        if output is None or str(output) == "-":
            common.echo(text)
        else:
            common.write_atomically(output, text, private=False)
            say(f"Wrote {clean_line(str(output))}\n")
        return
    if output is None or str(output) == "-":
        common.echo(json.dumps(schemas, indent=2, ensure_ascii=False))
        return
    if output.exists() and not output.is_dir():
        raise UsageError(
            f"{quote(output)} is a file; give a folder for all schemas, or name one schema "
            "(e.g. 'hipthrust kb schema questions -o questions.schema.json')."
        )
    try:
        output.mkdir(exist_ok=True)
    except OSError as exc:
        raise UsageError(f"Cannot create {quote(output)}: {exc.strerror or exc}.") from None
    for name, schema in schemas.items():
        common.write_atomically(
            output / name, json.dumps(schema, indent=2, ensure_ascii=False) + "\n", private=False
        )
    say(f"Wrote {len(schemas)} schemas to {clean_line(str(output))}\n")


@kb_app.command(
    "show",
    epilog=examples(
        "hipthrust kb show",
        "hipthrust kb show drills",
        "hipthrust kb show drills dead_bug",
        'hipthrust kb show drills "Dead bug"',
    ),
)
def kb_show(
    kind: Annotated[
        str | None,
        typer.Argument(
            help="questions, red_flags, mistakes, drills, variations, alternatives, "
            "notes, technique or settings."
        ),
    ] = None,
    entry_id: Annotated[
        str | None, typer.Argument(metavar="[ID]", help="One entry's id or name (any case).")
    ] = None,
    fmt: FormatOption = "rich",
    kb_dirs: KbOption = None,
) -> None:
    """Browse what the knowledge base holds: a summary, one kind, or one entry."""
    from hipthrust_cli.kb import schema as kbschema
    from hipthrust_cli.views.tables import label_of

    kb = common.load(kb_dirs)
    view = common.view(fmt)
    if kind is None:
        data: Any = {k: n for k, n in kbschema.summary(kb)}
        title = "Knowledge base " + kb.settings.kb_version
        rows = [[k, str(n)] for k, n in kbschema.summary(kb)]
        common.emit(
            lambda out: view.data(data, title, out, rows=rows, headings=["Kind", "Entries"])
        )
        return
    found = kbschema.kind_of(kind)
    if found is None:
        raise UsageError(
            f"There is no kind {quote(kind)}; choose one of {', '.join(kbschema.KINDS)}."
        )
    if found in ("technique", "settings"):
        model = kb.technique if found == "technique" else kb.settings
        dump = model.model_dump(mode="json", exclude_none=True)
        common.emit(lambda out: view.data(dump, found, out))
        return
    items = kbschema.entries(kb, found)
    if entry_id is None:
        rows = [[e.id, label_of(e)] for e in items]
        headings = ["Id", "Title"]
        if found == "red_flags":
            # Every warning sign with the level it leads to and the guidance behind it.
            rows = [[e.id, str(e.level.value), label_of(e), str(e.source)] for e in items]
            headings = ["Id", "Level", "Title", "Source"]
        dumps = [e.model_dump(mode="json", exclude_none=True) for e in items]
        return common.emit(lambda out: view.data(dumps, found, out, rows=rows, headings=headings))
    match = next((e for e in items if e.id == entry_id), None)
    if match is None:
        # By name too, in any case: 'kb show drills "Dead bug"' is how people say it.
        wanted = " ".join(entry_id.split()).casefold()
        match = next(
            (
                e
                for e in items
                if e.id.casefold() == wanted.replace(" ", "_")
                or " ".join(label_of(e).split()).casefold() == wanted
            ),
            None,
        )
    if match is None:
        from hipthrust_cli.kb.problems import did_you_mean

        hint = did_you_mean(entry_id, [e.id for e in items], cutoff=0.5, quoted=False)
        raise UsageError(
            f"There is no {found.rstrip('s')} {quote(entry_id)}; "
            + (hint or f"'hipthrust kb show {found}' lists them.")
        )
    dump = match.model_dump(mode="json", exclude_none=True)
    common.emit(lambda out: view.data(dump, f"{found} {match.id}", out))
