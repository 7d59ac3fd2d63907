"""API for tax reporting: W-9 links and status, the year's payees, 1099-NEC filings, FIRE."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from pydantic import BaseModel
from rapport_core.actors import Actor
from rapport_core.tax import filings, nec, payer, w9
from rapport_core.tax.filings import FilingOut
from rapport_core.tax.schemas import PayerIn, PayerOut, W9LinkOut, W9Out


class PayeeOut(BaseModel):
    partner_id: int
    name: str
    box1_cents: int
    box4_cents: int
    pending_cents: int
    threshold_cents: int
    status: nec.Status
    reasons: list[str]
    w9: W9Out | None
    backup_withholding_due: bool


def payee_out(p: nec.PayeeYear) -> PayeeOut:
    return PayeeOut(
        **{k: getattr(p, k) for k in PayeeOut.model_fields if k != "backup_withholding_due"},
        backup_withholding_due=p.backup_withholding_due,
    )


class PartnerW9Controller(Controller):
    path = "/partners/{partner_id:int}"
    tags = ["tax"]

    @get("/w9", summary="The partner's W-9 on file (TIN masked), or null")
    async def current(
        self, actor: NamedDependency[Actor], partner_id: FromPath[int]
    ) -> W9Out | None:
        return await w9.current_w9(actor, partner_id)

    @post("/w9-links", summary="Create a single-use W-9 link (shown once) to pass on yourself")
    async def link(
        self, request: Request, actor: NamedDependency[Actor], partner_id: FromPath[int]
    ) -> W9LinkOut:
        return await w9.create_link(actor, partner_id, str(request.base_url))


class TaxController(Controller):
    path = "/tax"
    tags = ["tax"]

    @get("/payer", summary="The firm's payer profile (TIN masked), or null")
    async def get_payer(self, actor: NamedDependency[Actor]) -> PayerOut | None:
        return await payer.get_payer(actor)

    @post("/payer", summary="Set the firm's payer profile (owner or admin)", status_code=200)
    async def set_payer(self, actor: NamedDependency[Actor], data: JSONBody[PayerIn]) -> PayerOut:
        return await payer.set_payer(actor, data)

    @get("/payees", summary="Box 1, box 4, threshold and W-9 status per payee")
    async def payees(self, actor: NamedDependency[Actor], year: FromQuery[int]) -> list[PayeeOut]:
        return [payee_out(p) for p in await nec.year_summary(actor, year)]

    @get("/w9-reminders", summary="Payees without a W-9 near or over the threshold")
    async def reminders(
        self, actor: NamedDependency[Actor], year: FromQuery[int]
    ) -> list[PayeeOut]:
        return [payee_out(p) for p in await nec.w9_reminders(actor, year)]

    @get("/filings", summary="The year's stored 1099-NECs")
    async def list_filings(
        self, actor: NamedDependency[Actor], year: FromQuery[int]
    ) -> list[FilingOut]:
        return await filings.filings_for(actor, year)

    @post("/filings", summary="Generate and store the year's 1099-NECs (once)")
    async def generate(
        self, actor: NamedDependency[Actor], year: FromQuery[int]
    ) -> list[FilingOut]:
        return await filings.generate_year(actor, year)

    @get("/filings/{filing_id:int}/pdf", summary="A stored 1099-NEC PDF (audited)")
    async def pdf(self, actor: NamedDependency[Actor], filing_id: FromPath[int]) -> Response:
        _, data = await filings.filing_pdf(actor, filing_id)
        return Response(data, media_type="application/pdf")

    @get("/fire", summary="The year's FIRE file (Publication 1220)")
    async def fire(self, actor: NamedDependency[Actor], year: FromQuery[int]) -> Response:
        return Response(
            (await filings.fire_file(actor, year)).encode("ascii"), media_type="text/plain"
        )


CONTROLLERS: list = [PartnerW9Controller, TaxController]
