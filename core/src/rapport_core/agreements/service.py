"""Agreements: upload, new versions, status, listing and download, scoped to the firm."""

from __future__ import annotations

import datetime as dt
import hashlib

from rapport_core import audit
from rapport_core.actors import Actor
from rapport_core.agreements import storage as document_storage
from rapport_core.agreements.documents import checked_pdf, clean_filename
from rapport_core.agreements.schemas import (
    PER_REFERRAL_KINDS,
    AgreementCreate,
    AgreementKind,
    AgreementOut,
    AgreementStatus,
    StatusChange,
    VersionCreate,
    VersionFields,
    VersionOut,
)
from rapport_core.agreements.tables import Agreement, AgreementVersion
from rapport_core.clock import now
from rapport_core.errors import Conflict, Invalid, NotFound, RapportError
from rapport_core.plugins import get_plugin_manager
from rapport_core.services.common import require_in_firm, transaction
from rapport_core.tables import Partner, Referral

_COLUMNS = (*Agreement.all_columns(), Agreement.partner.name.as_alias("partner_name"))

#: Status changes a person may make, from each stored status.
TRANSITIONS = {
    AgreementStatus.draft: {AgreementStatus.active, AgreementStatus.revoked},
    AgreementStatus.active: {AgreementStatus.superseded, AgreementStatus.revoked},
    AgreementStatus.superseded: {AgreementStatus.active},
    AgreementStatus.revoked: set(),
}


def today() -> dt.date:
    return now().date()


def effective_status(stored: str, expires_on: dt.date | None, on: dt.date) -> AgreementStatus:
    """The stored status, except that an active agreement past its expiry date is expired."""
    status = AgreementStatus(stored)
    if status is AgreementStatus.active and expires_on and expires_on < on:
        return AgreementStatus.expired
    return status


def _version_out(row: dict, latest: int) -> VersionOut:
    return VersionOut.model_validate(
        {
            **row,
            "uploaded_by": row["uploaded_by_label"],
            "standing": "current" if row["number"] == latest else "superseded",
            "download_url": f"/agreements/{row['agreement']}/versions/{row['number']}/file",
        }
    )


def _agreement_out(row: dict, versions: list[VersionOut] | None = None) -> AgreementOut:
    on = today()
    expires = row["expires_on"]
    return AgreementOut.model_validate(
        {
            **row,
            "partner_id": row["partner"],
            "referral_id": row["referral"],
            "status": effective_status(row["status"], expires, on),
            "days_to_expiry": (expires - on).days if expires else None,
            "versions": versions,
        }
    )


async def get_agreement(
    actor: Actor, agreement_id: int, *, with_versions: bool = True
) -> AgreementOut:
    row = (
        await Agreement.select(*_COLUMNS)
        .where(Agreement.id == agreement_id, Agreement.firm == actor.firm_id)
        .first()
    )
    if row is None:
        raise NotFound(f"agreement {agreement_id} not found")
    versions = None
    if with_versions:
        rows = (
            await AgreementVersion.select()
            .where(
                AgreementVersion.agreement == agreement_id,
                AgreementVersion.firm == actor.firm_id,
            )
            .order_by(AgreementVersion.number, ascending=False)
            .output(load_json=True)
        )
        versions = [_version_out(v, row["latest_version"]) for v in rows]
    return _agreement_out(row, versions)


async def list_agreements(
    actor: Actor,
    *,
    partner_id: int | None = None,
    referral_id: int | None = None,
    kind: AgreementKind | None = None,
) -> list[AgreementOut]:
    """The firm's agreements (of one partner or referral), newest first."""
    where = [Agreement.firm == actor.firm_id]
    if partner_id is not None:
        await require_in_firm(Partner, actor, partner_id, "partner", "partner_id")
        where.append(Agreement.partner == partner_id)
    if referral_id is not None:
        await require_in_firm(Referral, actor, referral_id, "referral", "referral_id")
        where.append(Agreement.referral == referral_id)
    if kind is not None:
        where.append(Agreement.kind == kind.value)
    rows = await Agreement.select(*_COLUMNS).where(*where).order_by(Agreement.id, ascending=False)
    return [_agreement_out(row) for row in rows]


async def _resolve_parties(actor: Actor, data: AgreementCreate) -> tuple[int, int | None]:
    """The partner and referral an agreement belongs to, checked against the firm."""
    partner_id = data.partner_id
    if data.referral_id is not None:
        referral = (
            await Referral.select(Referral.partner)
            .where(Referral.id == data.referral_id, Referral.firm == actor.firm_id)
            .first()
        )
        if referral is None:
            raise NotFound(f"referral {data.referral_id} not found", field="referral_id")
        if referral["partner"] is None:
            raise Invalid(
                "this referral has no partner (source unknown): an agreement needs one",
                field="referral_id",
            )
        if partner_id is None:
            partner_id = referral["partner"]
        elif partner_id != referral["partner"]:
            raise Invalid(
                f"referral {data.referral_id} is with another partner than {partner_id}",
                field="partner_id",
            )
    elif data.kind in PER_REFERRAL_KINDS:
        raise Invalid(f"a {data.kind.label.lower()} belongs to one referral", field="referral_id")
    if partner_id is None:
        raise Invalid("say which partner the agreement is with", field="partner_id")
    await require_in_firm(Partner, actor, partner_id, "partner", "partner_id")
    return partner_id, data.referral_id


async def _store(actor: Actor, data: bytes, filename: str) -> dict:
    """Check and store the file; the version columns that describe it."""
    sha256 = checked_pdf(data, filename)
    backend = document_storage.backend_name()
    key = document_storage.document_key(actor.firm_id, sha256)
    await document_storage.storage(backend).put(key, data)
    return {
        "sha256": sha256,
        "size_bytes": len(data),
        "original_name": clean_filename(filename),
        "storage_backend": backend,
        "storage_key": key,
    }


async def _forget_unused(actor: Actor, stored: dict) -> None:
    """After a failed save, remove the file unless another version shares it."""
    if not await AgreementVersion.exists().where(
        AgreementVersion.firm == actor.firm_id, AgreementVersion.sha256 == stored["sha256"]
    ):
        await document_storage.storage(stored["storage_backend"]).delete(stored["storage_key"])


def _version_columns(actor: Actor, fields: VersionFields, stored: dict) -> dict:
    return {
        **fields.model_dump(include=set(VersionFields.model_fields), mode="python"),
        **stored,
        "firm": actor.firm_id,
        "uploaded_by": actor.user_id,
        "uploaded_by_label": actor.label,
        "uploaded_at": now(),
    }


def _dates(fields: VersionFields) -> dict:
    return {
        Agreement.signed_on: fields.signed_on,
        Agreement.effective_on: fields.effective_on,
        Agreement.expires_on: fields.expires_on,
    }


async def upload_agreement(
    actor: Actor, data: AgreementCreate, file: bytes, filename: str
) -> AgreementOut:
    """A new agreement with its first version: active when signed, else a draft."""
    actor.require_write()
    partner_id, referral_id = await _resolve_parties(actor, data)
    stored = await _store(actor, file, filename)
    stamp = now()
    try:
        async with transaction():
            agreement = Agreement(
                firm=actor.firm_id,
                partner=partner_id,
                referral=referral_id,
                kind=data.kind.value,
                title=data.title or data.kind.label,
                status=(AgreementStatus.active if data.signed_on else AgreementStatus.draft).value,
                latest_version=1,
                signed_on=data.signed_on,
                effective_on=data.effective_on,
                expires_on=data.expires_on,
                created_at=stamp,
                updated_at=stamp,
            )
            await agreement.save()
            await AgreementVersion(
                agreement=agreement.id, number=1, **_version_columns(actor, data, stored)
            ).save()
            out = await get_agreement(actor, agreement.id)
            await audit.record(actor, "agreement.upload", "agreement", agreement.id, after=out)
    except BaseException:
        await _forget_unused(actor, stored)
        raise
    get_plugin_manager().hook.agreement_changed(agreement=out, actor=actor)
    return out


async def add_version(
    actor: Actor, agreement_id: int, data: VersionCreate, file: bytes, filename: str
) -> AgreementOut:
    """Version n+1 of an agreement (an amendment, a re-signed copy). Earlier versions are
    kept, superseded; the agreement takes the new version's dates."""
    actor.require_write()
    before = await get_agreement(actor, agreement_id, with_versions=False)
    if before.status is AgreementStatus.revoked:
        raise Conflict(
            f"agreement {agreement_id} was revoked; upload a new agreement instead",
            field="agreement_id",
        )
    stored = await _store(actor, file, filename)
    number = before.latest_version + 1
    status = before.status.value
    if before.status in (AgreementStatus.draft, AgreementStatus.expired) and data.signed_on:
        status = AgreementStatus.active.value
    elif before.status is AgreementStatus.expired:
        status = AgreementStatus.active.value  # stored as active; the new dates decide
    try:
        async with transaction():
            updated = (
                await Agreement.update(
                    {
                        Agreement.latest_version: number,
                        Agreement.status: status,
                        Agreement.updated_at: now(),
                        **_dates(data),
                    }
                )
                .where(
                    Agreement.id == agreement_id,
                    Agreement.firm == actor.firm_id,
                    Agreement.latest_version == before.latest_version,
                )
                .returning(Agreement.id)
            )
            if not updated:
                raise Conflict(
                    "another version was uploaded at the same time; reload and try again",
                    field="file",
                )
            await AgreementVersion(
                agreement=agreement_id, number=number, **_version_columns(actor, data, stored)
            ).save()
            after = await get_agreement(actor, agreement_id)
            await audit.record(
                actor, "agreement.version", "agreement", agreement_id, before=before, after=after
            )
    except BaseException:
        await _forget_unused(actor, stored)
        raise
    get_plugin_manager().hook.agreement_changed(agreement=after, actor=actor)
    return after


async def change_status(actor: Actor, agreement_id: int, data: StatusChange) -> AgreementOut:
    actor.require_write()
    before = await get_agreement(actor, agreement_id, with_versions=False)
    row = (
        await Agreement.select(Agreement.status)
        .where(Agreement.id == agreement_id, Agreement.firm == actor.firm_id)
        .first()
    )
    stored = AgreementStatus(row["status"])  # "expired" is shown, never stored
    target = AgreementStatus(data.status)
    if target not in TRANSITIONS[stored]:
        allowed = ", ".join(sorted(TRANSITIONS[stored])) or "none"
        raise Conflict(
            f"an agreement that is {stored} cannot become {target}; allowed: {allowed}",
            field="status",
        )
    if target is AgreementStatus.active and before.signed_on is None:
        raise Invalid(
            "only a signed agreement can be active: upload the signed copy", field="status"
        )
    if target in (AgreementStatus.revoked, AgreementStatus.superseded) and not data.reason:
        raise Invalid(f"say why the agreement is {target}", field="reason")
    async with transaction():
        await Agreement.update(
            {
                Agreement.status: target.value,
                Agreement.status_reason: data.reason,
                Agreement.updated_at: now(),
            }
        ).where(Agreement.id == agreement_id, Agreement.firm == actor.firm_id)
        after = await get_agreement(actor, agreement_id)
        await audit.record(
            actor, "agreement.status", "agreement", agreement_id, before=before, after=after
        )
    get_plugin_manager().hook.agreement_changed(agreement=after, actor=actor)
    return after


async def version_file(actor: Actor, agreement_id: int, number: int) -> tuple[VersionOut, bytes]:
    """A version's file, checked against its sha256 (another firm's: not found)."""
    row = (
        await AgreementVersion.select()
        .where(
            AgreementVersion.agreement == agreement_id,
            AgreementVersion.number == number,
            AgreementVersion.firm == actor.firm_id,
        )
        .first()
        .output(load_json=True)
    )
    if row is None:
        raise NotFound(f"agreement {agreement_id} has no version {number}")
    data = await document_storage.storage(row["storage_backend"]).get(row["storage_key"])
    if hashlib.sha256(data).hexdigest() != row["sha256"]:
        raise RapportError(
            f"the stored file of agreement {agreement_id} version {number} no longer matches "
            "its sha256: it was changed outside Rapport",
            field="file",
        )
    latest = (
        await Agreement.select(Agreement.latest_version)
        .where(Agreement.id == agreement_id, Agreement.firm == actor.firm_id)
        .first()
    )["latest_version"]
    return _version_out(row, latest), data
