"""API for relationship intelligence: reciprocity, who is owed a referral, dormant partners
and check-ins. Formulas: docs/insights.md."""

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from rapport_core.actors import Actor
from rapport_core.insights.attention import PartnerAttention, check_ins_due, dormant_partners
from rapport_core.insights.reciprocity import Reciprocity, partner_reciprocity, partners_owed


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

    @get("/dormant", summary="Partners with no referral and no touchpoint for dormant_days")
    async def dormant(self, actor: NamedDependency[Actor]) -> list[PartnerAttention]:
        return await dormant_partners(actor)

    @get("/check-ins", summary="Partners due a check-in under their review cadence")
    async def check_ins(self, actor: NamedDependency[Actor]) -> list[PartnerAttention]:
        return await check_ins_due(actor)


CONTROLLERS: list = [RelationshipController]
