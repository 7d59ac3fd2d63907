"""The audit log's built-in plugin: ``rapport audit verify | export | retention``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from rapport_core.cli import emit, run
from rapport_core.commands import firm_option
from rapport_core.plugins import hookimpl


@hookimpl
def register_commands(cli: click.Group) -> None:
    cli.add_command(audit_group)


@click.group("audit")
def audit_group() -> None:
    """The tamper-evident audit log: verify its hash chain, export it, its retention."""


def _progress():
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    # On stderr, so `--json` output stays clean to pipe.
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    )


@audit_group.command("verify")
@firm_option
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
def audit_verify(firm_slug: str | None, as_json: bool) -> None:
    """Walk each firm's hash chain (or --firm's) and report the first broken link; exit
    status 1 if any chain is broken."""
    from rapport_core.audit.verify import count_events, verify_chain
    from rapport_core.services.firms import firm_by_slug, list_firms

    async def body():
        firms = [await firm_by_slug(firm_slug)] if firm_slug else await list_firms()
        reports = []
        with _progress() as progress:
            for firm in firms:
                task = progress.add_task(firm.slug, total=await count_events(firm.id))
                report = await verify_chain(
                    firm.id, advance=lambda n, task=task: progress.advance(task, n)
                )
                reports.append({"firm": firm.slug, **report.as_dict()})
        return reports

    reports = run(body)
    if as_json:
        click.echo(json.dumps(reports, indent=2))
    for report in reports:
        if as_json:
            break
        if report["ok"]:
            click.echo(f"{report['firm']}: chain holds ({report['events_checked']} events)")
        else:
            where = (
                f"event {report['broken_event_id']}"
                if report["broken_event_id"]
                else "end of chain"
            )
            click.echo(
                f"{report['firm']}: BROKEN at {where} after {report['events_checked']} good "
                f"events: {report['problem']}\n  expected {report['expected'] or '(empty)'}\n"
                f"  found    {report['found'] or '(empty)'}",
                err=True,
            )
    if not all(report["ok"] for report in reports):
        raise SystemExit(1)


@audit_group.command("export")
@click.option("--from", "first", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "last", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the .jsonl and .pdf files.",
)
@firm_option
def audit_export(first: dt.datetime, last: dt.datetime, out_dir: Path, firm_slug) -> None:
    """Write the events dated --from to --to (UTC days, inclusive) as JSON Lines and a PDF."""
    from rapport_core.audit.export import day_bounds, export_audit
    from rapport_core.services.firms import default_firm
    from rapport_core.tables import AuditEvent

    async def body():
        firm = await default_firm(firm_slug)
        start, end = day_bounds(first.date(), last.date())
        total = await AuditEvent.count().where(
            AuditEvent.firm == firm.id, AuditEvent.at >= start, AuditEvent.at < end
        )
        with _progress() as progress:
            task = progress.add_task("exporting", total=total)
            return await export_audit(
                firm.id,
                firm.name,
                first.date(),
                last.date(),
                out_dir,
                advance=lambda n: progress.advance(task, n),
            )

    result = run(body)
    click.echo(f"{result.events} events written to {result.jsonl} and {result.pdf}")
    if result.events:
        click.echo(f"chain from {result.first_prev_hash or '(first event)'} to {result.last_hash}")


@audit_group.command("retention")
@click.option("--table", "table_name", default="rapport_audit_event", show_default=True)
@click.option("--years", type=int, help="Set the retention period (not below its legal floor).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@firm_option
def audit_retention(table_name: str, years: int | None, as_json: bool, firm_slug) -> None:
    """How long each protected table is kept unchanged; --years lengthens it."""
    from rapport_core.audit.retention import retention_policies, set_retention_years
    from rapport_core.commands import cli_actor

    async def body():
        if years is not None:
            await set_retention_years(await cli_actor(firm_slug), table_name, years)
        return await retention_policies()

    emit(
        run(body),
        as_json=as_json,
        columns=["table_name", "counted_from", "years", "floor_years", "updated_at"],
    )
