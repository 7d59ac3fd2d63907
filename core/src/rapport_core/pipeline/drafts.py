"""Closed-loop updates: a draft to the referring partner at every stage change of a received
referral, waiting in an approval queue. A person edits, approves or discards each one;
approving sends it by SMTP when configured, else leaves it ready to copy.

How much of the client a draft reveals follows ``closed_loop.detail_level``; the matter's
description is never included.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from rapport_core import audit
from rapport_core.actors import Actor
from rapport_core.clock import as_utc, now
from rapport_core.errors import Conflict, NotFound
from rapport_core.firm_settings import ClosedLoopSettings
from rapport_core.pipeline.mail import DeliveryFailed, mail_configured, send_mail
from rapport_core.schemas import Input, Output, ReferralOut
from rapport_core.services.common import transaction
from rapport_core.services.firm_settings import firm_settings
from rapport_core.tables import MessageDraft, Partner, Referral
from rapport_core.vocabulary import DraftDetail, DraftStatus, Stage

#: A send takes seconds (mail.py times out well before this); a draft still ``sending``
#: after this long was cut off, and a person may put it back in the queue.
STUCK_AFTER = dt.timedelta(minutes=5)

#: What the partner is told at each stage; {client} is the client as the detail level allows.
STAGE_NEWS = {
    Stage.acknowledged: "We have received your referral of {client} and are reviewing it.",
    Stage.contacted: "We have been in touch with {client}.",
    Stage.qualified: "We have spoken with {client} and are discussing how we can help.",
    Stage.engaged: "{Client} has engaged us. Thank you for the referral.",
    Stage.declined: "We are not able to take on {client} ourselves, and will be glad to "
    "suggest someone who can.",
    Stage.lost: "{Client} has decided not to go ahead with us for now.",
}


class DraftEdit(Input):
    subject: Annotated[str, Field(min_length=1, max_length=300)] | None = None
    body: Annotated[str, Field(min_length=1, max_length=20_000)] | None = None


class DraftOut(Output):
    id: int
    referral_id: int
    client_name: str
    partner_id: int | None
    partner_name: str | None
    to_email: str | None
    subject: str
    body: str
    status: DraftStatus
    created_at: dt.datetime
    edited_by: str | None
    edited_at: dt.datetime | None
    decided_by: str | None
    decided_at: dt.datetime | None
    sent_at: dt.datetime | None
    send_error: str
    sending_since: dt.datetime | None = None
    #: In ``sending`` for longer than STUCK_AFTER: the send was cut off (a crash, a restart).
    stuck: bool = False


def client_phrase(referral: ReferralOut, detail: DraftDetail) -> str:
    if detail is DraftDetail.none:
        return "the client you referred"
    if detail is DraftDetail.first_name:
        return referral.client_name.split()[0]
    matter = f" ({referral.matter_type})" if referral.matter_type else ""
    return referral.client_name + matter


def compose(
    referral: ReferralOut, partner_name: str, settings: ClosedLoopSettings
) -> tuple[str, str]:
    """(subject, body) of the update for the referral's current stage."""
    client = client_phrase(referral, settings.detail_level)
    about = "" if settings.detail_level is DraftDetail.none else f": {client}"
    news = STAGE_NEWS[referral.stage].format(client=client, Client=client[:1].upper() + client[1:])
    lines = [f"Dear {partner_name},", "", news, "", "Thank you for thinking of us."]
    if settings.signature:
        lines += ["", settings.signature]
    return f"Update on your referral{about}", "\n".join(lines)


async def queue_draft(actor: Actor, referral: ReferralOut, stage_change_id: int) -> None:
    """Queue the partner's update for a stage change (call inside its transaction)."""
    if referral.direction != "received" or referral.partner_id is None:
        return
    if referral.stage not in STAGE_NEWS:
        return
    partner = (
        await Partner.select(Partner.name, Partner.email)
        .where(Partner.id == referral.partner_id, Partner.firm == actor.firm_id)
        .first()
    )
    settings = (await firm_settings(actor.firm_id)).closed_loop
    subject, body = compose(referral, partner["name"], settings)
    await MessageDraft(
        firm=actor.firm_id,
        referral=referral.id,
        partner=referral.partner_id,
        stage_change=stage_change_id,
        to_email=partner["email"],
        subject=subject,
        body=body,
        status=DraftStatus.pending.value,
        created_at=now(),
    ).save()


_COLUMNS = (
    *MessageDraft.all_columns(),
    MessageDraft.referral.client_name.as_alias("client_name"),
    MessageDraft.partner.name.as_alias("partner_name"),
)


def is_stuck(status: str, sending_since: dt.datetime | None) -> bool:
    """A send that began STUCK_AFTER ago and never finished (no time: from before it was kept)."""
    if status != DraftStatus.sending:
        return False
    return sending_since is None or now() - as_utc(sending_since) > STUCK_AFTER


def _out(row: dict) -> DraftOut:
    return DraftOut.model_validate(
        {
            **row,
            "referral_id": row["referral"],
            "partner_id": row["partner"],
            "stuck": is_stuck(row["status"], row["sending_since"]),
        }
    )


async def list_drafts(actor: Actor, status: DraftStatus | None = None) -> list[DraftOut]:
    query = MessageDraft.select(*_COLUMNS).where(MessageDraft.firm == actor.firm_id)
    if status:
        query = query.where(MessageDraft.status == status.value)
    rows = await query.order_by(MessageDraft.created_at).order_by(MessageDraft.id)
    return [_out(row) for row in rows]


async def get_draft(actor: Actor, draft_id: int) -> DraftOut:
    row = (
        await MessageDraft.select(*_COLUMNS)
        .where(MessageDraft.id == draft_id, MessageDraft.firm == actor.firm_id)
        .first()
    )
    if row is None:
        raise NotFound(f"draft {draft_id} not found")
    return _out(row)


async def _pending(actor: Actor, draft_id: int) -> DraftOut:
    actor.require_write()
    draft = await get_draft(actor, draft_id)
    if draft.status is not DraftStatus.pending:
        raise Conflict(f"draft {draft_id} is already {draft.status}", field="status")
    return draft


async def _move(actor: Actor, draft: DraftOut, expected: DraftStatus, values: dict) -> None:
    """Write ``values`` only if the draft is still ``expected`` (a second click loses)."""
    updated = (
        await MessageDraft.update(values)
        .where(
            MessageDraft.id == draft.id,
            MessageDraft.firm == actor.firm_id,
            MessageDraft.status == expected.value,
        )
        .returning(MessageDraft.id)
    )
    if not updated:
        raise Conflict(f"draft {draft.id} was decided by someone else", field="status")


async def _decide(
    actor: Actor,
    before: DraftOut,
    action: str,
    values: dict,
    *,
    partner_updated=None,
    expected: DraftStatus = DraftStatus.pending,
) -> DraftOut:
    async with transaction():
        if partner_updated:
            # Not a change a person made to the referral, so its version stays.
            await Referral.update({Referral.last_partner_update_at: partner_updated}).where(
                Referral.id == before.referral_id, Referral.firm == actor.firm_id
            )
        await _move(actor, before, expected, values)
        after = await get_draft(actor, before.id)
        await audit.record(actor, f"draft.{action}", "draft", before.id, before=before, after=after)
    return after


async def edit_draft(actor: Actor, draft_id: int, data: DraftEdit) -> DraftOut:
    before = await _pending(actor, draft_id)
    sent = {
        name: value
        for name, value in data.model_dump(exclude_none=True).items()
        if getattr(before, name) != value
    }
    if not sent:
        return before
    stamp = {MessageDraft.edited_by: actor.label, MessageDraft.edited_at: now()}
    return await _decide(actor, before, "edit", {**sent, **stamp})


async def discard_draft(actor: Actor, draft_id: int) -> DraftOut:
    before = await _pending(actor, draft_id)
    decided = {MessageDraft.decided_by: actor.label, MessageDraft.decided_at: now()}
    return await _decide(actor, before, "discard", {"status": "discarded", **decided})


async def approve_draft(actor: Actor, draft_id: int) -> DraftOut:
    """Send it (SMTP configured and an address known) or mark it ready to copy. Either way
    the partner counts as updated. A failed send leaves the draft pending with the error."""
    before = await _pending(actor, draft_id)
    status, decided_from = DraftStatus.approved, DraftStatus.pending
    if mail_configured() and before.to_email:
        # Claim it first, so a second click cannot mail the partner a second time.
        claim = {MessageDraft.status: DraftStatus.sending.value, MessageDraft.sending_since: now()}
        await _move(actor, before, DraftStatus.pending, claim)
        reply_to = (await firm_settings(actor.firm_id)).closed_loop.reply_to
        try:
            await send_mail(
                to=before.to_email, subject=before.subject, body=before.body, reply_to=reply_to
            )
        except DeliveryFailed as error:
            back = {
                MessageDraft.status: DraftStatus.pending.value,
                MessageDraft.send_error: error.detail,
                MessageDraft.sending_since: None,
            }
            await _move(actor, before, DraftStatus.sending, back)
            raise
        status, decided_from = DraftStatus.sent, DraftStatus.sending
    stamp = now()
    values = {
        MessageDraft.status: status.value,
        MessageDraft.decided_by: actor.label,
        MessageDraft.decided_at: stamp,
        MessageDraft.send_error: "",
        MessageDraft.sent_at: stamp if status is DraftStatus.sent else None,
        MessageDraft.sending_since: None,
    }
    return await _decide(
        actor, before, "approve", values, partner_updated=stamp, expected=decided_from
    )


#: Shown on a requeued draft: the mail may or may not have reached the partner.
REQUEUED_NOTE = (
    "The send was cut off before it finished, so the partner may or may not have received "
    "this update. Check before approving it again."
)


async def requeue_draft(actor: Actor, draft_id: int) -> DraftOut:
    """Put a draft whose send was cut off (``sending`` for over STUCK_AFTER) back in the
    approval queue, for a person to check and approve again. Audited."""
    actor.require_write()
    before = await get_draft(actor, draft_id)
    if before.status is not DraftStatus.sending:
        raise Conflict(f"draft {draft_id} is {before.status}, not being sent", field="status")
    if not before.stuck:
        raise Conflict(
            f"draft {draft_id} began sending less than {STUCK_AFTER.seconds // 60} minutes "
            "ago; wait for it to finish",
            field="status",
        )
    back = {
        MessageDraft.status: DraftStatus.pending.value,
        MessageDraft.send_error: REQUEUED_NOTE,
        MessageDraft.sending_since: None,
    }
    return await _decide(actor, before, "requeue", back, expected=DraftStatus.sending)
