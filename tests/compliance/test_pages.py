"""The compliance pages as a person uses them: the findings list and its filters, a finding
with its facts and the waiver form, the pack browser, findings on partner and referral pages,
the banner for packs that failed to load, and another firm's ids answering 404."""

from rapport_core.compliance import catalog

from tests.compliance.conftest import BROKEN, GOOD
from tests.compliance.helpers import attorney_firm, findings, lapsed_partner_and_referral
from tests.ui.test_pages import visible_text


async def test_findings_pages_and_waiver(web, client, firm, good_packs):
    await attorney_firm(client, firm)
    partner_id, _licence, referral_id = await lapsed_partner_and_referral(client, firm)
    consent = next(f for f in await findings(client, firm) if f["rule_id"] == "base.client-consent")

    await web.sign_in(firm.emails["compliance"])
    listing = visible_text((await web.get("/compliance")).text)
    assert "1 open violation, 1 warning" in listing
    assert (
        "Written client consent to the referral" in listing
        and "The partner's licence has lapsed" in listing
    )
    only_warnings = visible_text((await web.get("/compliance?severity=warning")).text)
    assert "licence has lapsed" in only_warnings and "Written client consent" not in only_warnings

    referral_page = visible_text((await web.get(f"/referrals/{referral_id}")).text)
    assert (
        "Compliance findings 1" in referral_page
        and "No written client consent for the referral to Dana Ortiz" in referral_page
    )
    partner_page = visible_text((await web.get(f"/partners/{partner_id}")).text)
    assert (
        "Compliance findings 2" in partner_page
        and "Dana Ortiz's licence expired on" in partner_page
    )

    detail = (await web.get(f"/compliance/findings/{consent['id']}")).text
    text = visible_text(detail)
    assert 'href="https://example.com/1"' in detail and "Test Rule 1" in text
    assert "Upload the client's written consent to the referral." in text
    assert "agreement.client_consent missing" in text
    assert "Waive finding" in text

    refused = await web.post(f"/compliance/findings/{consent['id']}/waive", {"reason": ""})
    assert refused.status_code == 422 and "a waiver needs a reason" in visible_text(refused.text)
    waived = await web.post(
        f"/compliance/findings/{consent['id']}/waive", {"reason": "Engagement letter covers it"}
    )
    assert waived.history[0].status_code == 303
    assert "Waived by " + firm.emails["compliance"] in visible_text(waived.text)

    pack = visible_text((await web.get("/compliance/packs/test-base")).text)
    assert (
        "base.share-cap" in pack
        and "fire a third" in pack
        and "Fires when fee.referring_share is after/more than 0.25" in pack
    )
    packs = visible_text((await web.get("/compliance/packs")).text)
    assert "test-base" in packs and "checked" in packs and "not enabled" in packs


async def test_members_cannot_waive(web, client, firm, good_packs):
    await attorney_firm(client, firm)
    await lapsed_partner_and_referral(client, firm)
    finding = (await findings(client, firm))[0]
    await web.sign_in(firm.emails["member"])
    assert "Waive finding" not in visible_text(
        (await web.get(f"/compliance/findings/{finding['id']}")).text
    )
    refused = await web.post(f"/compliance/findings/{finding['id']}/waive", {"reason": "I say so"})
    assert refused.status_code == 403


async def test_a_pack_that_failed_to_load_is_named_on_the_pages(web, firm, monkeypatch):
    monkeypatch.setenv("RAPPORT_RULEPACK_PATH", f"{GOOD}:{BROKEN / 'unknown-fact'}")
    catalog.default_catalog.cache_clear()
    try:
        await web.sign_in(firm.emails["viewer"])
        page = visible_text((await web.get("/compliance")).text)
        assert "1 rule pack did not load" in page and "unknown-fact" in page
        assert "unknown fact 'agreement.client_consnt.written'" in page
    finally:
        monkeypatch.delenv("RAPPORT_RULEPACK_PATH")
        catalog.default_catalog.cache_clear()


async def test_another_firms_finding_page_is_404(web, client, firm, other_firm, good_packs):
    await attorney_firm(client, firm)
    await lapsed_partner_and_referral(client, firm)
    finding = (await findings(client, firm))[0]
    await web.sign_in(other_firm.emails["compliance"])
    assert (await web.get(f"/compliance/findings/{finding['id']}")).status_code == 404
    assert (
        await web.post(f"/compliance/findings/{finding['id']}/waive", {"reason": "x"})
    ).status_code == 404


async def test_enable_packs_and_preview_then_accept_a_version(web, client, firm, good_packs):
    await attorney_firm(client, firm)
    await lapsed_partner_and_referral(client, firm)
    await web.sign_in(firm.emails["compliance"])
    saved = await web.post("/compliance/packs", {"pack:test-base": "on", "pack:test-state": "on"})
    assert saved.history[0].status_code == 303
    packs = (await client.get("/api/v1/compliance/packs", headers=firm.headers())).json()["packs"]
    assert {p["id"] for p in packs if p["enabled"]} == {"test-base", "test-state"}
    preview = visible_text((await web.get("/compliance/packs/test-state/upgrade")).text)
    assert "No version accepted yet" in preview and "Accept 2.0.0" in preview
    accepted = await web.post("/compliance/packs/test-state/pin", {})
    assert accepted.history[0].status_code == 303
    packs = (await client.get("/api/v1/compliance/packs", headers=firm.headers())).json()["packs"]
    assert next(p for p in packs if p["id"] == "test-state")["pinned"] == "2.0.0"
    await web.sign_in(firm.emails["member"])
    assert (await web.post("/compliance/packs", {"pack:test-base": "on"})).status_code == 403
