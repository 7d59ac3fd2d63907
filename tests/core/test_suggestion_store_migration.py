"""The migration to one merge-suggestion store moves every row of both old stores, decided
or not, on a database of its own (SQLite, or PostgreSQL when the tests run there)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from urllib.parse import urlparse, urlunparse

import pytest

BEFORE = "2026-12-02T18:20:00:000000"  # the last migration before the one store

SCRIPT = r"""
import asyncio, json, sys
from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager
from rapport_core import db
from rapport_core.tables import Firm

async def main():
    result = await ForwardsMigrationManager(app_name="rapport", migration_id=sys.argv[1]).run()
    assert result.success, result.message
    raw = Firm.raw
    [firm] = await raw("INSERT INTO rapport_firm (name, slug) VALUES ('Old', 'old') RETURNING id")
    firm = firm["id"]
    ids = []
    for name in ("Ann Lee", "Ann Lee (imported)", "Bo Chen", "Bo Chen (imported)"):
        [row] = await raw(
            "INSERT INTO rapport_partner (firm, name, profession, created_at, updated_at) "
            "VALUES ({}, {}, 'cpa', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id",
            firm, name,
        )
        ids.append(row["id"])
    [connection] = await raw(
        "INSERT INTO rapport_crm_connection (firm, connector, key, base_url, created_at, "
        "updated_at) VALUES ({}, 'clio', {}, 'https://app.clio.com', CURRENT_TIMESTAMP, "
        "CURRENT_TIMESTAMP) RETURNING id", firm, f"{firm}:clio",
    )
    for id_, created, earlier, status in ((7, ids[1], ids[0], "dismissed"),
                                          (8, ids[3], ids[2], "pending")):
        await raw(
            "INSERT INTO rapport_merge_suggestion (id, firm, partner, candidate, reason, source, "
            "status, created_at) VALUES ({}, {}, {}, {}, 'same name and organisation', "
            "'outlook', {}, CURRENT_TIMESTAMP)", id_, firm, created, earlier, status,
        )
    record = json.dumps({"external_id": "c-1", "name": "Ann Lee", "organisation": "Lee CPA",
                         "email": "ann@lee.example"})
    await raw(
        "INSERT INTO rapport_crm_merge_suggestion (firm, connection, connector, external_id, "
        "key, partner, record, status, created_at) VALUES ({}, {}, 'clio', 'c-1', {}, {}, {}, "
        "'pending', CURRENT_TIMESTAMP)", firm, connection["id"], f"{firm}:clio:c-1", ids[0],
        record,
    )
    await db.migrate()
    rows = await raw(
        "SELECT id, firm, partner, duplicate, origin, source, status, connection, connector, "
        "external_id, key, record FROM rapport_merge_suggestion ORDER BY id"
    )
    [fresh] = await raw(
        "INSERT INTO rapport_merge_suggestion (firm, partner, origin, record) "
        "VALUES ({}, {}, 'import', '[]') RETURNING id", firm, ids[0],
    )
    print(json.dumps({"rows": rows, "ids": ids, "connection": connection["id"],
                      "fresh": fresh["id"], "firm": firm}, default=str))

asyncio.run(main())
"""


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of an empty database, of the kind the tests run on."""
    admin = os.environ.get("RAPPORT_TEST_DATABASE_URL", "")
    if not admin:
        yield f"sqlite:///{tmp_path / 'old.sqlite'}"
        return
    import asyncio

    import asyncpg

    name = f"rapport_migration_{uuid.uuid4().hex[:8]}"

    async def admin_sql(sql: str) -> None:
        connection = await asyncpg.connect(admin)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(admin_sql(f'CREATE DATABASE "{name}"'))
    try:
        yield urlunparse(urlparse(admin)._replace(path=f"/{name}"))
    finally:
        asyncio.run(admin_sql(f'DROP DATABASE "{name}" WITH (FORCE)'))


def test_both_old_stores_move_into_one(fresh_database, tmp_path):
    env = {**os.environ, "RAPPORT_DATABASE_URL": fresh_database, "RAPPORT_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, BEFORE], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    ann, ann_imported, bo, bo_imported = out["ids"]
    rows = {row["id"]: row for row in out["rows"]}
    assert len(rows) == 3
    # The imports' rows keep their ids; the earlier partner is ``partner`` now.
    assert (rows[7]["partner"], rows[7]["duplicate"], rows[7]["status"]) == (
        ann, ann_imported, "separate",
    )  # fmt: skip
    assert (rows[8]["partner"], rows[8]["duplicate"], rows[8]["status"]) == (
        bo, bo_imported, "pending",
    )  # fmt: skip
    assert rows[7]["origin"] == rows[8]["origin"] == "import"
    [crm] = [row for id_, row in rows.items() if id_ not in (7, 8)]
    assert crm["id"] > 8 and crm["origin"] == "crm" and crm["status"] == "pending"
    assert (crm["partner"], crm["connection"], crm["external_id"]) == (
        ann, out["connection"], "c-1",
    )  # fmt: skip
    assert crm["key"] == f"{out['firm']}:clio:c-1"
    record = crm["record"] if isinstance(crm["record"], dict) else json.loads(crm["record"])
    assert record["email"] == "ann@lee.example"
    assert out["fresh"] > crm["id"]  # new suggestions take the next id
