"""The Lawmatics plugin passes the conformance kit against its fake Lawmatics, and maps a
contact's company, practice area and address."""

from rapport_core.crm import ConnectorConfig
from rapport_core.testing.conformance import ConnectorConformance
from rapport_crm_lawmatics.connector import API_HOST, LawmaticsConnector
from rapport_crm_lawmatics.fake import FakeLawmatics


class TestLawmaticsConformance(ConnectorConformance):
    connector = LawmaticsConnector
    fake = FakeLawmatics
    skips = {
        "test_refreshes_an_expired_token_once_and_retries": (
            "Lawmatics access tokens do not expire and it issues no refresh token: a 401 "
            "means connect again (test_rejected_refresh_token_means_reconnect checks that)"
        )
    }


def test_contact_attributes_become_a_partner():
    raw = FakeLawmatics(count=2).contacts[1]
    attrs = raw["attributes"]
    contact = LawmaticsConnector(ConnectorConfig(base_url=API_HOST)).contact(raw)
    assert (contact.external_id, contact.name) == ("700001", "Ana A. Ortiz")
    assert contact.organisation == attrs["company_name"]
    assert contact.specialties == [p.strip() for p in attrs["practice_area"].split(";")]
    assert (contact.address, contact.city, contact.state, contact.postal_code) == (
        attrs["street"], attrs["city"], attrs["state"], attrs["zipcode"],
    )  # fmt: skip
    assert LawmaticsConnector.oauth.refreshable is False


def test_people_authorise_on_the_app_host():
    connector = LawmaticsConnector(ConnectorConfig(base_url=API_HOST))
    assert connector.auth_url("/oauth/authorize") == "https://app.lawmatics.com/oauth/authorize"
    assert connector.auth_url("/oauth/token") == "https://api.lawmatics.com/oauth/token"


async def test_past_the_minute_limit_the_fake_answers_429_with_retry_after_60():
    import httpx

    with FakeLawmatics(count=30, per_minute=2) as fake:
        token = fake.issue_tokens()["access_token"]
        async with httpx.AsyncClient(base_url=fake.base_url) as http:
            answers = [
                await http.get("/v1/contacts", headers={"Authorization": f"Bearer {token}"})
                for _ in range(3)
            ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].headers["Retry-After"] == "60"
    assert answers[0].json()["meta"] == {"total_pages": 2, "total_entries": 30}
