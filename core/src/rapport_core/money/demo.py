"""The demo firm's money: fee divisions with the other lawyers it works with (the firm pays
a share on matters they send it, one share raised a year ago; lawyers who only take matters
from it pay the firm a share), fees collected on engaged matters, and two years of payouts,
most approved and paid by a second person, the recent ones pending; and fees partners owe the
firm on matters it sent them, mostly paid. A law firm may not share fees with non-lawyers
(ABA Model Rule 5.4(a)), so CPAs, advisers, agents and realtors are neither paid nor paying."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from rapport_core.actors import Actor
from rapport_core.clock import as_utc
from rapport_core.money.accruals import record_fee_collected
from rapport_core.money.arrangements import amend_arrangement, create_arrangement
from rapport_core.money.payments import record_payment
from rapport_core.money.payouts import approve_payout, pay_payout
from rapport_core.money.schemas import (
    ArrangementCreate,
    ArrangementTermsIn,
    FeeCollectedIn,
    PaymentIn,
    PayoutApprove,
    PayoutPay,
)
from rapport_core.tables import Partner, Referral, User
from rapport_core.vocabulary import Role

#: A division with another lawyer who shares joint responsibility for the matter, with the
#: client's written consent (agreements/demo.py uploads it): the referring lawyer's share.
DIVISION = ("division", {"basis": "joint_responsibility", "share_percent": "25"})
RAISED_DIVISION = ("division", {"basis": "joint_responsibility", "share_percent": "30"})
COLLECTION_DELAY_DAYS = 21  # engaged matters are invoiced and paid about three weeks later
PAYOUT_DELAY_DAYS = 18  # paid this long after the fee is collected
PENDING_WITHIN_DAYS = 60  # fees collected more recently still wait for approval
APPROVED_WITHIN_DAYS = 90  # … or, approved, to be paid


async def load_money_demo(actor: Actor, today: dt.date) -> None:
    rng = random.Random(f"money-{today.isoformat()}")
    start = today - dt.timedelta(days=800)
    approver, payer = await _person(actor, Role.admin), await _person(actor, Role.compliance)
    lawyers = [
        p["id"]
        for p in await Partner.select(Partner.id)
        .where(Partner.firm == actor.firm_id, Partner.profession == "attorney")
        .order_by(Partner.id)
    ]
    senders = {
        r["partner"]
        for r in await Referral.select(Referral.partner).where(
            Referral.firm == actor.firm_id,
            Referral.direction == "received",
            Referral.partner.is_in(lawyers or [0]),
        )
    }
    arranged = {}
    for partner in lawyers:
        # Lawyers who send the firm matters are paid a share; the others pay the firm one.
        direction = "pay" if partner in senders else "receive"
        kind, parameters = DIVISION
        data = ArrangementCreate(
            partner_id=partner,
            direction=direction,
            kind=kind,
            parameters=parameters,
            effective_from=start,
        )
        arranged[partner] = await create_arrangement(actor, data)
    first = next((a for p, a in arranged.items() if p in senders), None)
    if first is not None:
        kind, parameters = RAISED_DIVISION
        await amend_arrangement(
            actor,
            first.id,
            ArrangementTermsIn(
                kind=kind,
                parameters=parameters,
                effective_from=today - dt.timedelta(days=365),
                note="Raised after the co-hosted seminar series",
            ),
        )
    matters = (
        await Referral.select(
            Referral.id,
            Referral.direction,
            Referral.partner,
            Referral.actual_value_cents,
            Referral.estimated_value_cents,
            Referral.closed_at,
        )
        .where(
            Referral.firm == actor.firm_id,
            Referral.stage == "engaged",
            Referral.partner.is_not_null(),
        )
        .order_by(Referral.closed_at)
    )
    for matter in matters:
        cents = matter["actual_value_cents"] or matter["estimated_value_cents"]
        collected_on = as_utc(matter["closed_at"]).date() + dt.timedelta(days=COLLECTION_DELAY_DAYS)
        if not cents or collected_on > today:
            continue
        fee = FeeCollectedIn(
            amount=Decimal(cents) / 100,
            collected_on=collected_on,
            reference=f"INV-{matter['id']:05d}",
        )
        result = await record_fee_collected(actor, matter["id"], fee)
        age = (today - collected_on).days
        if age < PENDING_WITHIN_DAYS:
            continue  # recent: still waiting for approval
        settle_on = collected_on + dt.timedelta(days=PAYOUT_DELAY_DAYS)
        for payout in result.payouts:
            await approve_payout(approver, payout.id, PayoutApprove())
            if age < APPROVED_WITHIN_DAYS:
                continue  # approved, not paid yet
            method = rng.choice(["check", "ach", "ach", "wire"])
            reference = f"{method.upper()}-{payout.id:05d}"
            await pay_payout(
                payer, payout.id, PayoutPay(paid_on=settle_on, method=method, reference=reference)
            )
        for receivable in result.receivables:
            if rng.random() < 0.8:  # a few partners are slow to pay
                await record_payment(
                    actor,
                    PaymentIn(
                        partner_id=receivable.partner_id,
                        referral_id=matter["id"],
                        amount=receivable.amount,
                        received_on=settle_on,
                        method="check",
                    ),
                )


async def _person(actor: Actor, role: Role) -> Actor:
    """A second person (not "demo", who records the fees) to approve and pay."""
    user = (
        await User.select(User.id, User.email)
        .where(User.firm == actor.firm_id, User.role == role.value)
        .first()
    )
    return Actor(firm_id=actor.firm_id, label=user["email"], role=role, user_id=user["id"])
