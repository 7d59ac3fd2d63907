"""Referral metrics against a small firm whose figures are worked out by hand."""

import datetime as dt
from decimal import Decimal

from rapport_core.insights.metrics import percentile, referral_metrics
from rapport_core.schemas import PartnerCreate, ReferralCreate, StageChangeIn
from rapport_core.services import partners, referrals

from tests.conftest import make_firm

DAY = dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC)


async def logged(actor, direction, partner_id, *stages, days=0, hours_to_contact=None, value=None):
    referral = await referrals.create_referral(
        actor,
        ReferralCreate(
            direction=direction,
            partner_id=partner_id,
            client_name="C",
            referred_at=DAY + dt.timedelta(days=days),
        ),
    )
    at = DAY + dt.timedelta(days=days)
    for stage in stages:
        at += dt.timedelta(hours=hours_to_contact or 1 if stage == "contacted" else 1)
        change = StageChangeIn(
            stage=stage,
            changed_at=at,
            reason="bad_fit" if stage == "declined" and direction == "received" else None,
            note="gone quiet" if stage == "lost" else "",
            actual_value=value if stage == "engaged" else None,
        )
        await referrals.change_stage(actor, referral.id, change)


async def test_hand_worked_firm(client):
    firm = await make_firm()
    actor = firm.actor()
    ada = (await partners.create_partner(actor, PartnerCreate(name="Ada", profession="cpa"))).id
    bob = (await partners.create_partner(actor, PartnerCreate(name="Bob", profession="cpa"))).id
    path = ("acknowledged", "contacted", "qualified")
    # received: Ada 3 (2 engaged for 1,000.00 and 2,000.01; 1 lost), Bob 1 declined, 1 unknown open
    await logged(
        actor, "received", ada, *path, "engaged", hours_to_contact=2, value=Decimal("1000.00")
    )
    await logged(
        actor,
        "received",
        ada,
        *path,
        "engaged",
        hours_to_contact=10,
        value=Decimal("2000.01"),
        days=40,
    )
    await logged(
        actor, "received", ada, "acknowledged", "contacted", "lost", hours_to_contact=30, days=41
    )
    await logged(actor, "received", bob, "declined")
    await logged(actor, "received", None)
    # sent: accepted+engaged, accepted, declined, open
    await logged(actor, "sent", bob, "accepted", "engaged", value=Decimal("500.00"))
    await logged(actor, "sent", bob, "accepted")
    await logged(actor, "sent", bob, "declined")
    await logged(actor, "sent", bob)
    await logged(actor, "sent", bob, days=400)  # outside the period

    m = await referral_metrics(
        actor, period_from=dt.date(2026, 5, 1), period_to=dt.date(2026, 12, 31)
    )
    assert (m.received, m.sent) == (5, 4)
    assert m.acceptance_rate == round(2 / 3, 4)  # accepted or engaged ÷ decided (3)
    assert m.conversion_rate == 0.5  # engaged 3 ÷ closed 6 (3 engaged, 1 lost, 2 declined)
    assert m.average_deal_size == Decimal("1166.67")  # (1000.00 + 2000.01 + 500.00) / 3, half-even
    assert m.first_contact_hours_median == 10 + 1  # contacted 1 h after acknowledging: 3, 11, 31
    assert m.first_contact_hours_p90 == 31
    assert m.payout_days_median is None
    assert m.unknown_source_share == 0.2
    [top, *_] = m.by_source
    assert (top.source, top.received, top.engaged, top.actual_value) == (
        "Ada",
        3,
        2,
        Decimal("3000.01"),
    )
    assert top.average_matter_value == Decimal("1500.00")  # 1500.005 rounds half to even
    assert [(mo.month, mo.sent, mo.received) for mo in m.monthly] == [
        ("2026-06", 4, 3),
        ("2026-07", 0, 2),
    ]

    just_ada = await referral_metrics(
        actor, period_from=dt.date(2026, 5, 1), period_to=dt.date(2026, 12, 31), partner_id=ada
    )
    assert (just_ada.received, just_ada.sent, just_ada.conversion_rate) == (3, 0, round(2 / 3, 4))


def test_percentile_is_nearest_rank():
    assert percentile([], 0.9) is None
    assert percentile([5], 0.9) == 5
    assert percentile(list(range(1, 11)), 0.9) == 9
    assert percentile(list(range(1, 12)), 0.9) == 10
