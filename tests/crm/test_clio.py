"""Clio specifics: how a Clio contact maps to a partner, the fields and paging it asks for,
its regional hosts, and its rate-limit headers."""

from __future__ import annotations

import httpx
import pytest
from rapport_core.crm import ConnectorConfig, CRMClient, Mapping, TokenSet
from rapport_core.testing.conformance import SleepRecorder
from rapport_crm_clio.connector import CONTACT_FIELDS, ClioConnector
from rapport_crm_clio.fake import FakeClio


def test_a_person_maps_with_company_address_practice_area_and_profession():
    raw = {
        "id": 42,
        "name": "Dana Ortiz",
        "type": "Person",
        "title": "CPA",
        "primary_email_address": "dana@ortizcpa.example",
        "company": {"name": "Ortiz CPA Group"},
        "addresses": [
            {"street": "1 Home Rd", "city": "Doral", "province": "FL", "primary": False},
            {
                "street": "9 Brickell Ave",
                "city": "Miami",
                "province": "fl",
                "postal_code": "33131",
                "primary": True,
            },  # fmt: skip
        ],
        "phone_numbers": [{"number": "+1 305 555 0100", "primary": True}],
        "custom_field_values": [{"field_name": "Practice area", "value": "Tax; Estate planning"}],
        "updated_at": "2026-03-01T10:00:00Z",
    }
    record = ClioConnector(ConnectorConfig("https://app.clio.com")).contact(raw)
    assert record.external_id == "42" and record.kind == "person"
    assert (record.organisation, record.city, record.state) == ("Ortiz CPA Group", "Miami", "FL")
    assert record.address == "9 Brickell Ave" and record.phone == "+1 305 555 0100"
    assert record.specialties == ["Tax", "Estate planning"]
    assert Mapping().profession(record.profession_hint) == "cpa"
    company = ClioConnector(ConnectorConfig("x")).contact(
        {"id": 7, "name": "Acme Wealth", "type": "Company", "addresses": [{"province": "Texas"}]}
    )
    assert (company.kind, company.organisation, company.state) == ("company", "Acme Wealth", "")


def test_a_firm_mapping_override_reads_another_field():
    mapping = Mapping.from_settings(
        {"fields": {"specialties": "custom_field_values.1.value"}, "default_profession": "attorney"}
    )
    raw = {"id": 1, "name": "Lee", "custom_field_values": [{"value": "x"}, {"value": "Probate"}]}
    record = ClioConnector(ConnectorConfig("x"), mapping).contact(raw)
    assert record.specialties == ["Probate"] and mapping.profession("") == "attorney"


def test_regions_and_environment(monkeypatch):
    assert ClioConnector.config_from_environment(region="eu").base_url == "https://eu.app.clio.com"
    monkeypatch.setenv("RAPPORT_CRM_CLIO_BASE_URL", "http://127.0.0.1:9/")
    monkeypatch.setenv("RAPPORT_CRM_CLIO_CLIENT_ID", "abc")
    config = ClioConnector.config_from_environment()
    assert (config.base_url, config.client_id) == ("http://127.0.0.1:9", "abc")


async def fetch(fake: FakeClio, sleep=None):
    connector = ClioConnector(ConnectorConfig(fake.base_url, fake.client_id, fake.client_secret))
    async with httpx.AsyncClient() as http:
        client = CRMClient(
            http,
            connector,
            TokenSet.from_response(fake.issue_tokens()),
            sleep=sleep or SleepRecorder(),
        )
        return [
            r
            async for page in connector.fetch_pages(client, None, since=None)
            for r in page.records
        ]


async def test_asks_for_its_fields_at_200_per_page_in_id_order():
    with FakeClio(count=201) as fake:
        records = await fetch(fake)
        first = fake.api_requests()[0].query
        assert (first["limit"], first["order"], first["fields"]) == (
            "200",
            "id(asc)",
            CONTACT_FIELDS,
        )
        assert "page_token" in fake.api_requests()[1].query
        assert set(records[0]) == {
            "id", "name", "first_name", "last_name", "type", "title", "primary_email_address",
            "primary_phone_number", "company", "addresses", "email_addresses", "phone_numbers",
            "custom_field_values", "updated_at",
        }  # fmt: skip
        assert set(records[0]["company"]) == {"name"}  # nested fields as asked, in braces


async def test_waits_for_the_rate_limit_window_to_reset():
    with FakeClio(count=600, rate_limit=2) as fake:
        waits: list[float] = []

        async def sleep(seconds: float) -> None:  # time passes for the fake's window too
            waits.append(seconds)
            fake.window.reset_at -= seconds

        records = await fetch(fake, sleep)
        assert len(records) == 600
        # After two requests the headers say none remain: the client waits for the reset
        # instead of being refused, so three pages take exactly three requests.
        assert len(waits) == 1 and 50 < waits[0] <= 61
        assert len(fake.api_requests()) == 3


@pytest.mark.parametrize("limit", ["0", "201"])
async def test_the_fake_refuses_what_clio_refuses(limit):
    with FakeClio(count=1) as fake:
        token = fake.issue_tokens()["access_token"]
        answer = httpx.get(
            f"{fake.base_url}/api/v4/contacts.json",
            params={"limit": limit},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 400 and "limit" in answer.json()["error"]["message"]
        assert (
            httpx.post(
                f"{fake.base_url}/api/v4/contacts.json",
                headers={"Authorization": f"Bearer {token}"},
            ).status_code
            == 405
        )
