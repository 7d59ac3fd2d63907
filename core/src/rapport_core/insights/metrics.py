"""Referral metrics for a firm, optionally one partner, over a period. Each rate states
what it divides by; formulas: docs/insights.md."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter, defaultdict
from decimal import ROUND_HALF_EVEN, Decimal

from pydantic import BaseModel

from rapport_core import sql
from rapport_core.actors import Actor
from rapport_core.clock import now
from rapport_core.insights.freshness import kept_until_changed
from rapport_core.services.common import from_cents
from rapport_core.services.partners import get_partner
from rapport_core.tables import Partner, Referral
from rapport_core.vocabulary import UNKNOWN_SOURCE_LABEL, Direction, Stage


class SourceValue(BaseModel):
    """What one source's received referrals were worth (partner_id None: source unknown)."""

    partner_id: int | None
    source: str
    received: int
    engaged: int
    conversion_rate: float | None
    actual_value: Decimal
    average_matter_value: Decimal | None


class MonthCount(BaseModel):
    month: str  # YYYY-MM
    sent: int
    received: int


class Metrics(BaseModel):
    period_from: dt.date
    period_to: dt.date
    partner_id: int | None
    received: int
    sent: int
    #: Sent referrals the partner accepted (accepted or engaged) ÷ those decided either way.
    acceptance_rate: float | None
    #: Engaged ÷ closed (engaged, declined or lost), both directions.
    conversion_rate: float | None
    #: Mean actual value of engaged referrals whose value is recorded.
    average_deal_size: Decimal | None
    first_contact_hours_median: float | None
    first_contact_hours_p90: float | None
    payout_days_median: float | None
    payout_days_p90: float | None
    #: Received referrals with no known source ÷ all received.
    unknown_source_share: float | None
    by_source: list[SourceValue]
    monthly: list[MonthCount]


#: Up to this many sources, their names are looked up by id (see referral_metrics).
FEW_SOURCES = 200


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least ``share`` of values at or below."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(len(ordered) * share))
    return round(ordered[rank - 1], 2)


def _mean_money(total_cents: int, count: int) -> Decimal | None:
    """Mean of ``count`` amounts, to the cent, rounding half to even."""
    if not count:
        return None
    return from_cents(int((Decimal(total_cents) / count).quantize(Decimal(1), ROUND_HALF_EVEN)))


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


async def period(
    actor: Actor, period_from: dt.date | None, period_to: dt.date | None, partner_id: int | None
) -> tuple[dt.date, dt.date, dt.datetime, dt.datetime]:
    """The period asked for (default: the 365 days to today) as dates and as the UTC instants
    that bound it; checks that ``partner_id``, if given, is the actor's firm's."""
    period_to = period_to or now().date()
    period_from = period_from or period_to - dt.timedelta(days=365)
    if partner_id is not None:
        await get_partner(actor, partner_id)  # another firm's partner: NotFound
    start = dt.datetime.combine(period_from, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(period_to + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return period_from, period_to, start, end


@kept_until_changed
async def referral_metrics(
    actor: Actor,
    *,
    period_from: dt.date | None = None,
    period_to: dt.date | None = None,
    partner_id: int | None = None,
) -> Metrics:
    period_from, period_to, start, end = await period(actor, period_from, period_to, partner_id)
    scope = "firm = {} AND referred_at >= {} AND referred_at < {}"
    params = [actor.firm_id, start, end]
    if partner_id is not None:
        scope += " AND partner = {}"
        params.append(partner_id)
    received_scope = f"{scope} AND direction = '{Direction.received.value}'"
    engaged = f"stage = '{Stage.engaged.value}'"

    # Everything is added up by the database in a few passes over the period, each grouped as
    # coarsely as its figures allow (few groups keep the sort cheap): totals and months by
    # direction and stage, then the value of each source. No referral row comes back.
    count: Counter[tuple[str, str]] = Counter()
    months: dict[str, Counter] = defaultdict(Counter)
    valued = value = 0
    month = sql.month_of("referred_at")
    for row in await Referral.raw(
        f"SELECT direction, stage, {month} AS month, COUNT(*) AS n, "
        "COUNT(actual_value_cents) AS valued, SUM(actual_value_cents) AS value "
        f"FROM rapport_referral WHERE {scope} GROUP BY direction, stage, {month}",
        *params,
    ):
        count[row["direction"], row["stage"]] += row["n"]
        months[row["month"]][row["direction"]] += row["n"]
        if row["stage"] == Stage.engaged:
            valued += row["valued"]
            value += int(row["value"] or 0)  # PostgreSQL: Decimal
    per_source = {
        row["partner"]: {
            "received": row["n"],
            "engaged": int(row["engaged"] or 0),
            "value": int(row["value"] or 0),
            "valued": int(row["valued"] or 0),
        }
        for row in await Referral.raw(
            f"SELECT partner, COUNT(*) AS n, SUM(CASE WHEN {engaged} THEN 1 ELSE 0 END) AS engaged, "
            f"SUM(CASE WHEN {engaged} THEN actual_value_cents END) AS value, "
            f"COUNT(CASE WHEN {engaged} THEN actual_value_cents END) AS valued "
            # In partner order (unknown first), so sources of equal value list the same way
            # on both databases.
            f"FROM rapport_referral WHERE {received_scope} GROUP BY partner "
            "ORDER BY partner NULLS FIRST",
            *params,
        )
    }
    sent = sum(n for (direction, _), n in count.items() if direction == Direction.sent)
    received = sum(n for (direction, _), n in count.items() if direction == Direction.received)
    accepted = count["sent", "accepted"] + count["sent", "engaged"]
    engaged_count = sum(n for (_, stage), n in count.items() if stage == Stage.engaged)
    closed = sum(n for (_, stage), n in count.items() if stage in ("engaged", "declined", "lost"))

    contact_hours = [
        float(row["hours"])
        for row in await Referral.raw(
            f"SELECT {sql.days_between('first_contact_at', 'referred_at')} * 24 AS hours "
            f"FROM rapport_referral WHERE {received_scope} AND first_contact_at IS NOT NULL",
            *params,
        )
    ]
    # "paid_at IS NOT NULL" first: the partial index of paid referrals answers it.
    payout_days = [
        float(row["days"])
        for row in await Referral.raw(
            f"SELECT {sql.days_between('paid_at', 'closed_at')} AS days FROM rapport_referral "
            f"WHERE paid_at IS NOT NULL AND {received_scope} AND closed_at IS NOT NULL",
            *params,
        )
    ]

    # A few sources: looked up by id. Thousands: every name of the firm's partners in one
    # read of the (firm, name) index is cheaper than thousands of lookups.
    sources = [pid for pid in per_source if pid]
    names_of = Partner.select(Partner.id, Partner.name).where(Partner.firm == actor.firm_id)
    if len(sources) <= FEW_SOURCES:
        names_of = names_of.where(Partner.id.is_in(sources or [0]))
    names = {row["id"]: row["name"] for row in await names_of}
    by_source = sorted(
        (
            SourceValue(
                partner_id=pid,
                source=names.get(pid, UNKNOWN_SOURCE_LABEL) if pid else UNKNOWN_SOURCE_LABEL,
                received=t["received"],
                engaged=t["engaged"],
                conversion_rate=_rate(t["engaged"], t["received"]),
                actual_value=from_cents(t["value"]),
                average_matter_value=_mean_money(t["value"], t["valued"]),
            )
            for pid, t in per_source.items()
        ),
        key=lambda s: (s.actual_value, s.received),
        reverse=True,
    )
    monthly = [
        MonthCount(month=m, sent=c[Direction.sent], received=c[Direction.received])
        for m, c in sorted(months.items())
    ]

    return Metrics(
        period_from=period_from,
        period_to=period_to,
        partner_id=partner_id,
        received=received,
        sent=sent,
        acceptance_rate=_rate(accepted, accepted + count["sent", "declined"]),
        conversion_rate=_rate(engaged_count, closed),
        average_deal_size=_mean_money(value, valued),
        first_contact_hours_median=_median(contact_hours),
        first_contact_hours_p90=percentile(contact_hours, 0.9),
        payout_days_median=_median(payout_days),
        payout_days_p90=percentile(payout_days, 0.9),
        unknown_source_share=_rate(per_source.get(None, {}).get("received", 0), received),
        by_source=by_source,
        monthly=monthly,
    )
