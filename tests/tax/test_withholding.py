"""Backup withholding as the money domain marks a payout paid: 24% without a TIN on file."""

from decimal import Decimal

from rapport_core.money import accruals, payouts
from rapport_core.money.schemas import FeeCollectedIn, PayoutApprove, PayoutPay
from rapport_core.tax.nec import year_summary

from tests.money.helpers import TODAY, arrange, engaged, partner
from tests.tax.helpers import w9_on_file


async def pay_one(firm, partner_id, fee="10000"):
    member = firm.actor("member")
    await arrange(member, partner_id)  # a 25% referral fee
    matter = await engaged(member, partner_id)
    accrued = await accruals.record_fee_collected(
        member, matter, FeeCollectedIn(amount=Decimal(fee), collected_on=TODAY)
    )
    payout = accrued.payouts[0]
    await payouts.approve_payout(firm.actor("compliance"), payout.id, PayoutApprove())
    return await payouts.pay_payout(
        firm.actor("admin"), payout.id, PayoutPay(paid_on=TODAY, method="check")
    )


async def test_paying_a_partner_without_a_tin_withholds_24_percent(firm):
    without = await partner(firm.actor("member"), "No Tin Partner")
    paid = await pay_one(firm, without)
    assert (paid.amount, paid.backup_withholding) == (Decimal("2500.00"), Decimal("600.00"))
    [payee] = await year_summary(firm.actor(), TODAY.year)
    assert (payee.box1_cents, payee.box4_cents) == (250000, 60000)


async def test_a_partner_with_a_w9_is_paid_in_full(firm):
    with_tin = await partner(firm.actor("member"), "Has Tin Partner")
    await w9_on_file(firm, with_tin)
    paid = await pay_one(firm, with_tin)
    assert paid.backup_withholding == Decimal("0.00")
