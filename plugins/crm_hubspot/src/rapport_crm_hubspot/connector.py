"""HubSpot CRM API v3: contacts, read-only.

``GET /crm/v3/objects/contacts?limit=100&properties=…`` (100 is HubSpot's maximum), pages
followed through the ``paging.next.after`` cursor until a page has no ``paging``. The
company is the contact's ``company`` property (HubSpot keeps it beside the association to a
company record); practice areas come from a ``practice_area`` property where the portal has
one (semicolon-separated, as HubSpot writes multi-checkbox values). OAuth: authorize on
``app.hubspot.com``, tokens from ``api.hubapi.com/oauth/v1/token`` (30-minute access
tokens, refreshed). Rate limits: 429 with ``X-HubSpot-RateLimit-*`` headers.

Incremental syncs read the list and keep the contacts whose ``updatedAt`` is inside the
window: HubSpot filters by modification date only through ``POST …/contacts/search``, and
the SDK's client sends GET requests only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
from rapport_core.crm import Connector, ContactRecord, CRMClient, OAuthSettings, RawPage

API_HOST = "https://api.hubapi.com"
APP_HOST = "https://app.hubspot.com"
CONTACTS_PATH = "/crm/v3/objects/contacts"
PROPERTIES = (
    "firstname,lastname,email,phone,mobilephone,company,jobtitle,industry,practice_area,"
    "address,city,state,zip,lastmodifieddate"
)


def parse_hubspot_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


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
        after = (bookmark or {}).get("after")
        while True:
            params: dict[str, Any] = {"limit": self.page_size, "properties": PROPERTIES}
            if after:
                params["after"] = after
            body = await client.get_json(CONTACTS_PATH, params)
            results = body.get("results") or []
            if since is not None:
                results = [
                    r for r in results
                    if r.get("updatedAt") and parse_hubspot_time(r["updatedAt"]) >= since
                ]  # fmt: skip
            after = ((body.get("paging") or {}).get("next") or {}).get("after")
            yield RawPage(results, {"after": after} if after else {})
            if not after:
                return

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
