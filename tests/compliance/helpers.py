"""Set-up shared by the compliance tests: an attorney firm with the test packs enabled, a
partner whose licence lapsed and a referral sent to them (no client consent on file)."""

from __future__ import annotations

import datetime as dt

from rapport_core.compliance import reactions
from rapport_core.tables import Firm


async def attorney_firm(client, firm, packs=("test-base",)) -> None:
    await Firm.update({Firm.professions: ["attorney"]}).where(Firm.id == firm.id)
    response = await client.put(
        "/api/v1/compliance/packs/enabled",
        json={"packs": list(packs)},
        headers=firm.headers("compliance"),
    )
    assert response.status_code == 200, response.text


async def lapsed_partner_and_referral(client, firm) -> tuple[int, int, int]:
    partner = await client.post(
        "/api/v1/partners",
        json={"name": "Dana Ortiz", "profession": "attorney", "state": "FL"},
        headers=firm.headers(),
    )
    assert partner.status_code == 201, partner.text
    partner_id = partner.json()["id"]
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    licence = await client.post(
        f"/api/v1/partners/{partner_id}/licences",
        json={
            "kind": "bar admission",
            "jurisdiction": "FL",
            "number": "12345",
            "expires_on": yesterday,
        },
        headers=firm.headers(),
    )
    assert licence.status_code == 201, licence.text
    referral = await client.post(
        "/api/v1/referrals",
        json={
            "direction": "sent",
            "client_name": "Ann Client",
            "partner_id": partner_id,
            "matter_type": "estate",
        },
        headers=firm.headers(),
    )
    assert referral.status_code == 201, referral.text
    await reactions.settle()
    return partner_id, licence.json()["id"], referral.json()["id"]


async def findings(client, firm, role="owner", **query) -> list[dict]:
    response = await client.get(
        "/api/v1/compliance/findings", params=query, headers=firm.headers(role)
    )
    assert response.status_code == 200, response.text
    return response.json()


async def seed_finding(firm_id: int, partner_id: int) -> int:
    """A stored finding on the partner (for the tenancy tests, which need one of everything)."""
    from rapport_core.clock import now
    from rapport_core.compliance.tables import ComplianceFinding

    at = now()
    rows = await ComplianceFinding.insert(
        ComplianceFinding(
            firm=firm_id,
            rule_id="base.licence-lapsed",
            pack_id="test-base",
            pack_version="1.0.0",
            severity="warning",
            rule_subject="partner",
            subject_type="partner",
            subject_id=partner_id,
            partner_id=partner_id,
            title="The partner's licence has lapsed",
            message="Lapsed.",
            citation="Test Rule 2",
            remediation="Renew.",
            facts={},
            status="open",
            first_seen_at=at,
            last_seen_at=at,
        )
    ).returning(ComplianceFinding.id)
    return rows[0]["id"]
