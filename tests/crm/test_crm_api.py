"""The CRM API: sync now, history with counts, settings, merge suggestions; tokens masked."""

from __future__ import annotations

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
