"""Fill the columns added by the previous migration for referrals that already exist:
client identity keys (for the duplicate check) and milestone times (from stage history).

Piccolo runs a migration's raw steps before its schema changes, hence a migration of its own.
The table below names only the columns this step reads and writes, as they are today.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Varchar
from piccolo.table import Table

from rapport_core.identity import email_key, name_key, phone_key

ID = "2026-11-23T03:22:52:000000"
VERSION = "1.38.0"
DESCRIPTION = "Backfill referral identity keys and milestone times"

MILESTONE_STAGES = {
    "acknowledged_at": "('acknowledged')",
    "first_contact_at": "('contacted')",
    "closed_at": "('engaged', 'declined', 'lost')",
}


class Referral(Table, tablename="rapport_referral"):
    client_name = Varchar()
    client_company = Varchar()
    client_email = Varchar(null=True)
    client_phone = Varchar(null=True)
    client_email_key = Varchar()
    client_phone_key = Varchar()
    client_name_key = Varchar()


async def backfill() -> None:
    rows = await Referral.select(
        Referral.id,
        Referral.client_name,
        Referral.client_company,
        Referral.client_email,
        Referral.client_phone,
    )
    for row in rows:
        await Referral.update(
            {
                Referral.client_email_key: email_key(row["client_email"]),
                Referral.client_phone_key: phone_key(row["client_phone"]),
                Referral.client_name_key: name_key(row["client_name"], row["client_company"]),
            }
        ).where(Referral.id == row["id"])
    for column, stages in MILESTONE_STAGES.items():
        await Referral.raw(
            f"UPDATE rapport_referral SET {column} = ("
            "SELECT MIN(c.changed_at) FROM rapport_referral_stage_change c "
            f"WHERE c.referral = rapport_referral.id AND c.to_stage IN {stages})"
        )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="rapport", description=DESCRIPTION)
    manager.add_raw(backfill)
    return manager
