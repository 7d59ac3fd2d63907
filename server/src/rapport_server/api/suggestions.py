"""API for merge suggestions from every source (CRM syncs, imports): list and decide.

The addresses under /crm and /imports are the older ones, kept as aliases."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from rapport_core.actors import Actor
from rapport_core.suggestions import service
from rapport_core.suggestions.schemas import MergeSuggestionOut

MERGE = "The same person: merge (a CRM record is linked; an imported partner is folded in)"
SEPARATE = "Different people: keep separate (a CRM record becomes a new partner)"


class SuggestionController(Controller):
    path = "/suggestions"
    tags = ["merge suggestions"]

    @get("", summary="Merge suggestions (pending unless asked), oldest first")
    async def index(
        self, actor: NamedDependency[Actor], status: FromQuery[str] = "pending"
    ) -> list[MergeSuggestionOut]:
        return await service.list_suggestions(actor, status)

    @get("/{suggestion_id:int}", summary="One merge suggestion")
    async def show(
        self, actor: NamedDependency[Actor], suggestion_id: FromPath[int]
    ) -> MergeSuggestionOut:
        return await service.get_suggestion(actor, suggestion_id)

    @post("/{suggestion_id:int}/merge", summary=MERGE, status_code=200)
    async def merge(
        self, actor: NamedDependency[Actor], suggestion_id: FromPath[int]
    ) -> MergeSuggestionOut:
        return await service.decide(actor, suggestion_id, "merge")

    @post("/{suggestion_id:int}/separate", summary=SEPARATE, status_code=200)
    async def separate(
        self, actor: NamedDependency[Actor], suggestion_id: FromPath[int]
    ) -> MergeSuggestionOut:
        return await service.decide(actor, suggestion_id, "separate")


class OlderSuggestionAddresses(Controller):
    """/crm/suggestions… and /imports/suggestions… (``dismiss`` was ``separate``)."""

    include_in_schema = False

    @get(["/crm/suggestions", "/imports/suggestions"])
    async def index(self, actor: NamedDependency[Actor]) -> list[MergeSuggestionOut]:
        return await service.list_suggestions(actor)

    @post(
        ["/crm/suggestions/{suggestion_id:int}/merge",
         "/imports/suggestions/{suggestion_id:int}/merge"],
        status_code=200,
    )  # fmt: skip
    async def merge(
        self, actor: NamedDependency[Actor], suggestion_id: FromPath[int]
    ) -> MergeSuggestionOut:
        return await service.decide(actor, suggestion_id, "merge")

    @post(
        ["/crm/suggestions/{suggestion_id:int}/separate",
         "/imports/suggestions/{suggestion_id:int}/dismiss"],
        status_code=200,
    )  # fmt: skip
    async def separate(
        self, actor: NamedDependency[Actor], suggestion_id: FromPath[int]
    ) -> MergeSuggestionOut:
        return await service.decide(actor, suggestion_id, "separate")


CONTROLLERS = [SuggestionController, OlderSuggestionAddresses]
