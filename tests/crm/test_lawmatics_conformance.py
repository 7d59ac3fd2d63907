"""The Lawmatics plugin passes the conformance kit against its fake Lawmatics (contacts and
referral sources), maps a contact's company, practice area and address, and makes partners
of the referral sources that send matters, not of marketing channels."""

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

    with FakeLawmatics(count=30, sources=0, rate_limit=2) as fake:
        token = fake.issue_tokens()["access_token"]
        async with httpx.AsyncClient(base_url=fake.base_url) as http:
            answers = [
                await http.get("/v1/contacts", headers={"Authorization": f"Bearer {token}"})
                for _ in range(3)
            ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].headers["Retry-After"] == "60"
    assert answers[0].json()["meta"] == {"total_pages": 2, "total_entries": 30}


def source(name: str, **attrs) -> dict:
    return {"id": "41", "type": "source", "attributes": {"name": name, **attrs}}


def test_a_referral_source_is_a_partner_and_a_marketing_channel_is_not():
    connector = LawmaticsConnector(ConnectorConfig(base_url=API_HOST))
    person = connector.contact(source("Dana Ortiz, CPA", description="Sends estate clients"))
    assert (person.external_id, person.kind, person.name) == ("source:41", "person", "Dana Ortiz")
    assert connector.mapping.profession(person.profession_hint).value == "cpa"
    firm = connector.contact(source("Lee Estate Law PLLC"))
    assert (firm.kind, firm.name, firm.organisation) == ("company", *["Lee Estate Law PLLC"] * 2)
    assert connector.mapping.profession(firm.profession_hint).value == "attorney"
    for channel in (
        source("Spring campaign", utm_match="utm_source=google"),
        source("Call line", tracking_number="+13055550100"),
        source("Firm website"),
        source("Avvo"),
        source("Word of mouth"),
    ):
        assert connector.contact(channel) is None, channel


async def test_referral_sources_sync_beside_contacts_without_colliding(firm):
    from rapport_core.crm.connections import store_tokens
    from rapport_core.crm.oauth import TokenSet
    from rapport_core.crm.sync import sync_connection
    from rapport_core.crm.tables import CrmLink
    from rapport_core.services.partners import get_partner

    actor = firm.actor("owner")
    contacts = FakeLawmatics(count=10, sources=0).contacts
    contacts[0]["id"] = "903"  # the id of the first referral source too
    with FakeLawmatics(contacts, sources=30) as fake:
        config = ConnectorConfig(fake.base_url, fake.client_id, fake.client_secret)
        await store_tokens(
            actor, "lawmatics", TokenSet.from_response(fake.issue_tokens()), config=config
        )
        run = await sync_connection(actor, "lawmatics", connector_class=LawmaticsConnector)
        # One page of contacts, then two of the 33 sources (25 a page).
        assert [r.path for r in fake.api_requests()] == ["/v1/contacts"] + ["/v1/sources"] * 2
    assert run.status == "succeeded", run.message
    assert (run.created, run.skipped) == (40, 3)  # 10 contacts, 30 referrers; 3 channels
    links = {
        row["external_id"]: row["partner"]
        for row in await CrmLink.select().where(CrmLink.firm == actor.firm_id)
    }
    assert links["903"] != links["source:903"]
    contact, referrer = (
        await get_partner(actor, links["903"]),
        await get_partner(actor, links["source:903"]),
    )
    assert contact.external_ids == {"lawmatics": "903"} and contact.email
    assert referrer.external_ids == {"lawmatics": "source:903"}
    assert referrer.name.endswith(", CPA") is False and referrer.profession.value == "cpa"
    assert not any(key in links for key in ("source:900", "source:901", "source:902"))


async def sync_sources(actor, sources: list[dict]):
    from rapport_core.crm.connections import store_tokens
    from rapport_core.crm.oauth import TokenSet
    from rapport_core.crm.sync import sync_connection

    with FakeLawmatics([], sources=0) as fake:
        fake.sources = sources
        config = ConnectorConfig(fake.base_url, fake.client_id, fake.client_secret)
        await store_tokens(
            actor, "lawmatics", TokenSet.from_response(fake.issue_tokens()), config=config
        )
        return await sync_connection(actor, "lawmatics", connector_class=LawmaticsConnector)


async def test_a_referral_source_named_like_a_partner_waits_to_be_merged_into_them(firm):
    from rapport_core.schemas import PartnerCreate
    from rapport_core.services.partners import create_partner, get_partner
    from rapport_core.suggestions.service import decide, list_suggestions

    actor = firm.actor("owner")
    partner = await create_partner(
        actor, PartnerCreate(name="Dana Ortiz", organisation="Ortiz Tax Group", profession="cpa")
    )
    run = await sync_sources(actor, [source("Dana Ortiz, CPA", description="Sends estates")])
    assert (run.created, run.skipped) == (0, 1)
    [suggestion] = await list_suggestions(actor)
    assert (suggestion.external_id, suggestion.partner_id) == ("source:41", partner.id)
    await decide(actor, suggestion.id, "merge")
    merged = await get_partner(actor, partner.id)
    assert merged.external_ids == {"lawmatics": "source:41"}
    assert merged.organisation == "Ortiz Tax Group"  # the partner's own fields are kept


async def test_with_two_partners_of_that_name_a_referral_source_is_its_own_partner(firm):
    from rapport_core.schemas import PartnerCreate
    from rapport_core.services.partners import create_partner

    actor = firm.actor("owner")
    for organisation in ("Ortiz Tax Group", "Ortiz Wealth"):
        await create_partner(
            actor, PartnerCreate(name="Dana Ortiz", organisation=organisation, profession="cpa")
        )
    run = await sync_sources(actor, [source("Dana Ortiz, CPA")])
    assert (run.created, run.skipped) == (1, 0)
