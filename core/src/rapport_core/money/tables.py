"""Piccolo tables of the money domain. Amounts are integer cents (signed where a reversal
can negate them); days are calendar dates; times are timezone-aware UTC.

Tax reporting reads :class:`Payout`: box 1 of a partner's 1099-NEC for a calendar year is
``SUM(amount_cents)`` over that firm's and partner's rows with ``status = 'paid'`` whose
``paid_on`` falls in the year (a reversal of a paid payout is itself a paid, negative row
dated the day it was reversed, so the sum is already net).
"""

from __future__ import annotations

from piccolo.columns import JSON, BigInt, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from rapport_core.tables import Firm, Partner, Referral


class FeeArrangement(Table, tablename="rapport_fee_arrangement"):
    """What is paid on referrals: a partner's default (``referral`` null) or one referral's
    override. ``direction`` says who pays: ``pay`` (the firm pays the partner for referrals
    received from them) or ``receive`` (the partner pays the firm for referrals it sent).
    The terms live in versions; this row is the series they belong to."""

    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    partner = ForeignKey(references=Partner, on_delete=OnDelete.cascade, index=True)
    referral = ForeignKey(references=Referral, null=True, on_delete=OnDelete.cascade, index=True)
    direction = Varchar(length=10, default="pay")
    created_by = Varchar(length=300)
    created_at = Timestamptz()


class FeeArrangementVersion(Table, tablename="rapport_fee_arrangement_version"):
    """One version of an arrangement's terms, in force from ``effective_from`` until the day
    before ``effective_until`` (null: open-ended). An amendment adds a version and closes the
    previous one; versions are never edited, so an accrual keeps the terms it was made under.
    ``parameters`` are validated by ``rapport_core.money.schemas`` for the ``kind``."""

    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    arrangement = ForeignKey(references=FeeArrangement, on_delete=OnDelete.cascade, index=True)
    version = Integer(default=1)
    kind = Varchar(length=30)
    parameters = JSON(default="{}")
    effective_from = Date()
    effective_until = Date(null=True, default=None)
    note = Text(default="")
    created_by = Varchar(length=300)
    created_at = Timestamptz()


class PartnerRecruitment(Table, tablename="rapport_partner_recruitment"):
    """Multi-level arrangements: ``partner`` was recruited by ``recruited_by``, who earns an
    override on the fees accrued for ``partner``'s referrals."""

    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    partner = ForeignKey(references=Partner, on_delete=OnDelete.cascade, unique=True)
    recruited_by = ForeignKey(references=Partner, on_delete=OnDelete.cascade, index=True)
    created_by = Varchar(length=300)
    created_at = Timestamptz()


class FeeCollected(Table, tablename="rapport_fee_collected"):
    """A fee collected on a referral: by the firm from the client (a received referral), or
    by the partner and reported to the firm (a sent referral). Each one accrues a fee."""

    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    referral = ForeignKey(references=Referral, on_delete=OnDelete.restrict, index=True)
    amount_cents = BigInt()
    collected_on = Date()
    source = Varchar(length=40, default="manual")  # "manual" or "crm:<connector>"
    reference = Varchar(length=200, default="")
    note = Text(default="")
    recorded_by = Varchar(length=300)
    recorded_at = Timestamptz()


class Payout(Table, tablename="rapport_payout"):
    """Money the firm owes a partner. Lifecycle: ``pending`` → ``approved`` → ``paid``, or
    ``void``. A reversal is a new row with the negated amount and ``reverses`` pointing at
    the row it negates; rows are never edited to change an amount."""

    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    partner = ForeignKey(references=Partner, on_delete=OnDelete.restrict, index=True)
    referral = ForeignKey(references=Referral, null=True, on_delete=OnDelete.restrict, index=True)
    fee_collected = ForeignKey(references=FeeCollected, null=True, on_delete=OnDelete.restrict)
    arrangement_version = ForeignKey(
        references=FeeArrangementVersion, null=True, on_delete=OnDelete.restrict
    )
    # "direct", or "override:<level>" for a multi-level override to a recruiter.
    basis = Varchar(length=30, default="direct")
    explanation = Text(default="")  # how the amount was computed, for the approver
    amount_cents = BigInt()
    currency = Varchar(length=3, default="USD")
    status = Varchar(length=10, default="pending", index=True)
    accrued_on = Date()
    created_by = Varchar(length=300)
    created_at = Timestamptz()
    approved_by = Varchar(length=300, null=True, default=None)
    approved_at = Timestamptz(null=True, default=None)
    override_reason = Text(null=True, default=None)
    paid_on = Date(null=True, default=None, index=True)
    method = Varchar(length=30, null=True, default=None)
    reference = Varchar(length=200, null=True, default=None)
    paid_by = Varchar(length=300, null=True, default=None)
    closed_year_reason = Text(null=True, default=None)
    void_reason = Text(null=True, default=None)
    voided_by = Varchar(length=300, null=True, default=None)
    voided_at = Timestamptz(null=True, default=None)
    reverses = ForeignKey(references="self", null=True, on_delete=OnDelete.restrict)
    reversal_reason = Text(null=True, default=None)
    # Federal backup withholding kept back from a paid amount (filled by the tax domain for a
    # partner with no TIN on file); the partner received amount_cents - this.
    backup_withholding_cents = BigInt(default=0)


class Receivable(Table, tablename="rapport_receivable"):
    """A fee a partner owes the firm, accrued when a fee is collected on a referral the firm
    sent them. Settled by :class:`PaymentReceived` rows; a correction is a negating row."""

    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    partner = ForeignKey(references=Partner, on_delete=OnDelete.restrict, index=True)
    referral = ForeignKey(references=Referral, null=True, on_delete=OnDelete.restrict, index=True)
    fee_collected = ForeignKey(references=FeeCollected, null=True, on_delete=OnDelete.restrict)
    arrangement_version = ForeignKey(
        references=FeeArrangementVersion, null=True, on_delete=OnDelete.restrict
    )
    explanation = Text(default="")
    amount_cents = BigInt()
    currency = Varchar(length=3, default="USD")
    accrued_on = Date()
    reverses = ForeignKey(references="self", null=True, on_delete=OnDelete.restrict)
    reversal_reason = Text(null=True, default=None)
    created_by = Varchar(length=300)
    created_at = Timestamptz()


class PaymentReceived(Table, tablename="rapport_payment_received"):
    """Money a partner paid the firm (a referral fee on a referral the firm sent them). A
    correction is a negating row pointing at the one it reverses."""

    firm = ForeignKey(references=Firm, on_delete=OnDelete.cascade, index=True)
    partner = ForeignKey(references=Partner, on_delete=OnDelete.restrict, index=True)
    referral = ForeignKey(references=Referral, null=True, on_delete=OnDelete.restrict, index=True)
    amount_cents = BigInt()
    currency = Varchar(length=3, default="USD")
    received_on = Date(index=True)
    method = Varchar(length=30, default="")
    reference = Varchar(length=200, default="")
    note = Text(default="")
    closed_year_reason = Text(null=True, default=None)
    reverses = ForeignKey(references="self", null=True, on_delete=OnDelete.restrict)
    recorded_by = Varchar(length=300)
    recorded_at = Timestamptz()
