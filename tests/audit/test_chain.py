"""The audit log is a hash chain per firm: verify finds the first broken link."""

import asyncio
import datetime as dt
import hashlib
import json
import sqlite3

import asyncpg
import pytest
from rapport_core import audit
from rapport_core.audit.chain import canonical
from rapport_core.audit.tables import AuditChainHead
from rapport_core.audit.verify import verify_chain
from rapport_core.schemas import PartnerCreate, PartnerUpdate
from rapport_core.services import partners
from rapport_core.services.common import transaction
from rapport_core.tables import AuditEvent

from tests.audit.helpers import firm_events, tamper, triggers_lifted
from tests.conftest import make_firm

REFUSED = (sqlite3.IntegrityError, asyncpg.PostgresError)


async def _firm_with_history(changes: int = 4):
    firm = await make_firm()
    actor = firm.actor()
    partner = await partners.create_partner(actor, PartnerCreate(name="Ada", profession="cpa"))
    for n in range(changes):
        await partners.update_partner(actor, partner.id, PartnerUpdate(notes=f"note {n}"))
    return firm


async def test_each_event_hashes_its_canonical_json_and_the_previous_hash():
    firm = await _firm_with_history()
    events = await firm_events(firm.id)
    assert events[0]["prev_hash"] == ""
    for previous, event in zip(events, events[1:], strict=False):
        assert event["prev_hash"] == previous["hash"]
    for event in events:
        # Recomputed the way docs/audit.md tells an auditor to.
        body = {
            key: json.loads(event[key]) if key in ("before", "after") and event[key] else event[key]
            for key in ("firm", "actor", "action", "subject_type", "subject_id", "before", "after")
        }
        body["at"] = event["at"].astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        body["prev_hash"] = event["prev_hash"]
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert text.encode() == canonical(event)
        assert hashlib.sha256(text.encode()).hexdigest() == event["hash"]
    report = await verify_chain(firm.id)
    assert report.ok and report.events_checked == len(events)
    head = await AuditChainHead.select().where(AuditChainHead.firm == firm.id).first()
    assert (head["events"], head["last_hash"]) == (len(events), events[-1]["hash"])


async def test_an_edited_event_is_the_first_broken_link():
    firm = await _firm_with_history()
    events = await firm_events(firm.id)
    target = events[-3]
    await tamper(
        "UPDATE rapport_audit_event SET actor = {} WHERE id = {}", "someone-else", target["id"]
    )
    report = await verify_chain(firm.id)
    assert not report.ok
    assert report.broken_event_id == target["id"]
    assert "edited" in report.problem
    assert report.found == target["hash"]
    assert report.events_checked == len(events) - 3


async def test_a_removed_event_breaks_the_link_of_the_next():
    firm = await _firm_with_history()
    events = await firm_events(firm.id)
    await tamper("DELETE FROM rapport_audit_event WHERE id = {}", events[2]["id"])
    report = await verify_chain(firm.id)
    assert (report.ok, report.broken_event_id) == (False, events[3]["id"])
    assert "removed" in report.problem
    assert (report.expected, report.found) == (events[1]["hash"], events[2]["hash"])


async def test_events_cut_from_the_end_are_noticed_through_the_chain_head():
    firm = await _firm_with_history()
    events = await firm_events(firm.id)
    await tamper("DELETE FROM rapport_audit_event WHERE id = {}", events[-1]["id"])
    report = await verify_chain(firm.id)
    assert not report.ok and report.broken_event_id is None
    assert f"records {len(events)} events" in report.problem


async def test_the_database_refuses_to_change_or_delete_a_retained_event():
    firm = await _firm_with_history(1)
    event = (await firm_events(firm.id))[-1]
    for sql in (
        "UPDATE rapport_audit_event SET actor = 'x' WHERE id = {}",
        "DELETE FROM rapport_audit_event WHERE id = {}",
    ):
        with pytest.raises(REFUSED, match="retention"):
            await AuditEvent.raw(sql, event["id"])
    assert (await firm_events(firm.id))[-1] == event


async def test_a_firm_cannot_be_deleted_while_its_events_are_retained():
    firm = await _firm_with_history(0)
    with pytest.raises(REFUSED, match="retention"):
        await AuditEvent.raw("DELETE FROM rapport_firm WHERE id = {}", firm.id)
    assert await firm_events(firm.id)


async def test_concurrent_writers_take_turns_and_never_fork_the_chain():
    firm = await make_firm()
    actor = firm.actor()

    async def write(n: int) -> None:
        async with transaction():
            await audit.record(actor, "test.concurrent", "test", n)

    await asyncio.gather(*(write(n) for n in range(12)))
    events = await firm_events(firm.id)
    assert len({e["prev_hash"] for e in events}) == len(events)  # no two share a parent
    assert (await verify_chain(firm.id)).ok


async def test_an_audit_id_is_never_handed_out_twice():
    firm = await _firm_with_history(1)
    last = (await firm_events(firm.id))[-1]
    await make_firm()  # its events come after; delete the newest of all
    newest = (
        await AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id, ascending=False).first()
    )["id"]
    await tamper("DELETE FROM rapport_audit_event WHERE id = {}", newest)
    await audit.record(firm.actor(), "test.after_delete", "test", 1)
    fresh = (await firm_events(firm.id))[-1]
    assert fresh["id"] > newest > last["id"]


async def test_backfill_chains_events_written_before_the_chain():
    """The migration's backfill, on a firm whose events have no hashes yet."""
    import importlib

    backfill = importlib.import_module("rapport_core.migrations.rapport_2026_12_02t06_18_31_000000")
    firm = await _firm_with_history(2)
    expected = [e["hash"] for e in await firm_events(firm.id)]
    async with triggers_lifted():
        await AuditEvent.raw(
            "UPDATE rapport_audit_event SET prev_hash = '', hash = '' WHERE firm = {}", firm.id
        )
        await AuditChainHead.delete().where(AuditChainHead.firm == firm.id)
    assert not (await verify_chain(firm.id)).ok
    async with triggers_lifted():
        await backfill.chain_firm(firm.id)
    assert [e["hash"] for e in await firm_events(firm.id)] == expected
    assert (await verify_chain(firm.id)).ok


async def test_equivalent_json_text_is_the_same_content_but_a_changed_value_is_not():
    """Events written before the chain (or by other tools) may store their JSON with other
    spacing or key order: the hash is over the value, so those verify; a changed value does not."""
    firm = await _firm_with_history(1)
    event = (await firm_events(firm.id))[-1]
    value = json.loads(event["after"])
    spaced = json.dumps(dict(reversed(list(value.items()))), indent=2)
    await tamper("UPDATE rapport_audit_event SET after = {} WHERE id = {}", spaced, event["id"])
    assert (await verify_chain(firm.id)).ok
    changed = json.dumps(value | {"notes": "something else"}, indent=2)
    await tamper("UPDATE rapport_audit_event SET after = {} WHERE id = {}", changed, event["id"])
    report = await verify_chain(firm.id)
    assert (report.ok, report.broken_event_id) == (False, event["id"])
