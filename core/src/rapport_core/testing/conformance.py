"""The conformance kit: the pytest suite every CRM connector passes.

Subclass it (pytest collects classes named ``Test…``)::

    from rapport_core.testing.conformance import ConnectorConformance

    class TestClio(ConnectorConformance):
        connector = ClioConnector
        fake = FakeClio

or make the class with one call: ``TestClio = conformance_suite(ClioConnector, FakeClio)``.

The fake must subclass :class:`~rapport_core.testing.fakes.FakeCRM` and implement
``generate`` (distinct people: no two share an email, or a name and organisation, else
they become merge suggestions), ``route``, ``touch(contact)`` (its modification time moves
to now) and ``rename(external_id, name)`` (a person edits a record); a connector that reads
more than one stream (Lawmatics: contacts, then referral sources) lists them in the fake's
``stream_records()``.
Tests that need the database (sync, idempotency, resume) run against the database Rapport is
configured for (``RAPPORT_DATABASE_URL``), migrated first, each in a firm of its own.
A connector that cannot support a check skips it with a reason by overriding
``skips = {"test_name": "why"}``.
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from rapport_core.crm import (
    Connector,
    ConnectorConfig,
    CRMClient,
    CRMError,
    CRMUnavailable,
    RetryPolicy,
    TokenSet,
)
from rapport_core.crm import oauth as oauth_flow
from rapport_core.crm.errors import ReadOnlyViolation, ReconnectRequired
from rapport_core.testing.fakes import FakeCRM

#: Retries without real waiting: the kit checks what the client asked to wait.
FAST = RetryPolicy(max_retries=3, backoff_base=0.001, backoff_cap=0.01)


class SleepRecorder:
    """An ``asyncio.sleep`` stand-in that remembers what it was asked to wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


_migrated = False


async def _firm_actor():
    global _migrated
    from rapport_core import db
    from rapport_core.actors import Actor
    from rapport_core.schemas import FirmCreate
    from rapport_core.services import firms
    from rapport_core.vocabulary import Role

    if not _migrated:
        await db.migrate()
        _migrated = True
    slug = f"crm-{uuid.uuid4().hex[:12]}"
    firm = await firms.create_firm(FirmCreate(name="Conformance firm", slug=slug))
    return Actor(firm_id=firm.id, label="conformance", role=Role.owner)


class ConnectorConformance:
    connector: ClassVar[type[Connector]]
    fake: ClassVar[type[FakeCRM]]
    #: Contacts in the fake: enough for at least three pages.
    pages_of_contacts: ClassVar[float] = 2.5
    skips: ClassVar[dict[str, str]] = {}

    # ------------------------------------------------------------------ fixtures

    @pytest.fixture(autouse=True)
    def _skip_declared(self, request):
        reason = self.skips.get(request.function.__name__)
        if reason:
            pytest.skip(reason)

    @pytest.fixture
    def contact_count(self) -> int:
        return math.ceil(self.connector.page_size * self.pages_of_contacts)

    @pytest.fixture
    def server(self, contact_count):
        with self.fake(count=contact_count) as fake:
            yield fake

    def make_connector(self, server: FakeCRM) -> Connector:
        return self.connector(
            ConnectorConfig(
                base_url=server.base_url,
                client_id=server.client_id,
                client_secret=server.client_secret,
            )
        )

    def tokens(self, server: FakeCRM) -> TokenSet:
        return TokenSet.from_response(server.issue_tokens())

    async def fetch_all(
        self, server: FakeCRM, *, since=None, bookmark=None, tokens=None, policy=FAST, sleep=None
    ) -> tuple[list[dict[str, Any]], CRMClient]:
        connector = self.make_connector(server)
        refreshed: list[TokenSet] = []

        async def on_tokens(new: TokenSet) -> None:
            refreshed.append(new)

        async with httpx.AsyncClient() as http:
            client = CRMClient(
                http,
                connector,
                tokens or self.tokens(server),
                on_tokens=on_tokens,
                policy=policy,
                sleep=sleep or SleepRecorder(),
            )
            client.refreshed = refreshed  # type: ignore[attr-defined]
            records: list[dict[str, Any]] = []
            async for page in connector.fetch_pages(client, bookmark, since=since):
                assert len(page.records) <= connector.page_size
                records.extend(page.records)
        return records, client

    def external_ids(self, server: FakeCRM, records: list[dict[str, Any]]) -> list[str]:
        connector = self.make_connector(server)
        return [c.external_id for c in map(connector.contact, records) if c is not None]

    def expected_ids(self, server: FakeCRM) -> set[str]:
        return set(self.external_ids(server, server.records()))

    def served_since(self, server: FakeCRM, before: int) -> tuple[int, int]:
        """(API requests, records they carried) after the first ``before`` API requests."""
        later = server.api_requests()[before:]
        return len(later), sum(r.served for r in later)

    # ------------------------------------------------------------------ declaration

    def test_declares_what_the_sdk_needs(self):
        cls = self.connector
        assert cls.name.isidentifier() and cls.name == cls.name.lower()
        assert cls.label and cls.regions and cls.page_size > 0
        assert cls.oauth.authorize_path and cls.oauth.token_path
        for url in cls.regions.values():
            assert url.startswith("https://"), f"region URL {url} must use https"

    # ------------------------------------------------------------------ auth

    async def test_authorization_code_flow_and_state(self, server):
        connector = self.make_connector(server)
        state = oauth_flow.new_state()
        verifier, challenge = oauth_flow.pkce_pair()
        redirect = "http://127.0.0.1:1/callback"
        url = oauth_flow.authorization_url(
            connector, state=state, redirect_uri=redirect, code_challenge=challenge
        )
        async with httpx.AsyncClient() as http:
            answer = await http.get(url)
            assert answer.status_code in (301, 302, 303, 307)
            location = urlsplit(answer.headers["location"])
            query = {k: v[-1] for k, v in parse_qs(location.query).items()}
            assert query["state"] == state
            tokens = await oauth_flow.exchange_code(
                http, connector, code=query["code"], redirect_uri=redirect, code_verifier=verifier
            )
        assert tokens.access_token
        records, _ = await self.fetch_all(server, tokens=tokens)
        assert records

    async def test_refreshes_an_expired_token_once_and_retries(self, server):
        tokens = self.tokens(server)
        server.expire_access_tokens()
        records, client = await self.fetch_all(server, tokens=tokens)
        assert set(self.external_ids(server, records)) == self.expected_ids(server)
        assert len(client.refreshed) == 1  # stored before use, through on_tokens
        assert client.tokens.access_token != tokens.access_token

    async def test_rejected_refresh_token_means_reconnect(self, server):
        tokens = self.tokens(server)
        server.revoke_refresh_tokens()
        with pytest.raises(ReconnectRequired):
            await self.fetch_all(server, tokens=tokens)

    # ------------------------------------------------------------------ pagination

    async def test_pagination_to_the_end(self, server, contact_count):
        records, client = await self.fetch_all(server)
        ids = self.external_ids(server, records)
        assert len(ids) == len(set(ids)), "a record came back twice"
        assert set(ids) == self.expected_ids(server)
        assert client.requests == server.full_sync_requests(self.connector.page_size)

    async def test_incremental_fetch_returns_what_changed(self, server):
        records, _ = await self.fetch_all(server)
        changed = self.external_ids(server, records)[:2]
        since = time_now()
        for external_id in changed:
            server.rename(external_id, "Renamed Person")
        server.add(1)
        before = len(server.api_requests())
        records, _ = await self.fetch_all(server, since=since)
        ids = set(self.external_ids(server, records))
        assert set(changed) <= ids
        assert len(ids) == 3, f"expected the 2 changed and 1 new contacts, got {sorted(ids)}"
        # Only the changes were asked for: one page per stream, no more than a page each
        # (a connector reading every page and filtering would fail here).
        streams = len(server.stream_records())
        requests, served = self.served_since(server, before)
        assert requests == streams, f"{requests} requests for 3 changes"
        assert served <= streams * self.connector.page_size, f"{served} records served"

    # ------------------------------------------------------------------ faults

    async def test_obeys_retry_after_on_429(self, server):
        server.inject("429", retry_after=7, skip=1)
        sleep = SleepRecorder()
        records, client = await self.fetch_all(server, sleep=sleep)
        assert set(self.external_ids(server, records)) == self.expected_ids(server)
        assert any(wait >= 7 for wait in sleep.waits), sleep.waits

    async def test_really_waits_before_retrying_a_429(self, server):
        server.inject("429", retry_after=1)
        started = time.monotonic()
        records, _ = await self.fetch_all(server, sleep=asyncio.sleep)
        assert records
        stamps = [r.at for r in server.api_requests()]
        assert stamps[1] - stamps[0] >= 0.95
        assert time.monotonic() - started >= 0.95

    async def test_retries_5xx_then_succeeds(self, server):
        server.inject("500", times=2)
        server.inject("503", times=1, skip=1)
        records, _ = await self.fetch_all(server)
        assert set(self.external_ids(server, records)) == self.expected_ids(server)

    async def test_gives_up_after_the_retry_cap(self, server):
        server.inject("502", times=50)
        with pytest.raises(CRMUnavailable):
            await self.fetch_all(server)
        assert len(server.api_requests()) == FAST.max_retries + 1

    async def test_connection_cut_mid_page_is_retried(self, server):
        server.inject("cut", skip=1)
        records, _ = await self.fetch_all(server)
        ids = self.external_ids(server, records)
        assert len(ids) == len(set(ids)) and set(ids) == self.expected_ids(server)

    async def test_client_errors_are_reported_not_retried(self, server):
        server.inject("403")
        with pytest.raises(CRMError) as raised:
            await self.fetch_all(server)
        assert raised.value.http_status == 403
        assert len(server.api_requests()) == 1

    # ------------------------------------------------------------------ sync

    async def sync(self, actor, server, **options):
        from rapport_core.crm.sync import sync_connection

        return await sync_connection(
            actor,
            self.connector.name,
            policy=options.pop("policy", FAST),
            sleep=SleepRecorder(),
            connector_class=self.connector,
            **options,
        )

    async def connect(self, server):
        from rapport_core.crm.connections import store_tokens

        actor = await _firm_actor()
        await store_tokens(
            actor,
            self.connector.name,
            self.tokens(server),
            config=self.make_connector(server).config,
        )
        return actor

    async def partner_ids_by_external(self, actor) -> dict[str, list[int]]:
        from rapport_core.crm.tables import CrmLink

        rows = await CrmLink.select(CrmLink.external_id, CrmLink.partner).where(
            CrmLink.firm == actor.firm_id
        )
        found: dict[str, list[int]] = {}
        for row in rows:
            found.setdefault(row["external_id"], []).append(row["partner"])
        return found

    async def test_sync_is_idempotent(self, server):
        from rapport_core.tables import Partner

        actor = await self.connect(server)
        expected = self.expected_ids(server)
        first = await self.sync(actor, server, full=True)
        assert first.status == "succeeded", first.message
        assert first.failed == 0, first.errors[:3]
        assert first.created == len(expected), (first.created, first.skipped, first.errors[:3])
        again = await self.sync(actor, server, full=True)
        assert again.created == 0 and again.unchanged == len(expected)
        assert await Partner.count().where(Partner.firm == actor.firm_id) == len(expected)
        sources = await Partner.select(Partner.source).where(Partner.firm == actor.firm_id)
        assert {row["source"] for row in sources} == {f"crm:{self.connector.name}"}

    async def test_incremental_sync_applies_changes_only(self, server):
        actor = await self.connect(server)
        await self.sync(actor, server)
        changed = sorted(self.expected_ids(server))[:1]
        server.rename(changed[0], "Changed Name")
        server.add(2)
        before = len(server.api_requests())
        run = await self.sync(actor, server)
        assert run.mode == "incremental"
        assert (run.created, run.updated) == (2, 1)
        requests, served = self.served_since(server, before)
        streams = len(server.stream_records())
        assert requests == streams  # one page of changes per stream
        assert served <= streams * self.connector.page_size, f"{served} records served"
        links = await self.partner_ids_by_external(actor)
        from rapport_core.services.partners import get_partner

        partner = await get_partner(actor, links[changed[0]][0])
        assert partner.name == "Changed Name"

    async def test_interrupted_sync_resumes_without_duplicates_or_losses(self, server):
        actor = await self.connect(server)
        server.inject("503", times=100, skip=1)  # the CRM goes down after the first page
        broken = await self.sync(
            actor, server, full=True, policy=RetryPolicy(max_retries=1, backoff_base=0.001)
        )
        assert broken.status == "failed" and broken.pages == 1
        assert broken.created == self.connector.page_size
        server.faults.clear()
        before = len(server.api_requests())
        resumed = await self.sync(actor, server)
        assert resumed.resumed and resumed.status == "succeeded"
        pages = server.full_sync_requests(self.connector.page_size)
        assert len(server.api_requests()) - before == pages - 1, "it started over"
        links = await self.partner_ids_by_external(actor)
        assert set(links) == self.expected_ids(server)
        assert all(len(ids) == 1 for ids in links.values())

    async def test_reconnect_is_required_when_the_refresh_token_is_rejected(self, server):
        from rapport_core.crm.connections import get_connection

        actor = await self.connect(server)
        server.revoke_refresh_tokens()
        run = await self.sync(actor, server)
        assert run.status == "needs_reconnect"
        assert (await get_connection(actor, self.connector.name)).status == "needs_reconnect"

    async def test_never_writes_to_the_crm(self, server):
        actor = await self.connect(server)
        await self.sync(actor, server, full=True)
        server.rename(sorted(self.expected_ids(server))[0], "Changed Name")
        server.expire_access_tokens()  # the refresh POSTs to the token endpoint
        await self.sync(actor, server)  # incremental: the connector's searches, if any
        searches = {("POST", path) for path in self.connector.search_endpoints}
        assert server.methods_seen() <= {("GET", "api"), ("POST", server.token_path)} | searches

    async def test_the_client_refuses_anything_that_could_write(self, server):
        connector = self.make_connector(server)
        searches = sorted(connector.search_endpoints)
        async with httpx.AsyncClient() as http:
            client = CRMClient(http, connector, self.tokens(server), policy=FAST)
            for method in ("POST", "PUT", "PATCH", "DELETE"):
                for path in ["/contacts", "/v1/contacts/1", *searches]:
                    if method == "POST" and path in searches:
                        continue  # a declared search: a query, allowed
                    with pytest.raises(ReadOnlyViolation):
                        await client.request_json(method, path, json={"name": "x"})
            with pytest.raises(ReadOnlyViolation):
                await client.search_json("/not/a/declared/search", {})
        assert server.api_requests() == [], "a refused request reached the CRM"


def time_now():
    from rapport_core.clock import now

    return now()


def conformance_suite(connector: type[Connector], fake: type[FakeCRM], **options: Any) -> type:
    """The suite as a class: ``TestMyCRM = conformance_suite(MyConnector, FakeMyCRM)``."""
    return type(
        f"Test{connector.__name__}Conformance",
        (ConnectorConformance,),
        {"connector": connector, "fake": fake, **options},
    )
