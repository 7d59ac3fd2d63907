"""The connector base class: what a CRM plugin declares and the two methods it writes.

A connector says how its CRM does OAuth (:class:`OAuthSettings`), where its hosts are
(regions, or a per-token instance URL), and implements:

- ``fetch_pages(client, bookmark)``: an async iterator of :class:`RawPage`, following the
  CRM's own pagination from a bookmark (None: from the beginning);
- ``to_contact(raw)``: one raw CRM record as a :class:`ContactRecord` (None to skip it).

Everything else (retries, rate limits, token refresh, matching, upsert, history) is shared.
``client`` only reads: GET, and POST to the search endpoints the connector declares in
``search_endpoints`` (a query in the body); it refuses anything else before sending it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import inspect
import json
import os
import sys
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from rapport_core.clock import now
from rapport_core.crm.oauth import OAuthSettings, TokenSet
from rapport_core.crm.records import ContactRecord, Mapping, RawPage

if TYPE_CHECKING:
    from rapport_core.crm.http import CRMClient


@dataclass(frozen=True)
class ConnectorConfig:
    """Where and as which OAuth client a connector talks to its CRM."""

    base_url: str
    client_id: str = ""
    client_secret: str = ""


class Connector(ABC):
    #: Short lowercase name: the CLI argument, the partner source ``crm:<name>``, the key
    #: in a partner's ``external_ids``.
    name: ClassVar[str]
    label: ClassVar[str]
    oauth: ClassVar[OAuthSettings]
    #: Region name -> base URL (auth and API host). The first is the default.
    regions: ClassVar[dict[str, str]]
    #: Records per page: as many as the CRM allows.
    page_size: ClassVar[int] = 100
    #: API paths that take a POST whose body is a query and change nothing (HubSpot's
    #: ``/crm/v3/objects/contacts/search``). The client refuses every other non-GET request.
    search_endpoints: ClassVar[frozenset[str]] = frozenset()
    #: Most requests a second the CRM takes on those endpoints, when it limits them apart
    #: from the rest (HubSpot: 4 per token); the client spaces its searches to match.
    search_rate: ClassVar[float | None] = None
    #: ``"module:Class"`` of the plugin's fake server, for ``rapport crm fake-server NAME``.
    fake_server: ClassVar[str | None] = None
    #: An incremental sync asks for changes since the previous run's start minus this
    #: overlap (clock skew; records changed while that run was paging). Upserts are
    #: idempotent, so seeing a record twice costs nothing.
    since_overlap: ClassVar[dt.timedelta] = dt.timedelta(minutes=5)

    def __init__(self, config: ConnectorConfig, mapping: Mapping | None = None) -> None:
        self.config = config
        self.mapping = mapping or Mapping()

    # ------------------------------------------------------------------ configuration

    @classmethod
    def env_prefix(cls) -> str:
        return f"RAPPORT_CRM_{cls.name.upper()}_"

    @classmethod
    def config_from_environment(
        cls, *, region: str | None = None, base_url: str | None = None
    ) -> ConnectorConfig:
        """``RAPPORT_CRM_<NAME>_BASE_URL`` / ``_CLIENT_ID`` / ``_CLIENT_SECRET``; an explicit
        ``base_url`` or ``region`` wins over the environment's base URL."""
        prefix = cls.env_prefix()
        if not base_url:
            if region:
                base_url = cls.regions[region]
            else:
                base_url = os.environ.get(prefix + "BASE_URL") or next(iter(cls.regions.values()))
        return ConnectorConfig(
            base_url=base_url.rstrip("/"),
            client_id=os.environ.get(prefix + "CLIENT_ID", ""),
            client_secret=os.environ.get(prefix + "CLIENT_SECRET", ""),
        )

    def auth_url(self, path: str) -> str:
        return path if "://" in path else f"{self.config.base_url}{path}"

    def api_base(self, tokens: TokenSet) -> str:
        """Where API calls go. Salesforce overrides this with the token's ``instance_url``."""
        return self.config.base_url

    # ------------------------------------------------------------------ the CRM's data

    @abstractmethod
    def fetch_pages(
        self, client: CRMClient, bookmark: dict[str, Any] | None, *, since: dt.datetime | None
    ) -> AsyncIterator[RawPage]:
        """Pages of raw records. ``bookmark`` is what the last committed page carried (resume
        after it) or None; ``since`` is the start of the incremental window (None: a full
        sync). The last page's bookmark must hold no cursor: the run is then complete."""

    @abstractmethod
    def to_contact(self, raw: dict[str, Any]) -> ContactRecord | None:
        """One raw record as a ContactRecord, or None for a record that is not a contact."""

    def contact(self, raw: dict[str, Any]) -> ContactRecord | None:
        """``to_contact`` with the firm's mapping overrides applied."""
        record = self.to_contact(raw)
        return None if record is None else self.mapping.apply(record, raw)

    def mapping_fingerprint(self) -> str:
        """What a raw record's mapping depends on besides the record: the source of the
        connector's module, the versions of its distribution and of core, and the firm's
        overrides. A sync skips mapping a raw record it has seen under the same fingerprint
        (see ``CrmLink.raw_hash``), so a connector whose mapping lives elsewhere (a shared
        helper module) ships a change to it as a new version."""
        from rapport_core import __version__

        module = type(self).__module__
        parts = {
            "connector": f"{module}.{type(self).__qualname__}",
            "source": _source_digest(module),
            "version": _distribution_version(module),
            "core": __version__,
            "mapping": dataclasses.asdict(self.mapping),
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()

    # ------------------------------------------------------------------ the CRM's errors

    def is_auth_error(self, response: httpx.Response) -> bool:
        """An expired or revoked access token (refresh and retry once)."""
        return response.status_code == 401

    def describe_error(self, response: httpx.Response) -> str:
        """The CRM's own words for an error response."""
        try:
            body = response.json()
        except ValueError:
            return response.text[:200] or response.reason_phrase
        if isinstance(body, list) and body and isinstance(body[0], dict):
            body = body[0]
        if isinstance(body, dict):
            error = body.get("error")
            if isinstance(error, dict):
                return str(error.get("message") or error.get("type") or error)
            for key in ("message", "error_description", "error"):
                if body.get(key):
                    return str(body[key])
        return str(body)[:200]

    def retry_after(self, response: httpx.Response) -> float | None:
        """Seconds a 429 (or 503) asks us to wait: ``Retry-After`` in seconds or as a date."""
        value = response.headers.get("Retry-After")
        if not value:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, (parsedate_to_datetime(value) - now()).total_seconds())
            except (TypeError, ValueError):
                return None

    def quota_wait(self, response: httpx.Response) -> float | None:
        """Seconds to wait before the next request when the rate-limit headers say the
        window is used up (``X-RateLimit-Remaining: 0`` until ``X-RateLimit-Reset``, a unix
        time or a number of seconds); None when there is quota left."""
        remaining = response.headers.get("X-RateLimit-Remaining")
        reset = response.headers.get("X-RateLimit-Reset")
        if remaining is None or reset is None:
            return None
        try:
            if int(remaining) > 0:
                return None
            value = float(reset)
        except ValueError:
            return None
        if value > 1e9:  # a unix timestamp
            value -= now().timestamp()
        return max(0.0, value)


@functools.cache
def _source_digest(module: str) -> str:
    try:
        source = inspect.getsource(sys.modules[module])
    except (KeyError, OSError, TypeError):  # no source on disk: the version has to do
        return ""
    return hashlib.sha256(source.encode()).hexdigest()


@functools.cache
def _distribution_version(module: str) -> str:
    """The plugin distribution (name and version) whose package holds ``module``, as the
    plugin manager found it among the entry points ("" when none does)."""
    from rapport_core.plugins import get_plugin_manager

    pm = get_plugin_manager()
    top = module.partition(".")[0]
    for name, (distribution, version) in pm.distributions.items():
        if getattr(pm.get_plugin(name), "__name__", "").partition(".")[0] == top:
            return f"{distribution} {version}"
    return ""
