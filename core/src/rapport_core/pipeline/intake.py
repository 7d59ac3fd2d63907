"""Intake duplicate check: is a new received referral a client the firm was already sent?

The earlier referral keeps the attribution (its partner is credited); the new one points at
it through ``duplicate_of``. Only received referrals are compared: sending a client on to a
partner does not make a later referral of that client a duplicate. A person can decide it is
not a duplicate; the reason is kept and the flag no longer shows.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from rapport_core import audit
from rapport_core.actors import Actor
from rapport_core.errors import Conflict
from rapport_core.schemas import Input, ReferralOut
from rapport_core.services.firm_settings import firm_settings
from rapport_core.tables import Referral
from rapport_core.vocabulary import Direction

KEY_COLUMNS = (Referral.client_email_key, Referral.client_phone_key, Referral.client_name_key)


class DuplicateDecision(Input):
    action: Literal["not_duplicate"]
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


async def find_original(firm_id: int, keys: dict[str, str], referred_at: dt.datetime) -> int | None:
    """The earliest received referral of the firm, referred within the lookback window
    before ``referred_at``, that shares a non-empty email, phone or name key."""
    same_client = [
        column == keys[column._meta.name] for column in KEY_COLUMNS if keys.get(column._meta.name)
    ]
    if not same_client:
        return None
    lookback = (await firm_settings(firm_id)).intake.duplicate_lookback_days
    match = same_client[0]
    for condition in same_client[1:]:
        match = match | condition
    row = (
        await Referral.select(Referral.id)
        .where(
            Referral.firm == firm_id,
            Referral.direction == Direction.received.value,
            Referral.referred_at >= referred_at - dt.timedelta(days=lookback),
            Referral.referred_at <= referred_at,
            match,
        )
        .order_by(Referral.referred_at)
        .order_by(Referral.id)
        .first()
    )
    return row["id"] if row else None


def is_flagged(referral: ReferralOut) -> bool:
    return referral.duplicate_of is not None and referral.duplicate_override_reason is None


def flagged_duplicate():
    """Where-clause for ``duplicates=flagged`` in referral lists."""
    return Referral.duplicate_of.is_not_null() & Referral.duplicate_override_reason.is_null()


async def decide_duplicate(actor: Actor, referral_id: int, data: DuplicateDecision) -> ReferralOut:
    """Record that a flagged referral is not a duplicate, and why (audited)."""
    from rapport_core.services.common import transaction
    from rapport_core.services.referrals import get_referral, write_versioned

    actor.require_write()
    before = await get_referral(actor, referral_id, with_history=False)
    if not is_flagged(before):
        raise Conflict(f"referral {referral_id} is not flagged as a duplicate", field="action")
    async with transaction():
        await write_versioned(
            actor, before, None, {Referral.duplicate_override_reason: data.reason}
        )
        after = await get_referral(actor, referral_id)
        await audit.record(
            actor, "referral.not_duplicate", "referral", referral_id, before=before, after=after
        )
    return after
