"""The built-in fee formulas: exact cents, banker's rounding, tiers on the running total."""

from decimal import Decimal

import pytest
from rapport_core.errors import Invalid
from rapport_core.money.fees import fee_for, tiered
from rapport_core.money.quotes import quote
from rapport_core.money.schemas import FeeQuote, parse_terms

D = Decimal


def fee(kind, collected, before="0", **parameters):
    return fee_for(parse_terms(kind, parameters), D(collected), D(before))


def test_percentage_rounds_half_to_even():
    # 25% of $0.10 is 2.5 cents: half to even gives 2; of $0.30, 7.5 cents gives 8.
    assert fee("referral_fee", "0.10", method="percentage", percent="25") == D("0.02")
    assert fee("referral_fee", "0.30", method="percentage", percent="25") == D("0.08")
    assert fee("commission", "1234.56", percent="33.3333") == D("411.52")


def test_division_is_the_partners_share():
    terms = {"basis": "proportional", "share_percent": "40"}
    assert fee("division", "12500.00", **terms) == D("5000.00")


def test_flat_fee_ignores_the_amount():
    terms = {"method": "flat", "flat_amount": "500", "recurrence": "first"}
    assert fee("referral_fee", "99999.99", **terms) == D("500.00")


TIERS = [{"up_to": "10000", "percent": "10"}, {"up_to": "50000", "percent": "5"}, {"percent": "2"}]


def test_tiers_are_marginal():
    # 10% of the first 10,000 + 5% of the next 40,000 + 2% of 10,000 above 50,000.
    assert fee("referral_fee", "60000", method="tiered", tiers=TIERS) == D("3200.00")
    assert tiered(
        D("5000"), parse_terms("referral_fee", {"method": "tiered", "tiers": TIERS}).tiers
    ) == D("500")


def test_tiers_apply_to_the_running_total_of_instalments():
    one = fee("referral_fee", "60000", method="tiered", tiers=TIERS)
    parts = [("8000", "0"), ("7000", "8000"), ("45000", "15000")]
    split = [
        fee("referral_fee", amount, before, method="tiered", tiers=TIERS)
        for amount, before in parts
    ]
    assert split == [D("800.00"), D("450.00"), D("1950.00")]
    assert sum(split) == one


@pytest.mark.parametrize(
    ("parameters", "problem"),
    [
        ({"method": "percentage"}, "percent is required"),
        ({"method": "percentage", "percent": "150"}, "less than or equal to 100"),
        ({"method": "flat", "flat_amount": "10.001", "recurrence": "first"}, "decimal places"),
        ({"method": "flat", "flat_amount": "10"}, "paid once"),
        ({"method": "tiered", "tiers": [{"up_to": "100", "percent": "5"}]}, "the last has none"),
        ({"method": "percentage", "percent": "5", "recurrence": "years"}, "years is required"),
        ({"method": "bogus"}, "parameters.method"),
    ],
)
def test_bad_terms_name_the_parameter(parameters, problem):
    with pytest.raises(Invalid, match=problem) as caught:
        parse_terms("referral_fee", parameters)
    assert caught.value.field == "parameters"


def test_quote_explains_the_figure():
    result = quote(
        FeeQuote(
            kind="division",
            parameters={"basis": "joint_responsibility", "share_percent": "33.3333"},
            fee_collected=D("10000"),
        )
    )
    assert result.fee == D("3333.33")
    assert (
        result.explanation
        == "33.3333% share (joint responsibility) of $10,000.00 collected = $3,333.33"
    )
