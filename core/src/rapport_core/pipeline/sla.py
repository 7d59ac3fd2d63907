"""Service-level agreements on received referrals: what is overdue, and by how much.

Each SLA is a due time computed from the referral's milestone columns and the firm's
``sla`` settings (see docs/pipeline.md). The overdue rows are found by one query per SLA:
the condition "due time < now" is rewritten as "start time < now - allowance", which both
SQLite and PostgreSQL compare on timestamp columns without date arithmetic.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from piccolo.columns.combination import WhereRaw
from piccolo.query import OrderByRaw
from pydantic import BaseModel

from rapport_core.actors import Actor
from rapport_core.clock import as_utc, now
from rapport_core.services.firm_settings import firm_settings
from rapport_core.tables import Referral
from rapport_core.vocabulary import OPEN_STAGES, Direction

SlaKind = Literal["acknowledge", "first_contact", "partner_update"]


class SlaBreach(BaseModel):
    referral_id: int
    client_name: str
    partner_id: int | None
    partner_name: str | None
    owner_id: int | None
    kind: SlaKind
    due_at: dt.datetime
    overdue_hours: float


async def sla_breaches(
    actor: Actor, *, as_of: dt.datetime | None = None, limit: int | None = None
) -> list[SlaBreach]:
    """Every SLA an open received referral of the actor's firm has missed at ``as_of``
    (default now), most overdue first. A referral can breach several SLAs at once. With
    ``limit``, only the ``limit`` most overdue of each kind (what the briefing needs)."""
    as_of = as_of or now()
    sla = (await firm_settings(actor.firm_id)).sla
    allowances: dict[SlaKind, dt.timedelta] = {
        "acknowledge": dt.timedelta(hours=sla.acknowledge_hours),
        "first_contact": dt.timedelta(hours=sla.first_contact_hours),
        "partner_update": dt.timedelta(days=sla.partner_update_days),
    }
    # Each SLA's clock starts at one column: the referral, or the latest partner update.
    starts = {
        "acknowledge": (Referral.acknowledged_at.is_null(), "referred_at"),
        "first_contact": (Referral.first_contact_at.is_null(), "referred_at"),
        "partner_update": (
            Referral.partner.is_not_null(),
            "COALESCE(last_partner_update_at, referred_at)",
        ),
    }
    breaches = []
    for kind, (pending, start) in starts.items():
        cutoff = as_of - allowances[kind]
        query = (
            Referral.select(
                Referral.id,
                Referral.client_name,
                Referral.partner,
                Referral.partner.name.as_alias("partner_name"),
                Referral.owner,
                Referral.referred_at,
                Referral.last_partner_update_at,
            )
            .where(
                Referral.firm == actor.firm_id,
                Referral.direction == Direction.received.value,
                Referral.stage.is_in([stage.value for stage in OPEN_STAGES]),
                pending,
                WhereRaw(f"{start} < {{}}", cutoff),
            )
            .order_by(OrderByRaw(start))
        )
        if limit is not None:
            query = query.limit(limit)
        for row in await query:
            started = as_utc(row["referred_at"])
            if kind == "partner_update" and row["last_partner_update_at"]:
                started = max(started, as_utc(row["last_partner_update_at"]))
            due_at = started + allowances[kind]
            breaches.append(
                SlaBreach(
                    referral_id=row["id"],
                    client_name=row["client_name"],
                    partner_id=row["partner"],
                    partner_name=row["partner_name"],
                    owner_id=row["owner"],
                    kind=kind,
                    due_at=due_at,
                    overdue_hours=round((as_of - due_at).total_seconds() / 3600, 2),
                )
            )
    breaches.sort(key=lambda breach: (-breach.overdue_hours, breach.referral_id))
    return breaches
