"""API for the referral pipeline: routing rules, SLA breaches, duplicates, partner drafts."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from rapport_core.actors import Actor
from rapport_core.pipeline import assignment, drafts
from rapport_core.pipeline.assignment import RoutingRuleCreate, RoutingRuleOut, RoutingRuleUpdate
from rapport_core.pipeline.drafts import DraftEdit, DraftOut
from rapport_core.pipeline.intake import DuplicateDecision, decide_duplicate
from rapport_core.pipeline.sla import SlaBreach, sla_breaches
from rapport_core.schemas import AwareDatetime, ReferralOut
from rapport_core.vocabulary import DraftStatus


class SlaController(Controller):
    path = "/sla"
    tags = ["pipeline"]

    @get("/breaches", summary="Missed SLAs of open received referrals, most overdue first")
    async def breaches(
        self, actor: NamedDependency[Actor], as_of: FromQuery[AwareDatetime | None] = None
    ) -> list[SlaBreach]:
        return await sla_breaches(actor, as_of=as_of)


class DuplicateController(Controller):
    path = "/referrals"
    tags = ["pipeline"]

    @post(
        "/{referral_id:int}/duplicate",
        summary="Decide a flagged referral is not a duplicate (reason required)",
        status_code=200,
    )
    async def decide(
        self,
        actor: NamedDependency[Actor],
        referral_id: FromPath[int],
        data: JSONBody[DuplicateDecision],
    ) -> ReferralOut:
        return await decide_duplicate(actor, referral_id, data)


class RoutingRuleController(Controller):
    path = "/routing-rules"
    tags = ["pipeline"]

    @get("/", summary="Routing rules in the order they are tried")
    async def index(self, actor: NamedDependency[Actor]) -> list[RoutingRuleOut]:
        return await assignment.list_rules(actor)

    @post("/", summary="Add a routing rule (owner or admin)")
    async def create(
        self, actor: NamedDependency[Actor], data: JSONBody[RoutingRuleCreate]
    ) -> RoutingRuleOut:
        return await assignment.create_rule(actor, data)

    @get("/{rule_id:int}")
    async def read(self, actor: NamedDependency[Actor], rule_id: FromPath[int]) -> RoutingRuleOut:
        return await assignment.get_rule(actor, rule_id)

    @patch("/{rule_id:int}", summary="Change a routing rule (owner or admin)")
    async def update(
        self,
        actor: NamedDependency[Actor],
        rule_id: FromPath[int],
        data: JSONBody[RoutingRuleUpdate],
    ) -> RoutingRuleOut:
        return await assignment.update_rule(actor, rule_id, data)

    @delete("/{rule_id:int}", summary="Remove a routing rule (owner or admin)")
    async def remove(self, actor: NamedDependency[Actor], rule_id: FromPath[int]) -> None:
        await assignment.delete_rule(actor, rule_id)


class DraftController(Controller):
    path = "/drafts"
    tags = ["pipeline"]

    @get("/", summary="Updates to referring partners, oldest first (the approval queue)")
    async def index(
        self, actor: NamedDependency[Actor], status: FromQuery[DraftStatus | None] = None
    ) -> list[DraftOut]:
        return await drafts.list_drafts(actor, status)

    @get("/{draft_id:int}")
    async def read(self, actor: NamedDependency[Actor], draft_id: FromPath[int]) -> DraftOut:
        return await drafts.get_draft(actor, draft_id)

    @patch("/{draft_id:int}", summary="Edit a pending draft's subject or body")
    async def edit(
        self, actor: NamedDependency[Actor], draft_id: FromPath[int], data: JSONBody[DraftEdit]
    ) -> DraftOut:
        return await drafts.edit_draft(actor, draft_id, data)

    @post(
        "/{draft_id:int}/approve",
        summary="Approve: send by SMTP if configured, else mark ready to copy",
        status_code=200,
    )
    async def approve(self, actor: NamedDependency[Actor], draft_id: FromPath[int]) -> DraftOut:
        return await drafts.approve_draft(actor, draft_id)

    @post("/{draft_id:int}/discard", summary="Discard a pending draft", status_code=200)
    async def discard(self, actor: NamedDependency[Actor], draft_id: FromPath[int]) -> DraftOut:
        return await drafts.discard_draft(actor, draft_id)

    @post(
        "/{draft_id:int}/requeue",
        summary="Put a draft whose send was cut off (sending for over 5 minutes) back in the queue",
        status_code=200,
    )
    async def requeue(self, actor: NamedDependency[Actor], draft_id: FromPath[int]) -> DraftOut:
        return await drafts.requeue_draft(actor, draft_id)


CONTROLLERS: list = [SlaController, DuplicateController, RoutingRuleController, DraftController]
