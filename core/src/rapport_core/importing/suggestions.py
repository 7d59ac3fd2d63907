"""Merge suggestions: partners that may be one person (same name and organisation, but no
shared email or external id). A person decides: merge them, or say they are different."""

from __future__ import annotations

from rapport_core import audit
from rapport_core.actors import Actor
from rapport_core.clock import now
from rapport_core.errors import Conflict
from rapport_core.importing.schemas import MergeSuggestionOut
from rapport_core.importing.tables import MergeSuggestion
from rapport_core.schemas import PartnerOut, PartnerUpdate
from rapport_core.services.common import get_scoped, transaction
from rapport_core.services.partners import (
    announce_partners,
    change_partner_in_transaction,
    get_partner,
)
from rapport_core.tables import Partner


async def list_suggestions(actor: Actor, status: str = "pending") -> list[MergeSuggestionOut]:
    rows = (
        await MergeSuggestion.select(
            *MergeSuggestion.all_columns(),
            MergeSuggestion.partner.name.as_alias("partner_name"),
            MergeSuggestion.candidate.name.as_alias("candidate_name"),
            MergeSuggestion.candidate.organisation.as_alias("organisation"),
        )
        .where(MergeSuggestion.firm == actor.firm_id, MergeSuggestion.status == status)
        .order_by(MergeSuggestion.id)
    )
    return [
        MergeSuggestionOut.model_validate(
            {**row, "partner_id": row["partner"], "candidate_id": row["candidate"]}
        )
        for row in rows
    ]


async def count_pending(actor: Actor) -> int:
    return await MergeSuggestion.count().where(
        MergeSuggestion.firm == actor.firm_id, MergeSuggestion.status == "pending"
    )


async def get_suggestion(actor: Actor, suggestion_id: int) -> dict:
    """The suggestion, if it is the actor's firm's (else NotFound)."""
    return await get_scoped(MergeSuggestion, actor, suggestion_id, "merge suggestion")


async def _pending(actor: Actor, suggestion_id: int) -> dict:
    row = await get_suggestion(actor, suggestion_id)
    if row["status"] != "pending":
        raise Conflict(f"merge suggestion {suggestion_id} is already {row['status']}")
    return row


async def dismiss(actor: Actor, suggestion_id: int) -> None:
    """They are different people: the suggestion is closed and not made again."""
    actor.require_write()
    await _pending(actor, suggestion_id)
    async with transaction():
        await MergeSuggestion.update(
            {
                MergeSuggestion.status: "dismissed",
                MergeSuggestion.decided_by: actor.label,
                MergeSuggestion.decided_at: now(),
            }
        ).where(MergeSuggestion.id == suggestion_id, MergeSuggestion.firm == actor.firm_id)
        await audit.record(
            actor, "partner.merge_dismissed", "merge_suggestion", suggestion_id, after={}
        )


def _completion(keep: PartnerOut, drop: PartnerOut) -> PartnerUpdate:
    """What the kept partner gains from the other: its empty fields filled, lists and ids
    joined. Nothing the kept partner already says is overwritten."""
    sent: dict = {}
    for name in ("organisation", "email", "phone", "address", "city", "state", "postal_code",
                 "ideal_client", "registration"):  # fmt: skip
        if not getattr(keep, name) and getattr(drop, name):
            sent[name] = getattr(drop, name)
    for name in ("specialties", "tags"):
        added = [item for item in getattr(drop, name) if item not in getattr(keep, name)]
        if added:
            sent[name] = [*getattr(keep, name), *added]
    if drop.notes and drop.notes not in keep.notes:
        sent["notes"] = "\n".join(n for n in (keep.notes, drop.notes) if n)
    extra = {k: v for k, v in drop.external_ids.items() if k not in keep.external_ids}
    if extra:
        sent["external_ids"] = {**keep.external_ids, **extra}
    return PartnerUpdate(**sent)


async def merge(actor: Actor, suggestion_id: int) -> PartnerOut:
    """Merge the suggested partner into the earlier one it resembles: the earlier one is
    kept, completed with the other's details; every row that pointed at the other
    (referrals, touchpoints, licences, drafts, and any plugin's table) now points at it;
    then the other is deleted. One transaction, audited."""
    actor.require_write()
    row = await _pending(actor, suggestion_id)
    keep = await get_partner(actor, row["candidate"])
    drop = await get_partner(actor, row["partner"])
    async with transaction():
        for column in Partner._meta.foreign_key_references:
            table = column._meta.table
            if table is MergeSuggestion:
                continue
            firm_column = table._meta.get_column_by_name("firm")
            await table.update({column: keep.id}).where(
                column == drop.id, firm_column == actor.firm_id
            )
        after, changed = await change_partner_in_transaction(actor, keep, _completion(keep, drop))
        await MergeSuggestion.update(
            {
                MergeSuggestion.status: "merged",
                MergeSuggestion.decided_by: actor.label,
                MergeSuggestion.decided_at: now(),
            }
        ).where(MergeSuggestion.id == suggestion_id, MergeSuggestion.firm == actor.firm_id)
        await audit.record(actor, "partner.merge", "partner", keep.id, before=drop, after=after)
        await Partner.delete().where(Partner.id == drop.id, Partner.firm == actor.firm_id)
    await announce_partners(actor, [], [(after, changed)] if changed else [])
    return after
