"""Tampering with the audit log as an attacker with database access would: the retention
triggers are lifted for one transaction (PostgreSQL: replica mode; SQLite: dropped and
re-created inside the transaction), so the tests can check that `verify` notices."""

from contextlib import asynccontextmanager

from rapport_core.audit.retention import protect_table
from rapport_core.services.common import transaction
from rapport_core.sql import postgres
from rapport_core.tables import AuditEvent


@asynccontextmanager
async def triggers_lifted():
    async with transaction():
        if postgres():
            await AuditEvent.raw("SET LOCAL session_replication_role = replica")
        else:
            for op in ("update", "delete"):
                await AuditEvent.raw(f"DROP TRIGGER rapport_retain_rapport_audit_event_{op}")
        yield
        if not postgres():
            await protect_table("rapport_audit_event", "at")


async def tamper(sql: str, *args) -> None:
    async with triggers_lifted():
        await AuditEvent.raw(sql, *args)


async def firm_events(firm_id: int) -> list[dict]:
    return await AuditEvent.select().where(AuditEvent.firm == firm_id).order_by(AuditEvent.id)
