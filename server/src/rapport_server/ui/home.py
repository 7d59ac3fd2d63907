"""The dashboard: today's briefing, the last twelve months in charts, and top partners."""

from __future__ import annotations

import datetime as dt

from litestar import get
from litestar.di import NamedDependency
from litestar.response import Template
from rapport_core.clock import now
from rapport_core.insights.briefing import daily_briefing
from rapport_core.insights.funnel import Funnel, conversion_funnel
from rapport_core.insights.metrics import Metrics, referral_metrics
from rapport_core.pipeline.drafts import list_drafts
from rapport_core.schemas import ReferralFilter
from rapport_core.services import referrals
from rapport_core.vocabulary import Direction, DraftStatus

from rapport_server.ui.charts import Bar, Series, grouped_bars, horizontal_bars
from rapport_server.ui.rendering import SignedIn, render

MONTHS = 12
BRIEFING_ITEMS = 8
TOP_PARTNERS = 5
LATEST = 5


def month_starts(today: dt.date, count: int = MONTHS) -> list[dt.date]:
    """The first day of each of the ``count`` calendar months ending with ``today``'s."""
    months, year, month = [], today.year, today.month
    for _ in range(count):
        months.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def monthly_chart(metrics: Metrics, months: list[dt.date]) -> tuple[dict, list[dict]]:
    """Sent and received per month, months without referrals shown as zero."""
    counts = {m.month: m for m in metrics.monthly}
    rows = []
    for start in months:
        month = counts.get(f"{start:%Y-%m}")
        rows.append(
            {
                "label": f"{start:%b}",
                "month": f"{start:%B %Y}",
                "received": month.received if month else 0,
                "sent": month.sent if month else 0,
            }
        )
    chart = grouped_bars(
        [r["label"] for r in rows],
        [
            Series("received", "series-received", [r["received"] for r in rows]),
            Series("sent", "series-sent", [r["sent"] for r in rows]),
        ],
    )
    return chart, rows


def funnel_chart(funnel: Funnel) -> dict:
    return horizontal_bars(
        [
            Bar(
                label=step.stage.value.capitalize(),
                value=step.reached,
                text=f"{step.reached}" + (f" · {step.share:.0%}" if step.share is not None else ""),
            )
            for step in funnel.steps
        ]
    )


def top_partners_chart(metrics: Metrics) -> tuple[dict, list]:
    top = [s for s in metrics.by_source if s.partner_id and s.received][:TOP_PARTNERS]
    chart = horizontal_bars(
        [
            Bar(label=s.source, value=float(s.actual_value), text=f"${s.actual_value:,.0f}")
            for s in top
        ]
    )
    return chart, top


@get("/")
async def home(me: NamedDependency[SignedIn]) -> Template:
    actor = me.actor
    today = now().date()
    months = month_starts(today)
    metrics = await referral_metrics(actor, period_from=months[0], period_to=today)
    funnel = await conversion_funnel(
        actor, Direction.received, period_from=months[0], period_to=today
    )
    briefing = await daily_briefing(actor, limit=BRIEFING_ITEMS)
    monthly, monthly_rows = monthly_chart(metrics, months)
    top_chart, top = top_partners_chart(metrics)
    latest = await referrals.list_referrals(actor, ReferralFilter(per_page=LATEST))
    return render(
        "home.html",
        me,
        today=today,
        since=months[0],
        metrics=metrics,
        briefing=briefing,
        monthly=monthly,
        monthly_rows=monthly_rows,
        funnel=funnel,
        funnel_chart=funnel_chart(funnel),
        top=top,
        top_chart=top_chart,
        latest=latest.items,
        drafts_waiting=len(await list_drafts(actor, DraftStatus.pending)),
    )
