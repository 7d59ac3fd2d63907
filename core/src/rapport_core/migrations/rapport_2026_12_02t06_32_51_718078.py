"""The round-robin turn (one row per firm, taken atomically), when a draft's send began (so a
send cut off mid-way can be requeued), and a partial index of paid referrals for the payout
timings (few rows; every other referral is left out of it)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete
from piccolo.columns.base import OnUpdate
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Integer
from piccolo.columns.column_types import Serial
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Firm(Table, tablename="rapport_firm", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


ID = "2026-12-02T06:32:51:718078"
VERSION = "1.38.0"
DESCRIPTION = "Round-robin turn, draft send time, paid referrals index"


PAID_INDEX = (
    "CREATE INDEX IF NOT EXISTS rapport_referral_paid ON rapport_referral "
    "(firm, referred_at, direction, closed_at, paid_at) WHERE paid_at IS NOT NULL"
)


async def create_paid_index() -> None:
    await Firm.raw(PAID_INDEX)


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="rapport", description=DESCRIPTION
    )

    manager.add_table(
        class_name="RoundRobinTurn",
        tablename="rapport_round_robin_turn",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="RoundRobinTurn",
        tablename="rapport_round_robin_turn",
        column_name="firm",
        db_column_name="firm",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Firm,
            "on_delete": OnDelete.cascade,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": True,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="RoundRobinTurn",
        tablename="rapport_round_robin_turn",
        column_name="last_owner",
        db_column_name="last_owner",
        column_class_name="Integer",
        column_class=Integer,
        params={
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

    manager.add_column(
        table_class_name="MessageDraft",
        tablename="rapport_message_draft",
        column_name="sending_since",
        db_column_name="sending_since",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
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

    manager.add_raw(create_paid_index)

    return manager
