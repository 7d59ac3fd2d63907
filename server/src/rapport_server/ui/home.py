"""The dashboard: today's briefing, the last twelve months in charts, and top partners."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from litestar.response import Template
from rapport_core.clock import now
from rapport_core.insights.briefing import daily_briefing
from rapport_core.insights.funnel import conversion_funnel
from rapport_core.insights.metrics import referral_metrics
from rapport_core.pipeline.drafts import list_drafts
from rapport_core.schemas import ReferralFilter
from rapport_core.services import referrals
from rapport_core.services.firm_settings import firm_settings
from rapport_core.vocabulary import Direction, DraftStatus

from rapport_server.ui.insights import (
    funnel_chart,
    month_starts,
    monthly_chart,
    top_partners_chart,
)
from rapport_server.ui.rendering import SignedIn, render

BRIEFING_ITEMS = 8
LATEST = 5


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
        settings=await firm_settings(me.actor.firm_id),
        drafts_waiting=len(await list_drafts(actor, DraftStatus.pending)),
    )
