"""Scheduled syncs: each connection with an interval is synced when its ``next_sync_at``
comes. The server runs :func:`run_scheduler` in its lifespan (``register_background_tasks``)."""

from __future__ import annotations

import asyncio
import logging

from rapport_core.actors import Actor
from rapport_core.clock import now
from rapport_core.crm.schemas import SyncRunOut
from rapport_core.crm.sync import sync_connection
from rapport_core.crm.tables import CrmConnection
from rapport_core.errors import RapportError
from rapport_core.vocabulary import Role

log = logging.getLogger(__name__)
#: How often the scheduler looks for due connections (seconds).
TICK_SECONDS = 60


async def run_due_syncs() -> list[SyncRunOut]:
    """Sync every connected connection whose next scheduled sync is due; one failing does
    not stop the others (its run records why)."""
    due = await CrmConnection.select(CrmConnection.firm, CrmConnection.connector).where(
        CrmConnection.status == "connected",
        CrmConnection.sync_interval_minutes.is_not_null(),
        CrmConnection.next_sync_at <= now(),
    )
    runs = []
    for row in due:
        actor = Actor(firm_id=row["firm"], label="schedule", role=Role.owner)
        try:
            runs.append(await sync_connection(actor, row["connector"], trigger="schedule"))
        except RapportError as error:  # already running, needs reconnect, uninstalled…
            log.warning("scheduled %s sync for firm %s: %s", row["connector"], row["firm"], error)
    return runs


async def run_scheduler() -> None:
    while True:
        try:
            await run_due_syncs()
        except Exception:  # the loop must outlive one bad tick
            log.exception("CRM sync scheduler")
        await asyncio.sleep(TICK_SECONDS)
