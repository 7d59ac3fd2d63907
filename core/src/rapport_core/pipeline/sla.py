"""Service-level agreements on received referrals: what is overdue, and by how much.

Each SLA is a due time computed from the referral's milestone columns and the firm's
``sla`` settings (see docs/pipeline.md). One query reads the open received referrals (a
referral is open for days or weeks, so they are few whatever the history) and each SLA's
due time is worked out from them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Literal

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


#: One SLA's clock on one referral: its kind, when the clock started, the referral's row.
SlaClock = tuple[SlaKind, dt.datetime, dict]


async def sla_breaches(
    actor: Actor, *, as_of: dt.datetime | None = None, limit: int | None = None
) -> list[SlaBreach]:
    """Every SLA an open received referral of the actor's firm has missed at ``as_of``
    (default now), most overdue first. A referral can breach several SLAs at once. With
    ``limit``, only the ``limit`` most overdue of each kind (what the briefing needs)."""
    as_of = as_of or now()
    return breaches_at(await sla_clocks(actor), await sla_allowances(actor), as_of, limit)


async def sla_allowances(actor: Actor) -> dict[SlaKind, dt.timedelta]:
    sla = (await firm_settings(actor.firm_id)).sla
    return {
        "acknowledge": dt.timedelta(hours=sla.acknowledge_hours),
        "first_contact": dt.timedelta(hours=sla.first_contact_hours),
        "partner_update": dt.timedelta(days=sla.partner_update_days),
    }


async def sla_clocks(actor: Actor, referral_ids: Collection[int] | None = None) -> list[SlaClock]:
    """The running SLA clocks of the open received referrals (of ``referral_ids``, or all),
    whether late yet or not: what :func:`breaches_at` times at any moment."""
    # The open received referrals are few (closed ones are most of the history), so one
    # query finds them by stage on the (firm, stage, direction) index and each SLA is
    # checked here; asking the database for "start < cutoff" lets it walk the time index
    # through the whole history instead.
    query = Referral.select(
        Referral.id,
        Referral.client_name,
        Referral.partner,
        Referral.partner.name.as_alias("partner_name"),
        Referral.owner,
        Referral.referred_at,
        Referral.acknowledged_at,
        Referral.first_contact_at,
        Referral.last_partner_update_at,
    ).where(
        Referral.firm == actor.firm_id,
        Referral.stage.is_in([stage.value for stage in OPEN_STAGES]),
        Referral.direction == Direction.received.value,
    )
    if referral_ids is not None:
        query = query.where(Referral.id.is_in(list(referral_ids) or [0]))
    clocks: list[SlaClock] = []
    for row in await query:
        referred = as_utc(row["referred_at"])
        # Each SLA's clock starts at one moment: the referral, or the latest partner update.
        if row["acknowledged_at"] is None:
            clocks.append(("acknowledge", referred, row))
        if row["first_contact_at"] is None:
            clocks.append(("first_contact", referred, row))
        if row["partner"] is not None:
            update = row["last_partner_update_at"]
            started = max(referred, as_utc(update)) if update else referred
            clocks.append(("partner_update", started, row))
    return clocks


def breaches_at(
    clocks: list[SlaClock],
    allowances: dict[SlaKind, dt.timedelta],
    as_of: dt.datetime,
    limit: int | None = None,
) -> list[SlaBreach]:
    """The clocks past their allowance at ``as_of``, most overdue first; with ``limit``,
    only the ``limit`` most overdue of each kind become breaches."""
    late: dict[SlaKind, list[tuple[dt.datetime, int, dict]]] = {kind: [] for kind in allowances}
    for kind, started, row in clocks:
        if started < as_of - allowances[kind]:
            late[kind].append((started, row["id"], row))
    breaches = []
    for kind, listed in late.items():
        listed.sort(key=lambda item: item[:2])
        for started, _, row in listed if limit is None else listed[:limit]:
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
