"""Merge suggestions: a CRM person who may be a partner the firm already has.

Merging links the CRM record to that partner (blank fields filled, nothing overwritten);
keeping separate creates a new partner from the record. Either way later syncs follow the
link, and the decision is audited.
"""

from __future__ import annotations

from typing import Literal

from rapport_core import audit
from rapport_core.actors import Actor
from rapport_core.clock import as_utc, now
from rapport_core.crm import connections
from rapport_core.crm.records import ContactRecord
from rapport_core.crm.schemas import MergeSuggestionOut
from rapport_core.crm.sync import PARTNER_FIELDS, _PageWriter, _sync_actor
from rapport_core.crm.tables import CrmConnection, CrmMergeSuggestion
from rapport_core.errors import Conflict
from rapport_core.services.common import get_scoped, transaction
from rapport_core.tables import Partner


async def list_suggestions(actor: Actor, status: str = "pending") -> list[MergeSuggestionOut]:
    rows = (
        await CrmMergeSuggestion.select(
            CrmMergeSuggestion.all_columns(),
            CrmMergeSuggestion.partner.name.as_alias("partner_name"),
            CrmMergeSuggestion.partner.organisation.as_alias("partner_organisation"),
        )
        .where(CrmMergeSuggestion.firm == actor.firm_id, CrmMergeSuggestion.status == status)
        .order_by(CrmMergeSuggestion.id)
        .output(load_json=True)
    )
    return [_out(row) for row in rows]


def _out(row: dict) -> MergeSuggestionOut:
    return MergeSuggestionOut(
        id=row["id"],
        connector=row["connector"],
        external_id=row["external_id"],
        partner_id=row["partner"],
        partner_name=row.get("partner_name") or "",
        partner_organisation=row.get("partner_organisation") or "",
        record=row["record"] or {},
        status=row["status"],
        created_at=as_utc(row["created_at"]),
    )


async def decide(
    actor: Actor, suggestion_id: int, decision: Literal["merge", "separate"]
) -> MergeSuggestionOut:
    actor.require_write()
    row = await get_scoped(CrmMergeSuggestion, actor, suggestion_id, "merge suggestion")
    if row["status"] != "pending":
        raise Conflict(f"merge suggestion {suggestion_id} was already decided", field="id")
    connection = (
        await CrmConnection.select()
        .where(CrmConnection.id == row["connection"], CrmConnection.firm == actor.firm_id)
        .first()
        .output(load_json=True)
    )
    connector = connections.build_connector(connection)
    writer = _PageWriter(_sync_actor(actor, connector.name), connection, connector)
    record = ContactRecord.model_validate(row["record"])
    data = writer.fields_of(record)
    values = data.model_dump(mode="json", include=set(PARTNER_FIELDS))
    async with transaction():
        if decision == "merge":
            await get_scoped(Partner, actor, row["partner"], "partner")
            await writer.link_existing(row["partner"], record, values, writer.digest(record))
            partner_id = row["partner"]
        else:
            from rapport_core.services.partners import create_partner

            partner = await create_partner(writer.actor, data)
            await writer.link(partner.id, record.external_id, values, writer.digest(record))
            partner_id = partner.id
        status = "merged" if decision == "merge" else "separate"
        await CrmMergeSuggestion.update(
            {
                CrmMergeSuggestion.status: status,
                CrmMergeSuggestion.decided_by: actor.label,
                CrmMergeSuggestion.decided_at: now(),
            }
        ).where(CrmMergeSuggestion.id == suggestion_id)
        await audit.record(
            actor,
            f"crm.suggestion.{status}",
            "crm_merge_suggestion",
            suggestion_id,
            after={"partner_id": partner_id, "external_id": record.external_id},
        )
    row = await get_scoped(CrmMergeSuggestion, actor, suggestion_id, "merge suggestion")
    return _out(row)
