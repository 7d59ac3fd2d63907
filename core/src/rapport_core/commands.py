"""The built-in CLI commands, registered as a default plugin through ``register_commands``."""

from __future__ import annotations

import datetime as dt
import json

import click

from rapport_core.actors import Actor
from rapport_core.cli import MoneyParam, emit, run
from rapport_core.plugins import hookimpl
from rapport_core.vocabulary import Direction, Profession, Role

firm_option = click.option(
    "--firm", "firm_slug", metavar="SLUG", help="Firm to act on (default: the only firm)."
)


async def cli_actor(firm_slug: str | None) -> Actor:
    """The CLI acts as the firm's owner, labelled ``cli`` in the audit log."""
    from rapport_core.services.firms import default_firm

    firm = await default_firm(firm_slug)
    return Actor(firm_id=firm.id, label="cli", role=Role.owner)


async def find_partner(actor: Actor, name_or_id: str) -> int:
    """The id of the one partner named ``name_or_id`` (exactly, else as part of a name), or
    given by its id; none or several is an error that lists them."""
    from rapport_core.schemas import PartnerSearch
    from rapport_core.services.partners import get_partner, search_partners

    if name_or_id.isdigit():
        return (await get_partner(actor, int(name_or_id))).id
    matches = (await search_partners(actor, PartnerSearch(q=name_or_id, per_page=200))).items
    exact = [p for p in matches if p.name.lower() == name_or_id.lower()]
    candidates = exact or matches
    if not candidates:
        raise click.ClickException(f"no partner matches {name_or_id!r}")
    if len(candidates) > 1:
        names = ", ".join(p.name for p in candidates[:10])
        raise click.ClickException(f"{name_or_id!r} matches several partners: {names}")
    return candidates[0].id


@hookimpl
def register_commands(cli: click.Group) -> None:
    for command in (
        plugins_command,
        db_group,
        firm_group,
        user_group,
        token_group,
        partners_group,
        referrals_group,
        demo_group,
    ):
        cli.add_command(command)


# ------------------------------------------------------------------------ plugins, db


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def plugins_command(as_json: bool) -> None:
    """List installed plugins with their versions and hooks."""
    from rapport_core.plugins import installed_plugins

    rows = [info.as_dict() for info in installed_plugins()]
    if not as_json:
        rows = [{**row, "hooks": ", ".join(row["hooks"])} for row in rows]
    emit(rows, as_json=as_json, columns=["name", "version", "default", "hooks"])


@click.group("db")
def db_group() -> None:
    """Database maintenance."""


@db_group.command("migrate")
def db_migrate() -> None:
    """Apply pending migrations."""
    from rapport_core import db
    from rapport_core.settings import get_settings

    applied = run(db.migrate, migrate=False)
    target = get_settings().database_url.split("@")[-1]
    click.echo(
        f"{len(applied)} migration(s) applied to {target}" if applied else f"{target} is up to date"
    )


# ------------------------------------------------------------------------ firms and people


@click.group("firm")
def firm_group() -> None:
    """Firms (each firm's data is kept apart from every other's)."""


@firm_group.command("create")
@click.option("--name", required=True)
@click.option("--slug", required=True, help="Short lowercase id, e.g. smith-law.")
@click.option(
    "--profession", "professions", multiple=True, type=click.Choice([p.value for p in Profession])
)
@click.option(
    "--jurisdiction",
    "jurisdictions",
    multiple=True,
    metavar="STATE",
    help="US state code; repeatable.",
)
@click.option("--city", "home_city")
@click.option("--state", "home_state")
def firm_create(name, slug, professions, jurisdictions, home_city, home_state) -> None:
    """Create a firm."""
    from rapport_core.schemas import FirmCreate
    from rapport_core.services.firms import create_firm

    data = FirmCreate(
        name=name,
        slug=slug,
        professions=list(professions),
        jurisdictions=list(jurisdictions),
        home_city=home_city,
        home_state=home_state,
    )
    firm = run(lambda: create_firm(data))
    click.echo(f"created firm {firm.slug} (id {firm.id})")


@firm_group.command("settings")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@firm_option
def firm_settings_command(as_json: bool, firm_slug: str | None) -> None:
    """Show the firm's settings: each key, its value, and what it means."""
    from rapport_core.services.firm_settings import firm_settings

    async def body():
        return await firm_settings((await cli_actor(firm_slug)).firm_id)

    emit(settings_rows(run(body)), as_json=as_json, columns=["key", "value", "meaning"])


@firm_group.command("set")
@click.argument("key")
@click.argument("value")
@firm_option
def firm_set_command(key: str, value: str, firm_slug: str | None) -> None:
    """Change one setting, e.g. `rapport firm set sla.acknowledge_hours 2`."""
    from rapport_core.services.firm_settings import update_firm_settings

    section, _, name = key.partition(".")
    if not name:
        raise click.BadParameter("use SECTION.NAME, e.g. sla.acknowledge_hours", param_hint="KEY")
    try:
        parsed = json.loads(value)  # numbers, true/false, null
    except json.JSONDecodeError:
        parsed = value  # plain words

    async def body():
        return await update_firm_settings(await cli_actor(firm_slug), {section: {name: parsed}})

    rows = [row for row in settings_rows(run(body)) if row["key"] == key]
    emit(rows, as_json=False, columns=["key", "value", "meaning"])


def settings_rows(settings) -> list[dict]:
    rows = []
    for section_name, section in settings:
        for name, info in type(section).model_fields.items():
            value = getattr(section, name)
            rows.append(
                {
                    "key": f"{section_name}.{name}",
                    "value": value.value if hasattr(value, "value") else value,
                    "meaning": info.description or "",
                }
            )
    return rows


@firm_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def firm_list(as_json: bool) -> None:
    """List firms."""
    from rapport_core.services.firms import list_firms

    emit(run(list_firms), as_json=as_json, columns=["id", "slug", "name", "jurisdictions"])


@click.group("user")
def user_group() -> None:
    """Users who sign in to the web UI."""


@user_group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default="member", show_default=True
)
@click.password_option(help="Sign-in password (asked for when omitted).")
@firm_option
def user_create(email, name, role, password, firm_slug) -> None:
    """Create a user in a firm."""
    from rapport_core.schemas import UserCreate
    from rapport_core.services.firms import create_user

    data = UserCreate(email=email, name=name, role=role, password=password)

    async def body():
        return await create_user(await cli_actor(firm_slug), data)

    user = run(body)
    click.echo(f"created user {user.email} ({user.role}) in firm {firm_slug or 'default'}")


@click.group("token")
def token_group() -> None:
    """API tokens for /api/v1 (sent as `Authorization: Bearer …`)."""


@token_group.command("create")
@click.option("--email", required=True, help="The user the token acts as.")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@firm_option
def token_create(email, name, firm_slug) -> None:
    """Create an API token and print it once."""
    from rapport_core.services.firms import create_token, list_users

    async def body():
        actor = await cli_actor(firm_slug)
        users = {u.email: u for u in await list_users(actor)}
        if email.lower() not in users:
            raise click.ClickException(f"no user {email} in this firm")
        return await create_token(actor, users[email.lower()].id, name)

    token, record = run(body)
    click.echo(token)
    click.echo(
        f"token {record.name!r} ({record.prefix}…) created; it will not be shown again", err=True
    )


# ------------------------------------------------------------------------ partners


@click.group("partners")
def partners_group() -> None:
    """Referral partners."""


@partners_group.command("list")
@click.option("--q", help="Search name, organisation, specialty or email.")
@click.option("--profession", type=click.Choice([p.value for p in Profession]))
@click.option("--state")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of objects.")
@firm_option
def partners_list(q, profession, state, as_json, firm_slug) -> None:
    """List partners."""
    from rapport_core.schemas import PartnerSearch
    from rapport_core.services.partners import search_partners

    async def body():
        actor = await cli_actor(firm_slug)
        found, page = [], 1
        while True:
            result = await search_partners(
                actor,
                PartnerSearch(q=q, profession=profession, state=state, page=page, per_page=200),
            )
            found += result.items
            if page * result.per_page >= result.total:
                return found
            page += 1

    emit(
        run(body),
        as_json=as_json,
        columns=["id", "name", "organisation", "profession", "city", "state"],
    )


# ------------------------------------------------------------------------ referrals


@click.group("referrals")
def referrals_group() -> None:
    """Referrals sent and received."""


@referrals_group.command("log")
@click.option("--direction", type=click.Choice([d.value for d in Direction]), required=True)
@click.option(
    "--partner",
    "partner_name",
    required=True,
    metavar="NAME",
    help="Partner name (exact, or a unique part).",
)
@click.option("--client", "client_name", default="Unnamed client", show_default=True)
@click.option(
    "--value", type=MoneyParam(), help="Estimated value in dollars, e.g. 2500 or 2500.50."
)
@click.option("--matter", default="", help="Matter type or practice area.")
@click.option(
    "--attest-client/--not-attest-client",
    default=None,
    help="CPAs: the client is one we audit, review or compile for (default: not recorded).",
)
@click.option(
    "--settlement-service/--not-settlement-service",
    default=None,
    help="RESPA: business incident to a real estate settlement (default: not recorded).",
)
@click.option(
    "--federally-related-loan/--not-federally-related-loan",
    default=None,
    help="RESPA: the settlement involves a federally related mortgage loan.",
)
@click.option("--json", "as_json", is_flag=True)
@firm_option
def referrals_log(
    direction,
    partner_name,
    client_name,
    value,
    matter,
    attest_client,
    settlement_service,
    federally_related_loan,
    as_json,
    firm_slug,
) -> None:
    """Log a referral sent to or received from a partner."""
    from rapport_core.schemas import ReferralCreate
    from rapport_core.services.referrals import create_referral

    async def body():
        actor = await cli_actor(firm_slug)
        data = ReferralCreate(
            direction=direction,
            partner_id=await find_partner(actor, partner_name),
            client_name=client_name,
            estimated_value=value,
            matter_type=matter,
            client_is_attest_client=attest_client,
            settlement_service=settlement_service,
            federally_related_loan=federally_related_loan,
        )
        return await create_referral(actor, data)

    referral = run(body)
    if as_json:
        emit([referral], as_json=True, columns=[])
    else:
        click.echo(
            f"logged referral {referral.id}: {referral.direction} {referral.source} — {referral.stage}"
        )


@referrals_group.command("list")
@click.option("--direction", type=click.Choice([d.value for d in Direction]))
@click.option("--limit", default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of objects.")
@firm_option
def referrals_list(direction, limit, as_json, firm_slug) -> None:
    """List referrals, newest first."""
    from rapport_core.schemas import ReferralFilter
    from rapport_core.services.referrals import list_referrals

    async def body():
        actor = await cli_actor(firm_slug)
        items, page = [], 1
        while len(items) < limit:
            result = await list_referrals(
                actor, ReferralFilter(direction=direction, page=page, per_page=200)
            )
            items += result.items
            if page * result.per_page >= result.total:
                break
            page += 1
        return items[:limit]

    emit(
        run(body),
        as_json=as_json,
        columns=[
            "id",
            "referred_at",
            "direction",
            "source",
            "client_name",
            "matter_type",
            "stage",
            "estimated_value",
        ],
    )


# ------------------------------------------------------------------------ demo


@click.group("demo")
def demo_group() -> None:
    """The demo firm."""


@demo_group.command("load")
@click.option("--slug", default="demo", show_default=True)
@click.option(
    "--seed", default=7, show_default=True, help="Random seed; the same seed gives the same firm."
)
def demo_load(slug: str, seed: int) -> None:
    """Create the demo estate-planning firm with partners, referrals and activities."""
    from rapport_core.demo import DEMO_PASSWORD, load_demo

    summary = run(lambda: load_demo(slug=slug, seed=seed, today=dt.date.today()))
    click.echo(json.dumps(summary, indent=2))
    click.echo(f"sign in as {summary['sign_in']} with password {DEMO_PASSWORD}", err=True)
