"""Retain 1099-NEC filings: the database refuses UPDATE and DELETE of a filing younger than
the retention period (7 years from generation), on SQLite and PostgreSQL alike."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from rapport_core.audit.retention import protect_table

ID = "2026-12-02T07:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Retain 1099-NEC filings"


async def protect() -> None:
    await protect_table("rapport_tax_filing", "generated_at")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="rapport", description=DESCRIPTION)
    manager.add_raw(protect)
    return manager
