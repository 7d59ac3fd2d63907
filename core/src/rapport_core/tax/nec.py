"""1099-NEC figures per payer firm and tax year, reminders, and the stored filings.

Box 1 is the sum of the firm's paid payouts to the partner dated in the year (a reversal
is a negative paid row, so the sum is net); box 4 the backup withholding kept back from
them. A payee is reportable when box 1 reaches the year's threshold (``rules.yaml``) or any
federal tax was withheld, unless the W-9 says corporation: corporations are left out except
attorneys, whose fees for legal services are reportable even when incorporated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from piccolo.query.functions.aggregate import Sum

from rapport_core.actors import Actor
from rapport_core.money.tables import Payout
from rapport_core.tables import Partner
from rapport_core.tax import rules
from rapport_core.tax.schemas import Classification, W9Out
from rapport_core.tax.w9 import w9s_on_file
from rapport_core.vocabulary import Profession

#: A payee without a W-9 is reminded once payments reach this share of the threshold.
REMINDER_SHARE = 0.5
CORPORATE = {Classification.c_corporation, Classification.s_corporation}


class Status(StrEnum):
    reportable = "reportable"
    approaching = "approaching"  # at or over REMINDER_SHARE of the threshold
    below = "below"
    excluded = "excluded"  # a corporation that is not an attorney


@dataclass
class PayeeYear:
    partner_id: int
    name: str
    profession: str
    box1_cents: int
    box4_cents: int
    pending_cents: int
    threshold_cents: int
    w9: W9Out | None
    status: Status = Status.below
    reasons: list[str] = field(default_factory=list)

    @property
    def backup_withholding_due(self) -> bool:
        """No TIN on file: payments are subject to backup withholding."""
        return self.w9 is None and (self.box1_cents > 0 or self.pending_cents > 0)


def _is_corporation(w9: W9Out | None) -> bool:
    if w9 is None:
        return False
    return w9.classification in CORPORATE or (
        w9.classification is Classification.llc and w9.llc_tax_class in ("C", "S")
    )


def _status(payee: PayeeYear) -> tuple[Status, list[str]]:
    threshold = payee.threshold_cents
    if _is_corporation(payee.w9):
        if payee.profession != Profession.attorney:
            return Status.excluded, ["corporation (not an attorney): not reportable"]
        reasons = ["attorney: legal fees are reportable even when incorporated"]
    else:
        reasons = []
    if payee.box4_cents > 0:
        return Status.reportable, [*reasons, "federal tax withheld: reportable at any amount"]
    if payee.box1_cents >= threshold:
        return Status.reportable, [*reasons, f"box 1 at or over ${threshold // 100:,}"]
    if payee.box1_cents + payee.pending_cents >= threshold * REMINDER_SHARE:
        return Status.approaching, reasons
    return Status.below, reasons


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


async def _sums(actor: Actor, year: int, statuses: tuple[str, ...], date_column) -> dict:
    first, last = _year_bounds(year)
    rows = (
        await Payout.select(
            Payout.partner,
            Sum(Payout.amount_cents, alias="amount"),
            Sum(Payout.backup_withholding_cents, alias="withheld"),
        )
        .where(
            Payout.firm == actor.firm_id,
            Payout.status.is_in(list(statuses)),
            date_column >= first,
            date_column <= last,
        )
        .group_by(Payout.partner)
    )
    return {r["partner"]: (int(r["amount"] or 0), int(r["withheld"] or 0)) for r in rows}


async def year_summary(actor: Actor, year: int) -> list[PayeeYear]:
    """Every partner paid, or owed, in ``year`` with box 1, box 4 and threshold status."""
    threshold = rules.nec_threshold_cents(year)
    paid = await _sums(actor, year, ("paid",), Payout.paid_on)
    owed = await _sums(actor, year, ("pending", "approved"), Payout.accrued_on)
    ids = set(paid) | set(owed)
    if not ids:
        return []
    partners = await Partner.select(Partner.id, Partner.name, Partner.profession).where(
        Partner.firm == actor.firm_id, Partner.id.is_in(list(ids))
    )
    on_file = await w9s_on_file(actor)
    payees = []
    for partner in partners:
        box1, box4 = paid.get(partner["id"], (0, 0))
        payee = PayeeYear(
            partner_id=partner["id"],
            name=partner["name"],
            profession=partner["profession"],
            box1_cents=box1,
            box4_cents=box4,
            pending_cents=owed.get(partner["id"], (0, 0))[0],
            threshold_cents=threshold,
            w9=on_file.get(partner["id"]),
        )
        payee.status, payee.reasons = _status(payee)
        payees.append(payee)
    return sorted(payees, key=lambda p: (-p.box1_cents, p.name))


async def w9_reminders(actor: Actor, year: int) -> list[PayeeYear]:
    """Partners without a W-9 whose payments this year approach or pass the threshold."""
    return [
        p
        for p in await year_summary(actor, year)
        if p.w9 is None and p.status in (Status.reportable, Status.approaching)
    ]


async def backup_withholding_for(
    firm_id: int, partner_id: int, amount_cents: int, paid_on: dt.date
) -> int:
    """What to keep back from a payment marked paid: the backup withholding rate in force on
    ``paid_on`` when the partner has no W-9 (TIN) on file, else 0. The money domain calls
    this inside the transaction that marks a payout paid and stores the figure in
    ``Payout.backup_withholding_cents`` (the approver may change it)."""
    from rapport_core.tax.tables import W9

    on_file = await W9.exists().where(
        W9.firm == firm_id, W9.partner == partner_id, W9.superseded_at.is_null()
    )
    return (
        0 if on_file or amount_cents <= 0 else rules.backup_withholding_cents(amount_cents, paid_on)
    )
