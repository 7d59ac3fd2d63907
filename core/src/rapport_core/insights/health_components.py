"""The built-in components of partner health, registered through the same hook as a plugin's
(by rapport_core.insights.plugin).
Each reads the figures of every partner asked about in a few grouped queries (the shared
``referral_figures`` once for all of them). Formulas: docs/insights.md."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass

from piccolo.query.functions.aggregate import Count, Max, Sum

from rapport_core.clock import as_utc
from rapport_core.insights.health import HealthComponent, HealthContext, Rating
from rapport_core.tables import Activity, Licence, Referral, ReferralStageChange
from rapport_core.vocabulary import Direction, Stage

CLOSED = (Stage.engaged.value, Stage.declined.value, Stage.lost.value)


def decay(age: float, full: float, zero: float) -> float:
    """1 up to ``full``, 0 from ``zero``, falling in a straight line between."""
    if age <= full:
        return 1.0
    if age >= zero:
        return 0.0
    return (zero - age) / (zero - full)


def _days(n: float) -> str:
    n = round(n)
    return "today" if n <= 0 else f"{n} day{'s' if n != 1 else ''} ago"


@dataclass
class ReferralFigures:
    """One partner's referrals: the latest either way (all time) and, in the window, the
    counts each way, their received referrals closed and engaged, and the value engaged."""

    last: dt.datetime | None = None
    received: int = 0
    sent: int = 0
    closed: int = 0
    engaged: int = 0
    value_cents: int = 0


async def referral_figures(context: HealthContext) -> dict[int, ReferralFigures]:
    async def compute() -> dict[int, ReferralFigures]:
        firm = [Referral.firm == context.actor.firm_id, *context.partner_filter(Referral.partner)]
        figures: dict[int, ReferralFigures] = defaultdict(ReferralFigures)
        for row in (
            await Referral.select(Referral.partner, Max(Referral.referred_at, alias="last"))
            .where(*firm, Referral.partner.is_not_null())
            .group_by(Referral.partner)
        ):
            figures[row["partner"]].last = as_utc(row["last"])
        for row in (
            await Referral.select(
                Referral.partner,
                Referral.direction,
                Referral.stage,
                Count(alias="n"),
                Sum(Referral.actual_value_cents, alias="value"),
            )
            .where(
                *firm, Referral.partner.is_not_null(), Referral.referred_at >= context.window_start
            )
            .group_by(Referral.partner, Referral.direction, Referral.stage)
        ):
            f = figures[row["partner"]]
            if row["direction"] == Direction.sent:
                f.sent += row["n"]
                continue
            f.received += row["n"]
            if row["stage"] in CLOSED:
                f.closed += row["n"]
            if row["stage"] == Stage.engaged:
                f.engaged += row["n"]
                f.value_cents += int(row["value"] or 0)
        return figures

    return await context.once("referral_figures", compute)


async def rate_referral_recency(context: HealthContext) -> dict[int, Rating]:
    h = context.health
    scale = f"full marks within {h.recency_full_days} days, none after {h.recency_zero_days}"
    ratings = {}
    for pid, f in (await referral_figures(context)).items():
        if f.last is None:
            continue
        age = (context.as_of - f.last).total_seconds() / 86400
        ratings[pid] = (
            decay(age, h.recency_full_days, h.recency_zero_days),
            f"Last referral either way {_days(age)} ({scale}).",
        )
    return context.complete(ratings, (0.0, "No referral either way yet."))


async def rate_touchpoint_recency(context: HealthContext) -> dict[int, Rating]:
    h = context.health
    scale = f"full marks within {h.recency_full_days} days, none after {h.recency_zero_days}"
    ratings = {}
    for row in (
        await Activity.select(Activity.partner, Max(Activity.occurred_on, alias="last"))
        .where(Activity.firm == context.actor.firm_id, *context.partner_filter(Activity.partner))
        .group_by(Activity.partner)
    ):
        last = row["last"]
        if isinstance(last, str):  # SQLite returns MAX() of a date as text
            last = dt.date.fromisoformat(last[:10])
        age = (context.as_of.date() - last).days
        ratings[row["partner"]] = (
            decay(age, h.recency_full_days, h.recency_zero_days),
            f"Last touchpoint {_days(age)} ({scale}).",
        )
    return context.complete(ratings, (0.0, "No touchpoint logged."))


async def rate_frequency(context: HealthContext) -> dict[int, Rating]:
    window = context.settings.relationships.window_days
    target = context.health.target_referrals_per_year * window / 365
    ratings = {
        pid: (
            min(1.0, (f.received + f.sent) / target),
            f"{f.received + f.sent} referrals either way in {window} days "
            f"(full marks at {target:g}).",
        )
        for pid, f in (await referral_figures(context)).items()
    }
    return context.complete(ratings, (0.0, f"No referrals either way in {window} days."))


async def rate_conversion(context: HealthContext) -> dict[int, Rating]:
    needed = context.health.conversion_min_closed
    ratings = {}
    for pid, f in (await referral_figures(context)).items():
        if f.closed >= needed:
            ratings[pid] = (
                f.engaged / f.closed,
                f"{f.engaged} of {f.closed} referrals from them that closed in the window were engaged.",
            )
        else:
            ratings[pid] = (
                None,
                f"{f.closed} of their referrals closed in the window; {needed} needed to judge.",
            )
    return context.complete(ratings, (None, "None of their referrals closed in the window."))


async def rate_value(context: HealthContext) -> dict[int, Rating]:
    full = context.health.value_full_dollars
    window = context.settings.relationships.window_days
    ratings = {}
    for pid, f in (await referral_figures(context)).items():
        dollars = f.value_cents / 100
        ratings[pid] = (
            min(1.0, math.log10(1 + dollars) / math.log10(1 + full)),
            f"${dollars:,.0f} of engaged business from them in {window} days "
            f"(log scale, full marks at ${full:,}).",
        )
    return context.complete(ratings, (0.0, f"No engaged business from them in {window} days."))


async def rate_reciprocity(context: HealthContext) -> dict[int, Rating]:
    ratings = {}
    for pid, f in (await referral_figures(context)).items():
        total = f.received + f.sent
        if total:
            balance = 1 - abs(f.received - f.sent) / total
            ratings[pid] = (
                balance,
                f"They sent {f.received} and you sent {f.sent} in the window: "
                f"1 − |difference| ÷ total = {balance:.2f}.",
            )
    return context.complete(ratings, (None, "No referrals either way in the window."))


async def rate_responsiveness(context: HealthContext) -> dict[int, Rating]:
    h = context.health
    referral = ReferralStageChange.referral
    hours: dict[int, list[float]] = defaultdict(list)
    for row in await ReferralStageChange.select(
        referral.partner.as_alias("partner"),
        referral.referred_at.as_alias("referred_at"),
        ReferralStageChange.changed_at,
    ).where(
        ReferralStageChange.firm == context.actor.firm_id,
        ReferralStageChange.from_stage == Stage.introduced.value,
        referral.referred_at >= context.window_start,
        *context.partner_filter(referral.partner),
    ):
        answered = as_utc(row["changed_at"]) - as_utc(row["referred_at"])
        hours[row["partner"]].append(max(answered.total_seconds(), 0) / 3600)
    ratings = {}
    for pid, values in hours.items():
        median = statistics.median(values)
        ratings[pid] = (
            decay(median, h.response_full_hours, h.response_zero_hours),
            f"They answer the referrals you send in {median:.0f} hours (median of {len(values)}; "
            f"full marks within {h.response_full_hours:g}, none after {h.response_zero_hours:g}).",
        )
    return context.complete(ratings, (None, "No referral you sent them in the window to answer."))


async def rate_licence(context: HealthContext) -> dict[int, Rating]:
    warning = context.health.licence_warning_days
    today = context.as_of.date()
    worst: dict[int, Rating] = {}
    for row in await Licence.select(
        Licence.partner, Licence.kind, Licence.status, Licence.expires_on
    ).where(Licence.firm == context.actor.firm_id, *context.partner_filter(Licence.partner)):
        expires = row["expires_on"]
        if isinstance(expires, str):
            expires = dt.date.fromisoformat(expires)
        if row["status"] != "active":
            rating = (0.0, f"{row['kind']} licence is {row['status']}.")
        elif expires is not None and expires < today:
            rating = (0.0, f"{row['kind']} licence expired on {expires:%b %d %Y}.")
        elif expires is not None and (expires - today).days <= warning:
            rating = (0.5, f"{row['kind']} licence expires in {(expires - today).days} days.")
        else:
            until = f", expires {expires:%b %d %Y}" if expires else ""
            rating = (1.0, f"{row['kind']} licence active{until}.")
        if row["partner"] not in worst or rating[0] < worst[row["partner"]][0]:
            worst[row["partner"]] = rating
    return context.complete(worst, (None, "No licence on file."))


BUILT_IN = [
    HealthComponent(
        "recency_referral",
        "Last referral",
        20,
        rate_referral_recency,
        lambda h: h.weight_recency_referral,
    ),
    HealthComponent(
        "recency_touchpoint",
        "Last touchpoint",
        10,
        rate_touchpoint_recency,
        lambda h: h.weight_recency_touchpoint,
    ),
    HealthComponent("frequency", "Frequency", 15, rate_frequency, lambda h: h.weight_frequency),
    HealthComponent("conversion", "Conversion", 15, rate_conversion, lambda h: h.weight_conversion),
    HealthComponent("value", "Value", 15, rate_value, lambda h: h.weight_value),
    HealthComponent(
        "reciprocity", "Reciprocity", 10, rate_reciprocity, lambda h: h.weight_reciprocity
    ),
    HealthComponent(
        "responsiveness",
        "Responsiveness",
        5,
        rate_responsiveness,
        lambda h: h.weight_responsiveness,
    ),
    HealthComponent("licence", "Licence", 10, rate_licence, lambda h: h.weight_licence),
]
