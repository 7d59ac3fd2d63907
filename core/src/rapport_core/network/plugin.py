"""The network's built-in plugin: its CLI commands (registered through the same manager as
installed plugins)."""

from __future__ import annotations

import click

from rapport_core.cli import emit, run
from rapport_core.commands import cli_actor, firm_option
from rapport_core.plugins import hookimpl


@click.command("gaps")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of objects.")
@firm_option
def gaps_command(as_json: bool, firm_slug: str | None) -> None:
    """Complementary partner types the network lacks or has too few core partners of."""
    from rapport_core.network.gaps import network_gaps

    async def body():
        return await network_gaps(await cli_actor(firm_slug))

    result = run(body)
    rows = [gap.model_dump(mode="json") for gap in result.gaps]
    if not as_json:
        rows = [
            {**row, "core": f"{row['core']} of {row['target_min']}–{row['target_max']}"}
            for row in rows
        ]
    emit(rows, as_json=as_json, columns=["label", "status", "have", "core", "suggestion"])


@hookimpl(trylast=True)
def register_commands(cli: click.Group) -> None:
    # Last, so the core commands have added the `partners` group this command joins.
    partners = cli.commands.get("partners")
    if isinstance(partners, click.Group):
        partners.add_command(gaps_command)
