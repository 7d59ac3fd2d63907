"""Fee quotes: what terms would pay on an amount, computed like a real accrual."""

from __future__ import annotations

from rapport_core.money.fees import explain, fee_for
from rapport_core.money.schemas import FeeQuote, FeeQuoteOut, parse_terms


def quote(data: FeeQuote) -> FeeQuoteOut:
    terms = parse_terms(data.kind, data.parameters)
    fee = fee_for(terms, data.fee_collected, data.collected_before)
    return FeeQuoteOut(fee=fee, explanation=explain(terms, data.fee_collected, fee))
