"""API for the referral pipeline: routing rules, SLA breaches, duplicates, partner drafts."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from rapport_core.actors import Actor
from rapport_core.pipeline.sla import SlaBreach, sla_breaches
from rapport_core.schemas import AwareDatetime


class SlaController(Controller):
    path = "/sla"
    tags = ["pipeline"]

    @get("/breaches", summary="Missed SLAs of open received referrals, most overdue first")
    async def breaches(
        self, actor: NamedDependency[Actor], as_of: FromQuery[AwareDatetime | None] = None
    ) -> list[SlaBreach]:
        return await sla_breaches(actor, as_of=as_of)


CONTROLLERS: list = [SlaController]
