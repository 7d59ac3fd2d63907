"""What a sync does to the firm's partners: a person's edits win, email matches link instead
of duplicating, bad records fail alone, a CRM that goes away mid-sync is resumed from, the
schedule runs, tokens stay encrypted and everything is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from rapport_core import audit, hookimpl
from rapport_core.clock import now
from rapport_core.crm.connections import update_settings
from rapport_core.crm.scheduler import run_due_syncs
from rapport_core.crm.schemas import ConnectionSettingsIn
from rapport_core.crm.sync import _claim, _release, sync_connection
from rapport_core.crm.tables import CrmConnection, CrmLink
from rapport_core.errors import Conflict
from rapport_core.schemas import PartnerCreate, PartnerSearch, PartnerUpdate
from rapport_core.services.partners import (
    create_partner,
    get_partner,
    search_partners,
    update_partner,
)
from rapport_core.suggestions.service import decide, list_suggestions
from rapport_core.tables import Partner
from rapport_crm_clio.fake import FakeClio

from tests.crm.helpers import FAST, connect_clio


@pytest.fixture
def fake():
    with FakeClio(count=30) as server:
        yield server


def touch(fake: FakeClio, contact_id: int, **changes) -> dict:
    contact = next(c for c in fake.contacts if c["id"] == contact_id)
    contact.update(changes)
    contact["updated_at"] = now().isoformat()
    return contact


async def partner_of(actor, contact_id: int):
    row = (
        await CrmLink.select(CrmLink.partner)
        .where(CrmLink.firm == actor.firm_id, CrmLink.external_id == str(contact_id))
        .first()
    )
    return await get_partner(actor, row["partner"])


async def test_a_persons_edit_is_kept_unless_the_connection_says_overwrite(firm, fake):
    actor = firm.actor("owner")
    await connect_clio(actor, fake)
    await sync_connection(actor, "clio")
    partner = await partner_of(actor, 1001)
    await update_partner(actor, partner.id, PartnerUpdate(organisation="Edited In Rapport"))

    contact = touch(fake, 1001, primary_phone_number="+1 786 555 0000")
    contact["company"] = {"id": 1, "name": "Renamed In Clio"}
    run = await sync_connection(actor, "clio")
    assert (run.updated, run.unchanged, run.created) == (1, 0, 0)
    after = await get_partner(actor, partner.id)
    assert after.phone == "+1 786 555 0000"  # nobody touched it: the CRM's change applies
    assert after.organisation == "Edited In Rapport"  # a person's edit wins

    await update_settings(actor, "clio", ConnectionSettingsIn(overwrite_edited=True))
    touch(fake, 1001, primary_phone_number="+1 786 555 0001")
    await sync_connection(actor, "clio")
    assert (await get_partner(actor, partner.id)).organisation == "Renamed In Clio"


async def test_an_email_match_links_the_partner_a_person_made(firm, fake):
    actor = firm.actor("owner")
    contact = fake.contacts[0]
    local, domain = contact["primary_email_address"].split("@")
    mine = await create_partner(
        actor,
        PartnerCreate(
            name="Dana (met at BNI)", profession="cpa", email=f"{local.upper()}+bni@{domain}"
        ),
    )
    await connect_clio(actor, fake)
    run = await sync_connection(actor, "clio")
    assert (run.created, run.updated) == (29, 1)
    linked = await get_partner(actor, mine.id)
    assert linked.name == "Dana (met at BNI)"  # kept
    assert linked.external_ids == {"clio": str(contact["id"])}
    assert linked.city == contact["addresses"][0]["city"]  # blank, filled
    total = await Partner.count().where(Partner.firm == actor.firm_id)
    assert total == 30


async def test_a_second_record_with_a_linked_email_is_a_suggestion(firm, fake):
    actor = firm.actor("owner")
    twin = dict(
        fake.contacts[1], id=5000, name="Other Person", first_name="Other", last_name="Person"
    )
    twin["primary_email_address"] = fake.contacts[1]["primary_email_address"]
    fake.contacts.append(twin)
    await connect_clio(actor, fake)
    run = await sync_connection(actor, "clio")
    assert (run.created, run.skipped) == (30, 1)
    [suggestion] = await list_suggestions(actor)
    assert suggestion.external_id == "5000"
    decided = await decide(actor, suggestion.id, "separate")
    assert decided.status == "separate"
    assert await Partner.count().where(Partner.firm == actor.firm_id) == 31
    again = await sync_connection(actor, "clio", full=True)
    assert (again.created, again.unchanged, again.skipped) == (0, 31, 0)
    with pytest.raises(Conflict):
        await decide(actor, suggestion.id, "merge")


async def test_a_bad_record_fails_alone_with_its_field(firm, fake):
    actor = firm.actor("owner")
    fake.contacts[3]["primary_email_address"] = "not-an-email"
    await connect_clio(actor, fake)
    run = await sync_connection(actor, "clio")
    assert (run.created, run.failed, run.status) == (29, 1, "succeeded")
    [problem] = run.errors
    assert problem.external_id == str(fake.contacts[3]["id"]) and problem.field == "email"
    assert "not-an-email" in problem.reason


async def test_the_crm_going_away_mid_sync_is_resumed_without_duplicates(firm):
    actor = firm.actor("owner")
    with FakeClio(count=700) as fake:  # four pages
        await connect_clio(actor, fake)

        def stop_after_two_pages(progress):
            if progress.pages == 2:
                fake.stop()

        broken = await sync_connection(actor, "clio", progress=stop_after_two_pages, policy=FAST)
        # Page three may already have been read ahead while page two was being written.
        assert broken.status == "failed" and broken.pages in (2, 3)
        assert broken.created == 200 * broken.pages and "resumes" in broken.message

        fake.start()  # the same port: the stored cursor still points at it
        resumed = await sync_connection(actor, "clio")
        assert resumed.resumed and resumed.pages == 4 - broken.pages
        assert resumed.created == 700 - broken.created
        links = await CrmLink.select(CrmLink.external_id).where(CrmLink.firm == actor.firm_id)
        assert sorted(int(r["external_id"]) for r in links) == [c["id"] for c in fake.contacts]
        assert await Partner.count().where(Partner.firm == actor.firm_id) == 700


async def test_one_sync_at_a_time(firm, fake):
    actor = firm.actor("owner")
    await connect_clio(actor, fake)
    row = await CrmConnection.select().where(CrmConnection.firm == actor.firm_id).first()
    await _claim(row)
    try:
        with pytest.raises(Conflict):
            await sync_connection(actor, "clio")
    finally:
        await _release(row["id"])
    assert (await sync_connection(actor, "clio")).status == "succeeded"


async def test_the_schedule_syncs_due_connections(firm, other_firm, fake):
    actor = firm.actor("owner")
    await connect_clio(actor, fake)
    await connect_clio(other_firm.actor("owner"), fake)  # not scheduled
    await update_settings(actor, "clio", ConnectionSettingsIn(sync_interval_minutes=60))
    await CrmConnection.update({CrmConnection.next_sync_at: now() - dt.timedelta(minutes=1)}).where(
        CrmConnection.firm == actor.firm_id
    )
    runs = [run for run in await run_due_syncs() if run.trigger == "schedule"]
    mine = [run for run in runs if run.created == 30]
    assert mine and all(run.status == "succeeded" for run in mine)
    row = await CrmConnection.select().where(CrmConnection.firm == actor.firm_id).first()
    assert row["next_sync_at"] > now() + dt.timedelta(minutes=55)
    assert await Partner.count().where(Partner.firm == other_firm.id) == 0


async def test_tokens_are_encrypted_and_changes_audited(firm, fake):
    actor = firm.actor("admin")
    await connect_clio(actor, fake)
    token = next(iter(fake.access_tokens))
    row = await CrmConnection.select().where(CrmConnection.firm == actor.firm_id).first()
    assert token not in row["access_token"] and row["access_token"]
    assert fake.client_secret not in row["client_secret"]
    await sync_connection(actor, "clio")
    events = await audit.events_for(firm.id, limit=200)
    creates = [e for e in events if e["action"] == "partner.create"]
    assert len(creates) == 30
    assert creates[0]["actor"] == f"crm:clio ({firm.emails['admin']})"
    assert any(e["action"] == "crm.connect" for e in events)
    found = await search_partners(actor, PartnerSearch(q=fake.contacts[0]["name"].split()[0]))
    assert all(p.source == "crm:clio" for p in found.items)


async def test_partners_a_sync_creates_reach_the_plugins_hooks(firm, fake):
    import rapport_test_hello

    actor = firm.actor("owner")
    await connect_clio(actor, fake)
    rapport_test_hello.seen.clear()
    await sync_connection(actor, "clio")
    created = [pid for kind, pid in rapport_test_hello.seen if kind == "partner_created"]
    links = await CrmLink.select(CrmLink.partner).where(CrmLink.firm == actor.firm_id)
    assert sorted(created) == sorted(row["partner"] for row in links) and len(created) == 30


class HookProbe:
    """A plugin that notes whether each partner hook ran inside a database transaction."""

    def __init__(self, *, fail: bool = False) -> None:
        self.fail = fail
        self.inside_transaction: list[bool] = []

    @hookimpl
    def partner_created(self, partner, actor):
        from rapport_core.services.common import db

        self.inside_transaction.append(db().current_transaction.get() is not None)
        if self.fail:
            raise RuntimeError("the plugin broke")


@pytest.fixture
def probe(request):
    from rapport_core.plugins import get_plugin_manager

    probe = HookProbe(fail=getattr(request, "param", False))
    manager = get_plugin_manager()
    manager.register(probe, name="hook-probe")
    yield probe
    manager.unregister(name="hook-probe")


async def test_page_hooks_run_after_the_page_commits(firm, fake, probe):
    actor = firm.actor("owner")
    await connect_clio(actor, fake)
    run = await sync_connection(actor, "clio")
    assert run.status == "succeeded" and run.created == 30
    assert probe.inside_transaction == [False] * 30


@pytest.mark.parametrize("probe", [True], indirect=True)
async def test_a_failing_hook_neither_rolls_back_nor_stops_the_sync(firm, fake, probe):
    actor = firm.actor("owner")
    await connect_clio(actor, fake)
    run = await sync_connection(actor, "clio")
    assert run.status == "succeeded" and run.created == 30
    assert await Partner.count().where(Partner.firm == actor.firm_id) == 30
    [problem] = [e for e in run.errors if e.field == "hooks"]
    assert "the plugin broke" in problem.reason and problem.external_id == "page 1"
    again = await sync_connection(actor, "clio", full=True)  # the page was kept: nothing redone
    assert (again.created, again.unchanged) == (0, 30)


async def test_a_sync_chains_one_verifiable_event_per_partner_as_read_back(firm, fake):
    from rapport_core.audit.verify import verify_chain

    actor = firm.actor("owner")
    await connect_clio(actor, fake)
    await sync_connection(actor, "clio")
    events = await audit.events_for(firm.id, subject_type="partner", limit=200)
    creates = sorted(events, key=lambda e: e["id"])
    assert len(creates) == 30
    for event in creates:  # what was audited is what was stored, to the field
        partner = await get_partner(actor, int(event["subject_id"]))
        assert event["after"] == partner.model_dump(mode="json")
    report = await verify_chain(firm.id)
    assert report.ok and report.events_checked >= 31, report
