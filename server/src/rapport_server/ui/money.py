"""Money pages: the payouts queue (gate findings, approve, pay, void, reverse) and a partner's
money page (tally, arrangements with versions, payouts, payments). A referral's fees are a
section of its page (:mod:`.referrals`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template
from rapport_core.clock import now
from rapport_core.errors import NotFound
from rapport_core.money import accruals, arrangements, payments, payouts
from rapport_core.money.ledger import list_payouts, list_receivables
from rapport_core.money.schemas import (
    MONEY_ROLES,
    ArrangementCreate,
    ArrangementKind,
    ArrangementTermsIn,
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
from rapport_core.services import partners
from rapport_core.services.common import get_scoped
from rapport_core.tax.w9 import current_w9

from rapport_server.ui.agreements import agreements_section
from rapport_server.ui.charts import Series, grouped_bars
from rapport_server.ui.forms import (
    FORM,
    FormState,
    RawForm,
    amount_input,
    read_form,
    split_list,
    submit_and_redirect,
)
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
            parameters["flat_amount"] = amount_input(form["flat_amount"])
        if form.get("tiers"):
            # "10000:10, 50000:5, :2" — up to an amount at a percent; the last has no bound.
            tiers = []
            for part in split_list(form["tiers"]):
                bound, _, percent = part.partition(":")
                tiers.append({"up_to": amount_input(bound) or None, "percent": percent.strip()})
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


def _first_problem(errors: dict[str, str]) -> str:
    return " ".join(
        f"{'' if name == FORM else name.replace('_', ' ').capitalize() + ': '}{text}"
        for name, text in errors.items()
    )


# What the payout and undo forms post, read inside the action so bad input shows on the page.
def _approval(form: RawForm) -> PayoutApprove:
    return PayoutApprove(override_reason=form.get("override_reason") or None)


def _payment(form: RawForm) -> PayoutPay:
    values = {k: form.get(k) for k in ("paid_on", "method", "reference")}
    return PayoutPay.model_validate(values | {"closed_year_reason": _closed_year_reason(form)})


def _reason(form: RawForm) -> ReasonIn:
    return ReasonIn(reason=form.get("reason", ""))


def _reversal(form: RawForm) -> ReversalIn:
    return ReversalIn(reason=form.get("reason", ""), closed_year_reason=_closed_year_reason(form))


def _closed_year_reason(form: RawForm) -> str | None:
    return form.get("closed_year_reason") or None


#: A payout form's last path segment: the service that decides and how to read the form.
PAYOUT_DECISIONS: dict[str, tuple[Callable, Callable[[RawForm], Any]]] = {
    "approve": (payouts.approve_payout, _approval),
    "pay": (payouts.pay_payout, _payment),
    "void": (payouts.void_payout, _reason),
    "reverse": (payouts.reverse_payout, _reversal),
}


async def _undo(me: SignedIn, partner_id: int, section: str, undo) -> Response:
    """Reverse a payment or cancel a fee owed, back to the partner's money page; a refusal
    shows above the payment form."""
    return await submit_and_redirect(
        undo,
        f"/partners/{partner_id}/money#{section}",
        lambda errors: _partner_money(
            me, partner_id, payment_form=FormState({}, {FORM: _first_problem(errors)})
        ),
    )


class MoneyPages(Controller):
    @get("/payouts")
    async def queue(self, me: NamedDependency[SignedIn]) -> Template:
        return await _queue(me)

    @post("/payouts/{payout_id:int}/{decision:str}")
    async def decide(
        self,
        me: NamedDependency[SignedIn],
        payout_id: FromPath[int],
        decision: FromPath[str],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response:
        """Approve, pay, void or reverse a payout, back to it in the queue; a refusal shows
        on the payout."""
        if decision not in PAYOUT_DECISIONS:
            raise NotFound(f"no such payout decision: {decision}")
        service, read = PAYOUT_DECISIONS[decision]
        form = read_form(data)
        await payouts.get_payout(me.actor, payout_id)  # another firm's payout: a 404 page
        return await submit_and_redirect(
            lambda: service(me.actor, payout_id, read(form)),
            f"/payouts#payout-{payout_id}",
            lambda errors: _queue(me, {payout_id: _first_problem(errors)}, form),
        )

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

        async def save() -> None:
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

        return await submit_and_redirect(
            save,
            f"/partners/{partner_id}/money#arrangements",
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

        async def save() -> None:
            values = {k: form.get(k, "") for k in ("received_on", "method", "reference", "note")}
            values |= {
                "partner_id": partner_id,
                "amount": amount_input(form.get("amount", "")),
                "closed_year_reason": _closed_year_reason(form),
            }
            await payments.record_payment(me.actor, PaymentIn.model_validate(values))

        return await submit_and_redirect(
            save,
            f"/partners/{partner_id}/money#payments",
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
        return await _undo(
            me,
            payment.partner_id,
            "payments",
            lambda: payments.reverse_payment(me.actor, payment_id, _reversal(form)),
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
        return await _undo(
            me,
            owed["partner"],
            "receivables",
            lambda: accruals.reverse_receivable(me.actor, receivable_id, _reason(form)),
        )


PAGES: list = [MoneyPages]
