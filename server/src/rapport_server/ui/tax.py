"""Tax pages: the tax centre (payees, totals, thresholds, W-9 status, 1099s), a partner's
W-9, and the public W-9 form a partner opens through a link (no account needed)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import FromPath, FromQuery, MultipartBody, URLEncodedBody
from litestar.response import Template
from rapport_core.clock import now
from rapport_core.errors import Invalid, RapportError
from rapport_core.services import partners
from rapport_core.tax import filings, nec, payer, w9
from rapport_core.tax.pdf import dollars
from rapport_core.tax.schemas import CLASSIFICATION_LABELS, PayerIn, W9In

from rapport_server.ui.forms import FormState, RawForm, read_form, submit, submit_and_redirect
from rapport_server.ui.rendering import SignedIn, render

CLASSIFICATIONS = [(c.value, label) for c, label in CLASSIFICATION_LABELS.items()]
STATUS_BADGES = {
    "reportable": "badge-sent",
    "approaching": "badge-late",
    "below": "badge-closed",
    "excluded": "badge-closed",
}
W9_FIELDS = (
    "name", "business_name", "classification", "llc_tax_class", "exempt_payee_code",
    "fatca_code", "address", "city", "state", "postal_code", "tin_type", "tin",
    "signature_name",
)  # fmt: skip


def w9_input(form: RawForm) -> W9In:
    values = {name: form.get(name, "") for name in W9_FIELDS}
    return W9In.model_validate({**values, "certify": form.get("certify") == "yes"})


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _pdf(data: bytes, filename: str) -> Response:
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --------------------------------------------------------------------------- tax centre


async def _centre(
    me: SignedIn, year: int, payer_form: FormState | None = None, problem: str = ""
) -> Template:
    payees = await nec.year_summary(me.actor, year)
    profile = await payer.get_payer(me.actor)
    generated = await filings.filings_for(me.actor, year)
    reportable = [p for p in payees if p.status is nec.Status.reportable]
    values = profile.model_dump() if profile else {}
    values.pop("tin_masked", None)
    this_year = now().year
    return render(
        "tax/centre.html",
        me,
        year=year,
        years=list(range(this_year, this_year - 4, -1)),
        payees=payees,
        reportable=reportable,
        box1_total=sum(p.box1_cents for p in reportable),
        box4_total=sum(p.box4_cents for p in reportable),
        missing_w9=[
            p
            for p in payees
            if p.w9 is None and p.status in (nec.Status.reportable, nec.Status.approaching)
        ],
        threshold=payees[0].threshold_cents if payees else None,
        profile=profile,
        payer_form=payer_form or FormState(values={k: str(v) for k, v in values.items()}),
        filings=generated,
        can_file=me.actor.role in w9.TIN_VIEWERS,
        can_admin=me.actor.role.can_manage_users,
        dollars=dollars,
        badges=STATUS_BADGES,
        problem=problem,
        status_code=422 if problem else 200,
    )


class TaxPages(Controller):
    path = "/tax"

    @get("/")
    async def centre(
        self, me: NamedDependency[SignedIn], year: FromQuery[int | None] = None
    ) -> Template:
        return await _centre(me, year or now().year)

    @post("/payer")
    async def save_payer(
        self,
        me: NamedDependency[SignedIn],
        data: URLEncodedBody[dict[str, str]],
        year: FromQuery[int | None] = None,
    ) -> Response:
        form = read_form(data)
        year = year or now().year

        return await submit_and_redirect(
            lambda: payer.set_payer(me.actor, PayerIn.model_validate(form)),
            f"/tax?year={year}#payer",
            lambda errors: _centre(me, year, FormState(values=form, errors=errors)),
        )

    @post("/generate")
    async def generate(self, me: NamedDependency[SignedIn], year: FromQuery[int]) -> Response:
        return await submit_and_redirect(
            lambda: filings.generate_year(me.actor, year),
            f"/tax?year={year}#filings",
            lambda errors: _centre(me, year, problem=" ".join(errors.values())),
        )

    @get("/summary.pdf")
    async def summary(self, me: NamedDependency[SignedIn], year: FromQuery[int]) -> Response:
        return _pdf(await filings.year_summary_pdf(me.actor, year), f"1096-summary-{year}.pdf")

    @get("/fire.txt")
    async def fire(self, me: NamedDependency[SignedIn], year: FromQuery[int]) -> Response:
        text = await filings.fire_file(me.actor, year)
        return Response(
            text.encode("ascii"),
            media_type="text/plain",
            headers={"Content-Disposition": f'attachment; filename="fire-1099nec-{year}.txt"'},
        )

    @get("/filings/{filing_id:int}/pdf")
    async def filing(self, me: NamedDependency[SignedIn], filing_id: FromPath[int]) -> Response:
        out, pdf = await filings.filing_pdf(me.actor, filing_id)
        return _pdf(pdf, f"1099-NEC-{out.tax_year}-P{out.partner_id}.pdf")


# --------------------------------------------------------------------------- partner W-9


async def _partner_w9(
    me: SignedIn,
    partner_id: int,
    *,
    link=None,
    tin: str = "",
    upload_form: FormState | None = None,
) -> Template:
    partner = await partners.get_partner(me.actor, partner_id)
    return render(
        "tax/partner_w9.html",
        me,
        partner=partner,
        w9=await w9.current_w9(me.actor, partner_id),
        open_links=await w9.open_requests(me.actor, partner_id),
        link=link,
        tin=tin,
        can_view_tin=me.actor.role in w9.TIN_VIEWERS,
        upload_form=upload_form
        or FormState(values={"classification": "individual", "tin_type": "ssn"}),
        classifications=CLASSIFICATIONS,
        status_code=422 if upload_form and upload_form.errors else 200,
    )


class PartnerW9Pages(Controller):
    path = "/partners/{partner_id:int}/w9"

    @get("/")
    async def show(self, me: NamedDependency[SignedIn], partner_id: FromPath[int]) -> Template:
        return await _partner_w9(me, partner_id)

    @post("/link")
    async def create_link(
        self, request: Request, me: NamedDependency[SignedIn], partner_id: FromPath[int]
    ) -> Template:
        link = await w9.create_link(me.actor, partner_id, _base_url(request))
        return await _partner_w9(me, partner_id, link=link)

    @post("/tin")
    async def reveal(self, me: NamedDependency[SignedIn], partner_id: FromPath[int]) -> Template:
        return await _partner_w9(me, partner_id, tin=await w9.view_tin(me.actor, partner_id))

    @get("/signed.pdf")
    async def signed_pdf(
        self, me: NamedDependency[SignedIn], partner_id: FromPath[int]
    ) -> Response:
        return _pdf(await w9.w9_pdf(me.actor, partner_id), f"W-9-partner-{partner_id}.pdf")

    @post("/upload")
    async def upload(
        self,
        me: NamedDependency[SignedIn],
        partner_id: FromPath[int],
        data: MultipartBody[dict],
    ) -> Response:
        upload = data.get("pdf")
        form = read_form({k: v for k, v in data.items() if not isinstance(v, UploadFile)})
        await partners.get_partner(me.actor, partner_id)  # another firm's partner: 404 page

        async def save() -> None:
            if not isinstance(upload, UploadFile):
                raise Invalid("choose the signed W-9 PDF to upload", field="pdf")
            content = await upload.read()
            await w9.upload_w9(me.actor, partner_id, w9_input(form), content)

        return await submit_and_redirect(
            save,
            f"/partners/{partner_id}/w9",
            lambda errors: _partner_w9(
                me, partner_id, upload_form=FormState(values=form, errors=errors)
            ),
        )


# --------------------------------------------------------------------------- public form


async def _public_form(token: str, form: FormState | None = None) -> Template:
    try:
        request = await w9.open_link(token)
    except RapportError as error:
        return render("tax/w9_closed.html", None, message=error.detail, status_code=410)
    return render(
        "tax/w9_form.html",
        None,
        link=request,
        token=token,
        form=form or FormState(values={"tin_type": "ssn", "classification": "individual"}),
        classifications=CLASSIFICATIONS,
        status_code=422 if form and form.errors else 200,
    )


class PublicW9Pages(Controller):
    """No sign-in: the token in the address is the credential. CSRF applies as everywhere;
    requests are rate limited per client."""

    path = "/w9"
    middleware = [RateLimitConfig(rate_limit=("minute", 60)).middleware]

    @get("/{token:str}")
    async def form(self, token: FromPath[str]) -> Template:
        return await _public_form(token)

    @post("/{token:str}")
    async def send(self, token: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Response:
        form = read_form(data)
        try:
            await w9.open_link(token)
        except RapportError as error:  # expired or used: nothing is written
            return render("tax/w9_closed.html", None, message=error.detail, status_code=410)

        async def save() -> Response:
            await w9.submit_w9(token, w9_input(form))
            return render("tax/w9_done.html", None, name=form.get("name", ""))

        async def again(errors: dict[str, str]) -> Template:
            if "token" in errors:  # spent by a submission that came in meanwhile
                return render("tax/w9_closed.html", None, message=errors["token"])
            return await _public_form(token, FormState(values=form, errors=errors))

        return await submit(save, again)


PAGES: list = [TaxPages, PartnerW9Pages, PublicW9Pages]
