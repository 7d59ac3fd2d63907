"""Partner health against figures worked out by hand from the documented formulas
(docs/insights.md): defaults weigh last referral 20, last touchpoint 10, frequency 15,
conversion 15, value 15, reciprocity 10, responsiveness 5, licence 10; the test plugin adds
"hello_vip" (10) for partners tagged vip."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from click.testing import CliRunner
from rapport_core.cli import build_cli, run
from rapport_core.commands import cli_actor
from rapport_core.errors import NotFound
from rapport_core.insights.health import all_partner_health, partner_health
from rapport_core.schemas import ActivityCreate, LicenceCreate, PartnerCreate
from rapport_core.services import partners
from rapport_core.services.firm_settings import update_firm_settings

from tests.conftest import make_firm
from tests.insights.test_metrics import logged
from tests.insights.test_relationships import NOW, partner, refer


def parts(health):
    return {c.name: c.score for c in health.components}


async def touch(actor, partner_id, days_ago):
    await partners.log_activity(
        actor,
        ActivityCreate(
            partner_id=partner_id,
            kind="meeting",
            occurred_on=(NOW - dt.timedelta(days=days_ago)).date(),
        ),
    )


async def test_an_active_partner_is_healthier_than_a_quiet_one(client):
    actor = (await make_firm()).actor()
    busy = await partner(actor, "Busy")
    for days in (5, 40, 90):
        await refer(actor, busy, "received", days)
    for days in (10, 60):
        await refer(actor, busy, "sent", days)
    await touch(actor, busy, 3)
    quiet = await partner(actor, "Quiet")
    await refer(actor, quiet, "received", 200)

    strong = await partner_health(actor, busy, as_of=NOW)
    weak = await partner_health(actor, quiet, as_of=NOW)
    assert strong.score > weak.score
    # Busy: last referral 5 days ago 1, touchpoint 1, 5 referrals of 6 → 0.833, no value 0,
    # reciprocity 1 − 1/5 = 0.8; conversion, responsiveness and licence have nothing to judge.
    assert parts(strong)["frequency"] == pytest.approx(5 / 6, abs=0.001)
    assert parts(strong)["reciprocity"] == pytest.approx(0.8)
    assert parts(strong)["conversion"] is None and parts(strong)["licence"] is None
    expected = (20 * 1 + 10 * 1 + 15 * 5 / 6 + 15 * 0 + 10 * 0.8) / (20 + 10 + 15 + 15 + 10)
    assert strong.score == round(100 * expected)
    # Quiet: 200 days ago scores (365 − 200) ÷ (365 − 30); no touchpoint; 1 of 6 referrals.
    assert parts(weak)["recency_referral"] == pytest.approx(165 / 335, abs=0.001)
    assert parts(weak)["recency_touchpoint"] == 0
    assert weak.band.value in ("at_risk", "cold") and strong.band.value == "strong"
    assert "left out for lack of data: conversion" in strong.explanation


async def test_components_with_nothing_to_judge_are_left_out(client):
    actor = (await make_firm()).actor()
    met = await partner(actor, "Only Met")
    await touch(actor, met, 0)
    health = await partner_health(actor, met, as_of=NOW)
    # Counted: last referral 0 (20), touchpoint 1 (10), frequency 0 (15), value 0 (15).
    assert health.score == round(100 * 10 / 60)
    left_out = [c.name for c in health.components if c.score is None]
    assert left_out == ["conversion", "reciprocity", "responsiveness", "licence", "hello_vip"]
    assert all(c.points == 0 for c in health.components if c.score is None)
    assert sum(c.points for c in health.components) == pytest.approx(health.score, abs=0.5)


async def test_conversion_value_and_responsiveness(client):
    actor = (await make_firm()).actor()
    ada = await partner(actor, "Ada")
    path = ("acknowledged", "contacted", "qualified")
    await logged(actor, "received", ada, *path, "engaged", value=Decimal("49999"))
    await logged(actor, "received", ada, "declined")
    await logged(actor, "received", ada, "lost")
    await logged(actor, "sent", ada, "accepted")  # answered after 1 hour
    as_of = dt.datetime(2026, 6, 30, tzinfo=dt.UTC)
    health = await partner_health(actor, ada, as_of=as_of)
    assert parts(health)["conversion"] == pytest.approx(1 / 3, abs=0.001)
    assert parts(health)["value"] == pytest.approx(1.0, abs=0.001)  # log scale: $49,999 ≈ full
    assert parts(health)["responsiveness"] == 1.0
    assert (
        "1 of 3 referrals from them that closed"
        in {c.name: c.explanation for c in health.components}["conversion"]
    )

    # Too few closed to judge conversion: left out, with the reason.
    bob = await partner(actor, "Bob")
    await logged(actor, "received", bob, "declined")
    thin = await partner_health(actor, bob, as_of=as_of)
    assert parts(thin)["conversion"] is None
    assert "3 needed" in {c.name: c.explanation for c in thin.components}["conversion"]


async def test_an_expired_licence_lowers_health(client):
    actor = (await make_firm()).actor()
    ids = []
    for name, expires in (("Valid", 400), ("Expiring", 20), ("Expired", -1)):
        pid = await partner(actor, name)
        await refer(actor, pid, "received", 10)
        await partners.add_licence(
            actor,
            pid,
            LicenceCreate(
                kind="CPA", jurisdiction="FL", expires_on=(NOW + dt.timedelta(days=expires)).date()
            ),
        )
        ids.append(pid)
    valid, expiring, expired = [await partner_health(actor, pid, as_of=NOW) for pid in ids]
    assert [parts(h)["licence"] for h in (valid, expiring, expired)] == [1.0, 0.5, 0.0]
    assert valid.score > expiring.score > expired.score
    assert "expired on" in {c.name: c.explanation for c in expired.components}["licence"]


async def test_firm_settings_change_the_score(client):
    firm = await make_firm()
    actor = firm.actor()
    met = await partner(actor, "Only Met")
    await touch(actor, met, 0)
    await update_firm_settings(actor, {"health": {"weight_recency_touchpoint": 0}})
    assert (await partner_health(actor, met, as_of=NOW)).score == 0
    await update_firm_settings(
        actor, {"health": {"weight_recency_touchpoint": 60, "band_steady": 30}}
    )
    health = await partner_health(actor, met, as_of=NOW)
    assert health.score == round(100 * 60 / 110) and health.band.value == "steady"


async def test_plugin_components_count_with_their_weight(client):
    actor = (await make_firm()).actor()
    vip = await partner(actor, "Very Important", tags=["vip"])
    plain = await partner(actor, "Plain")
    for pid in (vip, plain):
        await touch(actor, pid, 0)
    health = {h.partner_name: h for h in await all_partner_health(actor, as_of=NOW)}
    assert parts(health["Very Important"])["hello_vip"] == 1.0
    assert health["Very Important"].score == round(100 * (10 + 10) / (60 + 10))
    assert parts(health["Plain"])["hello_vip"] is None
    assert health["Plain"].score == round(100 * 10 / 60)
    # The firm weighs it more, in the settings form's own words.
    await update_firm_settings(actor, {"health": {"plugin_weights": "hello_vip=50"}})
    assert (await partner_health(actor, vip, as_of=NOW)).score == round(100 * 60 / 110)


async def test_all_partners_weakest_first_and_api(client, firm, other_firm):
    actor = firm.actor()
    quiet = await partner(actor, "Quiet")
    busy = await partner(actor, "Busy")
    await refer(actor, busy, "received", 1)
    await touch(actor, busy, 1)
    assert [h.partner_id for h in await all_partner_health(actor)] == [quiet, busy]

    listed = await client.get(
        "/api/v1/partners/health?sort=-score&limit=1", headers=firm.headers("viewer")
    )
    assert listed.status_code == 200
    assert [h["partner_name"] for h in listed.json()] == ["Busy"]
    one = (await client.get(f"/api/v1/partners/{busy}/health", headers=firm.headers())).json()
    assert one["score"] > 0 and one["components"][0]["name"] == "recency_referral"
    theirs = await client.get(f"/api/v1/partners/{busy}/health", headers=other_firm.headers())
    assert theirs.status_code == 404
    assert [
        h
        for h in (await client.get("/api/v1/partners/health", headers=other_firm.headers())).json()
        if h["partner_id"] in (quiet, busy)
    ] == []
    with pytest.raises(NotFound):
        await partner_health(other_firm.actor(), busy)


def test_cli_prints_the_breakdown():
    slug = f"health-{uuid.uuid4().hex[:8]}"
    cli = build_cli()
    runner = CliRunner()
    assert runner.invoke(cli, ["firm", "create", "--name", "H", "--slug", slug]).exit_code == 0

    async def setup():
        actor = await cli_actor(slug)
        for name in ("Jane Roe", "Jane Doe"):
            await partners.create_partner(actor, PartnerCreate(name=name, profession="cpa"))

    run(setup)
    result = runner.invoke(cli, ["partners", "health", "jane roe", "--firm", slug])
    assert result.exit_code == 0, result.output
    assert "Jane Roe: 0/100, cold" in result.output and "Last touchpoint" in result.output
    as_json = runner.invoke(cli, ["partners", "health", "Jane Roe", "--firm", slug, "--json"])
    assert '"band": "cold"' in as_json.output
    ambiguous = runner.invoke(cli, ["partners", "health", "jane", "--firm", slug])
    assert ambiguous.exit_code == 1 and "matches several partners" in ambiguous.output
