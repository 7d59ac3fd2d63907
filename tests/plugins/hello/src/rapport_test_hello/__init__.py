"""Test plugin: one route, one command, one complementarity entry, one health component and
a record of the lifecycle hooks it saw."""

from __future__ import annotations

import click
from rapport_core import hookimpl

#: (hook name, subject id) for every notification received, so tests can assert on them.
seen: list[tuple[str, int]] = []


@hookimpl
def register_routes(register):
    from litestar import get

    @get("/hello", include_in_schema=False)
    async def hello() -> dict[str, str]:
        return {"hello": "from a plugin"}

    register(hello)


@hookimpl
def register_commands(cli: click.Group) -> None:
    @cli.command()
    @click.argument("name", default="world")
    def hello(name: str) -> None:
        """Say hello (a command added by the rapport-test-hello plugin)."""
        click.echo(f"Hello, {name}, from a plugin")


@hookimpl
def register_complementarity(register):
    # A type the built-in map lacks, linked to one it has: tests find both in the map.
    register(
        [
            {
                "profession": "other",
                "specialty": "genealogy",
                "label": "Genealogist",
                "keywords": ["genealogy", "heir search"],
                "complements": [
                    {"profession": "attorney", "specialty": "estate planning", "strength": 0.5}
                ],
            }
        ]
    )


@hookimpl
def partner_created(partner, actor):
    seen.append(("partner_created", partner.id))


@hookimpl
def referral_created(referral, actor):
    seen.append(("referral_created", referral.id))


@hookimpl
def referral_updated(referral, changed, actor):
    seen.append(("referral_updated", referral.id, *changed))


@hookimpl
def referral_stage_changed(referral, change, actor):
    seen.append(("referral_stage_changed", referral.id))


@hookimpl
def register_health_components(register):
    # Partners tagged "vip" score full marks; for everyone else there is nothing to judge, so
    # the component leaves their health as it was.
    from rapport_core.insights.health import HealthComponent
    from rapport_core.tables import Partner

    async def rate(context):
        rows = await Partner.select(Partner.id, Partner.tags).where(
            Partner.firm == context.actor.firm_id, *context.partner_filter(Partner.id)
        )
        return {row["id"]: (1.0, "Tagged vip.") for row in rows if "vip" in row["tags"]}

    register(HealthComponent("hello_vip", "VIP", 10, rate))


@hookimpl
def register_briefing_sources(register):
    # Partners tagged "birthday" get a greeting in the briefing, ranked like any other action.
    from rapport_core.insights.briefing import BriefingSource, briefing_action
    from rapport_core.tables import Partner

    async def collect(actor, as_of):
        rows = await Partner.select(Partner.id, Partner.name, Partner.tags).where(
            Partner.firm == actor.firm_id
        )
        return [
            briefing_action(
                "hello_birthday",
                f"Wish {row['name']} a happy birthday",
                "Tagged birthday.",
                "partner",
                row["id"],
                urgency=1.0,
                impact=0.5,
            )
            for row in rows
            if "birthday" in row["tags"]
        ]

    register(BriefingSource("hello_birthday", "Birthdays", collect))


@hookimpl
def payout_gate(payout, actor):
    """A partner tagged ``blocked`` may not be paid without an override."""
    if "blocked" not in payout.partner_tags:
        return []
    from rapport_core.schemas import GateFinding

    return [
        GateFinding(
            rule_id="hello.blocked-partner",
            pack_id="hello",
            severity="violation",
            message=f"{payout.partner_name} is blocked from receiving referral fees",
            citation="Hello test pack §1",
        )
    ]


@hookimpl
def payout_changed(payout, actor):
    seen.append(("payout_changed", payout.id))


@hookimpl
def calculate_referral_fee(referral, fee_collected):
    """Takes over the fee of matters typed "Hello fee" (a plugin answers before the
    built-in formulas); leaves every other referral to them."""
    if referral.matter_type != "Hello fee":
        return None
    from decimal import Decimal

    return Decimal("42.00")
