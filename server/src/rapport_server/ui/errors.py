"""Error pages. The app answers errors with JSON problem documents for the API; on UI routes
people get an HTML page with the top bar and a way back instead."""

from __future__ import annotations

from http import HTTPStatus

from litestar import Request, Response
from litestar.exceptions import HTTPException, PermissionDeniedException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from pydantic import ValidationError
from rapport_core.errors import NotFound, RapportError

from rapport_server.ui.forms import field_errors, humanize
from rapport_server.ui.rendering import render

NOT_FOUND = (
    "There is nothing here. The link may be out of date, the record may have been "
    "deleted, or it belongs to another firm."
)
CSRF_FAILED = (
    "This form could not be accepted because its security token is missing or out of date. "
    "Go back, reload the page and try again."
)


def _error_page(request: Request, status: int, message: str) -> Response:
    me = getattr(request.state, "signed_in", None)
    title = HTTPStatus(status).phrase
    return render("error.html", me, status_code=status, status=status, title=title, message=message)


def on_rapport_error(request: Request, error: RapportError) -> Response:
    message = NOT_FOUND if isinstance(error, NotFound) else error.detail
    return _error_page(request, error.status, message)


def on_invalid_query(request: Request, error: ValidationError) -> Response:
    """Bad list filters in the address (form posts catch their own ValidationErrors)."""
    problems = "; ".join(f"{humanize(f)}: {m}" for f, m in field_errors(error).items())
    return _error_page(request, 400, f"Some values in the address are not valid. {problems}")


def on_bad_parameter(request: Request, error: ValidationException) -> Response:
    return _error_page(request, 400, "The address has a parameter that is not valid.")


def on_http_error(request: Request, error: HTTPException) -> Response:
    if isinstance(error, PermissionDeniedException) and "CSRF" in str(error.detail):
        return _error_page(request, error.status_code, CSRF_FAILED)
    message = NOT_FOUND if error.status_code == 404 else str(error.detail)
    return _error_page(request, error.status_code, message)


def on_server_error(request: Request, error: Exception) -> Response:
    request.logger.exception("unhandled error", exc_info=error)
    message = "Something went wrong on our side. The error has been logged; please try again."
    return _error_page(request, HTTP_500_INTERNAL_SERVER_ERROR, message)


#: Installed on the UI router, replacing the app's JSON handlers for the same keys.
UI_EXCEPTION_HANDLERS = {
    RapportError: on_rapport_error,
    ValidationError: on_invalid_query,
    ValidationException: on_bad_parameter,
    HTTPException: on_http_error,
    HTTP_500_INTERNAL_SERVER_ERROR: on_server_error,
}
