"""Referral partners, their licences and touchpoints (activities)."""

from __future__ import annotations

from rapport_core import audit
from rapport_core.actors import Actor
from rapport_core.clock import now
from rapport_core.errors import Conflict
from rapport_core.plugins import notify, notify_all
from rapport_core.schemas import (
    ActivityCreate,
    ActivityOut,
    LicenceCreate,
    LicenceOut,
    LicenceUpdate,
    Page,
    PartnerCreate,
    PartnerOut,
    PartnerSearch,
    PartnerUpdate,
)
from rapport_core.services.common import (
    bulk_insert,
    changes,
    collector_paused,
    get_scoped,
    ilike,
    like_term,
    require_in_firm,
    transaction,
)
from rapport_core.tables import Activity, Licence, Partner, Referral, User


def partner_out(row: dict) -> PartnerOut:
    return PartnerOut.model_validate(
        {**row, "owner_id": row["owner"], "external_ids": row["external_ids"] or {}}
    )


def _specialty_index(specialties: list[str]) -> str:
    return "|" + "|".join(s.lower() for s in specialties) + "|" if specialties else ""


def _columns(fields: dict) -> dict:
    """Schema field names to table column values."""
    values = dict(fields)
    if "owner_id" in values:
        values["owner"] = values.pop("owner_id")
    if "specialties" in values:
        values["specialty_index"] = _specialty_index(values["specialties"])
    return values


async def create_partner(actor: Actor, data: PartnerCreate) -> PartnerOut:
    actor.require_write()
    await require_in_firm(User, actor, data.owner_id, "user", "owner_id")
    stamp = now()
    async with transaction():
        partner = Partner(
            firm=actor.firm_id,
            **_columns(data.model_dump(mode="json")),
            created_at=stamp,
            updated_at=stamp,
        )
        await partner.save()
        out = await get_partner(actor, partner.id)
        await audit.record(actor, "partner.create", "partner", partner.id, after=out)
    await notify("partner_created", partner=out, actor=actor)
    return out


async def create_partners(actor: Actor, items: list[PartnerCreate]) -> list[PartnerOut]:
    """Create many partners in one transaction (multi-row INSERTs), then announce them."""
    async with transaction():
        created = await insert_partners(actor, items)
    await announce_partners(actor, created)
    return created


async def get_partner(actor: Actor, partner_id: int) -> PartnerOut:
    return partner_out(await get_scoped(Partner, actor, partner_id, "partner"))


async def update_partner(actor: Actor, partner_id: int, data: PartnerUpdate) -> PartnerOut:
    actor.require_write()
    before = await get_partner(actor, partner_id)
    sent = changes(data, required=("name", "profession"))
    await require_in_firm(User, actor, sent.get("owner_id"), "user", "owner_id")
    changed = [name for name, value in sent.items() if getattr(before, name) != value]
    if not changed:
        return before
    async with transaction():
        await Partner.update({**_columns(sent), Partner.updated_at: now()}).where(
            Partner.id == partner_id, Partner.firm == actor.firm_id
        )
        after = await get_partner(actor, partner_id)
        await audit.record(
            actor, "partner.update", "partner", partner_id, before=before, after=after
        )
    await notify("partner_updated", partner=after, changed=changed, actor=actor)
    return after


async def delete_partner(actor: Actor, partner_id: int) -> None:
    """Delete a partner with its licences and activities. A partner with referrals is kept:
    the referral history would lose its source."""
    actor.require_write()
    before = await get_partner(actor, partner_id)
    referrals = await Referral.count().where(Referral.partner == partner_id)
    if referrals:
        raise Conflict(
            f"partner {partner_id} has {referrals} referral(s); a partner with referral "
            "history cannot be deleted",
            field="partner_id",
        )
    from rapport_core.agreements.tables import Agreement

    if agreements := await Agreement.count().where(Agreement.partner == partner_id):
        raise Conflict(
            f"partner {partner_id} has {agreements} agreement(s) on file, which are kept as "
            "compliance records; a partner with agreements cannot be deleted",
            field="partner_id",
        )
    from rapport_core.tax.tables import W9

    if await W9.exists().where(W9.partner == partner_id):
        raise Conflict(
            f"partner {partner_id} has a W-9 on file, kept as a tax record; a partner with "
            "tax records cannot be deleted",
            field="partner_id",
        )
    async with transaction():
        await Partner.delete().where(Partner.id == partner_id, Partner.firm == actor.firm_id)
        await audit.record(actor, "partner.delete", "partner", partner_id, before=before)


async def search_partners(actor: Actor, search: PartnerSearch) -> Page[PartnerOut]:
    where = [Partner.firm == actor.firm_id]
    if search.q:
        term = like_term(search.q)
        where.append(
            ilike(Partner.name, term)
            | ilike(Partner.organisation, term)
            | ilike(Partner.specialty_index, term)
            | ilike(Partner.email, term)
        )
    if search.profession:
        where.append(Partner.profession == search.profession.value)
    if search.specialty:
        where.append(ilike(Partner.specialty_index, like_term(search.specialty)))
    if search.city:
        where.append(ilike(Partner.city, search.city.strip()))
    if search.state:
        where.append(Partner.state == search.state)
    total = await Partner.count().where(*where)
    rows = (
        await Partner.select()
        .where(*where)
        .order_by(Partner.name)
        .limit(search.per_page)
        .offset((search.page - 1) * search.per_page)
        .output(load_json=True)
    )
    return Page[PartnerOut](
        items=[partner_out(row) for row in rows],
        total=total,
        page=search.page,
        per_page=search.per_page,
    )


# ------------------------------------------------------------------------ licences


def licence_out(row: dict) -> LicenceOut:
    return LicenceOut.model_validate({**row, "partner_id": row["partner"]})


async def add_licence(actor: Actor, partner_id: int, data: LicenceCreate) -> LicenceOut:
    actor.require_write()
    await get_partner(actor, partner_id)
    stamp = now()
    async with transaction():
        licence = Licence(
            firm=actor.firm_id,
            partner=partner_id,
            **data.model_dump(),
            created_at=stamp,
            updated_at=stamp,
        )
        await licence.save()
        out = licence_out(await get_scoped(Licence, actor, licence.id, "licence"))
        await audit.record(actor, "licence.create", "licence", licence.id, after=out)
    return out


async def list_licences(actor: Actor, partner_id: int) -> list[LicenceOut]:
    await get_partner(actor, partner_id)
    rows = (
        await Licence.select()
        .where(Licence.partner == partner_id, Licence.firm == actor.firm_id)
        .order_by(Licence.id)
    )
    return [licence_out(row) for row in rows]


async def get_licence(actor: Actor, licence_id: int) -> LicenceOut:
    return licence_out(await get_scoped(Licence, actor, licence_id, "licence"))


async def update_licence(actor: Actor, licence_id: int, data: LicenceUpdate) -> LicenceOut:
    actor.require_write()
    before = await get_licence(actor, licence_id)
    sent = changes(data, required=("kind", "jurisdiction", "status"), mode="python")
    async with transaction():
        await Licence.update({**sent, Licence.updated_at: now()}).where(
            Licence.id == licence_id, Licence.firm == actor.firm_id
        )
        after = await get_licence(actor, licence_id)
        await audit.record(
            actor, "licence.update", "licence", licence_id, before=before, after=after
        )
    return after


async def delete_licence(actor: Actor, licence_id: int) -> None:
    actor.require_write()
    before = await get_licence(actor, licence_id)
    async with transaction():
        await Licence.delete().where(Licence.id == licence_id, Licence.firm == actor.firm_id)
        await audit.record(actor, "licence.delete", "licence", licence_id, before=before)


# ------------------------------------------------------------------------ activities


def activity_out(row: dict) -> ActivityOut:
    return ActivityOut.model_validate({**row, "partner_id": row["partner"]})


async def log_activity(actor: Actor, data: ActivityCreate) -> ActivityOut:
    actor.require_write()
    await require_in_firm(Partner, actor, data.partner_id, "partner", "partner_id")
    async with transaction():
        activity = Activity(
            firm=actor.firm_id,
            partner=data.partner_id,
            kind=data.kind.value,
            occurred_on=data.occurred_on,
            summary=data.summary,
            created_by=actor.label,
            created_at=now(),
        )
        await activity.save()
        out = activity_out(activity.to_dict())
        await audit.record(actor, "activity.create", "activity", activity.id, after=out)
    return out


async def list_activities(
    actor: Actor, partner_id: int | None = None, limit: int = 200
) -> list[ActivityOut]:
    query = Activity.select().where(Activity.firm == actor.firm_id)
    if partner_id is not None:
        await get_partner(actor, partner_id)
        query = query.where(Activity.partner == partner_id)
    newest_first = query.order_by(Activity.occurred_on, Activity.id, ascending=False)
    rows = await newest_first.limit(limit)
    return [activity_out(row) for row in rows]


async def get_activity(actor: Actor, activity_id: int) -> ActivityOut:
    return activity_out(await get_scoped(Activity, actor, activity_id, "activity"))


async def delete_activity(actor: Actor, activity_id: int) -> None:
    actor.require_write()
    before = await get_activity(actor, activity_id)
    async with transaction():
        await Activity.delete().where(Activity.id == activity_id, Activity.firm == actor.firm_id)
        await audit.record(actor, "activity.delete", "activity", activity_id, before=before)


# ------------------------------------------------------------------------ many at once
# Imports and CRM syncs write thousands of partners in one transaction: the same schemas,
# audit actions and hooks as create_partner/update_partner, with multi-row INSERTs.


async def insert_partners(
    actor: Actor, items: list[PartnerCreate], *, on_chunk=None
) -> list[PartnerOut]:
    """Create ``items`` inside the caller's open transaction, one ``partner.create`` audit
    event each. The caller commits, then calls :func:`announce_partners`.
    ``on_chunk(count)`` is told how many rows each INSERT wrote (for progress bars)."""
    actor.require_write()
    with collector_paused():
        return await _insert_partners(actor, items, on_chunk)


async def _insert_partners(actor: Actor, items: list[PartnerCreate], on_chunk) -> list[PartnerOut]:
    stamp = now()
    values = [
        {
            **_columns(item.model_dump(mode="json")),
            "firm": actor.firm_id,
            "created_at": stamp,
            "updated_at": stamp,
        }
        for item in items
    ]
    ids = await bulk_insert(Partner, values, on_chunk=on_chunk)
    created = [partner_out({**row, "id": id_}) for row, id_ in zip(values, ids, strict=True)]
    await audit.record_many(
        actor,
        [
            audit.Entry(
                action="partner.create", subject_type="partner", subject_id=out.id, after=out
            )
            for out in created
        ],
    )
    return created


async def change_partner_in_transaction(
    actor: Actor, before: PartnerOut, data: PartnerUpdate
) -> tuple[PartnerOut, list[str]]:
    """Apply ``data`` to a partner inside the caller's open transaction and audit it; the
    caller commits, then calls :func:`announce_partners`. Returns the partner and the
    fields that changed (none: nothing written)."""
    actor.require_write()
    sent = changes(data, required=("name", "profession"))
    changed = [name for name, value in sent.items() if getattr(before, name) != value]
    if not changed:
        return before, []
    await Partner.update({**_columns(sent), Partner.updated_at: now()}).where(
        Partner.id == before.id, Partner.firm == actor.firm_id
    )
    after = await get_partner(actor, before.id)
    await audit.record(actor, "partner.update", "partner", before.id, before=before, after=after)
    return after, changed


async def announce_partners(
    actor: Actor,
    created: list[PartnerOut],
    updated: list[tuple[PartnerOut, list[str]]] = (),
) -> None:
    """The partner hooks, after the transaction that made the changes has committed."""
    await notify_all(
        [("partner_created", {"partner": partner, "actor": actor}) for partner in created]
        + [
            ("partner_updated", {"partner": partner, "changed": changed, "actor": actor})
            for partner, changed in updated
        ]
    )
