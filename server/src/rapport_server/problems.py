"""Errors as RFC 9457 problem documents (``application/problem+json``).

Every problem has ``type``, ``title``, ``status`` and ``detail``; input problems also carry
``errors``: one ``{"field", "message"}`` per offending field, and ``field`` naming the first.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from pydantic import ValidationError
from rapport_core.errors import RapportError

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://rapport.invalid/problems/"


def problem(
    request: Request,
    *,
    status: int,
    title: str,
    detail: str,
    kind: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": TYPE_BASE + kind,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = errors
        body["field"] = errors[0]["field"]
    body.update(extra)
    return Response(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _field_errors_from_pydantic(error: ValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(part) for part in e["loc"]) or "body", "message": e["msg"]}
        for e in error.errors()
    ]


def on_rapport_error(request: Request, error: RapportError) -> Response:
    errors = [{"field": error.field, "message": error.detail}] if error.field else None
    return problem(
        request,
        status=error.status,
        title=error.title,
        detail=error.detail,
        kind=type(error).__name__.lower(),
        errors=errors,
        **error.extra,
    )


def on_validation_error(request: Request, error: ValidationException) -> Response:
    """Litestar's body/parameter validation: name every offending field."""
    raw = error.extra if isinstance(error.extra, list) else []
    errors = [
        {
            "field": str(item.get("key") or item.get("source") or "body"),
            "message": str(item.get("message")),
        }
        for item in raw
        if isinstance(item, dict)
    ]
    if not errors:
        # No field to blame: the body itself could not be read (e.g. malformed JSON).
        return problem(
            request,
            status=400,
            title="Malformed request",
            detail=str(error.detail),
            kind="malformed",
        )
    return _invalid_input(request, errors)


def on_pydantic_error(request: Request, error: ValidationError) -> Response:
    return _invalid_input(request, _field_errors_from_pydantic(error))


def _invalid_input(request: Request, errors: list[dict[str, str]]) -> Response:
    fields = ", ".join(e["field"] for e in errors)
    return problem(
        request,
        status=422,
        title="Invalid input",
        detail=f"invalid value for {fields}",
        kind="validation",
        errors=errors,
    )


def on_http_error(request: Request, error: HTTPException) -> Response:
    return problem(
        request,
        status=error.status_code,
        title=HTTPStatus(error.status_code).phrase,
        detail=str(error.detail),
        kind=f"http-{error.status_code}",
        headers=error.headers,
    )


def on_server_error(request: Request, error: Exception) -> Response:
    request.logger.exception("unhandled error", exc_info=error)
    return problem(
        request,
        status=HTTP_500_INTERNAL_SERVER_ERROR,
        title="Internal server error",
        detail="something went wrong on our side; the error has been logged",
        kind="internal",
    )


EXCEPTION_HANDLERS = {
    RapportError: on_rapport_error,
    ValidationException: on_validation_error,
    ValidationError: on_pydantic_error,
    HTTPException: on_http_error,
    HTTP_500_INTERNAL_SERVER_ERROR: on_server_error,
}
