"""Integrations pages: connect a CRM (OAuth redirect and callback), sync now, the schedule,
sync history (the merge suggestions a sync makes are on ui/suggestions.py's page)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template
from rapport_core.crm import connections
from rapport_core.crm.registry import connector_class, installed_connectors
from rapport_core.crm.schemas import ConnectionSettingsIn, SyncRunOut
from rapport_core.crm.sync import begin_sync, list_runs
from rapport_core.errors import RapportError
from rapport_core.suggestions import service as suggestions

from rapport_server.ui.forms import FORM, FormState, read_form, refusal, submit
from rapport_server.ui.rendering import SignedIn, render


async def _page(me: SignedIn, form: FormState | None = None, notice: str = "") -> Template:
    connected = {c.connector: c for c in await connections.list_connections(me.actor)}
    cards = []
    for name, cls in sorted(installed_connectors().items()):
        connection = connected.get(name)
        runs = await list_runs(me.actor, name, limit=10) if connection else []
        cards.append({"name": name, "cls": cls, "connection": connection, "runs": runs})
    return render(
        "crm/integrations.html",
        me,
        cards=cards,
        pending=await suggestions.count_pending(me.actor),
        form=form or FormState(),
        notice=notice,
        can_admin=me.actor.role.can_manage_users,
    )


#: How long "Sync now" waits for the sync to end before showing its progress instead.
SYNC_WAIT_SECONDS = 5.0


def _result(run: SyncRunOut) -> str:
    return (
        f"{run.status.replace('_', ' ').capitalize()}: {run.created} created, "
        f"{run.updated} updated, {run.unchanged} unchanged, {run.skipped} skipped, "
        f"{run.failed} failed."
    )


def _callback_url(request: Request, name: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/integrations/{name}/callback"


class IntegrationPages(Controller):
    @get("/integrations")
    async def index(
        self,
        me: NamedDependency[SignedIn],
        connected: FromQuery[str | None] = None,
        synced: FromQuery[str | None] = None,
    ) -> Template:
        notice = ""
        if connected:
            notice = f"Connected to {connected}. Press “Sync now” to bring in its contacts."
        elif synced and (runs := await list_runs(me.actor, synced, limit=1)):
            notice = _result(runs[0])
        return await _page(me, notice=notice)

    @get("/integrations/{name:str}/progress")
    async def progress(self, me: NamedDependency[SignedIn], name: FromPath[str]) -> dict:
        """The latest run of a connection, for the page's progress bar while it syncs."""
        connection = await connections.get_connection(me.actor, name)
        runs = await list_runs(me.actor, name, limit=1)
        counts = {"status": None, "seen": 0, "total": None, "created": 0, "updated": 0,
                  "unchanged": 0}  # fmt: skip
        if runs:
            counts = {key: getattr(runs[0], key) for key in counts}
        return {"syncing": connection.syncing, **counts}

    @post("/integrations/{name:str}/connect")
    async def connect(
        self,
        request: Request,
        me: NamedDependency[SignedIn],
        name: FromPath[str],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response:
        form = read_form(data)

        async def go() -> Response:
            cls = connector_class(name)
            region = form.get("region") or None
            config = cls.config_from_environment(region=region) if region else None
            url = await connections.start_authorization(
                me.actor, name, redirect_uri=_callback_url(request, name), config=config
            )
            return Redirect(url, status_code=303)

        return await submit(go, lambda errors: _page(me, FormState(form, errors)))

    @get("/integrations/{name:str}/callback")
    async def callback(
        self,
        me: NamedDependency[SignedIn],
        name: FromPath[str],
        code: FromQuery[str | None] = None,
        oauth_state: Annotated[str | None, QueryParameter(name="state")] = None,
        error: FromQuery[str | None] = None,
    ) -> Response:
        if error or not code:
            problem = f"{name} did not grant access ({error or 'no authorization code'})."
            page = await _page(me, FormState({}, {FORM: problem}))
            page.status_code = 400
            return page

        async def finish() -> Response:
            await connections.complete_authorization(
                me.actor, name, state=oauth_state or "", code=code
            )
            return Redirect(f"/integrations?connected={name}", status_code=303)

        return await submit(finish, lambda errors: _page(me, FormState({}, errors)))

    @post("/integrations/{name:str}/sync")
    async def sync(
        self,
        me: NamedDependency[SignedIn],
        name: FromPath[str],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response:
        form = read_form(data)
        try:
            task = await begin_sync(me.actor, name, full=form.get("full") == "1")
        except RapportError as error:
            errors, status = refusal(error)
            page = await _page(me, FormState(form, {FORM: next(iter(errors.values()))}))
            page.status_code = status
            return page
        # A short sync is answered with its result; a long one goes on in the background
        # while the page shows its progress (a phone should not wait minutes on a POST).
        done, _ = await asyncio.wait({task}, timeout=SYNC_WAIT_SECONDS)
        if not done:
            return Redirect(f"/integrations#crm-{name}", status_code=303)
        return await _page(me, notice=_result(task.result()))

    @post("/integrations/{name:str}/settings")
    async def settings(
        self,
        me: NamedDependency[SignedIn],
        name: FromPath[str],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response:
        form = read_form(data)

        async def save() -> Response:
            minutes = form.get("sync_interval_minutes", "")
            await connections.update_settings(
                me.actor,
                name,
                ConnectionSettingsIn(
                    sync_interval_minutes=int(minutes) if minutes.isdigit() else None,
                    overwrite_edited=form.get("overwrite_edited") == "1",
                ),
            )
            return Redirect("/integrations", status_code=303)

        return await submit(save, lambda errors: _page(me, FormState(form, errors)))


PAGES: list = [IntegrationPages]
