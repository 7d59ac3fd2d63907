"""A fake Lawmatics: OAuth (authorize, ``/oauth/token``; tokens never expire, no refresh
token), ``GET /v1/contacts?page=N`` with a fixed 25 records a page, ``meta.total_pages``
and ``links``, ``sort=-updated_at`` for the newest first, and (with ``per_minute=50``)
Lawmatics' limit: past it, 429 with ``Retry-After: 60``."""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from typing import Any, ClassVar

from rapport_core.testing.fakes import FakeCRM, FakeRequest, FakeResponse, iso, parse_iso

from rapport_crm_lawmatics.connector import CONTACTS_PATH

FIRST = ["Dana", "Ana", "Marcus", "Priya", "Luis", "Grace", "Omar", "Helen", "Wei", "Sofia",
         "James", "Nora", "Tariq", "Irene", "Caleb", "Maya", "Jorge", "Ruth", "Dev", "Lena"]  # fmt: skip
LAST = ["Ortiz", "Lee", "Bell", "Shah", "Moreno", "Kim", "Haddad", "Park", "Chen", "Rossi",
        "Nguyen", "Ward", "Aziz", "Costa", "Brooks", "Patel", "Reyes", "Stone", "Iyer", "Fox"]  # fmt: skip
KINDS = [("CPA", "Referral source", "Tax planning"),
         ("Financial Advisor", "Referral source", "Retirement planning"),
         ("Attorney", "Co-counsel", "Estate planning; Probate")]  # fmt: skip
CITIES = [("Miami", "FL", "33131"), ("Austin", "TX", "78701"), ("Orlando", "FL", "32801")]


class FakeLawmatics(FakeCRM):
    name = "lawmatics"
    per_page: ClassVar[int] = 25

    def __init__(self, *args: Any, per_minute: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Requests allowed a minute (Lawmatics allows 50); None: no limit (tests, benches).
        self.per_minute = per_minute
        self._minute_start, self._minute_count = time.time(), 0

    def token_body(self, access: str, refresh: str) -> dict[str, Any]:
        return {"access_token": access, "token_type": "Bearer", "created_at": int(time.time())}

    def generate(self, count: int, seed: int, start: int = 0) -> list[dict[str, Any]]:
        rng = random.Random(seed + start)
        base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        contacts = []
        for n in range(start, start + count):
            first = f"{FIRST[n % 20]} {chr(65 + (n // 400) % 26)}." + (
                f" {n // 10400 + 1}" if n >= 10400 else ""
            )
            last = LAST[(n // 20) % 20]
            title, contact_type, practice = rng.choice(KINDS)
            city, state, postal = rng.choice(CITIES)
            stamp = iso(base + dt.timedelta(minutes=n))
            contact_id = str(700_000 + n)
            contacts.append(
                {
                    "id": contact_id,
                    "type": "contact",
                    "attributes": {
                        "first_name": first,
                        "last_name": last,
                        "email": f"{FIRST[n % 20]}.{last}.{n}@example.com".lower(),
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

    # ------------------------------------------------------------------ test controls

    def rename(self, external_id: str, name: str) -> None:
        with self.lock:
            contact = next(c for c in self.contacts if c["id"] == external_id)
            first, _, last = name.partition(" ")
            contact["attributes"].update(first_name=first, last_name=last)
            contact["attributes"]["updated_at"] = iso(dt.datetime.now(dt.UTC))

    def add(self, count: int) -> None:
        with self.lock:
            fresh = self.generate(count, seed=99, start=len(self.contacts) + 5000)
            for contact in fresh:
                contact["attributes"]["updated_at"] = iso(dt.datetime.now(dt.UTC))
            self.contacts.extend(fresh)

    # ------------------------------------------------------------------ wire format

    def auth_error(self) -> FakeResponse:
        return FakeResponse(401, {"error": "Unauthorized", "message": "Invalid access token"})

    def error(self, status: int, message: str) -> FakeResponse:
        return FakeResponse(status, {"error": message, "message": message})

    def route(self, request: FakeRequest) -> FakeResponse:
        now = time.time()
        if now - self._minute_start >= 60:
            self._minute_start, self._minute_count = now, 0
        self._minute_count += 1
        if self.per_minute is not None and self._minute_count > self.per_minute:
            return FakeResponse(
                429, {"error": "Too Many Requests", "message": "Rate limit exceeded"},
                {"Retry-After": "60"},
            )  # fmt: skip
        if request.method != "GET":
            return self.error(405, f"{request.method} is not allowed here")
        if request.path != CONTACTS_PATH:
            return self.error(404, f"no route for {request.path}")
        try:
            page = int(request.query.get("page", 1))
        except ValueError:
            return self.error(400, "page must be a number")
        ordered = sorted(self.contacts, key=lambda c: int(c["id"]))
        sort = request.query.get("sort")
        if sort == "-updated_at":
            ordered.sort(key=lambda c: parse_iso(c["attributes"]["updated_at"]), reverse=True)
        elif sort:
            return self.error(400, f"unsupported sort {sort!r}")
        total_pages = max(1, math.ceil(len(ordered) / self.per_page))
        data = ordered[(page - 1) * self.per_page : page * self.per_page]
        base = f"{self.base_url}{CONTACTS_PATH}"
        links = {"self": f"{base}?page={page}"}
        if page < total_pages:
            links["next"] = f"{base}?page={page + 1}"
        return FakeResponse(
            200,
            {"data": data, "meta": {"total_pages": total_pages, "total_entries": len(ordered)},
             "links": links},
        )  # fmt: skip
