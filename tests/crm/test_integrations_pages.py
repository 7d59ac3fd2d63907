"""The integrations pages as a person uses them: connect Clio through OAuth, sync now, see
the history and the partners; schedule; merge suggestions; other firms see none of it."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import httpx
import pytest
from rapport_core.schemas import PartnerCreate
from rapport_core.services.partners import create_partner
from rapport_crm_clio.fake import FakeClio

from tests.crm.helpers import clio_env, connect_clio


@pytest.fixture
def fake(monkeypatch):
    with FakeClio(count=250) as server:
        for key, value in clio_env(server).items():
            monkeypatch.setenv(key, value)
        yield server


async def start_connect(web) -> httpx.Response:
    """Press Connect; the answer is a redirect to the CRM (not followed by the test client)."""
    token = web.client.cookies["csrftoken"]
    return await web.client.post(
        "/integrations/clio/connect", data={"_csrf_token": token}, follow_redirects=False
    )


async def connect_in_the_browser(web, fake) -> httpx.Response:
    started = await start_connect(web)
    assert started.status_code == 303, started.text[-3000:]
    authorize = started.headers["location"]
    assert authorize.startswith(f"{fake.base_url}/oauth/authorize?")
    consent = httpx.get(authorize)  # the CRM's consent page approves and redirects back
    back = urlsplit(consent.headers["location"])
    assert back.path == "/integrations/clio/callback"
    return await web.get(f"{back.path}?{back.query}", follow_redirects=False)


async def test_connect_sync_and_history(web, firm, fake):
    await web.sign_in(firm.emails["admin"])
    page = await web.get("/integrations")
    assert page.status_code == 200 and "Not connected" in page.text

    done = await connect_in_the_browser(web, fake)
    assert done.status_code == 303 and done.headers["location"] == "/integrations?connected=clio"
    page = await web.get(done.headers["location"])
    assert "Connected to clio" in page.text and 'id="crm-clio-status">Connected' in page.text

    synced = await web.post("/integrations/clio/sync", {})
    assert "Succeeded: 250 created, 0 updated" in synced.text
    assert 'id="crm-clio-partners">250<' in synced.text
    assert 'id="history-clio"' in synced.text

    partners = await web.get("/partners?q=Main")  # every contact has a Main St address
    assert partners.status_code == 200
    listed = await web.get("/partners?q=ortiz")
    assert "Ortiz" in listed.text


async def test_a_forged_or_stale_callback_is_refused(web, firm, other_firm, fake):
    await web.sign_in(firm.emails["owner"])
    started = await start_connect(web)
    consent = httpx.get(started.headers["location"])
    back = urlsplit(consent.headers["location"])
    # Another firm's admin cannot finish this firm's authorization with its state.
    await web.sign_in(other_firm.emails["owner"])
    refused = await web.get(f"{back.path}?{back.query}")
    assert refused.status_code == 422 and "state" in refused.text
    await web.sign_in(firm.emails["owner"])
    tampered = await web.get(f"{back.path}?code=x&state=not-the-state")
    assert tampered.status_code == 422
    denied = await web.get(f"{back.path}?error=access_denied")
    assert denied.status_code == 400 and "did not grant access" in denied.text


async def test_members_sync_but_only_admins_connect(web, firm, fake):
    await connect_clio(firm.actor("owner"), fake)
    await web.sign_in(firm.emails["member"])
    page = await web.get("/integrations")
    assert 'id="sync-clio"' in page.text and 'id="connect-clio"' not in page.text
    refused = await web.post("/integrations/clio/connect", {})
    assert refused.status_code == 403
    assert "created" in (await web.post("/integrations/clio/sync", {})).text
    await web.sign_in(firm.emails["viewer"])
    assert (await web.post("/integrations/clio/sync", {})).status_code == 403


async def test_schedule_is_saved_and_shown(web, firm, fake):
    await connect_clio(firm.actor("owner"), fake)
    await web.sign_in(firm.emails["owner"])
    saved = await web.post(
        "/integrations/clio/settings", {"sync_interval_minutes": "60", "overwrite_edited": "1"}
    )
    assert saved.status_code == 200 and "every 60 minutes" in saved.text  # back on the page
    assert "checked" in saved.text.split('name="overwrite_edited"')[1][:30]
    bad = await web.post("/integrations/clio/settings", {"sync_interval_minutes": "1"})
    assert bad.status_code == 422


async def test_needs_reconnect_is_shown(web, firm, fake):
    await connect_clio(firm.actor("owner"), fake)
    fake.revoke_refresh_tokens()
    await web.sign_in(firm.emails["owner"])
    page = await web.post("/integrations/clio/sync", {})
    assert "Needs reconnect" in page.text and "Connect again" in page.text
    assert "Reconnect" in page.text


async def test_merge_suggestions_page(web, firm, other_firm, fake):
    owner = firm.actor("owner")
    person = next(c for c in fake.contacts if c["type"] == "Person")
    mine = await create_partner(
        owner,
        PartnerCreate(
            name=person["name"], organisation=person["company"]["name"], profession="cpa"
        ),
    )
    await connect_clio(owner, fake)
    await web.sign_in(firm.emails["member"])
    synced = await web.post("/integrations/clio/sync", {})
    assert "249 created" in synced.text and "1 skipped" in synced.text
    assert "1 possible duplicate to review" in synced.text
    page = await web.get("/duplicates")
    assert person["name"] in page.text and f"/partners/{mine.id}" in page.text
    assert "from Clio" in page.text
    suggestion_id = int(page.text.split('id="suggestion-')[1].split('"')[0])

    await web.sign_in(other_firm.emails["owner"])
    assert (await web.post(f"/duplicates/{suggestion_id}/merge", {})).status_code == 404
    assert person["name"] not in (await web.get("/duplicates")).text

    await web.sign_in(firm.emails["member"])
    merged = await web.post(f"/duplicates/{suggestion_id}/merge", {})
    assert merged.status_code == 200 and "Nothing to review" in merged.text
    partner = (await web.client.get(f"/api/v1/partners/{mine.id}", headers=firm.headers())).json()
    assert partner["external_ids"] == {"clio": str(person["id"])}
    assert partner["email"] == person["primary_email_address"]  # a blank field, filled
    assert partner["profession"] == "cpa"  # a person's value, kept
    again = await web.post("/integrations/clio/sync", {"full": "1"})
    assert "0 created" in again.text and "250 unchanged" in again.text


async def test_other_firms_see_no_connection(client, firm, other_firm, fake):
    await connect_clio(firm.actor("owner"), fake)
    mine = await client.get("/api/v1/crm/connections", headers=firm.headers())
    assert [c["connector"] for c in mine.json()] == ["clio"]
    theirs = await client.get("/api/v1/crm/connections", headers=other_firm.headers())
    assert theirs.json() == []
    refused = await client.post("/api/v1/crm/connections/clio/sync", headers=other_firm.headers())
    assert refused.status_code == 404


async def test_a_long_sync_goes_on_while_the_page_shows_its_progress(web, firm, fake, monkeypatch):
    from rapport_server.ui import crm as crm_pages

    await web.sign_in(firm.emails["admin"])
    await connect_in_the_browser(web, fake)
    fake.delay = 0.4  # a slow CRM: two pages take longer than "Sync now" waits
    monkeypatch.setattr(crm_pages, "SYNC_WAIT_SECONDS", 0.2)

    started = await web.post("/integrations/clio/sync", {})
    assert started.history[0].status_code == 303  # answered before the sync ended
    assert "Syncing now" in started.text and 'data-sync-progress="/integrations/clio/progress"' in (
        started.text
    )
    assert 'id="sync-clio"' not in started.text  # no second "Sync now" meanwhile
    again = await web.post("/integrations/clio/sync", {})
    assert again.status_code == 409 and "already running" in again.text

    seen = []
    for _ in range(100):
        progress = (await web.get("/integrations/clio/progress")).json()
        seen.append(progress)
        if not progress["syncing"]:
            break
        await asyncio.sleep(0.1)
    assert not seen[-1]["syncing"] and seen[-1]["status"] == "succeeded"
    assert seen[-1]["created"] == 250 and seen[-1]["total"] == 250
    assert any(p["syncing"] and p["status"] == "running" for p in seen)

    page = await web.get("/integrations?synced=clio")
    assert "Succeeded: 250 created" in page.text and "Syncing now" not in page.text
    assert 'id="crm-clio-partners">250<' in page.text
