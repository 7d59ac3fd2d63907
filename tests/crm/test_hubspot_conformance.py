"""The HubSpot plugin passes the conformance kit against its fake HubSpot, maps a contact's
company, practice areas and address, and syncs changes through the contacts search: past
its 10,000-result cap, and through a bulk import whose contacts share one modification time."""

import datetime as dt

import httpx
import pytest
from rapport_core.crm import ConnectorConfig, CRMClient, CRMError, TokenSet
from rapport_core.testing.conformance import ConnectorConformance
from rapport_core.testing.fakes import parse_iso
from rapport_crm_hubspot.connector import API_HOST, SEARCH_PATH, HubSpotConnector, epoch_ms
from rapport_crm_hubspot.fake import FakeHubSpot


class TestHubSpotConformance(ConnectorConformance):
    connector = HubSpotConnector
    fake = FakeHubSpot


def test_contact_properties_become_a_partner():
    raw = FakeHubSpot(count=3).contacts[1]
    props = raw["properties"]
    contact = HubSpotConnector(ConnectorConfig(base_url=API_HOST)).contact(raw)
    assert (contact.external_id, contact.name) == (raw["id"], "Ana A. Ortiz")
    assert contact.organisation == props["company"]
    assert contact.specialties == props["practice_area"].split(";")
    assert contact.profession_hint == f"{props['jobtitle']} {props['industry']}"
    assert (contact.address, contact.city, contact.state, contact.postal_code) == (
        props["address"], props["city"], props["state"], props["zip"],
    )  # fmt: skip


def test_people_authorise_on_the_app_host_and_tokens_come_from_the_api_host():
    connector = HubSpotConnector(ConnectorConfig(base_url=API_HOST))
    assert connector.auth_url("/oauth/authorize") == "https://app.hubspot.com/oauth/authorize"
    assert connector.auth_url("/oauth/v1/token") == "https://api.hubapi.com/oauth/v1/token"


class SmallCapHubSpot(FakeHubSpot):
    # HubSpot answers at most 10,000 results per search; the same rule at 150 keeps the
    # test quick while proving the connector never pages past it.
    search_cap = 150


class SmallCapConnector(HubSpotConnector):
    search_cap = SmallCapHubSpot.search_cap


async def changes_since(fake: FakeHubSpot, since: dt.datetime) -> list[dict]:
    connector = (SmallCapConnector if isinstance(fake, SmallCapHubSpot) else HubSpotConnector)(
        ConnectorConfig(fake.base_url, fake.client_id, fake.client_secret)
    )
    async with httpx.AsyncClient() as http:
        client = CRMClient(http, connector, TokenSet.from_response(fake.issue_tokens()))
        return [r async for page in connector.fetch_pages(client, None, since=since)
                for r in page.records]  # fmt: skip


def touch_all(fake: FakeHubSpot, count: int, at=None) -> tuple[dt.datetime, list[str]]:
    """Change the first ``count`` contacts (one millisecond apart, or all at ``at``)."""
    since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    for n, contact in enumerate(fake.contacts[:count]):
        fake.touch(contact, at or since + dt.timedelta(milliseconds=n + 1))
    return since, [c["id"] for c in fake.contacts[:count]]


async def test_more_changes_than_one_search_returns_are_all_fetched():
    with SmallCapHubSpot(count=400) as fake:
        since, changed = touch_all(fake, 320)
        records = await changes_since(fake, since)
        ids = [r["id"] for r in records]
        assert sorted(ids) == sorted(changed), "a change was lost or came twice"
        searches = fake.searches()
        assert all(r.method == "POST" for r in fake.api_requests())
        # No search went past the cap (the fake answers 400 there); each moved forward.
        assert all(int(r.json().get("after") or 0) + 100 <= 150 for r in searches)
        assert len(searches) == 4 and sum(r.served for r in searches) < 330


async def test_a_bulk_import_sharing_one_millisecond_is_paged_inside_the_search():
    with FakeHubSpot(count=260) as fake:
        stamp = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(seconds=1)
        since, changed = touch_all(fake, 250, at=stamp)
        records = await changes_since(fake, since)
        assert sorted(r["id"] for r in records) == sorted(changed)
        # The first page moves the filter to that millisecond and reads it again (all seen:
        # dropped), then pages inside it with offsets.
        assert [r.json().get("after") for r in fake.searches()] == [None, None, "100", "200"]


async def test_past_the_cap_inside_one_millisecond_it_says_to_run_a_full_sync():
    with SmallCapHubSpot(count=200) as fake:
        since, _ = touch_all(fake, 200, at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        with pytest.raises(CRMError, match="run a full sync"):
            await changes_since(fake, since)


async def test_the_search_filters_and_sorts_as_hubspot_documents():
    with FakeHubSpot(count=5) as fake:
        token = fake.issue_tokens()["access_token"]
        cutoff = fake.contacts[2]["properties"]["lastmodifieddate"]
        query = {
            "filterGroups": [{"filters": [{"propertyName": "lastmodifieddate", "operator": "GTE",
                                           "value": str(epoch_ms(parse_iso(cutoff)))}]}],
            "sorts": [{"propertyName": "lastmodifieddate", "direction": "DESCENDING"}],
            "properties": ["email"], "limit": 2,
        }  # fmt: skip
        answer = httpx.post(f"{fake.base_url}{SEARCH_PATH}", json=query,
                            headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        body = answer.json()
        assert body["total"] == 3 and body["paging"]["next"]["after"] == "2"
        assert [r["id"] for r in body["results"]] == [
            fake.contacts[4]["id"],
            fake.contacts[3]["id"],
        ]
        assert set(body["results"][0]["properties"]) == {
            "hs_object_id",
            "createdate",
            "lastmodifieddate",
            "email",
        }
        query["after"] = "9999"
        refused = httpx.post(f"{fake.base_url}{SEARCH_PATH}", json=query,
                             headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        assert refused.status_code == 400 and refused.json()["category"] == "VALIDATION_ERROR"


async def test_a_fifth_search_within_a_second_is_refused_by_the_secondly_limit():
    with FakeHubSpot(count=5) as fake:
        headers = {"Authorization": f"Bearer {fake.issue_tokens()['access_token']}"}
        with httpx.Client(headers=headers) as http:
            answers = [http.post(f"{fake.base_url}{SEARCH_PATH}", json={"limit": 1})
                       for _ in range(5)]  # fmt: skip
        assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
        assert answers[4].json()["policyName"] == "SECONDLY"
        assert "Retry-After" not in answers[4].headers


async def test_searches_are_spaced_to_four_a_second_so_none_is_refused():
    with FakeHubSpot(count=700) as fake:
        since, changed = touch_all(fake, 650)
        records = await changes_since(fake, since)
        assert sorted(r["id"] for r in records) == sorted(changed)
        searches = fake.searches()
        assert len(searches) == 7 and all(r.served for r in searches)  # none answered 429
        gaps = [b.at - a.at for a, b in zip(searches, searches[1:], strict=False)]
        assert min(gaps) >= 0.24, gaps
