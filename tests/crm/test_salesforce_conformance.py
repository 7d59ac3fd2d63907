"""The Salesforce plugin passes the whole conformance kit against its fake Salesforce, and
maps a Contact with its Account as a partner."""

from rapport_core.crm import ConnectorConfig
from rapport_core.testing.conformance import ConnectorConformance
from rapport_crm_salesforce.connector import SalesforceConnector, contact_query
from rapport_crm_salesforce.fake import FakeSalesforce


class SmallBatches(SalesforceConnector):
    # Salesforce sends 2,000 records a batch by default and 200 at the least; the kit runs
    # at 200 so that its two and a half pages stay quick.
    page_size = 200


class FakeSalesforceSmallBatches(FakeSalesforce):
    batch_size = 200


class TestSalesforceConformance(ConnectorConformance):
    connector = SmallBatches
    fake = FakeSalesforceSmallBatches


def test_contact_and_account_fields_become_a_partner():
    [raw] = FakeSalesforce(count=3).contacts[2:]
    contact = SalesforceConnector(ConnectorConfig(base_url="https://x")).contact(raw)
    assert contact.external_id == "003000000000000002"
    assert (contact.name, contact.organisation) == ("Marcus A. Ortiz", raw["Account"]["Name"])
    assert contact.profession_hint == f"{raw['Title']} {raw['Account']['Industry']}"
    assert contact.specialties == [s.strip() for s in raw["Department"].split(";")]
    assert contact.address == raw["MailingStreet"].replace("\n", ", ")
    assert (contact.city, contact.state) == (raw["MailingCity"], raw["MailingState"])
    assert contact.updated_at.isoformat() == "2025-01-01T00:02:00+00:00"


def test_the_api_goes_to_the_instance_url_of_the_token_response():
    from rapport_core.crm import TokenSet

    connector = SalesforceConnector(ConnectorConfig(base_url="https://login.salesforce.com"))
    tokens = TokenSet.from_response(
        {"access_token": "a", "instance_url": "https://acme.my.salesforce.com"}
    )
    assert connector.api_base(tokens) == "https://acme.my.salesforce.com"
    assert contact_query(None).endswith("FROM Contact ORDER BY SystemModstamp, Id")
