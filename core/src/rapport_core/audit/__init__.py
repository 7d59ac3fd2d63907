"""The audit log. Call :func:`record` inside the transaction that makes the change.

Events form one hash chain per firm (:mod:`rapport_core.audit.chain`); appending locks the
firm's chain head first, so concurrent writers take turns and the chain never forks. Events
are retained, unchangeable, for the retention period (:mod:`rapport_core.audit.retention`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from pydantic import BaseModel

from rapport_core.actors import Actor
from rapport_core.audit.chain import canonical_from_stored, event_hash, json_text
from rapport_core.clock import now
from rapport_core.tables import AuditEvent, Firm


def _plain(value: BaseModel | dict | None) -> Any:
    if value is None:
        return None
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=False)
    return json.loads(json.dumps(value, default=str))


def _stored(value: BaseModel | dict | None) -> str | None:
    plain = _plain(value)
    return None if plain is None else json_text(plain)


# Takes the firm's chain head row for this transaction (creating it on the firm's first
# event) and reads the hash to chain from. Same statement on SQLite and PostgreSQL: the
# upsert is a write, so SQLite holds its write lock and PostgreSQL a row lock until commit.
_LOCK_HEAD = """
INSERT INTO rapport_audit_chain_head (firm, last_event_id, last_hash, events, updated_at)
VALUES ({}, 0, '', 0, {})
ON CONFLICT (firm) DO UPDATE SET events = rapport_audit_chain_head.events
RETURNING last_hash
"""
_ADVANCE_HEAD = """
UPDATE rapport_audit_chain_head
SET last_event_id = {}, last_hash = {}, events = events + {}, updated_at = {}
WHERE firm = {}
"""


async def record(
    actor: Actor,
    action: str,
    subject_type: str,
    subject_id: int | str,
    *,
    before: BaseModel | dict | None = None,
    after: BaseModel | dict | None = None,
) -> None:
    """Append an event to the actor's firm's chain, in the caller's transaction (or in one
    of its own when there is none)."""
    at = now()
    async with Firm._meta.db.transaction():
        head = await AuditEvent.raw(_LOCK_HEAD, actor.firm_id, at)
        event = AuditEvent(
            firm=actor.firm_id,
            actor=actor.label,
            action=action,
            subject_type=subject_type,
            subject_id=str(subject_id),
            # Stored as canonical JSON text, so verify can hash it without re-encoding.
            before=_stored(before),
            after=_stored(after),
            at=at,
            prev_hash=head[0]["last_hash"],
        )
        event.hash = event_hash(event.to_dict() | {"firm": actor.firm_id})
        await event.save()
        await AuditEvent.raw(_ADVANCE_HEAD, event.id, event.hash, 1, at, actor.firm_id)


@dataclass(frozen=True, slots=True)
class Entry:
    """One event for :func:`record_many` (a dataclass: syncs make thousands at a time)."""

    action: str
    subject_type: str
    subject_id: int | str
    before: Any = None
    after: Any = None


async def record_many(actor: Actor, entries: list[Entry]) -> None:
    """Append many events to the firm's chain with multi-row INSERTs (imports, syncs), in
    the caller's transaction: the head is locked once and the events chained in order."""
    if not entries:
        return
    from rapport_core.services.common import bulk_insert

    at = now()
    async with Firm._meta.db.transaction():
        head = await AuditEvent.raw(_LOCK_HEAD, actor.firm_id, at)
        prev_hash, rows = head[0]["last_hash"], []
        for entry in entries:
            row = {
                "firm": actor.firm_id,
                "actor": actor.label,
                "action": entry.action,
                "subject_type": entry.subject_type,
                "subject_id": str(entry.subject_id),
                "before": _stored(entry.before),
                "after": _stored(entry.after),
                "at": at,
                "prev_hash": prev_hash,
            }
            # before/after are canonical text already: hashed as stored, not re-encoded.
            row["hash"] = prev_hash = sha256(canonical_from_stored(row)).hexdigest()
            rows.append(row)
        ids = await bulk_insert(AuditEvent, rows)
        await AuditEvent.raw(_ADVANCE_HEAD, ids[-1], prev_hash, len(rows), at, actor.firm_id)


async def events_for(
    firm_id: int, *, subject_type: str | None = None, limit: int = 100
) -> list[dict]:
    query = AuditEvent.select().where(AuditEvent.firm == firm_id)
    if subject_type:
        query = query.where(AuditEvent.subject_type == subject_type)
    return await query.order_by(AuditEvent.id, ascending=False).limit(limit).output(load_json=True)
