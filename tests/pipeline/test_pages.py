"""The pipeline pages as a person uses them: board, approval queue, settings, duplicates."""

from tests.pipeline.helpers import add_partner, log
from tests.ui.test_pages import main_text, visible_text


async def test_board_moves_a_referral_and_the_queue_approves_its_update(web, client, firm):
    partner = await add_partner(client, firm, name="Grace Hopper")
    ann = await log(client, firm, partner_id=partner, client_name="Ann Lee",
                    referred_at="2026-01-01T09:00:00Z")  # fmt: skip
    await web.sign_in(firm.emails["member"])
    board = visible_text((await web.get("/pipeline")).text)
    assert "Ann Lee" in board and "Acknowledge overdue" in board
    moved = await web.post(
        f"/pipeline/{ann['id']}/stage", {"stage": "acknowledged", "version": "1"}
    )
    assert moved.history[0].status_code == 303 and moved.url.path == "/pipeline"
    stale = await web.post(f"/pipeline/{ann['id']}/stage", {"stage": "contacted", "version": "1"})
    assert stale.status_code == 409 and "changed by someone else" in visible_text(stale.text)
    declined = await web.post(f"/pipeline/{ann['id']}/stage", {"stage": "declined"})
    assert declined.status_code == 422 and "say why" in visible_text(declined.text)

    queue = visible_text((await web.get("/approvals")).text)
    assert "no email address on file" in queue and "We have received your referral" in queue
    [draft] = (await client.get("/api/v1/drafts", headers=firm.headers())).json()
    approved = await web.post(
        f"/approvals/{draft['id']}/approve",
        {"subject": draft["subject"], "body": "Dear Grace, thanks!"},
    )
    assert approved.history[0].status_code == 303
    after = (await client.get(f"/api/v1/drafts/{draft['id']}", headers=firm.headers())).json()
    assert (after["status"], after["body"], after["edited_by"]) == (
        "approved",
        "Dear Grace, thanks!",
        firm.emails["member"],
    )
    assert "Dear Grace, thanks!" in visible_text((await web.get("/approvals")).text)


async def test_settings_page_edits_every_section_for_admins_only(web, client, firm):
    await web.sign_in(firm.emails["viewer"])
    page = (await web.get("/settings")).text
    assert 'name="sla.acknowledge_hours"' in page and "disabled" in page
    denied = await web.post("/settings", {"sla.acknowledge_hours": "2"})
    assert denied.status_code == 403

    await web.sign_in(firm.emails["admin"])
    page = (await web.get("/settings")).text
    for key in (
        "intake.duplicate_lookback_days",
        "closed_loop.detail_level",
        "closed_loop.reply_to",
    ):
        assert f'name="{key}"' in page
    bad = await web.post("/settings", {"sla.acknowledge_hours": "-1"})
    assert bad.status_code == 422 and 'class="field has-error"' in bad.text
    ok = await web.post(
        "/settings",
        {
            "sla.acknowledge_hours": "2",
            "closed_loop.detail_level": "none",
            "closed_loop.reply_to": "",
        },
    )
    assert ok.history[0].status_code == 303
    settings = (await client.get("/api/v1/settings", headers=firm.headers())).json()
    assert (
        settings["sla"]["acknowledge_hours"] == 2
        and settings["closed_loop"]["detail_level"] == "none"
    )

    added = await web.post(
        "/settings/rules", {"owner_id": str(firm.user_ids["member"]), "practice_area": "Tax"}
    )
    assert added.history[0].status_code == 303
    [rule] = (await client.get("/api/v1/routing-rules", headers=firm.headers())).json()
    assert "Member gets Tax" in visible_text((await web.get("/settings")).text)
    assert (await web.post(f"/settings/rules/{rule['id']}/delete", {})).history[
        0
    ].status_code == 303
    assert (await client.get("/api/v1/routing-rules", headers=firm.headers())).json() == []


async def test_referral_page_shows_the_duplicate_flag_and_takes_an_override(web, client, firm):
    first = await log(client, firm, client_name="Sam Poe")
    second = await log(client, firm, client_name="Sam Poe")
    await web.sign_in(firm.emails["member"])
    page = visible_text((await web.get(f"/referrals/{second['id']}")).text)
    assert "Possible duplicate" in page and f"referral {first['id']}" in page
    empty = await web.post(f"/referrals/{second['id']}/duplicate", {"reason": ""})
    assert empty.status_code == 422
    done = await web.post(f"/referrals/{second['id']}/duplicate", {"reason": "Twins"})
    assert done.history[0].status_code == 303
    page = main_text((await web.get(f"/referrals/{second['id']}")).text)
    assert "Possible duplicate" not in page and "not a duplicate" in page and "Twins" in page
