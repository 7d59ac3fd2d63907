"""Import API: upload a contacts file and import it in one request; reports (merge
suggestions: api/suggestions.py)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from rapport_core.actors import Actor
from rapport_core.errors import Invalid
from rapport_core.importing import service
from rapport_core.importing.schemas import ImportOptions, ImportReport

#: The largest upload, a little over the largest file, for the multipart framing.
MAX_BODY = service.MAX_BYTES + 1_000_000


async def read_upload(data: dict[str, Any]) -> tuple[bytes, str]:
    upload = data.get("file")
    if not isinstance(upload, UploadFile):
        raise Invalid("send the contacts file as the multipart field 'file'", field="file")
    return await upload.read(), upload.filename or "upload"


def options_from(data: dict[str, Any]) -> ImportOptions:
    """mode, default_profession and mapping (a JSON object) from multipart fields."""
    fields: dict[str, Any] = {k: data[k] for k in ("mode", "default_profession") if data.get(k)}
    if data.get("mapping"):
        try:
            fields["mapping"] = json.loads(data["mapping"])
        except json.JSONDecodeError as error:
            raise Invalid(f"mapping is not JSON: {error.msg}", field="mapping") from error
    return ImportOptions.model_validate(fields)


class ImportController(Controller):
    path = "/imports"
    tags = ["imports"]

    @post(
        "/",
        summary="Import partners from a CSV or vCard file",
        description="Multipart fields: `file`; optional `mode` (all_or_nothing or "
        "skip_bad_rows), `default_profession`, `mapping` (JSON object: column -> partner "
        "field). A rejected all-or-nothing import answers 200 with status `rejected`.",
        request_max_body_size=MAX_BODY,
    )
    async def create(
        self,
        actor: NamedDependency[Actor],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> ImportReport:
        content, filename = await read_upload(data)
        return await service.import_file(actor, content, filename, options_from(data))

    @get("/", summary="Recent imports, newest first")
    async def index(self, actor: NamedDependency[Actor]) -> list[ImportReport]:
        return await service.list_runs(actor)

    @get("/{import_id:int}", summary="An import's report: counts and per-row problems")
    async def read(self, actor: NamedDependency[Actor], import_id: FromPath[int]) -> ImportReport:
        return await service.get_report(actor, import_id)

    @get("/{import_id:int}/report.csv", summary="The rows not imported, as CSV")
    async def report_csv(
        self, actor: NamedDependency[Actor], import_id: FromPath[int]
    ) -> Response[str]:
        return csv_response(await service.get_report(actor, import_id))


def csv_response(report: ImportReport) -> Response[str]:
    stem = report.filename.rsplit(".", 1)[0] or "import"
    return Response(
        service.report_csv(report.problems),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{stem}-report.csv"'},
    )


CONTROLLERS = [ImportController]
