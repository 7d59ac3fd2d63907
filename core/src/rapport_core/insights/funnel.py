"""The conversion funnel: how far the referrals of a period got along their direction's path.

Each direction's path is linear (received: submitted → acknowledged → contacted → qualified
→ engaged; sent: introduced → accepted → engaged), so a referral has *reached* every stage up
to the furthest one it stood in. For an open or engaged referral that is its current stage;
for a declined or lost one, the stage it was closed from."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from piccolo.query.functions.aggregate import Count
from pydantic import BaseModel

from rapport_core.actors import Actor
from rapport_core.insights.metrics import period
from rapport_core.tables import Referral, ReferralStageChange
from rapport_core.vocabulary import Direction, Stage

PATHS = {
    Direction.received: (
        Stage.submitted,
        Stage.acknowledged,
        Stage.contacted,
        Stage.qualified,
        Stage.engaged,
    ),
    Direction.sent: (Stage.introduced, Stage.accepted, Stage.engaged),
}
DROPPED = (Stage.declined.value, Stage.lost.value)


class FunnelStep(BaseModel):
    stage: Stage
    #: Referrals of the period that reached this stage (or went further).
    reached: int
    #: ``reached`` ÷ referrals of the period (None when there are none).
    share: float | None
    #: Reached this stage and were declined or lost from it.
    dropped: int


class Funnel(BaseModel):
    direction: Direction
    period_from: dt.date
    period_to: dt.date
    steps: list[FunnelStep]


async def conversion_funnel(
    actor: Actor,
    direction: Direction,
    *,
    period_from: dt.date | None = None,
    period_to: dt.date | None = None,
    partner_id: int | None = None,
) -> Funnel:
    period_from, period_to, start, end = await period(actor, period_from, period_to, partner_id)
    where = [
        Referral.firm == actor.firm_id,
        Referral.direction == direction.value,
        Referral.referred_at >= start,
        Referral.referred_at < end,
    ]
    if partner_id is not None:
        where.append(Referral.partner == partner_id)

    furthest: Counter[str] = Counter()
    for row in (
        await Referral.select(Referral.stage, Count(alias="n"))
        .where(*where, Referral.stage.not_in(DROPPED))
        .group_by(Referral.stage)
    ):
        furthest[row["stage"]] += row["n"]
    dropped: Counter[str] = Counter()
    closing = ReferralStageChange.referral
    for row in (
        await ReferralStageChange.select(ReferralStageChange.from_stage, Count(alias="n"))
        .where(
            ReferralStageChange.firm == actor.firm_id,
            ReferralStageChange.to_stage.is_in(DROPPED),
            closing.direction == direction.value,
            closing.referred_at >= start,
            closing.referred_at < end,
            *([closing.partner == partner_id] if partner_id is not None else []),
        )
        .group_by(ReferralStageChange.from_stage)
    ):
        dropped[row["from_stage"]] += row["n"]
        furthest[row["from_stage"]] += row["n"]

    path = PATHS[direction]
    total = sum(furthest[stage] for stage in path)
    steps, reached = [], total
    for stage in path:
        steps.append(
            FunnelStep(
                stage=stage,
                reached=reached,
                share=round(reached / total, 4) if total else None,
                dropped=dropped[stage],
            )
        )
        reached -= furthest[stage]
    return Funnel(direction=direction, period_from=period_from, period_to=period_to, steps=steps)
