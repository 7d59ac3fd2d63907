"""Stored findings through the API: evaluation after changes, self-resolution, waivers
(compliance role, audited, sticky), the payout gate and tenancy."""

from types import SimpleNamespace

from rapport_core.money.payouts import gate_findings

from tests.agreements.helpers import upload
from tests.compliance.helpers import attorney_firm, findings, lapsed_partner_and_referral


async def test_changes_open_findings_and_fixes_resolve_them(client, firm, good_packs):
    await attorney_firm(client, firm)
    partner_id, licence_id, referral_id = await lapsed_partner_and_referral(client, firm)
    rows = {
        (f["rule_id"], f["subject_type"], f["subject_id"]): f for f in await findings(client, firm)
    }
    assert set(rows) == {
        ("base.client-consent", "referral", referral_id),
        ("base.licence-lapsed", "partner", partner_id),
    }
    consent = rows[("base.client-consent", "referral", referral_id)]
    assert (
        consent["severity"] == "violation"
        and consent["pack_id"] == "test-base"
        and consent["pack_version"] == "1.0.0"
    )
    assert (
        consent["message"]
        == "No written client consent for the referral to Dana Ortiz (fee (unknown))."
    )
    assert (
        consent["citation"] == "Test Rule 1" and consent["citation_url"] == "https://example.com/1"
    )
    # Only the facts the rule read, as they were.
    assert consent["facts"] == {
        "agreement.client_consent": None,
        "agreement.client_consent.written": None,
    }
    assert consent["partner_id"] == partner_id and consent["referral_id"] == referral_id

    # The client's written consent arrives (money-audit's agreements): the finding resolves itself.
    uploaded = await upload(
        client,
        firm.headers(),
        {
            "referral_id": referral_id,
            "kind": "client_consent",
            "signed_on": "2026-03-01",
            "discloses_division": "true",
        },
    )
    assert uploaded.status_code == 201, uploaded.text
    assert [f["rule_id"] for f in await findings(client, firm)] == ["base.licence-lapsed"]
    resolved = await findings(client, firm, status="resolved")
    assert [(f["rule_id"], f["resolved_at"] is not None) for f in resolved] == [
        ("base.client-consent", True)
    ]

    # The licence is renewed; the daily or manual evaluation resolves the partner's finding.
    renewed = await client.patch(
        f"/api/v1/licences/{licence_id}", json={"expires_on": "2099-01-01"}, headers=firm.headers()
    )
    assert renewed.status_code == 200, renewed.text
    summary = await client.post("/api/v1/compliance/evaluate", json={}, headers=firm.headers())
    assert (
        summary.status_code == 200
        and summary.json()["resolved"] == 1
        and summary.json()["open"] == 0
    )
    events = await client.get(
        "/api/v1/audit/events", params={"per_page": 50}, headers=firm.headers()
    )
    actions = [e["action"] for e in events.json()["items"]]
    assert (
        actions.count("compliance.finding_opened") == 2
        and actions.count("compliance.finding_resolved") == 2
    )


async def test_waive_needs_the_compliance_role_and_a_reason_and_stays_waived(
    client, firm, good_packs
):
    await attorney_firm(client, firm)
    partner_id, _licence_id, referral_id = await lapsed_partner_and_referral(client, firm)
    finding = next(f for f in await findings(client, firm) if f["rule_id"] == "base.client-consent")
    url = f"/api/v1/compliance/findings/{finding['id']}/waive"
    assert (
        await client.post(url, json={"reason": "ok"}, headers=firm.headers("owner"))
    ).status_code == 403
    assert (
        await client.post(url, json={"reason": ""}, headers=firm.headers("compliance"))
    ).status_code in (400, 422)

    # Before the waiver the payout gate names the violation; after it, not.
    actor = firm.actor("admin")
    payout = SimpleNamespace(referral_id=referral_id, partner_id=partner_id, partner_tags=[])
    gate = await gate_findings(actor, payout)
    # The referral's findings and the partner's own (the lapsed licence) stand against paying.
    assert sorted((f.rule_id, f.severity) for f in gate if f.pack_id == "test-base") == [
        ("base.client-consent", "violation"),
        ("base.licence-lapsed", "warning"),
    ]
    assert next(f.finding_id for f in gate if f.rule_id == "base.client-consent") == finding["id"]

    waived = await client.post(
        url,
        json={"reason": "Consent is in the engagement letter, page 3"},
        headers=firm.headers("compliance"),
    )
    assert waived.status_code == 200, waived.text
    body = waived.json()
    assert body["status"] == "waived" and body["waived_by"] == firm.emails["compliance"]
    assert body["waive_reason"] == "Consent is in the engagement letter, page 3"
    gate = await gate_findings(actor, payout)
    assert [f.rule_id for f in gate if f.pack_id == "test-base"] == ["base.licence-lapsed"]

    # The rule still fires; the finding stays waived.
    await client.post("/api/v1/compliance/evaluate", json={}, headers=firm.headers())
    again = (
        await client.get(
            f"/api/v1/compliance/findings/{finding['id']}", headers=firm.headers("viewer")
        )
    ).json()
    assert again["status"] == "waived"
    events = await client.get(
        "/api/v1/audit/events", params={"per_page": 50}, headers=firm.headers()
    )
    waiver = next(e for e in events.json()["items"] if e["action"] == "compliance.finding_waived")
    assert waiver["actor"] == firm.emails["compliance"]


async def test_filters(client, firm, good_packs):
    await attorney_firm(client, firm)
    partner_id, _l, referral_id = await lapsed_partner_and_referral(client, firm)
    assert [f["rule_id"] for f in await findings(client, firm, severity="warning")] == [
        "base.licence-lapsed"
    ]
    assert [f["subject_id"] for f in await findings(client, firm, subject_type="referral")] == [
        referral_id
    ]
    assert await findings(client, firm, pack="test-state") == []
    assert len(await findings(client, firm, status="all")) == 2


async def test_another_firms_findings_answer_404(client, firm, other_firm, good_packs):
    await attorney_firm(client, firm)
    await lapsed_partner_and_referral(client, firm)
    finding = (await findings(client, firm))[0]
    assert await findings(client, other_firm) == []
    url = f"/api/v1/compliance/findings/{finding['id']}"
    assert (await client.get(url, headers=other_firm.headers())).status_code == 404
    assert (
        await client.post(
            f"{url}/waive", json={"reason": "x"}, headers=other_firm.headers("compliance")
        )
    ).status_code == 404


async def test_pins_and_upgrade_preview(client, firm, good_packs):
    await attorney_firm(client, firm)
    _p, _l, referral_id = await lapsed_partner_and_referral(client, firm)
    packs = (await client.get("/api/v1/compliance/packs", headers=firm.headers())).json()["packs"]
    base = next(p for p in packs if p["id"] == "test-base")
    assert base["enabled"] and base["active"] and base["pinned"] is None
    pinned = await client.post(
        "/api/v1/compliance/packs/test-base/pin", headers=firm.headers("compliance")
    )
    assert next(p for p in pinned.json()["packs"] if p["id"] == "test-base")["pinned"] == "1.0.0"
    # Enabling the state pack: preview what it would add (its own consent rule replaces the base one).
    preview = await client.get(
        "/api/v1/compliance/packs/test-state/upgrade", headers=firm.headers()
    )
    assert preview.status_code == 200 and preview.json()["installed"] == "2.0.0"
    assert preview.json()["disappear"] == []  # it has no stored findings yet
    assert (
        await client.put(
            "/api/v1/compliance/packs/enabled",
            json={"packs": ["nope"]},
            headers=firm.headers("compliance"),
        )
    ).status_code in (400, 422)
    assert (
        await client.put(
            "/api/v1/compliance/packs/enabled", json={"packs": []}, headers=firm.headers("member")
        )
    ).status_code == 403


async def test_open_findings_are_briefing_actions_violations_first(client, firm, good_packs):
    await attorney_firm(client, firm)
    _p, _l, referral_id = await lapsed_partner_and_referral(client, firm)
    consent = next(f for f in await findings(client, firm) if f["rule_id"] == "base.client-consent")
    response = await client.get("/api/v1/briefing", headers=firm.headers())
    assert response.status_code == 200, response.text
    actions = [a for a in response.json() if a["kind"] == "compliance_finding"]
    assert [a["title"] for a in actions] == [
        "Resolve: Written client consent to the referral",
        "Resolve: The partner's licence has lapsed",
    ]
    assert actions[0]["link"] == f"/compliance/findings/{consent['id']}"
    assert actions[0]["subject_type"] == "referral" and actions[0]["subject_id"] == referral_id
