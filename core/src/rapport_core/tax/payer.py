"""The firm's payer profile: who the 1099s come from and who transmits the FIRE file."""

from __future__ import annotations

from rapport_core import audit
from rapport_core.actors import Actor
from rapport_core.clock import now
from rapport_core.services.common import transaction
from rapport_core.tax.schemas import PayerIn, PayerOut
from rapport_core.tax.tables import PayerProfile
from rapport_core.tax.tin import mask, parse_tin, reveal


def _out(row: dict) -> PayerOut:
    return PayerOut(
        **{k: row[k] for k in PayerOut.model_fields if k in row},
        tin_masked=mask(row["tin_type"], row["tin_last4"]),
    )


async def payer_row(firm_id: int) -> dict | None:
    return await PayerProfile.select().where(PayerProfile.firm == firm_id).first()


async def get_payer(actor: Actor) -> PayerOut | None:
    row = await payer_row(actor.firm_id)
    return _out(row) if row else None


async def set_payer(actor: Actor, data: PayerIn) -> PayerOut:
    """Create or replace the payer profile (owners and admins)."""
    actor.require_firm_admin()
    tin = parse_tin(data.tin_type, data.tin)
    values = data.model_dump(exclude={"tin"})
    values["transmitter_control_code"] = values["transmitter_control_code"].upper()
    values |= {
        "tin_encrypted": tin.encrypted(),
        "tin_last4": tin.last4,
        "updated_by": actor.label,
        "updated_at": now(),
    }
    async with transaction():
        before = await payer_row(actor.firm_id)
        if before is None:
            await PayerProfile.insert(PayerProfile(firm=actor.firm_id, **values))
        else:
            await PayerProfile.update(
                {getattr(PayerProfile, k): v for k, v in values.items()}
            ).where(PayerProfile.firm == actor.firm_id)
        out = _out(await payer_row(actor.firm_id))
        await audit.record(
            actor,
            "tax.payer.update",
            "firm",
            actor.firm_id,
            before=_out(before) if before else None,
            after=out,
        )
    return out


def payer_tin(row: dict) -> str:
    return reveal(row["tin_encrypted"])
