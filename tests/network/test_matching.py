"""Suggested partners: scores worked out by hand, and another firm's partner is not found.

Default match weights: complementarity 0.4, distance 0.2, client fit 0.25, network depth
0.15 (sum 1); a shared history of 6 referrals plus touchpoints scores 1.
"""

import pytest

from tests.conftest import make_firm


async def test_matches_for_the_firm(client, seeded):
    response = await client.get(
        "/api/v1/network/matches?limit=2", headers=seeded.firm.headers("viewer")
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["for_partner_id"] is None
    ann, dan = result["matches"]
    assert (ann["name"], dan["name"]) == ("Ann Ledger", "Dan Advisor")
    # Ann: 4 referrals and 2 touchpoints in the window → depth 6/6 = 1.
    assert ann["components"]["network_depth"]["score"] == 1.0
    assert "4 referral(s) and 2 touchpoint(s)" in ann["components"]["network_depth"]["explanation"]
    assert ann["score"] == pytest.approx(0.4 + 0.2 + 0.25 / 3 + 0.15, abs=1e-4)
    # Dan: no history; fit 0.75; near (ZIP centroid).
    assert dan["components"]["network_depth"]["score"] == 0
    distance = dan["components"]["distance"]["score"]
    assert dan["score"] == pytest.approx(0.4 + 0.2 * distance + 0.25 * 0.75, abs=1e-4)


async def test_matches_for_a_partners_clients(client, seeded):
    ann_id = seeded.ids["ann"]
    response = await client.get(
        f"/api/v1/network/matches?partner_id={ann_id}", headers=seeded.firm.headers()
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["for_partner_id"], result["for_name"]) == (ann_id, "Ann Ledger")
    names = [m["name"] for m in result["matches"]]
    assert "Ann Ledger" not in names and len(names) == 3
    best = result["matches"][0]
    # A CPA's clients: financial advisor 0.9 in the map.
    assert best["name"] == "Dan Advisor"
    assert best["components"]["complementarity"]["score"] == 0.9
    # A real estate agent has no link to a CPA.
    bob = next(m for m in result["matches"] if m["name"] == "Bob Realty")
    assert bob["components"]["complementarity"]["score"] == 0


async def test_match_weights_come_from_settings(client, seeded):
    headers = seeded.firm.headers()
    await client.patch(
        "/api/v1/settings",
        json={
            "matching": {
                "weight_complementarity": 0,
                "weight_client_fit": 0,
                "weight_network_depth": 0,
                "weight_distance": 1,
                "max_distance_miles": 100,
            }
        },
        headers=headers,
    )
    matches = (await client.get("/api/v1/network/matches", headers=headers)).json()["matches"]
    # Nearness only: Ann (0 mi), Dan (under a mile), Bob (34.5 mi → 0.65), Cara (far).
    assert [m["name"] for m in matches] == [
        "Ann Ledger",
        "Dan Advisor",
        "Bob Realty",
        "Cara Family",
    ]
    assert matches[2]["score"] == pytest.approx(1 - 34.547 / 100, abs=1e-3)


async def test_another_firms_partner_is_not_found(client, seeded):
    other = await make_firm("Other Firm")
    response = await client.get(
        f"/api/v1/network/matches?partner_id={seeded.ids['ann']}", headers=other.headers()
    )
    assert response.status_code == 404
    assert response.json()["field"] == "partner_id"
    for path in ("/api/v1/network/matrix", "/api/v1/network/matches"):
        body = (await client.get(path, headers=other.headers())).json()
        assert body.get("partners", body.get("matches")) == []
    gaps = (await client.get("/api/v1/network/gaps", headers=other.headers())).json()
    assert gaps["firm_types"] == [] and gaps["gaps"] == []


async def test_limit_is_validated(client, seeded):
    response = await client.get("/api/v1/network/matches?limit=0", headers=seeded.firm.headers())
    assert response.status_code == 422
    assert response.json()["field"] == "limit"
