"""Indexes for the insights' grouped queries: per firm over a period (covering the figures
they add up), per partner in time order, and each referral's stage history in time order;
and for the partner list, in name order.
Piccolo declares single-column indexes only, so these are written out; both databases
accept the same statements."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-23T07:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Composite indexes for insights"

INDEXES = {
    "rapport_referral_firm_time_figures": "rapport_referral (firm, referred_at, direction, "
    "stage, partner, actual_value_cents, estimated_value_cents, first_contact_at)",
    "rapport_referral_firm_partner_time": "rapport_referral (firm, partner, referred_at, "
    "direction, actual_value_cents)",
    "rapport_referral_firm_stage": "rapport_referral (firm, stage, direction, referred_at)",
    "rapport_stage_change_referral_time": "rapport_referral_stage_change (referral, changed_at)",
    "rapport_activity_firm_partner_day": "rapport_activity (firm, partner, occurred_on)",
    "rapport_partner_firm_name": "rapport_partner (firm, name)",  # the partner list's order
    # A firm's latest audit event is its data version (rapport_core.insights.freshness).
    "rapport_audit_event_firm_id": "rapport_audit_event (firm, id)",
}


class Raw(Table, tablename="rapport_firm"):
    pass


async def create_indexes() -> None:
    for name, target in INDEXES.items():
        await Raw.raw(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")
    await Raw.raw("ANALYZE")  # so the planner knows them from the start


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="rapport", description=DESCRIPTION)
    manager.add_raw(create_indexes)
    return manager
