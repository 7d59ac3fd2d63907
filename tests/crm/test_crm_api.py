"""The CRM API: sync now, history with counts, settings, merge suggestions; tokens masked."""

from __future__ import annotations

import asyncio

import pytest
from rapport_crm_clio.fake import FakeClio

from tests.crm.helpers import connect_clio


@pytest.fixture
def fake():
    with FakeClio(count=120) as server:
        yield server


async def test_sync_history_and_settings(client, firm, fake):
    await connect_clio(firm.actor("owner"), fake)
    listed = (await client.get("/api/v1/crm/connections", headers=firm.headers())).json()
    assert listed[0]["status"] == "connected"
    token = next(iter(fake.access_tokens))
    assert token not in str(listed) and listed[0]["token_hint"] == f"…{token[-4:]}"

    run = await client.post("/api/v1/crm/connections/clio/sync", headers=firm.headers("member"))
    assert run.status_code == 200, run.text
    body = run.json()
    assert (body["status"], body["mode"], body["created"], body["pages"]) == (
        "succeeded", "full", 120, 1,
    )  # fmt: skip
    again = await client.post("/api/v1/crm/connections/clio/sync?full=true", headers=firm.headers())
    assert again.json()["unchanged"] == 120
    runs = (await client.get("/api/v1/crm/runs?connector=clio", headers=firm.headers())).json()
    assert [r["created"] for r in runs] == [0, 120]

    viewer = await client.post("/api/v1/crm/connections/clio/sync", headers=firm.headers("viewer"))
    assert viewer.status_code == 403
    member = await client.patch(
        "/api/v1/crm/connections/clio",
        json={"sync_interval_minutes": 30},
        headers=firm.headers("member"),
    )
    assert member.status_code == 403
    changed = await client.patch(
        "/api/v1/crm/connections/clio",
        json={"sync_interval_minutes": 30, "mapping": {"default_profession": "cpa"}},
        headers=firm.headers("admin"),
    )
    assert changed.status_code == 200 and changed.json()["sync_interval_minutes"] == 30
    bad = await client.patch(
        "/api/v1/crm/connections/clio",
        json={"mapping": {"default_profession": "astronaut"}},
        headers=firm.headers("admin"),
    )
    assert bad.status_code == 422 and "mapping" in bad.text


async def test_a_sync_started_without_waiting_is_polled_to_its_end(client, firm, fake):
    await connect_clio(firm.actor("owner"), fake)
    fake.delay = 0.3  # a slow CRM
    url = "/api/v1/crm/connections/clio/sync?wait=false"
    viewer = await client.post(url, headers=firm.headers("viewer"))
    assert viewer.status_code == 403

    started = await client.post(url, headers=firm.headers("member"))
    assert started.status_code == 202, started.text
    assert started.json()["syncing"] is True
    poll = started.headers["location"]
    assert poll == "/api/v1/crm/runs?connector=clio"
    again = await client.post(url, headers=firm.headers())
    assert again.status_code == 409 and "already running" in again.text

    statuses = []
    for _ in range(100):
        runs = (await client.get(poll, headers=firm.headers())).json()
        statuses.append(runs[0]["status"] if runs else None)
        if statuses[-1] not in (None, "running"):
            break
        await asyncio.sleep(0.1)
    assert (runs[0]["status"], runs[0]["created"], runs[0]["total"]) == ("succeeded", 120, 120)
    assert "running" in statuses  # it was answered before the sync ended
    listed = (await client.get("/api/v1/crm/connections", headers=firm.headers())).json()
    assert listed[0]["syncing"] is False
