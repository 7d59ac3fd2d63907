"""A fake Lawmatics: ``GET /v1/contacts`` and ``GET /v1/sources`` with ``?page=N``, a fixed 25
records a page, ``meta.total_pages`` and ``links``, ``sort_by``/``sort_order`` (``id`` or
``updated_at``, asc or desc), and (with ``rate_limit=50``) Lawmatics' limit of 50 requests a
minute: past it, 429 with ``Retry-After: 60``. Tokens never expire and there is no refresh
token (``access_token_lifetime = None``). OAuth, faults and the request log come from
:class:`~rapport_core.testing.fakes.FakeCRM`.

The sources are a firm's usual mix: referral sources (people such as "Dana A. Ortiz, CPA"
and firms such as "Lee Estate Law PLLC") and marketing channels (a UTM rule, a tracking
number, or a channel's name)."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any, ClassVar

from rapport_core.testing.fakes import (
    FakeCRM,
    FakeRequest,
    FakeResponse,
    iso,
    parse_iso,
    person_email,
    person_name,
)

from rapport_crm_lawmatics.connector import CONTACTS_PATH, SOURCE_PREFIX, SOURCES_PATH

KINDS = [("CPA", "Referral source", "Tax planning"),
         ("Financial Advisor", "Referral source", "Retirement planning"),
         ("Attorney", "Co-counsel", "Estate planning; Probate")]  # fmt: skip
CITIES = [("Miami", "FL", "33131"), ("Austin", "TX", "78701"), ("Orlando", "FL", "32801")]
#: Referral sources: (name pattern, description). ``{first} {last}`` from the generator.
REFERRERS = [("{first} {last}, CPA", "Sends estate clients after tax season"),
             ("{last} Estate Law PLLC", "Co-counsel on contested probate"),
             ("{first} {last}", "Wealth advisor; refers retirees")]  # fmt: skip
#: Marketing channels: (name, utm_match, tracking_number).
CHANNELS = [("Google Ads", "utm_source=google", None), ("Firm website", None, None),
            ("Radio spot", None, "+13055550100")]  # fmt: skip
#: Person numbers for sources start here, so no source is named like a contact.
SOURCE_PEOPLE = 30_000


class FakeLawmatics(FakeCRM):
    name = "lawmatics"
    access_token_lifetime = None  # Lawmatics tokens do not expire; no refresh token
    per_page: ClassVar[int] = 25

    def __init__(
        self,
        contacts: list[dict[str, Any]] | None = None,
        *,
        count: int = 0,
        sources: int | None = None,
        **kwargs: Any,
    ) -> None:
        """``count`` records become partners: contacts and, ``sources`` of them (a sixth by
        default), referral sources; the three marketing channels come on top."""
        if sources is None:
            sources = count // 6 if contacts is None else 3
        generated = max(0, count - sources) if contacts is None else 0
        super().__init__(contacts, count=generated, **kwargs)
        self.sources = self.generate_sources(sources)

    def generate(self, count: int, seed: int, start: int = 0) -> list[dict[str, Any]]:
        rng = random.Random(seed + start)
        base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        contacts = []
        for n in range(start, start + count):
            first, last = person_name(n)
            title, contact_type, practice = rng.choice(KINDS)
            city, state, postal = rng.choice(CITIES)
            stamp = iso(base + dt.timedelta(minutes=n))
            contacts.append(
                {
                    "id": str(700_000 + n),
                    "type": "contact",
                    "attributes": {
                        "first_name": first,
                        "last_name": last,
                        "email": person_email(n, n),
                        "phone": f"(407) 555-{n % 10000:04d}",
                        "company_name": f"{last} {title} Partners",
                        "title": title,
                        "contact_type": contact_type,
                        "practice_area": practice,
                        "street": f"{100 + n % 900} Orange Ave",
                        "city": city,
                        "state": state,
                        "zipcode": postal,
                        "created_at": stamp,
                        "updated_at": stamp,
                    },
                    "relationships": {"tags": {"data": []}},
                }
            )
        return contacts

    def generate_sources(self, count: int) -> list[dict[str, Any]]:
        base = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
        rows = [(name, "", utm, phone) for name, utm, phone in CHANNELS]
        for n in range(count):
            first, last = person_name(SOURCE_PEOPLE + n)
            pattern, description = REFERRERS[n % len(REFERRERS)]
            rows.append((pattern.format(first=first, last=last), description, None, None))
        return [
            {
                "id": str(900 + i),
                "type": "source",
                "attributes": {
                    "name": name,
                    "description": description,
                    "color": "#3b82f6",
                    "tracking_number": phone,
                    "utm_match": utm,
                    "spend_frequency": "monthly" if utm else None,
                    "pnc_count": i % 7,
                    "created_at": iso(base + dt.timedelta(hours=i)),
                    "updated_at": iso(base + dt.timedelta(hours=i)),
                },
                "relationships": {"campaigns": {"data": []}, "prospects": {"data": []}},
            }
            for i, (name, description, utm, phone) in enumerate(rows)
        ]

    def stream_records(self) -> list[list[dict[str, Any]]]:
        return [self.contacts, self.sources]

    # ------------------------------------------------------------------ test controls

    def touch(self, record: dict[str, Any]) -> None:
        record["attributes"]["updated_at"] = iso(dt.datetime.now(dt.UTC))

    def rename(self, external_id: str, name: str) -> None:
        with self.lock:
            if external_id.startswith(SOURCE_PREFIX):
                source_id = external_id.removeprefix(SOURCE_PREFIX)
                record = next(s for s in self.sources if s["id"] == source_id)
                record["attributes"]["name"] = name
            else:
                record = next(c for c in self.contacts if c["id"] == external_id)
                first, _, last = name.partition(" ")
                record["attributes"].update(first_name=first, last_name=last)
            self.touch(record)

    # ------------------------------------------------------------------ wire format

    def auth_error(self) -> FakeResponse:
        return FakeResponse(401, {"error": "Unauthorized", "message": "Invalid access token"})

    def error(self, status: int, message: str) -> FakeResponse:
        return FakeResponse(status, {"error": message, "message": message})

    def rate_limited(self) -> FakeResponse:
        return FakeResponse(
            429, {"error": "Too Many Requests", "message": "Rate limit exceeded"},
            {"Retry-After": "60"},
        )  # fmt: skip

    def route(self, request: FakeRequest) -> FakeResponse:
        if request.method != "GET":
            return self.error(405, f"{request.method} is not allowed here")
        records = {CONTACTS_PATH: self.contacts, SOURCES_PATH: self.sources}.get(request.path)
        if records is None:
            return self.error(404, f"no route for {request.path}")
        query = request.query
        try:
            page = int(query.get("page", 1))
        except ValueError:
            return self.error(400, "page must be a number")
        if "sort" in query:
            return self.error(400, "unknown parameter sort: use sort_by and sort_order")
        sort_by, order = query.get("sort_by", "id"), query.get("sort_order", "asc")
        if sort_by not in ("id", "updated_at") or order not in ("asc", "desc"):
            return self.error(400, f"unsupported sort {sort_by} {order}")
        ordered = sorted(
            records,
            key=lambda r: parse_iso(r["attributes"]["updated_at"]) if sort_by == "updated_at"
            else int(r["id"]),
            reverse=order == "desc",
        )  # fmt: skip
        total_pages = max(1, math.ceil(len(ordered) / self.per_page))
        data = ordered[(page - 1) * self.per_page : page * self.per_page]
        base = f"{self.base_url}{request.path}"
        links = {"self": f"{base}?page={page}"}
        if page < total_pages:
            links["next"] = f"{base}?page={page + 1}"
        return FakeResponse(
            200,
            {"data": data, "meta": {"total_pages": total_pages, "total_entries": len(ordered)},
             "links": links},
        )  # fmt: skip
