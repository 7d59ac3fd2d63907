"""The compliance engine's built-in plugin: CLI commands, re-evaluation on changes, the
payout gate and briefing items."""

from __future__ import annotations

import click

from rapport_core.plugins import hookimpl


@hookimpl
def register_commands(cli: click.Group) -> None:
    from rapport_core.compliance.authoring import rulepack_group
    from rapport_core.compliance.commands import compliance_group

    cli.add_command(rulepack_group)
    cli.add_command(compliance_group)
