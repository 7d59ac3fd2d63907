"""Clio Manage API v4: contacts, read-only.

``GET /api/v4/contacts.json`` with an explicit ``fields`` list (Clio returns only the fields
named, nested ones in braces), ``limit=200`` (Clio's maximum), ``order=id(asc)`` and, for an
incremental sync, ``updated_since``. Pages are followed through ``meta.paging.next`` until it
is absent. Hosts are regional. Rate-limit headers (``X-RateLimit-*``) and 429 +
``Retry-After`` are handled by the shared client.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from typing import Any

from rapport_core.crm import Connector, ContactRecord, CRMClient, OAuthSettings, RawPage

CONTACT_FIELDS = (
    "id,name,first_name,last_name,type,title,primary_email_address,primary_phone_number,"
    "company{name},addresses,email_addresses,phone_numbers,"
    "custom_field_values{field_name,value},updated_at"
)
#: Custom fields whose values are the contact's specialties (Clio keeps practice areas on
#: matters; firms that track a referral partner's specialty do it in a custom field).
SPECIALTY_FIELDS = {"practice area", "practice areas", "specialty", "specialties"}
PROFESSION_FIELDS = {"profession", "category", "partner type"}


def _primary(items: list[dict[str, Any]] | None) -> dict[str, Any]:
    items = items or []
    return next((i for i in items if i.get("primary")), items[0] if items else {})


class ClioConnector(Connector):
    name = "clio"
    label = "Clio"
    oauth = OAuthSettings(authorize_path="/oauth/authorize", token_path="/oauth/token")
    regions = {
        "us": "https://app.clio.com",
        "eu": "https://eu.app.clio.com",
        "ca": "https://ca.app.clio.com",
        "au": "https://au.app.clio.com",
    }
    page_size = 200
    fake_server = "rapport_crm_clio.fake:FakeClio"

    async def fetch_pages(
        self, client: CRMClient, bookmark: dict[str, Any] | None, *, since: dt.datetime | None
    ) -> AsyncIterator[RawPage]:
        url: str | None = (bookmark or {}).get("next")
        params: dict[str, Any] | None = None
        if not url:
            url = "/api/v4/contacts.json"
            params = {"fields": CONTACT_FIELDS, "limit": self.page_size, "order": "id(asc)"}
            if since is not None:
                params["updated_since"] = since.astimezone(dt.UTC).isoformat()
        while url:
            body = await client.get_json(url, params)
            meta = body.get("meta") or {}
            url, params = (meta.get("paging") or {}).get("next"), None
            yield RawPage(body.get("data") or [], {"next": url}, total=meta.get("records"))

    def to_contact(self, raw: dict[str, Any]) -> ContactRecord | None:
        company = raw.get("type") == "Company"
        name = raw.get("name") or " ".join(
            part for part in (raw.get("first_name"), raw.get("last_name")) if part
        )
        custom = {
            (value.get("field_name") or "").strip().lower(): value.get("value")
            for value in raw.get("custom_field_values") or []
        }
        specialties = [
            part.strip()
            for key, value in custom.items()
            if key in SPECIALTY_FIELDS and isinstance(value, str)
            for part in re.split(r"[;,]", value)
            if part.strip()
        ]
        hints = [raw.get("title") or ""] + [
            str(value) for key, value in custom.items() if key in PROFESSION_FIELDS and value
        ]
        address = _primary(raw.get("addresses"))
        province = (address.get("province") or "").strip()
        updated = raw.get("updated_at")
        return ContactRecord(
            external_id=str(raw["id"]),
            kind="company" if company else "person",
            name=name or "",
            organisation=name if company else ((raw.get("company") or {}).get("name") or ""),
            profession_hint=" ".join(h for h in hints if h),
            specialties=specialties,
            email=raw.get("primary_email_address")
            or _primary(raw.get("email_addresses")).get("address"),
            phone=raw.get("primary_phone_number")
            or _primary(raw.get("phone_numbers")).get("number"),
            address=address.get("street") or "",
            city=address.get("city") or "",
            state=province.upper() if len(province) == 2 else "",
            postal_code=address.get("postal_code") or "",
            updated_at=dt.datetime.fromisoformat(updated.replace("Z", "+00:00"))
            if updated
            else None,
        )
