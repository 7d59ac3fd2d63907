"""Reading the ledger: payouts and receivables as their schemas, and the rules every money
write shares (who may, closed tax years)."""

from __future__ import annotations

import datetime as dt

from rapport_core.actors import Actor
from rapport_core.errors import Forbidden, Invalid, NotFound
from rapport_core.money.schemas import (
    MONEY_ROLES,
    PayoutFilter,
    PayoutOut,
    ReceivableOut,
)
from rapport_core.money.tables import Payout, Receivable
from rapport_core.services.common import from_cents
from rapport_core.services.firm_settings import firm_settings

_PAYOUT_COLUMNS = (
    *Payout.all_columns(),
    Payout.partner.name.as_alias("partner_name"),
    Payout.partner.tags.as_alias("partner_tags"),
    Payout.partner.profession.as_alias("partner_profession"),
    Payout.referral.client_name.as_alias("client_name"),
)


def require_money_role(actor: Actor, doing: str) -> None:
    if actor.role.value not in MONEY_ROLES:
        raise Forbidden(
            f"only an owner, admin or compliance user may {doing} (you are {actor.role})"
        )


async def check_closed_year(
    actor: Actor, on: dt.date, reason: str | None, field: str, reason_field: str
) -> str | None:
    """A payment dated in a tax year the firm has closed needs a reason; returns it."""
    closed = (await firm_settings(actor.firm_id)).money.closed_tax_years
    if on.year not in closed:
        return None
    if not (reason or "").strip():
        raise Invalid(
            f"{on.year} is a closed tax year: give a reason to date a payment {on.isoformat()}",
            field=reason_field,
            date_field=field,
        )
    return reason.strip()


def _payout_out(row: dict, reversed_by: dict[int, int]) -> PayoutOut:
    return PayoutOut.model_validate(
        {
            **row,
            "partner_id": row["partner"],
            "referral_id": row["referral"],
            "fee_collected_id": row["fee_collected"],
            "arrangement_version_id": row["arrangement_version"],
            "reverses_id": row["reverses"],
            "reversed_by_id": reversed_by.get(row["id"]),
            "amount": from_cents(row["amount_cents"]),
            "backup_withholding": from_cents(row["backup_withholding_cents"]),
        }
    )


async def _reversals(firm_id: int, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = await Payout.select(Payout.id, Payout.reverses).where(
        Payout.firm == firm_id, Payout.reverses.is_in(ids)
    )
    return {row["reverses"]: row["id"] for row in rows}


async def list_payouts(actor: Actor, filters: PayoutFilter | None = None) -> list[PayoutOut]:
    filters = filters or PayoutFilter()
    where = [Payout.firm == actor.firm_id]
    if filters.status:
        where.append(Payout.status == filters.status.value)
    if filters.partner_id is not None:
        where.append(Payout.partner == filters.partner_id)
    if filters.referral_id is not None:
        where.append(Payout.referral == filters.referral_id)
    rows = (
        await Payout.select(*_PAYOUT_COLUMNS)
        .where(*where)
        .order_by(Payout.accrued_on)
        .order_by(Payout.id)
        .limit(filters.limit)
    )
    reversed_by = await _reversals(actor.firm_id, [row["id"] for row in rows])
    return [_payout_out(row, reversed_by) for row in rows]


async def get_payout(actor: Actor, payout_id: int) -> PayoutOut:
    row = (
        await Payout.select(*_PAYOUT_COLUMNS)
        .where(Payout.id == payout_id, Payout.firm == actor.firm_id)
        .first()
    )
    if row is None:
        raise NotFound(f"payout {payout_id} not found")
    return _payout_out(row, await _reversals(actor.firm_id, [payout_id]))


def receivable_out(row: dict) -> ReceivableOut:
    return ReceivableOut.model_validate(
        {
            **row,
            "partner_id": row["partner"],
            "referral_id": row["referral"],
            "fee_collected_id": row["fee_collected"],
            "arrangement_version_id": row["arrangement_version"],
            "reverses_id": row["reverses"],
            "amount": from_cents(row["amount_cents"]),
        }
    )


async def list_receivables(
    actor: Actor, *, partner_id: int | None = None, referral_id: int | None = None
) -> list[ReceivableOut]:
    where = [Receivable.firm == actor.firm_id]
    if partner_id is not None:
        where.append(Receivable.partner == partner_id)
    if referral_id is not None:
        where.append(Receivable.referral == referral_id)
    rows = await Receivable.select().where(*where).order_by(Receivable.id)
    return [receivable_out(row) for row in rows]
