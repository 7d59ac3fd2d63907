"""A partner's timeline: referrals, stage changes and touchpoints in one list, newest first."""

import datetime as dt

import pytest
from rapport_core.errors import NotFound
from rapport_core.insights.timeline import partner_timeline
from rapport_core.schemas import ActivityCreate, PartnerCreate
from rapport_core.services import partners

from tests.conftest import make_firm
from tests.insights.test_metrics import DAY, logged


async def test_timeline_merges_referrals_stage_changes_and_touchpoints(client):
    actor = (await make_firm()).actor()
    ada = (await partners.create_partner(actor, PartnerCreate(name="Ada", profession="cpa"))).id
    bob = (await partners.create_partner(actor, PartnerCreate(name="Bob", profession="cpa"))).id
    await logged(actor, "received", ada, "acknowledged", "declined")  # day 0, +1 h, +2 h
    await logged(actor, "sent", ada, days=3)
    await logged(actor, "received", bob, days=1)  # another partner's: not on Ada's timeline
    await partners.log_activity(
        actor,
        ActivityCreate(
            partner_id=ada,
            kind="meeting",
            occurred_on=DAY.date() + dt.timedelta(days=1),
            summary="Talked trusts",
        ),
    )

    events = await partner_timeline(actor, ada)
    assert [(e.kind.value, e.title) for e in events] == [
        ("referred", "You referred C to Ada"),
        ("touchpoint", "Meeting"),
        ("stage", "C: acknowledged → declined"),
        ("stage", "C: submitted → acknowledged"),
        ("referred", "Ada referred C to you"),
    ]
    assert events[1].detail == "Talked trusts"
    assert events[2].detail == "bad fit" and events[2].link.startswith("/referrals/")
    assert all(e.at.tzinfo is not None for e in events)
    assert len(await partner_timeline(actor, ada, limit=2)) == 2


async def test_another_firms_partner_has_no_timeline(client):
    actor = (await make_firm()).actor()
    theirs = await partners.create_partner(
        (await make_firm()).actor(), PartnerCreate(name="Zed", profession="cpa")
    )
    with pytest.raises(NotFound):
        await partner_timeline(actor, theirs.id)


async def test_timeline_api(client, firm, other_firm):
    actor = firm.actor()
    ada = (await partners.create_partner(actor, PartnerCreate(name="Ada", profession="cpa"))).id
    await logged(actor, "received", ada, "acknowledged")
    mine = await client.get(
        f"/api/v1/partners/{ada}/timeline?limit=1", headers=firm.headers("viewer")
    )
    assert mine.status_code == 200
    assert [(e["kind"], e["title"]) for e in mine.json()] == [
        ("stage", "C: submitted → acknowledged")
    ]
    theirs = await client.get(f"/api/v1/partners/{ada}/timeline", headers=other_firm.headers())
    assert theirs.status_code == 404
    assert (
        await client.get(f"/api/v1/partners/{ada}/timeline?limit=0", headers=firm.headers())
    ).status_code == 422
