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
from rapport_crm_clio.connector import ClioConnector
from rapport_crm_clio.fake import FakeClio

from tests.crm.helpers import connect_clio


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
