import pytest

from tests.agreements.helpers import upload
from tests.compliance.helpers import seed_finding
from tests.crm.helpers import seed_merge_suggestion
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
    # An import of a card with the partner's name and no email: a merge suggestion.
    card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nEND:VCARD\r\n"
    imported = await client.post(
        "/api/v1/imports", files={"file": ("grace.vcf", card, "text/vcard")}, headers=headers
    )
    assert imported.status_code == 201, imported.text
    suggestions = await client.get("/api/v1/imports/suggestions", headers=headers)
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
        "import_suggestion_id": suggestions.json()[0]["id"],
        "suggestion_id": await seed_merge_suggestion(firm.id, partner_id),
        "filing_id": await seed_filing(firm.id, partner_id),
        "finding_id": await seed_finding(firm.id, partner_id),
    }


async def _seed_money(client, headers, partner_id) -> dict:
    """An arrangement, a payout accrued on a third (engaged) referral, a payment received."""
    arrangement = await client.post(
        "/api/v1/fee-arrangements",
        json={
            "partner_id": partner_id,
            "kind": "referral_fee",
            "parameters": {"method": "percentage", "percent": "10"},
            "effective_from": "2020-01-01",
        },
        headers=headers,
    )
    engaged = await client.post(
        "/api/v1/referrals",
        json={"direction": "received", "partner_id": partner_id, "client_name": "Cy Client"},
        headers=headers,
    )
    for stage in ("acknowledged", "contacted", "qualified", "engaged"):
        await client.post(
            f"/api/v1/referrals/{engaged.json()['id']}/stage",
            json={"stage": stage},
            headers=headers,
        )
    fee = await client.post(
        f"/api/v1/referrals/{engaged.json()['id']}/fees",
        json={"amount": "1000", "collected_on": "2026-11-01"},
        headers=headers,
    )
    payment = await client.post(
        "/api/v1/payments-received",
        json={"partner_id": partner_id, "amount": "50", "received_on": "2026-11-01"},
        headers=headers,
    )
    owed = await _seed_receivable(client, headers, partner_id)
    for response in (arrangement, fee, payment):
        assert response.status_code == 201, response.text
    return {
        "receivable_id": owed,
        "arrangement_id": arrangement.json()["id"],
        "payout_id": fee.json()["payouts"][0]["id"],
        "payment_id": payment.json()["id"],
    }


async def _seed_receivable(client, headers, partner_id) -> int:
    """A fee the partner owes the firm, on an engaged referral the firm sent them."""
    terms = await client.post(
        "/api/v1/fee-arrangements",
        json={
            "partner_id": partner_id,
            "direction": "receive",
            "kind": "commission",
            "parameters": {"percent": "5"},
            "effective_from": "2020-01-01",
        },
        headers=headers,
    )
    sent = await client.post(
        "/api/v1/referrals",
        json={"direction": "sent", "partner_id": partner_id, "client_name": "Di Client"},
        headers=headers,
    )
    for stage in ("accepted", "engaged"):
        await client.post(
            f"/api/v1/referrals/{sent.json()['id']}/stage", json={"stage": stage}, headers=headers
        )
    fee = await client.post(
        f"/api/v1/referrals/{sent.json()['id']}/fees",
        json={"amount": "400", "collected_on": "2026-11-01"},
        headers=headers,
    )
    assert terms.status_code == 201 and fee.status_code == 201, fee.text
    return fee.json()["receivables"][0]["id"]
