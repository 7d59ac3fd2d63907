"""The compliance engine's built-in plugin: CLI commands, re-evaluation on every relevant
change, the payout gate and the briefing's findings."""

from __future__ import annotations

import functools
import operator
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
def referral_updated(referral, changed, actor) -> Awaitable[None] | None:
    return reactions.reevaluate(actor, referral_ids=[referral.id])


@hookimpl
def firm_settings_changed(settings, changed, actor) -> Awaitable[None] | None:
    """The firm's own facts (its registration) are read by every document."""
    if any(path.startswith("compliance.") for path in changed):
        return reactions.reevaluate(actor, everything=True)
    return None


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
def payout_gate(payout, actor) -> Awaitable[list]:
    """The stored open violations and warnings of the payout's referral and partner, read
    when asked (waived ones do not count: a compliance user accepted them)."""
    return _open_findings_against(payout, actor)


async def _open_findings_against(payout, actor) -> list:
    from rapport_core.compliance.tables import ComplianceFinding
    from rapport_core.schemas import GateFinding

    referral_id, partner_id = reactions.referral_of(payout), reactions.partner_of(payout)
    # The referral's findings, and the partner's own (a lapsed licence, a missing W-9).
    against = []
    if referral_id is not None:
        against.append(ComplianceFinding.referral_id == referral_id)
    if partner_id is not None:
        against.append(
            (ComplianceFinding.partner_id == partner_id) & ComplianceFinding.referral_id.is_null()
        )
    if not against:
        return []
    rows = (
        await ComplianceFinding.select(
            ComplianceFinding.id.as_alias("finding_id"),
            ComplianceFinding.rule_id,
            ComplianceFinding.pack_id,
            ComplianceFinding.severity,
            ComplianceFinding.message,
            ComplianceFinding.citation,
            ComplianceFinding.citation_url,
            ComplianceFinding.remediation,
        )
        .where(
            (ComplianceFinding.firm == actor.firm_id)
            & (ComplianceFinding.status == "open")
            & ComplianceFinding.severity.is_in(["violation", "warning"])
            & functools.reduce(operator.or_, against)
        )
        .order_by(ComplianceFinding.id)
    )
    return [GateFinding.model_validate(row) for row in rows]


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
