"""API for CRM sync: connections, sync now, history (merge suggestions: api/suggestions.py). Connecting itself is
an OAuth redirect, so it happens in the browser (/integrations) or the CLI."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from rapport_core.actors import Actor
from rapport_core.crm import connections
from rapport_core.crm.schemas import (
    ConnectionOut,
    ConnectionSettingsIn,
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


CONTROLLERS = [CrmController]
