"""The demo firm's money: fee arrangements with the partners who send the most matters (one
amended a year ago, one recruiter earning an override), fees collected on engaged matters,
and two years of payouts, most approved and paid by a second person, the recent ones pending;
and fees partners owe the firm on matters it sent them, mostly paid."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from rapport_core.actors import Actor
from rapport_core.clock import as_utc
from rapport_core.money.accruals import record_fee_collected
from rapport_core.money.arrangements import amend_arrangement, create_arrangement, set_recruiter
from rapport_core.money.payments import record_payment
from rapport_core.money.payouts import approve_payout, pay_payout
from rapport_core.money.schemas import (
    ArrangementCreate,
    ArrangementTermsIn,
    FeeCollectedIn,
    PaymentIn,
    PayoutApprove,
    PayoutPay,
    RecruiterIn,
)
from rapport_core.tables import Partner, Referral, User
from rapport_core.vocabulary import Role

#: Terms by profession for referrals the firm receives: (kind, parameters).
PAY_TERMS = {
    "attorney": ("division", {"basis": "joint_responsibility", "share_percent": "25"}),
    "cpa": ("referral_fee", {"method": "percentage", "percent": "10"}),
    "financial_advisor": (
        "solicitor_compensation",
        {"percent": "15", "recurrence": "years", "years": 2},
    ),
    "insurance_agent": ("commission", {"percent": "8", "recurrence": "first"}),
}
#: What partners pay the firm for matters it sends them.
RECEIVE_TERMS = ("referral_fee", {"method": "percentage", "percent": "10"})
COLLECTION_DELAY_DAYS = 21  # engaged matters are invoiced and paid about three weeks later
PAYOUT_DELAY_DAYS = 18  # paid this long after the fee is collected
PENDING_WITHIN_DAYS = 60  # fees collected more recently still wait for approval
APPROVED_WITHIN_DAYS = 90  # … or, approved, to be paid


async def load_money_demo(actor: Actor, today: dt.date) -> None:
    rng = random.Random(f"money-{today.isoformat()}")
    start = today - dt.timedelta(days=800)
    approver, payer = await _person(actor, Role.admin), await _person(actor, Role.compliance)
    partners = (
        await Partner.select(Partner.id, Partner.profession)
        .where(Partner.firm == actor.firm_id)
        .order_by(Partner.id)
    )
    paying = [p for p in partners if p["profession"] in PAY_TERMS]
    arranged = {}
    for partner in paying[:10]:
        kind, parameters = PAY_TERMS[partner["profession"]]
        data = ArrangementCreate(
            partner_id=partner["id"], kind=kind, parameters=parameters, effective_from=start
        )
        arranged[partner["id"]] = await create_arrangement(actor, data)
    first = next(iter(arranged.values()), None)
    if first is not None and first.versions[0].kind == "referral_fee":
        await amend_arrangement(
            actor,
            first.id,
            ArrangementTermsIn(
                kind="referral_fee",
                parameters={"method": "percentage", "percent": "12", "override_percents": ["2"]},
                effective_from=today - dt.timedelta(days=365),
                note="Raised after the co-hosted seminar series",
            ),
        )
        recruits = [p for p in arranged if p != first.partner_id][:2]
        for recruit in recruits:
            await set_recruiter(actor, recruit, RecruiterIn(recruited_by_id=first.partner_id))
    for partner in [p for p in partners if p["id"] not in arranged][:4]:
        kind, parameters = RECEIVE_TERMS
        await create_arrangement(
            actor,
            ArrangementCreate(
                partner_id=partner["id"],
                direction="receive",
                kind=kind,
                parameters=parameters,
                effective_from=start,
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
