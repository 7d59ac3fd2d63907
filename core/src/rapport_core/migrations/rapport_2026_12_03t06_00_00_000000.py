"""A CRM link remembers the raw record it last mapped (its hash under the connector's
mapping fingerprint), so a re-sync recognises an unchanged record without mapping it.
Nullable: links made before are mapped once more on their next sync, then remembered."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "CRM link: hash of the raw record last mapped"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="rapport", description=DESCRIPTION)
    manager.add_column(
        table_class_name="CrmLink",
        tablename="rapport_crm_link",
        column_name="raw_hash",
        db_column_name="raw_hash",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
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
