"""The conversion funnel: every referral counts at each stage it reached, once."""

import datetime as dt

import pytest
from rapport_core.errors import NotFound
from rapport_core.insights.funnel import conversion_funnel
from rapport_core.schemas import PartnerCreate
from rapport_core.services import partners
from rapport_core.vocabulary import Direction

from tests.conftest import make_firm
from tests.insights.test_metrics import DAY, logged

PERIOD = {"period_from": DAY.date(), "period_to": DAY.date() + dt.timedelta(days=60)}


def table(funnel):
    return [(s.stage.value, s.reached, s.dropped) for s in funnel.steps]


async def test_received_funnel_counts_where_each_referral_got_to(client):
    actor = (await make_firm()).actor()
    ada = (await partners.create_partner(actor, PartnerCreate(name="Ada", profession="cpa"))).id
    path = ("acknowledged", "contacted", "qualified")
    await logged(actor, "received", ada, *path, "engaged")
    await logged(actor, "received", ada, *path)  # still qualified
    await logged(actor, "received", ada, "acknowledged", "contacted", "lost")
    await logged(actor, "received", ada, "declined")  # declined straight from submitted
    await logged(actor, "received", None)  # open, submitted
    await logged(actor, "received", ada, *path, "engaged", days=90)  # outside the period
    await logged(actor, "sent", ada, "accepted")  # the other direction

    funnel = await conversion_funnel(actor, Direction.received, **PERIOD)
    assert table(funnel) == [
        ("submitted", 5, 1),
        ("acknowledged", 3, 0),
        ("contacted", 3, 1),
        ("qualified", 2, 0),
        ("engaged", 1, 0),
    ]
    assert [s.share for s in funnel.steps] == [1.0, 0.6, 0.6, 0.4, 0.2]


async def test_sent_funnel_and_one_partner(client):
    actor = (await make_firm()).actor()
    ada = (await partners.create_partner(actor, PartnerCreate(name="Ada", profession="cpa"))).id
    bob = (await partners.create_partner(actor, PartnerCreate(name="Bob", profession="cpa"))).id
    await logged(actor, "sent", ada, "accepted", "engaged")
    await logged(actor, "sent", ada, "declined")
    await logged(actor, "sent", bob, "accepted")

    everyone = await conversion_funnel(actor, Direction.sent, **PERIOD)
    assert table(everyone) == [("introduced", 3, 1), ("accepted", 2, 0), ("engaged", 1, 0)]
    only_ada = await conversion_funnel(actor, Direction.sent, partner_id=ada, **PERIOD)
    assert table(only_ada) == [("introduced", 2, 1), ("accepted", 1, 0), ("engaged", 1, 0)]


async def test_empty_period_and_other_firms_partner(client):
    actor = (await make_firm()).actor()
    stranger = (await make_firm()).actor()
    theirs = await partners.create_partner(stranger, PartnerCreate(name="Zed", profession="cpa"))
    funnel = await conversion_funnel(actor, Direction.received, **PERIOD)
    assert [(s.reached, s.share) for s in funnel.steps] == [(0, None)] * 5
    with pytest.raises(NotFound):
        await conversion_funnel(actor, Direction.received, partner_id=theirs.id, **PERIOD)


async def test_funnel_api(client, firm, other_firm):
    actor = firm.actor()
    ada = (await partners.create_partner(actor, PartnerCreate(name="Ada", profession="cpa"))).id
    await logged(actor, "sent", ada, "accepted")
    query = "from=2026-06-01&to=2026-07-31"
    sent = await client.get(
        f"/api/v1/metrics/funnel?direction=sent&{query}", headers=firm.headers("viewer")
    )
    assert sent.status_code == 200
    assert [(s["stage"], s["reached"]) for s in sent.json()["steps"]] == [
        ("introduced", 1),
        ("accepted", 1),
        ("engaged", 0),
    ]
    received = (await client.get(f"/api/v1/metrics/funnel?{query}", headers=firm.headers())).json()
    assert received["direction"] == "received" and received["steps"][0]["reached"] == 0
    bad = await client.get("/api/v1/metrics/funnel?direction=sideways", headers=firm.headers())
    assert bad.status_code == 422 and "direction" in bad.text
    foreign = await client.get(
        f"/api/v1/metrics/funnel?partner_id={ada}", headers=other_firm.headers()
    )
    assert foreign.status_code == 404
