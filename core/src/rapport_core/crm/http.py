"""The one HTTP client connectors use: read-only, with rate limits, retries and refresh.

Read-only is enforced here, before anything is sent: GET anywhere on the API host, and POST
only to the search endpoints the connector declares (``Connector.search_endpoints``: a POST
whose body is a query, such as HubSpot's contacts search). Any other request raises
:class:`ReadOnlyViolation`.

- 429: wait what ``Retry-After`` says (or the rate-limit headers, or backoff), up to
  ``max_wait`` per wait and ``max_rate_limited`` times in a row.
- Rate-limit headers saying the window is used up: wait for its reset before the next call.
- Searches spaced to the connector's ``search_rate``, where the CRM limits them apart.
- 5xx, timeouts, refused or cut connections: exponential backoff with full jitter
  (``base * 2**attempt``, capped), at most ``max_retries`` retries.
- An auth error (401): refresh the token once and retry; a rejected refresh, or a second
  auth error, raises :class:`ReconnectRequired`.
- Any other 4xx: :class:`CRMError` with the CRM's own message.
"""

from __future__ import annotations

import asyncio
import functools
import random
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from rapport_core.crm.connector import Connector
from rapport_core.crm.errors import (
    CRMError,
    CRMUnavailable,
    RateLimited,
    ReadOnlyViolation,
    ReconnectRequired,
)
from rapport_core.crm.oauth import TokenSet, refresh_tokens


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 5
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    #: The longest single wait a CRM may ask for before we give up on this run.
    max_wait: float = 300.0
    max_rate_limited: int = 10
    timeout: float = 30.0

    def backoff(self, attempt: int, rng: Callable[[], float] = random.random) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**attempt)]."""
        return rng() * min(self.backoff_cap, self.backoff_base * 2**attempt)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """httpx's default TLS settings (certifi's CA bundle, ``SSL_CERT_FILE``), built once: a
    client building its own loads the bundle again, 30 ms or so per sync."""
    return httpx.create_ssl_context()


Sleep = Callable[[float], Awaitable[None]]
TokensChanged = Callable[[TokenSet], Awaitable[None]]


async def _noop_tokens(tokens: TokenSet) -> None:
    return None


class CRMClient:
    """Read requests to one CRM as one connection. ``on_tokens`` is awaited with the new
    tokens after a refresh so they are stored (encrypted) before they are used."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        connector: Connector,
        tokens: TokenSet,
        *,
        on_tokens: TokensChanged = _noop_tokens,
        policy: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.http = http
        self.connector = connector
        self.tokens = tokens
        self.on_tokens = on_tokens
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.rng = rng
        self._wait_before_next = 0.0
        self._last_search = -float("inf")  # time.monotonic() of the last search sent
        #: Requests sent (retries included) and seconds spent waiting: sync history shows them.
        self.requests = 0
        self.waited = 0.0

    @property
    def api_base(self) -> str:
        return self.connector.api_base(self.tokens)

    async def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self.waited += seconds
            await self.sleep(seconds)

    async def get_json(self, url: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``url`` (absolute, or relative to the API base) and return its JSON body."""
        return await self.request_json("GET", url, params=params)

    async def search_json(self, path: str, query: dict[str, Any]) -> Any:
        """POST ``query`` to one of the connector's declared search endpoints."""
        if rate := self.connector.search_rate:
            await self._wait(1 / rate - (time.monotonic() - self._last_search))
            self._last_search = time.monotonic()
        return await self.request_json("POST", path, json=query)

    def _check_read_only(self, method: str, url: str) -> None:
        if method == "GET":
            return
        searches = {
            httpx.URL(self.api_base + path).path for path in self.connector.search_endpoints
        }
        if method != "POST" or httpx.URL(url).path not in searches:
            raise ReadOnlyViolation(
                f"{self.connector.label}: refusing {method} {httpx.URL(url).path}: Rapport only "
                "reads from a CRM (GET, or POST to a declared search endpoint)"
            )

    async def request_json(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
    ) -> Any:
        """Send a read request and return its JSON body; anything that could write raises
        :class:`ReadOnlyViolation` without being sent."""
        method = method.upper()
        if "://" not in url:
            url = self.api_base + url
        elif httpx.URL(url).host != httpx.URL(self.api_base).host:
            # A next-page link elsewhere would carry our bearer token to another host.
            raise CRMError(f"{self.connector.label}: refusing to follow a link to {url}")
        self._check_read_only(method, url)
        label = self.connector.label
        failures = rate_limited = 0
        refreshed = False
        while True:
            await self._wait(self._wait_before_next)
            self._wait_before_next = 0.0
            self.requests += 1
            try:
                response = await self.http.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    headers={
                        "Authorization": f"Bearer {self.tokens.access_token}",
                        "Accept": "application/json",
                    },
                    timeout=self.policy.timeout,
                )
                body = response.json() if response.is_success else None
            except (httpx.TransportError, ValueError) as error:
                # Timeouts, refused or cut connections, and a body cut short (bad JSON).
                failures += 1
                if failures > self.policy.max_retries:
                    raise CRMUnavailable(
                        f"{label}: {type(error).__name__} on {failures} attempts in a row ({error})"
                    ) from error
                await self._wait(self.policy.backoff(failures, self.rng))
                continue

            self._wait_before_next = self.connector.quota_wait(response) or 0.0
            if response.is_success:
                return body
            status = response.status_code
            if self.connector.is_auth_error(response):
                if refreshed:
                    raise ReconnectRequired(
                        f"{label} refused a freshly refreshed token "
                        f"({self.connector.describe_error(response)}): connect again",
                        http_status=status,
                    )
                self.tokens = await refresh_tokens(self.http, self.connector, self.tokens)
                await self.on_tokens(self.tokens)
                refreshed = True
                continue
            if status == 429:
                rate_limited += 1
                wait = self.connector.retry_after(response)
                if wait is None:
                    wait = self.connector.quota_wait(response) or self.policy.backoff(
                        rate_limited, self.rng
                    )
                if wait > self.policy.max_wait or rate_limited > self.policy.max_rate_limited:
                    raise RateLimited(
                        f"{label} is rate-limiting this connection (asked to wait {wait:.0f} s, "
                        f"{rate_limited} time(s)); the next sync resumes where this one stopped",
                        http_status=status,
                    )
                self._wait_before_next = 0.0
                await self._wait(wait)
                continue
            if status >= 500:
                failures += 1
                if failures > self.policy.max_retries:
                    raise CRMUnavailable(
                        f"{label} answered {status} on {failures} attempts in a row "
                        f"({self.connector.describe_error(response)})",
                        http_status=status,
                    )
                await self._wait(
                    self.connector.retry_after(response) or self.policy.backoff(failures, self.rng)
                )
                continue
            raise CRMError(
                f"{label} answered {status} to {method} {response.request.url.path}: "
                f"{self.connector.describe_error(response)}",
                http_status=status,
            )
