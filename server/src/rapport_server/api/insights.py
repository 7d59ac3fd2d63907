"""API for relationship intelligence: reciprocity, who is owed a referral, dormant partners
and check-ins. Formulas: docs/insights.md."""

import datetime as dt
from enum import StrEnum
from typing import Annotated

from litestar import Controller, MediaType, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from rapport_core.actors import Actor
from rapport_core.insights.attention import PartnerAttention, check_ins_due, dormant_partners
from rapport_core.insights.briefing import BriefingAction, daily_briefing
from rapport_core.insights.funnel import Funnel, conversion_funnel
from rapport_core.insights.health import PartnerHealth, all_partner_health, partner_health
from rapport_core.insights.metrics import Metrics, referral_metrics_json
from rapport_core.insights.reciprocity import Reciprocity, partner_reciprocity, partners_owed
from rapport_core.insights.timeline import TimelineEvent, partner_timeline
from rapport_core.vocabulary import Direction


class HealthSort(StrEnum):
    score = "score"
    strongest = "-score"
    name = "name"


class RelationshipController(Controller):
    path = "/partners"
    tags = ["relationships"]

    @get(
        "/owed",
        summary="Who do I owe a referral to?",
        description="Partners whose referrals to the firm outweigh the firm's to them in the "
        "relationship window, each referral weighted by recency and value; most owed first.",
    )
    async def owed(self, actor: NamedDependency[Actor]) -> list[Reciprocity]:
        return await partners_owed(actor)

    @get("/{partner_id:int}/reciprocity", summary="Referrals and value each way in the window")
    async def reciprocity(
        self, actor: NamedDependency[Actor], partner_id: FromPath[int]
    ) -> Reciprocity:
        return await partner_reciprocity(actor, partner_id)

    @get(
        "/{partner_id:int}/timeline",
        summary="Referrals, stage changes and touchpoints, newest first",
    )
    async def timeline(
        self,
        actor: NamedDependency[Actor],
        partner_id: FromPath[int],
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    ) -> list[TimelineEvent]:
        return await partner_timeline(actor, partner_id, limit=limit)

    @get(
        "/health",
        summary="Health (0–100) of every partner, with each component",
        description="Weakest first by default; `sort=-score` for the strongest first, "
        "`sort=name` by name. Formulas: docs/insights.md.",
    )
    async def all_health(
        self,
        actor: NamedDependency[Actor],
        sort: Annotated[HealthSort, QueryParameter()] = HealthSort.score,
        limit: Annotated[int | None, QueryParameter(ge=1)] = None,
    ) -> list[PartnerHealth]:
        rows = await all_partner_health(actor)
        if sort is HealthSort.strongest:
            rows.reverse()
        elif sort is HealthSort.name:
            rows.sort(key=lambda h: h.partner_name.casefold())
        return rows[:limit]

    @get("/{partner_id:int}/health", summary="A partner's health (0–100), component by component")
    async def health(
        self, actor: NamedDependency[Actor], partner_id: FromPath[int]
    ) -> PartnerHealth:
        return await partner_health(actor, partner_id)

    @get("/dormant", summary="Partners with no referral and no touchpoint for dormant_days")
    async def dormant(self, actor: NamedDependency[Actor]) -> list[PartnerAttention]:
        return await dormant_partners(actor)

    @get("/check-ins", summary="Partners due a check-in under their review cadence")
    async def check_ins(self, actor: NamedDependency[Actor]) -> list[PartnerAttention]:
        return await check_ins_due(actor)


class MetricsController(Controller):
    path = "/metrics"
    tags = ["relationships"]

    @get(
        "/",
        summary="Referral volume, rates, timings and value by source over a period",
        description="Defaults to the 365 days to today. Each rate says what it divides by; "
        "formulas: docs/insights.md.",
    )
    async def metrics(
        self,
        actor: NamedDependency[Actor],
        period_from: Annotated[dt.date | None, QueryParameter(name="from")] = None,
        period_to: Annotated[dt.date | None, QueryParameter(name="to")] = None,
        partner_id: Annotated[int | None, QueryParameter(description="Only this partner")] = None,
    ) -> Response[Metrics]:
        encoded = await referral_metrics_json(
            actor, period_from=period_from, period_to=period_to, partner_id=partner_id
        )
        return Response(encoded, media_type=MediaType.JSON)

    @get(
        "/funnel",
        summary="How far the period's referrals got, stage by stage",
        description="Each step counts the referrals that reached that stage or went further, "
        "and those declined or lost from it. Defaults to received referrals over the 365 days "
        "to today.",
    )
    async def funnel(
        self,
        actor: NamedDependency[Actor],
        direction: FromQuery[Direction] = Direction.received,
        period_from: Annotated[dt.date | None, QueryParameter(name="from")] = None,
        period_to: Annotated[dt.date | None, QueryParameter(name="to")] = None,
        partner_id: Annotated[int | None, QueryParameter(description="Only this partner")] = None,
    ) -> Funnel:
        return await conversion_funnel(
            actor, direction, period_from=period_from, period_to=period_to, partner_id=partner_id
        )


@get(
    "/briefing",
    summary="Today's actions, most urgent and valuable first",
    description="SLA breaches, stalled referrals, dormant valuable partners, partners owed a "
    "referral and check-ins due, each scored urgency × impact with its reason.",
    tags=["relationships"],
)
async def briefing(actor: NamedDependency[Actor]) -> list[BriefingAction]:
    return await daily_briefing(actor)


CONTROLLERS: list = [RelationshipController, MetricsController, briefing]
