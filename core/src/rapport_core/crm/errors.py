"""What can go wrong talking to a CRM, as errors a person can act on."""

from __future__ import annotations

from rapport_core.errors import RapportError


class CRMError(RapportError):
    """The CRM answered with an error, or could not be reached, after the retries allowed."""

    status = 502
    title = "CRM error"

    def __init__(self, detail: str, *, http_status: int | None = None, **extra: object) -> None:
        super().__init__(detail, **extra)
        self.http_status = http_status


class CRMUnavailable(CRMError):
    """Timeouts, cut connections or 5xx answers outlasted the retry cap."""


class RateLimited(CRMError):
    """The CRM asked us to wait longer than the policy allows, or kept asking."""


class ReconnectRequired(CRMError):
    """The CRM rejected the refresh token (or the token after a refresh): a person must
    connect again. The connection is marked ``needs_reconnect``."""

    status = 409
    title = "Reconnect required"


class ReadOnlyViolation(CRMError):
    """A connector asked to send a request that could change the CRM. Rapport reads only:
    GET, and POST to the search endpoints a connector declares (a body that is a query)."""

    status = 500
    title = "Refused: CRM connections are read-only"
