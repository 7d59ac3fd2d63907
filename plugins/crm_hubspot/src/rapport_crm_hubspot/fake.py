"""A fake HubSpot: OAuth (authorize, ``/oauth/v1/token`` with 30-minute access tokens),
``GET /crm/v3/objects/contacts`` with ``limit`` (at most 100), ``properties`` (only those
asked for come back, as strings) and the ``after`` cursor in ``paging.next``;
``POST /crm/v3/objects/contacts/search`` with ``filterGroups`` (OR of groups, AND within;
EQ, GT, GTE, LT, LTE on dates as epoch milliseconds or numbers), one sort, ``properties``,
``limit`` (at most 200) and ``after`` offsets, answering at most ``search_cap`` (10,000)
results per search (400 past it, as HubSpot does) and 4 searches a second per token (a
429 of the ``SECONDLY`` policy past that); errors in HubSpot's shape (``status``,
``message``, ``correlationId``, ``category``) and the ``X-HubSpot-RateLimit-*`` headers of
its 10-second burst window (the base's request window)."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import random
import uuid
from typing import Any, ClassVar

from rapport_core.testing.fakes import (
    FakeCRM,
    FakeRequest,
    FakeResponse,
    RateWindow,
    iso,
    parse_iso,
    person_email,
    person_name,
)

from rapport_crm_hubspot.connector import CONTACTS_PATH, SEARCH_CAP, SEARCH_PATH, epoch_ms

#: Properties every search result carries besides those asked for.
SEARCH_DEFAULTS = ("hs_object_id", "createdate", "lastmodifieddate")
DATE_PROPERTIES = {"createdate", "lastmodifieddate"}
COMPARE = {
    "EQ": lambda a, b: a == b, "GT": lambda a, b: a > b, "GTE": lambda a, b: a >= b,
    "LT": lambda a, b: a < b, "LTE": lambda a, b: a <= b,
}  # fmt: skip
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
    records_key = "results"
    rate_window = 10  # HubSpot's burst window, seconds
    max_limit: ClassVar[int] = 100
    max_search_limit: ClassVar[int] = 200
    burst_max: ClassVar[int] = 190  # the headers' limit when no rate_limit is set
    #: Results one search answers at most, however it is paged.
    search_cap: ClassVar[int] = SEARCH_CAP
    #: Searches a second per token; past it a 429 of the SECONDLY policy, no Retry-After.
    search_rate_limit: ClassVar[int] = 4

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._search_windows: dict[str | None, RateWindow] = {}  # per bearer token
        self._order_key: tuple[int, int] | None = None
        self._order: tuple[list[int], list[dict[str, Any]]] = ([], [])

    def generate(self, count: int, seed: int, start: int = 0) -> list[dict[str, Any]]:
        rng = random.Random(seed + start)
        base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        contacts = []
        for n in range(start, start + count):
            first, last = person_name(n)
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
                        "email": person_email(n, n),
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

    def touch(self, contact: dict[str, Any], at: dt.datetime | None = None) -> None:
        stamp = iso(at or dt.datetime.now(dt.UTC))
        contact["updatedAt"] = contact["properties"]["lastmodifieddate"] = stamp

    def rename(self, external_id: str, name: str) -> None:
        with self.lock:
            contact = next(c for c in self.contacts if c["id"] == external_id)
            first, _, last = name.partition(" ")
            contact["properties"].update(firstname=first, lastname=last)
            self.touch(contact)

    def searches(self) -> list[FakeRequest]:
        """The search requests received."""
        return [r for r in self.api_requests() if r.path == SEARCH_PATH]

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
        return {
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(self.rate_window * 1000)),
            "X-HubSpot-RateLimit-Max": str(self.window.limit or self.burst_max),
            "X-HubSpot-RateLimit-Remaining": str(
                max(0, (self.window.limit or self.burst_max) - self.window.count)
            ),
        }

    def route(self, request: FakeRequest) -> FakeResponse:
        if request.path == SEARCH_PATH and request.method == "POST":
            return self._search(request)
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
        ids, ordered = self._by_id()
        after = int(query["after"]) if query.get("after", "").isdigit() else 0
        start = bisect.bisect_left(ids, after)
        page = ordered[start : start + limit]
        body: dict[str, Any] = {"results": [self._shown(c, wanted) for c in page]}
        if start + limit < len(ordered):
            cursor = ordered[start + limit]["id"]
            link = f"{self.base_url}{CONTACTS_PATH}?after={cursor}&limit={limit}"
            body["paging"] = {"next": {"after": cursor, "link": link}}
        return FakeResponse(200, body)

    def _by_id(self) -> tuple[list[int], list[dict[str, Any]]]:
        """The contacts in id order, sorted again when the list is replaced or grows (a
        real API answers a page without sorting everything: so should the fake)."""
        key = (id(self.contacts), len(self.contacts))
        if self._order_key != key:
            ordered = sorted(self.contacts, key=lambda c: int(c["id"]))
            self._order = ([int(c["id"]) for c in ordered], ordered)
            self._order_key = key
        return self._order

    def _shown(self, contact: dict[str, Any], wanted: list[str]) -> dict[str, Any]:
        props = contact["properties"]
        names = wanted or ("createdate", "email", "firstname", "lastname", "lastmodifieddate",
                           "hs_object_id")  # fmt: skip
        return {**contact, "properties": {k: props.get(k) for k in names}}

    @staticmethod
    @functools.lru_cache(maxsize=1 << 16)
    def _value(name: str, value: Any) -> Any:
        """A property value as the search compares it: dates in epoch ms, numbers as numbers
        (cached: every search compares every contact's)."""
        if value is None:
            return None
        text = str(value)
        if name in DATE_PROPERTIES and not text.isdigit():
            return epoch_ms(parse_iso(text))
        return int(text) if text.lstrip("-").isdigit() else text

    def _matches(self, contact: dict[str, Any], groups: list[dict[str, Any]]) -> bool:
        props = contact["properties"]
        return not groups or any(
            all(
                (have := self._value(f["propertyName"], props.get(f["propertyName"]))) is not None
                and COMPARE[f["operator"]](have, self._value(f["propertyName"], f["value"]))
                for f in group.get("filters", [])
            )
            for group in groups
        )

    def _search(self, request: FakeRequest) -> FakeResponse:
        window = self._search_windows.setdefault(
            request.bearer, RateWindow(self.search_rate_limit, 1.0)
        )
        if not window.hit():
            body = self._error_body("You have reached your secondly limit.", "RATE_LIMITS")
            return FakeResponse(429, {**body, "policyName": "SECONDLY"})
        try:
            query = request.json() or {}
            groups = query.get("filterGroups") or []
            limit = int(query.get("limit", 10))
            offset = int(query.get("after") or 0)
            sorts = query.get("sorts") or []
            operators = {f.get("operator") for g in groups for f in g.get("filters", [])}
        except (ValueError, TypeError, AttributeError):
            return self.error(400, "There was a problem with the request.")
        if not 1 <= limit <= self.max_search_limit:
            return self.error(400, f"limit must be between 1 and {self.max_search_limit}")
        if unknown := operators - set(COMPARE):
            return self.error(400, f"unsupported operator(s) {sorted(unknown)}")
        if len(sorts) > 1:
            return self.error(400, "only one sort is allowed")
        if offset + limit > self.search_cap:
            return self.error(400, f"a search returns at most {self.search_cap} results")
        matching = [c for c in self.contacts if self._matches(c, groups)]
        key = sorts[0]["propertyName"] if sorts else "hs_object_id"
        matching.sort(
            key=lambda c: (self._value(key, c["properties"].get(key)), int(c["id"])),
            reverse=bool(sorts) and sorts[0].get("direction") == "DESCENDING",
        )
        wanted = list(dict.fromkeys([*SEARCH_DEFAULTS, *(query.get("properties") or [])]))
        page = matching[offset : offset + limit]
        body: dict[str, Any] = {
            "total": len(matching),
            "results": [self._shown(c, wanted) for c in page],
        }
        if offset + limit < len(matching):
            body["paging"] = {"next": {"after": str(offset + limit)}}
        return FakeResponse(200, body)
