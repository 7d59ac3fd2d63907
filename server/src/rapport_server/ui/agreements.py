"""Agreement pages: a partner's agreements with the upload form, one agreement with its
versions, and downloads, which go through the firm check like everything else."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from rapport_core.agreements import service
from rapport_core.agreements.expiry import expiring_agreements
from rapport_core.agreements.schemas import (
    KIND_LABELS,
    AgreementCreate,
    AgreementStatus,
    StatusChange,
    VersionCreate,
)
from rapport_core.schemas import ReferralFilter
from rapport_core.services import partners, referrals

from rapport_server.api.agreements import (
    UPLOAD_BODY_LIMIT,
    MultipartForm,
    pdf_response,
    read_upload,
)
from rapport_server.ui.format import CHOICES
from rapport_server.ui.forms import FormState, read_form, submit, submit_and_redirect
from rapport_server.ui.rendering import SignedIn, render

KIND_CHOICES = [(kind.value, label) for kind, label in KIND_LABELS.items()]
YES_NO = CHOICES["yes_no"]
STATUS_TONES = {
    AgreementStatus.draft: "open",
    AgreementStatus.active: "won",
    AgreementStatus.expired: "late",
    AgreementStatus.superseded: "closed",
    AgreementStatus.revoked: "closed",
}
STATUS_CHOICES = {
    AgreementStatus.draft: [("active", "Signed: make active"), ("revoked", "Revoke")],
    AgreementStatus.active: [("superseded", "Superseded by another"), ("revoked", "Revoke")],
    AgreementStatus.expired: [("superseded", "Superseded by another"), ("revoked", "Revoke")],
    AgreementStatus.superseded: [("active", "Make active again")],
    AgreementStatus.revoked: [],
}
CONTEXT = {"kind_labels": KIND_LABELS, "status_tones": STATUS_TONES, "yes_no": YES_NO}


async def agreements_section(
    actor, *, referral_id: int | None = None, partner_id: int | None = None
) -> dict[str, Any]:
    """What ``agreements/_list.html`` needs to show the agreements of a referral (its client
    consent, on the referral page) or of a partner (on their money page)."""
    return {
        "agreements": await service.list_agreements(
            actor, referral_id=referral_id, partner_id=partner_id
        ),
        **CONTEXT,
    }


def _text_form(form: dict[str, Any]) -> dict[str, str]:
    """The posted text fields, to show the form again (the file cannot be kept)."""
    return read_form({k: v for k, v in form.items() if k != "file"})


async def _partner_page(me: SignedIn, partner_id: int, form: FormState | None = None) -> Template:
    partner = await partners.get_partner(me.actor, partner_id)
    consent_referrals = await referrals.list_referrals(
        me.actor, ReferralFilter(partner_id=partner_id, per_page=200)
    )
    return render(
        "agreements/partner.html",
        me,
        partner=partner,
        agreements=await service.list_agreements(me.actor, partner_id=partner_id),
        referral_choices=[
            (r.id, f"{r.client_name} ({r.referred_at:%Y-%m-%d})") for r in consent_referrals.items
        ],
        kind_choices=KIND_CHOICES,
        form=form or FormState(values={"kind": "fee_sharing"}),
        **CONTEXT,
    )


async def _agreement_page(
    me: SignedIn,
    agreement_id: int,
    version_form: FormState | None = None,
    status_form: FormState | None = None,
) -> Template:
    agreement = await service.get_agreement(me.actor, agreement_id)
    return render(
        "agreements/detail.html",
        me,
        agreement=agreement,
        status_choices=STATUS_CHOICES[agreement.status],
        version_form=version_form or FormState(),
        status_form=status_form or FormState(),
        **CONTEXT,
    )


class AgreementPages(Controller):
    @get("/agreements")
    async def index(self, me: NamedDependency[SignedIn]) -> Template:
        return render(
            "agreements/index.html",
            me,
            agreements=await service.list_agreements(me.actor),
            expiring=await expiring_agreements(me.actor),
            **CONTEXT,
        )

    @get("/partners/{partner_id:int}/agreements")
    async def partner_agreements(
        self,
        me: NamedDependency[SignedIn],
        partner_id: FromPath[int],
        kind: FromQuery[str] = "fee_sharing",
        referral_id: FromQuery[str] = "",
    ) -> Template:
        values = {"kind": kind, "referral_id": referral_id}
        return await _partner_page(me, partner_id, FormState(values=values))

    @post("/partners/{partner_id:int}/agreements", request_max_body_size=UPLOAD_BODY_LIMIT)
    async def upload(
        self, me: NamedDependency[SignedIn], partner_id: FromPath[int], data: MultipartForm
    ) -> Response:
        await partners.get_partner(me.actor, partner_id)  # another firm's partner: 404 page

        async def save() -> Response:
            file, filename, fields = await read_upload(data)
            fields.pop("_csrf_token", None)
            create = AgreementCreate.model_validate({**fields, "partner_id": partner_id})
            agreement = await service.upload_agreement(me.actor, create, file, filename)
            return Redirect(f"/agreements/{agreement.id}", status_code=303)

        return await submit(
            save,
            lambda errors: _partner_page(me, partner_id, FormState(_text_form(data), errors)),
        )

    @get("/agreements/{agreement_id:int}")
    async def detail(self, me: NamedDependency[SignedIn], agreement_id: FromPath[int]) -> Template:
        return await _agreement_page(me, agreement_id)

    @post("/agreements/{agreement_id:int}/versions", request_max_body_size=UPLOAD_BODY_LIMIT)
    async def add_version(
        self, me: NamedDependency[SignedIn], agreement_id: FromPath[int], data: MultipartForm
    ) -> Response:
        await service.get_agreement(me.actor, agreement_id, with_versions=False)

        async def save() -> None:
            file, filename, fields = await read_upload(data)
            fields.pop("_csrf_token", None)
            version = VersionCreate.model_validate(fields)
            await service.add_version(me.actor, agreement_id, version, file, filename)

        return await submit_and_redirect(
            save,
            f"/agreements/{agreement_id}",
            lambda errors: _agreement_page(
                me, agreement_id, version_form=FormState(_text_form(data), errors)
            ),
        )

    @post("/agreements/{agreement_id:int}/status")
    async def change_status(
        self,
        me: NamedDependency[SignedIn],
        agreement_id: FromPath[int],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response:
        form = read_form(data)
        await service.get_agreement(me.actor, agreement_id, with_versions=False)

        return await submit_and_redirect(
            lambda: service.change_status(
                me.actor, agreement_id, StatusChange.model_validate(form)
            ),
            f"/agreements/{agreement_id}",
            lambda errors: _agreement_page(me, agreement_id, status_form=FormState(form, errors)),
        )

    @get("/agreements/{agreement_id:int}/versions/{number:int}/file")
    async def download(
        self, me: NamedDependency[SignedIn], agreement_id: FromPath[int], number: FromPath[int]
    ) -> Response:
        version, data = await service.version_file(me.actor, agreement_id, number)
        return pdf_response(data, version.original_name)


PAGES: list = [AgreementPages]
