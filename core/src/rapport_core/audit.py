"""The audit log. Call :func:`record` inside the transaction that makes the change."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from rapport_core.actors import Actor
from rapport_core.clock import now
from rapport_core.tables import AuditEvent


def _plain(value: BaseModel | dict | None) -> Any:
    if value is None:
        return None
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=False)
    return json.loads(json.dumps(value, default=str))


def event_row(
    actor: Actor,
    action: str,
    subject_type: str,
    subject_id: int | str,
    *,
    before: BaseModel | dict | None = None,
    after: BaseModel | dict | None = None,
) -> dict[str, Any]:
    """An audit event's column values, for writing many in one INSERT (imports, syncs)."""
    return {
        "firm": actor.firm_id,
        "actor": actor.label,
        "action": action,
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "before": _plain(before),
        "after": _plain(after),
        "at": now(),
    }


async def record(
    actor: Actor,
    action: str,
    subject_type: str,
    subject_id: int | str,
    *,
    before: BaseModel | dict | None = None,
    after: BaseModel | dict | None = None,
) -> None:
    row = event_row(actor, action, subject_type, subject_id, before=before, after=after)
    await AuditEvent.insert(AuditEvent(**row)).run()


async def record_many(
    actor: Actor,
    action: str,
    subject_type: str,
    changes: list[tuple[int | str, BaseModel | dict | None, BaseModel | dict | None]],
) -> None:
    """One event per ``(subject_id, before, after)``, in one statement (bulk changes)."""
    if not changes:
        return
    stamp = now()
    await AuditEvent.insert(
        *[
            AuditEvent(
                firm=actor.firm_id,
                actor=actor.label,
                action=action,
                subject_type=subject_type,
                subject_id=str(subject_id),
                before=_plain(before),
                after=_plain(after),
                at=stamp,
            )
            for subject_id, before, after in changes
        ]
    ).run()


async def events_for(
    firm_id: int, *, subject_type: str | None = None, limit: int = 100
) -> list[dict]:
    query = AuditEvent.select().where(AuditEvent.firm == firm_id)
    if subject_type:
        query = query.where(AuditEvent.subject_type == subject_type)
    return await query.order_by(AuditEvent.id, ascending=False).limit(limit).output(load_json=True)
