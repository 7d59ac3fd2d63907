"""A fake HubSpot: OAuth (authorize, ``/oauth/v1/token`` with 30-minute access tokens),
``GET /crm/v3/objects/contacts`` with ``limit`` (at most 100), ``properties`` (only those
asked for come back, as strings) and the ``after`` cursor in ``paging.next``; errors in
HubSpot's shape (``status``, ``message``, ``correlationId``, ``category``) and the
``X-HubSpot-RateLimit-*`` headers of its burst window."""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from typing import Any, ClassVar

from rapport_core.testing.fakes import FakeCRM, FakeRequest, FakeResponse, iso

from rapport_crm_hubspot.connector import CONTACTS_PATH

FIRST = ["Dana", "Ana", "Marcus", "Priya", "Luis", "Grace", "Omar", "Helen", "Wei", "Sofia",
         "James", "Nora", "Tariq", "Irene", "Caleb", "Maya", "Jorge", "Ruth", "Dev", "Lena"]  # fmt: skip
LAST = ["Ortiz", "Lee", "Bell", "Shah", "Moreno", "Kim", "Haddad", "Park", "Chen", "Rossi",
        "Nguyen", "Ward", "Aziz", "Costa", "Brooks", "Patel", "Reyes", "Stone", "Iyer", "Fox"]  # fmt: skip
KINDS = [("CPA", "Accounting", "Tax planning"),
         ("Financial Advisor", "Financial Services", "Retirement planning;Estate planning"),
         ("Attorney", "Law Practice", "Estate planning;Probate"),
         ("Insurance Agent", "Insurance", "Life insurance")]  # fmt: skip
CITIES = [("Miami", "FL", "33131"), ("Tampa", "FL", "33602"), ("Dallas", "TX", "75201")]


class FakeHubSpot(FakeCRM):
    name = "hubspot"
    authorize_path = "/oauth/authorize"
    token_path = "/oauth/v1/token"
    access_token_lifetime = 1800
    max_limit: ClassVar[int] = 100
    burst_max: ClassVar[int] = 190  # requests per 10-second window
    burst_ms: ClassVar[int] = 10_000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._window_start, self._window_count = time.time(), 0

    def generate(self, count: int, seed: int, start: int = 0) -> list[dict[str, Any]]:
        rng = random.Random(seed + start)
        base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        contacts = []
        for n in range(start, start + count):
            first = f"{FIRST[n % 20]} {chr(65 + (n // 400) % 26)}." + (
                f" {n // 10400 + 1}" if n >= 10400 else ""
            )
            last = LAST[(n // 20) % 20]
            title, industry, practice = rng.choice(KINDS)
            city, state, postal = rng.choice(CITIES)
            stamp = iso(base + dt.timedelta(minutes=n))
            contact_id = str(51 + n * 50)  # HubSpot ids are numeric strings
            contacts.append(
                {
                    "id": contact_id,
                    "properties": {
                        "hs_object_id": contact_id,
                        "firstname": first,
                        "lastname": last,
                        "email": f"{FIRST[n % 20]}.{last}.{n}@example.com".lower(),
                        "phone": f"+1 214 555 {n % 10000:04d}",
                        "mobilephone": None,
                        "company": f"{last} {industry} LLC",
                        "jobtitle": title,
                        "industry": industry,
                        "practice_area": practice,
                        "address": f"{100 + n % 900} Elm St",
                        "city": city,
                        "state": state,
                        "zip": postal,
                        "createdate": stamp,
                        "lastmodifieddate": stamp,
                    },
                    "createdAt": stamp,
                    "updatedAt": stamp,
                    "archived": False,
                }
            )
        return contacts

    # ------------------------------------------------------------------ test controls

    def _touch(self, contact: dict[str, Any]) -> None:
        stamp = iso(dt.datetime.now(dt.UTC))
        contact["updatedAt"] = contact["properties"]["lastmodifieddate"] = stamp

    def rename(self, external_id: str, name: str) -> None:
        with self.lock:
            contact = next(c for c in self.contacts if c["id"] == external_id)
            first, _, last = name.partition(" ")
            contact["properties"].update(firstname=first, lastname=last)
            self._touch(contact)

    def add(self, count: int) -> None:
        with self.lock:
            fresh = self.generate(count, seed=99, start=len(self.contacts) + 5000)
            for contact in fresh:
                self._touch(contact)
            self.contacts.extend(fresh)

    # ------------------------------------------------------------------ wire format

    def _error_body(self, message: str, category: str) -> dict[str, Any]:
        return {"status": "error", "message": message,
                "correlationId": str(uuid.uuid4()), "category": category}  # fmt: skip

    def auth_error(self) -> FakeResponse:
        return FakeResponse(
            401,
            self._error_body(
                "The OAuth token used to make this call expired", "EXPIRED_AUTHENTICATION"
            ),
        )

    def error(self, status: int, message: str) -> FakeResponse:
        category = {400: "VALIDATION_ERROR", 403: "MISSING_SCOPES", 404: "OBJECT_NOT_FOUND",
                    429: "RATE_LIMITS"}.get(status, "INTERNAL_ERROR")  # fmt: skip
        return FakeResponse(status, self._error_body(message, category))

    def extra_headers(self, request: FakeRequest) -> dict[str, str]:
        now = time.time()
        if (now - self._window_start) * 1000 >= self.burst_ms:
            self._window_start, self._window_count = now, 0
        self._window_count += 1
        return {
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(self.burst_ms),
            "X-HubSpot-RateLimit-Max": str(self.burst_max),
            "X-HubSpot-RateLimit-Remaining": str(max(0, self.burst_max - self._window_count)),
        }

    def route(self, request: FakeRequest) -> FakeResponse:
        if request.method != "GET":
            return self.error(405, f"{request.method} is not allowed here")
        if request.path != CONTACTS_PATH:
            return self.error(404, f"no route for {request.path}")
        query = request.query
        try:
            limit = int(query.get("limit", 10))
        except ValueError:
            return self.error(400, "limit must be a number")
        if not 1 <= limit <= self.max_limit:
            return self.error(400, f"limit must be between 1 and {self.max_limit}")
        wanted = [p for p in query.get("properties", "").split(",") if p]
        ordered = sorted(self.contacts, key=lambda c: int(c["id"]))
        after = int(query["after"]) if query.get("after", "").isdigit() else 0
        remaining = [c for c in ordered if int(c["id"]) >= after] if after else ordered
        page = remaining[:limit]
        results = []
        for contact in page:
            props = contact["properties"]
            shown = {k: props.get(k) for k in wanted} if wanted else {
                k: props[k] for k in ("createdate", "email", "firstname", "lastname",
                                      "lastmodifieddate", "hs_object_id")
            }  # fmt: skip
            results.append({**contact, "properties": shown})
        body: dict[str, Any] = {"results": results}
        if len(remaining) > limit:
            cursor = remaining[limit]["id"]
            link = f"{self.base_url}{CONTACTS_PATH}?after={cursor}&limit={limit}"
            body["paging"] = {"next": {"after": cursor, "link": link}}
        return FakeResponse(200, body)
