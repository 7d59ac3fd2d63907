"""The built-in fee formulas (docs/money.md), answering ``calculate_referral_fee``.

Every formula works in exact decimals and rounds once, to the cent, half to even (banker's
rounding), so a fee never drifts by the order its parts were added in.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from rapport_core.money.schemas import (
    DivisionTerms,
    Recurring,
    ReferralFeeTerms,
    Tier,
)

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def to_cent(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


def tiered(total: Decimal, tiers: list[Tier]) -> Decimal:
    """Marginal tiers, like tax brackets: each tier's percent applies to the part of
    ``total`` that falls inside it. Unrounded."""
    fee, floor = Decimal(0), Decimal(0)
    for tier in tiers:
        ceiling = total if tier.up_to is None else min(total, tier.up_to)
        if ceiling > floor:
            fee += (ceiling - floor) * tier.percent / HUNDRED
        if tier.up_to is None or total <= tier.up_to:
            break
        floor = tier.up_to
    return fee


def fee_for(terms: Recurring, fee_collected: Decimal, collected_before: Decimal) -> Decimal:
    """The fee on one collection of ``fee_collected``, after ``collected_before`` was already
    collected on the same referral, rounded to the cent."""
    if isinstance(terms, DivisionTerms):
        return to_cent(fee_collected * terms.share_percent / HUNDRED)
    if isinstance(terms, ReferralFeeTerms):
        if terms.method == "flat":
            return to_cent(terms.flat_amount)
        if terms.method == "tiered":
            # The tiers apply to the referral's running total, so paying in instalments
            # earns exactly what one payment of the same total would.
            after = collected_before + fee_collected
            return to_cent(tiered(after, terms.tiers)) - to_cent(
                tiered(collected_before, terms.tiers)
            )
        return to_cent(fee_collected * terms.percent / HUNDRED)
    return to_cent(fee_collected * terms.percent / HUNDRED)


def usd(amount: Decimal) -> str:
    return f"${amount:,.2f}"


def explain(terms: Recurring, fee_collected: Decimal, fee: Decimal) -> str:
    """One line an approver can check by hand."""
    if isinstance(terms, DivisionTerms):
        basis = terms.basis.replace("_", " ")
        return (
            f"{terms.share_percent}% share ({basis}) of {usd(fee_collected)} collected = {usd(fee)}"
        )
    if isinstance(terms, ReferralFeeTerms) and terms.method == "flat":
        return f"flat fee {usd(fee)}"
    if isinstance(terms, ReferralFeeTerms) and terms.method == "tiered":
        bands = ", ".join(
            f"{t.percent}% up to {usd(t.up_to)}" if t.up_to else f"{t.percent}% above"
            for t in terms.tiers
        )
        return f"tiered ({bands}) on {usd(fee_collected)} collected = {usd(fee)}"
    return f"{terms.percent}% of {usd(fee_collected)} collected = {usd(fee)}"
