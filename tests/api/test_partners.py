from rapport_core.tables import AuditEvent, Partner


async def add(client, firm, **fields):
    body = {"name": "Partner", "profession": "cpa"} | fields
    response = await client.post("/api/v1/partners", json=body, headers=firm.headers())
    assert response.status_code == 201, response.text
    return response.json()


async def test_create_read_update_delete(client, firm):
    created = await add(
        client,
        firm,
        name="Grace Hopper",
        organisation="Hopper CPA",
        specialties=["Trust tax", "Estate returns", "Trust tax"],
        email="GRACE@example.com",
        tags=["core"],
        external_ids={"clio": "77"},
        review_cadence_days=30,
    )
    assert created["specialties"] == ["Trust tax", "Estate returns"]
    assert created["source"] == "manual"
    assert created["external_ids"] == {"clio": "77"}
    pid = created["id"]

    patched = await client.patch(
        f"/api/v1/partners/{pid}", json={"city": "Austin", "state": "tx"}, headers=firm.headers()
    )
    assert patched.status_code == 200
    assert (patched.json()["city"], patched.json()["state"]) == ("Austin", "TX")
    assert patched.json()["name"] == "Grace Hopper"  # untouched fields stay
    assert patched.json()["updated_at"] >= created["updated_at"]

    deleted = await client.delete(f"/api/v1/partners/{pid}", headers=firm.headers())
    assert deleted.status_code == 204
    missing = await client.get(f"/api/v1/partners/{pid}", headers=firm.headers())
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


async def test_every_change_is_audited_with_before_and_after(client, firm):
    created = await add(client, firm, name="Audited")
    await client.patch(
        f"/api/v1/partners/{created['id']}", json={"notes": "met at gala"}, headers=firm.headers()
    )
    events = (
        await AuditEvent.select()
        .where(
            AuditEvent.firm == firm.id,
            AuditEvent.subject_type == "partner",
            AuditEvent.subject_id == str(created["id"]),
        )
        .order_by(AuditEvent.id)
        .output(load_json=True)
    )
    assert [e["action"] for e in events] == ["partner.create", "partner.update"]
    assert events[1]["actor"] == firm.emails["owner"]
    assert events[1]["before"]["notes"] == "" and events[1]["after"]["notes"] == "met at gala"
    assert events[1]["firm"] == firm.id


async def test_search_by_name_profession_specialty_city_state(client, firm):
    await add(client, firm, name="Ada CPA", specialties=["Trust tax"], city="Tampa", state="FL")
    await add(
        client, firm, name="Bo Advisor", profession="financial_advisor", city="Austin", state="TX"
    )
    await add(client, firm, name="Cy Lawyer", profession="attorney", specialties=["Elder law"])

    async def names(query):
        response = await client.get(f"/api/v1/partners?{query}", headers=firm.headers())
        assert response.status_code == 200, response.text
        return [p["name"] for p in response.json()["items"]]

    assert await names("q=ada") == ["Ada CPA"]
    assert await names("profession=financial_advisor") == ["Bo Advisor"]
    assert await names("specialty=elder") == ["Cy Lawyer"]
    assert await names("specialty=TRUST") == ["Ada CPA"]
    assert await names("city=tampa") == ["Ada CPA"]
    assert await names("state=TX") == ["Bo Advisor"]
    assert await names("q=nobody") == []


async def test_pagination(client, firm):
    for n in range(5):
        await add(client, firm, name=f"P{n}")
    first = (await client.get("/api/v1/partners?per_page=2", headers=firm.headers())).json()
    third = (await client.get("/api/v1/partners?per_page=2&page=3", headers=firm.headers())).json()
    assert first["total"] == 5 and [p["name"] for p in first["items"]] == ["P0", "P1"]
    assert [p["name"] for p in third["items"]] == ["P4"]
    too_big = await client.get("/api/v1/partners?per_page=1000", headers=firm.headers())
    assert too_big.status_code in (400, 422)


async def test_partner_with_referrals_cannot_be_deleted(client, firm):
    partner = await add(client, firm)
    await client.post(
        "/api/v1/referrals",
        json={"direction": "sent", "partner_id": partner["id"], "client_name": "C"},
        headers=firm.headers(),
    )
    response = await client.delete(f"/api/v1/partners/{partner['id']}", headers=firm.headers())
    assert response.status_code == 409
    assert "referral" in response.json()["detail"]
    assert await Partner.exists().where(Partner.id == partner["id"])


async def test_licences(client, firm):
    partner = await add(client, firm)
    url = f"/api/v1/partners/{partner['id']}/licences"
    created = await client.post(
        url,
        json={"kind": "CPA", "jurisdiction": "FL", "number": "AC1", "expires_on": "2027-06-30"},
        headers=firm.headers(),
    )
    assert created.status_code == 201
    licence_id = created.json()["id"]
    updated = await client.patch(
        f"/api/v1/licences/{licence_id}", json={"status": "expired"}, headers=firm.headers()
    )
    assert updated.json()["status"] == "expired" and updated.json()["expires_on"] == "2027-06-30"
    listed = (await client.get(url, headers=firm.headers())).json()
    assert [lic["number"] for lic in listed] == ["AC1"]
    await client.delete(f"/api/v1/licences/{licence_id}", headers=firm.headers())
    assert (await client.get(url, headers=firm.headers())).json() == []


async def test_activities(client, firm):
    partner = await add(client, firm)
    for day, kind in (("2026-10-01", "meeting"), ("2026-11-01", "call")):
        response = await client.post(
            "/api/v1/activities",
            json={"partner_id": partner["id"], "kind": kind, "occurred_on": day, "summary": kind},
            headers=firm.headers(),
        )
        assert response.status_code == 201
        assert response.json()["created_by"] == firm.emails["owner"]
    listed = await client.get(
        f"/api/v1/activities?partner_id={partner['id']}", headers=firm.headers()
    )
    assert [a["kind"] for a in listed.json()] == ["call", "meeting"]  # newest first
