"""The daily run: when it fires, and that evaluating every firm picks up time-based rules."""

import datetime as dt

from rapport_core.compliance import schedule

from tests.compliance.helpers import attorney_firm, findings


def test_next_run_time(monkeypatch):
    at = dt.time(2, 0)
    before = dt.datetime(2026, 5, 1, 1, 0, tzinfo=dt.UTC)
    after = dt.datetime(2026, 5, 1, 3, 0, tzinfo=dt.UTC)
    assert schedule.seconds_until(at, before) == 3600
    assert schedule.seconds_until(at, after) == 23 * 3600
    monkeypatch.setenv(schedule.ENV_VAR, "off")
    assert schedule.daily_time() is None
    monkeypatch.setenv(schedule.ENV_VAR, "05:30")
    assert schedule.daily_time() == dt.time(5, 30)


async def test_evaluating_every_firm_catches_an_expiry_as_time_passes(client, firm, good_packs):
    await attorney_firm(client, firm)
    partner = await client.post(
        "/api/v1/partners",
        json={"name": "Lee Park", "profession": "attorney"},
        headers=firm.headers(),
    )
    partner_id = partner.json()["id"]
    await client.post(
        f"/api/v1/partners/{partner_id}/licences",
        json={"kind": "bar admission", "jurisdiction": "FL", "expires_on": "2030-06-30"},
        headers=firm.headers(),
    )
    await schedule.evaluate_every_firm(as_of=dt.date(2030, 6, 30))
    assert [f for f in await findings(client, firm) if f["subject_id"] == partner_id] == []
    # The next day the licence has lapsed: the daily run opens the finding.
    rows = await schedule.evaluate_every_firm(as_of=dt.date(2030, 7, 1))
    assert any(row["firm"] == firm.slug and row["opened"] == 1 for row in rows)
    [lapsed] = [f for f in await findings(client, firm) if f["subject_id"] == partner_id]
    assert (
        lapsed["rule_id"] == "base.licence-lapsed"
        and lapsed["facts"]["partner.licence.expires_on"] == "2030-06-30"
    )
