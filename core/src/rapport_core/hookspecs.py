"""Every hook a Rapport plugin can implement, grouped by the phase in which it is called.

Plugins implement hooks with ``@rapport_core.hookimpl`` and are found through the ``rapport``
entry-point group. Registration hooks receive a ``register`` callback; notification hooks
return nothing; "decide one thing" hooks are ``firstresult``: the first non-``None`` answer wins.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click

    from rapport_core.actors import Actor
    from rapport_core.agreements.storage import DocumentStorage
    from rapport_core.firm_settings import FirmSettings
    from rapport_core.insights.briefing import BriefingSource
    from rapport_core.insights.health import HealthComponent
    from rapport_core.money.schemas import (
        ArrangementOut,
        ArrangementVersionOut,
        PaymentOut,
        PayoutOut,
    )
    from rapport_core.schemas import GateFinding, PartnerOut, ReferralOut, StageChangeOut
    from rapport_core.settings import Settings

hookspec = pluggy.HookspecMarker("rapport")


# --------------------------------------------------------------------------- 1. start-up
# Called once, when the CLI or the server assembles itself from the installed plugins.


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands to the ``rapport`` CLI: ``@cli.command()`` or ``cli.add_command(...)``."""


@hookspec
def register_routes(register: Callable[[Any], None]) -> None:
    """Add web routes. Call ``register(handler)`` with a Litestar route handler, controller or
    router. Handlers are mounted at the paths they declare; API routes belong under ``/api/v1``.
    """


@hookspec
def register_crm_connectors(register: Callable[[type], None]) -> None:
    """Offer CRM connectors. Call ``register(ConnectorClass)`` once per connector."""


@hookspec
def register_background_tasks(register: Callable[[Callable[[], Awaitable[None]]], None]) -> None:
    """Run work alongside the web server (scheduled CRM syncs, for one). Call
    ``register(start)`` with an async function taking no arguments; the server starts each
    as a task when it starts serving and cancels it when it stops. It should loop forever,
    sleeping between rounds, and catch its own errors.
    """


@hookspec
def register_rulepacks(register: Callable[[Path], None]) -> None:
    """Offer compliance rule packs. Call ``register(path)`` with each pack directory."""


@hookspec
def register_complementarity(
    register: Callable[[Path | list[dict[str, Any]] | dict[str, Any]], None],
) -> None:
    """Extend the complementarity map of the partner matrix, gaps and matching. Call
    ``register(path)`` with a YAML or JSON map file, or ``register(entries)`` with a list of
    type entries (``{"profession": "attorney", "specialty": "estate planning",
    "complements": [{"profession": "cpa", "strength": 1.0}]}``). Entries for a type that
    already exists add keywords and links to it. The format is in docs/network.md.
    """


@hookspec
def register_health_components(register: Callable[[HealthComponent], None]) -> None:
    """Add components to partner health. Call ``register(HealthComponent(name, label,
    default_weight, rate))``; ``rate(context)`` is async and rates every partner in
    ``context.partners`` at once (a grouped query, not one per partner), returning
    ``{partner_id: (score 0–1 or None, explanation)}``. None, or a partner left out, means
    "nothing to judge": the component is then left out of that partner's score. A firm sets
    the weight in ``health.plugin_weights``. Formulas and an example: docs/insights.md.
    """


@hookspec
def register_briefing_sources(register: Callable[[BriefingSource], None]) -> None:
    """Add actions to the daily briefing. Call ``register(BriefingSource(kind, label,
    collect))``; ``await collect(actor, as_of)`` returns actions made with
    ``rapport_core.insights.briefing.briefing_action(...)`` (urgency and impact 0–1; the
    briefing ranks every action by urgency × impact). Compliance findings and expiring
    agreements come in this way.
    """


@hookspec
def register_document_storage(
    register: Callable[[str, Callable[[Settings], DocumentStorage]], None],
) -> None:
    """Offer a place to keep uploaded documents (agreements). Call ``register(name,
    factory)``; ``factory(settings)`` returns an object with async ``put(key, data)``,
    ``get(key) -> bytes`` and ``delete(key)`` (the ``DocumentStorage`` protocol).
    ``RAPPORT_DOCUMENT_STORAGE=name`` sends new uploads there; the built-in one is
    ``filesystem`` (under the data directory). See docs/agreements.md.
    """


# --------------------------------------------------------------------------- 2. partners
# Called after the change has been committed; ``actor`` says who made it.


@hookspec
def partner_created(partner: PartnerOut, actor: Actor) -> None:
    """A partner was added to ``actor``'s firm."""


@hookspec
def partner_updated(partner: PartnerOut, changed: list[str], actor: Actor) -> None:
    """A partner was edited; ``changed`` names the fields whose values changed."""


# --------------------------------------------------------------------------- 3. referrals


@hookspec
def referral_created(referral: ReferralOut, actor: Actor) -> None:
    """A referral, sent or received, was logged."""


@hookspec
def referral_updated(referral: ReferralOut, changed: list[str], actor: Actor) -> None:
    """A referral was edited; ``changed`` names the fields whose values changed."""


@hookspec
def referral_stage_changed(referral: ReferralOut, change: StageChangeOut, actor: Actor) -> None:
    """A referral moved from ``change.from_stage`` to ``change.to_stage``."""


# --------------------------------------------------------------------------- 4. fees


@hookspec(firstresult=True)
def calculate_referral_fee(
    referral: ReferralOut,
    fee_collected: Decimal,
    arrangement: ArrangementVersionOut | None,
    collected_before: Decimal,
) -> Decimal | None:
    """The referral fee owed on ``fee_collected`` for ``referral``, exact to the cent, or
    ``None`` to let the next plugin decide. The first non-``None`` answer is used.

    ``arrangement`` is the version of the terms in force on the day the fee was collected
    (None: the partner has no arrangement); ``collected_before`` is what was collected on the
    referral before this payment (tiered fees apply to the running total). The built-in
    plugin ``rapport_core.money.fees`` implements the kinds of docs/money.md; a plugin may
    implement only the arguments it needs.
    """


# --------------------------------------------------------------------------- 5. money
# Notifications are called after the change has been committed. The money domain owns the
# schemas of the objects passed; compliance listens to re-evaluate and answers the gate.


@hookspec
def payout_gate(
    payout: PayoutOut, actor: Actor
) -> list[GateFinding] | Awaitable[list[GateFinding]]:
    """Asked before ``payout`` is approved: what stands against paying it. Every plugin's
    list is shown to the approver; a ``violation`` blocks approval unless the approver
    overrides it with a reason (audited). Return ``[]`` when nothing does, or an awaitable
    of the list when the answer needs the database (it is awaited before approving).
    """


@hookspec
def fee_arrangement_changed(arrangement: ArrangementOut, actor: Actor) -> None:
    """A fee arrangement (a partner's default or a referral's override) got a new version."""


@hookspec
def agreement_changed(agreement: Any, actor: Actor) -> None:
    """An agreement document was uploaded, amended, or changed status."""


@hookspec
def payout_changed(payout: PayoutOut, actor: Actor) -> None:
    """A payout (money the firm owes a partner) was accrued, approved, paid, voided or
    reversed; ``payout.status`` says which."""


@hookspec
def payment_recorded(payment: PaymentOut, actor: Actor) -> None:
    """A payment received from a partner was recorded."""


@hookspec
def tax_profile_changed(partner_id: int, actor: Actor) -> None:
    """A partner's W-9 (tax classification, TIN) was received or replaced."""


# --------------------------------------------------------------------------- 6. the firm


@hookspec
def firm_settings_changed(settings: FirmSettings, changed: list[str], actor: Actor) -> None:
    """The firm's settings were changed (after the commit); ``changed`` names each changed
    value as ``section.name`` (e.g. ``compliance.registration``)."""
