"""The pipeline's built-in plugin: its CLI commands (registered through the same manager as
installed plugins)."""

from __future__ import annotations

import click

from rapport_core.cli import emit, run
from rapport_core.commands import cli_actor, firm_option, referrals_group
from rapport_core.plugins import hookimpl


@hookimpl
def register_commands(cli: click.Group) -> None:
    # The `referrals` group belongs to the core commands; the pipeline adds to it.
    referrals_group.add_command(referrals_overdue)


@click.command("overdue")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@firm_option
def referrals_overdue(as_json: bool, firm_slug: str | None) -> None:
    """Received referrals that missed an SLA, most overdue first."""
    from rapport_core.pipeline.sla import sla_breaches

    async def body():
        return await sla_breaches(await cli_actor(firm_slug))

    emit(
        run(body),
        as_json=as_json,
        columns=["referral_id", "client_name", "partner_name", "kind", "due_at", "overdue_hours"],
    )
