"""Listing merge suggestions and deciding them; each source's decision does its own work."""

from __future__ import annotations

from typing import Any

from rapport_core.actors import Actor
from rapport_core.clock import as_utc, now
from rapport_core.errors import Conflict
from rapport_core.services.common import get_scoped
from rapport_core.suggestions.schemas import Decision, MergeSuggestionOut, Person
from rapport_core.suggestions.tables import MergeSuggestion

_SHOWN = ("name", "organisation", "email", "phone", "city", "state")


def _select():
    return MergeSuggestion.select(
        MergeSuggestion.all_columns(),
        *(getattr(MergeSuggestion.partner, f).as_alias(f"partner_{f}") for f in _SHOWN),
        *(getattr(MergeSuggestion.duplicate, f).as_alias(f"duplicate_{f}") for f in _SHOWN),
    ).output(load_json=True)


async def list_suggestions(actor: Actor, status: str = "pending") -> list[MergeSuggestionOut]:
    rows = await (
        _select()
        .where(MergeSuggestion.firm == actor.firm_id, MergeSuggestion.status == status)
        .order_by(MergeSuggestion.id)
    )
    return [_out(row) for row in rows]


async def count_pending(actor: Actor) -> int:
    return await MergeSuggestion.count().where(
        MergeSuggestion.firm == actor.firm_id, MergeSuggestion.status == "pending"
    )


async def get_suggestion(actor: Actor, suggestion_id: int) -> MergeSuggestionOut:
    """The suggestion, if it is the actor's firm's (else NotFound)."""
    await get_scoped(MergeSuggestion, actor, suggestion_id, "merge suggestion")
    [row] = await _select().where(MergeSuggestion.id == suggestion_id)
    return _out(row)


def _person(values: dict[str, Any]) -> Person:
    return Person(**{f: value for f in _SHOWN if (value := values.get(f)) is not None})


def _out(row: dict[str, Any]) -> MergeSuggestionOut:
    if row["origin"] == "crm":
        candidate = _person(row["record"] or {})
    else:
        candidate = _person({f: row[f"duplicate_{f}"] for f in _SHOWN})
    return MergeSuggestionOut(
        id=row["id"],
        origin=row["origin"],
        source=row["source"],
        reason=row["reason"],
        partner_id=row["partner"],
        partner=_person({f: row[f"partner_{f}"] for f in _SHOWN}),
        candidate=candidate,
        duplicate_id=row["duplicate"],
        import_id=row["import_run"],
        connector=row["connector"],
        external_id=row["external_id"],
        status=row["status"],
        created_at=as_utc(row["created_at"]),
        decided_by=row["decided_by"],
        decided_at=as_utc(row["decided_at"]),
    )


async def decide(actor: Actor, suggestion_id: int, decision: Decision) -> MergeSuggestionOut:
    """``merge`` (the same person) or ``separate`` (different people), as its source does it:
    a CRM record is linked to the partner or becomes a new one; an imported partner is
    folded into the earlier one or kept."""
    actor.require_write()
    row = await get_scoped(MergeSuggestion, actor, suggestion_id, "merge suggestion")
    if row["status"] != "pending":
        raise Conflict(f"merge suggestion {suggestion_id} is already {row['status']}", field="id")
    if row["origin"] == "crm":
        from rapport_core.crm.suggestions import resolve
    else:
        from rapport_core.importing.suggestions import resolve
    await resolve(actor, row, decision)
    return await get_suggestion(actor, suggestion_id)


async def mark_decided(actor: Actor, suggestion_id: int, decision: Decision) -> None:
    """Record the decision (inside the resolver's transaction)."""
    await MergeSuggestion.update(
        {
            MergeSuggestion.status: "merged" if decision == "merge" else "separate",
            MergeSuggestion.decided_by: actor.label,
            MergeSuggestion.decided_at: now(),
        }
    ).where(MergeSuggestion.id == suggestion_id, MergeSuggestion.firm == actor.firm_id)
