"""Reciprocity, "who do I owe", dormant partners and check-ins, against figures worked out
by hand from the documented formulas (docs/insights.md)."""

import datetime as dt
import math
from decimal import Decimal

import pytest
from rapport_core.errors import NotFound
from rapport_core.insights.attention import check_ins_due, dormant_partners
from rapport_core.insights.reciprocity import partner_reciprocity, partners_owed
from rapport_core.schemas import ActivityCreate, PartnerCreate, ReferralCreate
from rapport_core.services import partners, referrals

from tests.conftest import make_firm

NOW = dt.datetime.now(dt.UTC)


async def partner(actor, name, **fields):
    return (
        await partners.create_partner(actor, PartnerCreate(name=name, profession="cpa", **fields))
    ).id


async def refer(actor, partner_id, direction, days_ago, value=None):
    await referrals.create_referral(
        actor,
        ReferralCreate(
            direction=direction,
            partner_id=partner_id,
            client_name=f"Client {direction} {days_ago}",
            estimated_value=value,
            referred_at=NOW - dt.timedelta(days=days_ago),
        ),
    )


async def test_owed_ranks_by_recency_and_value_weighted_balance(client):
    firm = await make_firm()
    actor = firm.actor()
    giver = await partner(actor, "Gives A Lot")
    even = await partner(actor, "Even Steven")
    taker = await partner(actor, "Only Receives")
    await refer(actor, giver, "received", 0, Decimal("1000.00"))  # 1 × (1 + log10 2)
    await refer(actor, giver, "received", 90, None)  # ½ × 1: one half-life old
    await refer(actor, giver, "received", 400, Decimal("99999"))  # outside the 365-day window
    await refer(actor, even, "received", 10)
    await refer(actor, even, "sent", 10)
    await refer(actor, taker, "sent", 5)

    owed = await partners_owed(actor, as_of=NOW)
    assert [p.partner_name for p in owed] == ["Gives A Lot"]
    [top] = owed
    assert top.owed_score == pytest.approx(1 + math.log10(2) + 0.5, abs=0.002)
    assert (top.received_count, top.sent_count) == (2, 0)
    assert top.received_value == Decimal("1000.00")
    assert "They sent you 2 and you sent them 0 in 365 days" in top.explanation

    balanced = await partner_reciprocity(actor, even, as_of=NOW)
    assert (balanced.received_count, balanced.sent_count, balanced.owed_score) == (1, 1, 0)
    owing_them = await partner_reciprocity(actor, taker, as_of=NOW)
    assert owing_them.owed_score < 0 and owing_them.sent_count == 1

    other = await make_firm()
    with pytest.raises(NotFound):
        await partner_reciprocity(other.actor(), giver)


async def test_half_life_and_window_are_firm_settings(client):
    from rapport_core.services.firm_settings import update_firm_settings

    firm = await make_firm()
    actor = firm.actor()
    pid = await partner(actor, "Old Friend")
    await refer(actor, pid, "received", 200)
    assert (await partner_reciprocity(actor, pid, as_of=NOW)).received_count == 1
    await update_firm_settings(
        actor, {"relationships": {"window_days": 100, "owed_half_life_days": 30}}
    )
    assert (await partner_reciprocity(actor, pid, as_of=NOW)).received_count == 0
    await refer(actor, pid, "received", 30)
    assert (await partners_owed(actor, as_of=NOW))[0].owed_score == pytest.approx(0.5, abs=0.002)


async def test_dormant_and_check_ins(client):
    firm = await make_firm()
    actor = firm.actor()
    quiet = await partner(actor, "Gone Quiet")
    busy = await partner(actor, "Busy Bee", review_cadence_days=30)
    today = NOW.date() + dt.timedelta(days=61)  # both were added today, 61 days before
    await referrals.create_referral(
        actor,
        ReferralCreate(direction="sent", partner_id=busy, client_name="Z", referred_at=NOW),
    )
    await partners.log_activity(
        actor,
        ActivityCreate(partner_id=busy, kind="call", occurred_on=today - dt.timedelta(days=40)),
    )
    dormant = await dormant_partners(actor, today=today)
    assert [(p.partner_name, p.days_quiet) for p in dormant] == [("Gone Quiet", 61)]
    assert await dormant_partners(actor, today=today - dt.timedelta(days=2)) == []

    [due] = await check_ins_due(actor, today=today)
    assert (due.partner_id, due.days_quiet) == (busy, 40)
    assert "every 30 days" in due.reason
    assert quiet not in {p.partner_id for p in await check_ins_due(actor, today=today)}


async def test_api_and_tenancy(client, firm, other_firm):
    pid = await partner(firm.actor(), "Api Partner")
    await refer(firm.actor(), pid, "received", 1)
    owed = await client.get("/api/v1/partners/owed", headers=firm.headers("viewer"))
    assert owed.status_code == 200 and owed.json()[0]["partner_id"] == pid
    mine = await client.get(f"/api/v1/partners/{pid}/reciprocity", headers=firm.headers())
    assert mine.json()["received_count"] == 1
    theirs = await client.get(f"/api/v1/partners/{pid}/reciprocity", headers=other_firm.headers())
    assert theirs.status_code == 404
    assert (await client.get("/api/v1/partners/owed", headers=other_firm.headers())).json() == []
    for path in ("/api/v1/partners/dormant", "/api/v1/partners/check-ins"):
        assert (await client.get(path, headers=firm.headers())).status_code == 200


async def test_metrics_api_filters_and_tenancy(client, firm, other_firm):
    pid = await partner(firm.actor(), "Metric Partner")
    await refer(firm.actor(), pid, "received", 3)
    body = (await client.get("/api/v1/metrics", headers=firm.headers("viewer"))).json()
    assert body["received"] == 1 and body["by_source"][0]["source"] == "Metric Partner"
    older = await client.get(
        "/api/v1/metrics?from=2020-01-01&to=2020-12-31", headers=firm.headers()
    )
    assert older.json()["received"] == 0
    assert (await client.get("/api/v1/metrics?from=soon", headers=firm.headers())).status_code in (
        400,
        422,
    )
    foreign = await client.get(f"/api/v1/metrics?partner_id={pid}", headers=other_firm.headers())
    assert foreign.status_code == 404
