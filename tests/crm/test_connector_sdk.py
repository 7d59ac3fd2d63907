"""A new connector as a partner would write it: the connector and a fake that writes only its
contacts endpoint (the shared FakeCRM does OAuth, expiry, rate limits, faults and the log).
It passes the whole conformance kit; the base's plumbing is checked here too."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import httpx
import pytest
from rapport_core.crm import Connector, ContactRecord, OAuthSettings, RawPage
from rapport_core.testing.conformance import conformance_suite
from rapport_core.testing.fakes import FakeCRM, FakeResponse, iso, person_email, person_name


class AcmeConnector(Connector):
    name = "acme"
    label = "Acme CRM"
    oauth = OAuthSettings(authorize_path="/oauth/authorize", token_path="/oauth/token")
    regions = {"us": "https://api.acme.example"}
    page_size = 20

    async def fetch_pages(self, client, bookmark, *, since):
        cursor = (bookmark or {}).get("after")
        while True:
            params: dict[str, Any] = {"limit": self.page_size}
            if cursor:
                params["after"] = cursor
            if since:
                params["modified_since"] = since.isoformat()
            body = await client.get_json("/v1/contacts", params)
            cursor = body.get("next_cursor")
            yield RawPage(body["items"], {"after": cursor} if cursor else {})
            if not cursor:
                return

    def to_contact(self, raw):
        return ContactRecord(external_id=raw["id"], name=raw["name"], email=raw.get("email"))


class FakeAcme(FakeCRM):
    name = "acme"
    records_key = "items"

    def generate(self, count, seed, start=0):
        return [
            {"id": f"a{n}", "name": " ".join(person_name(n)), "email": person_email(n, n),
             "modified": iso(dt.datetime(2025, 1, 1, tzinfo=dt.UTC))}
            for n in range(start, start + count)
        ]  # fmt: skip

    def touch(self, contact):
        contact["modified"] = iso(dt.datetime.now(dt.UTC))

    def rename(self, external_id, name):
        contact = next(c for c in self.contacts if c["id"] == external_id)
        contact["name"] = name
        self.touch(contact)

    def route(self, request):
        since = request.query.get("modified_since")
        rows = [c for c in self.contacts if not since or c["modified"] >= iso(
            dt.datetime.fromisoformat(since))]  # fmt: skip
        start = int(request.query.get("after") or 0)
        limit = int(request.query.get("limit") or 20)
        page = rows[start : start + limit]
        more = start + limit < len(rows)
        return FakeResponse(
            200, {"items": page, "next_cursor": str(start + limit) if more else None}
        )


TestAcmeConformance = conformance_suite(AcmeConnector, FakeAcme)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_access_tokens_expire_after_their_lifetime_and_refresh_gives_a_new_one():
    class ShortLived(FakeAcme):
        access_token_lifetime = 1

    with ShortLived(count=1) as fake:
        tokens = fake.issue_tokens()
        assert tokens["expires_in"] == 1
        url = f"{fake.base_url}/v1/contacts"
        assert httpx.get(url, headers=bearer(tokens["access_token"])).status_code == 200
        time.sleep(1.05)
        assert httpx.get(url, headers=bearer(tokens["access_token"])).status_code == 401
        form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
                "client_id": fake.client_id, "client_secret": fake.client_secret}  # fmt: skip
        fresh = httpx.post(f"{fake.base_url}/oauth/token", data=form).json()
        assert httpx.get(url, headers=bearer(fresh["access_token"])).status_code == 200


def test_a_crm_without_refresh_issues_tokens_that_never_expire():
    class Forever(FakeAcme):
        access_token_lifetime = None

    with Forever(count=1) as fake:
        tokens = fake.issue_tokens()
        assert "refresh_token" not in tokens and "expires_in" not in tokens
        form = {"grant_type": "refresh_token", "refresh_token": "anything",
                "client_id": fake.client_id, "client_secret": fake.client_secret}  # fmt: skip
        assert httpx.post(f"{fake.base_url}/oauth/token", data=form).status_code == 400


def test_past_the_rate_limit_the_base_answers_429_with_retry_after():
    with FakeAcme(count=1, rate_limit=2) as fake:
        token = fake.issue_tokens()["access_token"]
        answers = [
            httpx.get(f"{fake.base_url}/v1/contacts", headers=bearer(token)) for _ in range(3)
        ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert 1 <= int(answers[2].headers["Retry-After"]) <= 60
    assert [r.served for r in fake.api_requests()] == [1, 1, 0]


@pytest.mark.parametrize("kind", ["500", "503", "401"])
def test_injected_faults_answer_once_then_the_api_again(kind):
    with FakeAcme(count=1) as fake:
        token = fake.issue_tokens()["access_token"]
        fake.inject(kind)
        first, second = (
            httpx.get(f"{fake.base_url}/v1/contacts", headers=bearer(token)) for _ in range(2)
        )
    assert (first.status_code, second.status_code) == (int(kind), 200)
