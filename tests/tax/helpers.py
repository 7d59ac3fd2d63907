"""Tax test data: partners, paid payouts (written as the money domain stores them), W-9s."""

from __future__ import annotations

import datetime as dt

from rapport_core.clock import now
from rapport_core.money.tables import Payout
from rapport_core.schemas import PartnerCreate
from rapport_core.services.partners import create_partner
from rapport_core.tax.payer import set_payer
from rapport_core.tax.schemas import PayerIn, W9In
from rapport_core.tax.w9 import create_link, submit_w9


async def partner(firm, name="Grace Hopper", profession="cpa", **fields) -> int:
    address = {"address": "2 Engine St", "city": "Tampa", "state": "FL", "postal_code": "33602"}
    out = await create_partner(
        firm.actor(), PartnerCreate(name=name, profession=profession, **{**address, **fields})
    )
    return out.id


async def paid(firm, partner_id, cents, on, *, withheld=0, status="paid") -> int:
    row = Payout(
        firm=firm.id,
        partner=partner_id,
        amount_cents=cents,
        status=status,
        accrued_on=on,
        paid_on=on if status == "paid" else None,
        created_by="test",
        created_at=now(),
        backup_withholding_cents=withheld,
    )
    await row.save()
    return row.id


def w9_form(**fields) -> W9In:
    values = {
        "name": "Grace Hopper",
        "business_name": "",
        "classification": "individual",
        "address": "1 Navy Way",
        "city": "Arlington",
        "state": "VA",
        "postal_code": "22201",
        "tin_type": "ssn",
        "tin": "123-45-6789",
        "certify": True,
        "signature_name": "Grace Hopper",
        **fields,
    }
    return W9In(**values)


async def w9_on_file(firm, partner_id, **fields):
    link = await create_link(firm.actor(), partner_id, "http://test")
    return await submit_w9(link.url.rsplit("/", 1)[1], w9_form(**fields))


async def payer(firm, **fields):
    values = {
        "legal_name": "Harbor Law LLP",
        "tin": "12-3456789",
        "address": "100 Biscayne Blvd",
        "city": "Miami",
        "state": "FL",
        "postal_code": "33132",
        "phone": "305-555-0100",
        "contact_name": "Pat Payer",
        "contact_email": "pat@harbor.example",
        "transmitter_control_code": "5A123",
        **fields,
    }
    return await set_payer(firm.actor(), PayerIn(**values))


JAN = dt.date(2026, 1, 15)


async def seed_filing(firm_id: int, partner_id: int) -> int:
    """A stored 1099-NEC row for the tenancy tests (its PDF a stand-in: they never open it)."""
    from rapport_core import secrets
    from rapport_core.tax.tables import Filing

    stamp = now()
    row = Filing(
        firm=firm_id,
        partner=partner_id,
        tax_year=2026,
        payee_name="Grace Hopper",
        box1_cents=250000,
        threshold_cents=200000,
        pdf=secrets.encrypt(""),
        pdf_sha256="e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        account=f"P{partner_id}",
        generated_by="test",
        generated_at=stamp,
        retain_until=stamp.replace(year=stamp.year + 7),
    )
    await row.save()
    return row.id
