"""Tokens authenticate API calls; roles decide who may write."""

import pytest
from rapport_core.services import firms


async def test_missing_and_bad_tokens_are_401(client):
    for headers in ({}, {"Authorization": "Bearer rpt_nope"}, {"Authorization": "Basic abc"}):
        response = await client.get("/api/v1/partners", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_revoked_token_stops_working_and_use_is_recorded(client, firm):
    actor = firm.actor("member")
    token, record = await firms.create_token(actor, firm.user_ids["member"], "laptop")
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/me", headers=headers)).json()["user"]["email"] == firm.emails[
        "member"
    ]
    [listed] = [
        t for t in await firms.list_tokens(actor, firm.user_ids["member"]) if t.id == record.id
    ]
    assert listed.last_used_at is not None
    await firms.revoke_token(actor, record.id)
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_tokens_are_stored_hashed(firm):
    from rapport_core.tables import ApiToken

    stored = await ApiToken.select(ApiToken.token_hash).where(ApiToken.firm == firm.id)
    assert stored and all(firm.tokens["owner"] not in row["token_hash"] for row in stored)


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("POST", "/api/v1/partners", {"name": "V", "profession": "cpa"}),
        ("POST", "/api/v1/referrals", {"direction": "received", "client_name": "V"}),
    ],
)
async def test_viewer_can_read_but_not_write(client, firm, method, path, body):
    assert (await client.get(path, headers=firm.headers("viewer"))).status_code == 200
    response = await client.request(method, path, json=body, headers=firm.headers("viewer"))
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]


async def test_every_writing_role_can_write(client, firm):
    for role in ("owner", "admin", "compliance", "member"):
        response = await client.post(
            "/api/v1/partners",
            json={"name": role, "profession": "other"},
            headers=firm.headers(role),
        )
        assert response.status_code == 201, (role, response.text)


async def test_member_cannot_create_users(firm):
    from rapport_core.errors import Forbidden
    from rapport_core.schemas import UserCreate

    with pytest.raises(Forbidden):
        await firms.create_user(firm.actor("member"), UserCreate(email="x@example.com", name="X"))


async def test_password_sign_in(firm):
    from ..conftest import PASSWORD

    user = await firms.authenticate(firm.emails["admin"].upper(), PASSWORD)
    assert user is not None and user.role == "admin"
    assert await firms.authenticate(firm.emails["admin"], "wrong password") is None
    assert await firms.authenticate("nobody@example.com", PASSWORD) is None


async def test_openapi_schema_lists_the_api(client):
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/v1/partners" in schema["paths"]
    assert "/api/v1/referrals/{referral_id}/stage" in schema["paths"]
