"""Referral metrics for a firm, optionally one partner, over a period. Each rate states
what it divides by; formulas: docs/insights.md."""

from __future__ import annotations

import datetime as dt
import functools
import math
import statistics
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from pydantic import BaseModel

from rapport_core import sql
from rapport_core.actors import Actor
from rapport_core.clock import now
from rapport_core.insights.freshness import TOUCHPOINTS, each_day, kept_until_changed
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


@dataclass(frozen=True)
class _Counted:
    """What one referral of the period adds to the metrics."""

    partner: int | None
    direction: str
    stage: str
    month: str
    actual_value_cents: int | None
    contact_hours: float | None  # received, first contact made
    payout_days: float | None  # received, closed and paid


@dataclass
class _Counts:
    """The period's referrals added up, with what each one added (so a change to some
    referrals takes out what they added and puts in what they add now, reading only those)
    and the names of the sources. Kept between requests: never changed once built."""

    period_from: dt.date
    period_to: dt.date
    start: dt.datetime
    end: dt.datetime
    partner_id: int | None
    names: dict[int, str]
    referrals: dict[int, _Counted] = field(default_factory=dict)
    count: Counter = field(default_factory=Counter)  # (direction, stage)
    months: Counter = field(default_factory=Counter)  # (month, direction)
    #: Engaged referrals with an actual value, both directions: how many, and their cents.
    valued: int = 0
    value: int = 0
    #: Per source of received referrals: received, engaged, engaged cents, engaged valued.
    sources: dict[int | None, tuple[int, int, int, int]] = field(default_factory=dict)
    contact_hours: Counter = field(default_factory=Counter)
    payout_days: Counter = field(default_factory=Counter)
    #: Each source's row of by_source, made once and reused until its figures change.
    rows: dict[int | None, SourceValue] = field(default_factory=dict)

    def add(self, rid: int, r: _Counted, sign: int = 1) -> None:
        if sign > 0:
            self.referrals[rid] = r
        self.count[r.direction, r.stage] += sign
        self.months[r.month, r.direction] += sign
        engaged = r.stage == Stage.engaged
        valued = engaged and r.actual_value_cents is not None
        if valued:
            self.valued += sign
            self.value += sign * r.actual_value_cents
        if r.direction == Direction.received:
            n, e, cents, v = self.sources.get(r.partner, (0, 0, 0, 0))
            self.sources[r.partner] = (
                n + sign,
                e + sign * engaged,
                cents + (sign * r.actual_value_cents if valued else 0),
                v + sign * valued,
            )
            if self.sources[r.partner][0] == 0:
                del self.sources[r.partner]
            self.rows.pop(r.partner, None)
        if r.contact_hours is not None:
            self.contact_hours[r.contact_hours] += sign
        if r.payout_days is not None:
            self.payout_days[r.payout_days] += sign

    def patched(self, changed: dict[int, _Counted], ids: set[int]) -> _Counts:
        """A copy with the referrals ``ids`` as they are now (``changed``; absent: gone)."""
        copy = _Counts(
            self.period_from,
            self.period_to,
            self.start,
            self.end,
            self.partner_id,
            self.names,
            dict(self.referrals),
            Counter(self.count),
            Counter(self.months),
            self.valued,
            self.value,
            dict(self.sources),
            Counter(self.contact_hours),
            Counter(self.payout_days),
            dict(self.rows),
        )
        for rid in ids:
            if (before := copy.referrals.pop(rid, None)) is not None:
                copy.add(rid, before, -1)
            if rid in changed:
                copy.add(rid, changed[rid])
        return copy

    @functools.cached_property
    def metrics(self) -> Metrics:
        return _metrics(self)

    @functools.cached_property
    def metrics_json(self) -> bytes:
        return self.metrics.model_dump_json().encode()


async def _read_counted(
    actor: Actor, start: dt.datetime, end: dt.datetime, partner_id: int | None, ids=None
) -> dict[int, _Counted]:
    """The period's referrals (with ``ids``, only those of them), one row each. Timings are
    worked out by the database, as the figures always were."""
    received = f"direction = '{Direction.received.value}'"
    where = "firm = {} AND referred_at >= {} AND referred_at < {}"
    params: list = [actor.firm_id, start, end]
    if partner_id is not None:
        where += " AND partner = {}"
        params.append(partner_id)
    if ids is not None:
        where += f" AND id IN ({', '.join(str(int(i)) for i in ids) or 0})"
    rows = await Referral.raw(
        f"SELECT id, partner, direction, stage, {sql.month_of('referred_at')} AS month, "
        "actual_value_cents, "
        f"CASE WHEN {received} AND first_contact_at IS NOT NULL "
        f"THEN {sql.days_between('first_contact_at', 'referred_at')} * 24 END AS hours, "
        f"CASE WHEN paid_at IS NOT NULL AND {received} AND closed_at IS NOT NULL "
        f"THEN {sql.days_between('paid_at', 'closed_at')} END AS days "
        f"FROM rapport_referral WHERE {where}",
        *params,
    )
    return {
        row["id"]: _Counted(
            row["partner"],
            row["direction"],
            row["stage"],
            row["month"],
            row["actual_value_cents"],
            None if row["hours"] is None else float(row["hours"]),
            None if row["days"] is None else float(row["days"]),
        )
        for row in rows
    }


async def _source_names(actor: Actor, referrals: dict[int, _Counted]) -> dict[int, str]:
    # A few sources: looked up by id. Thousands: every name of the firm's partners in one
    # read of the (firm, name) index is cheaper than thousands of lookups.
    sources = {r.partner for r in referrals.values() if r.partner and r.direction == "received"}
    names_of = Partner.select(Partner.id, Partner.name).where(Partner.firm == actor.firm_id)
    if len(sources) <= FEW_SOURCES:
        names_of = names_of.where(Partner.id.is_in(list(sources) or [0]))
    return {row["id"]: row["name"] for row in await names_of}


@kept_until_changed(
    ignoring=TOUCHPOINTS, patch=lambda *a, **o: _patch_counts(*a, **o), clock=each_day
)
async def _counts(
    actor: Actor,
    *,
    period_from: dt.date | None = None,
    period_to: dt.date | None = None,
    partner_id: int | None = None,
) -> _Counts:
    period_from, period_to, start, end = await period(actor, period_from, period_to, partner_id)
    referrals = await _read_counted(actor, start, end, partner_id)
    counts = _Counts(
        period_from, period_to, start, end, partner_id, await _source_names(actor, referrals)
    )
    for rid, r in referrals.items():
        counts.add(rid, r)
    return counts


async def _patch_counts(actor: Actor, kept: _Counts, changes, **options) -> _Counts | None:
    """Referrals created, changed or deleted: only those are read again. Anything else (a
    partner renamed, a payout made, a setting changed…): None, all is read again."""
    if any(change.subject_type != "referral" for change in changes):
        return None
    ids = {int(change.subject_id) for change in changes}
    changed = await _read_counted(actor, kept.start, kept.end, kept.partner_id, ids)
    if any(r.partner and r.partner not in kept.names for r in changed.values()):
        return None  # a source not named yet
    return kept.patched(changed, ids)


async def referral_metrics(
    actor: Actor,
    *,
    period_from: dt.date | None = None,
    period_to: dt.date | None = None,
    partner_id: int | None = None,
) -> Metrics:
    counts = await _counts(
        actor, period_from=period_from, period_to=period_to, partner_id=partner_id
    )
    return counts.metrics


async def referral_metrics_json(
    actor: Actor,
    *,
    period_from: dt.date | None = None,
    period_to: dt.date | None = None,
    partner_id: int | None = None,
) -> bytes:
    """:func:`referral_metrics` as JSON, encoded once per kept result (a large firm's list of
    sources is most of the work of answering the API)."""
    counts = await _counts(
        actor, period_from=period_from, period_to=period_to, partner_id=partner_id
    )
    return counts.metrics_json


def _source_row(pid: int | None, names: dict[int, str], figures) -> SourceValue:
    n, engaged, cents, valued = figures
    return SourceValue(
        partner_id=pid,
        source=names.get(pid, UNKNOWN_SOURCE_LABEL) if pid else UNKNOWN_SOURCE_LABEL,
        received=n,
        engaged=engaged,
        conversion_rate=_rate(engaged, n),
        actual_value=from_cents(cents),
        average_matter_value=_mean_money(cents, valued),
    )


def _metrics(counts: _Counts) -> Metrics:
    count = counts.count
    for pid, figures in counts.sources.items():
        if pid not in counts.rows:
            counts.rows[pid] = _source_row(pid, counts.names, figures)
    sent = sum(n for (direction, _), n in count.items() if direction == Direction.sent)
    received = sum(n for (direction, _), n in count.items() if direction == Direction.received)
    accepted = count["sent", "accepted"] + count["sent", "engaged"]
    engaged_count = sum(n for (_, stage), n in count.items() if stage == Stage.engaged)
    closed = sum(n for (_, stage), n in count.items() if stage in ("engaged", "declined", "lost"))
    contact_hours = sorted(counts.contact_hours.elements())
    payout_days = sorted(counts.payout_days.elements())
    # Most valuable first, then most received; sources of equal value in partner order
    # (unknown first), so they list the same way on both databases. Sorted by cents: the
    # same order as by amount, without comparing thousands of Decimals.
    sources = counts.sources
    by_source = [
        counts.rows[pid]
        for pid in sorted(
            sources,
            key=lambda pid: (-sources[pid][2], -sources[pid][0], pid is not None, pid or 0),
        )
    ]
    months = sorted({month for month, _ in counts.months if counts.months[month, _]})
    monthly = [
        MonthCount(
            month=m,
            sent=counts.months[m, Direction.sent],
            received=counts.months[m, Direction.received],
        )
        for m in months
    ]

    return Metrics(
        period_from=counts.period_from,
        period_to=counts.period_to,
        partner_id=counts.partner_id,
        received=received,
        sent=sent,
        acceptance_rate=_rate(accepted, accepted + count["sent", "declined"]),
        conversion_rate=_rate(engaged_count, closed),
        average_deal_size=_mean_money(counts.value, counts.valued),
        first_contact_hours_median=_median(contact_hours),
        first_contact_hours_p90=percentile(contact_hours, 0.9),
        payout_days_median=_median(payout_days),
        payout_days_p90=percentile(payout_days, 0.9),
        unknown_source_share=_rate(counts.sources.get(None, (0,))[0], received),
        by_source=by_source,
        monthly=monthly,
    )
