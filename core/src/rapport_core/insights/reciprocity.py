"""Reciprocity: what flows each way between the firm and each partner over the rolling
window, and "who do I owe a referral to?". Formulas: docs/insights.md."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from pydantic import BaseModel

from rapport_core import sql
from rapport_core.actors import Actor
from rapport_core.clock import as_utc, now
from rapport_core.services.common import from_cents
from rapport_core.services.firm_settings import firm_settings
from rapport_core.services.partners import get_partner
from rapport_core.tables import Partner, Referral
from rapport_core.vocabulary import Direction


class Reciprocity(BaseModel):
    partner_id: int
    partner_name: str
    window_days: int
    received_count: int
    sent_count: int
    received_value: Decimal
    sent_value: Decimal
    #: Received minus sent, each referral weighted by recency and value: above 0, you owe.
    owed_score: float
    last_received_at: dt.datetime | None
    last_sent_at: dt.datetime | None
    explanation: str


@dataclass
class _Flow:
    counts: dict[str, int] = field(default_factory=lambda: {"sent": 0, "received": 0})
    cents: dict[str, int] = field(default_factory=lambda: {"sent": 0, "received": 0})
    last: dict[str, dt.datetime | str | None] = field(
        default_factory=lambda: {"sent": None, "received": None}
    )
    score: float = 0.0


async def _window(
    actor: Actor, as_of: dt.datetime, partner_id: int | None = None, partner_ids=None
):
    """SQL for the referrals of the rolling window with each one's weight, its parameters,
    and the window's length in days. A referral's weight: recent and valuable ones count
    more, halving every ``owed_half_life_days``, and a $10,000 matter about twice a small
    one (0.5 ^ (age / half-life) × (1 + log10(1 + dollars / 1,000)))."""
    relationships = (await firm_settings(actor.firm_id)).relationships
    since = as_of - dt.timedelta(days=relationships.window_days)
    one_partner = "AND partner = {}" if partner_id is not None else ""
    if partner_ids is not None:
        one_partner += f" AND partner IN ({', '.join(str(int(p)) for p in partner_ids) or 0})"
    window = f"""
        SELECT partner, direction, referred_at, value,
               POWER({sql.real(0.5)}, age / {relationships.owed_half_life_days})
                   * (1 + LOG10(1 + value / {sql.real(100000.0)})) AS weight
        FROM (
            SELECT partner, direction, referred_at,
                   COALESCE(actual_value_cents, estimated_value_cents, 0) AS value,
                   {sql.days_between("{}", "referred_at")} AS age
            FROM rapport_referral
            WHERE firm = {{}} AND partner IS NOT NULL AND referred_at >= {{}}
              AND referred_at <= {{}} {one_partner}
        ) AS aged
    """
    params = [as_of, actor.firm_id, since, as_of]
    if partner_id is not None:
        params.append(partner_id)
    return window, params, relationships.window_days


async def _flows(
    actor: Actor, as_of: dt.datetime, partner_id: int | None = None
) -> tuple[dict[int, _Flow], int]:
    """Counts, value, latest date and summed weights per partner and direction, added up by
    the database."""
    window, params, window_days = await _window(actor, as_of, partner_id)
    rows = await Referral.raw(
        f"""
        SELECT partner, direction, COUNT(*) AS n, SUM(value) AS cents, MAX(referred_at) AS last,
               SUM(weight) AS weight
        FROM ({window}) AS window_referrals
        GROUP BY partner, direction
        """,
        *params,
    )
    flows: dict[int, _Flow] = {}
    for row in rows:
        flow = flows.setdefault(row["partner"], _Flow())
        direction = row["direction"]
        flow.counts[direction] = row["n"]
        flow.cents[direction] = int(row["cents"] or 0)
        flow.last[direction] = row["last"]
        weight = float(row["weight"] or 0)
        flow.score += weight if direction == Direction.received else -weight
    return flows, window_days


def _both_ways(window: str) -> str:
    """One row per partner of the window, both directions side by side."""
    per_direction = ",\n".join(
        f"""COUNT(CASE WHEN direction = '{d}' THEN 1 END) AS n_{d},
            SUM(CASE WHEN direction = '{d}' THEN value END) AS cents_{d},
            MAX(CASE WHEN direction = '{d}' THEN referred_at END) AS last_{d},
            COALESCE(SUM(CASE WHEN direction = '{d}' THEN weight END), 0) AS weight_{d}"""
        for d in ("received", "sent")
    )
    return f"SELECT partner, {per_direction} FROM ({window}) AS window_referrals GROUP BY partner"


def _flows_of(rows) -> dict[int, _Flow]:
    flows: dict[int, _Flow] = {}
    for row in rows:
        flow = flows[row["partner"]] = _Flow()
        for d in ("received", "sent"):
            flow.counts[d] = row[f"n_{d}"]
            flow.cents[d] = int(row[f"cents_{d}"] or 0)
            flow.last[d] = row[f"last_{d}"]
        flow.score = float(row["weight_received"]) - float(row["weight_sent"])
    return flows


async def _most_owed(actor: Actor, as_of: dt.datetime, limit: int) -> tuple[dict[int, _Flow], int]:
    """The ``limit`` partners with the highest owed score above 0, most owed first: the
    database ranks them, so only those listed come back."""
    window, params, window_days = await _window(actor, as_of)
    rows = await Referral.raw(
        f"""
        SELECT * FROM ({_both_ways(window)}) AS flows
        WHERE weight_received - weight_sent > 0
        ORDER BY weight_received - weight_sent DESC, partner
        LIMIT {int(limit)}
        """,
        *params,
    )
    return _flows_of(rows), window_days


async def window_flows(
    actor: Actor, as_of: dt.datetime, partner_ids: Collection[int] | None = None
) -> tuple[dict[int, _Flow], int]:
    """What flows each way with every partner (of ``partner_ids``, or all) over the window
    to ``as_of``, for a caller that keeps them and ranks them itself (:func:`most_owed`)."""
    window, params, window_days = await _window(actor, as_of, partner_ids=partner_ids)
    return _flows_of(await Referral.raw(_both_ways(window), *params)), window_days


def most_owed(flows: dict[int, _Flow], limit: int) -> dict[int, _Flow]:
    """As :func:`_most_owed` ranks them: highest owed score above 0 first, then by partner."""
    ranked = sorted(
        (pid for pid, f in flows.items() if f.score > 0), key=lambda p: (-flows[p].score, p)
    )
    return {pid: flows[pid] for pid in ranked[:limit]}


def _reciprocity(partner_id: int, name: str, flow: _Flow, window_days: int) -> Reciprocity:
    received, sent = flow.counts["received"], flow.counts["sent"]
    if received > sent:
        explanation = f"They sent you {received} and you sent them {sent} in {window_days} days."
    elif sent > received:
        explanation = f"You sent them {sent} and they sent you {received} in {window_days} days."
    else:
        explanation = f"{received} each way in {window_days} days."
    return Reciprocity(
        partner_id=partner_id,
        partner_name=name,
        window_days=window_days,
        received_count=received,
        sent_count=sent,
        received_value=from_cents(flow.cents["received"]),
        sent_value=from_cents(flow.cents["sent"]),
        owed_score=round(flow.score, 3),
        last_received_at=as_utc(flow.last["received"]),
        last_sent_at=as_utc(flow.last["sent"]),
        explanation=explanation,
    )


async def partner_reciprocity(
    actor: Actor, partner_id: int, *, as_of: dt.datetime | None = None
) -> Reciprocity:
    partner = await get_partner(actor, partner_id)  # another firm's partner: NotFound
    flows, window = await _flows(actor, as_of or now(), partner_id)
    return _reciprocity(partner.id, partner.name, flows.get(partner.id, _Flow()), window)


async def partners_owed(
    actor: Actor, *, as_of: dt.datetime | None = None, limit: int = 50
) -> list[Reciprocity]:
    """Partners whose referrals to you outweigh yours to them, most owed first."""
    return await named(actor, *await _most_owed(actor, as_of or now(), limit))


async def named(actor: Actor, owed: dict[int, _Flow], window_days: int) -> list[Reciprocity]:
    """The ranked flows as reciprocity, with the partners' names."""
    ranked = list(owed.items())
    names = {
        row["id"]: row["name"]
        for row in await Partner.select(Partner.id, Partner.name).where(
            Partner.firm == actor.firm_id, Partner.id.is_in([pid for pid, _ in ranked] or [0])
        )
    }
    return [
        _reciprocity(pid, names[pid], flow, window_days) for pid, flow in ranked if pid in names
    ]
