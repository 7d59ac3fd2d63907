"""Domain errors. The server turns each into an RFC 9457 problem document."""

from __future__ import annotations


class RapportError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, field: str | None = None, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra


class NotFound(RapportError):
    status = 404
    title = "Not found"


class Forbidden(RapportError):
    status = 403
    title = "Forbidden"


class Conflict(RapportError):
    status = 409
    title = "Conflict"


class Invalid(RapportError):
    status = 422
    title = "Invalid input"
