"""SLA breaches: acknowledge, first contact and partner update, computed from the firm's
settings, for open received referrals only, most overdue first."""

import datetime as dt

from tests.pipeline.helpers import add_partner, log, move

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def at(hours: float) -> str:
    return (START + dt.timedelta(hours=hours)).isoformat()


async def breaches(client, firm, hours: float) -> list[dict]:
    response = await client.get(
        "/api/v1/sla/breaches", params={"as_of": at(hours)}, headers=firm.headers("viewer")
    )
    assert response.status_code == 200, response.text
    return response.json()


def kinds(found: list[dict]) -> set[tuple[str, str]]:
    return {(b["client_name"], b["kind"]) for b in found}


async def test_each_sla_is_due_from_its_milestone(client, firm):
    partner = await add_partner(client, firm)
    ann = await log(client, firm, client_name="Ann", partner_id=partner, referred_at=at(0))
    await log(client, firm, client_name="Unsourced", referred_at=at(0))

    assert await breaches(client, firm, 3.9) == []  # acknowledge is due after 4 hours
    found = await breaches(client, firm, 5)
    assert kinds(found) == {("Ann", "acknowledge"), ("Unsourced", "acknowledge")}
    assert found[0]["due_at"].startswith("2026-03-02T13:00:00")
    assert found[0]["overdue_hours"] == 1.0

    await move(client, firm, ann["id"], stage="acknowledged", changed_at=at(6))
    # After 24 hours both need a first contact; only Unsourced still needs acknowledging.
    assert kinds(await breaches(client, firm, 25)) == {
        ("Ann", "first_contact"),
        ("Unsourced", "acknowledge"),
        ("Unsourced", "first_contact"),
    }
    # A week on, Ann's partner has not heard from us; Unsourced has no partner to update.
    week = await breaches(client, firm, 7 * 24 + 1)
    assert ("Ann", "partner_update") in kinds(week)
    assert ("Unsourced", "partner_update") not in kinds(week)
    # Most overdue first.
    assert [b["overdue_hours"] for b in week] == sorted(
        (b["overdue_hours"] for b in week), reverse=True
    )


async def test_settings_change_the_allowances_and_closed_referrals_drop_out(client, firm):
    await client.patch(
        "/api/v1/settings", json={"sla": {"acknowledge_hours": 1}}, headers=firm.headers()
    )
    ann = await log(client, firm, client_name="Ann", referred_at=at(0))
    await log(
        client,
        firm,
        client_name="Sent",
        direction="sent",
        partner_id=await add_partner(client, firm),
        referred_at=at(0),
    )
    assert kinds(await breaches(client, firm, 2)) == {("Ann", "acknowledge")}
    await move(client, firm, ann["id"], stage="lost", note="went elsewhere")
    assert await breaches(client, firm, 2) == []


async def test_a_partner_update_resets_the_clock(client, firm):
    from rapport_core.tables import Referral

    partner = await add_partner(client, firm)
    ann = await log(client, firm, client_name="Ann", partner_id=partner, referred_at=at(0))
    await Referral.update({Referral.last_partner_update_at: START + dt.timedelta(days=5)}).where(
        Referral.id == ann["id"]
    )
    updates = [b for b in await breaches(client, firm, 8 * 24) if b["kind"] == "partner_update"]
    assert updates == []
    late = [b for b in await breaches(client, firm, 13 * 24) if b["kind"] == "partner_update"]
    assert late[0]["due_at"].startswith("2026-03-14T09:00:00")


async def test_another_firms_referrals_are_not_listed(client, firm, other_firm):
    await log(client, firm, client_name="Ann", referred_at=at(0))
    assert await breaches(client, other_firm, 100) == []


def test_cli_lists_overdue_referrals_as_json():
    import asyncio
    import json

    from click.testing import CliRunner
    from rapport_core.cli import build_cli, run
    from rapport_core.schemas import ReferralCreate
    from rapport_core.services.referrals import create_referral

    from tests.conftest import make_firm

    fixture = asyncio.run(make_firm("CLI SLA"))
    run(
        lambda: create_referral(
            fixture.actor(),
            ReferralCreate(direction="received", client_name="Old", referred_at=START),
        )
    )
    result = CliRunner().invoke(
        build_cli(), ["referrals", "overdue", "--json", "--firm", fixture.slug]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {(row["client_name"], row["kind"]) for row in rows} == {
        ("Old", "acknowledge"),
        ("Old", "first_contact"),
    }
