"""The daily briefing ranks what to do by urgency × impact, each action with its reason."""

import datetime as dt
from decimal import Decimal

import pytest
from rapport_core.insights.briefing import daily_briefing
from rapport_core.schemas import PartnerCreate, ReferralCreate, StageChangeIn
from rapport_core.services import partners, referrals

from tests.conftest import make_firm

NOW = dt.datetime.now(dt.UTC)


async def engaged_matter(actor, partner_id, *, days_ago, value):
    """A matter the partner sent ``days_ago`` days ago, engaged within hours for ``value``."""
    at = NOW - dt.timedelta(days=days_ago)
    matter = await referrals.create_referral(
        actor,
        ReferralCreate(
            direction="received", partner_id=partner_id, client_name="Old Matter", referred_at=at
        ),
    )
    for stage in ("acknowledged", "contacted", "qualified", "engaged"):
        at += dt.timedelta(hours=1)
        await referrals.change_stage(
            actor,
            matter.id,
            StageChangeIn(
                stage=stage, changed_at=at, actual_value=value if stage == "engaged" else None
            ),
        )


async def test_briefing_ranks_actions_with_reasons(client):
    firm = await make_firm()
    actor = firm.actor()
    pat = (
        await partners.create_partner(actor, PartnerCreate(name="Pat Generous", profession="cpa"))
    ).id
    quinn = (
        await partners.create_partner(
            actor, PartnerCreate(name="Quinn Slow", profession="attorney")
        )
    ).id

    # Pat sent a $50,000 matter 101 days ago and has been quiet since: dormant and valuable.
    await engaged_matter(actor, pat, days_ago=101, value=Decimal("50000"))
    # A $25,000 introduction to Quinn, untouched for 20 days: stalled (after 14).
    await referrals.create_referral(
        actor,
        ReferralCreate(
            direction="sent",
            partner_id=quinn,
            client_name="Stuck Client",
            estimated_value=Decimal("25000"),
            referred_at=NOW - dt.timedelta(days=20),
        ),
    )
    # A referral from an unknown source two days ago, never acknowledged or contacted.
    await referrals.create_referral(
        actor,
        ReferralCreate(
            direction="received",
            client_name="Waiting Client",
            referred_at=NOW - dt.timedelta(days=2),
        ),
    )

    actions = await daily_briefing(actor, as_of=NOW)
    assert [(a.kind, a.title) for a in actions] == [
        ("dormant_partner", "Reconnect with Pat Generous"),
        ("stalled_referral", "Move Stuck Client on"),
        # One action per waiting client: first contact is late too, but acknowledging comes first.
        ("sla_breach", "Waiting Client: acknowledge the referral"),
        ("owed_referral", "Send Pat Generous a referral"),
    ]
    dormant, stalled, acknowledge, *_ = actions
    assert dormant.score == pytest.approx(101 / 120, abs=0.01)  # urgency 101/(2×60) × impact 1
    assert "$50,000" in dormant.reason and dormant.link == f"/partners/{pat}"
    assert stalled.score == pytest.approx(20 / 28, abs=0.01)  # urgency 20/(2×14) × impact 1
    assert "introduced after 20 days" in stalled.reason
    assert acknowledge.score == pytest.approx((0.5 + 44 / 168) * 0.9, abs=0.01)
    assert acknowledge.link.startswith("/referrals/")
    assert "First contact is overdue too" in acknowledge.reason


async def test_briefing_is_per_firm_and_served(client, firm, other_firm):
    await referrals.create_referral(
        firm.actor(),
        ReferralCreate(
            direction="received", client_name="Needs Ack", referred_at=NOW - dt.timedelta(days=1)
        ),
    )
    mine = await client.get("/api/v1/briefing", headers=firm.headers("viewer"))
    assert (
        mine.status_code == 200 and mine.json()[0]["title"] == "Needs Ack: acknowledge the referral"
    )
    theirs = await client.get("/api/v1/briefing", headers=other_firm.headers())
    assert theirs.json() == []


async def test_a_dormant_partner_counts_by_the_value_they_sent(client):
    actor = (await make_firm()).actor()
    sam = (await partners.create_partner(actor, PartnerCreate(name="Sam", profession="cpa"))).id
    await engaged_matter(actor, sam, days_ago=90, value=Decimal("10000"))
    [action] = [a for a in await daily_briefing(actor, as_of=NOW) if a.kind == "dormant_partner"]
    # Urgency 90 days quiet ÷ 120; impact $10,000 ÷ $50,000.
    assert action.impact == pytest.approx(0.2) and action.urgency == pytest.approx(0.75)
    assert action.score == pytest.approx(0.15) and "$10,000" in action.reason


async def test_plugin_sources_are_ranked_with_the_rest(client):
    # The test plugin greets partners tagged "birthday" (urgency 1.0, impact 0.5).
    actor = (await make_firm()).actor()
    await partners.create_partner(
        actor, PartnerCreate(name="Bea", profession="cpa", tags=["birthday"])
    )
    await referrals.create_referral(
        actor,
        ReferralCreate(
            direction="received", client_name="Late One", referred_at=NOW - dt.timedelta(days=30)
        ),
    )
    briefing = await daily_briefing(actor, as_of=NOW)
    kinds = [a.kind for a in briefing]
    assert "hello_birthday" in kinds and "sla_breach" in kinds
    greeting = next(a for a in briefing if a.kind == "hello_birthday")
    assert greeting.title == "Wish Bea a happy birthday" and greeting.score == pytest.approx(0.5)
    assert greeting.link == f"/partners/{greeting.subject_id}"
    # Ranked by score with the built-in actions: an SLA breach a month late (0.9) outranks it.
    assert kinds.index("sla_breach") < kinds.index("hello_birthday")
