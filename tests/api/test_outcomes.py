"""Stage changes record milestones and outcomes: when a referral was acknowledged, first
contacted and closed, why it was declined or lost, and what an engaged matter was worth."""

import datetime as dt

from tests.api.test_referrals import log


async def move(client, firm, referral_id, **body):
    return await client.post(
        f"/api/v1/referrals/{referral_id}/stage", json=body, headers=firm.headers()
    )


async def test_milestones_are_stamped_once_with_the_time_given(client, firm):
    referral = await log(
        client, firm, direction="received", client_name="Mo", referred_at="2026-01-05T09:00:00Z"
    )
    acked = await move(
        client, firm, referral["id"], stage="acknowledged", changed_at="2026-01-05T11:30:00Z"
    )
    assert acked.json()["acknowledged_at"].startswith("2026-01-05T11:30:00")
    contacted = await move(client, firm, referral["id"], stage="contacted")
    body = contacted.json()
    assert body["acknowledged_at"].startswith("2026-01-05T11:30:00")
    first_contact = dt.datetime.fromisoformat(body["first_contact_at"])
    assert abs(first_contact - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)  # now
    assert body["closed_at"] is None


async def test_engaged_records_the_actual_value_and_closes(client, firm):
    referral = await log(
        client, firm, direction="sent", partner_id=await _partner(client, firm), client_name="Lu"
    )
    await move(client, firm, referral["id"], stage="accepted")
    engaged = (
        await move(client, firm, referral["id"], stage="engaged", actual_value="8250.00")
    ).json()
    assert engaged["actual_value"] == "8250.00" and engaged["closed_at"] is not None


async def test_declining_needs_a_reason_code_and_losing_needs_a_note(client, firm):
    referral = await log(client, firm, direction="received", client_name="Ny")
    missing = await move(client, firm, referral["id"], stage="declined")
    assert missing.status_code == 422 and missing.json()["field"] == "reason"
    assert "duplicate, conflict, bad_fit, incomplete, other" in missing.json()["detail"]
    unknown = await move(client, firm, referral["id"], stage="declined", reason="too busy")
    assert unknown.status_code == 422 and unknown.json()["field"] == "reason"
    lost = await move(client, firm, referral["id"], stage="lost")
    assert lost.status_code == 422 and lost.json()["field"] == "note"

    declined = await move(
        client, firm, referral["id"], stage="declined", reason="conflict", note="Adverse party"
    )
    body = declined.json()
    assert (body["outcome_reason"], body["outcome_note"]) == ("conflict", "Adverse party")
    assert body["history"][-1]["reason"] == "conflict"


async def test_stage_times_cannot_be_in_the_future_or_before_the_last_change(client, firm):
    referral = await log(
        client, firm, direction="received", client_name="Oz", referred_at="2026-03-01T12:00:00Z"
    )
    future = await move(
        client, firm, referral["id"], stage="acknowledged", changed_at="2099-01-01T00:00:00Z"
    )
    assert future.status_code == 422 and future.json()["field"] == "changed_at"
    early = await move(
        client, firm, referral["id"], stage="acknowledged", changed_at="2026-02-28T12:00:00Z"
    )
    assert early.status_code == 422 and early.json()["field"] == "changed_at"
    naive = await move(
        client, firm, referral["id"], stage="acknowledged", changed_at="2026-03-02T12:00:00"
    )
    assert naive.status_code == 422
    unchanged = (
        await client.get(f"/api/v1/referrals/{referral['id']}", headers=firm.headers())
    ).json()
    assert unchanged["stage"] == "submitted" and unchanged["version"] == 1


async def _partner(client, firm):
    response = await client.post(
        "/api/v1/partners", json={"name": "Val Ortiz", "profession": "cpa"}, headers=firm.headers()
    )
    return response.json()["id"]
