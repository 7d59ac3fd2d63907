import asyncio

from rapport_core.tables import AuditEvent, ReferralStageChange


async def partner_id(client, firm):
    response = await client.post(
        "/api/v1/partners",
        json={"name": "Ref Source", "profession": "attorney"},
        headers=firm.headers(),
    )
    return response.json()["id"]


async def log(client, firm, **fields):
    response = await client.post("/api/v1/referrals", json=fields, headers=firm.headers())
    assert response.status_code == 201, response.text
    return response.json()


async def test_received_referral_with_money_and_source(client, firm):
    pid = await partner_id(client, firm)
    referral = await log(
        client,
        firm,
        direction="received",
        partner_id=pid,
        client_name="Ann Client",
        client_email="ann@example.com",
        matter_type="Revocable trust",
        estimated_value="12500.10",
        referred_at="2026-03-01T14:30:00-05:00",
    )
    assert referral["stage"] == "submitted"
    assert referral["source"] == "Ref Source"
    assert referral["estimated_value"] == "12500.10"
    assert referral["referred_at"].startswith("2026-03-01T19:30:00")  # stored in UTC
    assert referral["next_stages"] == ["acknowledged", "declined", "lost"]
    assert [h["to_stage"] for h in referral["history"]] == ["submitted"]


async def test_unknown_source_is_allowed_only_for_received(client, firm):
    received = await log(client, firm, direction="received", client_name="Walk-in")
    assert received["partner_id"] is None
    assert received["source"] == "referral — source unknown"
    sent = await client.post(
        "/api/v1/referrals", json={"direction": "sent", "client_name": "X"}, headers=firm.headers()
    )
    assert sent.status_code == 422 and sent.json()["field"] == "partner_id"


async def test_stage_changes_follow_the_lifecycle_and_are_recorded(client, firm):
    pid = await partner_id(client, firm)
    referral = await log(client, firm, direction="sent", partner_id=pid, client_name="Bo")
    url = f"/api/v1/referrals/{referral['id']}/stage"
    illegal = await client.post(url, json={"stage": "qualified"}, headers=firm.headers())
    assert illegal.status_code == 409
    assert illegal.json()["allowed"] == ["accepted", "declined"]

    for stage in ("accepted", "engaged"):
        moved = await client.post(
            url, json={"stage": stage, "note": f"now {stage}"}, headers=firm.headers("member")
        )
        assert moved.status_code == 200, moved.text
    final = moved.json()
    assert final["stage"] == "engaged" and final["next_stages"] == []
    assert [(h["from_stage"], h["to_stage"]) for h in final["history"]] == [
        (None, "introduced"),
        ("introduced", "accepted"),
        ("accepted", "engaged"),
    ]
    assert final["history"][-1]["actor"] == firm.emails["member"]
    assert final["history"][-1]["note"] == "now engaged"
    closed = await client.post(
        url, json={"stage": "declined", "reason": "bad_fit"}, headers=firm.headers()
    )
    assert closed.status_code == 409 and "closed" in closed.json()["detail"]


async def test_stale_version_gets_409_and_loses_nothing(client, firm):
    referral = await log(client, firm, direction="received", client_name="Cy")
    url = f"/api/v1/referrals/{referral['id']}"
    first = await client.patch(
        url, json={"description": "first", "version": 1}, headers=firm.headers()
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    second = await client.patch(
        url, json={"description": "second", "version": 1}, headers=firm.headers()
    )
    assert second.status_code == 409 and second.json()["field"] == "version"
    assert (await client.get(url, headers=firm.headers())).json()["description"] == "first"


async def test_saving_without_changes_keeps_the_version_and_audits_nothing(client, firm):
    referral = await log(
        client, firm, direction="received", client_name="Eve", estimated_value="10"
    )
    url = f"/api/v1/referrals/{referral['id']}"
    unchanged = {"client_name": "Eve", "estimated_value": "10.00", "version": 1}
    same = await client.patch(url, json=unchanged, headers=firm.headers())
    assert same.status_code == 200 and same.json()["version"] == 1
    updates = await AuditEvent.count().where(
        AuditEvent.action == "referral.update", AuditEvent.subject_id == str(referral["id"])
    )
    assert updates == 0


async def test_concurrent_stage_changes_one_wins(client, firm):
    referral = await log(client, firm, direction="received", client_name="Dee")
    url = f"/api/v1/referrals/{referral['id']}/stage"
    results = await asyncio.gather(
        client.post(url, json={"stage": "acknowledged", "version": 1}, headers=firm.headers()),
        client.post(
            url,
            json={"stage": "declined", "reason": "conflict", "version": 1},
            headers=firm.headers(),
        ),
    )
    assert sorted(r.status_code for r in results) == [200, 409]
    changes = await ReferralStageChange.count().where(
        ReferralStageChange.referral == referral["id"]
    )
    assert changes == 2  # the creation and the one winning change


async def test_list_filters(client, firm):
    pid = await partner_id(client, firm)
    await log(client, firm, direction="sent", partner_id=pid, client_name="S1", matter_type="Will")
    await log(client, firm, direction="received", client_name="R1", matter_type="Probate")

    async def clients(query):
        response = await client.get(f"/api/v1/referrals?{query}", headers=firm.headers())
        assert response.status_code == 200, response.text
        return sorted(r["client_name"] for r in response.json()["items"])

    assert await clients("direction=sent") == ["S1"]
    assert await clients("stage=submitted") == ["R1"]
    assert await clients(f"partner_id={pid}") == ["S1"]
    assert await clients("matter_type=prob") == ["R1"]
    assert await clients("q=ref source") == ["S1"]
    bad = await client.get("/api/v1/referrals?direction=sideways", headers=firm.headers())
    assert bad.status_code == 400 or bad.status_code == 422
    assert "direction" in bad.text


async def test_actual_value_recorded(client, firm):
    referral = await log(client, firm, direction="received", client_name="Eve")
    response = await client.patch(
        f"/api/v1/referrals/{referral['id']}", json={"actual_value": 4200}, headers=firm.headers()
    )
    assert response.json()["actual_value"] == "4200.00"
