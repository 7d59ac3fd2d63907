"""API for CRM sync: connections, sync now, history (merge suggestions: api/suggestions.py). Connecting itself is
an OAuth redirect, so it happens in the browser (/integrations) or the CLI."""

from __future__ import annotations

from litestar import Controller, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody
from rapport_core.actors import Actor
from rapport_core.crm import connections
from rapport_core.crm.schemas import (
    ConnectionOut,
    ConnectionSettingsIn,
    SyncRunOut,
)
from rapport_core.crm.sync import begin_sync, list_runs, sync_connection


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
        description=(
            "Answers the recorded run when the sync has ended. With `wait=false` it answers "
            "202 as soon as the sync has started, with the connection (`syncing`: true) and a "
            "`Location` to poll: the connection's runs, newest first; the first counts the "
            "records saved so far (`seen` of `total`) until its `status` is final."
        ),
        status_code=200,
        responses={
            202: ResponseSpec(ConnectionOut, description="Started (`wait=false`); poll Location")
        },
    )
    async def sync(
        self,
        actor: NamedDependency[Actor],
        name: FromPath[str],
        full: FromQuery[bool] = False,
        wait: FromQuery[bool] = True,
    ) -> Response[SyncRunOut | ConnectionOut]:
        if wait:
            return Response(await sync_connection(actor, name, full=full, trigger="manual"))
        await begin_sync(actor, name, full=full)  # refusals (running, reconnect) raise here
        return Response(
            await connections.get_connection(actor, name),
            status_code=202,
            headers={"Location": f"/api/v1/crm/runs?connector={name}"},
        )

    @get("/runs", summary="Sync history, newest first")
    async def runs(
        self, actor: NamedDependency[Actor], connector: FromQuery[str | None] = None
    ) -> list[SyncRunOut]:
        return await list_runs(actor, connector, limit=50)


CONTROLLERS = [CrmController]
