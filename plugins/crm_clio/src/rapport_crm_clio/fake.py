"""A fake Clio Manage: OAuth, ``/api/v4/contacts.json`` with ``fields``, ``limit`` (at most
200), ``order=id(asc)``, ``updated_since`` and ``meta.paging.next`` page tokens, and Clio's
``X-RateLimit-*`` headers (429 + ``Retry-After`` past the window's limit, when one is set)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import random
import time
from typing import Any
from urllib.parse import urlencode

from rapport_core.testing.fakes import FakeCRM, FakeRequest, FakeResponse, iso, parse_iso

FIRST = ["Dana", "Ana", "Marcus", "Priya", "Luis", "Grace", "Omar", "Helen", "Wei", "Sofia",
         "James", "Nora", "Tariq", "Irene", "Caleb", "Maya", "Jorge", "Ruth", "Dev", "Lena"]  # fmt: skip
LAST = ["Ortiz", "Lee", "Bell", "Shah", "Moreno", "Kim", "Haddad", "Park", "Chen", "Rossi",
        "Nguyen", "Ward", "Aziz", "Costa", "Brooks", "Patel", "Reyes", "Stone", "Iyer", "Fox"]  # fmt: skip
KINDS = [
    ("CPA", "CPA Group", "Tax planning"),
    ("Financial Advisor", "Wealth Partners", "Retirement planning"),
    ("Attorney", "Law PLLC", "Estate planning; Probate"),
    ("Insurance Agent", "Insurance Agency", "Life insurance"),
    ("Realtor", "Realty", "Residential"),
    ("Mortgage Lender", "Home Loans", "Reverse mortgages"),
]
CITIES = [("Miami", "FL", "33131"), ("Tampa", "FL", "33602"), ("Austin", "TX", "78701"),
          ("Houston", "TX", "77002"), ("Orlando", "FL", "32801")]  # fmt: skip


def _split_fields(spec: str) -> dict[str, str | None]:
    """``"id,company{name},addresses"`` -> {"id": None, "company": "name", "addresses": None}."""
    fields: dict[str, str | None] = {}
    depth, start = 0, 0
    for i, char in enumerate(spec + ","):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "," and depth == 0:
            part = spec[start:i].strip()
            start = i + 1
            if part:
                name, _, rest = part.partition("{")
                fields[name] = rest[:-1] if rest else None
    return fields


def _project(value: Any, spec: str | None) -> Any:
    if spec is None or value is None:
        return value
    wanted = _split_fields(spec)
    if isinstance(value, list):
        return [_project(item, spec) for item in value]
    return {key: _project(value.get(key), sub) for key, sub in wanted.items()}


class FakeClio(FakeCRM):
    name = "clio"
    max_limit = 200

    def __init__(self, *args: Any, window_limit: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Requests allowed per 60-second window (Clio's peak default is 50); None: no limit.
        self.window_limit = window_limit
        self.window_reset = math.ceil(time.time()) + 60  # unix time the window ends
        self._window_count = 0

    def generate(self, count: int, seed: int, start: int = 0) -> list[dict[str, Any]]:
        rng = random.Random(seed + start)
        base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        contacts = []
        for n in range(start, start + count):
            # Distinct people (no shared name and organisation): each n its own combination.
            first, last = FIRST[n % 20], LAST[(n // 20) % 20]
            first = f"{first} {chr(65 + (n // 400) % 26)}." + (
                f" {n // 10400 + 1}" if n >= 10400 else ""
            )
            title, firm_word, practice = rng.choice(KINDS)
            city, state, postal = rng.choice(CITIES)
            contact_id = 1000 + n
            email = f"{FIRST[n % 20]}.{last}.{contact_id}@example.com".lower()
            phone = f"+1 305 555 {contact_id % 10000:04d}"
            company = n % 10 == 9
            name = f"{last} {firm_word}" if company else f"{first} {last}"
            updated = iso(base + dt.timedelta(minutes=n))
            contacts.append(
                {
                    "id": contact_id,
                    "etag": f'"{contact_id}-1"',
                    "name": name,
                    "first_name": None if company else first,
                    "last_name": None if company else last,
                    "type": "Company" if company else "Person",
                    "title": title,
                    "primary_email_address": email,
                    "primary_phone_number": phone,
                    "company": None
                    if company
                    else {"id": 90000 + n, "name": f"{last} {firm_word}"},
                    "addresses": [
                        {
                            "name": "Work",
                            "street": f"{100 + n % 900} Main St",
                            "city": city,
                            "province": state,
                            "postal_code": postal,
                            "country": "US",
                            "primary": True,
                        }  # fmt: skip
                    ],
                    "email_addresses": [{"name": "Work", "address": email, "primary": True}],
                    "phone_numbers": [{"name": "Work", "number": phone, "primary": True}],
                    "custom_field_values": [
                        {"id": f"cf-{contact_id}", "field_name": "Practice area", "value": practice}
                    ],
                    "created_at": updated,
                    "updated_at": updated,
                }
            )
        return contacts

    # ------------------------------------------------------------------ test controls

    def rename(self, external_id: str, name: str) -> None:
        """Change a contact's name, as a person editing it in Clio would."""
        with self.lock:
            contact = next(c for c in self.contacts if str(c["id"]) == external_id)
            first, _, last = name.partition(" ")
            contact.update(name=name, first_name=first, last_name=last or None)
            contact["updated_at"] = iso(dt.datetime.now(dt.UTC))
            contact["etag"] = f'"{contact["id"]}-{time.time_ns()}"'

    def add(self, count: int) -> None:
        with self.lock:
            fresh = self.generate(count, seed=99, start=len(self.contacts) + 5000)
            now = iso(dt.datetime.now(dt.UTC))
            for contact in fresh:
                contact["updated_at"] = now
            self.contacts.extend(fresh)

    # ------------------------------------------------------------------ wire format

    def auth_error(self) -> FakeResponse:
        return FakeResponse(
            401, {"error": {"type": "AuthenticationError", "message": "The access token expired"}}
        )

    def _roll_window(self) -> None:
        now = time.time()
        if now >= self.window_reset:
            self.window_reset, self._window_count = math.ceil(now) + 60, 0

    def extra_headers(self, request: FakeRequest) -> dict[str, str]:
        self._roll_window()
        self._window_count += 1
        limit = self.window_limit or 10_000
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(0, limit - self._window_count)),
            "X-RateLimit-Reset": str(self.window_reset),
        }

    def route(self, request: FakeRequest) -> FakeResponse:
        if request.method != "GET":
            return self.error(405, f"{request.method} is not allowed here")
        self._roll_window()
        if self.window_limit is not None and self._window_count >= self.window_limit:
            wait = max(1, math.ceil(self.window_reset - time.time()))
            return FakeResponse(
                429,
                {"error": {"type": "RateLimited", "message": "Rate limit exceeded"}},
                {"Retry-After": str(wait)},
            )
        if request.path == "/api/v4/contacts.json":
            return self._contacts(request)
        return self.error(404, f"no route for {request.path}")

    def _contacts(self, request: FakeRequest) -> FakeResponse:
        query = request.query
        try:
            limit = int(query.get("limit", self.max_limit))
        except ValueError:
            return self.error(400, "limit must be a number")
        if not 1 <= limit <= self.max_limit:
            return self.error(400, f"limit must be between 1 and {self.max_limit}")
        if query.get("order", "id(asc)") != "id(asc)":
            return self.error(400, "this fake supports order=id(asc) only")
        after = 0
        if token := query.get("page_token"):
            try:
                after = json.loads(base64.urlsafe_b64decode(token.encode()))["after"]
            except ValueError:
                return self.error(400, "invalid page_token")
        since = parse_iso(query["updated_since"]) if query.get("updated_since") else None
        matching = [
            c
            for c in sorted(self.contacts, key=lambda c: c["id"])
            if since is None or parse_iso(c["updated_at"]) >= since
        ]
        remaining = [c for c in matching if c["id"] > after]
        page = remaining[:limit]
        spec = query.get("fields") or "id,etag"
        data = [_project(contact, spec) for contact in page]
        paging: dict[str, str] = {}
        if len(remaining) > limit:
            token = base64.urlsafe_b64encode(json.dumps({"after": page[-1]["id"]}).encode())
            params = {k: v for k, v in query.items() if k != "page_token"}
            params["page_token"] = token.decode()
            paging["next"] = f"{self.base_url}{request.path}?{urlencode(params)}"
        return FakeResponse(
            200, {"data": data, "meta": {"paging": paging, "records": len(matching)}}
        )
