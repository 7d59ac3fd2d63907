"""The sync: pages from a connector into partners, resumable, idempotent, recorded.

Pages are saved in transactions of a few (see ``SAVE_RECORDS``): their partners (created or
updated through the partner service, so validation, audit and hooks apply), their links,
the connector's cursor and the run's counts. A sync that stops anywhere (CRM down, process
killed) resumes at the page after the last committed one; records seen twice are matched by
their link and come out unchanged.

A person's edits win: a field whose partner value differs from what the sync last wrote is
left alone, unless the connection's ``overwrite_edited`` setting is on.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import pickle
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import httpx
from pydantic import ValidationError

from rapport_core.actors import Actor
from rapport_core.clock import as_utc, now
from rapport_core.crm import connections
from rapport_core.crm.connector import Connector
from rapport_core.crm.errors import CRMError, ReconnectRequired
from rapport_core.crm.http import CRMClient, RetryPolicy, Sleep, tls_context
from rapport_core.crm.matching import PartnerIndex
from rapport_core.crm.records import ContactRecord, RawPage
from rapport_core.crm.schemas import SyncRunOut
from rapport_core.crm.tables import CrmConnection, CrmLink, CrmSyncRun
from rapport_core.errors import Conflict
from rapport_core.plugins import hold_notifications, notify_all
from rapport_core.schemas import PartnerCreate, PartnerUpdate
from rapport_core.services import partners as partner_service
from rapport_core.services.common import bulk_insert, collector_paused, transaction
from rapport_core.suggestions.tables import MergeSuggestion

#: The partner fields a CRM fills.
PARTNER_FIELDS = (
    "name", "organisation", "profession", "specialties", "email", "phone",
    "address", "city", "state", "postal_code",
)  # fmt: skip
#: The ContactRecord fields those come from (their hash says whether a record changed).
RECORD_FIELDS = {
    "kind", "name", "organisation", "specialties", "email", "phone",
    "address", "city", "state", "postal_code",
}  # fmt: skip
logger = logging.getLogger(__name__)
MAX_ERRORS = 100
LOCK_SECONDS = 15 * 60
#: Pages are saved together (records, the bookmark after the last, the run's counts: one
#: commit) once they hold this many records to write, or when the last save is
#: ``SAVE_SECONDS`` old: each commit waits for the disk, and small pages (Lawmatics' 25) or
#: a re-sync's unchanged ones would otherwise pay it hundreds of times. An interrupted run
#: resumes after the last save, fetching the unsaved pages again; when the CRM fails, the
#: pages fetched before it are saved first.
SAVE_RECORDS = 500
SAVE_SECONDS = 1.0


@dataclass
class SyncProgress:
    pages: int = 0
    #: Pages whose transaction (records, bookmark, counts) was committed.
    saved_pages: int = 0
    seen: int = 0
    total: int | None = None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)

    def problem(self, external_id: str, field: str, reason: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"external_id": external_id, "field": field, "reason": reason})


class Mapped(NamedTuple):
    """A raw record as the mapping read it."""

    record: ContactRecord
    #: Of the mapped fields: equal to the link's, nothing a partner shows has changed.
    digest: str
    #: Of the raw record under the mapping's fingerprint (``CrmLink.raw_hash``); None for
    #: a record kept without its raw form (a merge suggestion's).
    raw_hash: str | None


@dataclass
class PreparedPage:
    """A page with its records mapped (and digested) ahead of its transaction."""

    page: RawPage
    records: list[Mapped] = field(default_factory=list)
    #: (external id, reason) of records the connector could not read.
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    #: Records that are not contacts (the connector returned None).
    not_contacts: int = 0
    #: Raw records exactly as last mapped: not mapped again.
    unchanged: int = 0


def run_out(row: dict[str, Any]) -> SyncRunOut:
    return SyncRunOut.model_validate(
        {
            **row,
            "started_at": as_utc(row["started_at"]),
            "finished_at": as_utc(row["finished_at"]),
            "errors": row["errors"] or [],
        }
    )


def _owner_label() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _holder_is_dead(locked_by: str) -> bool:
    host, _, pid = locked_by.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


async def _claim(connection: dict[str, Any]) -> None:
    """One sync per connection at a time; a run killed on this host does not hold it."""
    stamp = now()
    me = _owner_label()
    free = (CrmConnection.locked_until.is_null()) | (CrmConnection.locked_until < stamp)
    if connection["locked_by"] and _holder_is_dead(connection["locked_by"]):
        free = free | (CrmConnection.locked_by == connection["locked_by"])
    claimed = (
        await CrmConnection.update(
            {
                CrmConnection.locked_until: stamp + dt.timedelta(seconds=LOCK_SECONDS),
                CrmConnection.locked_by: me,
            }
        )
        .where(CrmConnection.id == connection["id"], free)
        .returning(CrmConnection.id)
    )
    if not claimed:
        raise Conflict(
            f"a sync of {connection['connector']} is already running for this firm", field="name"
        )


async def _release(connection_id: int) -> None:
    await CrmConnection.update(
        {CrmConnection.locked_until: None, CrmConnection.locked_by: ""}
    ).where(CrmConnection.id == connection_id)


@asynccontextmanager
async def _http(http: httpx.AsyncClient | None):
    if http is not None:
        yield http
        return
    async with httpx.AsyncClient(timeout=30, verify=tls_context()) as client:
        yield client


async def _read_ahead(pages: AsyncIterator[PreparedPage]) -> AsyncIterator[PreparedPage]:
    """The connector's pages, the next one fetched and mapped while the current one is
    written (the database works in its own thread or server meanwhile).
    Each fetch is a task started outside the save's transaction, so a token refresh it
    stores is not part of that transaction."""
    iterator = aiter(pages)
    upcoming = asyncio.ensure_future(anext(iterator))
    try:
        while True:
            try:
                page = await upcoming
            except StopAsyncIteration:
                return
            upcoming = asyncio.ensure_future(anext(iterator))
            yield page
    finally:
        if not upcoming.done():
            upcoming.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await upcoming
        elif not upcoming.cancelled():
            upcoming.exception()  # retrieved: the failure is the one already raised, or none


@asynccontextmanager
async def _page_transaction(progress: SyncProgress):
    """One save's transaction. The partner hooks its writes call are held and run after it
    commits: a slow hook must not keep the transaction (and its locks) open, and a failing
    one must not roll the pages back. Its failure is a problem on the run."""
    with hold_notifications() as hooks, collector_paused():
        async with transaction():
            yield
    try:
        await notify_all(hooks)
    except Exception as error:  # the page is saved; the plugin's failure is reported
        logger.exception("a plugin hook failed after CRM sync page %s", progress.pages)
        progress.problem(
            f"page {progress.pages}", "hooks",
            f"a plugin hook failed after the page was saved: {type(error).__name__}: {error}",
        )  # fmt: skip


def _digest(values: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


class _PageWriter:
    """Applies one sync's records to the firm's partners."""

    def __init__(self, actor: Actor, connection: dict[str, Any], connector: Connector) -> None:
        self.actor = actor
        self.connection = connection
        self.connector = connector
        self.name = connector.name
        self.overwrite = bool((connection["settings"] or {}).get("overwrite_edited"))
        self.index = PartnerIndex()
        self._salt = connector.mapping_fingerprint().encode()
        #: The connection's links by external id (see :meth:`load`), kept current.
        self.links: dict[str, dict[str, Any]] = {}
        #: Their raw hashes: a raw record with one of these is unchanged since its mapping.
        self.raw_seen: set[str] = set()
        #: External ids with a pending merge suggestion -> its id (loaded when first needed).
        self.pending: dict[str, int] | None = None
        # New partners wait here and are created together at the end of the page; the
        # index knows them by a placeholder (negative) id until then.
        self._queue: list[tuple[Mapped, PartnerCreate, dict[str, Any]]] = []

    async def load(self) -> None:
        """The connection's links, read once before the first page."""
        self.links = await _links_of(self.connection["id"])
        self.raw_seen = {link["raw_hash"] for link in self.links.values() if link["raw_hash"]}

    def _key(self, external_id: str) -> str:
        return f"{self.actor.firm_id}:{self.name}:{external_id}"

    def raw_digest(self, raw: dict[str, Any]) -> str:
        """The raw record under the mapping's fingerprint. Pickled, not JSON-encoded (a
        third of the time): equal pickles mean equal records, and a record whose keys came
        in another order merely counts as changed and is mapped again."""
        return hashlib.sha256(self._salt + pickle.dumps(raw, protocol=5)).hexdigest()

    def digest(self, record: ContactRecord) -> str:
        """What the mapping reads of a record (``RECORD_FIELDS`` and the profession)."""
        fields = {name: getattr(record, name) for name in RECORD_FIELDS}
        fields["profession"] = self.connector.mapping.profession(record.profession_hint).value
        return _digest(fields)

    def fields_of(self, record: ContactRecord) -> PartnerCreate:
        return PartnerCreate(
            name=record.name,
            organisation=record.organisation,
            profession=self.connector.mapping.profession(record.profession_hint),
            specialties=record.specialties,
            email=record.email or None,
            phone=record.phone or None,
            address=record.address,
            city=record.city,
            state=record.state,
            postal_code=record.postal_code,
            source=f"crm:{self.name}",
            external_ids={self.name: record.external_id},
        )

    def prepare(self, page: RawPage) -> PreparedPage:
        """The page's records read and mapped, with their digests: no database work, so it
        runs while the page before is being written (see :func:`_read_ahead`)."""
        prepared = PreparedPage(page)
        for raw in page.records:
            raw_hash = self.raw_digest(raw)
            if raw_hash in self.raw_seen:
                prepared.unchanged += 1
                continue
            try:
                record = self.connector.contact(raw)
            except (ValidationError, KeyError, TypeError, ValueError) as error:
                prepared.unreadable.append((str(raw.get("id", "?")), f"cannot be read: {error}"))
                continue
            if record is None:
                prepared.not_contacts += 1
            else:
                prepared.records.append(Mapped(record, self.digest(record), raw_hash))
        return prepared

    async def prepare_all(self, pages: AsyncIterator[RawPage]) -> AsyncIterator[PreparedPage]:
        async for page in pages:
            with collector_paused():
                prepared = self.prepare(page)
            yield prepared

    async def write(self, prepared: PreparedPage, progress: SyncProgress) -> None:
        progress.seen += len(prepared.page.records)
        progress.unchanged += prepared.unchanged
        progress.skipped += prepared.not_contacts
        for external_id, reason in prepared.unreadable:
            progress.failed += 1
            progress.problem(external_id, "record", reason)
        records = prepared.records
        changed = [
            link["id"]
            for record, digest, _ in records
            if (link := self.links.get(record.external_id)) and link["content_hash"] != digest
        ]
        # ``synced`` (JSON text) is read only for the records that changed.
        if changed:
            synced = {
                row["id"]: row["synced"]
                for row in await CrmLink.select(CrmLink.id, CrmLink.synced).where(
                    CrmLink.id.is_in(changed)
                )
            }
            for mapped in records:
                link = self.links.get(mapped.record.external_id)
                if link and link["id"] in synced:
                    link["synced"] = synced[link["id"]]
        # Only a record without a link can have a suggestion waiting or be matched to a
        # partner (a re-sync has none).
        if any(mapped.record.external_id not in self.links for mapped in records):
            if not self.index.loaded:
                await self.index.load(self.actor)
            if self.pending is None:
                self.pending = await _pending_suggestions(self.connection["id"])
        for mapped in records:
            await self.upsert(mapped, self.links.get(mapped.record.external_id), progress)
        await self.flush()

    async def flush(self) -> None:
        """Create the queued partners and their links, and give the index their real ids."""
        if not self._queue:
            return
        queued, self._queue = self._queue, []
        created = await partner_service.create_partners(self.actor, [q[1] for q in queued])
        stamp = now()
        rows = [
            self._link_row(partner.id, mapped, values, stamp)
            for (mapped, _, values), partner in zip(queued, created, strict=True)
        ]
        self._remember(rows, await bulk_insert(CrmLink, rows))
        self.index.resolve({-(n + 1): partner.id for n, partner in enumerate(created)})

    async def _known(self, lookup, *args) -> int | None:
        """An index lookup; a queued partner is created first, so the answer is a real id."""
        partner_id = lookup(*args)
        if partner_id is not None and partner_id < 0:
            await self.flush()
            partner_id = lookup(*args)
        return partner_id

    async def upsert(
        self, mapped: Mapped, link: dict[str, Any] | None, progress: SyncProgress
    ) -> None:
        record = mapped.record
        external_id = record.external_id
        if record.deleted:
            progress.skipped += 1  # Rapport never deletes a partner because a CRM did
            return
        if not record.name:
            progress.skipped += 1
            progress.problem(external_id, "name", "skipped: the CRM record has no name")
            return
        # What the CRM sent, as the mapping reads it: unchanged records stop here, before
        # the (costlier) validation of partner fields.
        if link is not None and link["content_hash"] == mapped.digest:
            progress.unchanged += 1  # only fields it does not map changed (or no raw hash yet)
            await self._remember_raw(link, mapped.raw_hash)
            return
        try:
            data = self.fields_of(record)
        except ValidationError as error:
            progress.failed += 1
            for problem in error.errors()[:3]:
                where = ".".join(str(p) for p in problem["loc"]) or "record"
                value = problem.get("input")
                progress.problem(external_id, where, f"{problem['msg']} (got {value!r})")
            return
        values = data.model_dump(mode="json", include=set(PARTNER_FIELDS))
        stamp = now()
        if link is not None:
            await self._update_linked(link, values, progress)
            changes = {CrmLink.synced: values, CrmLink.content_hash: mapped.digest,
                       CrmLink.synced_at: stamp}  # fmt: skip
            if mapped.raw_hash is not None:
                changes[CrmLink.raw_hash] = mapped.raw_hash
            await CrmLink.update(changes).where(CrmLink.id == link["id"])
            link.update(synced=values, content_hash=mapped.digest)
            self._note_raw(link, mapped.raw_hash)
            return
        if self.pending and external_id in self.pending:
            await MergeSuggestion.update(
                {MergeSuggestion.record: record.model_dump(mode="json")}
            ).where(MergeSuggestion.id == self.pending[external_id])
            progress.skipped += 1
            return
        partner_id = await self._known(self.index.by_email_of, values["email"])
        candidate = None
        if partner_id is not None and self.index.external_ids(partner_id).get(self.name) not in (
            None,
            external_id,
        ):
            # That partner is another record of this CRM: let a person judge.
            partner_id, candidate = None, partner_id
        if partner_id is not None:
            await self.link_existing(partner_id, mapped, values)
            progress.updated += 1
            return
        if candidate is None and record.kind == "person":
            candidate = await self._known(
                self.index.by_name_of, values["name"], values["organisation"]
            )
        if candidate is not None:
            await self._suggest(record, candidate)
            progress.skipped += 1
            progress.problem(
                external_id,
                "match",
                f"may be partner #{candidate} (same name and organisation): awaiting a "
                "person's decision under merge suggestions",
            )
            return
        placeholder = -(len(self._queue) + 1)
        self._queue.append((mapped, data, values))
        self.index.add(
            placeholder, values["name"], values["organisation"], values["email"], data.external_ids
        )
        progress.created += 1

    async def _update_linked(
        self, link: dict[str, Any], values: dict[str, Any], progress: SyncProgress
    ) -> None:
        partner = await partner_service.get_partner(self.actor, link["partner"])
        current = partner.model_dump(mode="json", include=set(PARTNER_FIELDS))
        synced = link["synced"]
        synced = (json.loads(synced) if isinstance(synced, str) else synced) or {}
        changes: dict[str, Any] = {}
        for name in PARTNER_FIELDS:
            new, before = values.get(name), synced.get(name)
            if not self.overwrite:
                if new == before:
                    continue  # the CRM did not change it
                if current.get(name) != before:
                    continue  # a person edited it since the last sync: theirs wins
            if current.get(name) != new:
                changes[name] = new
        if changes:
            await partner_service.update_partner(self.actor, partner.id, PartnerUpdate(**changes))
            progress.updated += 1
        else:
            progress.unchanged += 1

    async def link_existing(self, partner_id: int, mapped: Mapped, values: dict[str, Any]) -> None:
        """Attach a CRM record to a partner a person made: fill only blank fields."""
        record = mapped.record
        partner = await partner_service.get_partner(self.actor, partner_id)
        current = partner.model_dump(mode="json", include=set(PARTNER_FIELDS))
        fill = {name: value for name, value in values.items() if value and not current.get(name)}
        external_ids = {**partner.external_ids, self.name: record.external_id}
        await partner_service.update_partner(
            self.actor, partner_id, PartnerUpdate(**fill, external_ids=external_ids)
        )
        self.index.external[partner_id] = external_ids
        await self.link(partner_id, mapped, values)

    async def link(self, partner_id: int, mapped: Mapped, values: dict[str, Any]) -> None:
        rows = [self._link_row(partner_id, mapped, values, now())]
        self._remember(rows, await bulk_insert(CrmLink, rows))

    def _link_row(
        self, partner_id: int, mapped: Mapped, values: dict, stamp: dt.datetime
    ) -> dict[str, Any]:
        external_id = mapped.record.external_id
        return {
            "firm": self.actor.firm_id,
            "connection": self.connection["id"],
            "connector": self.name,
            "external_id": external_id,
            "key": self._key(external_id),
            "partner": partner_id,
            "synced": values,
            "content_hash": mapped.digest,
            "raw_hash": mapped.raw_hash,
            "synced_at": stamp,
        }

    def _remember(self, rows: list[dict[str, Any]], ids: list[int]) -> None:
        for row, link_id in zip(rows, ids, strict=True):
            self.links[row["external_id"]] = {
                "id": link_id, "partner": row["partner"], "synced": row["synced"],
                "content_hash": row["content_hash"], "raw_hash": row["raw_hash"],
            }  # fmt: skip
            if row["raw_hash"]:
                self.raw_seen.add(row["raw_hash"])

    async def _remember_raw(self, link: dict[str, Any], raw_hash: str | None) -> None:
        """The raw record a link's values now come from: the next sync need not map it."""
        if raw_hash is None or link["raw_hash"] == raw_hash:
            return
        await CrmLink.update({CrmLink.raw_hash: raw_hash}).where(CrmLink.id == link["id"])
        self._note_raw(link, raw_hash)

    def _note_raw(self, link: dict[str, Any], raw_hash: str | None) -> None:
        """The in-memory side of a stored raw hash: ``raw_seen`` follows the links."""
        if raw_hash is None:
            return
        self.raw_seen.discard(link["raw_hash"])
        self.raw_seen.add(raw_hash)
        link["raw_hash"] = raw_hash

    async def _suggest(self, record: ContactRecord, partner_id: int) -> None:
        key = self._key(record.external_id)
        await MergeSuggestion.delete().where(MergeSuggestion.key == key)
        inserted = await MergeSuggestion.insert(
            MergeSuggestion(
                firm=self.actor.firm_id,
                partner=partner_id,
                origin="crm",
                source=self.connector.label,
                reason="same name and organisation",
                connection=self.connection["id"],
                connector=self.name,
                external_id=record.external_id,
                key=key,
                record=record.model_dump(mode="json"),
                status="pending",
                created_at=now(),
            )
        ).returning(MergeSuggestion.id)
        if self.pending is not None:
            self.pending[record.external_id] = inserted[0]["id"]


async def _links_of(connection_id: int) -> dict[str, dict[str, Any]]:
    """The connection's links by external id (``synced`` is read when a record changed)."""
    rows = await CrmLink.select(
        CrmLink.id, CrmLink.external_id, CrmLink.partner, CrmLink.content_hash, CrmLink.raw_hash
    ).where(CrmLink.connection == connection_id)
    return {row["external_id"]: row for row in rows}


async def _pending_suggestions(connection_id: int) -> dict[str, int]:
    rows = await MergeSuggestion.select(MergeSuggestion.id, MergeSuggestion.external_id).where(
        MergeSuggestion.connection == connection_id, MergeSuggestion.status == "pending"
    )
    return {row["external_id"]: row["id"] for row in rows}


def _sync_actor(actor: Actor, name: str) -> Actor:
    """Changes a sync makes are audited as the CRM, on behalf of whoever started it."""
    return Actor(
        firm_id=actor.firm_id,
        label=f"crm:{name} ({actor.label})",
        role=actor.role,
        user_id=actor.user_id,
    )


async def sync_connection(
    actor: Actor,
    name: str,
    *,
    full: bool = False,
    trigger: str = "manual",
    progress: Callable[[SyncProgress], None] | None = None,
    policy: RetryPolicy | None = None,
    http: httpx.AsyncClient | None = None,
    sleep: Sleep | None = None,
    connector_class: type[Connector] | None = None,
) -> SyncRunOut:
    """Sync one connection: resume an unfinished run, else fetch changes since the last one
    (``full``: everything, from the start). Returns the run as recorded in the history."""
    row = await _claimed(actor, name)
    return await _run_claimed(
        actor, name, row, full, trigger, progress, policy, http, sleep, connector_class
    )


#: Syncs running as tasks (see :func:`begin_sync`): held so they are not collected.
_background: set[asyncio.Task[SyncRunOut]] = set()


async def begin_sync(
    actor: Actor, name: str, *, full: bool = False, trigger: str = "manual"
) -> asyncio.Task[SyncRunOut]:
    """Claim the connection now, so a refusal (needs reconnect, already running) reaches the
    person who asked, and run the sync as a task: a web request can answer before a long
    sync ends, and the run's history row shows its progress meanwhile."""
    row = await _claimed(actor, name)
    run = _run_claimed(actor, name, row, full, trigger, None, None, None, None, None)
    task = asyncio.create_task(run, name=f"crm sync {actor.firm_id}:{name}")
    _background.add(task)
    task.add_done_callback(_finished)
    return task


def _finished(task: asyncio.Task[SyncRunOut]) -> None:
    _background.discard(task)
    if not task.cancelled() and (error := task.exception()) is not None:
        # The run is recorded as interrupted; nobody awaits the task to see why.
        logger.error("%s stopped", task.get_name(), exc_info=error)


async def _claimed(actor: Actor, name: str) -> dict[str, Any]:
    """The connection, claimed for one sync (``_release`` gives it back)."""
    actor.require_write()
    row = await connections.require_connection(actor, name)
    if row["status"] == "needs_reconnect":
        raise ReconnectRequired(
            f"{name} needs to be connected again before it can sync ({row['last_error']})"
        )
    await _claim(row)
    return row


async def _run_claimed(actor, name, row, *options) -> SyncRunOut:
    """``_run`` on a claimed connection, given back however the run ends."""
    try:
        return await _run(_sync_actor(actor, name), row, *options)
    finally:
        await _release(row["id"])


async def _run(actor, row, full, trigger, progress_cb, policy, http, sleep, connector_class):
    connector = connections.build_connector(row, connector_class)
    state = row["bookmark"] or {}
    resumed = bool(state.get("cursor")) and not full
    started = now()
    if resumed:
        since = as_utc(row["window_since"])
        window_started = as_utc(state.get("started")) or started
    else:
        since = None if full else as_utc(row["synced_through"])
        window_started = started
        state = {}
    await CrmSyncRun.update({CrmSyncRun.status: "interrupted"}).where(
        CrmSyncRun.connection == row["id"], CrmSyncRun.status == "running"
    )
    run = CrmSyncRun(
        firm=actor.firm_id,
        connection=row["id"],
        connector=row["connector"],
        mode="incremental" if since is not None else "full",
        trigger=trigger,
        status="running",
        resumed=resumed,
        started_at=started,
    )
    await run.save()
    writer = _PageWriter(actor, row, connector)
    await writer.load()
    progress = SyncProgress()
    clock = time.perf_counter()
    status, message = "succeeded", ""
    client: CRMClient | None = None

    async def record(final: bool = False) -> None:
        values: dict[Any, Any] = {
            CrmSyncRun.pages: progress.pages,
            CrmSyncRun.requests: client.requests if client else 0,
            CrmSyncRun.total: progress.total,
            CrmSyncRun.created: progress.created,
            CrmSyncRun.updated: progress.updated,
            CrmSyncRun.unchanged: progress.unchanged,
            CrmSyncRun.skipped: progress.skipped,
            CrmSyncRun.failed: progress.failed,
            CrmSyncRun.errors: progress.errors,
            CrmSyncRun.duration_ms: int((time.perf_counter() - clock) * 1000),
        }
        if final:
            values.update({CrmSyncRun.status: status, CrmSyncRun.message: message,
                           CrmSyncRun.finished_at: now()})  # fmt: skip
        await CrmSyncRun.update(values).where(CrmSyncRun.id == run.id)

    async def save(pages: list[PreparedPage]) -> None:
        """The pages' records, the bookmark after the last and the run's counts, in one
        commit."""
        async with _page_transaction(progress):
            for prepared in pages:
                await writer.write(prepared, progress)
            bookmark = {"cursor": pages[-1].page.bookmark, "started": window_started.isoformat()}
            await CrmConnection.update(
                {
                    CrmConnection.bookmark: bookmark,
                    CrmConnection.window_since: since,
                    # Still running: keep the claim for a long sync.
                    CrmConnection.locked_until: now() + dt.timedelta(seconds=LOCK_SECONDS),
                }
            ).where(CrmConnection.id == row["id"])
            await record()
        progress.saved_pages += len(pages)

    try:
        async with _http(http) as session:
            client = CRMClient(
                session,
                connector,
                connections.tokens_of(row),
                on_tokens=lambda tokens: connections.save_refreshed_tokens(row["id"], tokens),
                policy=policy,
                **({"sleep": sleep} if sleep else {}),
            )
            pages = connector.fetch_pages(client, state.get("cursor"), since=since)
            unsaved: list[PreparedPage] = []
            saved_at = float("-inf")
            try:
                async for prepared in _read_ahead(writer.prepare_all(pages)):
                    progress.pages += 1
                    if prepared.page.total is not None:
                        progress.total = prepared.page.total
                    unsaved.append(prepared)
                    if (
                        sum(len(p.records) for p in unsaved) >= SAVE_RECORDS
                        or time.monotonic() - saved_at >= SAVE_SECONDS
                    ):
                        await save(unsaved)
                        unsaved, saved_at = [], time.monotonic()
                    if progress_cb:
                        progress_cb(progress)
            except CRMError:
                if unsaved:
                    await save(unsaved)  # what was fetched before the CRM failed
                raise
            if unsaved:
                await save(unsaved)
                if progress_cb:
                    progress_cb(progress)  # the last pages' counts, now saved
        finished = now()
        interval = row["sync_interval_minutes"]
        await CrmConnection.update(
            {
                CrmConnection.bookmark: {},
                CrmConnection.window_since: None,
                CrmConnection.synced_through: window_started - connector.since_overlap,
                CrmConnection.last_sync_at: finished,
                CrmConnection.last_error: "",
                CrmConnection.next_sync_at: (
                    finished + dt.timedelta(minutes=interval) if interval else None
                ),
            }
        ).where(CrmConnection.id == row["id"])
    except ReconnectRequired as error:
        status, message = "needs_reconnect", error.detail
        await connections.mark_needs_reconnect(actor, row["id"], error)
    except CRMError as error:
        status, message = (
            "failed",
            error.detail
            + ("; the next sync resumes after the last saved page" if progress.pages else ""),
        )
        await CrmConnection.update({CrmConnection.last_error: message}).where(
            CrmConnection.id == row["id"]
        )
    except BaseException as error:  # cancelled, interrupted: the next run resumes
        status, message = "interrupted", f"stopped: {type(error).__name__}"
        await record(final=True)
        raise
    await record(final=True)
    return run_out(
        await CrmSyncRun.select().where(CrmSyncRun.id == run.id).first().output(load_json=True)
    )


async def list_runs(actor: Actor, name: str | None = None, limit: int = 20) -> list[SyncRunOut]:
    query = CrmSyncRun.select().where(CrmSyncRun.firm == actor.firm_id)
    if name:
        query = query.where(CrmSyncRun.connector == name)
    rows = await query.order_by(CrmSyncRun.id, ascending=False).limit(limit).output(load_json=True)
    return [run_out(row) for row in rows]
