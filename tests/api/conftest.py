import pytest

from tests.crm.helpers import seed_merge_suggestion


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
    # An import of a card with the partner's name and no email: a merge suggestion.
    card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nEND:VCARD\r\n"
    imported = await client.post(
        "/api/v1/imports", files={"file": ("grace.vcf", card, "text/vcard")}, headers=headers
    )
    assert imported.status_code == 201, imported.text
    suggestions = await client.get("/api/v1/imports/suggestions", headers=headers)
    return {
        "partner_id": partner_id,
        "licence_id": licence.json()["id"],
        "referral_id": referral.json()["id"],
        "activity_id": activity.json()["id"],
        "rule_id": rule.json()["id"],
        "draft_id": drafts.json()[0]["id"],
        "import_id": imported.json()["id"],
        "import_suggestion_id": suggestions.json()[0]["id"],
        "suggestion_id": await seed_merge_suggestion(firm.id, partner_id),
    }
