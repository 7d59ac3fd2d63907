"""Lawmatics API v1: contacts, read-only.

JSON:API-style answers with string ids: ``{"data": [{"id", "type": "contact", "attributes":
{…}}], "meta": {"total_pages": N}}``. Pages are ``?page=N`` with a fixed 25 records each;
the connector counts pages up to ``meta.total_pages`` (it does not follow ``links.next``).
Lawmatics has no ``updated_since`` filter, so an incremental sync asks for the newest
changes first (``sort=-updated_at``) and stops at the first page that reaches back before
the window. Access tokens do not expire and there is no refresh token: a 401 means connect
again. 50 requests a minute per firm, then 429 with ``Retry-After: 60``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from typing import Any

from rapport_core.crm import Connector, ContactRecord, CRMClient, OAuthSettings, RawPage

API_HOST = "https://api.lawmatics.com"
APP_HOST = "https://app.lawmatics.com"
CONTACTS_PATH = "/v1/contacts"


def parse_lawmatics_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _updated(record: dict[str, Any]) -> dt.datetime | None:
    stamp = (record.get("attributes") or {}).get("updated_at")
    return parse_lawmatics_time(stamp) if stamp else None


class LawmaticsConnector(Connector):
    name = "lawmatics"
    label = "Lawmatics"
    oauth = OAuthSettings(
        authorize_path="/oauth/authorize", token_path="/oauth/token", refreshable=False
    )
    regions = {"us": API_HOST}
    page_size = 25  # fixed by Lawmatics
    fake_server = "rapport_crm_lawmatics.fake:FakeLawmatics"

    def auth_url(self, path: str) -> str:
        # People authorise on the app host; tokens come from the API host.
        if path == self.oauth.authorize_path and self.config.base_url == API_HOST:
            return f"{APP_HOST}{path}"
        return super().auth_url(path)

    async def fetch_pages(
        self, client: CRMClient, bookmark: dict[str, Any] | None, *, since: dt.datetime | None
    ) -> AsyncIterator[RawPage]:
        page = int((bookmark or {}).get("page") or 1)
        while True:
            params: dict[str, Any] = {"page": page}
            if since is not None:
                params["sort"] = "-updated_at"
            body = await client.get_json(CONTACTS_PATH, params)
            records = body.get("data") or []
            total_pages = int((body.get("meta") or {}).get("total_pages") or page)
            done = page >= total_pages or not records
            if since is not None:
                stamps = [_updated(r) for r in records]
                done = done or any(s is not None and s < since for s in stamps)
                records = [r for r, s in zip(records, stamps, strict=True) if s and s >= since]
            yield RawPage(records, {} if done else {"page": page + 1}, total=None)
            if done:
                return
            page += 1

    def to_contact(self, raw: dict[str, Any]) -> ContactRecord | None:
        if raw.get("type") not in (None, "contact"):
            return None
        attrs = raw.get("attributes") or {}
        name = " ".join(p for p in (attrs.get("first_name"), attrs.get("last_name")) if p)
        state = (attrs.get("state") or "").strip()
        practice = attrs.get("practice_area") or ""
        updated = _updated(raw)
        return ContactRecord(
            external_id=str(raw["id"]),
            name=name or attrs.get("company_name") or "",
            organisation=attrs.get("company_name") or "",
            profession_hint=" ".join(
                h for h in (attrs.get("title") or "", attrs.get("contact_type") or "") if h
            ),
            specialties=[p.strip() for p in re.split(r"[;,]", practice) if p.strip()],
            email=attrs.get("email"),
            phone=attrs.get("phone"),
            address=attrs.get("street") or "",
            city=attrs.get("city") or "",
            state=state.upper() if len(state) == 2 else "",
            postal_code=attrs.get("zipcode") or "",
            updated_at=updated,
        )
