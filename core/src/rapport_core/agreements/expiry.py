"""Agreements coming up for renewal: warnings at the firm's thresholds (30/60/90 days by
default), for the API, the CLI and the daily briefing."""

from __future__ import annotations

import datetime as dt

from rapport_core.actors import Actor
from rapport_core.agreements.schemas import AgreementKind, AgreementStatus, ExpiringAgreement
from rapport_core.agreements.tables import Agreement
from rapport_core.clock import now
from rapport_core.services.firm_settings import firm_settings

#: How much a lapse matters, by kind: a lapsed fee-sharing agreement stops payouts.
KIND_IMPACT = {
    AgreementKind.fee_sharing: 0.8,
    AgreementKind.client_consent: 0.7,
    AgreementKind.solicitation: 0.7,
    AgreementKind.disclosure_delivered: 0.5,
    AgreementKind.reciprocal: 0.5,
    AgreementKind.other: 0.3,
}


async def expiring_agreements(
    actor: Actor, *, on: dt.date | None = None
) -> list[ExpiringAgreement]:
    """Active agreements whose expiry date is within the largest warning threshold of
    ``on`` (today), or already past: soonest first. Each names the threshold it falls in."""
    on = on or now().date()
    thresholds = sorted((await firm_settings(actor.firm_id)).agreements.expiry_warning_days)
    horizon = on + dt.timedelta(days=thresholds[-1])
    rows = (
        await Agreement.select(
            Agreement.id,
            Agreement.partner,
            Agreement.partner.name.as_alias("partner_name"),
            Agreement.referral,
            Agreement.kind,
            Agreement.title,
            Agreement.expires_on,
        )
        .where(
            Agreement.firm == actor.firm_id,
            Agreement.status == AgreementStatus.active.value,
            Agreement.expires_on.is_not_null(),
            Agreement.expires_on <= horizon,
        )
        .order_by(Agreement.expires_on)
        .order_by(Agreement.id)
    )
    expiring = []
    for row in rows:
        days_left = (row["expires_on"] - on).days
        threshold = 0 if days_left < 0 else next(t for t in thresholds if days_left <= t)
        expiring.append(
            ExpiringAgreement(
                agreement_id=row["id"],
                partner_id=row["partner"],
                partner_name=row["partner_name"],
                referral_id=row["referral"],
                kind=row["kind"],
                title=row["title"],
                expires_on=row["expires_on"],
                days_left=days_left,
                threshold_days=threshold,
            )
        )
    return expiring


async def briefing_actions(actor: Actor, as_of: dt.datetime) -> list[dict]:
    """The briefing source: renew what is about to lapse; the nearer, the more urgent."""
    from rapport_core.insights.briefing import briefing_action

    items = await expiring_agreements(actor, on=as_of.date())
    if not items:
        return []
    horizon = max(item.threshold_days for item in items) or 1
    actions = []
    for item in items:
        if item.days_left < 0:
            reason, urgency = f"expired {-item.days_left} day(s) ago ({item.expires_on})", 1.0
        else:
            reason = f"expires in {item.days_left} day(s), on {item.expires_on}"
            urgency = max(0.2, 1 - item.days_left / (horizon + 1))
        actions.append(
            briefing_action(
                "agreement_expiring",
                f"Renew the {item.title.lower()} with {item.partner_name}",
                reason,
                "agreement",
                item.agreement_id,
                urgency,
                KIND_IMPACT[AgreementKind(item.kind)],
            )
        )
    return actions
