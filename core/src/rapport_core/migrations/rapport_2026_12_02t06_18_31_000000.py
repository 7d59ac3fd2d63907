"""Chain the audit events that already exist, and protect them.

1. SQLite: rebuild ``rapport_audit_event`` with AUTOINCREMENT, so an event id is never
   handed out twice (SQLite otherwise reuses the highest rowid after a delete; PostgreSQL
   sequences never do).
2. Backfill: chain each firm's existing events in id order and set its chain head.
3. Retention: triggers refuse UPDATE and DELETE of events younger than the retention period.

Piccolo runs a migration's raw steps before its schema changes, hence a migration of its own
after the one adding the columns. The table below names only the columns read and written.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import JSON, Integer, Timestamptz, Varchar
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table

from rapport_core.audit.chain import GENESIS, event_hash
from rapport_core.audit.retention import protect_table
from rapport_core.clock import now

ID = "2026-12-02T06:18:31:000000"
VERSION = "1.38.0"
DESCRIPTION = "Backfill the audit hash chain; never reuse audit ids; retention triggers"

BATCH = 2000


class AuditEvent(Table, tablename="rapport_audit_event"):
    firm = Integer(null=True)
    actor = Varchar()
    action = Varchar()
    subject_type = Varchar()
    subject_id = Varchar()
    before = JSON(null=True)
    after = JSON(null=True)
    at = Timestamptz()
    prev_hash = Varchar()
    hash = Varchar()


async def never_reuse_ids() -> None:
    if not isinstance(AuditEvent._meta.db, SQLiteEngine):
        return
    rows = await AuditEvent.raw(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'rapport_audit_event' "
        "AND sql IS NOT NULL"
    )
    table_sql = next(row["sql"] for row in rows if row["type"] == "table")
    if "AUTOINCREMENT" in table_sql.upper():
        return
    primary = '"id" INTEGER PRIMARY KEY NOT NULL'
    if primary not in table_sql:
        raise RuntimeError(f"unexpected rapport_audit_event definition: {table_sql}")
    rebuilt = table_sql.replace(primary, '"id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL', 1)
    rebuilt = rebuilt.replace('"rapport_audit_event"', '"rapport_audit_event_rebuilt"', 1)
    await AuditEvent.raw(rebuilt)
    await AuditEvent.raw("INSERT INTO rapport_audit_event_rebuilt SELECT * FROM rapport_audit_event")
    await AuditEvent.raw("DROP TABLE rapport_audit_event")
    await AuditEvent.raw("ALTER TABLE rapport_audit_event_rebuilt RENAME TO rapport_audit_event")
    for row in rows:
        if row["type"] == "index":
            await AuditEvent.raw(row["sql"])


async def chain_firm(firm: int) -> None:
    """Chain one firm's events in id order and record its chain head."""
    previous, last_id, count = GENESIS, 0, 0
    while True:
        batch = await AuditEvent.raw(
            "SELECT * FROM rapport_audit_event WHERE firm = {} AND id > {} ORDER BY id LIMIT {}",
            firm,
            last_id,
            BATCH,
        )
        if not batch:
            break
        for event in batch:
            event["prev_hash"] = previous
            previous = event_hash(event)
            await AuditEvent.raw(
                "UPDATE rapport_audit_event SET prev_hash = {}, hash = {} WHERE id = {}",
                event["prev_hash"],
                previous,
                event["id"],
            )
            last_id = event["id"]
            count += 1
    await AuditEvent.raw(
        "INSERT INTO rapport_audit_chain_head (firm, last_event_id, last_hash, events, "
        "updated_at) VALUES ({}, {}, {}, {}, {})",
        firm,
        last_id,
        previous,
        count,
        now(),
    )


async def backfill_chain() -> None:
    firms = await AuditEvent.raw(
        "SELECT DISTINCT firm FROM rapport_audit_event WHERE firm IS NOT NULL ORDER BY firm"
    )
    for row in firms:
        await chain_firm(row["firm"])


async def protect_events() -> None:
    await protect_table("rapport_audit_event", "at")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="rapport", description=DESCRIPTION)
    manager.add_raw(never_reuse_ids)
    manager.add_raw(backfill_chain)
    manager.add_raw(protect_events)
    return manager
