"""The insights' built-in plugin: the partner health components and the CLI commands,
registered through the same manager as installed plugins."""

from __future__ import annotations

import click

from rapport_core.cli import emit, run
from rapport_core.commands import cli_actor, find_partner, firm_option
from rapport_core.plugins import hookimpl


@click.command("owed")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of objects.")
@firm_option
def owed_command(as_json: bool, firm_slug: str | None) -> None:
    """Who do I owe a referral to? Partners ranked by what they sent you, recent and valuable first."""
    from rapport_core.insights.reciprocity import partners_owed

    async def body():
        return await partners_owed(await cli_actor(firm_slug))

    columns = [
        "partner_name",
        "received_count",
        "sent_count",
        "received_value",
        "sent_value",
        "owed_score",
    ]
    emit(run(body), as_json=as_json, columns=columns)


@click.command("dormant")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of objects.")
@firm_option
def dormant_command(as_json: bool, firm_slug: str | None) -> None:
    """Partners with no referral either way and no touchpoint for the dormant period."""
    from rapport_core.insights.attention import dormant_partners

    async def body():
        return await dormant_partners(await cli_actor(firm_slug))

    emit(run(body), as_json=as_json, columns=["partner_name", "last_contact_on", "days_quiet"])


@click.command("metrics")
@click.option(
    "--from",
    "period_from",
    type=click.DateTime(["%Y-%m-%d"]),
    help="First day (default: a year ago).",
)
@click.option(
    "--to", "period_to", type=click.DateTime(["%Y-%m-%d"]), help="Last day (default: today)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@firm_option
def metrics_command(period_from, period_to, as_json: bool, firm_slug: str | None) -> None:
    """Referral volume, acceptance and conversion, deal size, time to first contact, value by source."""
    import json

    from rapport_core.insights.metrics import referral_metrics

    async def body():
        return await referral_metrics(
            await cli_actor(firm_slug),
            period_from=period_from.date() if period_from else None,
            period_to=period_to.date() if period_to else None,
        )

    result = run(body)
    if as_json:
        click.echo(json.dumps(result.model_dump(mode="json"), indent=2))
        return
    summary = result.model_dump(mode="json", exclude={"by_source", "monthly"})
    emit(
        [{"metric": k, "value": v} for k, v in summary.items()],
        as_json=False,
        columns=["metric", "value"],
    )
    sources = [s.model_dump(mode="json") for s in result.by_source[:10]]
    emit(
        sources,
        as_json=False,
        columns=[
            "source",
            "received",
            "engaged",
            "conversion_rate",
            "actual_value",
            "average_matter_value",
        ],
    )


@click.command("briefing")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of objects.")
@firm_option
def briefing_command(as_json: bool, firm_slug: str | None) -> None:
    """Today's actions, ranked by urgency × impact, each with its reason."""
    from rapport_core.insights.briefing import daily_briefing

    async def body():
        return await daily_briefing(await cli_actor(firm_slug))

    emit(run(body), as_json=as_json, columns=["score", "title", "reason"])


@click.command("health")
@click.argument("partner")
@click.option("--json", "as_json", is_flag=True, help="Print the breakdown as a JSON object.")
@firm_option
def health_command(partner: str, as_json: bool, firm_slug: str | None) -> None:
    """A partner's health, 0–100, component by component. PARTNER is a name (or part of
    one, if only one partner matches) or an id."""
    from rapport_core.insights.health import partner_health

    async def body():
        actor = await cli_actor(firm_slug)
        return await partner_health(actor, await find_partner(actor, partner))

    health = run(body)
    if as_json:
        click.echo(health.model_dump_json(indent=2))
        return
    click.echo(f"{health.partner_name}: {health.score}/100, {health.band.value.replace('_', ' ')}")
    click.echo(health.explanation)
    emit(
        [c.model_dump() for c in health.components],
        as_json=False,
        columns=["label", "weight", "score", "points", "explanation"],
    )


@hookimpl(tryfirst=True)
def register_health_components(register) -> None:
    # First, so the built-in components lead every breakdown.
    from rapport_core.insights.health_components import BUILT_IN

    for component in BUILT_IN:
        register(component)


@hookimpl(trylast=True)
def register_commands(cli: click.Group) -> None:
    # Last, so the core commands have added the `partners` group these join.
    partners = cli.commands.get("partners")
    if isinstance(partners, click.Group):
        partners.add_command(owed_command)
        partners.add_command(dormant_command)
        partners.add_command(health_command)
    cli.add_command(metrics_command)
    cli.add_command(briefing_command)
