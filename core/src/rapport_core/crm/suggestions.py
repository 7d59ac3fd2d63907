"""Deciding a CRM sync's merge suggestion: a CRM person who may be a partner the firm has.

Merging links the CRM record to that partner (blank fields filled, nothing overwritten);
keeping separate creates a new partner from the record. Either way later syncs follow the
link, and the decision is audited.
"""

from __future__ import annotations

from typing import Any

from rapport_core import audit
from rapport_core.actors import Actor
from rapport_core.crm import connections
from rapport_core.crm.records import ContactRecord
from rapport_core.crm.sync import PARTNER_FIELDS, Mapped, _PageWriter, _sync_actor
from rapport_core.crm.tables import CrmConnection
from rapport_core.services.common import get_scoped, transaction
from rapport_core.suggestions.schemas import Decision
from rapport_core.suggestions.service import mark_decided
from rapport_core.tables import Partner


async def resolve(actor: Actor, row: dict[str, Any], decision: Decision) -> None:
    connection = (
        await CrmConnection.select()
        .where(CrmConnection.id == row["connection"], CrmConnection.firm == actor.firm_id)
        .first()
        .output(load_json=True)
    )
    connector = connections.build_connector(connection)
    writer = _PageWriter(_sync_actor(actor, connector.name), connection, connector)
    record = ContactRecord.model_validate(row["record"])
    mapped = Mapped(record, writer.digest(record), raw_hash=None)  # mapped on the next sync
    data = writer.fields_of(record)
    values = data.model_dump(mode="json", include=set(PARTNER_FIELDS))
    async with transaction():
        if decision == "merge":
            await get_scoped(Partner, actor, row["partner"], "partner")
            await writer.link_existing(row["partner"], mapped, values)
            partner_id = row["partner"]
        else:
            from rapport_core.services.partners import create_partner

            partner = await create_partner(writer.actor, data)
            await writer.link(partner.id, mapped, values)
            partner_id = partner.id
        await mark_decided(actor, row["id"], decision)
        status = "merged" if decision == "merge" else "separate"
        await audit.record(
            actor,
            f"crm.suggestion.{status}",
            "merge_suggestion",
            row["id"],
            after={"partner_id": partner_id, "external_id": record.external_id},
        )
