"""A re-sync recognises a raw record it has mapped before and does not map it again; any
change to the record, the firm's mapping or a link made before this was remembered maps
it again, so partners always show what the current mapping makes of the CRM's data."""

from __future__ import annotations

import pytest
from rapport_core.clock import now
from rapport_core.crm import ConnectorConfig
from rapport_core.crm.connections import update_settings
from rapport_core.crm.records import Mapping
from rapport_core.crm.schemas import ConnectionSettingsIn
from rapport_core.crm.sync import sync_connection
from rapport_core.crm.tables import CrmLink
from rapport_core.services.partners import get_partner
from rapport_core.tables import Partner
from rapport_crm_clio.connector import ClioConnector
from rapport_crm_clio.fake import FakeClio

from tests.crm.helpers import FAST, connect_clio


class CountingClio(ClioConnector):
    """Clio, counting the raw records it maps."""

    mapped: list[str] = []

    def to_contact(self, raw):
        CountingClio.mapped.append(str(raw["id"]))
        return super().to_contact(raw)


@pytest.fixture
def fake():
    with FakeClio(count=30) as server:
        yield server


@pytest.fixture
def mapped():
    CountingClio.mapped = []
    return CountingClio.mapped


async def full_sync(actor):
    return await sync_connection(actor, "clio", full=True, connector_class=CountingClio)


async def test_an_unchanged_record_is_not_mapped_again(firm, fake, mapped):
    actor = firm.actor("owner")
    await connect_clio(actor, fake)
    assert (await full_sync(actor)).created == 30 and len(mapped) == 30

    mapped.clear()
    again = await full_sync(actor)
    assert (again.unchanged, again.updated, again.created) == (30, 0, 0)
    assert mapped == []

    contact = fake.contacts[3]
    contact.update(primary_phone_number="+1 786 555 0123", updated_at=now().isoformat())
    changed = await full_sync(actor)
    assert (changed.unchanged, changed.updated) == (29, 1)
    assert mapped == [str(contact["id"])]


async def test_a_change_to_a_field_not_mapped_is_mapped_once_then_remembered(firm, fake, mapped):
    actor = firm.actor("owner")
    await connect_clio(actor, fake)
    await full_sync(actor)
    contact = fake.contacts[5]
    contact["updated_at"] = now().isoformat()  # read by the bookmark, not by the partner

    mapped.clear()
    run = await full_sync(actor)
    assert (run.unchanged, run.updated) == (30, 0) and mapped == [str(contact["id"])]
    mapped.clear()
    await full_sync(actor)
    assert mapped == []


async def test_changing_the_firms_mapping_maps_every_record_again(firm, fake, mapped):
    actor = firm.actor("owner")
    await connect_clio(actor, fake)
    await full_sync(actor)
    await update_settings(
        actor, "clio", ConnectionSettingsIn(mapping={"fields": {"organisation": "title"}})
    )

    mapped.clear()
    run = await full_sync(actor)
    assert len(mapped) == 30 and run.updated > 0
    person = next(c for c in fake.contacts if c["type"] == "Person" and c.get("title"))
    link = (
        await CrmLink.select(CrmLink.partner)
        .where(CrmLink.firm == actor.firm_id, CrmLink.external_id == str(person["id"]))
        .first()
    )
    assert (await get_partner(actor, link["partner"])).organisation == person["title"]


async def test_links_made_before_raw_records_were_remembered_are_mapped_once(firm, fake, mapped):
    actor = firm.actor("owner")
    await connect_clio(actor, fake)
    await full_sync(actor)
    await CrmLink.update({CrmLink.raw_hash: None}).where(CrmLink.firm == actor.firm_id)

    mapped.clear()
    run = await full_sync(actor)
    assert run.unchanged == 30 and len(mapped) == 30
    mapped.clear()
    await full_sync(actor)
    assert mapped == []


def test_the_mapping_fingerprint_is_stable_and_follows_the_firms_overrides():
    plain = ClioConnector(ConnectorConfig("https://app.clio.com"))
    before = plain.mapping_fingerprint()
    for raw in FakeClio(count=40).contacts:  # running the mapping changes nothing it hashes
        plain.contact(raw)
    assert plain.mapping_fingerprint() == before
    assert ClioConnector(ConnectorConfig("https://eu.app.clio.com")).mapping_fingerprint() == before
    overridden = ClioConnector(
        ConnectorConfig("https://app.clio.com"),
        Mapping.from_settings({"fields": {"city": "title"}}),
    )
    assert overridden.mapping_fingerprint() != before


async def test_a_resync_saves_idle_pages_sparingly_and_resumes_from_the_last_saved(firm):
    actor = firm.actor("owner")
    with FakeClio(count=700) as fake:  # four pages of 200
        await connect_clio(actor, fake)
        await sync_connection(actor, "clio", full=True)
        saved: list[int] = []
        again = await sync_connection(
            actor, "clio", full=True, progress=lambda p: saved.append(p.saved_pages)
        )
        assert again.unchanged == 700 and again.pages == 4
        # The first page is saved; the rest, unchanged a moment later, wait for the end.
        assert saved[0] == 1 and max(saved[:-1]) < 4 and saved[-1] == 4, saved

        def stop_after_two_pages(progress):
            if progress.pages == 2:
                fake.stop()

        broken = await sync_connection(
            actor, "clio", full=True, progress=stop_after_two_pages, policy=FAST
        )
        assert broken.status == "failed" and "resumes" in broken.message
        fake.start()
        resumed = await sync_connection(actor, "clio")
        assert resumed.resumed and resumed.status == "succeeded"
        # From the last saved page on: none skipped, the unsaved ones read again.
        assert resumed.pages >= 4 - broken.pages
        assert resumed.unchanged == 200 * (resumed.pages - 1) + 100 and resumed.created == 0
        assert await Partner.count().where(Partner.firm == actor.firm_id) == 700
        links = await CrmLink.select(CrmLink.external_id).where(CrmLink.firm == actor.firm_id)
        assert sorted(int(r["external_id"]) for r in links) == [c["id"] for c in fake.contacts]
