"""The audit log page (owner, admin, compliance): filter events, verify the chain, export."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter
from litestar.response import Template
from rapport_core.audit import log
from rapport_core.audit.export import MEDIA_TYPES, export_file
from rapport_core.audit.log import AuditFilter
from rapport_core.audit.verify import ChainReport

from rapport_server.ui.paging import Pager
from rapport_server.ui.rendering import SignedIn, render

PER_PAGE = 50


async def _log_page(
    me: SignedIn, filters: dict[str, str], page: int, report: ChainReport | None = None
) -> Template:
    fields = {name: value or None for name, value in filters.items()}
    fields["actor"] = fields.pop("by", None)  # `actor` is the signed-in person's dependency
    search = AuditFilter.model_validate(fields | {"page": page, "per_page": PER_PAGE})
    result = await log.list_events(me.actor, search)
    return render(
        "audit/index.html",
        me,
        result=result,
        pager=Pager.of(result, filters),
        filters=filters,
        report=report,
        today=dt.datetime.now(dt.UTC).date(),
    )


class AuditPages(Controller):
    path = "/audit"

    @get("/")
    async def index(
        self,
        me: NamedDependency[SignedIn],
        action: FromQuery[str] = "",
        subject_type: FromQuery[str] = "",
        by: FromQuery[str] = "",
        date_from: FromQuery[str] = "",
        date_to: FromQuery[str] = "",
        page: Annotated[int, QueryParameter(ge=1)] = 1,
    ) -> Template:
        filters = {
            "action": action,
            "subject_type": subject_type,
            "by": by,
            "date_from": date_from,
            "date_to": date_to,
        }
        return await _log_page(me, filters, page)

    @post("/verify")
    async def verify(self, me: NamedDependency[SignedIn]) -> Template:
        report = await log.verify_firm(me.actor)
        return await _log_page(me, {}, 1, report)

    @get("/export")
    async def export(
        self,
        me: NamedDependency[SignedIn],
        date_from: FromQuery[dt.date],
        date_to: FromQuery[dt.date],
        file_format: Annotated[str, QueryParameter(name="format")] = "jsonl",
    ) -> Response:
        log.require_audit_reader(me.actor)
        name, content = await export_file(
            me.actor.firm_id, me.firm.name, date_from, date_to, file_format
        )
        return Response(
            content,
            media_type=MEDIA_TYPES[file_format],
            headers={"Content-Disposition": f"attachment; filename={name}"},
        )


PAGES: list = [AuditPages]
