"""Generating a tax year's 1099-NECs: the stored filings, their PDFs and the FIRE file.

A filing is a tax record: once a year is generated its figures and PDFs are stored with a
SHA-256 of each PDF and are neither regenerated, edited nor deleted until ``retain_until``
(``retention_years`` in the rules after generation). Three layers refuse: no route edits or
deletes one, this service raises ``Retained``, and the database's retention triggers
(``rapport_core.audit.retention``, migration 2026-12-02T07:10:00) refuse the SQL.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel

from rapport_core import audit, secrets
from rapport_core.actors import Actor
from rapport_core.audit import retention
from rapport_core.clock import as_utc, now
from rapport_core.errors import Conflict, Forbidden, Invalid, NotFound
from rapport_core.services.common import get_scoped, transaction
from rapport_core.tables import Partner
from rapport_core.tax import fire, nec, rules
from rapport_core.tax.payer import payer_row, payer_tin
from rapport_core.tax.pdf import FormData, nec_pdfs, summary_pdf
from rapport_core.tax.tables import W9, Filing
from rapport_core.tax.tin import mask, parse_tin, reveal
from rapport_core.tax.w9 import TIN_VIEWERS


class FilingOut(BaseModel):
    id: int
    partner_id: int
    tax_year: int
    payee_name: str
    payee_tin_masked: str
    box1_cents: int
    box4_cents: int
    state: str
    pdf_sha256: str
    generated_by: str
    generated_at: dt.datetime
    retain_until: dt.datetime


def _out(row: dict, tin_type: str = "ssn") -> FilingOut:
    return FilingOut(
        id=row["id"],
        partner_id=row["partner"],
        tax_year=row["tax_year"],
        payee_name=row["payee_name"],
        payee_tin_masked=mask(tin_type, row["payee_tin_last4"]),
        box1_cents=row["box1_cents"],
        box4_cents=row["box4_cents"],
        state=row["state"],
        pdf_sha256=row["pdf_sha256"],
        generated_by=row["generated_by"],
        generated_at=as_utc(row["generated_at"]),
        retain_until=as_utc(row["retain_until"]),
    )


def _require_tax_role(actor: Actor) -> None:
    if actor.role not in TIN_VIEWERS:
        raise Forbidden(f"role {actor.role} cannot generate or open 1099s (they show full TINs)")


async def _payer(actor: Actor) -> dict:
    row = await payer_row(actor.firm_id)
    if row is None:
        raise Invalid(
            "set the firm's payer profile (legal name, TIN, address, phone) first", field="payer"
        )
    return row


@dataclass
class _Prepared:
    payee: nec.PayeeYear
    w9: dict | None
    partner: dict
    form: FormData
    pdf: bytes = b""


async def filings_for(actor: Actor, year: int) -> list[FilingOut]:
    rows = await Filing.select().where(Filing.firm == actor.firm_id, Filing.tax_year == year)
    types = {
        r["id"]: r["tin_type"]
        for r in await W9.select(W9.id, W9.tin_type).where(W9.firm == actor.firm_id)
    }
    return sorted((_out(r, types.get(r["w9"], "ssn")) for r in rows), key=lambda f: f.payee_name)


async def generate_year(
    actor: Actor, year: int, *, progress: Callable[[int, int], None] | None = None
) -> list[FilingOut]:
    """Generate and store the year's 1099-NECs for every reportable payee (once)."""
    _require_tax_role(actor)
    payer = await _payer(actor)
    if await Filing.exists().where(Filing.firm == actor.firm_id, Filing.tax_year == year):
        raise Conflict(
            f"the {year} 1099-NECs were already generated: they are tax records, kept as "
            "issued (file a correction with the IRS for a change)",
            field="year",
        )
    payees = [p for p in await nec.year_summary(actor, year) if p.status is nec.Status.reportable]
    if not payees:
        raise Invalid(f"no payee is reportable for {year}", field="year")
    prepared = await _prepare(actor, year, payer, payees)
    # CPU-bound, in worker processes; before the transaction, which stays short
    pdfs = await nec_pdfs([item.form for item in prepared], progress=progress)
    for item, pdf in zip(prepared, pdfs, strict=True):
        item.pdf = pdf
    stamp = now()
    retain = stamp.replace(year=stamp.year + rules.retention_years(year))
    async with transaction():
        for item in prepared:
            row = Filing(
                firm=actor.firm_id,
                partner=item.payee.partner_id,
                tax_year=year,
                w9=item.w9["id"] if item.w9 else None,
                payee_name=item.form.payee["name"],
                payee_tin_last4=item.w9["tin_last4"] if item.w9 else "",
                box1_cents=item.payee.box1_cents,
                box4_cents=item.payee.box4_cents,
                state=item.form.payee["state"] if item.form.state_number else "",
                state_income_cents=item.form.state_income_cents,
                state_tax_withheld_cents=0,
                threshold_cents=item.payee.threshold_cents,
                pdf=secrets.encrypt(base64.b64encode(item.pdf).decode()),
                pdf_sha256=hashlib.sha256(item.pdf).hexdigest(),
                account=item.form.account,
                generated_by=actor.label,
                generated_at=stamp,
                retain_until=retain,
            )
            await row.save()
            await audit.record(
                actor,
                "tax.1099nec.generate",
                "filing",
                row.id,
                after={
                    "partner_id": item.payee.partner_id,
                    "tax_year": year,
                    "box1_cents": item.payee.box1_cents,
                    "box4_cents": item.payee.box4_cents,
                    "pdf_sha256": row.pdf_sha256,
                },
            )
    return await filings_for(actor, year)


async def _prepare(
    actor: Actor, year: int, payer: dict, payees: list[nec.PayeeYear]
) -> list[_Prepared]:
    ids = [p.partner_id for p in payees]
    partners = {
        r["id"]: r
        for r in await Partner.select().where(Partner.firm == actor.firm_id, Partner.id.is_in(ids))
    }
    w9s = {
        r["partner"]: r
        for r in await W9.select().where(
            W9.firm == actor.firm_id, W9.partner.is_in(ids), W9.superseded_at.is_null()
        )
    }
    formatted_payer_tin = parse_tin(payer["tin_type"], payer_tin(payer)).formatted
    items = []
    for p in payees:
        w9 = w9s.get(p.partner_id)
        partner = partners[p.partner_id]
        source = w9 or {
            "name": partner["name"],
            "business_name": partner["organisation"],
            "address": partner["address"],
            "city": partner["city"],
            "state": partner["state"],
            "postal_code": partner["postal_code"],
        }
        missing = [k for k in ("address", "city", "state", "postal_code") if not source[k]]
        if missing:
            raise Invalid(
                f"{partner['name']} (partner {p.partner_id}) has no W-9 and no mailing address "
                f"on file ({', '.join(missing)} missing): a 1099-NEC needs one",
                field="address",
            )
        tin = parse_tin(w9["tin_type"], reveal(w9["tin_encrypted"])) if w9 else None
        state_number = payer["state_payer_number"] if source["state"] else ""
        form = FormData(
            year=year,
            payer=payer,
            payer_tin=formatted_payer_tin,
            payee={
                k: source[k]
                for k in ("name", "business_name", "address", "city", "state", "postal_code")
            },
            recipient_tin=tin.formatted if tin else "",
            recipient_tin_masked=tin.masked if tin else "",
            box1_cents=p.box1_cents,
            box4_cents=p.box4_cents,
            account=f"P{p.partner_id}",
            state_number=state_number,
            state_income_cents=p.box1_cents if state_number else 0,
        )
        items.append(_Prepared(payee=p, w9=w9, partner=partner, form=form))
    return items


async def filing_pdf(actor: Actor, filing_id: int) -> tuple[FilingOut, bytes]:
    """A stored 1099-NEC PDF, checked against its SHA-256; opening it is audited."""
    _require_tax_role(actor)
    row = await get_scoped(Filing, actor, filing_id, "1099-NEC")
    pdf = base64.b64decode(secrets.decrypt(row["pdf"]))
    if hashlib.sha256(pdf).hexdigest() != row["pdf_sha256"]:
        raise Conflict(f"1099-NEC {filing_id} does not match its recorded SHA-256")
    async with transaction():
        await audit.record(actor, "tax.1099nec.open", "filing", filing_id)
    return _out(row), pdf


async def year_summary_pdf(actor: Actor, year: int) -> bytes:
    """The 1096-style summary of a generated year."""
    _require_tax_role(actor)
    payer = await _payer(actor)
    filings = await filings_for(actor, year)
    if not filings:
        raise NotFound(f"no 1099-NECs have been generated for {year}")
    rows = [
        {
            "name": f.payee_name,
            "tin_masked": f.payee_tin_masked,
            "box1_cents": f.box1_cents,
            "box4_cents": f.box4_cents,
            "sha256": f.pdf_sha256,
        }
        for f in filings
    ]
    tin = parse_tin(payer["tin_type"], payer_tin(payer)).formatted
    return summary_pdf(year, payer, tin, rows)


async def fire_file(actor: Actor, year: int, *, test: bool = False) -> str:
    """The FIRE transmission of a generated year, from the stored filings."""
    _require_tax_role(actor)
    payer = await _payer(actor)
    if not payer["transmitter_control_code"]:
        raise Invalid(
            "the payer profile needs the transmitter control code (TCC) the IRS assigned",
            field="transmitter_control_code",
        )
    rows = await Filing.select().where(Filing.firm == actor.firm_id, Filing.tax_year == year)
    if not rows:
        raise NotFound(f"no 1099-NECs have been generated for {year}: generate them first")
    w9s = {r["id"]: r for r in await W9.select().where(W9.firm == actor.firm_id)}
    partners = {
        r["id"]: r
        for r in await Partner.select().where(
            Partner.firm == actor.firm_id, Partner.id.is_in([r["partner"] for r in rows])
        )
    }
    payees = []
    for row in sorted(rows, key=lambda r: r["id"]):
        w9 = w9s.get(row["w9"])
        source = w9 or partners[row["partner"]]
        payees.append(
            fire.Payee(
                tin=reveal(w9["tin_encrypted"]) if w9 else "",
                tin_type=w9["tin_type"] if w9 else "",
                name=row["payee_name"],
                address=source["address"],
                city=source["city"],
                state=source["state"],
                postal_code=source["postal_code"],
                account=row["account"],
                box1_cents=row["box1_cents"],
                box4_cents=row["box4_cents"],
                individual=not w9 or w9["classification"] == "individual",
                state_code=fire.cfsf_code(row["state"]) if row["state"] else "",
            )
        )
    combined = any(p.state_code for p in payees)
    text = fire.build_file(
        fire.Transmission(
            year=year,
            payer=payer,
            payer_tin=payer_tin(payer),
            payees=payees,
            test=test,
            combined_federal_state=combined,
        )
    )
    async with transaction():
        await audit.record(
            actor,
            "tax.fire.export",
            "firm",
            actor.firm_id,
            after={"tax_year": year, "payees": len(payees)},
        )
    return text


async def delete_filing(actor: Actor, filing_id: int) -> None:
    """Refused while the filing is within its retention period (a tax record)."""
    actor.require_firm_admin()
    row = await get_scoped(Filing, actor, filing_id, "1099-NEC")
    until = as_utc(row["retain_until"])
    if until > now():
        raise retention.refuse(f"1099-NEC {filing_id} (kept until {until.date().isoformat()})")
    async with transaction():
        await Filing.delete().where(Filing.id == filing_id, Filing.firm == actor.firm_id)
        await audit.record(actor, "tax.1099nec.delete", "filing", filing_id, before=_out(row))
