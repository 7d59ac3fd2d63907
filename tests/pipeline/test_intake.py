"""Intake: duplicate flagging with a person's override, and who gets a new referral."""

import asyncio
import datetime as dt

from rapport_core.schemas import ReferralCreate
from rapport_core.services import referrals

from tests.pipeline.helpers import add_partner, log


async def test_same_client_within_the_window_is_flagged_against_the_earliest(client, firm):
    first_partner = await add_partner(client, firm, name="First")
    second_partner = await add_partner(client, firm, name="Second")
    original = await log(
        client, firm, partner_id=first_partner, client_name="Ann Lee",
        client_email="Ann.Lee+work@Gmail.com", referred_at="2026-01-01T09:00:00Z",
    )  # fmt: skip
    by_phone = await log(
        client, firm, partner_id=first_partner, client_name="A. Lee",
        client_phone="(555) 123-4567", client_email="annlee@gmail.com",
        referred_at="2026-01-20T09:00:00Z",
    )  # fmt: skip
    again = await log(
        client, firm, partner_id=second_partner, client_name="ann  LEE",
        client_phone="+1 555 123 4567", referred_at="2026-02-01T09:00:00Z",
    )  # fmt: skip
    assert original["duplicate_of"] is None
    assert by_phone["duplicate_of"] == original["id"]  # same email once normalised
    assert again["duplicate_of"] == original["id"]  # the earliest keeps the attribution
    # Outside the 90-day window, or a different person: not a duplicate.
    late = await log(client, firm, client_name="Ann Lee", referred_at="2026-06-01T09:00:00Z")
    other = await log(client, firm, client_name="Bob Lee", referred_at="2026-02-02T09:00:00Z")
    assert late["duplicate_of"] is None and other["duplicate_of"] is None
    # Sent referrals are neither flagged nor matched.
    sent = await log(
        client, firm, direction="sent", partner_id=first_partner, client_name="Ann Lee",
        referred_at="2026-02-03T09:00:00Z",
    )  # fmt: skip
    assert sent["duplicate_of"] is None

    flagged = await client.get("/api/v1/referrals?duplicates=flagged", headers=firm.headers())
    assert {r["id"] for r in flagged.json()["items"]} == {by_phone["id"], again["id"]}


async def test_a_person_overrides_the_flag_with_a_reason(client, firm):
    from rapport_core import audit

    await log(client, firm, client_name="Sam Poe", referred_at="2026-01-01T09:00:00Z")
    second = await log(client, firm, client_name="Sam Poe", referred_at="2026-01-05T09:00:00Z")
    path = f"/api/v1/referrals/{second['id']}/duplicate"
    no_reason = await client.post(
        path, json={"action": "not_duplicate", "reason": ""}, headers=firm.headers()
    )
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
    viewer = await client.post(
        path, json={"action": "not_duplicate", "reason": "x"}, headers=firm.headers("viewer")
    )
    assert viewer.status_code == 403
    done = await client.post(
        path,
        json={"action": "not_duplicate", "reason": "Father and son, same name"},
        headers=firm.headers("member"),
    )
    assert done.status_code == 200, done.text
    assert done.json()["duplicate_override_reason"] == "Father and son, same name"
    flagged = await client.get("/api/v1/referrals?duplicates=flagged", headers=firm.headers())
    assert flagged.json()["total"] == 0
    again = await client.post(
        path, json={"action": "not_duplicate", "reason": "again"}, headers=firm.headers()
    )
    assert again.status_code == 409
    events = await audit.events_for(firm.id, subject_type="referral")
    assert events[0]["action"] == "referral.not_duplicate"
    assert events[0]["actor"] == firm.emails["member"]


async def test_routing_rules_pick_the_owner_in_position_order(client, firm):
    headers = firm.headers()
    member, owner = firm.user_ids["member"], firm.user_ids["owner"]
    denied = await client.post(
        "/api/v1/routing-rules", json={"owner_id": member}, headers=firm.headers("member")
    )
    assert denied.status_code == 403
    rules = [
        {"position": 2, "practice_area": "estate", "owner_id": owner},
        {"position": 1, "practice_area": "Estate", "state": "FL", "min_value": "10000",
         "owner_id": member},
    ]  # fmt: skip
    made = []
    for rule in rules:
        response = await client.post("/api/v1/routing-rules", json=rule, headers=headers)
        assert response.status_code == 201, response.text
        made.append(response.json())
    listed = await client.get("/api/v1/routing-rules", headers=firm.headers("viewer"))
    assert [r["id"] for r in listed.json()] == [made[1]["id"], made[0]["id"]]

    big = await log(client, firm, matter_type="Estate planning", jurisdiction="fl",
                    estimated_value="25000")  # fmt: skip
    small = await log(client, firm, matter_type="ESTATE planning", jurisdiction="FL",
                      estimated_value="500")  # fmt: skip
    unknown_value = await log(client, firm, matter_type="estate", jurisdiction="FL")
    assert (big["owner_id"], big["assigned_by"]) == (member, f"rule:{made[1]['id']}")
    assert (small["owner_id"], small["assigned_by"]) == (owner, f"rule:{made[0]['id']}")
    assert unknown_value["assigned_by"] == f"rule:{made[0]['id']}"
    # An explicit owner is kept as a manual choice.
    chosen = await log(client, firm, matter_type="Estate", owner_id=firm.user_ids["admin"])
    assert (chosen["owner_id"], chosen["assigned_by"]) == (firm.user_ids["admin"], "manual")
    # A deactivated rule is skipped.
    await client.patch(
        f"/api/v1/routing-rules/{made[0]['id']}", json={"active": False}, headers=headers
    )
    assert (await log(client, firm, matter_type="Estate"))["assigned_by"] == "round_robin"
    bad = await client.post(
        "/api/v1/routing-rules",
        json={"owner_id": member, "min_value": "10", "max_value": "5"},
        headers=headers,
    )
    assert bad.status_code == 422 and bad.json()["field"] == "min_value"


async def test_round_robin_takes_turns_among_members_and_owners(client, firm):
    turns = [(await log(client, firm, matter_type="Tax")) for _ in range(5)]
    assert {t["assigned_by"] for t in turns} == {"round_robin"}
    owners = [t["owner_id"] for t in turns]
    eligible = sorted([firm.user_ids["owner"], firm.user_ids["member"]])
    # Each eligible person in turn by user id, wrapping; nobody else.
    start = eligible.index(owners[0])
    assert owners == [eligible[(start + i) % 2] for i in range(5)]
    # Sent referrals and manual assignments do not take a turn.
    await log(client, firm, owner_id=firm.user_ids["admin"])
    nxt = await log(client, firm)
    assert nxt["owner_id"] == eligible[(start + 5) % 2]


async def test_the_duplicate_window_follows_the_firm_setting(client, firm):
    await client.patch(
        "/api/v1/settings", json={"intake": {"duplicate_lookback_days": 3}}, headers=firm.headers()
    )
    start = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
    await log(client, firm, client_name="Kim Ode", referred_at=start.isoformat())
    later = start + dt.timedelta(days=4)
    assert (await log(client, firm, client_name="Kim Ode", referred_at=later.isoformat()))[
        "duplicate_of"
    ] is None


async def test_simultaneous_referrals_take_different_turns(client, firm):
    """Referrals arriving at the same moment each take their own turn: the turn is one
    atomic update, not a read of the last referral followed by a write."""
    actor = firm.actor()
    arrivals = [
        referrals.create_referral(
            actor, ReferralCreate(direction="received", client_name=f"Client {n}")
        )
        for n in range(4)
    ]
    made = sorted(await asyncio.gather(*arrivals), key=lambda referral: referral.id)
    made.append(await referrals.create_referral(
        actor, ReferralCreate(direction="received", client_name="Later")
    ))  # fmt: skip
    owners = [referral.owner_id for referral in made]
    eligible = sorted([firm.user_ids["owner"], firm.user_ids["member"]])
    # In the order they were stored, the turns alternate between the two people.
    start = eligible.index(owners[0])
    assert owners == [eligible[(start + i) % 2] for i in range(5)]
