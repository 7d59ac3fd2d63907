"""Reading the audit log (owner, admin and compliance), and refusing to change it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import Field

from rapport_core.actors import Actor
from rapport_core.audit.retention import refuse, retention_years
from rapport_core.audit.verify import ChainReport, verify_chain
from rapport_core.errors import Forbidden, Invalid
from rapport_core.schemas import Input, Output, Page
from rapport_core.services.common import get_scoped
from rapport_core.tables import AuditEvent
from rapport_core.vocabulary import Role

#: Who may read the whole log: it holds every change, other people's included.
AUDIT_READERS = frozenset({Role.owner, Role.admin, Role.compliance})


def require_audit_reader(actor: Actor) -> None:
    if actor.role not in AUDIT_READERS:
        raise Forbidden(f"role {actor.role} cannot read the audit log")


class AuditEventOut(Output):
    id: int
    at: dt.datetime
    actor: str
    action: str
    subject_type: str
    subject_id: str
    before: Any = None
    after: Any = None
    prev_hash: str
    hash: str


class AuditFilter(Input):
    action: Annotated[str, Field(max_length=80)] | None = None
    subject_type: Annotated[str, Field(max_length=40)] | None = None
    subject_id: Annotated[str, Field(max_length=64)] | None = None
    actor: Annotated[str, Field(max_length=300)] | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: Annotated[int, Field(ge=1)] = 1
    per_page: Annotated[int, Field(ge=1, le=200)] = 50


async def list_events(actor: Actor, filters: AuditFilter) -> Page[AuditEventOut]:
    """The firm's events, newest first."""
    require_audit_reader(actor)
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        raise Invalid("date_to is before date_from", field="date_to")
    where = [AuditEvent.firm == actor.firm_id]
    for name in ("action", "subject_type", "subject_id", "actor"):
        if value := getattr(filters, name):
            where.append(AuditEvent._meta.get_column_by_name(name) == value)
    if filters.date_from:
        where.append(AuditEvent.at >= dt.datetime.combine(filters.date_from, dt.time(), dt.UTC))
    if filters.date_to:
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time(), dt.UTC)
        where.append(AuditEvent.at < end)
    total = await AuditEvent.count().where(*where)
    rows = (
        await AuditEvent.select()
        .where(*where)
        .order_by(AuditEvent.id, ascending=False)
        .limit(filters.per_page)
        .offset((filters.page - 1) * filters.per_page)
        .output(load_json=True)
    )
    return Page[AuditEventOut](
        items=[AuditEventOut.model_validate(row) for row in rows],
        total=total,
        page=filters.page,
        per_page=filters.per_page,
    )


async def get_event(actor: Actor, event_id: int) -> AuditEventOut:
    require_audit_reader(actor)
    return AuditEventOut.model_validate(
        await get_scoped(AuditEvent, actor, event_id, "audit event")
    )


async def change_event(actor: Actor, event_id: int) -> None:
    """Every edit or deletion of an event is refused (another firm's id: not found)."""
    await get_scoped(AuditEvent, actor, event_id, "audit event")
    raise refuse(f"audit event {event_id}", await retention_years("rapport_audit_event"))


async def verify_firm(actor: Actor) -> ChainReport:
    require_audit_reader(actor)
    return await verify_chain(actor.firm_id)
