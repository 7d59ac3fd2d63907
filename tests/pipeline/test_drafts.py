"""Closed loop: each stage change of a received referral queues an update to its partner;
nothing goes out until a person approves it, and then only through the configured server."""

import asyncio
import datetime as dt
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from rapport_core.errors import Conflict
from rapport_core.pipeline import drafts
from rapport_core.settings import get_settings
from rapport_core.tables import MessageDraft

from tests.pipeline.helpers import add_partner, log, move
from tests.ui.test_pages import visible_text


async def pending(client, firm, role="owner") -> list[dict]:
    response = await client.get("/api/v1/drafts?status=pending", headers=firm.headers(role))
    assert response.status_code == 200, response.text
    return response.json()


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(monkeypatch):
    """A real SMTP server on loopback, with Rapport configured to send through it."""
    inbox = Inbox()
    port = free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    monkeypatch.setenv("RAPPORT_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("RAPPORT_MAIL_FROM", "Firm A <updates@firm-a.example>")
    get_settings.cache_clear()
    yield inbox
    server.stop()
    monkeypatch.undo()
    get_settings.cache_clear()


async def test_stage_changes_queue_drafts_at_the_firms_detail_level(client, firm):
    partner = await add_partner(client, firm, name="Grace Hopper", email="grace@cpa.example")
    ann = await log(client, firm, partner_id=partner, client_name="Ann Lee",
                    matter_type="Estate planning", description="secret family matter")  # fmt: skip
    assert await pending(client, firm) == []  # logging it is not a stage change
    await move(client, firm, ann["id"], stage="acknowledged")
    [first] = await pending(client, firm)
    assert first["to_email"] == "grace@cpa.example" and first["status"] == "pending"
    assert "Ann" in first["subject"] and "Lee" not in first["body"]  # first_name by default
    assert first["body"].startswith("Dear Grace Hopper,")

    await client.patch(
        "/api/v1/settings",
        json={"closed_loop": {"detail_level": "none", "signature": "— Firm A"}},
        headers=firm.headers(),
    )
    await move(client, firm, ann["id"], stage="contacted")
    hidden = (await pending(client, firm))[-1]
    assert "Ann" not in hidden["subject"] + hidden["body"]
    assert "the client you referred" in hidden["body"] and hidden["body"].endswith("— Firm A")

    await client.patch(
        "/api/v1/settings", json={"closed_loop": {"detail_level": "full"}}, headers=firm.headers()
    )
    await move(client, firm, ann["id"], stage="qualified")
    full = (await pending(client, firm))[-1]
    assert "Ann Lee (Estate planning)" in full["body"]
    for draft in await pending(client, firm):
        assert "secret" not in draft["body"]  # never the description

    # No partner, or a sent referral: nobody to update.
    unsourced = await log(client, firm, client_name="Nobody")
    await move(client, firm, unsourced["id"], stage="acknowledged")
    sent = await log(client, firm, direction="sent", partner_id=partner, client_name="Out")
    await move(client, firm, sent["id"], stage="accepted")
    assert len(await pending(client, firm)) == 3


async def test_edit_approve_and_discard_without_smtp(client, firm):
    from rapport_core import audit

    partner = await add_partner(client, firm, name="No Mail")  # no email address
    ann = await log(client, firm, partner_id=partner, referred_at="2026-01-01T09:00:00Z")
    await move(client, firm, ann["id"], stage="acknowledged")
    await move(client, firm, ann["id"], stage="contacted")
    first, second = await pending(client, firm)
    assert first["to_email"] is None

    viewer = await client.post(
        f"/api/v1/drafts/{first['id']}/approve", headers=firm.headers("viewer")
    )
    assert viewer.status_code == 403
    edited = await client.patch(
        f"/api/v1/drafts/{first['id']}",
        json={"body": "Dear Grace, we have called Ann."},
        headers=firm.headers("member"),
    )
    assert edited.json()["edited_by"] == firm.emails["member"]
    approved = await client.post(
        f"/api/v1/drafts/{first['id']}/approve", headers=firm.headers("member")
    )
    body = approved.json()
    assert (body["status"], body["sent_at"]) == ("approved", None)  # ready to copy
    assert body["body"] == "Dear Grace, we have called Ann." and body["decided_at"]
    referral = (await client.get(f"/api/v1/referrals/{ann['id']}", headers=firm.headers())).json()
    assert referral["last_partner_update_at"] == body["decided_at"]

    discarded = await client.post(f"/api/v1/drafts/{second['id']}/discard", headers=firm.headers())
    assert discarded.json()["status"] == "discarded"
    again = await client.post(f"/api/v1/drafts/{second['id']}/approve", headers=firm.headers())
    assert again.status_code == 409
    assert await pending(client, firm) == []
    actions = [e["action"] for e in await audit.events_for(firm.id, subject_type="draft")]
    assert actions == ["draft.discard", "draft.approve", "draft.edit"]


async def test_approving_sends_through_the_smtp_server(client, firm, smtp):
    await client.patch(
        "/api/v1/settings",
        json={"closed_loop": {"reply_to": "intake@firm-a.example"}},
        headers=firm.headers(),
    )
    partner = await add_partner(client, firm, name="Grace Hopper", email="grace@cpa.example")
    ann = await log(client, firm, partner_id=partner, client_name="Ann Lee")
    await move(client, firm, ann["id"], stage="acknowledged")
    [draft] = await pending(client, firm)
    assert smtp.messages == []  # queued, not sent
    response = await client.post(f"/api/v1/drafts/{draft['id']}/approve", headers=firm.headers())
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "sent" and response.json()["sent_at"]
    [message] = smtp.messages
    assert message.rcpt_tos == ["grace@cpa.example"]
    text = message.content.decode()
    assert "Subject: Update on your referral: Ann" in text
    assert "Reply-To: intake@firm-a.example" in text
    assert "From: Firm A <updates@firm-a.example>" in text
    assert "We have received your referral of Ann" in text


async def test_two_people_approving_at_once_send_one_email(client, firm, smtp):
    partner = await add_partner(client, firm, name="Grace Hopper", email="grace@cpa.example")
    ann = await log(client, firm, partner_id=partner, client_name="Ann Lee")
    await move(client, firm, ann["id"], stage="acknowledged")
    [draft] = await pending(client, firm)
    url = f"/api/v1/drafts/{draft['id']}/approve"
    results = await asyncio.gather(
        client.post(url, headers=firm.headers("owner")),
        client.post(url, headers=firm.headers("member")),
    )
    assert sorted(r.status_code for r in results) == [200, 409]
    assert len(smtp.messages) == 1


async def test_a_failed_send_leaves_the_draft_pending_with_the_error(client, firm, monkeypatch):
    monkeypatch.setenv("RAPPORT_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")  # nobody listens
    monkeypatch.setenv("RAPPORT_MAIL_FROM", "updates@firm-a.example")
    get_settings.cache_clear()
    try:
        partner = await add_partner(client, firm, email="grace@cpa.example")
        ann = await log(client, firm, partner_id=partner)
        await move(client, firm, ann["id"], stage="acknowledged")
        [draft] = await pending(client, firm)
        response = await client.post(
            f"/api/v1/drafts/{draft['id']}/approve", headers=firm.headers()
        )
        assert response.status_code == 502
        [still] = await pending(client, firm)
        assert "could not send to grace@cpa.example" in still["send_error"]
        referral = await client.get(f"/api/v1/referrals/{ann['id']}", headers=firm.headers())
        assert referral.json()["last_partner_update_at"] is None
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


async def cut_off_mid_send(draft_id: int, minutes_ago: float) -> None:
    """What a crash during the SMTP exchange leaves: the draft claimed, never finished."""
    began = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes_ago)
    await MessageDraft.update(
        {MessageDraft.status: "sending", MessageDraft.sending_since: began}
    ).where(MessageDraft.id == draft_id)


async def test_a_send_cut_off_mid_way_can_be_requeued_by_a_person(web, client, firm, other_firm):
    from rapport_core import audit

    partner = await add_partner(client, firm, name="Grace Hopper", email="grace@cpa.example")
    ann = await log(client, firm, partner_id=partner, client_name="Ann Lee")
    await move(client, firm, ann["id"], stage="acknowledged")
    [draft] = await pending(client, firm)
    url = f"/api/v1/drafts/{draft['id']}/requeue"
    # Pending, not being sent: nothing to requeue.
    assert (await client.post(url, headers=firm.headers())).status_code == 409

    await cut_off_mid_send(draft["id"], minutes_ago=1)  # may still be sending: wait
    early = await client.post(url, headers=firm.headers())
    assert early.status_code == 409 and "wait for it to finish" in early.json()["detail"]
    await cut_off_mid_send(draft["id"], minutes_ago=10)
    shown = (await client.get(f"/api/v1/drafts/{draft['id']}", headers=firm.headers())).json()
    assert (shown["status"], shown["stuck"]) == ("sending", True)
    assert (await client.post(url, headers=firm.headers("viewer"))).status_code == 403
    assert (await client.post(url, headers=other_firm.headers())).status_code == 404

    requeued = await client.post(url, headers=firm.headers("member"))
    assert requeued.status_code == 200, requeued.text
    body = requeued.json()
    assert (body["status"], body["stuck"], body["sending_since"]) == ("pending", False, None)
    assert "may or may not have received" in body["send_error"]
    [event] = await audit.events_for(firm.id, subject_type="draft")
    assert event["action"] == "draft.requeue" and event["actor"] == firm.emails["member"]
    assert (event["before"]["status"], event["after"]["status"]) == ("sending", "pending")
    # Back in the queue, it can be approved again.
    assert [d["id"] for d in await pending(client, firm)] == [draft["id"]]

    # The approvals page shows a stuck send as such, with a button to requeue it.
    await cut_off_mid_send(draft["id"], minutes_ago=30)
    await web.sign_in(firm.emails["member"])
    queue = visible_text((await web.get("/approvals")).text)
    assert "Stuck: the send began" in queue and "Put back in the queue" in queue
    clicked = await web.post(f"/approvals/{draft['id']}/requeue", {})
    assert clicked.history[0].status_code == 303
    assert [d["id"] for d in await pending(client, firm)] == [draft["id"]]
    again = await web.post(f"/approvals/{draft['id']}/requeue", {})
    assert again.status_code == 409 and "not being sent" in visible_text(again.text)
    await cut_off_mid_send(draft["id"], minutes_ago=30)
    await web.sign_in(other_firm.emails["owner"])
    assert (await web.post(f"/approvals/{draft['id']}/requeue", {})).status_code == 404
    assert "Stuck" not in visible_text((await web.get("/approvals")).text)


class HeldInbox(Inbox):
    """An SMTP server that holds each message until released, so a send can be watched
    while it is in progress."""

    def __init__(self):
        super().__init__()
        self.arrived, self.release = threading.Event(), threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.arrived.set()
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 20)
        return await super().handle_DATA(server, session, envelope)


async def test_a_send_in_progress_is_shown_as_sending_not_stuck(client, firm, monkeypatch):
    inbox = HeldInbox()
    port = free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    monkeypatch.setenv("RAPPORT_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("RAPPORT_MAIL_FROM", "updates@firm-a.example")
    get_settings.cache_clear()
    try:
        partner = await add_partner(client, firm, email="grace@cpa.example")
        ann = await log(client, firm, partner_id=partner)
        await move(client, firm, ann["id"], stage="acknowledged")
        [draft] = await pending(client, firm)
        # Through the services: the test client would answer one request at a time.
        approving = asyncio.create_task(drafts.approve_draft(firm.actor(), draft["id"]))
        assert await asyncio.to_thread(inbox.arrived.wait, 20)
        during = await drafts.get_draft(firm.actor(), draft["id"])
        assert (during.status, during.stuck) == ("sending", False) and during.sending_since
        with pytest.raises(Conflict, match="wait for it to finish"):
            await drafts.requeue_draft(firm.actor(), draft["id"])  # nobody may requeue it yet
        inbox.release.set()
        done = await approving
        assert (done.status, done.sending_since) == ("sent", None)
        assert len(inbox.messages) == 1
    finally:
        inbox.release.set()
        server.stop()
        monkeypatch.undo()
        get_settings.cache_clear()
