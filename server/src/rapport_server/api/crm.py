"""API for CRM sync: connections, sync now, history, merge suggestions. Connecting itself is
an OAuth redirect, so it happens in the browser (/integrations) or the CLI."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from rapport_core.actors import Actor
from rapport_core.crm import connections, suggestions
from rapport_core.crm.schemas import (
    ConnectionOut,
    ConnectionSettingsIn,
    MergeSuggestionOut,
    SyncRunOut,
)
from rapport_core.crm.sync import list_runs, sync_connection


class CrmController(Controller):
    path = "/crm"
    tags = ["crm"]

    @get("/connections", summary="This firm's CRM connections (tokens masked)")
    async def index(self, actor: NamedDependency[Actor]) -> list[ConnectionOut]:
        return await connections.list_connections(actor)

    @patch(
        "/connections/{name:str}",
        summary="Schedule (minutes, null: none), overwrite_edited, mapping (owner or admin)",
    )
    async def settings(
        self,
        actor: NamedDependency[Actor],
        name: FromPath[str],
        data: JSONBody[ConnectionSettingsIn],
    ) -> ConnectionOut:
        return await connections.update_settings(actor, name, data)

    @post(
        "/connections/{name:str}/sync",
        summary="Sync now: resume an unfinished run, else changes since the last (full: all)",
        status_code=200,
    )
    async def sync(
        self, actor: NamedDependency[Actor], name: FromPath[str], full: FromQuery[bool] = False
    ) -> SyncRunOut:
        return await sync_connection(actor, name, full=full, trigger="manual")

    @get("/runs", summary="Sync history, newest first")
    async def runs(
        self, actor: NamedDependency[Actor], connector: FromQuery[str | None] = None
    ) -> list[SyncRunOut]:
        return await list_runs(actor, connector, limit=50)

    @get("/suggestions", summary="Pending merge suggestions")
    async def pending(self, actor: NamedDependency[Actor]) -> list[MergeSuggestionOut]:
        return await suggestions.list_suggestions(actor)

    @post(
        "/suggestions/{suggestion_id:int}/merge",
        summary="The same person: link the CRM record to the partner (blank fields filled)",
        status_code=200,
    )
    async def merge(
        self, actor: NamedDependency[Actor], suggestion_id: FromPath[int]
    ) -> MergeSuggestionOut:
        return await suggestions.decide(actor, suggestion_id, "merge")

    @post(
        "/suggestions/{suggestion_id:int}/separate",
        summary="Different people: create a new partner from the CRM record",
        status_code=200,
    )
    async def separate(
        self, actor: NamedDependency[Actor], suggestion_id: FromPath[int]
    ) -> MergeSuggestionOut:
        return await suggestions.decide(actor, suggestion_id, "separate")


CONTROLLERS = [CrmController]
