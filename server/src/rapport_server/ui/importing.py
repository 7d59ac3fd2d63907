"""The import wizard: upload a file, check the detected format or map the columns with a
preview of the first rows, choose all-or-nothing or skip-bad-rows, import, read the report;
and the report (the merge suggestions an import makes are on ui/suggestions.py's page)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import ValidationError
from rapport_core.errors import RapportError
from rapport_core.importing import service
from rapport_core.importing.layouts import TARGETS
from rapport_core.importing.schemas import ImportMode, ImportOptions
from rapport_core.suggestions import service as suggestions
from rapport_core.vocabulary import PROFESSION_LABELS

from rapport_server.api.importing import MAX_BODY, csv_response, read_upload
from rapport_server.ui.forms import FormState, field_errors, read_form, refusal, submit
from rapport_server.ui.rendering import SignedIn, render

MODES = [
    (ImportMode.all_or_nothing.value, "All or nothing: import only if every row is valid"),
    (ImportMode.skip_bad_rows.value, "Skip bad rows: import the valid rows, report the rest"),
]
SHOWN_PROBLEMS = 200


def _choices() -> dict[str, list[tuple[str, str]]]:
    return {
        "targets": [("", "Ignore this column"), *TARGETS.items()],
        "professions": [(p.value, label) for p, label in PROFESSION_LABELS.items()],
        "modes": MODES,
    }


async def _upload_page(me: SignedIn, form: FormState | None = None) -> Template:
    return render(
        "importing/upload.html",
        me,
        form=form or FormState(),
        runs=await service.list_runs(me.actor, limit=10),
        pending=await suggestions.count_pending(me.actor),
    )


def options_from_form(form: dict[str, str], headers: list[str]) -> ImportOptions:
    """The wizard's fields: ``map-<n>`` is the field for column n; mode; default profession."""
    mapping = None
    if any(name.startswith("map-") for name in form):
        mapping = {h: form.get(f"map-{i}", "") for i, h in enumerate(headers)}
    return ImportOptions(
        mode=form.get("mode") or ImportMode.all_or_nothing,
        default_profession=form.get("default_profession") or "other",
        mapping=mapping,
    )


async def _preview_page(
    me: SignedIn, import_id: int, form: dict[str, str] | None = None, errors=None
) -> Template:
    """The detected format or the column mapping, the first rows, and what the import would
    do with the options in ``form`` (the defaults at first)."""
    source = await service.read_run(me.actor, import_id)
    errors = dict(errors or {})
    options = ImportOptions()
    if form:
        try:
            options = options_from_form(form, source.headers)
        except ValidationError as error:
            errors = {**field_errors(error), **errors}
    try:
        preview = await service.preview_run(me.actor, import_id, options, source=source)
    except RapportError as error:
        errors.update(refusal(error)[0])
        preview = await service.preview_run(me.actor, import_id, ImportOptions(), source=source)
    values = {
        "mode": options.mode.value,
        "default_profession": options.default_profession.value,
        **{f"map-{i}": column.target for i, column in enumerate(preview.columns)},
    }
    return render(
        "importing/preview.html",
        me,
        preview=preview,
        form=FormState(values, errors),
        choices=_choices(),
        problems=preview.problems[:SHOWN_PROBLEMS],
        status_code=422 if errors else 200,
    )


class ImportPages(Controller):
    path = "/partners/import"

    @get("/")
    async def index(self, me: NamedDependency[SignedIn]) -> Template:
        return await _upload_page(me)

    @post("/", request_max_body_size=MAX_BODY)
    async def upload(
        self,
        me: NamedDependency[SignedIn],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Response:
        async def save() -> Response:
            content, filename = await read_upload(data or {})
            import_id = await service.create_run(me.actor, content, filename)
            return Redirect(f"/partners/import/{import_id}", status_code=303)

        return await submit(save, lambda errors: _upload_page(me, FormState({}, errors)))

    @get("/{import_id:int}")
    async def preview(self, me: NamedDependency[SignedIn], import_id: FromPath[int]) -> Response:
        report = await service.get_report(me.actor, import_id)
        if report.status != "pending":
            return Redirect(f"/partners/import/{import_id}/report", status_code=303)
        return await _preview_page(me, import_id)

    @post("/{import_id:int}")
    async def run(
        self,
        me: NamedDependency[SignedIn],
        import_id: FromPath[int],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response:
        form = read_form(data)
        if form.get("action") != "import":
            return await _preview_page(me, import_id, form)
        source = await service.read_run(me.actor, import_id)

        async def save() -> Response:
            options = options_from_form(form, source.headers)
            await service.run_import(me.actor, import_id, options, source=source)
            return Redirect(f"/partners/import/{import_id}/report", status_code=303)

        return await submit(save, lambda errors: _preview_page(me, import_id, form, errors))

    @get("/{import_id:int}/report")
    async def report(self, me: NamedDependency[SignedIn], import_id: FromPath[int]) -> Template:
        report = await service.get_report(me.actor, import_id)
        return render(
            "importing/report.html",
            me,
            report=report,
            problems=report.problems[:SHOWN_PROBLEMS],
            pending=await suggestions.count_pending(me.actor),
        )

    @get("/{import_id:int}/report.csv")
    async def report_csv(self, me: NamedDependency[SignedIn], import_id: FromPath[int]) -> Response:
        return csv_response(await service.get_report(me.actor, import_id))


PAGES = [ImportPages]
