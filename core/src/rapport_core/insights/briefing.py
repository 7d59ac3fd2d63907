"""The daily briefing: what to do next, ranked by urgency × impact, each with its reason.
Scoring: docs/insights.md."""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

from rapport_core.actors import Actor
from rapport_core.clock import as_utc, now
from rapport_core.errors import RapportError
from rapport_core.insights.attention import check_ins_due, dormant_reason, quiet_partners
from rapport_core.insights.freshness import kept_until_changed
from rapport_core.insights.reciprocity import partners_owed
from rapport_core.pipeline.sla import sla_breaches
from rapport_core.services.firm_settings import firm_settings
from rapport_core.tables import Referral
from rapport_core.vocabulary import OPEN_STAGES, Direction

#: A matter worth this much (or more) has the greatest impact.
LARGE_MATTER_CENTS = 25_000_00
#: A partner who has sent this much in all (or more) is among the most valuable.
VALUABLE_PARTNER_CENTS = 50_000_00


class ActionKind(StrEnum):
    sla_breach = "sla_breach"
    stalled_referral = "stalled_referral"
    dormant_partner = "dormant_partner"
    owed_referral = "owed_referral"
    check_in = "check_in"


class BriefingAction(BaseModel):
    kind: str  # an ActionKind, or the kind of a plugin's BriefingSource
    title: str
    reason: str
    subject_type: str  # "referral" or "partner"
    subject_id: int
    link: str
    urgency: float
    impact: float
    score: float


@dataclass(frozen=True)
class BriefingSource:
    """Actions a plugin adds to the briefing (``register_briefing_sources``). ``collect(actor,
    as_of)`` returns dicts made with :func:`briefing_action`, scored on the same scale."""

    kind: str
    label: str
    collect: Callable[[Actor, dt.datetime], Awaitable[list[dict]]]


def briefing_sources(pm=None) -> list[BriefingSource]:
    """Every source offered through the hook. Two with one kind: error."""
    if pm is None:
        from rapport_core.plugins import get_plugin_manager

        pm = get_plugin_manager()
    sources: dict[str, BriefingSource] = {}

    def register(source: BriefingSource) -> None:
        if source.kind in sources or source.kind in ActionKind.__members__:
            raise RapportError(f"two briefing sources are named {source.kind!r}")
        sources[source.kind] = source

    pm.hook.register_briefing_sources(register=register)
    return list(sources.values())


def briefing_action(kind, title, reason, subject_type, subject_id, urgency, impact) -> dict:
    """An action's fields; only the few that make the briefing become models (a large firm
    has thousands of candidates). ``urgency`` and ``impact`` are clipped to 0–1."""
    urgency, impact = min(1.0, max(0.0, urgency)), min(1.0, max(0.0, impact))
    return dict(
        kind=kind,
        title=title,
        reason=reason,
        subject_type=subject_type,
        subject_id=subject_id,
        link=f"/{subject_type}s/{subject_id}",
        urgency=round(urgency, 3),
        impact=round(impact, 3),
        score=round(urgency * impact, 3),
    )


async def _stalled(actor: Actor, as_of: dt.datetime, days: int) -> list[dict]:
    cutoff = as_of - dt.timedelta(days=days)
    open_stages = ", ".join(f"'{stage.value}'" for stage in OPEN_STAGES)
    # One branch per direction: with the direction fixed, both planners find the few open
    # referrals on the (firm, stage, direction) index instead of reading the whole history.
    open_in = "\nUNION ALL\n".join(
        f"""
        SELECT r.id, r.client_name, r.stage, r.estimated_value_cents,
               (SELECT MAX(c.changed_at) FROM rapport_referral_stage_change c
                WHERE c.referral = r.id) AS last_move
        FROM rapport_referral r
        WHERE r.firm = {{}} AND r.stage IN ({open_stages}) AND r.direction = '{direction.value}'
        """
        for direction in Direction
    )
    open_rows = await Referral.raw(
        # In id order, as they were stored: among equal scores, the oldest referral first.
        f"SELECT * FROM ({open_in}) AS open_referrals WHERE last_move < {{}} ORDER BY id",
        *[actor.firm_id for _ in Direction],
        cutoff,
    )
    actions = []
    for row in open_rows:
        idle = (as_of - as_utc(row["last_move"])).days
        value = row["estimated_value_cents"] or 0
        actions.append(
            briefing_action(
                ActionKind.stalled_referral,
                f"Move {row['client_name']} on",
                f"Still {row['stage']} after {idle} days without a stage change (stalled after {days}).",
                "referral",
                row["id"],
                urgency=idle / (2 * days),
                impact=0.4 + 0.6 * min(1, value / LARGE_MATTER_CENTS),
            )
        )
    return actions


def _overdue(hours: float) -> str:
    if hours < 48:
        return f"{hours:.0f} hours"
    return f"{hours / 24:.0f} days"


@kept_until_changed
async def daily_briefing(
    actor: Actor, *, as_of: dt.datetime | None = None, limit: int = 20
) -> list[BriefingAction]:
    as_of = as_of or now()
    settings = await firm_settings(actor.firm_id)
    # The sources are independent reads: the database answers them side by side.
    plugin_sources = briefing_sources()
    (
        breaches,
        stalled,
        quiet,
        owed_partners,
        check_ins,
        *plugin_actions,
    ) = await asyncio.gather(
        sla_breaches(actor, as_of=as_of, limit=limit),
        _stalled(actor, as_of, settings.relationships.stalled_days),
        quiet_partners(
            actor, as_of.date(), settings.relationships.dormant_days, with_value_received=True
        ),
        partners_owed(actor, as_of=as_of, limit=10),
        # A check-in's score grows with its days quiet: only the first `limit` can make it.
        check_ins_due(actor, today=as_of.date(), limit=limit),
        *(source.collect(actor, as_of) for source in plugin_sources),
    )
    actions: list[dict] = [action for collected in plugin_actions for action in collected]

    unacknowledged = {b.referral_id for b in breaches if b.kind == "acknowledge"}
    uncontacted = {b.referral_id for b in breaches if b.kind == "first_contact"}
    for breach in breaches:
        if breach.kind == "first_contact" and breach.referral_id in unacknowledged:
            continue  # one action per waiting client: acknowledging comes first
        waiting = breach.kind != "partner_update"  # a client is waiting, not only a partner
        what = {
            "acknowledge": "acknowledge the referral",
            "first_contact": "make first contact",
            "partner_update": f"update {breach.partner_name or 'the referring partner'}",
        }[breach.kind]
        reason = f"{_overdue(breach.overdue_hours)} past the SLA (due {breach.due_at:%b %d %Y %H:%M} UTC)."
        if breach.kind == "acknowledge" and breach.referral_id in uncontacted:
            reason += " First contact is overdue too."
        actions.append(
            briefing_action(
                ActionKind.sla_breach,
                f"{breach.client_name}: {what}",
                reason,
                "referral",
                breach.referral_id,
                urgency=0.5 + breach.overdue_hours / (24 * 7),
                impact=0.9 if waiting else 0.6,
            )
        )

    actions += stalled
    dormant_days = settings.relationships.dormant_days
    # Most quiet first, as dormant_partners lists them (equal scores keep this order).
    for partner, last in sorted(quiet, key=lambda q: q[1]):
        value = int(partner["value"] or 0)  # PostgreSQL: Decimal
        if value <= 0:
            continue  # the briefing raises only partners who have sent business
        idle = (as_of.date() - last).days
        actions.append(
            briefing_action(
                ActionKind.dormant_partner,
                f"Reconnect with {partner['name']}",
                f"{dormant_reason(idle, dormant_days)} "
                f"They have sent you ${value / 100:,.0f} of business.",
                "partner",
                partner["id"],
                urgency=idle / (2 * dormant_days),
                impact=value / VALUABLE_PARTNER_CENTS,
            )
        )

    for owed in owed_partners:
        actions.append(
            briefing_action(
                ActionKind.owed_referral,
                f"Send {owed.partner_name} a referral",
                owed.explanation + f" Owed score {owed.owed_score}.",
                "partner",
                owed.partner_id,
                urgency=0.5,
                impact=owed.owed_score / 5,
            )
        )

    for due in check_ins:
        actions.append(
            briefing_action(
                ActionKind.check_in,
                f"Check in with {due.partner_name}",
                due.reason,
                "partner",
                due.partner_id,
                urgency=0.5 + due.days_quiet / 365,
                impact=0.3,
            )
        )

    # Highest score first; among equals, in the order above (nlargest is a stable sort).
    return [BriefingAction(**a) for a in heapq.nlargest(limit, actions, key=lambda a: a["score"])]
