"""The agreements' built-in plugin: CLI commands and the expiring-agreements briefing source."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from rapport_core.agreements.schemas import AgreementKind
from rapport_core.cli import emit, run
from rapport_core.commands import cli_actor, find_partner, firm_option
from rapport_core.plugins import hookimpl


@hookimpl
def register_commands(cli: click.Group) -> None:
    cli.add_command(agreements_group)


@hookimpl
def register_briefing_sources(register) -> None:
    from rapport_core.agreements.expiry import briefing_actions
    from rapport_core.insights.briefing import BriefingSource

    register(BriefingSource("agreement_expiring", "Expiring agreements", briefing_actions))


@click.group("agreements")
def agreements_group() -> None:
    """Agreement documents: fee-sharing agreements, client consents, solicitation agreements."""


@agreements_group.command("list")
@click.option("--partner", "partner", metavar="NAME_OR_ID", help="Only this partner's.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@firm_option
def agreements_list(partner: str | None, as_json: bool, firm_slug: str | None) -> None:
    """Agreements, newest first."""
    from rapport_core.agreements.service import list_agreements

    async def body():
        actor = await cli_actor(firm_slug)
        partner_id = await find_partner(actor, partner) if partner else None
        return await list_agreements(actor, partner_id=partner_id)

    columns = ["id", "partner_name", "kind", "title", "status", "latest_version", "expires_on"]
    emit(run(body), as_json=as_json, columns=columns)


@agreements_group.command("expiring")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@firm_option
def agreements_expiring(as_json: bool, firm_slug: str | None) -> None:
    """Active agreements expiring within the warning thresholds (30/60/90 days), or past."""
    from rapport_core.agreements.expiry import expiring_agreements

    async def body():
        return await expiring_agreements(await cli_actor(firm_slug))

    columns = ["agreement_id", "partner_name", "title", "expires_on", "days_left", "threshold_days"]
    emit(run(body), as_json=as_json, columns=columns)


def _date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


@agreements_group.command("upload")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--partner", metavar="NAME_OR_ID", help="Who it is with (a new agreement).")
@click.option("--kind", required=True, type=click.Choice([k.value for k in AgreementKind]))
@click.option("--referral", "referral_id", type=int, help="The referral it is for (consents).")
@click.option("--title", default="")
@click.option("--signed", "signed_on", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--signers", default="", help="Comma-separated names.")
@click.option("--effective", "effective_on", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--expires", "expires_on", type=click.DateTime(["%Y-%m-%d"]))
@click.option(
    "--exclusive/--not-exclusive",
    default=None,
    help="Reciprocal agreements: it is exclusive (default: not stated).",
)
@click.option(
    "--client-informed/--client-not-informed",
    default=None,
    help="Reciprocal agreements: clients are told of it (default: not stated).",
)
@click.option("--to-agreement", "agreement_id", type=int, help="Add as a new version of this one.")
@firm_option
def agreements_upload(
    file: Path,
    partner,
    kind,
    referral_id,
    title,
    signed_on,
    signers,
    effective_on,
    expires_on,
    exclusive,
    client_informed,
    agreement_id,
    firm_slug,
) -> None:
    """Upload a signed PDF as a new agreement, or as a new version of one."""
    from rapport_core.agreements import service
    from rapport_core.agreements.schemas import AgreementCreate, VersionCreate

    fields = {
        "signed_on": _date(signed_on),
        "signers": signers,
        "effective_on": _date(effective_on),
        "expires_on": _date(expires_on),
        "exclusive": exclusive,
        "client_informed": client_informed,
    }

    async def body():
        actor = await cli_actor(firm_slug)
        data = file.read_bytes()
        if agreement_id:
            version = VersionCreate(**fields)
            return await service.add_version(actor, agreement_id, version, data, file.name)
        if not partner:
            raise click.UsageError("--partner is required for a new agreement")
        partner_id = await find_partner(actor, partner)
        create = AgreementCreate(
            partner_id=partner_id, referral_id=referral_id, kind=kind, title=title, **fields
        )
        return await service.upload_agreement(actor, create, data, file.name)

    out = run(body)
    click.echo(f"agreement {out.id} version {out.latest_version}: {out.title} ({out.status})")
