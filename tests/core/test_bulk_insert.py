"""Bulk writes (imports, CRM syncs) store exactly what the ORM stores, and the collector
pause they run under leaves the garbage collector as it found it."""

import datetime as dt
import gc

from rapport_core.services.common import bulk_insert, collector_paused, transaction
from rapport_core.tables import Partner


def _partner(firm_id: int, name: str, stamp: dt.datetime) -> dict:
    return {
        "firm": firm_id,
        "name": name,
        "organisation": "Lée & Partners",
        "profession": "cpa",
        "specialties": ["Estate planning", "Trusts, wills"],
        "tags": [],
        "email": None,
        "external_ids": {"clio": "42", "hubspot": "é"},
        "created_at": stamp,
        "updated_at": stamp,
    }


async def test_bulk_rows_read_back_as_the_orm_writes_them(firm):
    # A time that is not UTC: stored as UTC, like Piccolo's own adapter does.
    stamp = dt.datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    orm = Partner(**_partner(firm.id, "Through the ORM", stamp))
    await orm.save()
    async with transaction():
        ids = await bulk_insert(Partner, [_partner(firm.id, f"Bulk {n}", stamp) for n in range(3)])

    rows = await Partner.select().where(Partner.id.is_in([orm.id, *ids])).order_by(Partner.id)
    assert [row["id"] for row in rows] == [orm.id, *ids]
    columns = ("specialties", "tags", "email", "external_ids", "created_at", "organisation")
    expected = {name: rows[0][name] for name in columns}
    assert expected["created_at"] == stamp and expected["specialties"][1] == "Trusts, wills"
    for row in rows[1:]:
        assert {name: row[name] for name in columns} == expected
    # Searches that read the stored text (the array as JSON) find bulk rows too.
    found = await Partner.select(Partner.id).where(
        Partner.firm == firm.id, Partner.specialties.any("Trusts, wills")
    )
    assert {row["id"] for row in found} == {orm.id, *ids}


def test_collector_pause_nests_and_restores():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer batch is still running
    assert gc.isenabled()


def test_collector_left_alone_when_someone_else_disabled_it():
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
