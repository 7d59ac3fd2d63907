"""`rapport payouts` and `rapport fees`, run as a user would, against the test database."""

import json
from decimal import Decimal

from rapport_core.money.accruals import record_fee_collected
from rapport_core.money.schemas import FeeCollectedIn

from tests.cli.test_cli import rapport
from tests.conftest import make_firm
from tests.money.helpers import TODAY, arrange, engaged, partner


async def test_list_approve_and_pay_from_the_command_line():
    firm = await make_firm()
    member = firm.actor("member")
    pat = await partner(member, "Cory Cpa", profession="cpa")
    await arrange(member, pat, percent="12.5")
    matter = await engaged(member, pat)
    await record_fee_collected(
        member, matter, FeeCollectedIn(amount=Decimal("999.99"), collected_on=TODAY)
    )

    listed = rapport("payouts", "list", "--json", "--firm", firm.slug)
    assert listed.returncode == 0, listed.stderr
    [payout] = json.loads(listed.stdout)
    assert (payout["amount"], payout["status"]) == ("125.00", "pending")  # 124.99875 → 125.00

    own = rapport(
        "payouts", "approve", str(payout["id"]), "--by", firm.emails["member"], "--firm", firm.slug
    )
    assert own.returncode == 1 and "only an owner, admin or compliance" in own.stderr
    approved = rapport(
        "payouts", "approve", str(payout["id"]), "--by", firm.emails["admin"], "--firm", firm.slug
    )
    assert approved.returncode == 0 and "Approved payout" in approved.stdout, approved.stderr
    paid = rapport("payouts", "pay", str(payout["id"]), "--method", "wire", "--firm", firm.slug)
    assert paid.returncode == 0, paid.stderr
    listed = json.loads(
        rapport("payouts", "list", "--json", "--status", "paid", "--firm", firm.slug).stdout
    )
    assert [(p["id"], p["method"]) for p in listed] == [(payout["id"], "wire")]
    reversed_ = rapport(
        "payouts", "reverse", str(payout["id"]), "--reason", "paid twice", "--firm", firm.slug
    )
    assert reversed_.returncode == 0 and "($-125.00)" in reversed_.stdout, reversed_.stderr


def test_fees_calculate_quotes_and_names_bad_terms():
    quoted = rapport(
        "fees",
        "calculate",
        "--kind",
        "commission",
        "--params",
        '{"percent": "7.5"}',
        "--collected",
        "1,333.33",
    )
    assert quoted.returncode == 0 and quoted.stdout.startswith("$100.00"), quoted.stderr
    bad = rapport(
        "fees",
        "calculate",
        "--kind",
        "division",
        "--params",
        '{"basis": "proportional"}',
        "--collected",
        "10",
    )
    assert bad.returncode == 1 and "parameters.share_percent" in bad.stderr
