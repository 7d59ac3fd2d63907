"""Facts the compliance rules read that nobody recorded before: a partner's registration
(adviser or broker), a referral's AICPA and RESPA facts, and what a reciprocal referral
agreement says. Every column is nullable with no default: not recorded stays absent."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T18:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Partner registration, referral compliance facts, reciprocal agreements"

#: (table class, table name, column, column class, extra params)
COLUMNS = [
    ("Partner", "rapport_partner", "registration", Varchar, {"length": 20}),
    ("Referral", "rapport_referral", "client_is_attest_client", Boolean, {}),
    ("Referral", "rapport_referral", "settlement_service", Boolean, {}),
    ("Referral", "rapport_referral", "federally_related_loan", Boolean, {}),
    ("AgreementVersion", "rapport_agreement_version", "exclusive", Boolean, {}),
    ("AgreementVersion", "rapport_agreement_version", "client_informed", Boolean, {}),
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
