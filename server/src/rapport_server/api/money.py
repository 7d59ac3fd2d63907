"""API for money: fee arrangements, fees collected, payouts and their workflow, payments
received, and each partner's tally."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from rapport_core.actors import Actor
from rapport_core.money import accruals, arrangements, payments, payouts
from rapport_core.money.ledger import get_payout, list_payouts, list_receivables
from rapport_core.money.quotes import quote
from rapport_core.money.schemas import (
    AccrualResult,
    ArrangementCreate,
    ArrangementOut,
    ArrangementTermsIn,
    FeeCollectedIn,
    FeeCollectedOut,
    FeeQuote,
    FeeQuoteOut,
    PartnerTally,
    PaymentIn,
    PaymentOut,
    PayoutApprove,
    PayoutFilter,
    PayoutOut,
    PayoutPay,
    PayoutStatus,
    ReasonIn,
    ReceivableOut,
    RecruiterIn,
    ReversalIn,
)
from rapport_core.schemas import GateFinding
from rapport_core.services.partners import get_partner
from rapport_core.services.referrals import get_referral


class ArrangementController(Controller):
    path = "/fee-arrangements"
    tags = ["money"]

    @get("/", summary="Fee arrangements with their versions, newest version first")
    async def index(
        self,
        actor: NamedDependency[Actor],
        partner_id: FromQuery[int | None] = None,
        referral_id: FromQuery[int | None] = None,
    ) -> list[ArrangementOut]:
        return await arrangements.list_arrangements(
            actor, partner_id=partner_id, referral_id=referral_id
        )

    @post("/", summary="A partner's default arrangement or a referral's override")
    async def create(
        self, actor: NamedDependency[Actor], data: JSONBody[ArrangementCreate]
    ) -> ArrangementOut:
        return await arrangements.create_arrangement(actor, data)

    @get("/{arrangement_id:int}")
    async def read(
        self, actor: NamedDependency[Actor], arrangement_id: FromPath[int]
    ) -> ArrangementOut:
        return await arrangements.get_arrangement(actor, arrangement_id)

    @post("/{arrangement_id:int}/versions", summary="Amend: a new version from a later day")
    async def amend(
        self,
        actor: NamedDependency[Actor],
        arrangement_id: FromPath[int],
        data: JSONBody[ArrangementTermsIn],
    ) -> ArrangementOut:
        return await arrangements.amend_arrangement(actor, arrangement_id, data)

    @post(
        "/quote", summary="What terms would pay on an amount (nothing is stored)", status_code=200
    )
    async def quote(self, actor: NamedDependency[Actor], data: JSONBody[FeeQuote]) -> FeeQuoteOut:
        return quote(data)


class PartnerMoneyController(Controller):
    path = "/partners/{partner_id:int}"
    tags = ["money"]

    @get("/money", summary="Owed to you, you owe, paid and received this year")
    async def tally(
        self,
        actor: NamedDependency[Actor],
        partner_id: FromPath[int],
        year: FromQuery[int | None] = None,
    ) -> PartnerTally:
        return await payments.partner_tally(actor, partner_id, year)

    @post(
        "/recruiter", summary="Who recruited this partner (multi-level overrides)", status_code=200
    )
    async def recruiter(
        self, actor: NamedDependency[Actor], partner_id: FromPath[int], data: JSONBody[RecruiterIn]
    ) -> RecruiterIn:
        return RecruiterIn(
            recruited_by_id=await arrangements.set_recruiter(actor, partner_id, data)
        )

    @get("/receivables", summary="Fees this partner owes the firm, as accrued")
    async def receivables(
        self, actor: NamedDependency[Actor], partner_id: FromPath[int]
    ) -> list[ReceivableOut]:
        await get_partner(actor, partner_id)  # another firm's: 404
        return await list_receivables(actor, partner_id=partner_id)


class FeeCollectedController(Controller):
    path = "/referrals/{referral_id:int}/fees"
    tags = ["money"]

    @get("/", summary="Fees collected on a referral")
    async def index(
        self, actor: NamedDependency[Actor], referral_id: FromPath[int]
    ) -> list[FeeCollectedOut]:
        await get_referral(actor, referral_id, with_history=False)  # another firm's: 404
        return await accruals.list_fees_collected(actor, referral_id)

    @post("/", summary="Record a fee collected on an engaged referral; accrues what it earns")
    async def record(
        self,
        actor: NamedDependency[Actor],
        referral_id: FromPath[int],
        data: JSONBody[FeeCollectedIn],
    ) -> AccrualResult:
        return await accruals.record_fee_collected(actor, referral_id, data)


class PayoutController(Controller):
    path = "/payouts"
    tags = ["money"]

    @get("/", summary="Payouts the firm owes partners, oldest accrual first")
    async def index(
        self,
        actor: NamedDependency[Actor],
        status: FromQuery[PayoutStatus | None] = None,
        partner_id: FromQuery[int | None] = None,
        referral_id: FromQuery[int | None] = None,
    ) -> list[PayoutOut]:
        filters = PayoutFilter(status=status, partner_id=partner_id, referral_id=referral_id)
        return await list_payouts(actor, filters)

    @get("/{payout_id:int}")
    async def read(self, actor: NamedDependency[Actor], payout_id: FromPath[int]) -> PayoutOut:
        return await get_payout(actor, payout_id)

    @get("/{payout_id:int}/gate", summary="What the compliance plugins say about paying it")
    async def gate(
        self, actor: NamedDependency[Actor], payout_id: FromPath[int]
    ) -> list[GateFinding]:
        return await payouts.gate_findings(actor, await get_payout(actor, payout_id))

    @post(
        "/{payout_id:int}/approve",
        summary="Approve (admin or compliance, not the creator)",
        status_code=200,
    )
    async def approve(
        self,
        actor: NamedDependency[Actor],
        payout_id: FromPath[int],
        data: JSONBody[PayoutApprove | None] = None,
    ) -> PayoutOut:
        return await payouts.approve_payout(actor, payout_id, data or PayoutApprove())

    @post("/{payout_id:int}/pay", summary="Mark an approved payout paid", status_code=200)
    async def pay(
        self, actor: NamedDependency[Actor], payout_id: FromPath[int], data: JSONBody[PayoutPay]
    ) -> PayoutOut:
        return await payouts.pay_payout(actor, payout_id, data)

    @post(
        "/{payout_id:int}/void", summary="Void an unpaid payout (reason required)", status_code=200
    )
    async def void(
        self, actor: NamedDependency[Actor], payout_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> PayoutOut:
        return await payouts.void_payout(actor, payout_id, data)

    @post("/{payout_id:int}/reverse", summary="Reverse a paid payout with a negating entry")
    async def reverse(
        self, actor: NamedDependency[Actor], payout_id: FromPath[int], data: JSONBody[ReversalIn]
    ) -> PayoutOut:
        return await payouts.reverse_payout(actor, payout_id, data)


class ReceivableController(Controller):
    path = "/receivables"
    tags = ["money"]

    @post("/{receivable_id:int}/reverse", summary="Cancel a fee a partner owes, with a reason")
    async def reverse(
        self, actor: NamedDependency[Actor], receivable_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> ReceivableOut:
        return await accruals.reverse_receivable(actor, receivable_id, data)


class PaymentController(Controller):
    path = "/payments-received"
    tags = ["money"]

    @get("/", summary="Payments received from partners, newest first")
    async def index(
        self, actor: NamedDependency[Actor], partner_id: FromQuery[int | None] = None
    ) -> list[PaymentOut]:
        return await payments.list_payments(actor, partner_id=partner_id)

    @post("/", summary="Record a payment received from a partner")
    async def record(self, actor: NamedDependency[Actor], data: JSONBody[PaymentIn]) -> PaymentOut:
        return await payments.record_payment(actor, data)

    @get("/{payment_id:int}")
    async def read(self, actor: NamedDependency[Actor], payment_id: FromPath[int]) -> PaymentOut:
        return await payments.get_payment(actor, payment_id)

    @post("/{payment_id:int}/reverse", summary="Reverse a payment with a negating entry")
    async def reverse(
        self, actor: NamedDependency[Actor], payment_id: FromPath[int], data: JSONBody[ReversalIn]
    ) -> PaymentOut:
        return await payments.reverse_payment(actor, payment_id, data)


CONTROLLERS: list = [
    ArrangementController,
    PartnerMoneyController,
    FeeCollectedController,
    PayoutController,
    ReceivableController,
    PaymentController,
]
