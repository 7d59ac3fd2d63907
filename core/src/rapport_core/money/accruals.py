"""Fees collected on referrals, and the accruals they make: a payout the firm owes the
referring partner (and overrides to the partners who recruited them), or a receivable the
partner owes the firm for a referral it sent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from rapport_core import audit
from rapport_core.actors import Actor
from rapport_core.clock import now
from rapport_core.errors import Conflict, Invalid
from rapport_core.money.arrangements import recruiter_of, version_in_force
from rapport_core.money.fees import HUNDRED, explain, to_cent, usd
from rapport_core.money.ledger import get_payout, receivable_out, require_money_role
from rapport_core.money.schemas import (
    AccrualResult,
    ArrangementDirection,
    ArrangementVersionOut,
    FeeCollectedIn,
    FeeCollectedOut,
    ReasonIn,
    ReceivableOut,
    Recurring,
    parse_terms,
)
from rapport_core.money.tables import FeeCollected, Payout, Receivable
from rapport_core.plugins import get_plugin_manager
from rapport_core.schemas import ReferralOut
from rapport_core.services.common import from_cents, get_scoped, to_cents, transaction
from rapport_core.services.referrals import get_referral
from rapport_core.tables import Partner
from rapport_core.vocabulary import Direction, Stage

#: How far up a chain of recruiters overrides are looked for.
MAX_OVERRIDE_LEVELS = 10


@dataclass
class _Accrual:
    partner_id: int
    version: ArrangementVersionOut
    amount: Decimal
    explanation: str
    basis: str = "direct"


def _in_term(terms: Recurring, earlier: int, first_on: dt.date, on: dt.date) -> bool:
    """Whether a collection on ``on`` earns a fee, ``earlier`` collections after the first
    (on ``first_on``)."""
    if terms.recurrence == "first":
        return earlier == 0
    if terms.recurrence == "years":
        try:
            end = first_on.replace(year=first_on.year + terms.years)
        except ValueError:  # 29 February: the term ends on 1 March
            end = dt.date(first_on.year + terms.years, 3, 1)
        return on < end
    return True


def fee_collected_out(row: dict) -> FeeCollectedOut:
    return FeeCollectedOut.model_validate(
        {**row, "referral_id": row["referral"], "amount": from_cents(row["amount_cents"])}
    )


async def list_fees_collected(actor: Actor, referral_id: int) -> list[FeeCollectedOut]:
    rows = (
        await FeeCollected.select()
        .where(FeeCollected.firm == actor.firm_id, FeeCollected.referral == referral_id)
        .order_by(FeeCollected.collected_on)
        .order_by(FeeCollected.id)
    )
    return [fee_collected_out(row) for row in rows]


async def _direct(
    actor: Actor, referral: ReferralOut, data: FeeCollectedIn, earlier: list[FeeCollectedOut]
) -> tuple[_Accrual | None, str]:
    direction = (
        ArrangementDirection.pay
        if referral.direction is Direction.received
        else ArrangementDirection.receive
    )
    version = await version_in_force(
        actor.firm_id, referral.partner_id, direction, data.collected_on, referral_id=referral.id
    )
    if version is None:
        return (
            None,
            f"no fee arrangement with {referral.source} was in force on {data.collected_on}",
        )
    terms = parse_terms(version.kind, version.parameters)
    first_on = min([f.collected_on for f in earlier] + [data.collected_on])
    if not _in_term(terms, len(earlier), first_on, data.collected_on):
        return None, f"outside the arrangement's term ({terms.recurrence})"
    collected_before = sum((f.amount for f in earlier), Decimal(0))
    fee = get_plugin_manager().hook.calculate_referral_fee(
        referral=referral,
        fee_collected=data.amount,
        arrangement=version,
        collected_before=collected_before,
    )
    if not fee:
        return None, "the arrangement gives no fee on this amount"
    return _Accrual(referral.partner_id, version, fee, explain(terms, data.amount, fee)), ""


async def _overrides(
    actor: Actor, referral: ReferralOut, data: FeeCollectedIn, earlier: list[FeeCollectedOut]
) -> list[_Accrual]:
    """Multi-level: each recruiter up the chain whose own default arrangement names an
    override percent for that level earns it on the fee collected."""
    firm_id = actor.firm_id
    accruals, below, level = [], referral.partner_id, 1
    first_on = min([f.collected_on for f in earlier] + [data.collected_on])
    recruiter = await recruiter_of(firm_id, below)
    while recruiter is not None and level <= MAX_OVERRIDE_LEVELS:
        version = await version_in_force(
            firm_id, recruiter, ArrangementDirection.pay, data.collected_on
        )
        if version is not None:
            terms = parse_terms(version.kind, version.parameters)
            percents = getattr(terms, "override_percents", [])
            if level <= len(percents) and _in_term(
                terms, len(earlier), first_on, data.collected_on
            ):
                percent = percents[level - 1]
                amount = to_cent(data.amount * percent / HUNDRED)
                name = (
                    await Partner.select(Partner.name)
                    .where(Partner.id == below, Partner.firm == firm_id)
                    .first()
                )["name"]
                explanation = (
                    f"level-{level} override: {percent}% of {usd(data.amount)} collected on a "
                    f"referral from {name} = {usd(amount)}"
                )
                if amount:
                    accruals.append(
                        _Accrual(recruiter, version, amount, explanation, f"override:{level}")
                    )
        below, level = recruiter, level + 1
        recruiter = await recruiter_of(firm_id, recruiter)
    return accruals


async def record_fee_collected(
    actor: Actor, referral_id: int, data: FeeCollectedIn, *, source: str = "manual"
) -> AccrualResult:
    """Record a fee collected on an engaged referral and accrue what it earns, in one
    transaction."""
    actor.require_write()
    referral = await get_referral(actor, referral_id, with_history=False)
    if referral.stage is not Stage.engaged:
        raise Invalid(
            f"a fee is recorded once the referral is engaged (it is {referral.stage})",
            field="referral_id",
        )
    if data.collected_on > now().date():
        raise Invalid("a fee cannot be collected in the future", field="collected_on")
    earlier = await list_fees_collected(actor, referral_id)
    accruals, note = [], "no partner: nothing accrues"
    if referral.partner_id is not None:
        direct, note = await _direct(actor, referral, data, earlier)
        accruals = [direct] if direct else []
        if referral.direction is Direction.received:
            accruals += await _overrides(actor, referral, data, earlier)
    receivable = referral.direction is Direction.sent
    async with transaction():
        fee = FeeCollected(
            firm=actor.firm_id,
            referral=referral_id,
            amount_cents=to_cents(data.amount),
            collected_on=data.collected_on,
            source=source,
            reference=data.reference,
            note=data.note,
            recorded_by=actor.label,
            recorded_at=now(),
        )
        await fee.save()
        fee_out = fee_collected_out(fee.to_dict())
        await audit.record(actor, "fee_collected.create", "referral", referral_id, after=fee_out)
        payouts, receivables = [], []
        for accrual in accruals:
            table = Receivable if receivable else Payout
            row = table(
                firm=actor.firm_id,
                partner=accrual.partner_id,
                referral=referral_id,
                fee_collected=fee.id,
                arrangement_version=accrual.version.id,
                explanation=accrual.explanation,
                amount_cents=to_cents(accrual.amount),
                currency=referral.currency,
                accrued_on=data.collected_on,
                created_by=actor.label,
                created_at=now(),
                **({} if receivable else {"basis": accrual.basis, "status": "pending"}),
            )
            await row.save()
            if receivable:
                out = receivable_out(row.to_dict())
                receivables.append(out)
                await audit.record(actor, "receivable.accrue", "receivable", row.id, after=out)
            else:
                out = await get_payout(actor, row.id)
                payouts.append(out)
                await audit.record(actor, "payout.accrue", "payout", row.id, after=out)
    for payout in payouts:
        get_plugin_manager().hook.payout_changed(payout=payout, actor=actor)
    return AccrualResult(
        fee_collected=fee_out,
        payouts=payouts,
        receivables=receivables,
        note="" if accruals else note,
    )


async def reverse_receivable(actor: Actor, receivable_id: int, data: ReasonIn) -> ReceivableOut:
    """Cancel a fee a partner owes (a fee recorded in error, a write-off) with a negating
    row; the original stays."""
    require_money_role(actor, "reverse receivables")
    original = receivable_out(await get_scoped(Receivable, actor, receivable_id, "receivable"))
    if original.reverses_id is not None:
        raise Conflict(f"receivable {receivable_id} is itself a reversal", field="status")
    if await Receivable.exists().where(
        Receivable.firm == actor.firm_id, Receivable.reverses == receivable_id
    ):
        raise Conflict(f"receivable {receivable_id} was already reversed", field="status")
    async with transaction():
        row = Receivable(
            firm=actor.firm_id,
            partner=original.partner_id,
            referral=original.referral_id,
            fee_collected=original.fee_collected_id,
            arrangement_version=original.arrangement_version_id,
            explanation=f"reversal of receivable {receivable_id}: {data.reason}",
            amount_cents=-to_cents(original.amount),
            accrued_on=now().date(),
            reverses=receivable_id,
            reversal_reason=data.reason,
            created_by=actor.label,
            created_at=now(),
        )
        await row.save()
        out = receivable_out(row.to_dict())
        await audit.record(
            actor, "receivable.reverse", "receivable", receivable_id, before=original, after=out
        )
    return out
