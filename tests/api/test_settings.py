"""Per-firm settings: defaults until changed, validated by path, admins only, one firm's
changes invisible to another."""

from rapport_core.tables import FirmSetting

from tests.conftest import make_firm


async def test_defaults_then_a_change_by_an_admin(client, firm):
    shown = (await client.get("/api/v1/settings", headers=firm.headers("viewer"))).json()
    assert shown["sla"] == {
        "acknowledge_hours": 4,
        "first_contact_hours": 24,
        "partner_update_days": 7,
    }
    assert shown["intake"]["duplicate_lookback_days"] == 90
    assert shown["relationships"]["dormant_days"] == 60

    changed = await client.patch(
        "/api/v1/settings", json={"sla": {"acknowledge_hours": 2}}, headers=firm.headers("admin")
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["sla"]["acknowledge_hours"] == 2
    assert changed.json()["sla"]["first_contact_hours"] == 24  # untouched
    stored = (
        await FirmSetting.select(FirmSetting.values)
        .where(FirmSetting.firm == firm.id)
        .first()
        .output(load_json=True)
    )
    assert stored["values"] == {"sla": {"acknowledge_hours": 2.0}}  # only what differs

    other = await make_firm()
    theirs = (await client.get("/api/v1/settings", headers=other.headers())).json()
    assert theirs["sla"]["acknowledge_hours"] == 4


async def test_bad_values_name_their_path_and_change_nothing(client, firm):
    for body, field in (
        ({"sla": {"acknowledge_hours": -1}}, "sla.acknowledge_hours"),
        ({"sla": {"acknowledge_hourz": 3}}, "sla.acknowledge_hourz"),
        ({"closed_loop": {"detail_level": "everything"}}, "closed_loop.detail_level"),
        ({"nope": {"x": 1}}, "nope"),
    ):
        response = await client.patch("/api/v1/settings", json=body, headers=firm.headers())
        assert response.status_code == 422, body
        assert response.json()["field"] == field
    assert not await FirmSetting.exists().where(FirmSetting.firm == firm.id)


async def test_members_cannot_change_settings(client, firm):
    for role in ("member", "compliance", "viewer"):
        response = await client.patch(
            "/api/v1/settings", json={"sla": {"acknowledge_hours": 1}}, headers=firm.headers(role)
        )
        assert response.status_code == 403, role
