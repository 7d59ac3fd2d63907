"""The payout workflow: pending → approved (four eyes, after the compliance gate) → paid, or
void. A paid payout is never edited: a reversal adds a negating paid row."""

from __future__ import annotations

import datetime as dt
import inspect

from rapport_core import audit
from rapport_core.actors import Actor
from rapport_core.clock import now
from rapport_core.errors import Conflict, Forbidden, Invalid
from rapport_core.money.ledger import check_closed_year, get_payout, require_money_role
from rapport_core.money.schemas import (
    PayoutApprove,
    PayoutOut,
    PayoutPay,
    PayoutStatus,
    ReasonIn,
    ReversalIn,
)
from rapport_core.money.tables import Payout
from rapport_core.plugins import get_plugin_manager, notify
from rapport_core.schemas import GateFinding
from rapport_core.services.common import to_cents, transaction
from rapport_core.tables import Referral
from rapport_core.tax.nec import backup_withholding_for


async def gate_findings(actor: Actor, payout: PayoutOut) -> list[GateFinding]:
    """What every ``payout_gate`` plugin says stands against paying ``payout``."""
    answers = get_plugin_manager().hook.payout_gate(payout=payout, actor=actor)
    # A plugin that reads the database answers with an awaitable (compliance's findings).
    answers = [await answer if inspect.isawaitable(answer) else answer for answer in answers]
    return [GateFinding.model_validate(finding) for answer in answers for finding in answer or []]


def _require_status(payout: PayoutOut, *allowed: PayoutStatus, doing: str) -> None:
    if payout.status not in allowed:
        names = " or ".join(allowed)
        article = "an" if names[0] in "aeiou" else "a"
        raise Conflict(
            f"payout {payout.id} is {payout.status}: only {article} {names} payout can be {doing}",
            field="status",
        )


async def _transition(
    actor: Actor, before: PayoutOut, values: dict, action: str, *, override: dict | None = None
) -> PayoutOut:
    """Apply ``values`` if the payout is still in the status the caller read (two people
    approving at once: the second gets a conflict), audited (with the gate ``override``, if
    any) in the same transaction, then notify."""
    async with transaction():
        updated = (
            await Payout.update(values)
            .where(
                Payout.id == before.id,
                Payout.firm == actor.firm_id,
                Payout.status == before.status.value,
            )
            .returning(Payout.id)
        )
        if not updated:
            raise Conflict(
                f"payout {before.id} was changed by someone else; reload it", field="status"
            )
        after = await get_payout(actor, before.id)
        await audit.record(actor, action, "payout", before.id, before=before, after=after)
        if override is not None:
            await audit.record(actor, "payout.gate_override", "payout", before.id, after=override)
        if action == "payout.pay" and before.referral_id is not None:
            # The referral's first payout paid: its time-to-payout milestone.
            await Referral.update({Referral.paid_at: _moment(values[Payout.paid_on])}).where(
                Referral.id == before.referral_id,
                Referral.firm == actor.firm_id,
                Referral.paid_at.is_null(),
            )
    await notify("payout_changed", payout=after, actor=actor)
    return after


def _moment(day: dt.date) -> dt.datetime:
    """A paid day as a time: now if today, else noon UTC that day."""
    current = now()
    return current if day == current.date() else dt.datetime.combine(day, dt.time(12), dt.UTC)


async def approve_payout(actor: Actor, payout_id: int, data: PayoutApprove) -> PayoutOut:
    require_money_role(actor, "approve payouts")
    before = await get_payout(actor, payout_id)
    _require_status(before, PayoutStatus.pending, doing="approved")
    if before.created_by == actor.label:
        raise Forbidden(
            f"four eyes: {actor.label} accrued payout {payout_id}, so someone else must approve it",
            field="approved_by",
        )
    findings = await gate_findings(actor, before)
    violations = [f for f in findings if f.severity == "violation"]
    reason = (data.override_reason or "").strip() or None
    if violations and reason is None:
        listed = "; ".join(f"{f.message} ({f.citation})" for f in violations)
        raise Conflict(
            f"approval is blocked by {len(violations)} compliance violation(s): {listed}. "
            "Give an override reason to approve anyway.",
            field="override_reason",
            findings=[f.model_dump(mode="json") for f in violations],
        )
    values = {
        Payout.status: PayoutStatus.approved.value,
        Payout.approved_by: actor.label,
        Payout.approved_at: now(),
        Payout.override_reason: reason if violations else None,
    }
    override = None
    if violations:
        override = {"reason": reason, "findings": [f.model_dump(mode="json") for f in violations]}
    return await _transition(actor, before, values, "payout.approve", override=override)


async def pay_payout(actor: Actor, payout_id: int, data: PayoutPay) -> PayoutOut:
    require_money_role(actor, "mark payouts paid")
    before = await get_payout(actor, payout_id)
    _require_status(before, PayoutStatus.approved, doing="paid")
    if data.paid_on > now().date():
        raise Invalid("a payment cannot be dated in the future", field="paid_on")
    if data.paid_on < before.accrued_on:
        raise Invalid(
            f"a payout cannot be paid before it accrued ({before.accrued_on})", field="paid_on"
        )
    reason = await check_closed_year(
        actor, data.paid_on, data.closed_year_reason, "paid_on", "closed_year_reason"
    )
    values = {
        Payout.status: PayoutStatus.paid.value,
        Payout.paid_on: data.paid_on,
        Payout.method: data.method,
        Payout.reference: data.reference,
        Payout.paid_by: actor.label,
        Payout.closed_year_reason: reason,
        # No TIN on file: federal backup withholding at the dated rate (rapport_core.tax).
        Payout.backup_withholding_cents: await backup_withholding_for(
            actor.firm_id, before.partner_id, to_cents(before.amount), data.paid_on
        ),
    }
    return await _transition(actor, before, values, "payout.pay")


async def void_payout(actor: Actor, payout_id: int, data: ReasonIn) -> PayoutOut:
    require_money_role(actor, "void payouts")
    before = await get_payout(actor, payout_id)
    if before.status is PayoutStatus.paid:
        raise Conflict(
            f"payout {payout_id} is paid: reverse it instead of voiding it", field="status"
        )
    _require_status(before, PayoutStatus.pending, PayoutStatus.approved, doing="voided")
    values = {
        Payout.status: PayoutStatus.void.value,
        Payout.void_reason: data.reason,
        Payout.voided_by: actor.label,
        Payout.voided_at: now(),
    }
    return await _transition(actor, before, values, "payout.void")


async def reverse_payout(actor: Actor, payout_id: int, data: ReversalIn) -> PayoutOut:
    """A paid, negating row dated ``data.on`` (today by default), so the partner's paid total
    for that year is net of it; the original stays as it was."""
    require_money_role(actor, "reverse payouts")
    original = await get_payout(actor, payout_id)
    _require_status(original, PayoutStatus.paid, doing="reversed")
    if original.reverses_id is not None:
        raise Conflict(f"payout {payout_id} is itself a reversal", field="status")
    if original.reversed_by_id is not None:
        raise Conflict(
            f"payout {payout_id} was already reversed by payout {original.reversed_by_id}",
            field="status",
        )
    on = data.on or now().date()
    if on > now().date():
        raise Invalid("a reversal cannot be dated in the future", field="on")
    if on < original.paid_on:
        raise Invalid(f"a reversal cannot precede the payment ({original.paid_on})", field="on")
    reason = await check_closed_year(actor, on, data.closed_year_reason, "on", "closed_year_reason")
    async with transaction():
        row = Payout(
            firm=actor.firm_id,
            partner=original.partner_id,
            referral=original.referral_id,
            fee_collected=original.fee_collected_id,
            arrangement_version=original.arrangement_version_id,
            basis=original.basis,
            explanation=f"reversal of payout {payout_id}: {data.reason}",
            amount_cents=-to_cents(original.amount),
            currency=original.currency,
            status=PayoutStatus.paid.value,
            accrued_on=on,
            created_by=actor.label,
            created_at=now(),
            paid_on=on,
            method=original.method,
            reference=original.reference,
            paid_by=actor.label,
            closed_year_reason=reason,
            reverses=payout_id,
            reversal_reason=data.reason,
            backup_withholding_cents=-to_cents(original.backup_withholding),
        )
        await row.save()
        reversal = await get_payout(actor, row.id)
        await audit.record(
            actor, "payout.reverse", "payout", payout_id, before=original, after=reversal
        )
    await notify("payout_changed", payout=reversal, actor=actor)
    return reversal
