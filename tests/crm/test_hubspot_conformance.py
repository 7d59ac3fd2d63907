"""The HubSpot plugin passes the conformance kit against its fake HubSpot, and maps a
contact's company, practice areas and address."""

from rapport_core.crm import ConnectorConfig
from rapport_core.testing.conformance import ConnectorConformance
from rapport_crm_hubspot.connector import API_HOST, HubSpotConnector
from rapport_crm_hubspot.fake import FakeHubSpot


class TestHubSpotConformance(ConnectorConformance):
    connector = HubSpotConnector
    fake = FakeHubSpot
    skips = {
        "test_incremental_sync_applies_changes_only": (
            "HubSpot filters contacts by modification date only through POST "
            "/crm/v3/objects/contacts/search; the SDK client is GET-only, so an incremental "
            "sync reads every page and keeps the changed contacts (the changes themselves "
            "are checked by test_incremental_fetch_returns_what_changed)"
        )
    }


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
