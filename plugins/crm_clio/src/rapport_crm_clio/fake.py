"""A fake Clio Manage: ``/api/v4/contacts.json`` with ``fields``, ``limit`` (at most 200),
``order=id(asc)``, ``updated_since`` and ``meta.paging.next`` page tokens, and Clio's
``X-RateLimit-*`` headers over the base's request window (``FakeClio(rate_limit=50)``: Clio's
peak limit per 60 seconds, then 429 + ``Retry-After``). OAuth, faults and the request log
come from :class:`~rapport_core.testing.fakes.FakeCRM`."""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import random
import time
from typing import Any
from urllib.parse import urlencode

from rapport_core.testing.fakes import (
    FakeCRM,
    FakeRequest,
    FakeResponse,
    iso,
    parse_iso,
    person_email,
    person_name,
)

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

    def generate(self, count: int, seed: int, start: int = 0) -> list[dict[str, Any]]:
        rng = random.Random(seed + start)
        base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        contacts = []
        for n in range(start, start + count):
            first, last = person_name(n)
            title, firm_word, practice = rng.choice(KINDS)
            city, state, postal = rng.choice(CITIES)
            contact_id = 1000 + n
            email = person_email(n, contact_id)
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

    def touch(self, contact: dict[str, Any]) -> None:
        contact["updated_at"] = iso(dt.datetime.now(dt.UTC))
        contact["etag"] = f'"{contact["id"]}-{time.time_ns()}"'

    def rename(self, external_id: str, name: str) -> None:
        with self.lock:
            contact = next(c for c in self.contacts if str(c["id"]) == external_id)
            first, _, last = name.partition(" ")
            contact.update(name=name, first_name=first, last_name=last or None)
            self.touch(contact)

    # ------------------------------------------------------------------ wire format

    def auth_error(self) -> FakeResponse:
        return FakeResponse(
            401, {"error": {"type": "AuthenticationError", "message": "The access token expired"}}
        )

    def extra_headers(self, request: FakeRequest) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.window.limit or 10_000),
            "X-RateLimit-Remaining": str(self.window.remaining),
            "X-RateLimit-Reset": str(math.ceil(self.window.reset_at)),
        }

    def route(self, request: FakeRequest) -> FakeResponse:
        if request.method != "GET":
            return self.error(405, f"{request.method} is not allowed here")
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
