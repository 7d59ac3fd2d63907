"""A partner's timeline: referrals each way, their stage changes and the touchpoints logged,
newest first, in one list."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel

from rapport_core.actors import Actor
from rapport_core.clock import as_utc
from rapport_core.services.partners import get_partner
from rapport_core.tables import Activity, ReferralStageChange
from rapport_core.vocabulary import Direction

#: Dated touchpoints sort after the referral events of the same day: a day's lunch is noted
#: once the day is over.
_END_OF_DAY = dt.time(23, 59, 59, tzinfo=dt.UTC)


class EventKind(StrEnum):
    referred = "referred"  # a referral was made, either way
    stage = "stage"  # a referral moved on
    touchpoint = "touchpoint"  # an activity was logged


class TimelineEvent(BaseModel):
    kind: EventKind
    at: dt.datetime
    title: str
    detail: str = ""
    actor: str = ""
    link: str | None = None


async def partner_timeline(
    actor: Actor, partner_id: int, *, limit: int = 30
) -> list[TimelineEvent]:
    partner = await get_partner(actor, partner_id)  # another firm's partner: NotFound
    referral = ReferralStageChange.referral
    changes = (
        await ReferralStageChange.select(
            ReferralStageChange.to_stage,
            ReferralStageChange.from_stage,
            ReferralStageChange.changed_at,
            ReferralStageChange.actor,
            ReferralStageChange.note,
            ReferralStageChange.reason,
            referral.id.as_alias("referral_id"),
            referral.client_name.as_alias("client_name"),
            referral.direction.as_alias("direction"),
        )
        .where(ReferralStageChange.firm == actor.firm_id, referral.partner == partner_id)
        .order_by(ReferralStageChange.changed_at, ascending=False)
        .limit(limit)
    )
    activities = (
        await Activity.select(
            Activity.kind, Activity.occurred_on, Activity.summary, Activity.created_by
        )
        .where(Activity.firm == actor.firm_id, Activity.partner == partner_id)
        .order_by(Activity.occurred_on, ascending=False)
        .order_by(Activity.id, ascending=False)
        .limit(limit)
    )
    events = [_change_event(row, partner.name) for row in changes]
    events += [
        TimelineEvent(
            kind=EventKind.touchpoint,
            at=dt.datetime.combine(row["occurred_on"], _END_OF_DAY),
            title=str(row["kind"]).capitalize(),
            detail=row["summary"],
            actor=row["created_by"],
        )
        for row in activities
    ]
    return sorted(events, key=lambda e: e.at, reverse=True)[:limit]


def _change_event(row: dict, partner_name: str) -> TimelineEvent:
    at = as_utc(row["changed_at"])
    if row["from_stage"] is None:
        received = row["direction"] == Direction.received
        title = (
            f"{partner_name} referred {row['client_name']} to you"
            if received
            else f"You referred {row['client_name']} to {partner_name}"
        )
        kind = EventKind.referred
    else:
        title = f"{row['client_name']}: {row['from_stage']} → {row['to_stage']}"
        kind = EventKind.stage
    detail = " · ".join(part for part in (row["reason"] or "", row["note"] or "") if part)
    return TimelineEvent(
        kind=kind,
        at=at,
        title=title,
        detail=detail.replace("_", " "),
        actor=row["actor"],
        link=f"/referrals/{row['referral_id']}",
    )
