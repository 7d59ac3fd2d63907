"""The daily briefing: what to do next, ranked by urgency × impact, each with its reason.
Scoring: docs/insights.md."""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from rapport_core.actors import Actor
from rapport_core.clock import as_utc, now
from rapport_core.errors import RapportError
from rapport_core.insights.attention import (
    check_in_list,
    check_ins_owed,
    dormant_reason,
    quiet_partners,
)
from rapport_core.insights.freshness import (
    NOT_READ,
    TOUCHPOINTS,
    Change,
    clock_step,
    each_day,
    kept_until_changed,
    one_reading,
)
from rapport_core.insights.reciprocity import most_owed, named, window_flows
from rapport_core.pipeline.sla import SlaBreach, SlaClock, breaches_at, sla_allowances, sla_clocks
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
    urgency, impact = _clipped(urgency), _clipped(impact)
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


def _clipped(share: float) -> float:
    return min(1.0, max(0.0, share))


def _top(limit: int, actions: list[dict]) -> list[dict]:
    """The ``limit`` highest scores; among equals, in the order given (nlargest is stable).
    Each part's own top ``limit`` holds every action of it that can make the briefing."""
    return heapq.nlargest(limit, actions, key=lambda a: a["score"])


def _kept_for(state, key, make):
    """What ``make()`` gives, made once per kept state (the states never change)."""
    if key not in state.made:
        state.made[key] = make()
    return state.made[key]


async def _open_moves(actor: Actor, referral_ids: Collection[int] | None = None) -> dict[int, dict]:
    """The open referrals (of ``referral_ids``, or all) with their latest stage change, by id
    in id order: what :func:`_stalled` times at any moment."""
    only = (
        ""
        if referral_ids is None
        else f" AND r.id IN ({', '.join(str(int(i)) for i in referral_ids) or 0})"
    )
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
              {only}
        """
        for direction in Direction
    )
    rows = await Referral.raw(
        f"SELECT * FROM ({open_in}) AS open_referrals ORDER BY id",
        *[actor.firm_id for _ in Direction],
    )
    return {row["id"]: row for row in rows if row["last_move"] is not None}


def _stalled(moves: dict[int, dict], as_of: dt.datetime, days: int, limit: int) -> list[dict]:
    """The best scored ``limit`` of the open referrals without a stage change for ``days``;
    among equal scores, the oldest referral first."""
    cutoff = as_of - dt.timedelta(days=days)
    scored = []
    for row in moves.values():  # in id order
        last_move = as_utc(row["last_move"])
        if last_move >= cutoff:
            continue
        idle = (as_of - last_move).days
        value = row["estimated_value_cents"] or 0
        urgency, impact = idle / (2 * days), 0.4 + 0.6 * min(1, value / LARGE_MATTER_CENTS)
        scored.append((round(_clipped(urgency) * _clipped(impact), 3), row, idle, urgency, impact))
    return [
        briefing_action(
            ActionKind.stalled_referral,
            f"Move {row['client_name']} on",
            f"Still {row['stage']} after {idle} days without a stage change (stalled after {days}).",
            "referral",
            row["id"],
            urgency=urgency,
            impact=impact,
        )
        for _, row, idle, urgency, impact in heapq.nlargest(limit, scored, key=lambda s: s[0])
    ]


def _overdue(hours: float) -> str:
    if hours < 48:
        return f"{hours:.0f} hours"
    return f"{hours / 24:.0f} days"


@dataclass(frozen=True)
class _ReferralActions:
    """The running SLA clocks and latest stage changes of the open referrals, by referral,
    timed at any moment: a change to some referrals re-reads only those."""

    allowances: dict
    stalled_days: int
    clocks: dict[int, list[SlaClock]]
    moves: dict[int, dict]
    made: dict = field(default_factory=dict, compare=False)

    def top(self, limit: int, as_of: dt.datetime) -> list[dict]:
        """SLA breaches and stalled referrals at ``as_of``: the best ``limit`` of them."""
        clocks = [clock for listed in self.clocks.values() for clock in listed]
        breaches = _breach_actions(breaches_at(clocks, self.allowances, as_of, limit))
        return _top(limit, breaches + _stalled(self.moves, as_of, self.stalled_days, limit))


async def _read_referral_actions(actor, referral_ids=None):
    clocks, moves = await asyncio.gather(
        sla_clocks(actor, referral_ids), _open_moves(actor, referral_ids)
    )
    by_referral: dict[int, list[SlaClock]] = {}
    for clock in clocks:
        by_referral.setdefault(clock[2]["id"], []).append(clock)
    return by_referral, moves


@kept_until_changed(
    ignoring=TOUCHPOINTS,
    patch=lambda *a, **o: _patch_referral_actions(*a, **o),
    clock=each_day,
)
async def _referral_actions(actor: Actor, *, as_of: dt.datetime | None) -> _ReferralActions:
    allowances = await sla_allowances(actor)
    days = (await firm_settings(actor.firm_id)).relationships.stalled_days
    return _ReferralActions(allowances, days, *await _read_referral_actions(actor))


async def _patch_referral_actions(
    actor: Actor, kept: _ReferralActions, changes: list[Change], **options
) -> _ReferralActions | None:
    """Referrals created, changed or deleted: those are read again."""
    if any(change.subject_type != "referral" for change in changes):
        return None  # a setting, a partner's name…: all again
    ids = {int(change.subject_id) for change in changes}
    clocks, moves = await _read_referral_actions(actor, ids)
    kept_clocks = {rid: c for rid, c in kept.clocks.items() if rid not in ids}
    kept_moves = {rid: m for rid, m in kept.moves.items() if rid not in ids}
    return _ReferralActions(
        kept.allowances,
        kept.stalled_days,
        kept_clocks | clocks,
        dict(sorted((kept_moves | moves).items())),  # in id order, as read
    )


@dataclass(frozen=True)
class _PartnerActions:
    """On ``today``, the partners gone quiet (with what they have sent) and those due a
    check-in, by partner: a change to some partners' referrals or touchpoints re-reads only
    those partners."""

    today: dt.date
    dormant_days: int
    #: The quiet partners who have sent business, each with the score it would have.
    dormant: dict[int, tuple]
    check_ins: dict[int, tuple]
    made: dict = field(default_factory=dict, compare=False)

    def top_dormant(self, limit: int) -> list[dict]:
        """The best scored dormant partners; among equal scores the most quiet first, as
        dormant_partners lists them, then in partner order."""
        best = heapq.nsmallest(
            limit, self.dormant.items(), key=lambda item: (-item[1][0], item[1][1], item[0])
        )
        return [
            briefing_action(
                ActionKind.dormant_partner,
                f"Reconnect with {partner['name']}",
                f"{dormant_reason(idle, self.dormant_days)} "
                f"They have sent you ${value / 100:,.0f} of business.",
                "partner",
                partner["id"],
                urgency=urgency,
                impact=impact,
            )
            for _, (_, _, partner, idle, value, urgency, impact) in best
        ]

    def top_check_ins(self, limit: int) -> list[dict]:
        # A check-in's score grows with its days quiet: only the first `limit` can make it.
        return [
            briefing_action(
                ActionKind.check_in,
                f"Check in with {due.partner_name}",
                due.reason,
                "partner",
                due.partner_id,
                urgency=0.5 + due.days_quiet / 365,
                impact=0.3,
            )
            for due in check_in_list(self.check_ins, limit)
        ]


async def _read_partner_actions(actor, today, dormant_days, partner_ids=None):
    quiet, check_ins = await asyncio.gather(
        quiet_partners(
            actor, today, dormant_days, with_value_received=True, partner_ids=partner_ids
        ),
        check_ins_owed(actor, today, partner_ids),
    )
    dormant = {}
    for partner, last in quiet:
        value = int(partner["value"] or 0)  # PostgreSQL: Decimal
        if value <= 0:
            continue  # the briefing raises only partners who have sent business
        idle = (today - last).days
        urgency, impact = idle / (2 * dormant_days), value / VALUABLE_PARTNER_CENTS
        score = round(_clipped(urgency) * _clipped(impact), 3)
        dormant[partner["id"]] = (score, last, partner, idle, value, urgency, impact)
    return dormant, check_ins


@kept_until_changed(
    ignoring=NOT_READ, patch=lambda *a, **o: _patch_partner_actions(*a, **o), clock=each_day
)
async def _partner_actions(actor: Actor, *, as_of: dt.datetime | None) -> _PartnerActions:
    today = (as_of or now()).date()
    days = (await firm_settings(actor.firm_id)).relationships.dormant_days
    return _PartnerActions(today, days, *await _read_partner_actions(actor, today, days))


async def _patch_partner_actions(
    actor: Actor, kept: _PartnerActions, changes: list[Change], **options
) -> _PartnerActions | None:
    """Referrals and touchpoints created, changed or deleted: the partners they name (before
    and after) are looked at again, on the same day."""
    if any(c.subject_type not in ("referral", "activity") or c.partners is None for c in changes):
        return None  # a partner added or renamed, a setting…: all again
    ids = set().union(*(change.partners for change in changes))
    dormant, check_ins = await _read_partner_actions(actor, kept.today, kept.dormant_days, ids)

    def merged(kept_part: dict, read: dict) -> dict:
        return {k: v for k, v in kept_part.items() if k not in ids} | read

    return _PartnerActions(
        kept.today,
        kept.dormant_days,
        merged(kept.dormant, dormant),
        merged(kept.check_ins, check_ins),
    )


#: Partners owed a referral that the briefing raises.
OWED_LISTED = 10


@dataclass(frozen=True)
class _Owed:
    """What flows each way with every partner over the window to ``as_of``: a change to
    some referrals re-reads only their partners' flows."""

    as_of: dt.datetime
    window_days: int
    flows: dict[int, Any]
    made: dict = field(default_factory=dict, compare=False)


@kept_until_changed(ignoring=TOUCHPOINTS, patch=lambda *a, **o: _patch_owed(*a, **o))
async def _owed(actor: Actor, *, as_of: dt.datetime | None) -> _Owed:
    as_of = as_of or now()
    flows, window_days = await window_flows(actor, as_of)
    return _Owed(as_of, window_days, flows)


async def _patch_owed(actor: Actor, kept: _Owed, changes: list[Change], **options) -> _Owed | None:
    """Referrals changed or deleted: their partners' flows are read again, at the same moment.
    A referral dated after that moment (one just logged) is not in that window: all again,
    now."""
    if any(c.subject_type != "referral" or c.partners is None for c in changes):
        return None
    later = await Referral.count().where(
        Referral.firm == actor.firm_id,
        Referral.id.is_in([int(c.subject_id) for c in changes]),
        Referral.referred_at > kept.as_of,
    )
    if later:
        return None
    ids = set().union(*(change.partners for change in changes))
    flows, _ = await window_flows(actor, kept.as_of, ids)
    merged = {pid: f for pid, f in kept.flows.items() if pid not in ids} | flows
    return _Owed(kept.as_of, kept.window_days, merged)


async def _owed_listed(actor: Actor, owed: _Owed) -> list:
    if "listed" not in owed.made:
        ranked = most_owed(owed.flows, OWED_LISTED)
        owed.made["listed"] = await named(actor, ranked, owed.window_days)
    return owed.made["listed"]


@kept_until_changed
async def _plugin_actions(actor: Actor, *, as_of: dt.datetime | None) -> list[dict]:
    as_of = as_of or now()
    collected = await asyncio.gather(
        *(source.collect(actor, as_of) for source in briefing_sources())
    )
    return [action for actions in collected for action in actions]


async def daily_briefing(
    actor: Actor, *, as_of: dt.datetime | None = None, limit: int = 20
) -> list[BriefingAction]:
    """Each part is kept until the data it reads changes (docs/insights.md), then brought up
    to date by reading again only what changed, or computed afresh."""
    # The parts are independent reads: the database answers them side by side.
    with one_reading():
        plugin_actions, referral_actions, partner_actions, owed_flows = await asyncio.gather(
            _plugin_actions(actor, as_of=as_of),
            _referral_actions(actor, as_of=as_of),
            _partner_actions(actor, as_of=as_of),
            _owed(actor, as_of=as_of),
        )
    owed_partners = await _owed_listed(actor, owed_flows)
    owed = [
        briefing_action(
            ActionKind.owed_referral,
            f"Send {owed.partner_name} a referral",
            owed.explanation + f" Owed score {owed.owed_score}.",
            "partner",
            owed.partner_id,
            urgency=0.5,
            impact=owed.owed_score / 5,
        )
        for owed in owed_partners
    ]
    # In this order among equal scores: plugins' actions, SLA breaches, stalled referrals,
    # dormant partners, owed referrals, check-ins.
    actions = [
        *plugin_actions,
        # Timed once per clock step (or for the moment asked for).
        *_kept_for(
            referral_actions,
            ("top", limit, as_of or clock_step()),
            lambda: referral_actions.top(limit, as_of or now()),
        ),
        *_kept_for(partner_actions, ("dormant", limit), lambda: partner_actions.top_dormant(limit)),
        *owed,
        *_kept_for(
            partner_actions, ("check_ins", limit), lambda: partner_actions.top_check_ins(limit)
        ),
    ]
    return [BriefingAction(**a) for a in _top(limit, actions)]


def _breach_actions(breaches: list[SlaBreach]) -> list[dict]:
    actions = []
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
    return actions
