"""Accruals, the payout workflow and the tally, through the services on a real database."""

import datetime as dt
from decimal import Decimal

import pytest
from rapport_core.audit import events_for
from rapport_core.errors import Conflict, Forbidden, Invalid
from rapport_core.money import accruals, arrangements, payments, payouts
from rapport_core.money.ledger import list_payouts
from rapport_core.money.schemas import (
    ArrangementTermsIn,
    FeeCollectedIn,
    PaymentIn,
    PayoutApprove,
    PayoutFilter,
    PayoutPay,
    ReasonIn,
    RecruiterIn,
    ReversalIn,
)
from rapport_core.money.tables import FeeCollected, Payout
from rapport_core.services.firm_settings import update_firm_settings
from rapport_core.services.referrals import get_referral

from tests.conftest import make_firm
from tests.money.helpers import TODAY, arrange, engaged, partner

D = Decimal


def collected(amount, on=TODAY):
    return FeeCollectedIn(amount=D(amount), collected_on=on)


async def test_fee_collected_accrues_a_pending_payout_under_the_version_in_force():
    firm = await make_firm()
    member = firm.actor("member")
    pat = await partner(member)
    deal = await arrange(member, pat, percent="20", since=TODAY - dt.timedelta(days=60))
    amended = await arrangements.amend_arrangement(
        member,
        deal.id,
        ArrangementTermsIn(
            kind="referral_fee",
            parameters={"method": "percentage", "percent": "30"},
            effective_from=TODAY - dt.timedelta(days=10),
        ),
    )
    assert [v.version for v in amended.versions] == [2, 1]
    assert amended.versions[1].effective_until == TODAY - dt.timedelta(days=10)
    matter = await engaged(member, pat)

    old = await accruals.record_fee_collected(
        member, matter, collected("1000", TODAY - dt.timedelta(days=20))
    )
    new = await accruals.record_fee_collected(member, matter, collected("1000"))

    assert [p.amount for p in old.payouts] == [D("200.00")]  # version 1 was in force then
    assert old.payouts[0].arrangement_version_id == amended.versions[1].id
    assert [p.amount for p in new.payouts] == [D("300.00")]
    assert new.payouts[0].status == "pending"
    assert new.payouts[0].explanation == "30% of $1,000.00 collected = $300.00"
    actions = {e["action"] for e in await events_for(firm.id)}
    assert {
        "fee_arrangement.create",
        "fee_arrangement.amend",
        "payout.accrue",
        "fee_collected.create",
    } <= actions


async def test_a_referral_override_beats_the_partner_default():
    firm = await make_firm()
    actor = firm.actor()
    pat = await partner(actor)
    await arrange(actor, pat, percent="20")
    matter = await engaged(actor, pat)
    from rapport_core.money.schemas import ArrangementCreate

    await arrangements.create_arrangement(
        actor,
        ArrangementCreate(
            partner_id=pat,
            referral_id=matter,
            kind="division",
            parameters={"basis": "proportional", "share_percent": "50"},
            effective_from=TODAY - dt.timedelta(days=5),
        ),
    )
    result = await accruals.record_fee_collected(actor, matter, collected("800"))
    assert [p.amount for p in result.payouts] == [D("400.00")]


async def test_recurring_commission_stops_after_its_years():
    firm = await make_firm()
    actor = firm.actor()
    pat = await partner(actor, profession="insurance_agent")
    await arrange(actor, pat, "commission", percent="10", recurrence="years", years=1)
    matter = await engaged(actor, pat)
    first = TODAY - dt.timedelta(days=380)
    results = [
        await accruals.record_fee_collected(actor, matter, collected("100", on))
        for on in (first, first + dt.timedelta(days=200), TODAY)
    ]
    assert [[p.amount for p in r.payouts] for r in results] == [[D("10.00")], [D("10.00")], []]
    assert "outside the arrangement's term" in results[2].note
    assert await FeeCollected.count().where(FeeCollected.referral == matter) == 3


async def test_recruiters_earn_overrides_up_the_chain():
    firm = await make_firm()
    actor = firm.actor()
    top = await partner(actor, "Tess Top")
    mid = await partner(actor, "Mo Middle")
    rookie = await partner(actor, "Rae Rookie")
    await arrange(actor, top, percent="10", override_percents=["2", "1"])
    await arrange(actor, mid, percent="10", override_percents=["3"])
    await arrange(actor, rookie, percent="10")
    await arrangements.set_recruiter(actor, rookie, RecruiterIn(recruited_by_id=mid))
    await arrangements.set_recruiter(actor, mid, RecruiterIn(recruited_by_id=top))
    with pytest.raises(Invalid, match="own recruit"):
        await arrangements.set_recruiter(actor, top, RecruiterIn(recruited_by_id=rookie))

    matter = await engaged(actor, rookie)
    result = await accruals.record_fee_collected(actor, matter, collected("1000"))
    got = {(p.partner_name, p.basis): p.amount for p in result.payouts}
    assert got == {
        ("Rae Rookie", "direct"): D("100.00"),
        ("Mo Middle", "override:1"): D("30.00"),
        ("Tess Top", "override:2"): D("10.00"),
    }


async def test_sent_referral_accrues_a_receivable_and_payments_settle_it():
    firm = await make_firm()
    actor = firm.actor()
    pat = await partner(actor)
    await arrange(actor, pat, percent="15", direction="receive")
    matter = await engaged(actor, pat, direction="sent")
    result = await accruals.record_fee_collected(actor, matter, collected("2000"))
    assert [r.amount for r in result.receivables] == [D("300.00")]
    assert result.payouts == []
    await payments.record_payment(
        actor, PaymentIn(partner_id=pat, referral_id=matter, amount=D("120.50"), received_on=TODAY)
    )
    tally = await payments.partner_tally(actor, pat)
    assert (tally.owed_to_you, tally.received_this_year, tally.you_owe) == (
        D("179.50"),
        D("120.50"),
        D("0.00"),
    )
    member = firm.actor("member")
    with pytest.raises(Forbidden):
        await accruals.reverse_receivable(member, result.receivables[0].id, ReasonIn(reason="x"))
    written_off = await accruals.reverse_receivable(
        actor, result.receivables[0].id, ReasonIn(reason="fee waived")
    )
    assert (written_off.amount, written_off.reverses_id) == (D("-300.00"), result.receivables[0].id)
    with pytest.raises(Conflict, match="already reversed"):
        await accruals.reverse_receivable(actor, result.receivables[0].id, ReasonIn(reason="x"))
    assert (await payments.partner_tally(actor, pat)).owed_to_you == D("-120.50")  # overpaid


async def test_nothing_accrues_before_engagement_or_without_terms():
    firm = await make_firm()
    actor = firm.actor()
    pat = await partner(actor)
    from rapport_core.schemas import ReferralCreate
    from rapport_core.services.referrals import create_referral

    open_one = await create_referral(
        actor, ReferralCreate(direction="received", partner_id=pat, client_name="Early")
    )
    with pytest.raises(Invalid, match="once the referral is engaged") as caught:
        await accruals.record_fee_collected(actor, open_one.id, collected("10"))
    assert caught.value.field == "referral_id"
    matter = await engaged(actor, pat)
    result = await accruals.record_fee_collected(actor, matter, collected("10"))
    assert result.payouts == [] and "no fee arrangement" in result.note
    with pytest.raises(Invalid, match="future"):
        await accruals.record_fee_collected(
            actor, matter, collected("10", TODAY + dt.timedelta(days=2))
        )


async def _pending(firm, amount="1000"):
    member = firm.actor("member")
    pat = await partner(member)
    await arrange(member, pat)
    matter = await engaged(member, pat)
    result = await accruals.record_fee_collected(member, matter, collected(amount))
    return result.payouts[0], matter


async def test_workflow_four_eyes_pay_and_time_to_payout():
    firm = await make_firm()
    payout, matter = await _pending(firm)
    with pytest.raises(Forbidden, match="only an owner, admin or compliance"):
        await payouts.approve_payout(firm.actor("member"), payout.id, PayoutApprove())
    with pytest.raises(Conflict, match="is pending: only an approved payout can be paid"):
        await payouts.pay_payout(
            firm.actor("admin"), payout.id, PayoutPay(paid_on=TODAY, method="check")
        )

    approved = await payouts.approve_payout(firm.actor("compliance"), payout.id, PayoutApprove())
    assert (approved.status, approved.approved_by) == ("approved", firm.emails["compliance"])
    with pytest.raises(Conflict, match="only a pending payout"):
        await payouts.approve_payout(firm.actor("admin"), payout.id, PayoutApprove())
    paid = await payouts.pay_payout(
        firm.actor("admin"), payout.id, PayoutPay(paid_on=TODAY, method="ach", reference="T-1")
    )
    assert (paid.status, paid.paid_on, paid.reference) == ("paid", TODAY, "T-1")
    referral = await get_referral(firm.actor(), matter)
    assert referral.paid_at is not None and referral.paid_at >= referral.closed_at


async def test_the_creator_cannot_approve():
    firm = await make_firm()
    admin = firm.actor("admin")
    pat = await partner(admin)
    await arrange(admin, pat)
    matter = await engaged(admin, pat)
    payout = (await accruals.record_fee_collected(admin, matter, collected("100"))).payouts[0]
    with pytest.raises(Forbidden, match="four eyes") as caught:
        await payouts.approve_payout(admin, payout.id, PayoutApprove())
    assert caught.value.field == "approved_by"
    assert (await list_payouts(admin, PayoutFilter(status="pending")))[0].id == payout.id


async def test_gate_violation_blocks_until_overridden_with_a_reason():
    from rapport_core.schemas import PartnerUpdate
    from rapport_core.services.partners import update_partner

    firm = await make_firm()
    payout, _ = await _pending(firm)
    await update_partner(firm.actor(), payout.partner_id, PartnerUpdate(tags=["blocked"]))
    findings = await payouts.gate_findings(
        firm.actor(), await payouts.get_payout(firm.actor(), payout.id)
    )
    assert [(f.severity, f.rule_id) for f in findings] == [("violation", "hello.blocked-partner")]
    with pytest.raises(Conflict, match="blocked by 1 compliance violation") as caught:
        await payouts.approve_payout(firm.actor("compliance"), payout.id, PayoutApprove())
    assert caught.value.field == "override_reason"
    assert (await payouts.get_payout(firm.actor(), payout.id)).status == "pending"
    approved = await payouts.approve_payout(
        firm.actor("compliance"), payout.id, PayoutApprove(override_reason="Bar counsel cleared it")
    )
    assert approved.override_reason == "Bar counsel cleared it"
    overrides = [e for e in await events_for(firm.id) if e["action"] == "payout.gate_override"]
    assert overrides[0]["after"]["reason"] == "Bar counsel cleared it"
    assert overrides[0]["after"]["findings"][0]["rule_id"] == "hello.blocked-partner"


async def test_reversal_negates_without_editing_and_void_needs_unpaid():
    firm = await make_firm()
    payout, _ = await _pending(firm, "400")
    admin, compliance = firm.actor("admin"), firm.actor("compliance")
    await payouts.approve_payout(compliance, payout.id, PayoutApprove())
    await payouts.pay_payout(admin, payout.id, PayoutPay(paid_on=TODAY, method="check"))
    with pytest.raises(Conflict, match="reverse it instead"):
        await payouts.void_payout(admin, payout.id, ReasonIn(reason="oops"))
    reversal = await payouts.reverse_payout(
        admin, payout.id, ReversalIn(reason="paid the wrong partner")
    )
    assert (reversal.amount, reversal.status, reversal.reverses_id) == (
        D("-100.00"),
        "paid",
        payout.id,
    )
    original = await payouts.get_payout(admin, payout.id)
    assert (original.amount, original.status, original.reversed_by_id) == (
        D("100.00"),
        "paid",
        reversal.id,
    )
    with pytest.raises(Conflict, match="already reversed"):
        await payouts.reverse_payout(admin, payout.id, ReversalIn(reason="again"))
    tally = await payments.partner_tally(admin, payout.partner_id)
    assert tally.paid_this_year == D("0.00")

    second, _ = await _pending(firm, "40")
    voided = await payouts.void_payout(admin, second.id, ReasonIn(reason="duplicate entry"))
    assert (voided.status, voided.void_reason) == ("void", "duplicate entry")


async def test_closed_tax_year_needs_a_reason_and_writes_nothing_without_one():
    firm = await make_firm()
    owner = firm.actor()
    last_year = TODAY.year - 1
    await update_firm_settings(owner, {"money": {"closed_tax_years": f"{last_year}"}})
    pat = await partner(owner)
    late = dt.date(last_year, 12, 30)
    with pytest.raises(Invalid, match=f"{last_year} is a closed tax year") as caught:
        await payments.record_payment(
            owner, PaymentIn(partner_id=pat, amount=D("50"), received_on=late)
        )
    assert caught.value.field == "closed_year_reason"
    assert await payments.list_payments(owner, partner_id=pat) == []
    stored = await payments.record_payment(
        owner,
        PaymentIn(
            partner_id=pat, amount=D("50"), received_on=late, closed_year_reason="cheque found late"
        ),
    )
    assert stored.closed_year_reason == "cheque found late"


async def test_backup_withholding_defaults_to_zero():
    firm = await make_firm()
    payout, _ = await _pending(firm)
    row = await Payout.select(Payout.backup_withholding_cents).where(Payout.id == payout.id).first()
    assert row["backup_withholding_cents"] == 0 and payout.backup_withholding == D("0.00")


async def test_demo_has_two_years_of_paid_and_pending_payouts():
    import uuid

    from rapport_core.actors import Actor
    from rapport_core.demo import load_demo
    from rapport_core.services.firms import firm_by_slug
    from rapport_core.vocabulary import Role

    slug = f"demo-{uuid.uuid4().hex[:8]}"
    await load_demo(slug=slug, today=TODAY)
    firm = await firm_by_slug(slug)
    rows = await Payout.select(
        Payout.status, Payout.paid_on, Payout.approved_by, Payout.created_by
    ).where(Payout.firm == firm.id)
    statuses = {row["status"] for row in rows}
    assert {"paid", "pending"} <= statuses
    paid_years = {row["paid_on"].year for row in rows if row["paid_on"]}
    assert len(paid_years) >= 2
    assert all(row["approved_by"] != row["created_by"] for row in rows if row["approved_by"])
    owner = Actor(firm_id=firm.id, label="test", role=Role.owner)
    assert len(await payments.list_payments(owner)) > 0


async def test_first_paid_payout_feeds_time_to_payout():
    from rapport_core.insights.metrics import referral_metrics
    from rapport_core.schemas import ReferralCreate, StageChangeIn
    from rapport_core.services.referrals import change_stage, create_referral

    firm = await make_firm()
    member = firm.actor("member")
    pat = await partner(member)
    await arrange(member, pat)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
    matter = await create_referral(
        member,
        ReferralCreate(
            direction="received", partner_id=pat, client_name="Late Pay", referred_at=start
        ),
    )
    for hours, stage in enumerate(("acknowledged", "contacted", "qualified", "engaged"), start=1):
        at = start + dt.timedelta(hours=hours)
        await change_stage(member, matter.id, StageChangeIn(stage=stage, changed_at=at))
    fee = collected("200", TODAY - dt.timedelta(days=20))
    payout = (await accruals.record_fee_collected(member, matter.id, fee)).payouts[0]
    await payouts.approve_payout(firm.actor("admin"), payout.id, PayoutApprove())
    paid_on = TODAY - dt.timedelta(days=10)
    await payouts.pay_payout(
        firm.actor("admin"), payout.id, PayoutPay(paid_on=paid_on, method="ach")
    )

    metrics = await referral_metrics(member, partner_id=pat)
    closed = start + dt.timedelta(hours=4)
    expected = (dt.datetime.combine(paid_on, dt.time(12), dt.UTC) - closed).total_seconds() / 86400
    assert metrics.payout_days_median == pytest.approx(expected, abs=0.01)


async def test_a_plugin_can_answer_calculate_referral_fee():
    from rapport_core.schemas import ReferralUpdate
    from rapport_core.services.referrals import update_referral

    firm = await make_firm()
    actor = firm.actor()
    pat = await partner(actor)
    await arrange(actor, pat, percent="50")
    matter = await engaged(actor, pat)
    await update_referral(actor, matter, ReferralUpdate(matter_type="Hello fee"))
    result = await accruals.record_fee_collected(actor, matter, collected("1000"))
    assert [p.amount for p in result.payouts] == [D("42.00")]
