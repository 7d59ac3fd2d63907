"""The compliance engine's built-in plugin: CLI commands, re-evaluation on every relevant
change, the payout gate and the briefing's findings."""

from __future__ import annotations

from collections.abc import Awaitable

import click

from rapport_core.compliance import reactions
from rapport_core.plugins import hookimpl


@hookimpl
def register_commands(cli: click.Group) -> None:
    from rapport_core.compliance.authoring import rulepack_group
    from rapport_core.compliance.commands import compliance_group

    cli.add_command(rulepack_group)
    cli.add_command(compliance_group)


@hookimpl
def partner_created(partner, actor) -> Awaitable[None] | None:
    return reactions.reevaluate(actor, partner_id=partner.id)


@hookimpl
def partner_updated(partner, changed, actor) -> Awaitable[None] | None:
    return reactions.reevaluate(actor, partner_id=partner.id)


@hookimpl
def referral_created(referral, actor) -> Awaitable[None] | None:
    return reactions.reevaluate(actor, referral_ids=[referral.id])


@hookimpl
def referral_stage_changed(referral, change, actor) -> Awaitable[None] | None:
    return reactions.reevaluate(actor, referral_ids=[referral.id])


@hookimpl
def fee_arrangement_changed(arrangement, actor) -> Awaitable[None] | None:
    return reactions.after_money_change(arrangement, actor)


@hookimpl
def agreement_changed(agreement, actor) -> Awaitable[None] | None:
    return reactions.after_money_change(agreement, actor)


@hookimpl
def payout_changed(payout, actor) -> Awaitable[None] | None:
    return reactions.after_money_change(payout, actor)


@hookimpl
def payment_recorded(payment, actor) -> Awaitable[None] | None:
    return reactions.after_money_change(payment, actor)


@hookimpl
def tax_profile_changed(partner_id, actor) -> Awaitable[None] | None:
    return reactions.reevaluate(actor, partner_id=partner_id)


@hookimpl
def payout_gate(payout, actor):
    """Open violations and warnings for the payout's referral and partner (waived ones do
    not count: a compliance user accepted them)."""
    from rapport_core.compliance import gatecache
    from rapport_core.schemas import GateFinding

    rows = gatecache.open_findings(actor.firm_id)
    if rows is None:
        return [
            GateFinding(
                rule_id="rapport.compliance-unavailable",
                pack_id="rapport",
                severity="warning",
                message="The compliance findings could not be read; check the compliance page before paying.",
                citation="Rapport compliance engine",
            )
        ]
    referral_id, partner_id = reactions.referral_of(payout), reactions.partner_of(payout)
    out = []
    for row in rows:
        if row["severity"] == "info":
            continue
        if (referral_id is not None and row["referral_id"] == referral_id) or (
            partner_id is not None
            and row["partner_id"] == partner_id
            and row["referral_id"] is None
        ):
            out.append(
                GateFinding(
                    rule_id=row["rule_id"],
                    pack_id=row["pack_id"],
                    severity=row["severity"],
                    message=row["message"],
                    citation=row["citation"],
                    citation_url=row["citation_url"],
                    remediation=row["remediation"],
                    finding_id=row["id"],
                )
            )
    return out


@hookimpl
def register_briefing_sources(register) -> None:
    from rapport_core.insights.briefing import BriefingSource, briefing_action

    urgency = {"violation": 1.0, "warning": 0.7, "info": 0.3}

    async def collect(actor, as_of):
        from rapport_core.compliance.service import list_findings

        return [
            {
                **briefing_action(
                    "compliance_finding",
                    f"Resolve: {row['title']}",
                    row["message"],
                    row["subject_type"],
                    row["subject_id"],
                    urgency=urgency[row["severity"]],
                    impact=0.9,
                ),
                "link": f"/compliance/findings/{row['id']}",
            }
            for row in await list_findings(actor, status="open", limit=200)
        ]

    register(BriefingSource("compliance_finding", "Compliance findings", collect))
