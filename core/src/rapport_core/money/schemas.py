"""What the money domain's callers send and receive. Money travels as a decimal string with
at most two places ("1500.00"); percentages as decimals ("33.3333")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator

from rapport_core.errors import Invalid
from rapport_core.schemas import Input, LongText, Money, Output, ShortText

PositiveMoney = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
Percent = Annotated[Decimal, Field(gt=0, le=100, max_digits=9, decimal_places=4)]


class ArrangementKind(StrEnum):
    division = "division"  # lawyers dividing one fee
    referral_fee = "referral_fee"
    solicitor_compensation = "solicitor_compensation"
    commission = "commission"


class ArrangementDirection(StrEnum):
    pay = "pay"  # the firm pays the partner for referrals received from them
    receive = "receive"  # the partner pays the firm for referrals the firm sent them


class PayoutStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    paid = "paid"
    void = "void"


class PaymentMethod(StrEnum):
    check = "check"
    ach = "ach"
    wire = "wire"
    card = "card"
    cash = "cash"
    other = "other"


#: Who may approve, pay, void and reverse payouts.
MONEY_ROLES = ("owner", "admin", "compliance")


# ------------------------------------------------------------------ terms, by kind


class Recurring(Input):
    """Which of a referral's fee collections earn a fee: ``lifetime`` each one while the
    client stays; ``years`` each one within ``years`` years of the first; ``first`` only the
    first."""

    recurrence: Literal["lifetime", "years", "first"] = "lifetime"
    years: Annotated[int, Field(ge=1, le=50)] | None = None

    @model_validator(mode="after")
    def _years_given(self):
        if self.recurrence == "years" and self.years is None:
            raise ValueError("years is required when recurrence is 'years'")
        if self.recurrence != "years" and self.years is not None:
            raise ValueError("years is given only when recurrence is 'years'")
        return self


class Tier(Input):
    """``percent`` of the part of the referral's cumulative collections up to ``up_to``
    (above the previous tier's ``up_to``); ``up_to`` null is the top tier."""

    up_to: PositiveMoney | None = None
    percent: Percent


class DivisionTerms(Recurring):
    """Lawyers dividing one fee: the partner's ``share_percent`` of each fee collected,
    either in proportion to the work each does or by joint responsibility (ABA Model Rule
    1.5(e)); the client's written consent is a compliance check, not a computation."""

    basis: Literal["proportional", "joint_responsibility"]
    share_percent: Percent


class ReferralFeeTerms(Recurring):
    method: Literal["percentage", "flat", "tiered"]
    percent: Percent | None = None
    flat_amount: PositiveMoney | None = None
    tiers: list[Tier] = []
    # Multi-level: level 1 is an override on fees collected on referrals from partners this
    # partner recruited, level 2 on their recruits' recruits, and so on.
    override_percents: list[Percent] = []

    @model_validator(mode="after")
    def _method_fields(self):
        needed = {"percentage": "percent", "flat": "flat_amount", "tiered": "tiers"}[self.method]
        if not getattr(self, needed):
            raise ValueError(f"{needed} is required for method '{self.method}'")
        for other in {"percent", "flat_amount", "tiers"} - {needed}:
            if getattr(self, other):
                raise ValueError(f"{other} is not used by method '{self.method}'")
        if self.method == "tiered":
            bounds = [t.up_to for t in self.tiers]
            if bounds[-1] is not None or None in bounds[:-1]:
                raise ValueError("every tier but the last needs up_to; the last has none")
            if any(a >= b for a, b in zip(bounds[:-2], bounds[1:-1], strict=False)):
                raise ValueError("tier up_to amounts must rise")
        if self.method == "flat" and self.recurrence != "first":
            raise ValueError("a flat fee is paid once: use recurrence 'first'")
        return self


class SolicitorTerms(Recurring):
    """An investment adviser's promoter (SEC Marketing Rule 206(4)-1): ``percent`` of the
    advisory fees collected from the client, usually for as long as the client stays."""

    percent: Percent
    override_percents: list[Percent] = []


class CommissionTerms(Recurring):
    """``percent`` of each premium or payment collected; ``recurrence`` makes it a first-year
    commission, a renewal for N years, or a trail for the client's lifetime."""

    percent: Percent
    override_percents: list[Percent] = []


TERMS: dict[ArrangementKind, type[Recurring]] = {
    ArrangementKind.division: DivisionTerms,
    ArrangementKind.referral_fee: ReferralFeeTerms,
    ArrangementKind.solicitor_compensation: SolicitorTerms,
    ArrangementKind.commission: CommissionTerms,
}


def parse_terms(kind: ArrangementKind, parameters: dict[str, Any]) -> Recurring:
    """The validated terms of ``kind``; a bad parameter is an Invalid naming
    ``parameters.<name>``."""
    try:
        return TERMS[kind].model_validate(parameters)
    except ValidationError as error:
        detail = error.errors()[0]
        where = ".".join(str(part) for part in ("parameters", *detail["loc"]))
        message = detail["msg"].removeprefix("Value error, ")
        raise Invalid(f"{where}: {message}", field="parameters") from error


# ------------------------------------------------------------------ arrangements


class ArrangementTermsIn(Input):
    kind: ArrangementKind
    parameters: dict[str, Any]
    effective_from: dt.date
    effective_until: dt.date | None = None
    note: LongText = ""

    @model_validator(mode="after")
    def _order(self):
        if self.effective_until is not None and self.effective_until <= self.effective_from:
            raise ValueError("effective_until must be after effective_from")
        return self


class ArrangementCreate(ArrangementTermsIn):
    partner_id: int
    referral_id: int | None = None  # set: an override for this referral only
    direction: ArrangementDirection = ArrangementDirection.pay


class ArrangementVersionOut(Output):
    id: int
    arrangement_id: int
    version: int
    kind: ArrangementKind
    parameters: dict[str, Any]
    effective_from: dt.date
    effective_until: dt.date | None
    note: str
    created_by: str
    created_at: dt.datetime


class ArrangementOut(Output):
    id: int
    partner_id: int
    referral_id: int | None
    direction: ArrangementDirection
    created_by: str
    created_at: dt.datetime
    versions: list[ArrangementVersionOut]  # newest first


class RecruiterIn(Input):
    recruited_by_id: int | None  # null: no longer recruited by anyone


class FeeQuote(Input):
    """Ask what an arrangement would pay on an amount (nothing is stored)."""

    kind: ArrangementKind
    parameters: dict[str, Any]
    fee_collected: PositiveMoney
    collected_before: Money = Decimal(0)


class FeeQuoteOut(Output):
    fee: Decimal
    explanation: str


# ------------------------------------------------------------------ collections, accruals


class FeeCollectedIn(Input):
    amount: PositiveMoney
    collected_on: dt.date
    reference: ShortText = ""
    note: LongText = ""


class FeeCollectedOut(Output):
    id: int
    referral_id: int
    amount: Decimal
    collected_on: dt.date
    source: str
    reference: str
    note: str
    recorded_by: str
    recorded_at: dt.datetime


class PayoutOut(Output):
    id: int
    partner_id: int
    partner_name: str
    # So payout_gate plugins need not look them up.
    partner_tags: list[str] = []
    partner_profession: str = ""
    referral_id: int | None
    client_name: str | None
    fee_collected_id: int | None
    arrangement_version_id: int | None
    basis: str
    explanation: str
    amount: Decimal
    currency: str
    status: PayoutStatus
    accrued_on: dt.date
    created_by: str
    created_at: dt.datetime
    approved_by: str | None
    approved_at: dt.datetime | None
    override_reason: str | None
    paid_on: dt.date | None
    method: str | None
    reference: str | None
    paid_by: str | None
    void_reason: str | None
    voided_by: str | None
    reverses_id: int | None
    reversed_by_id: int | None = None
    reversal_reason: str | None
    backup_withholding: Decimal


class ReceivableOut(Output):
    id: int
    partner_id: int
    referral_id: int | None
    fee_collected_id: int | None
    arrangement_version_id: int | None
    explanation: str
    amount: Decimal
    accrued_on: dt.date
    reverses_id: int | None
    created_by: str


class AccrualResult(Output):
    """A fee collected and what it accrued."""

    fee_collected: FeeCollectedOut
    payouts: list[PayoutOut]
    receivables: list[ReceivableOut]
    note: str = ""  # why nothing accrued, when nothing did


# ------------------------------------------------------------------ workflow


class PayoutApprove(Input):
    override_reason: Annotated[str, Field(max_length=2000)] | None = None


class PayoutPay(Input):
    paid_on: dt.date
    method: PaymentMethod
    reference: ShortText = ""
    closed_year_reason: Annotated[str, Field(max_length=2000)] | None = None


class ReasonIn(Input):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class ReversalIn(ReasonIn):
    on: dt.date | None = None  # default: today
    closed_year_reason: Annotated[str, Field(max_length=2000)] | None = None


class PayoutFilter(Input):
    status: PayoutStatus | None = None
    partner_id: int | None = None
    referral_id: int | None = None
    limit: Annotated[int, Field(ge=1, le=1000)] = 200


# ------------------------------------------------------------------ payments received


class PaymentIn(Input):
    partner_id: int
    referral_id: int | None = None
    amount: PositiveMoney
    received_on: dt.date
    method: ShortText = ""
    reference: ShortText = ""
    note: LongText = ""
    closed_year_reason: Annotated[str, Field(max_length=2000)] | None = None


class PaymentOut(Output):
    id: int
    partner_id: int
    referral_id: int | None
    amount: Decimal
    received_on: dt.date
    method: str
    reference: str
    note: str
    closed_year_reason: str | None
    reverses_id: int | None
    recorded_by: str
    recorded_at: dt.datetime


class PartnerTally(Output):
    """Where the firm stands with one partner, in dollars."""

    partner_id: int
    year: int
    owed_to_you: Decimal  # receivables accrued minus payments received (all time)
    you_owe: Decimal  # pending and approved payouts
    paid_this_year: Decimal  # paid payouts dated in ``year`` (net of reversals)
    received_this_year: Decimal  # payments received dated in ``year``
