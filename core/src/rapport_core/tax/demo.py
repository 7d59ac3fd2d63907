"""The demo firm's tax paperwork: a payer profile, W-9s on file for most partners it paid
(through the same link a partner would use) and missing for a few, so the tax centre shows
reminders and backup withholding; last year's 1099-NECs generated and stored."""

from __future__ import annotations

import datetime as dt
import random

from rapport_core.actors import Actor
from rapport_core.tables import Partner
from rapport_core.tax.filings import generate_year
from rapport_core.tax.nec import Status, year_summary
from rapport_core.tax.payer import set_payer
from rapport_core.tax.schemas import PayerIn, W9In
from rapport_core.tax.w9 import create_link, submit_w9

MISSING_EVERY = 4  # one paid partner in four has not sent a W-9 yet
PAYER = {
    "legal_name": "Harbor & Pine Estate Law PLLC",
    "tin_type": "ein",
    "tin": "59-2345678",
    "address": "400 N Ashley Dr, Suite 1900",
    "city": "Tampa",
    "state": "FL",
    "postal_code": "33602",
    "phone": "813-555-0142",
    "contact_name": "Olivia Owner",
    "contact_email": "owner@demo.example",
    "transmitter_control_code": "5D123",
}
PAID_PROFESSIONS = ["attorney"]  # the money demo divides fees with other lawyers only
CORPORATE = {"attorney": "s_corporation"}


def _tin(rng: random.Random, kind: str) -> str:
    if kind == "ein":
        return f"{rng.choice(['20', '26', '27', '45', '46', '47', '81', '82'])}-{rng.randint(1000000, 9999999)}"
    return f"{rng.randint(100, 599)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"


async def load_w9_demo(actor: Actor, today: dt.date) -> None:
    """Before the money demo pays anyone, so that only partners without a W-9 get backup
    withholding kept back from their payments."""
    rng = random.Random(f"tax-{today.isoformat()}")
    await set_payer(actor, PayerIn(**PAYER))
    partners = (
        await Partner.select()
        .where(Partner.firm == actor.firm_id, Partner.profession.is_in(PAID_PROFESSIONS))
        .order_by(Partner.id)
    )
    for number, partner in enumerate(partners):
        if number % MISSING_EVERY == MISSING_EVERY - 1:
            continue
        # Some incorporate: a corporation is left out of 1099s unless it is an attorney.
        incorporated = number % 3 == 0 and partner["profession"] in CORPORATE
        kind = "ein" if incorporated else "ssn"
        link = await create_link(actor, partner["id"], "http://127.0.0.1:8000")
        await submit_w9(
            link.url.rsplit("/", 1)[1],
            W9In(
                name=partner["organisation"]
                if incorporated and partner["organisation"]
                else partner["name"],
                business_name="" if incorporated else partner["organisation"],
                classification=CORPORATE[partner["profession"]] if incorporated else "individual",
                address=partner["address"] or "100 Main St",
                city=partner["city"] or "Tampa",
                state=partner["state"] or "FL",
                postal_code=partner["postal_code"] or "33602",
                tin_type=kind,
                tin=_tin(rng, kind),
                certify=True,
                signature_name=partner["name"],
            ),
        )


async def load_1099_demo(actor: Actor, today: dt.date) -> None:
    """After the money demo: last year's 1099-NECs, generated and stored."""
    last_year = today.year - 1
    if any(p.status is Status.reportable for p in await year_summary(actor, last_year)):
        await generate_year(actor, last_year)
