"""One of everything in a firm, for the tenancy tests of the API and the pages: the
``seeded`` fixture, registered for every test by ``tests/conftest.py``."""

import pytest

from tests.agreements.helpers import upload
from tests.compliance.helpers import seed_finding
from tests.crm.helpers import seed_merge_suggestion
from tests.money.helpers import post_arrangement, post_engaged, post_fee
from tests.tax.helpers import seed_filing


@pytest.fixture
async def seeded(client, firm):
    """One of everything in ``firm``, created through the API: ids by path-parameter name."""
    headers = firm.headers()
    partner = await client.post(
        "/api/v1/partners",
        json={"name": "Grace Hopper", "profession": "cpa", "city": "Tampa", "state": "FL"},
        headers=headers,
    )
    partner_id = partner.json()["id"]
    licence = await client.post(
        f"/api/v1/partners/{partner_id}/licences",
        json={"kind": "CPA", "jurisdiction": "FL", "number": "AC123"},
        headers=headers,
    )
    referral = await client.post(
        "/api/v1/referrals",
        json={"direction": "received", "partner_id": partner_id, "client_name": "Ann Client"},
        headers=headers,
    )
    activity = await client.post(
        "/api/v1/activities",
        json={"partner_id": partner_id, "kind": "call", "occurred_on": "2026-11-01"},
        headers=headers,
    )
    rule = await client.post(
        "/api/v1/routing-rules",
        json={"practice_area": "Tax", "owner_id": firm.user_ids["member"]},
        headers=headers,
    )
    # A second referral, moved on, so the partner has an update waiting for approval.
    updated = await client.post(
        "/api/v1/referrals",
        json={"direction": "received", "partner_id": partner_id, "client_name": "Bo Client"},
        headers=headers,
    )
    for response in (partner, licence, referral, activity, rule, updated):
        assert response.status_code == 201, response.text
    moved = await client.post(
        f"/api/v1/referrals/{updated.json()['id']}/stage",
        json={"stage": "acknowledged"},
        headers=headers,
    )
    assert moved.status_code == 200, moved.text
    drafts = await client.get("/api/v1/drafts", headers=headers)
    money = await _seed_money(client, headers, partner_id)
    agreement = await upload(client, headers, {"partner_id": partner_id, "kind": "fee_sharing"})
    assert agreement.status_code == 201, agreement.text
    events = await client.get("/api/v1/audit/events?per_page=1", headers=headers)
    # An import of a card with the partner's name and no email (it makes a merge suggestion).
    card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nEND:VCARD\r\n"
    imported = await client.post(
        "/api/v1/imports", files={"file": ("grace.vcf", card, "text/vcard")}, headers=headers
    )
    assert imported.status_code == 201, imported.text
    return {
        **money,
        "partner_id": partner_id,
        "licence_id": licence.json()["id"],
        "referral_id": referral.json()["id"],
        "activity_id": activity.json()["id"],
        "rule_id": rule.json()["id"],
        "draft_id": drafts.json()[0]["id"],
        "agreement_id": agreement.json()["id"],
        "number": 1,
        "event_id": events.json()["items"][0]["id"],
        "import_id": imported.json()["id"],
        "suggestion_id": await seed_merge_suggestion(firm.id, partner_id),
        "filing_id": await seed_filing(firm.id, partner_id),
        "finding_id": await seed_finding(firm.id, partner_id),
    }


async def _seed_money(client, headers, partner_id) -> dict:
    """An arrangement, a payout accrued on a third (engaged) referral, a payment received."""
    arrangement = await post_arrangement(client, headers, partner_id, percent="10")
    engaged = await post_engaged(client, headers, partner_id, client_name="Cy Client")
    fee = await post_fee(client, headers, engaged, "1000", "2026-11-01")
    payment = await client.post(
        "/api/v1/payments-received",
        json={"partner_id": partner_id, "amount": "50", "received_on": "2026-11-01"},
        headers=headers,
    )
    assert payment.status_code == 201, payment.text
    return {
        "receivable_id": await _seed_receivable(client, headers, partner_id),
        "arrangement_id": arrangement["id"],
        "payout_id": fee["payouts"][0]["id"],
        "payment_id": payment.json()["id"],
    }


async def _seed_receivable(client, headers, partner_id) -> int:
    """A fee the partner owes the firm, on an engaged referral the firm sent them."""
    await post_arrangement(
        client, headers, partner_id, "commission", direction="receive", percent="5"
    )
    sent = await post_engaged(
        client, headers, partner_id, direction="sent", client_name="Di Client"
    )
    fee = await post_fee(client, headers, sent, "400", "2026-11-01")
    return fee["receivables"][0]["id"]
