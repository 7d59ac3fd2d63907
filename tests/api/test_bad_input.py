"""Bad input gets a 4xx problem document naming the field, and nothing is written."""

import pytest
from rapport_core.tables import AuditEvent, Partner, Referral

PROBLEM = "application/problem+json"


async def counts():
    return (await Partner.count(), await Referral.count(), await AuditEvent.count())


@pytest.mark.parametrize(
    "path, body, field",
    [
        ("/api/v1/partners", {"profession": "cpa"}, "name"),
        ("/api/v1/partners", {"name": "X", "profession": "astronaut"}, "profession"),
        ("/api/v1/partners", {"name": "X", "profession": "cpa", "colour": "red"}, "colour"),
        ("/api/v1/partners", {"name": "X", "profession": "cpa", "email": "not-an-email"}, "email"),
        ("/api/v1/partners", {"name": "X", "profession": "cpa", "state": "ZZ"}, "state"),
        ("/api/v1/partners", {"name": "X", "profession": "cpa", "tags": "core"}, "tags"),
        ("/api/v1/partners", {"name": "X", "profession": "cpa", "latitude": 123}, "latitude"),
        ("/api/v1/partners", {"name": "X", "profession": "cpa", "source": "fax"}, "source"),
        (
            "/api/v1/partners",
            {"name": "X", "profession": "cpa", "review_cadence_days": "x"},
            "review_cadence_days",
        ),
        ("/api/v1/referrals", {"direction": "received"}, "client_name"),
        ("/api/v1/referrals", {"direction": "up", "client_name": "C"}, "direction"),
        (
            "/api/v1/referrals",
            {"direction": "received", "client_name": "C", "estimated_value": -1},
            "estimated_value",
        ),
        (
            "/api/v1/referrals",
            {"direction": "received", "client_name": "C", "estimated_value": "1.234"},
            "estimated_value",
        ),
        (
            "/api/v1/referrals",
            {"direction": "received", "client_name": "C", "referred_at": "2026-01-01T10:00:00"},
            "referred_at",
        ),
        (
            "/api/v1/referrals",
            {"direction": "received", "client_name": "C", "partner_id": "abc"},
            "partner_id",
        ),
        (
            "/api/v1/referrals",
            {"direction": "received", "client_name": "C", "partner_id": 999999},
            "partner_id",
        ),
    ],
)
async def test_invalid_fields_are_named_and_nothing_is_written(client, firm, path, body, field):
    before = await counts()
    response = await client.post(path, json=body, headers=firm.headers())
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["status"] == response.status_code
    assert problem["field"] == field, problem
    assert field in {e["field"] for e in problem["errors"]}
    assert await counts() == before


async def test_malformed_json(client, firm):
    before = await counts()
    response = await client.post(
        "/api/v1/partners",
        content=b'{"name": "X", "profession": ',
        headers=firm.headers() | {"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["title"] and response.json()["detail"]
    assert await counts() == before


async def test_invalid_update_changes_nothing(client, firm):
    created = await client.post(
        "/api/v1/partners", json={"name": "Keep", "profession": "cpa"}, headers=firm.headers()
    )
    pid = created.json()["id"]
    for body, field in (({"name": None}, "name"), ({"email": "x@", "name": "New"}, "email")):
        response = await client.patch(f"/api/v1/partners/{pid}", json=body, headers=firm.headers())
        assert response.status_code == 422 and response.json()["field"] == field
    assert (await client.get(f"/api/v1/partners/{pid}", headers=firm.headers())).json()[
        "name"
    ] == "Keep"


async def test_wrong_id_type_in_path(client, firm):
    response = await client.get("/api/v1/partners/abc", headers=firm.headers())
    assert response.status_code in (400, 404)
    assert response.headers["content-type"].startswith(PROBLEM)


async def test_duplicate_user_email_is_409():
    from rapport_core.errors import Conflict
    from rapport_core.schemas import UserCreate
    from rapport_core.services import firms

    from ..conftest import make_firm

    a = await make_firm()
    b = await make_firm()
    with pytest.raises(Conflict) as raised:
        await firms.create_user(b.actor(), UserCreate(email=a.emails["member"].upper(), name="Dup"))
    assert raised.value.status == 409 and raised.value.field == "email"


async def test_simultaneous_sign_ups_with_one_email_create_one_user():
    import asyncio

    from rapport_core.errors import Conflict
    from rapport_core.schemas import UserCreate
    from rapport_core.services import firms
    from rapport_core.tables import User

    from ..conftest import make_firm

    firm = await make_firm()
    email = f"twin-{firm.slug}@example.com"
    results = await asyncio.gather(
        *(firms.create_user(firm.actor(), UserCreate(email=email, name=n)) for n in "AB"),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "UserOut"]
    assert all(r.field == "email" for r in results if isinstance(r, Conflict))
    assert await User.count().where(User.email == email) == 1
