"""Fee arrangements: a partner's default terms or one referral's override, in versions.

An amendment adds a version from its ``effective_from`` day and ends the previous version
there; versions are never rewritten, so an accrual keeps pointing at the terms it used.
"""

from __future__ import annotations

import datetime as dt

from rapport_core import audit
from rapport_core.actors import Actor
from rapport_core.clock import now
from rapport_core.errors import Conflict, Invalid
from rapport_core.money.schemas import (
    ArrangementCreate,
    ArrangementDirection,
    ArrangementOut,
    ArrangementTermsIn,
    ArrangementVersionOut,
    RecruiterIn,
    parse_terms,
)
from rapport_core.money.tables import FeeArrangement, FeeArrangementVersion, PartnerRecruitment
from rapport_core.plugins import get_plugin_manager
from rapport_core.services.common import get_scoped, require_in_firm, transaction
from rapport_core.tables import Partner, Referral


def _version_out(row: dict) -> ArrangementVersionOut:
    return ArrangementVersionOut.model_validate({**row, "arrangement_id": row["arrangement"]})


async def get_arrangement(actor: Actor, arrangement_id: int) -> ArrangementOut:
    row = await get_scoped(FeeArrangement, actor, arrangement_id, "fee arrangement")
    versions = (
        await FeeArrangementVersion.select()
        .where(
            FeeArrangementVersion.arrangement == arrangement_id,
            FeeArrangementVersion.firm == actor.firm_id,
        )
        .order_by(FeeArrangementVersion.version, ascending=False)
        .output(load_json=True)
    )
    return ArrangementOut.model_validate(
        {
            **row,
            "partner_id": row["partner"],
            "referral_id": row["referral"],
            "versions": [_version_out(v) for v in versions],
        }
    )


async def list_arrangements(
    actor: Actor, *, partner_id: int | None = None, referral_id: int | None = None
) -> list[ArrangementOut]:
    where = [FeeArrangement.firm == actor.firm_id]
    if partner_id is not None:
        where.append(FeeArrangement.partner == partner_id)
    if referral_id is not None:
        where.append(FeeArrangement.referral == referral_id)
    rows = await FeeArrangement.select(FeeArrangement.id).where(*where).order_by(FeeArrangement.id)
    return [await get_arrangement(actor, row["id"]) for row in rows]


def _version_row(actor: Actor, arrangement_id: int, number: int, data: ArrangementTermsIn):
    terms = parse_terms(data.kind, data.parameters)
    return FeeArrangementVersion(
        firm=actor.firm_id,
        arrangement=arrangement_id,
        version=number,
        kind=data.kind.value,
        parameters=terms.model_dump(mode="json"),
        effective_from=data.effective_from,
        effective_until=data.effective_until,
        note=data.note,
        created_by=actor.label,
        created_at=now(),
    )


async def create_arrangement(actor: Actor, data: ArrangementCreate) -> ArrangementOut:
    actor.require_write()
    await require_in_firm(Partner, actor, data.partner_id, "partner", "partner_id")
    if data.referral_id is not None:
        referral = await get_scoped(
            Referral, actor, data.referral_id, "referral", field="referral_id"
        )
        if referral["partner"] != data.partner_id:
            raise Invalid(
                f"referral {data.referral_id} is not with partner {data.partner_id}",
                field="referral_id",
            )
    existing = await FeeArrangement.exists().where(
        FeeArrangement.firm == actor.firm_id,
        FeeArrangement.partner == data.partner_id,
        FeeArrangement.direction == data.direction.value,
        FeeArrangement.referral.is_null()
        if data.referral_id is None
        else FeeArrangement.referral == data.referral_id,
    )
    if existing:
        raise Conflict(
            "this partner already has that arrangement: amend it to add a new version",
            field="partner_id",
        )
    async with transaction():
        arrangement = FeeArrangement(
            firm=actor.firm_id,
            partner=data.partner_id,
            referral=data.referral_id,
            direction=data.direction.value,
            created_by=actor.label,
            created_at=now(),
        )
        await arrangement.save()
        await _version_row(actor, arrangement.id, 1, data).save()
        out = await get_arrangement(actor, arrangement.id)
        await audit.record(actor, "fee_arrangement.create", "fee_arrangement", out.id, after=out)
    get_plugin_manager().hook.fee_arrangement_changed(arrangement=out, actor=actor)
    return out


async def amend_arrangement(
    actor: Actor, arrangement_id: int, data: ArrangementTermsIn
) -> ArrangementOut:
    """A new version from ``data.effective_from``; the version before it ends that day."""
    actor.require_write()
    before = await get_arrangement(actor, arrangement_id)
    latest = before.versions[0]
    if data.effective_from <= latest.effective_from:
        raise Invalid(
            f"an amendment takes effect after the current version (from {latest.effective_from})",
            field="effective_from",
        )
    async with transaction():
        if latest.effective_until is None or latest.effective_until > data.effective_from:
            await FeeArrangementVersion.update(
                {FeeArrangementVersion.effective_until: data.effective_from}
            ).where(
                FeeArrangementVersion.id == latest.id,
                FeeArrangementVersion.firm == actor.firm_id,
            )
        await _version_row(actor, arrangement_id, latest.version + 1, data).save()
        after = await get_arrangement(actor, arrangement_id)
        await audit.record(
            actor,
            "fee_arrangement.amend",
            "fee_arrangement",
            arrangement_id,
            before=before,
            after=after,
        )
    get_plugin_manager().hook.fee_arrangement_changed(arrangement=after, actor=actor)
    return after


async def version_in_force(
    firm_id: int,
    partner_id: int,
    direction: ArrangementDirection,
    on: dt.date,
    *,
    referral_id: int | None = None,
) -> ArrangementVersionOut | None:
    """The terms that applied on ``on``: the referral's override if it has one in force,
    else the partner's default."""
    scopes = [referral_id, None] if referral_id is not None else [None]
    for scope in scopes:
        row = (
            await FeeArrangementVersion.select(*FeeArrangementVersion.all_columns())
            .where(
                FeeArrangementVersion.firm == firm_id,
                FeeArrangementVersion.arrangement.partner == partner_id,
                FeeArrangementVersion.arrangement.direction == direction.value,
                FeeArrangementVersion.arrangement.referral.is_null()
                if scope is None
                else FeeArrangementVersion.arrangement.referral == scope,
                FeeArrangementVersion.effective_from <= on,
                FeeArrangementVersion.effective_until.is_null()
                | (FeeArrangementVersion.effective_until > on),
            )
            .order_by(FeeArrangementVersion.version, ascending=False)
            .first()
            .output(load_json=True)
        )
        if row:
            return _version_out(row)
    return None


async def set_recruiter(actor: Actor, partner_id: int, data: RecruiterIn) -> int | None:
    """Record who recruited ``partner_id`` (multi-level overrides), or clear it."""
    actor.require_write()
    await require_in_firm(Partner, actor, partner_id, "partner", "partner_id")
    recruiter = data.recruited_by_id
    await require_in_firm(Partner, actor, recruiter, "partner", "recruited_by_id")
    chain = recruiter
    while chain is not None:  # no cycles: the recruiter may not sit below this partner
        if chain == partner_id:
            raise Invalid(
                "a partner cannot be recruited by their own recruit", field="recruited_by_id"
            )
        chain = await recruiter_of(actor.firm_id, chain)
    before = await recruiter_of(actor.firm_id, partner_id)
    async with transaction():
        await PartnerRecruitment.delete().where(
            PartnerRecruitment.firm == actor.firm_id, PartnerRecruitment.partner == partner_id
        )
        if recruiter is not None:
            await PartnerRecruitment(
                firm=actor.firm_id,
                partner=partner_id,
                recruited_by=recruiter,
                created_by=actor.label,
                created_at=now(),
            ).save()
        await audit.record(
            actor,
            "partner.recruiter",
            "partner",
            partner_id,
            before={"recruited_by_id": before},
            after={"recruited_by_id": recruiter},
        )
    return recruiter


async def recruiter_of(firm_id: int, partner_id: int) -> int | None:
    row = (
        await PartnerRecruitment.select(PartnerRecruitment.recruited_by)
        .where(PartnerRecruitment.firm == firm_id, PartnerRecruitment.partner == partner_id)
        .first()
    )
    return row["recruited_by"] if row else None
