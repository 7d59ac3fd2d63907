"""HubSpot CRM API v3: contacts, read-only.

``GET /crm/v3/objects/contacts?limit=100&properties=…`` (100 is HubSpot's maximum), pages
followed through the ``paging.next.after`` cursor until a page has no ``paging``. The
company is the contact's ``company`` property (HubSpot keeps it beside the association to a
company record); practice areas come from a ``practice_area`` property where the portal has
one (semicolon-separated, as HubSpot writes multi-checkbox values). OAuth: authorize on
``app.hubspot.com``, tokens from ``api.hubapi.com/oauth/v1/token`` (30-minute access
tokens, refreshed). Rate limits: 429 with ``X-HubSpot-RateLimit-*`` headers.

An incremental sync searches instead (``POST …/contacts/search``, declared as the
connector's read-only search endpoint): ``lastmodifieddate`` GTE the window start, oldest
change first. Each page moves that filter forward to the last modification time it saw
(the few contacts of that millisecond come again and are dropped), so no search goes deep:
HubSpot answers at most 10,000 results per search, and offset paging would skip a contact
whenever one already read is edited mid-sync. Only when a whole page shares one
modification time (a bulk import) does it page with ``after`` inside that search, up to
the cap.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import httpx
from rapport_core.crm import (
    Connector,
    ContactRecord,
    CRMClient,
    CRMError,
    OAuthSettings,
    RawPage,
)

API_HOST = "https://api.hubapi.com"
APP_HOST = "https://app.hubspot.com"
CONTACTS_PATH = "/crm/v3/objects/contacts"
SEARCH_PATH = f"{CONTACTS_PATH}/search"
#: Results one search returns at most, however it is paged.
SEARCH_CAP = 10_000
PROPERTIES = (
    "firstname,lastname,email,phone,mobilephone,company,jobtitle,industry,practice_area,"
    "address,city,state,zip,lastmodifieddate"
)


def parse_hubspot_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def epoch_ms(moment: dt.datetime) -> int:
    """Milliseconds since 1970, exactly (HubSpot's date filter values)."""
    return (moment - EPOCH) // dt.timedelta(milliseconds=1)


def modified_ms(raw: dict[str, Any]) -> int:
    stamp = (raw.get("properties") or {}).get("lastmodifieddate") or raw.get("updatedAt")
    return epoch_ms(parse_hubspot_time(stamp))


def changed_since(start_ms: int, page_size: int, after: str | None) -> dict[str, Any]:
    """The search body: contacts modified at or after ``start_ms``, oldest change first."""
    query: dict[str, Any] = {
        "filterGroups": [{"filters": [
            {"propertyName": "lastmodifieddate", "operator": "GTE", "value": str(start_ms)}
        ]}],
        "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
        "properties": PROPERTIES.split(","),
        "limit": page_size,
    }  # fmt: skip
    if after:
        query["after"] = after
    return query


class HubSpotConnector(Connector):
    name = "hubspot"
    label = "HubSpot"
    oauth = OAuthSettings(
        authorize_path="/oauth/authorize",
        token_path="/oauth/v1/token",
        scopes=("crm.objects.contacts.read", "crm.objects.companies.read"),
    )
    regions = {"global": API_HOST}
    page_size = 100
    search_endpoints = frozenset({SEARCH_PATH})
    search_rate = 4.0  # "4 requests per second and per authentication token"
    #: Results one search returns at most (HubSpot's rule; tests lower it).
    search_cap: ClassVar[int] = SEARCH_CAP
    fake_server = "rapport_crm_hubspot.fake:FakeHubSpot"

    def auth_url(self, path: str) -> str:
        # People authorise on HubSpot's app host; tokens and the API are on api.hubapi.com.
        if path == self.oauth.authorize_path and self.config.base_url == API_HOST:
            return f"{APP_HOST}{path}"
        return super().auth_url(path)

    def quota_wait(self, response: httpx.Response) -> float | None:
        """HubSpot's burst window: nothing left of ``X-HubSpot-RateLimit-Max`` requests per
        ``X-HubSpot-RateLimit-Interval-Milliseconds``: wait one interval."""
        remaining = response.headers.get("X-HubSpot-RateLimit-Remaining")
        interval = response.headers.get("X-HubSpot-RateLimit-Interval-Milliseconds")
        try:
            if remaining is not None and int(remaining) <= 0 and interval:
                return int(interval) / 1000
        except ValueError:
            return None
        return super().quota_wait(response)

    async def fetch_pages(
        self, client: CRMClient, bookmark: dict[str, Any] | None, *, since: dt.datetime | None
    ) -> AsyncIterator[RawPage]:
        pages = self._changes(client, bookmark, since) if since else self._all(client, bookmark)
        async for page in pages:
            yield page

    async def _all(self, client: CRMClient, bookmark: dict[str, Any] | None):
        after = (bookmark or {}).get("after")
        while True:
            params: dict[str, Any] = {"limit": self.page_size, "properties": PROPERTIES}
            if after:
                params["after"] = after
            body = await client.get_json(CONTACTS_PATH, params)
            after = ((body.get("paging") or {}).get("next") or {}).get("after")
            yield RawPage(body.get("results") or [], {"after": after} if after else {})
            if not after:
                return

    async def _changes(self, client: CRMClient, bookmark: dict[str, Any] | None, since):
        mark = bookmark if (bookmark or {}).get("from") else {}  # not a list cursor
        start = int(mark.get("from") or epoch_ms(since))
        after: str | None = mark.get("after")
        seen_at_start: set[str] = set()  # ids already yielded whose change is at ``start``
        while True:
            body = await client.search_json(
                SEARCH_PATH, changed_since(start, self.page_size, after)
            )
            results = [r for r in body.get("results") or [] if str(r["id"]) not in seen_at_start]
            following = ((body.get("paging") or {}).get("next") or {}).get("after")
            if not following:
                yield RawPage(results, {}, total=body.get("total"))
                return
            last = modified_ms(results[-1]) if results else start
            if last > start:
                # Move the filter forward: a fresh, shallow search from the last change seen.
                start, after = last, None
                seen_at_start = {str(r["id"]) for r in results if modified_ms(r) == last}
            elif int(following) + self.page_size > self.search_cap:
                raise CRMError(
                    f"{self.label}: more than {self.search_cap:,} contacts share the modification "
                    f"time {start} ms, past what one search returns; run a full sync"
                )
            else:
                after = following  # a whole page of one millisecond: page inside it
                seen_at_start.update(str(r["id"]) for r in results)
            yield RawPage(results, {"from": start, "after": after}, total=body.get("total"))

    def to_contact(self, raw: dict[str, Any]) -> ContactRecord | None:
        props = raw.get("properties") or {}
        name = " ".join(p for p in (props.get("firstname"), props.get("lastname")) if p)
        state = (props.get("state") or "").strip()
        practice = props.get("practice_area") or ""
        updated = raw.get("updatedAt")
        return ContactRecord(
            external_id=str(raw["id"]),
            name=name or props.get("email") or "",
            organisation=props.get("company") or "",
            profession_hint=" ".join(
                h for h in (props.get("jobtitle") or "", props.get("industry") or "") if h
            ),
            specialties=[p.strip() for p in re.split(r"[;,]", practice) if p.strip()],
            email=props.get("email"),
            phone=props.get("phone") or props.get("mobilephone"),
            address=props.get("address") or "",
            city=props.get("city") or "",
            state=state.upper() if len(state) == 2 else "",
            postal_code=props.get("zip") or "",
            updated_at=parse_hubspot_time(updated) if updated else None,
            deleted=bool(raw.get("archived")),
        )
