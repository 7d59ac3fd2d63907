"""A CRM link remembers the raw record it last mapped (its hash under the connector's
mapping fingerprint), so a re-sync recognises an unchanged record without mapping it; a
sync run records how many records the CRM said there were, for its progress bar.
Both nullable: links made before are mapped once more on their next sync, then remembered."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "CRM link: hash of the raw record last mapped; sync run: records to read"

#: (table class, table name, column, column class, extra params)
COLUMNS = [
    ("CrmLink", "rapport_crm_link", "raw_hash", Varchar, {"length": 64}),
    ("CrmSyncRun", "rapport_crm_sync_run", "total", Integer, {}),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="rapport", description=DESCRIPTION)
    for class_name, tablename, column, column_class, extra in COLUMNS:
        manager.add_column(
            table_class_name=class_name,
            tablename=tablename,
            column_name=column,
            db_column_name=column,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params={
                **extra,
                "default": None,
                "null": True,
                "primary_key": False,
                "unique": False,
                "index": False,
                "index_method": IndexMethod.btree,
                "choices": None,
                "db_column_name": None,
                "secret": False,
            },
            schema=None,
        )
    return manager
