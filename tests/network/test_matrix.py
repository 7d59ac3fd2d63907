"""The partner matrix and gaps on a seeded firm, against figures worked out by hand.

Default weights: complementarity 0.5, client overlap 0.3, geography 0.2 (sum 1); nearness
falls to zero at 50 miles; high alignment ≥ 0.5; active ≥ 4 referrals in 365 days.
"""

import math

import pytest
import zipcodes

from tests.network.conftest import HOME

MILES_PER_DEGREE = math.pi / 180 * 3958.8


def by_name(matrix: dict) -> dict:
    return {p["name"]: p for p in matrix["partners"]}


def miles(a, b) -> float:
    """Haversine, written out separately from the code under test."""
    (la1, lo1), (la2, lo2) = [(math.radians(x), math.radians(y)) for x, y in (a, b)]
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * 3958.8 * math.asin(math.sqrt(h))


async def test_alignment_activity_and_quadrants(client, seeded):
    response = await client.get("/api/v1/network/matrix", headers=seeded.firm.headers("viewer"))
    assert response.status_code == 200, response.text
    matrix = response.json()
    assert matrix["firm_types"] == ["attorney/estate planning"]
    rows = by_name(matrix)

    ann = rows["Ann Ledger"]
    # CPA ↔ estate planning attorney 1.0; {trust} shared of 3 tokens → 1/3; same spot → 1.
    assert ann["components"]["complementarity"]["score"] == 1.0
    assert ann["components"]["client_overlap"]["score"] == pytest.approx(1 / 3, abs=1e-4)
    assert "trust" in ann["components"]["client_overlap"]["explanation"]
    assert ann["components"]["geography"]["score"] == 1.0
    assert ann["alignment"] == pytest.approx(0.5 + 0.3 / 3 + 0.2, abs=1e-4)
    # The referral 400 days ago is outside the window.
    assert ann["activity"] == {"sent": 1, "received": 3, "total": 4}
    assert ann["quadrant"] == "core"

    bob = rows["Bob Realty"]
    geo = 1 - 0.5 * MILES_PER_DEGREE / 50
    assert bob["components"]["complementarity"]["score"] == 0.4
    assert bob["components"]["client_overlap"]["score"] == 0
    assert bob["components"]["geography"]["score"] == pytest.approx(geo, abs=1e-4)
    assert bob["alignment"] == pytest.approx(0.5 * 0.4 + 0.2 * geo, abs=1e-4)
    assert bob["quadrant"] == "casual"

    cara = rows["Cara Family"]
    assert cara["partner_type"] == "attorney/family law"
    assert cara["components"]["geography"]["score"] == 0  # Dallas is beyond 50 miles
    assert cara["alignment"] == 0.25
    assert (cara["activity"]["total"], cara["quadrant"]) == (5, "generous")

    dan = rows["Dan Advisor"]
    centroid = zipcodes.matching("33602")[0]
    distance = miles(HOME, (float(centroid["lat"]), float(centroid["long"])))
    assert "ZIP 33602" in dan["components"]["geography"]["explanation"]
    assert dan["components"]["geography"]["score"] == pytest.approx(1 - distance / 50, abs=1e-4)
    # {special, need, planning} of {special, need, financial, planning}.
    assert dan["components"]["client_overlap"]["score"] == 0.75
    assert dan["alignment"] == pytest.approx(0.5 + 0.3 * 0.75 + 0.2 * (1 - distance / 50), abs=1e-4)
    assert dan["quadrant"] == "opportunity"

    quadrants = {q["quadrant"]: q for q in matrix["quadrants"]}
    assert {k: q["count"] for k, q in quadrants.items()} == {
        "core": 1,
        "opportunity": 1,
        "generous": 1,
        "casual": 1,
    }
    assert quadrants["core"]["partners"] == [{"id": seeded.ids["ann"], "name": "Ann Ledger"}]
    assert quadrants["core"]["action"].startswith("Protect")


async def test_thresholds_and_weights_come_from_settings(client, seeded):
    headers = seeded.firm.headers()
    changed = await client.patch(
        "/api/v1/settings",
        json={"matrix": {"activity_high": 5, "weight_geography": 0}},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    rows = by_name((await client.get("/api/v1/network/matrix", headers=headers)).json())
    assert rows["Ann Ledger"]["quadrant"] == "opportunity"  # 4 referrals < 5
    assert rows["Cara Family"]["quadrant"] == "generous"  # 5 referrals
    # Without geography: (0.5 × 1 + 0.3 × 1/3) / 0.8.
    assert rows["Ann Ledger"]["alignment"] == pytest.approx(0.6 / 0.8, abs=1e-4)


async def test_gaps_against_the_core_target(client, seeded):
    response = await client.get("/api/v1/network/gaps", headers=seeded.firm.headers("viewer"))
    assert response.status_code == 200, response.text
    gaps = {g["partner_type"]: g for g in response.json()["gaps"]}
    # Types at least 0.6 complementary to an estate planning attorney, strengths summing
    # to 1 + 1 + 0.9 + 0.8 + 0.8 + 0.6 + 0.6 = 5.7. Target for a 1.0 type: at least
    # round(5 × 1/5.7) = 1, at most ceil(10 × 1/5.7) = 2.
    assert set(gaps) == {
        "cpa",
        "financial_advisor",
        "insurance_agent/life insurance",
        "attorney/elder law",
        "other/fiduciary services",
        "attorney/business law",
        "other/appraisal",
    }
    cpa = gaps["cpa"]
    assert (cpa["have"], cpa["core"], cpa["target_min"], cpa["target_max"]) == (1, 1, 1, 2)
    assert cpa["status"] == "ok"
    advisor = gaps["financial_advisor"]
    assert (advisor["have"], advisor["core"], advisor["status"]) == (1, 0, "too_few")
    life = gaps["insurance_agent/life insurance"]
    assert (life["have"], life["status"]) == (0, "missing")
    assert "life insurance agent" in life["suggestion"].lower()
    # Not complementary enough to count: the real estate agent (0.4), family law (0.5).
    assert "real_estate_agent" not in gaps and "attorney/family law" not in gaps


async def test_gap_targets_follow_settings(client, seeded):
    headers = seeded.firm.headers()
    await client.patch(
        "/api/v1/settings",
        json={"matrix": {"gap_min_strength": 0.95}, "relationships": {"core_partners_min": 5}},
        headers=headers,
    )
    gaps = (await client.get("/api/v1/network/gaps", headers=headers)).json()["gaps"]
    # Two types of strength 1: each half of 5..10 → round-half-even(2.5) = 2 .. ceil(5) = 5.
    assert {g["partner_type"]: (g["target_min"], g["target_max"], g["status"]) for g in gaps} == {
        "cpa": (2, 5, "too_few"),
        "financial_advisor": (2, 5, "too_few"),
    }


@pytest.mark.parametrize(
    "body, field",
    [
        ({"matrix": {"alignment_high": 1.5}}, "matrix.alignment_high"),
        ({"matrix": {"activity_high": 0}}, "matrix.activity_high"),
        (
            {
                "matrix": {
                    "weight_complementarity": 0,
                    "weight_client_overlap": 0,
                    "weight_geography": 0,
                }
            },
            "matrix.weight_geography",
        ),
        ({"matching": {"max_distance_miles": 0}}, "matching.max_distance_miles"),
        ({"matching": {"weight_distance": -1}}, "matching.weight_distance"),
        ({"matching": {"depth_ful": 3}}, "matching.depth_ful"),
    ],
)
async def test_bad_settings_are_refused_naming_the_field(client, firm, body, field):
    response = await client.patch("/api/v1/settings", json=body, headers=firm.headers())
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
