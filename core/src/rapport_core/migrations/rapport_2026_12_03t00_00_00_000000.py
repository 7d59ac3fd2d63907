"""One store of merge suggestions: the CRM sync's (``rapport_crm_merge_suggestion``) and the
imports' (``rapport_merge_suggestion``) become one table, ``rapport_merge_suggestion``.

Every row is kept, decided or not. An import's row keeps its id; its ``candidate`` (the
earlier partner) becomes ``partner`` and its ``partner`` (the one the import created) becomes
``duplicate``; "dismissed" becomes "separate". A CRM row becomes ``origin = 'crm'`` with its
connection, external id and record. The table is rebuilt (SQLite cannot change a column in
place), in SQL both databases accept, in the column types Piccolo declares."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "One merge-suggestion store for CRM syncs and imports"


class Raw(Table, tablename="rapport_firm"):
    pass


def _fk(table: str, on_delete: str) -> str:
    return f'INTEGER REFERENCES "{table}" ("id") ON DELETE {on_delete} ON UPDATE CASCADE DEFAULT null'


def _create(serial: str) -> str:
    return f"""CREATE TABLE "rapport_merge_suggestion_new" (
        "id" {serial},
        "firm" {_fk("rapport_firm", "CASCADE")},
        "partner" {_fk("rapport_partner", "CASCADE")},
        "origin" VARCHAR(20) NOT NULL DEFAULT '',
        "source" VARCHAR(300) NOT NULL DEFAULT '',
        "reason" TEXT NOT NULL DEFAULT '',
        "duplicate" {_fk("rapport_partner", "SET NULL")},
        "import_run" {_fk("rapport_import_run", "SET NULL")},
        "connection" {_fk("rapport_crm_connection", "CASCADE")},
        "connector" VARCHAR(40) NOT NULL DEFAULT '',
        "external_id" VARCHAR(100) NOT NULL DEFAULT '',
        "key" VARCHAR(200) UNIQUE DEFAULT null,
        "record" JSON NOT NULL,
        "status" VARCHAR(20) NOT NULL DEFAULT 'pending',
        "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        "decided_by" VARCHAR(300) DEFAULT null,
        "decided_at" TIMESTAMPTZ DEFAULT null
    )"""


# Piccolo reads "{}" in raw SQL as a placeholder: the empty JSON object is a parameter.
MOVE_IMPORTS = """
INSERT INTO "rapport_merge_suggestion_new"
    (id, firm, partner, origin, source, reason, duplicate, record, status, created_at,
     decided_by, decided_at)
SELECT id, firm, candidate, 'import', source, reason, partner, {},
       CASE status WHEN 'dismissed' THEN 'separate' ELSE status END,
       created_at, decided_by, decided_at
FROM "rapport_merge_suggestion"
"""
MOVE_CRM = """
INSERT INTO "rapport_merge_suggestion_new"
    (firm, partner, origin, source, reason, connection, connector, external_id, key, record,
     status, created_at, decided_by, decided_at)
SELECT firm, partner, 'crm', connector, 'same name and organisation', connection, connector,
       external_id, key, record, status, created_at, decided_by, decided_at
FROM "rapport_crm_merge_suggestion"
ORDER BY id
"""
INDEXES = ("firm", "partner", "duplicate", "connection", "status")


async def merge_stores() -> None:
    from piccolo.engine.postgres import PostgresEngine

    postgres = isinstance(Raw._meta.db, PostgresEngine)
    await Raw.raw(_create("SERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY NOT NULL"))
    await Raw.raw(MOVE_IMPORTS, "{}")
    if postgres:  # the imports' ids were given: the CRM rows' come after them
        await Raw.raw(
            "SELECT setval(pg_get_serial_sequence('rapport_merge_suggestion_new', 'id'), "
            "COALESCE((SELECT MAX(id) FROM rapport_merge_suggestion_new), 0) + 1, false)"
        )
    await Raw.raw(MOVE_CRM)
    await Raw.raw('DROP TABLE "rapport_merge_suggestion"')
    await Raw.raw('DROP TABLE "rapport_crm_merge_suggestion"')
    await Raw.raw('ALTER TABLE "rapport_merge_suggestion_new" RENAME TO "rapport_merge_suggestion"')
    for column in INDEXES:
        await Raw.raw(
            f'CREATE INDEX "rapport_merge_suggestion_{column}" ON "rapport_merge_suggestion" '
            f'("{column}")'
        )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="rapport", description=DESCRIPTION)
    manager.add_raw(merge_stores)
    return manager
