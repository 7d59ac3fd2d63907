"""Compliance: stored findings and per-firm pack settings. Written out as SQL both databases
accept (the engine's own tables are small and plain). Piccolo reads "{}" in raw SQL as a
placeholder, so no JSON column has a default here: every insert gives the value."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-02T07:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Compliance findings and settings"


class Raw(Table, tablename="rapport_firm"):
    pass


def _statements(serial: str, json_type: str) -> list[str]:
    return [
        f"""CREATE TABLE IF NOT EXISTS rapport_compliance_finding (
            id {serial},
            firm INTEGER NOT NULL REFERENCES rapport_firm (id) ON DELETE CASCADE,
            rule_id VARCHAR(200) NOT NULL,
            pack_id VARCHAR(100) NOT NULL,
            pack_version VARCHAR(40) NOT NULL,
            severity VARCHAR(20) NOT NULL,
            rule_subject VARCHAR(20) NOT NULL,
            subject_type VARCHAR(20) NOT NULL,
            subject_id INTEGER NOT NULL,
            partner_id INTEGER NULL,
            referral_id INTEGER NULL,
            title TEXT NOT NULL,
            message TEXT NOT NULL,
            citation TEXT NOT NULL,
            citation_url TEXT NULL,
            remediation TEXT NOT NULL,
            facts {json_type} NOT NULL,
            status VARCHAR(20) NOT NULL DEFAULT 'open',
            first_seen_at TIMESTAMPTZ NOT NULL,
            last_seen_at TIMESTAMPTZ NOT NULL,
            resolved_at TIMESTAMPTZ NULL,
            waived_by VARCHAR(300) NULL,
            waived_at TIMESTAMPTZ NULL,
            waive_reason TEXT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS rapport_compliance_finding_firm_status ON rapport_compliance_finding (firm, status)",
        "CREATE UNIQUE INDEX IF NOT EXISTS rapport_compliance_finding_identity ON rapport_compliance_finding "
        "(firm, pack_id, rule_id, subject_type, subject_id)",
        "CREATE INDEX IF NOT EXISTS rapport_compliance_finding_referral ON rapport_compliance_finding (firm, referral_id)",
        "CREATE INDEX IF NOT EXISTS rapport_compliance_finding_partner ON rapport_compliance_finding (firm, partner_id)",
        f"""CREATE TABLE IF NOT EXISTS rapport_compliance_settings (
            id {serial},
            firm INTEGER NOT NULL UNIQUE REFERENCES rapport_firm (id) ON DELETE CASCADE,
            enabled {json_type} NULL,
            pins {json_type} NOT NULL,
            last_evaluated_at TIMESTAMPTZ NULL,
            updated_at TIMESTAMPTZ NOT NULL
        )""",
    ]


async def create_tables() -> None:
    from piccolo.engine.postgres import PostgresEngine

    postgres = isinstance(Raw._meta.db, PostgresEngine)
    serial = "SERIAL PRIMARY KEY" if postgres else "INTEGER PRIMARY KEY AUTOINCREMENT"
    for statement in _statements(serial, "JSON" if postgres else "TEXT"):
        await Raw.raw(statement)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="rapport", description=DESCRIPTION)
    manager.add_raw(create_tables)
    return manager
