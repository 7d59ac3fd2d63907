"""Payments received from partners, and where the firm stands with each partner."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from piccolo.query.functions.aggregate import Sum

from rapport_core import audit
from rapport_core.actors import Actor
from rapport_core.clock import now
from rapport_core.errors import Conflict, Invalid
from rapport_core.money.ledger import check_closed_year, require_money_role
from rapport_core.money.schemas import PartnerTally, PaymentIn, PaymentOut, ReversalIn
from rapport_core.money.tables import PaymentReceived, Payout, Receivable
from rapport_core.plugins import get_plugin_manager
from rapport_core.services.common import (
    from_cents,
    get_scoped,
    require_in_firm,
    to_cents,
    transaction,
)
from rapport_core.tables import Partner, Referral


def _payment_out(row: dict) -> PaymentOut:
    return PaymentOut.model_validate(
        {
            **row,
            "partner_id": row["partner"],
            "referral_id": row["referral"],
            "reverses_id": row["reverses"],
            "amount": from_cents(row["amount_cents"]),
        }
    )


async def get_payment(actor: Actor, payment_id: int) -> PaymentOut:
    return _payment_out(await get_scoped(PaymentReceived, actor, payment_id, "payment"))


async def list_payments(actor: Actor, *, partner_id: int | None = None) -> list[PaymentOut]:
    where = [PaymentReceived.firm == actor.firm_id]
    if partner_id is not None:
        where.append(PaymentReceived.partner == partner_id)
    rows = (
        await PaymentReceived.select()
        .where(*where)
        .order_by(PaymentReceived.received_on, ascending=False)
        .order_by(PaymentReceived.id, ascending=False)
    )
    return [_payment_out(row) for row in rows]


async def record_payment(actor: Actor, data: PaymentIn) -> PaymentOut:
    actor.require_write()
    await require_in_firm(Partner, actor, data.partner_id, "partner", "partner_id")
    if data.referral_id is not None:
        referral = await get_scoped(
            Referral, actor, data.referral_id, "referral", field="referral_id"
        )
        if referral["partner"] != data.partner_id:
            raise Invalid(
                f"referral {data.referral_id} is not with partner {data.partner_id}",
                field="referral_id",
            )
    if data.received_on > now().date():
        raise Invalid("a payment cannot be dated in the future", field="received_on")
    reason = await check_closed_year(
        actor, data.received_on, data.closed_year_reason, "received_on", "closed_year_reason"
    )
    async with transaction():
        row = PaymentReceived(
            firm=actor.firm_id,
            partner=data.partner_id,
            referral=data.referral_id,
            amount_cents=to_cents(data.amount),
            received_on=data.received_on,
            method=data.method,
            reference=data.reference,
            note=data.note,
            closed_year_reason=reason,
            recorded_by=actor.label,
            recorded_at=now(),
        )
        await row.save()
        out = _payment_out(row.to_dict())
        await audit.record(actor, "payment.receive", "payment", row.id, after=out)
    get_plugin_manager().hook.payment_recorded(payment=out, actor=actor)
    return out


async def reverse_payment(actor: Actor, payment_id: int, data: ReversalIn) -> PaymentOut:
    """A negating row (a bounced cheque, a payment recorded twice); the original stays."""
    require_money_role(actor, "reverse payments")
    original = await get_payment(actor, payment_id)
    if original.reverses_id is not None:
        raise Conflict(f"payment {payment_id} is itself a reversal", field="status")
    if await PaymentReceived.exists().where(
        PaymentReceived.firm == actor.firm_id, PaymentReceived.reverses == payment_id
    ):
        raise Conflict(f"payment {payment_id} was already reversed", field="status")
    on = data.on or now().date()
    if on > now().date() or on < original.received_on:
        raise Invalid(
            f"a reversal is dated between the payment ({original.received_on}) and today",
            field="on",
        )
    reason = await check_closed_year(actor, on, data.closed_year_reason, "on", "closed_year_reason")
    async with transaction():
        row = PaymentReceived(
            firm=actor.firm_id,
            partner=original.partner_id,
            referral=original.referral_id,
            amount_cents=-to_cents(original.amount),
            received_on=on,
            method=original.method,
            reference=original.reference,
            note=f"reversal of payment {payment_id}: {data.reason}",
            closed_year_reason=reason,
            reverses=payment_id,
            recorded_by=actor.label,
            recorded_at=now(),
        )
        await row.save()
        out = _payment_out(row.to_dict())
        await audit.record(
            actor, "payment.reverse", "payment", payment_id, before=original, after=out
        )
    get_plugin_manager().hook.payment_recorded(payment=out, actor=actor)
    return out


async def _sum(table, *where) -> Decimal:
    row = await table.select(Sum(table.amount_cents, alias="total")).where(*where).first()
    return from_cents(int(row["total"] or 0))


async def partner_tally(actor: Actor, partner_id: int, year: int | None = None) -> PartnerTally:
    await require_in_firm(Partner, actor, partner_id, "partner", "partner_id")
    year = year or now().year
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)

    receivable = await _sum(
        Receivable, Receivable.firm == actor.firm_id, Receivable.partner == partner_id
    )
    mine = [PaymentReceived.firm == actor.firm_id, PaymentReceived.partner == partner_id]
    received = await _sum(PaymentReceived, *mine)
    ours = [Payout.firm == actor.firm_id, Payout.partner == partner_id]
    return PartnerTally(
        partner_id=partner_id,
        year=year,
        owed_to_you=receivable - received,
        you_owe=await _sum(Payout, *ours, Payout.status.is_in(["pending", "approved"])),
        paid_this_year=await _sum(
            Payout, *ours, Payout.status == "paid", Payout.paid_on >= start, Payout.paid_on < end
        ),
        received_this_year=await _sum(
            PaymentReceived,
            *mine,
            PaymentReceived.received_on >= start,
            PaymentReceived.received_on < end,
        ),
    )


async def monthly_flows(actor: Actor, partner_id: int, *, months: int = 12) -> list[dict]:
    """Paid to and received from ``partner_id`` per calendar month, the last ``months``
    months up to this one (empty months as zero), oldest first."""
    today = now().date()
    firsts = []
    year, month = today.year, today.month
    for _ in range(months):
        firsts.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    firsts.reverse()
    paid = await Payout.select(Payout.paid_on, Payout.amount_cents).where(
        Payout.firm == actor.firm_id,
        Payout.partner == partner_id,
        Payout.status == "paid",
        Payout.paid_on >= firsts[0],
    )
    received = await PaymentReceived.select(
        PaymentReceived.received_on, PaymentReceived.amount_cents
    ).where(
        PaymentReceived.firm == actor.firm_id,
        PaymentReceived.partner == partner_id,
        PaymentReceived.received_on >= firsts[0],
    )
    totals = {first: [0, 0] for first in firsts}
    for rows, column, slot in ((paid, "paid_on", 0), (received, "received_on", 1)):
        for row in rows:
            totals[row[column].replace(day=1)][slot] += row["amount_cents"]
    return [
        {"month": first, "paid": from_cents(cents[0]), "received": from_cents(cents[1])}
        for first, cents in totals.items()
    ]
