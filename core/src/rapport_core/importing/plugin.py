"""The import domain's built-in plugin: ``rapport partners import FILE``."""

from __future__ import annotations

from pathlib import Path

import click

from rapport_core.cli import console, emit, run
from rapport_core.commands import cli_actor, firm_option, partners_group
from rapport_core.plugins import hookimpl
from rapport_core.vocabulary import Profession


@hookimpl
def register_commands(cli: click.Group) -> None:
    # The `partners` group belongs to the core commands; importing adds to it.
    partners_group.add_command(partners_import)


def _mapping(pairs: tuple[str, ...]) -> dict[str, str] | None:
    if not pairs:
        return None
    mapping = {}
    for pair in pairs:
        column, sep, target = pair.rpartition("=")
        if not sep or not column:
            raise click.BadParameter(f"{pair!r}: use COLUMN=FIELD, e.g. 'E-mail=email'")
        mapping[column.strip()] = target.strip()
    return mapping


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--skip-bad-rows",
    is_flag=True,
    help="Import the valid rows and report the rest (default: all or nothing).",
)
@click.option(
    "--profession",
    type=click.Choice([p.value for p in Profession]),
    default="other",
    show_default=True,
    help="Profession of rows that do not name one.",
)
@click.option(
    "--map",
    "pairs",
    multiple=True,
    metavar="COLUMN=FIELD",
    help="Map a CSV column to a partner field (repeatable; unmapped columns are ignored). "
    "Without it, known exports use their layout and other CSVs a guess from the column names.",
)
@click.option("--dry-run", is_flag=True, help="Check and count; write nothing.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the rows that were not imported (row, line, field, reason) to this CSV.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@firm_option
def partners_import(
    file: Path, skip_bad_rows, profession, pairs, dry_run, report_path, as_json, firm_slug
) -> None:
    """Import partners from a CSV export (Outlook, Google Contacts, LinkedIn or any CSV) or
    a vCard file. Re-importing never creates duplicates."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from rapport_core.importing import service
    from rapport_core.importing.layouts import BY_NAME
    from rapport_core.importing.schemas import ImportMode, ImportOptions, ImportSummary

    mapping = _mapping(pairs)
    content = file.read_bytes()

    async def body():
        options = ImportOptions(  # inside run(): a bad mapping is a one-line error
            mode=ImportMode.skip_bad_rows if skip_bad_rows else ImportMode.all_or_nothing,
            default_profession=profession,
            mapping=mapping,
        )
        actor = await cli_actor(firm_slug)
        if dry_run:
            source = service.read_source(content, file.name)
            plan = await service.make_plan(actor, source, options)
            problems = [service.problem_out(p) for p in plan.problems()]
            return source.layout.name, "dry run", plan.counts(), problems
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=True,
            disable=as_json,
        ) as bar:
            tasks: dict[str, int] = {}

            def progress(phase: str, done: int, total: int) -> None:
                if phase not in tasks:
                    tasks[phase] = bar.add_task(phase.capitalize(), total=total)
                bar.update(tasks[phase], completed=done, total=total)

            report = await service.import_file(actor, content, file.name, options, progress)
        return report.format, report.status, report.counts, report.problems

    layout, status, counts, problems = run(body)
    if report_path:
        report_path.write_text(service.report_csv(problems))
    if as_json:
        result = {"format": layout, "status": status, "counts": counts, "problems": problems}
        emit([ImportSummary(**result)], as_json=True, columns=[])
    else:
        label = BY_NAME[layout].label
        rows = f"{counts.rows} row{'' if counts.rows == 1 else 's'}"
        click.echo(f"{file.name}: {label}, {rows} ({status})")
        emit(
            [counts],
            as_json=False,
            columns=["created", "updated", "unchanged", "skipped", "failed", "suggestions"],
        )
        if problems:
            emit(problems[:20], as_json=False, columns=list(service.REPORT_COLUMNS))
            if len(problems) > 20:
                click.echo(f"… and {len(problems) - 20} more (--report FILE writes them all)")
    if status == "rejected":
        raise click.ClickException(
            "nothing was imported: fix the rows listed, or use --skip-bad-rows"
        )
