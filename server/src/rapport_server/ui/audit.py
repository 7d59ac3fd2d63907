"""The audit log page (owner, admin, compliance): filter events, verify the chain, export."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter
from litestar.response import Template
from rapport_core.audit import log
from rapport_core.audit.export import export_audit
from rapport_core.audit.log import AuditFilter
from rapport_core.audit.verify import ChainReport
from rapport_core.errors import Invalid

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
        if file_format not in ("jsonl", "pdf"):
            raise Invalid("format is jsonl or pdf", field="format")
        with tempfile.TemporaryDirectory() as folder:
            result = await export_audit(
                me.actor.firm_id, me.firm.name, date_from, date_to, Path(folder)
            )
            path = result.pdf if file_format == "pdf" else result.jsonl
            content = path.read_bytes()
        return Response(
            content,
            media_type="application/pdf" if file_format == "pdf" else "application/x-ndjson",
            headers={"Content-Disposition": f"attachment; filename={path.name}"},
        )


PAGES: list = [AuditPages]
