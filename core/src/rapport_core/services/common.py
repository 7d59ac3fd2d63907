"""Helpers shared by the services."""

from __future__ import annotations

import datetime as dt
import gc
import json
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, contextmanager
from decimal import ROUND_HALF_EVEN, Decimal
from operator import itemgetter

import asyncpg
from piccolo.columns import JSON, Array, Timestamp, Timestamptz
from piccolo.engine.sqlite import convert_array_in, convert_datetime_in
from piccolo.table import Table
from piccolo.utils.encoding import ORJSON
from pydantic import BaseModel

from rapport_core.actors import Actor
from rapport_core.errors import Conflict, Invalid, NotFound
from rapport_core.tables import Firm


def db():
    """The engine every table is bound to (one database per process)."""
    return Firm._meta.db


def transaction():
    """A transaction on the shared engine; queries inside it join it automatically."""
    return db().transaction()


@asynccontextmanager
async def conflict_on_duplicate(message: str, field: str) -> AsyncIterator[None]:
    """Turn the database's unique-constraint error into a 409 naming ``field``. Checking
    first and inserting second would race; the constraint is the one true check."""
    try:
        yield
    except (sqlite3.IntegrityError, asyncpg.UniqueViolationError) as error:
        if isinstance(error, sqlite3.IntegrityError) and "UNIQUE" not in str(error):
            raise
        raise Conflict(message, field=field) from error


async def get_scoped(
    table: type[Table], actor: Actor, row_id: int, what: str, *, field: str | None = None
) -> dict:
    """The row ``row_id`` of ``table`` if it belongs to the actor's firm, else NotFound.

    Another firm's row and a missing row look the same, so ids reveal nothing across firms.
    """
    row = (
        await table.select()
        .where(table.id == row_id, table._meta.get_column_by_name("firm") == actor.firm_id)
        .first()
        .output(load_json=True)
    )
    if row is None:
        raise NotFound(f"{what} {row_id} not found", field=field)
    return row


async def require_in_firm(
    table: type[Table], actor: Actor, row_id: int | None, what: str, field: str
) -> None:
    """A referenced id (``partner_id``, ``owner_id``…) must name a row of the actor's firm."""
    firm_column = table._meta.get_column_by_name("firm")
    if row_id is not None and not await table.exists().where(
        table.id == row_id, firm_column == actor.firm_id
    ):
        raise NotFound(f"{what} {row_id} not found", field=field)


def to_cents(amount: Decimal | None) -> int | None:
    if amount is None:
        return None
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def from_cents(cents: int | None) -> Decimal | None:
    return None if cents is None else (Decimal(cents) / 100).quantize(Decimal("0.01"))


def ilike(column, pattern: str):
    """Case-insensitive LIKE on both engines (SQLite's LIKE already ignores ASCII case)."""
    return column.like(pattern) if column._meta.engine_type == "sqlite" else column.ilike(pattern)


def like_term(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere. LIKE's own wildcards are dropped from the
    text because SQLite and PostgreSQL disagree on escaping them."""
    return "%" + text.replace("%", "").replace("_", "").strip().lower() + "%"


def changes(data: BaseModel, *, required: tuple[str, ...], mode: str = "json") -> dict:
    """The fields a partial update actually sent; a required field sent as null is an error."""
    sent = data.model_dump(mode=mode, exclude_unset=True)
    for name in required:
        if name in sent and sent[name] is None:
            raise Invalid(f"{name} cannot be null", field=name)
    return sent


_paused = 0


@contextmanager
def collector_paused():
    """The cyclic garbage collector paused for a batch (a sync's page, an import's rows).
    A batch makes tens of thousands of objects that reference counting frees; each of the
    collector's passes over them, and over everything else the process holds, finds
    nothing, and together they cost a third of a CRM sync's time. Nested and concurrent
    batches share one pause; the collector runs again when the last ends."""
    global _paused
    if _paused == 0 and not gc.isenabled():
        yield  # paused by someone else (or a test): leave it as it is
        return
    _paused += 1
    gc.disable()
    try:
        yield
    finally:
        _paused -= 1
        if _paused == 0:
            gc.enable()


#: Rows per multi-row INSERT: under both databases' limit of 32,766 bound values.
BULK_CHUNK = 500


async def bulk_insert(table: type[Table], rows: list[dict], *, on_chunk=None) -> list[int]:
    """Insert ``rows`` (column name -> value) with multi-row INSERTs on the connection of the
    open transaction, and return their ids in order (as Piccolo's own ``insert().returning``
    does). For imports and syncs: building one Piccolo object per row costs more than the
    database's work. JSON values are serialised here (on SQLite lists and times too, see
    :func:`_sqlite_values`); the rest is adapted by the driver as Piccolo has set it up."""
    if not rows:
        return []
    engine = table._meta.db
    current = engine.current_transaction.get()
    if current is None:
        raise RuntimeError("bulk_insert runs inside a transaction")
    names = list(rows[0])
    json_names = {c._meta.db_column_name for c in table._meta.columns if isinstance(c, JSON)}
    if engine.engine_type != "sqlite":
        return await _copy_rows(current.connection, table, names, json_names, rows, on_chunk)
    column_list = ", ".join(f'"{name}"' for name in names)
    group = f"({', '.join('?' for _ in names)})"
    values_of = _sqlite_values(table, names, json_names)
    ids: list[int] = []
    for start in range(0, len(rows), BULK_CHUNK):
        chunk = rows[start : start + BULK_CHUNK]
        params = [value for row in chunk for value in values_of(row)]
        sql = (
            f'INSERT INTO "{table._meta.tablename}" ({column_list}) VALUES '
            f'{", ".join([group] * len(chunk))} RETURNING "id"'
        )
        cursor = await current.connection.execute(sql, params)
        fetched = await cursor.fetchall()
        await cursor.close()
        ids += [row["id"] if isinstance(row, dict) else row[0] for row in fetched]
        if on_chunk:
            on_chunk(len(chunk))
    return ids


def _sqlite_values(table: type[Table], names: list[str], json_names: set[str]):
    """A row's values as Piccolo's SQLite adapters would store them, converted here: the
    adapters run once per value inside the driver, and for lists (JSON text) they cost
    more than the insert itself. Types without a fast path are left to the adapters."""
    columns = {column._meta.db_column_name: column for column in table._meta.columns}
    times: dict[dt.datetime, str] = {}  # a bulk insert's rows share their stamps

    def json_text(value):
        return value if type(value) is str else json.dumps(value)

    def array_text(value):
        if ORJSON or not all(type(item) is str for item in value):
            return convert_array_in(value)
        return json.dumps(value)  # what convert_array_in writes for a list of strings

    def time_text(value):
        if type(value) is not dt.datetime:
            return value
        text = times.get(value)
        if text is None:
            text = times[value] = convert_datetime_in(value)
        return text

    converters = []
    for position, name in enumerate(names):
        column = columns.get(name)
        if name in json_names:
            converters.append((position, json_text))
        elif isinstance(column, Array):
            converters.append((position, array_text))
        elif isinstance(column, Timestamptz | Timestamp):
            converters.append((position, time_text))
    get = itemgetter(*names)

    def values_of(row: dict) -> list:
        values = list(get(row)) if len(names) > 1 else [get(row)]
        for position, convert in converters:
            if values[position] is not None:
                values[position] = convert(values[position])
        return values

    return values_of


#: Rows per COPY on PostgreSQL (a progress report after each).
COPY_CHUNK = 5000
#: Bulk inserts smaller than this never refresh the planner's statistics.
ANALYZE_AT_LEAST = 200
#: Table name -> its id sequence (a round trip saved per bulk insert).
_SEQUENCES: dict[str, str] = {}


async def _copy_rows(connection, table, names, json_names, rows, on_chunk) -> list[int]:
    """PostgreSQL: the ids are taken from the table's sequence first (in ascending order, so
    rows keep the order they were given, as an audit chain needs), then the rows are sent
    with COPY: far cheaper than parsing and planning INSERTs with thousands of parameters."""
    tablename = table._meta.tablename
    sequence = _SEQUENCES.get(tablename)
    if sequence is None:
        sequence = await connection.fetchval("SELECT pg_get_serial_sequence($1, 'id')", tablename)
        _SEQUENCES[tablename] = sequence
    reserved = await connection.fetch(
        "SELECT nextval($1::regclass) AS id FROM generate_series(1, $2)", sequence, len(rows)
    )
    ids = sorted(row["id"] for row in reserved)
    json_at = [name in json_names for name in names]
    for start in range(0, len(rows), COPY_CHUNK):
        chunk = rows[start : start + COPY_CHUNK]
        records = []
        for id_, row in zip(ids[start:], chunk, strict=False):
            values = [id_]
            for name, is_json in zip(names, json_at, strict=True):
                value = row[name]
                if is_json and not isinstance(value, str):
                    value = json.dumps(value)
                values.append(value)
            records.append(values)
        await connection.copy_records_to_table(tablename, records=records, columns=["id", *names])
        if on_chunk:
            on_chunk(len(chunk))
    await _analyze_if_grown(connection, tablename, len(rows))
    return ids


async def _analyze_if_grown(connection, tablename: str, added: int) -> None:
    """Refresh the planner's statistics when a bulk insert grew a table by more than a fifth.
    Autovacuum does so only after a while; until then the planner still sees the table as it
    was (empty, for a new firm's first sync), and the sync's next lookups and the foreign-key
    checks of its next COPY become scans: a 10,000-contact first sync took 19 s instead of
    3 s. ANALYZE in the transaction counts the rows it has written."""
    if added < ANALYZE_AT_LEAST:
        return
    estimate = await connection.fetchval(
        "SELECT reltuples FROM pg_class WHERE oid = $1::regclass", tablename
    )
    if estimate is None or added > max(estimate, 0) * 0.2:
        await connection.execute(f'ANALYZE "{tablename}"')
