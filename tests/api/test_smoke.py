async def test_partner_roundtrip(client, firm):
    created = await client.post(
        "/api/v1/partners", json={"name": "Ada", "profession": "cpa"}, headers=firm.headers()
    )
    assert created.status_code == 201, created.text
    got = await client.get(f"/api/v1/partners/{created.json()['id']}", headers=firm.headers())
    assert got.json()["name"] == "Ada"
