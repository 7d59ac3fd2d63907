"""Small API helpers shared by the pipeline tests."""

from __future__ import annotations


async def add_partner(client, firm, name="Grace Hopper", **fields) -> int:
    response = await client.post(
        "/api/v1/partners",
        json={"name": name, "profession": "cpa", **fields},
        headers=firm.headers(),
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def log(client, firm, role="owner", **fields) -> dict:
    body = {"direction": "received", "client_name": "Ann Client", **fields}
    response = await client.post("/api/v1/referrals", json=body, headers=firm.headers(role))
    assert response.status_code == 201, response.text
    return response.json()


async def move(client, firm, referral_id, role="owner", **body):
    return await client.post(
        f"/api/v1/referrals/{referral_id}/stage", json=body, headers=firm.headers(role)
    )
