"""Lawmatics API v1: contacts and referral sources, read-only.

JSON:API-style answers with string ids: ``{"data": [{"id", "type", "attributes": {…}}],
"meta": {"total_pages": N}}``. Lists are paged with ``?page=N``, a fixed 25 records each;
the connector counts pages up to ``meta.total_pages`` (it does not follow ``links.next``).
Two streams, one after the other:

- ``GET /v1/contacts``: people, as partners keyed by their contact id;
- ``GET /v1/sources``: the firm's sources, where its matters (``prospects``, whose
  ``relationships.source`` names one) come from. A source is who or what sends matters: a
  referral source (a CPA, a firm) becomes a partner keyed ``source:<id>``, so it never
  collides with a contact's id; a marketing channel (a UTM rule or a tracking number, or a
  channel's name: Google, website, Avvo…) is skipped. A source named like a person is matched
  as one: the only partner of that name (a contact already synced, say) gets a merge
  suggestion instead of a duplicate.

Lawmatics has no ``updated_since`` filter, so an incremental sync asks each stream for the
newest changes first (``sort_by=updated_at&sort_order=desc``, the API's sort parameters) and
stops it at the first page that reaches back before the window. Access tokens do not expire
and there is no refresh token: a 401 means connect again. 50 requests a minute per firm,
then 429 with ``Retry-After: 60``.
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
SOURCES_PATH = "/v1/sources"
#: Streams in the order a sync reads them.
STREAMS = {"contacts": CONTACTS_PATH, "sources": SOURCES_PATH}
#: A source's partner id is prefixed so it can never be taken for a contact's.
SOURCE_PREFIX = "source:"
#: Names of marketing channels, not referrers.
CHANNEL = re.compile(
    r"\b(google|bing|yelp|avvo|justia|findlaw|martindale|nolo|facebook|instagram|linkedin|"
    r"youtube|tiktok|twitter|website|web ?site|online|internet|seo|ppc|ads?|advertising|"
    r"billboard|radio|tv|television|newspaper|magazine|directory|walk-?in|word of mouth|"
    r"(past|former|repeat|existing) client|social media|other|unknown|none)\b",
    re.IGNORECASE,
)
#: Words that make a source's name an organisation's.
ORGANISATION = re.compile(
    r"(\b(llp|llc|pllc|pc|p\.a\.|inc|ltd|group|firm|partners|associates|law|cpas|"
    r"advisors|agency|bank|company|co)\b|&)",
    re.IGNORECASE,
)


def parse_lawmatics_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _updated(record: dict[str, Any]) -> dt.datetime | None:
    stamp = (record.get("attributes") or {}).get("updated_at")
    return parse_lawmatics_time(stamp) if stamp else None


def is_marketing_channel(attrs: dict[str, Any]) -> bool:
    """A source tracked by a UTM rule or a call-tracking number, or named like a channel."""
    return bool(
        attrs.get("utm_match")
        or attrs.get("tracking_number")
        or CHANNEL.search(attrs.get("name") or "")
    )


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
        mark = bookmark or {}
        names = list(STREAMS)
        start = names.index(mark.get("stream", names[0]))
        for position, stream in enumerate(names[start:], start):
            page = int(mark.get("page") or 1) if position == start else 1
            following = names[position + 1] if position + 1 < len(names) else None
            async for records, next_page in self._pages(client, STREAMS[stream], page, since):
                if next_page is not None:
                    resume = {"stream": stream, "page": next_page}
                else:  # this stream is done: resume at the next one, or nowhere
                    resume = {"stream": following, "page": 1} if following else {}
                yield RawPage(records, resume)

    async def _pages(self, client: CRMClient, path: str, page: int, since: dt.datetime | None):
        """(records, the next page or None) for one stream, from ``page`` on."""
        while True:
            params: dict[str, Any] = {"page": page}
            if since is not None:
                params.update(sort_by="updated_at", sort_order="desc")
            body = await client.get_json(path, params)
            records = body.get("data") or []
            total_pages = int((body.get("meta") or {}).get("total_pages") or page)
            done = page >= total_pages or not records
            if since is not None:
                stamps = [_updated(r) for r in records]
                done = done or any(s is not None and s < since for s in stamps)
                records = [r for r, s in zip(records, stamps, strict=True) if s and s >= since]
            yield records, None if done else page + 1
            if done:
                return
            page += 1

    def to_contact(self, raw: dict[str, Any]) -> ContactRecord | None:
        kind = raw.get("type")
        if kind == "source":
            return self._referral_source(raw)
        if kind not in (None, "contact"):
            return None
        attrs = raw.get("attributes") or {}
        name = " ".join(p for p in (attrs.get("first_name"), attrs.get("last_name")) if p)
        state = (attrs.get("state") or "").strip()
        practice = attrs.get("practice_area") or ""
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
            updated_at=_updated(raw),
        )

    def _referral_source(self, raw: dict[str, Any]) -> ContactRecord | None:
        """A referral source as a partner; a marketing channel is not one (None)."""
        attrs = raw.get("attributes") or {}
        if is_marketing_channel(attrs):
            return None
        name = (attrs.get("name") or "").strip()
        description = (attrs.get("description") or "").strip()
        if ORGANISATION.search(name):
            person, credential, organisation = name, "", name
        else:  # "Dana Ortiz, CPA": the person, and what comes after the comma
            person, _, credential = (part.strip() for part in name.partition(","))
            organisation = ""
        return ContactRecord(
            external_id=f"{SOURCE_PREFIX}{raw['id']}",
            kind="company" if organisation else "person",
            name=person,
            organisation=organisation,
            profession_hint=" ".join(h for h in (credential, name, description) if h),
            updated_at=_updated(raw),
        )
