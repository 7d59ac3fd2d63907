"""Deciding an import's merge suggestion: a partner the import created that may be one the
firm had (same name and organisation, but no shared email or external id)."""

from __future__ import annotations

from typing import Any

from rapport_core import audit
from rapport_core.actors import Actor
from rapport_core.schemas import PartnerOut, PartnerUpdate
from rapport_core.services.common import transaction
from rapport_core.services.partners import (
    announce_partners,
    change_partner_in_transaction,
    get_partner,
)
from rapport_core.suggestions.schemas import Decision
from rapport_core.suggestions.service import mark_decided
from rapport_core.suggestions.tables import MergeSuggestion
from rapport_core.tables import Partner


async def resolve(actor: Actor, row: dict[str, Any], decision: Decision) -> None:
    if decision == "separate":
        async with transaction():
            await mark_decided(actor, row["id"], decision)
            await audit.record(
                actor, "partner.merge_dismissed", "merge_suggestion", row["id"], after={}
            )
        return
    await _merge(actor, row)


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


async def _merge(actor: Actor, row: dict[str, Any]) -> None:
    """Fold the partner the import created into the earlier one it resembles: the earlier one
    is kept, completed with the other's details; every row that pointed at the other
    (referrals, touchpoints, licences, drafts, and any plugin's table) now points at it;
    then the other is deleted. One transaction, audited."""
    keep = await get_partner(actor, row["partner"])
    drop = await get_partner(actor, row["duplicate"])
    async with transaction():
        for column in Partner._meta.foreign_key_references:
            table = column._meta.table
            if table is MergeSuggestion:
                continue  # its own row keeps ``partner``; ``duplicate`` empties on delete
            firm_column = table._meta.get_column_by_name("firm")
            await table.update({column: keep.id}).where(
                column == drop.id, firm_column == actor.firm_id
            )
        after, changed = await change_partner_in_transaction(actor, keep, _completion(keep, drop))
        await mark_decided(actor, row["id"], "merge")
        await audit.record(actor, "partner.merge", "partner", keep.id, before=drop, after=after)
        await Partner.delete().where(Partner.id == drop.id, Partner.firm == actor.firm_id)
    await announce_partners(actor, [], [(after, changed)] if changed else [])
