"""Retention: rows of protected tables (audit events, tax records) cannot be changed or
deleted until the retention period, counted from a timestamp column, has passed.

Three layers refuse: no API route edits or deletes them, the services raise
:class:`Retained`, and the database's own triggers refuse ``UPDATE`` and ``DELETE`` of rows
younger than the period (SQLite and PostgreSQL alike). The period is data, one row per
table in ``rapport_retention_policy``, and a trigger keeps it from going below its legal
floor. How another domain protects its table: docs/audit.md.
"""

from __future__ import annotations

import re

from rapport_core import audit
from rapport_core.actors import Actor
from rapport_core.audit.tables import RetentionPolicy
from rapport_core.clock import now
from rapport_core.errors import Conflict, Forbidden, Invalid, NotFound
from rapport_core.sql import postgres
from rapport_core.vocabulary import Role

#: Years referral-fee and tax records are commonly kept (the IRS asks for 3 to 4; 7 is the
#: practice Rapport promises), and the least a firm may set.
DEFAULT_YEARS = 7
LEGAL_FLOOR_YEARS = 7

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class Retained(Conflict):
    """A change to a retained row, refused."""

    title = "Retained record"


def refuse(what: str, years: int = DEFAULT_YEARS) -> Retained:
    return Retained(
        f"{what} cannot be edited or deleted: audit events and tax records are retained "
        f"unchanged for {years} years (rapport_retention_policy)",
        rule="retention",
        retention_years=years,
    )


def _checked(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"{name!r} is not a plain lower-case SQL name")
    return name


# ----------------------------------------------------------------- the database's triggers

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION rapport_refuse_retained() RETURNS trigger AS $$
DECLARE
    kept_years integer;
    stamp timestamptz;
BEGIN
    SELECT years INTO kept_years FROM rapport_retention_policy WHERE table_name = TG_TABLE_NAME;
    kept_years := COALESCE(kept_years, {default});
    EXECUTE format('SELECT ($1).%I::timestamptz', TG_ARGV[0]) INTO stamp USING OLD;
    IF stamp IS NULL OR stamp > now() - make_interval(years => kept_years) THEN
        RAISE EXCEPTION 'rapport retention: % of a % row is refused; rows are kept unchanged for % years',
            TG_OP, TG_TABLE_NAME, kept_years
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""

_PG_POLICY_FUNCTION = """
CREATE OR REPLACE FUNCTION rapport_guard_retention_policy() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'rapport retention: a retention policy cannot be removed'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.floor_years < OLD.floor_years OR NEW.years < NEW.floor_years THEN
        RAISE EXCEPTION 'rapport retention: % cannot be kept fewer than % years (its legal floor)',
            OLD.table_name, OLD.floor_years
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""

_SQLITE_ROW_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS rapport_retain_{table}_{op_name}
BEFORE {op} ON {table}
WHEN OLD.{column} IS NULL OR julianday(OLD.{column}) > julianday('now', '-' || COALESCE(
    (SELECT years FROM rapport_retention_policy WHERE table_name = '{table}'), {default}
) || ' years')
BEGIN
    SELECT RAISE(ABORT, 'rapport retention: {op} of a {table} row is refused; rows are kept unchanged for the retention period in rapport_retention_policy');
END
"""

_SQLITE_POLICY_TRIGGERS = (
    """
    CREATE TRIGGER IF NOT EXISTS rapport_retention_policy_floor
    BEFORE UPDATE ON rapport_retention_policy
    WHEN NEW.floor_years < OLD.floor_years OR NEW.years < NEW.floor_years
    BEGIN
        SELECT RAISE(ABORT, 'rapport retention: a table cannot be kept fewer years than its legal floor');
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS rapport_retention_policy_kept
    BEFORE DELETE ON rapport_retention_policy
    BEGIN
        SELECT RAISE(ABORT, 'rapport retention: a retention policy cannot be removed');
    END
    """,
)


async def protect_table(
    table_name: str,
    column: str,
    *,
    years: int = DEFAULT_YEARS,
    floor_years: int = LEGAL_FLOOR_YEARS,
) -> None:
    """Make the database refuse UPDATE and DELETE of ``table_name`` rows whose ``column``
    (a timestamp) is younger than the retention period. Call it from a migration's raw step,
    after the table exists (``manager.add_raw(lambda: protect_table("rapport_x", "filed_at"))``
    in a migration of its own: Piccolo runs raw steps before the schema changes). Idempotent.
    """
    table_name, column = _checked(table_name), _checked(column)
    if years < floor_years:
        raise ValueError(f"{table_name}: {years} years is below the floor of {floor_years}")
    await RetentionPolicy.raw(
        "INSERT INTO rapport_retention_policy (table_name, counted_from, years, floor_years, "
        "updated_at) VALUES ({}, {}, {}, {}, {}) ON CONFLICT (table_name) DO NOTHING",
        table_name,
        column,
        years,
        floor_years,
        now(),
    )
    if postgres():
        await RetentionPolicy.raw(_PG_FUNCTION.replace("{default}", str(DEFAULT_YEARS)))
        await RetentionPolicy.raw(_PG_POLICY_FUNCTION)
        await RetentionPolicy.raw(
            "DROP TRIGGER IF EXISTS rapport_retention_policy_guard ON rapport_retention_policy"
        )
        await RetentionPolicy.raw(
            "CREATE TRIGGER rapport_retention_policy_guard BEFORE UPDATE OR DELETE ON "
            "rapport_retention_policy FOR EACH ROW EXECUTE FUNCTION rapport_guard_retention_policy()"
        )
        await RetentionPolicy.raw(
            f"DROP TRIGGER IF EXISTS rapport_retain_{table_name} ON {table_name}"
        )
        await RetentionPolicy.raw(
            f"CREATE TRIGGER rapport_retain_{table_name} BEFORE UPDATE OR DELETE ON {table_name} "
            f"FOR EACH ROW EXECUTE FUNCTION rapport_refuse_retained('{column}')"
        )
        return
    for statement in _SQLITE_POLICY_TRIGGERS:
        await RetentionPolicy.raw(statement)
    for op in ("UPDATE", "DELETE"):
        await RetentionPolicy.raw(
            _SQLITE_ROW_TRIGGER.format(
                table=table_name, column=column, op=op, op_name=op.lower(), default=DEFAULT_YEARS
            )
        )


# ----------------------------------------------------------------- reading and setting it


async def retention_policies() -> list[dict]:
    return await RetentionPolicy.select().order_by(RetentionPolicy.table_name)


async def retention_years(table_name: str) -> int:
    row = (
        await RetentionPolicy.select(RetentionPolicy.years)
        .where(RetentionPolicy.table_name == table_name)
        .first()
    )
    return row["years"] if row else DEFAULT_YEARS


async def set_retention_years(actor: Actor, table_name: str, years: int) -> dict:
    """Lengthen (or shorten, down to its floor) a table's retention period. The period
    applies to the whole database, so only an owner may change it; it is audited."""
    from rapport_core.services.common import transaction

    if actor.role is not Role.owner:
        raise Forbidden("only an owner can change the retention period")
    row = await RetentionPolicy.select().where(RetentionPolicy.table_name == table_name).first()
    if row is None:
        raise NotFound(f"no retention policy for {table_name!r}", field="table_name")
    if years < row["floor_years"]:
        raise Invalid(
            f"{table_name} must be kept at least {row['floor_years']} years (its legal floor)",
            field="years",
        )
    async with transaction():
        await RetentionPolicy.update(
            {RetentionPolicy.years: years, RetentionPolicy.updated_at: now()}
        ).where(RetentionPolicy.table_name == table_name)
        await audit.record(
            actor,
            "retention.update",
            "retention_policy",
            table_name,
            before={"years": row["years"]},
            after={"years": years},
        )
    return {**row, "years": years}
