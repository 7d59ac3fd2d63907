"""Money pages: the payouts queue (gate findings, approve, pay, void, reverse), a partner's
money page (tally, arrangements with versions, payouts, payments) and a referral's fees."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from rapport_core.clock import now
from rapport_core.errors import NotFound
from rapport_core.money import accruals, arrangements, payments, payouts
from rapport_core.money.ledger import list_payouts, list_receivables
from rapport_core.money.schemas import (
    MONEY_ROLES,
    ArrangementCreate,
    ArrangementKind,
    ArrangementTermsIn,
    FeeCollectedIn,
    PaymentIn,
    PaymentMethod,
    PayoutApprove,
    PayoutFilter,
    PayoutPay,
    PayoutStatus,
    ReasonIn,
    ReversalIn,
)
from rapport_core.money.tables import Receivable
from rapport_core.services import partners, referrals
from rapport_core.services.common import get_scoped
from rapport_core.tax.w9 import current_w9

from rapport_server.ui.agreements import agreements_section
from rapport_server.ui.charts import Series, grouped_bars
from rapport_server.ui.forms import FORM, FormState, RawForm, read_form, split_list, submit
from rapport_server.ui.rendering import SignedIn, render

KIND_CHOICES = [(k.value, k.value.replace("_", " ").capitalize()) for k in ArrangementKind]
METHOD_CHOICES = [
    (m.value, m.value.upper() if m is PaymentMethod.ach else m.value.capitalize())
    for m in PaymentMethod
]
RECURRENCE_CHOICES = [
    ("lifetime", "Each payment, for the client's lifetime"),
    ("years", "Each payment, for a number of years"),
    ("first", "The first payment only"),
]
FEE_METHOD_CHOICES = [("percentage", "Percentage"), ("flat", "Flat"), ("tiered", "Tiered")]
BASIS_CHOICES = [
    ("proportional", "Proportional to work"),
    ("joint_responsibility", "Joint responsibility"),
]


def _amount(text: str) -> str:
    """People type amounts the way they read them: "$1,500"."""
    return text.replace("$", "").replace(",", "")


def terms_input(form: RawForm) -> dict[str, Any]:
    """The arrangement form's fields as the kind's parameters: only the ones filled in, so
    the schema says which of the kind's required ones are missing."""
    kind = form.get("kind", "")
    parameters: dict[str, Any] = {"recurrence": form.get("recurrence") or "lifetime"}
    if form.get("years"):
        parameters["years"] = form["years"]
    if kind == "division":
        parameters |= {"basis": form.get("basis", ""), "share_percent": form.get("percent", "")}
    elif kind == "referral_fee":
        parameters["method"] = form.get("method", "")
        if form.get("percent"):
            parameters["percent"] = form["percent"]
        if form.get("flat_amount"):
            parameters["flat_amount"] = _amount(form["flat_amount"])
        if form.get("tiers"):
            # "10000:10, 50000:5, :2" — up to an amount at a percent; the last has no bound.
            tiers = []
            for part in split_list(form["tiers"]):
                bound, _, percent = part.partition(":")
                tiers.append({"up_to": _amount(bound) or None, "percent": percent.strip()})
            parameters["tiers"] = tiers
    else:
        parameters["percent"] = form.get("percent", "")
    if kind != "division" and form.get("override_percents"):
        parameters["override_percents"] = split_list(form["override_percents"])
    return {
        "kind": kind,
        "parameters": parameters,
        "effective_from": form.get("effective_from", ""),
        "note": form.get("note", ""),
    }


def _can_decide(me: SignedIn) -> bool:
    return me.actor.role.value in MONEY_ROLES


async def _queue(
    me: SignedIn, problems: dict[int, str] | None = None, form: RawForm | None = None
) -> Template:
    pending = await list_payouts(me.actor, PayoutFilter(status=PayoutStatus.pending))
    findings = {p.id: await payouts.gate_findings(me.actor, p) for p in pending}
    approved = await list_payouts(me.actor, PayoutFilter(status=PayoutStatus.approved))
    paid = await list_payouts(me.actor, PayoutFilter(status=PayoutStatus.paid, limit=1000))
    return render(
        "money/payouts.html",
        me,
        pending=pending,
        findings=findings,
        approved=approved,
        paid=list(reversed(paid))[:20],
        problems=problems or {},
        form=form or {},
        can_decide=_can_decide(me),
        method_choices=METHOD_CHOICES,
        today=now().date().isoformat(),
        status_code=422 if problems else 200,
    )


def flows_chart(flows: list[dict]) -> dict:
    """Paid to and received from a partner per month, in dollars."""
    return grouped_bars(
        [f"{row['month']:%b}" for row in flows],
        [
            Series("paid to them", "series-sent", [float(row["paid"]) for row in flows]),
            Series(
                "received from them", "series-received", [float(row["received"]) for row in flows]
            ),
        ],
    )


async def _partner_money(me: SignedIn, partner_id: int, **forms: FormState) -> Template:
    partner = await partners.get_partner(me.actor, partner_id)
    flows = await payments.monthly_flows(me.actor, partner_id)
    received = await payments.list_payments(me.actor, partner_id=partner_id)
    owed = await list_receivables(me.actor, partner_id=partner_id)
    deals = await arrangements.list_arrangements(me.actor, partner_id=partner_id)
    return render(
        "money/partner.html",
        me,
        partner=partner,
        tally=await payments.partner_tally(me.actor, partner_id),
        flows=flows,
        flows_chart=flows_chart(flows),
        arrangements=[a for a in deals if a.referral_id is None],
        overrides=[a for a in deals if a.referral_id is not None],
        payouts=await list_payouts(me.actor, PayoutFilter(partner_id=partner_id, limit=1000)),
        receivables=owed,
        reversed_receivables={r.reverses_id for r in owed if r.reverses_id},
        payments=received,
        reversed_payments={p.reverses_id for p in received if p.reverses_id},
        can_decide=_can_decide(me),
        w9=await current_w9(me.actor, partner_id),
        **await agreements_section(me.actor, partner_id=partner_id),
        arrangement_form=forms.get("arrangement_form")
        or FormState({"effective_from": now().date().isoformat()}),
        payment_form=forms.get("payment_form")
        or FormState({"received_on": now().date().isoformat()}),
        kind_choices=KIND_CHOICES,
        recurrence_choices=RECURRENCE_CHOICES,
        fee_method_choices=FEE_METHOD_CHOICES,
        basis_choices=BASIS_CHOICES,
        status_code=422 if any(f.errors for f in forms.values() if f) else 200,
    )


async def _referral_fees(me: SignedIn, referral_id: int, form: FormState | None = None) -> Template:
    referral = await referrals.get_referral(me.actor, referral_id, with_history=False)
    return render(
        "money/referral.html",
        me,
        referral=referral,
        fees=await accruals.list_fees_collected(me.actor, referral_id),
        payouts=await list_payouts(me.actor, PayoutFilter(referral_id=referral_id, limit=1000)),
        receivables=await list_receivables(me.actor, referral_id=referral_id),
        arrangements=await arrangements.list_arrangements(me.actor, referral_id=referral_id),
        form=form or FormState({"collected_on": now().date().isoformat()}),
        status_code=422 if form and form.errors else 200,
    )


def _first_problem(errors: dict[str, str]) -> str:
    return " ".join(
        f"{'' if name == FORM else name.replace('_', ' ').capitalize() + ': '}{text}"
        for name, text in errors.items()
    )


class MoneyPages(Controller):
    @get("/payouts")
    async def queue(self, me: NamedDependency[SignedIn]) -> Template:
        return await _queue(me)

    async def _act(self, me: SignedIn, payout_id: int, form: RawForm, action) -> Response:
        await payouts.get_payout(me.actor, payout_id)  # another firm's payout: a 404 page

        async def save() -> Response:
            await action()
            return Redirect(f"/payouts#payout-{payout_id}", status_code=303)

        return await submit(
            save, lambda errors: _queue(me, {payout_id: _first_problem(errors)}, form)
        )

    @post("/payouts/{payout_id:int}/approve")
    async def approve(
        self,
        me: NamedDependency[SignedIn],
        payout_id: FromPath[int],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response:
        form = read_form(data)

        async def decision():
            reason = form.get("override_reason") or None
            await payouts.approve_payout(me.actor, payout_id, PayoutApprove(override_reason=reason))

        return await self._act(me, payout_id, form, decision)

    @post("/payouts/{payout_id:int}/pay")
    async def pay(
        self,
        me: NamedDependency[SignedIn],
        payout_id: FromPath[int],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response:
        form = read_form(data)

        async def decision():
            values = {k: form.get(k) for k in ("paid_on", "method", "reference")}
            values["closed_year_reason"] = form.get("closed_year_reason") or None
            await payouts.pay_payout(me.actor, payout_id, PayoutPay.model_validate(values))

        return await self._act(me, payout_id, form, decision)

    @post("/payouts/{payout_id:int}/void")
    async def void(
        self,
        me: NamedDependency[SignedIn],
        payout_id: FromPath[int],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response:
        form = read_form(data)

        async def decision():
            await payouts.void_payout(me.actor, payout_id, ReasonIn(reason=form.get("reason", "")))

        return await self._act(me, payout_id, form, decision)

    @post("/payouts/{payout_id:int}/reverse")
    async def reverse(
        self,
        me: NamedDependency[SignedIn],
        payout_id: FromPath[int],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response:
        form = read_form(data)

        async def decision():
            data = ReversalIn(
                reason=form.get("reason", ""),
                closed_year_reason=form.get("closed_year_reason") or None,
            )
            await payouts.reverse_payout(me.actor, payout_id, data)

        return await self._act(me, payout_id, form, decision)

    @get("/partners/{partner_id:int}/money")
    async def partner_money(
        self, me: NamedDependency[SignedIn], partner_id: FromPath[int]
    ) -> Template:
        return await _partner_money(me, partner_id)

    @post("/partners/{partner_id:int}/money/arrangements")
    async def arrange(
        self,
        me: NamedDependency[SignedIn],
        partner_id: FromPath[int],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response:
        form = read_form(data)
        await partners.get_partner(me.actor, partner_id)

        async def save() -> Response:
            terms = terms_input(form)
            if form.get("arrangement_id"):
                existing = await arrangements.get_arrangement(me.actor, int(form["arrangement_id"]))
                if existing.partner_id != partner_id:
                    raise NotFound("fee arrangement not found", field="arrangement_id")
                await arrangements.amend_arrangement(
                    me.actor, existing.id, ArrangementTermsIn.model_validate(terms)
                )
            else:
                data = ArrangementCreate.model_validate(
                    terms | {"partner_id": partner_id, "direction": form.get("direction") or "pay"}
                )
                await arrangements.create_arrangement(me.actor, data)
            return Redirect(f"/partners/{partner_id}/money#arrangements", status_code=303)

        return await submit(
            save,
            lambda errors: _partner_money(me, partner_id, arrangement_form=FormState(form, errors)),
        )

    @post("/partners/{partner_id:int}/money/payments")
    async def receive(
        self,
        me: NamedDependency[SignedIn],
        partner_id: FromPath[int],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response:
        form = read_form(data)
        await partners.get_partner(me.actor, partner_id)

        async def save() -> Response:
            values = {k: form.get(k, "") for k in ("received_on", "method", "reference", "note")}
            values |= {
                "partner_id": partner_id,
                "amount": _amount(form.get("amount", "")),
                "closed_year_reason": form.get("closed_year_reason") or None,
            }
            await payments.record_payment(me.actor, PaymentIn.model_validate(values))
            return Redirect(f"/partners/{partner_id}/money#payments", status_code=303)

        return await submit(
            save,
            lambda errors: _partner_money(me, partner_id, payment_form=FormState(form, errors)),
        )

    @post("/payments/{payment_id:int}/reverse")
    async def reverse_payment(
        self,
        me: NamedDependency[SignedIn],
        payment_id: FromPath[int],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response:
        form = read_form(data)
        payment = await payments.get_payment(me.actor, payment_id)  # another firm's: 404
        partner_id = payment.partner_id

        async def save() -> Response:
            reversal = ReversalIn(
                reason=form.get("reason", ""),
                closed_year_reason=form.get("closed_year_reason") or None,
            )
            await payments.reverse_payment(me.actor, payment_id, reversal)
            return Redirect(f"/partners/{partner_id}/money#payments", status_code=303)

        return await submit(
            save,
            lambda errors: _partner_money(
                me, partner_id, payment_form=FormState({}, {FORM: _first_problem(errors)})
            ),
        )

    @post("/receivables/{receivable_id:int}/reverse")
    async def reverse_receivable(
        self,
        me: NamedDependency[SignedIn],
        receivable_id: FromPath[int],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response:
        form = read_form(data)
        owed = await get_scoped(Receivable, me.actor, receivable_id, "receivable")  # else 404
        partner_id = owed["partner"]

        async def save() -> Response:
            reason = ReasonIn(reason=form.get("reason", ""))
            await accruals.reverse_receivable(me.actor, receivable_id, reason)
            return Redirect(f"/partners/{partner_id}/money#receivables", status_code=303)

        return await submit(
            save,
            lambda errors: _partner_money(
                me, partner_id, payment_form=FormState({}, {FORM: _first_problem(errors)})
            ),
        )

    @get("/referrals/{referral_id:int}/fees")
    async def referral_fees(
        self, me: NamedDependency[SignedIn], referral_id: FromPath[int]
    ) -> Template:
        return await _referral_fees(me, referral_id)

    @post("/referrals/{referral_id:int}/fees")
    async def collect(
        self,
        me: NamedDependency[SignedIn],
        referral_id: FromPath[int],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response:
        form = read_form(data)
        await referrals.get_referral(me.actor, referral_id, with_history=False)

        async def save() -> Response:
            values = {k: form.get(k, "") for k in ("collected_on", "reference", "note")}
            values["amount"] = _amount(form.get("amount", ""))
            await accruals.record_fee_collected(
                me.actor, referral_id, FeeCollectedIn.model_validate(values)
            )
            return Redirect(f"/referrals/{referral_id}/fees", status_code=303)

        return await submit(
            save, lambda errors: _referral_fees(me, referral_id, FormState(form, errors))
        )


PAGES: list = [MoneyPages]
