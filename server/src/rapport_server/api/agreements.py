"""API for agreement documents: upload (multipart), versions, status, expiry, download."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody
from rapport_core.actors import Actor
from rapport_core.agreements import service
from rapport_core.agreements.documents import MAX_BYTES
from rapport_core.agreements.expiry import expiring_agreements
from rapport_core.agreements.facts import agreement_facts
from rapport_core.agreements.schemas import (
    AgreementCreate,
    AgreementKind,
    AgreementOut,
    ExpiringAgreement,
    StatusChange,
    VersionCreate,
)
from rapport_core.errors import Invalid

MultipartForm = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
#: Room for the form fields around the largest file accepted; larger requests get a 413.
UPLOAD_BODY_LIMIT = MAX_BYTES + 256 * 1024


async def read_upload(form: dict[str, Any]) -> tuple[bytes, str, dict[str, Any]]:
    """The file's bytes and name, and the other fields with blanks meaning "not given"."""
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise Invalid("attach the signed agreement as a PDF in the `file` field", field="file")
    data = await upload.read()
    fields = {
        name: value
        for name, value in form.items()
        if name != "file" and not (isinstance(value, str) and not value.strip())
    }
    return data, upload.filename or "", fields


def pdf_response(data: bytes, filename: str) -> Response:
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


class AgreementController(Controller):
    path = "/agreements"
    tags = ["agreements"]

    @get("/", summary="Agreements, newest first (of one partner, referral or kind)")
    async def index(
        self,
        actor: NamedDependency[Actor],
        partner_id: FromQuery[int | None] = None,
        referral_id: FromQuery[int | None] = None,
        kind: FromQuery[AgreementKind | None] = None,
    ) -> list[AgreementOut]:
        return await service.list_agreements(
            actor, partner_id=partner_id, referral_id=referral_id, kind=kind
        )

    @post(
        "/",
        summary="Upload an agreement (multipart: `file` a PDF, plus its fields)",
        description="Fields: partner_id, referral_id (client consents), kind, title, signed_on, "
        "signers (comma-separated), effective_on, expires_on, written, discloses_share, "
        "discloses_division, disclosure_delivered, exclusive and client_informed (reciprocal "
        "agreements), note.",
        request_max_body_size=UPLOAD_BODY_LIMIT,
    )
    async def upload(self, actor: NamedDependency[Actor], data: MultipartForm) -> AgreementOut:
        file, filename, fields = await read_upload(data)
        create = AgreementCreate.model_validate(fields)
        return await service.upload_agreement(actor, create, file, filename)

    @get("/expiring", summary="Active agreements expiring within the warning thresholds")
    async def expiring(self, actor: NamedDependency[Actor]) -> list[ExpiringAgreement]:
        return await expiring_agreements(actor)

    @get(
        "/facts",
        summary="The `agreement` facts of a referral, as the compliance engine reads them",
    )
    async def facts(self, actor: NamedDependency[Actor], referral_id: FromQuery[int]) -> dict:
        return await agreement_facts(actor, referral_id)

    @get("/{agreement_id:int}", summary="An agreement with every version, newest first")
    async def read(
        self, actor: NamedDependency[Actor], agreement_id: FromPath[int]
    ) -> AgreementOut:
        return await service.get_agreement(actor, agreement_id)

    @post(
        "/{agreement_id:int}/versions",
        summary="Upload version n+1 of an agreement (multipart, as for a new one)",
        request_max_body_size=UPLOAD_BODY_LIMIT,
    )
    async def add_version(
        self, actor: NamedDependency[Actor], agreement_id: FromPath[int], data: MultipartForm
    ) -> AgreementOut:
        await service.get_agreement(actor, agreement_id, with_versions=False)  # 404 first
        file, filename, fields = await read_upload(data)
        version = VersionCreate.model_validate(fields)
        return await service.add_version(actor, agreement_id, version, file, filename)

    @post("/{agreement_id:int}/status", summary="Activate, supersede or revoke", status_code=200)
    async def status(
        self,
        actor: NamedDependency[Actor],
        agreement_id: FromPath[int],
        data: JSONBody[StatusChange],
    ) -> AgreementOut:
        return await service.change_status(actor, agreement_id, data)

    @get(
        "/{agreement_id:int}/versions/{number:int}/file",
        summary="Download a version's PDF (checked against its sha256)",
        media_type="application/pdf",
    )
    async def download(
        self, actor: NamedDependency[Actor], agreement_id: FromPath[int], number: FromPath[int]
    ) -> Response:
        version, data = await service.version_file(actor, agreement_id, number)
        return pdf_response(data, version.original_name)


CONTROLLERS: list = [AgreementController]
