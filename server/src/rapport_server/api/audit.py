"""API for the audit log: read it, verify its chain (owner, admin, compliance). Events are
never edited or deleted: those requests are answered 409 with the retention rule."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from litestar import Controller, Response, delete, get, patch, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from rapport_core.actors import Actor
from rapport_core.audit import log
from rapport_core.audit.export import MEDIA_TYPES, export_file
from rapport_core.audit.log import AuditEventOut, AuditFilter
from rapport_core.audit.retention import retention_policies
from rapport_core.schemas import Page
from rapport_core.services.firms import get_firm


class AuditController(Controller):
    path = "/audit"
    tags = ["audit"]

    @get("/events", summary="The firm's audit events, newest first")
    async def index(
        self,
        actor: NamedDependency[Actor],
        action: FromQuery[str | None] = None,
        subject_type: FromQuery[str | None] = None,
        subject_id: FromQuery[str | None] = None,
        by: Annotated[str | None, QueryParameter(description="The actor's label")] = None,
        date_from: Annotated[dt.date | None, QueryParameter(name="from")] = None,
        date_to: Annotated[dt.date | None, QueryParameter(name="to")] = None,
        page: Annotated[int, QueryParameter(ge=1)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> Page[AuditEventOut]:
        filters = AuditFilter(
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            actor=by,
            date_from=date_from,
            date_to=date_to,
            page=page,
            per_page=per_page,
        )
        return await log.list_events(actor, filters)

    @get("/events/{event_id:int}")
    async def read(self, actor: NamedDependency[Actor], event_id: FromPath[int]) -> AuditEventOut:
        return await log.get_event(actor, event_id)

    @patch("/events/{event_id:int}", summary="Refused: audit events are retained unchanged")
    async def edit(self, actor: NamedDependency[Actor], event_id: FromPath[int]) -> None:
        await log.change_event(actor, event_id)

    @put("/events/{event_id:int}", summary="Refused: audit events are retained unchanged")
    async def replace(self, actor: NamedDependency[Actor], event_id: FromPath[int]) -> None:
        await log.change_event(actor, event_id)

    @delete(
        "/events/{event_id:int}",
        summary="Refused: audit events are retained unchanged",
        status_code=409,
    )
    async def remove(self, actor: NamedDependency[Actor], event_id: FromPath[int]) -> None:
        await log.change_event(actor, event_id)

    @get("/verify", summary="Walk the firm's hash chain; the first broken link, if any")
    async def verify(self, actor: NamedDependency[Actor]) -> dict:
        return (await log.verify_firm(actor)).as_dict()

    @get(
        "/export",
        summary="Events dated from–to (UTC days, inclusive) as JSON Lines or PDF, with hashes",
        media_type="application/octet-stream",
    )
    async def export(
        self,
        actor: NamedDependency[Actor],
        date_from: Annotated[dt.date, QueryParameter(name="from")],
        date_to: Annotated[dt.date, QueryParameter(name="to")],
        file_format: Annotated[Literal["jsonl", "pdf"], QueryParameter(name="format")] = "jsonl",
    ) -> Response:
        log.require_audit_reader(actor)
        firm = await get_firm(actor.firm_id)
        name, content = await export_file(actor.firm_id, firm.name, date_from, date_to, file_format)
        return Response(
            content,
            media_type=MEDIA_TYPES[file_format],
            headers={"Content-Disposition": f"attachment; filename={name}"},
        )

    @get("/retention", summary="How long each protected table is kept unchanged")
    async def retention(self, actor: NamedDependency[Actor]) -> list[dict]:
        log.require_audit_reader(actor)
        return await retention_policies()


CONTROLLERS: list = [AuditController]
