"""A fake Salesforce: OAuth (web server flow with PKCE; the token response names the
``instance_url``), ``GET /services/data/v60.0/query?q=SOQL`` for the contact query the
connector sends (``FROM Contact``, ``WHERE SystemModstamp >= …``, ``ORDER BY SystemModstamp,
Id``), batches followed through ``nextRecordsUrl`` query locators until ``done``, errors as
Salesforce's JSON arrays (``INVALID_SESSION_ID`` with 401), and ``Sforce-Limit-Info``."""

from __future__ import annotations

import datetime as dt
import random
import re
import secrets
from typing import Any, ClassVar

from rapport_core.testing.fakes import (
    FakeCRM,
    FakeRequest,
    FakeResponse,
    person_email,
    person_name,
)

from rapport_crm_salesforce.connector import API_VERSION, QUERY_PATH, parse_salesforce_time

KINDS = [("CPA", "Accounting", "Tax planning"), ("Wealth Advisor", "Financial Services",
          "Retirement planning"), ("Attorney", "Legal", "Estate planning; Probate"),
         ("Insurance Agent", "Insurance", "Life insurance")]  # fmt: skip
CITIES = [("Miami", "FL", "33131"), ("Tampa", "FL", "33602"), ("Austin", "TX", "78701")]
LOCATOR = re.compile(rf"^/services/data/{re.escape(API_VERSION)}/query/(\w+)-(\d+)$")


def sf_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}+0000"
    )


class FakeSalesforce(FakeCRM):
    name = "salesforce"
    records_key = "records"
    authorize_path = "/services/oauth2/authorize"
    token_path = "/services/oauth2/token"
    #: Records per batch (Salesforce's default is 2,000; 200 is the smallest it sends).
    batch_size: ClassVar[int] = 2000
    daily_limit: ClassVar[int] = 100_000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._locators: dict[str, list[str]] = {}  # locator -> ids of the query's records
        self._api_calls = 0

    def generate(self, count: int, seed: int, start: int = 0) -> list[dict[str, Any]]:
        rng = random.Random(seed + start)
        base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        contacts = []
        for n in range(start, start + count):
            first, last = person_name(n)
            title, industry, practice = rng.choice(KINDS)
            city, state, postal = rng.choice(CITIES)
            record_id = f"003{n:015d}"
            contacts.append(
                {
                    "Id": record_id,
                    "FirstName": first,
                    "LastName": last,
                    "Name": f"{first} {last}",
                    "Email": person_email(n, n),
                    "Phone": f"(305) 555-{n % 10000:04d}",
                    "MobilePhone": None,
                    "Title": title,
                    "Department": practice,
                    "Account": {"Name": f"{last} {industry} Group", "Industry": industry},
                    "MailingStreet": f"{100 + n % 900} Main St\nSuite {n % 50 + 1}",
                    "MailingCity": city,
                    "MailingState": state,
                    "MailingPostalCode": postal,
                    "SystemModstamp": sf_time(base + dt.timedelta(minutes=n)),
                }
            )
        return contacts

    # ------------------------------------------------------------------ test controls

    def touch(self, contact: dict[str, Any]) -> None:
        contact["SystemModstamp"] = sf_time(dt.datetime.now(dt.UTC))

    def rename(self, external_id: str, name: str) -> None:
        with self.lock:
            contact = next(c for c in self.contacts if c["Id"] == external_id)
            first, _, last = name.partition(" ")
            contact.update(Name=name, FirstName=first, LastName=last)
            self.touch(contact)

    # ------------------------------------------------------------------ wire format

    def token_body(self, access: str, refresh: str) -> dict[str, Any]:
        # Salesforce sends no expires_in; the instance URL is where the API lives.
        return {
            "access_token": access,
            "refresh_token": refresh,
            "instance_url": self.base_url,
            "id": f"{self.base_url}/id/00D000000000001/005000000000001",
            "token_type": "Bearer",
            "issued_at": str(int(dt.datetime.now(dt.UTC).timestamp() * 1000)),
            "signature": secrets.token_urlsafe(24),
        }

    def auth_error(self) -> FakeResponse:
        return FakeResponse(
            401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
        )

    def error(self, status: int, message: str) -> FakeResponse:
        code = {400: "MALFORMED_QUERY", 403: "REQUEST_LIMIT_EXCEEDED", 404: "NOT_FOUND"}
        return FakeResponse(status, [{"message": message, "errorCode": code.get(status, "ERROR")}])

    def extra_headers(self, request: FakeRequest) -> dict[str, str]:
        self._api_calls += 1
        return {"Sforce-Limit-Info": f"api-usage={self._api_calls}/{self.daily_limit}"}

    def route(self, request: FakeRequest) -> FakeResponse:
        if request.method != "GET":
            return self.error(405, f"{request.method} is not allowed here")
        if request.path == QUERY_PATH:
            return self._query(request.query.get("q", ""))
        if match := LOCATOR.match(request.path):
            return self._batch(match.group(1), int(match.group(2)))
        return self.error(404, f"The requested resource does not exist: {request.path}")

    def _query(self, soql: str) -> FakeResponse:
        if not re.search(r"\bFROM Contact\b", soql):
            return self.error(400, "this fake answers queries FROM Contact only")
        if not soql.rstrip().endswith("ORDER BY SystemModstamp, Id"):
            return self.error(400, "this fake expects ORDER BY SystemModstamp, Id")
        since = None
        if match := re.search(r"SystemModstamp >= (\S+)", soql):
            since = parse_salesforce_time(match.group(1).replace("Z", "+00:00"))
        matching = sorted(
            (c for c in self.contacts
             if since is None or parse_salesforce_time(c["SystemModstamp"]) >= since),
            key=lambda c: (c["SystemModstamp"], c["Id"]),
        )  # fmt: skip
        locator = f"01g{secrets.token_hex(6)}"
        self._locators[locator] = [c["Id"] for c in matching]
        return self._batch(locator, 0)

    def _batch(self, locator: str, offset: int) -> FakeResponse:
        ids = self._locators.get(locator)
        if ids is None:
            return self.error(400, "invalid query locator")
        by_id = {c["Id"]: c for c in self.contacts}
        chosen = ids[offset : offset + self.batch_size]
        records = [
            {
                "attributes": {
                    "type": "Contact",
                    "url": f"/services/data/{API_VERSION}/sobjects/Contact/{i}",
                },
                **by_id[i],
            }  # fmt: skip
            for i in chosen
        ]
        done = offset + len(chosen) >= len(ids)
        body: dict[str, Any] = {"totalSize": len(ids), "done": done, "records": records}
        if not done:
            body["nextRecordsUrl"] = f"{QUERY_PATH}/{locator}-{offset + self.batch_size}"
        return FakeResponse(200, body)
