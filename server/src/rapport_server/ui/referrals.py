"""Referral pages: list, log a referral, view one and move it through its stages."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template
from rapport_core.actors import Actor
from rapport_core.clock import now
from rapport_core.money import accruals
from rapport_core.money.ledger import list_payouts, list_receivables
from rapport_core.money.schemas import FeeCollectedIn, PayoutFilter
from rapport_core.schemas import (
    PartnerOut,
    PartnerSearch,
    ReferralCreate,
    ReferralFilter,
    ReferralOut,
    ReferralUpdate,
)
from rapport_core.services import partners, referrals
from rapport_core.vocabulary import RESPA_PROFESSIONS, Profession

from rapport_server.ui.agreements import agreements_section
from rapport_server.ui.compliance import subject_findings
from rapport_server.ui.forms import (
    FORM,
    FormState,
    RawForm,
    amount_input,
    blank_as_none,
    read_form,
    submit,
    submit_and_redirect,
)
from rapport_server.ui.paging import Pager
from rapport_server.ui.pipeline import DECLINE_CHOICES, stage_input
from rapport_server.ui.rendering import SignedIn, render

PER_PAGE = 25
TEXT_FIELDS = (
    "direction",
    "client_name",
    "client_company",
    "matter_type",
    "jurisdiction",
    "description",
)
OPTIONAL_FIELDS = ("partner_id", "client_email", "client_phone", "estimated_value")
#: The referral's compliance questions: (field, label, hint).
ATTEST = (
    "client_is_attest_client",
    "Attest client",
    "We audit, review or compile for this client: a CPA may then take no commission for the referral (AICPA 1.520)",
)
RESPA = (
    ("settlement_service", "Settlement service", "Business incident to a real estate settlement (RESPA section 8)"),
    ("federally_related_loan", "Federally related loan", "The settlement involves a federally related mortgage loan (FHA, VA, a federally insured lender…)"),
)  # fmt: skip
RESPA_FIELDS = frozenset(name for name, _, _ in RESPA)
FACT_FIELDS = (ATTEST[0], *(name for name, _, _ in RESPA))


def compliance_questions(
    me: SignedIn, partner: PartnerOut | None, referral: ReferralOut | None = None
) -> list[tuple[str, str, str]]:
    """The compliance facts to ask about this referral: the attest question for a CPA firm,
    the RESPA ones where the firm or the partner is a settlement service provider; any one
    already recorded is shown too, so it can be corrected."""
    firm = set(me.firm.professions)
    recorded = {name for name in FACT_FIELDS if referral and getattr(referral, name) is not None}
    asked = [ATTEST] if Profession.cpa in firm or ATTEST[0] in recorded else []
    involved = firm | ({partner.profession} if partner else set())
    respa = bool(RESPA_PROFESSIONS & involved) or bool(recorded & RESPA_FIELDS)
    return asked + (list(RESPA) if respa else [])


def fact_values(referral: ReferralOut) -> RawForm:
    """The recorded compliance facts as the form's selects show them."""
    values = {name: getattr(referral, name) for name in FACT_FIELDS}
    return {name: "" if value is None else str(value).lower() for name, value in values.items()}


def fact_input(form: RawForm) -> dict[str, str | None]:
    """The compliance questions the form asked (blank: not recorded); the others untouched."""
    return blank_as_none(form, tuple(name for name in FACT_FIELDS if name in form))


def referral_input(form: RawForm) -> dict[str, Any]:
    """The form's fields as ReferralCreate expects them (validated by the schema)."""
    fields: dict[str, Any] = {name: form.get(name, "") for name in TEXT_FIELDS}
    fields |= blank_as_none(form, OPTIONAL_FIELDS)
    fields |= fact_input(form)
    if fields["estimated_value"]:
        fields["estimated_value"] = amount_input(fields["estimated_value"])
    return fields


async def all_partners(actor: Actor) -> list[PartnerOut]:
    """Every partner of the firm, by name, for the partner select."""
    found: list[PartnerOut] = []
    while True:
        result = await partners.search_partners(
            actor, PartnerSearch(page=len(found) // 200 + 1, per_page=200)
        )
        found += result.items
        if not result.items or len(found) >= result.total:
            return found


def partner_label(partner: PartnerOut) -> str:
    return f"{partner.name} — {partner.organisation}" if partner.organisation else partner.name


async def _referral_form(me: SignedIn, form: FormState) -> Template:
    everyone = await all_partners(me.actor)
    chosen = next((p for p in everyone if str(p.id) == form.values.get("partner_id")), None)
    return render(
        "referrals/form.html",
        me,
        form=form,
        partner_choices=[(p.id, partner_label(p)) for p in everyone],
        questions=compliance_questions(me, chosen),
    )


async def referral_page(
    me: SignedIn,
    referral_id: int,
    stage_form: FormState | None = None,
    duplicate_form: FormState | None = None,
    facts_form: FormState | None = None,
    fee_form: FormState | None = None,
) -> Template:
    referral = await referrals.get_referral(me.actor, referral_id)
    partner = (
        await partners.get_partner(me.actor, referral.partner_id) if referral.partner_id else None
    )
    return render(
        "referrals/detail.html",
        me,
        referral=referral,
        questions=compliance_questions(me, partner, referral),
        facts_form=facts_form or FormState(values=fact_values(referral)),
        **await agreements_section(me.actor, referral_id=referral_id),
        compliance_findings=await subject_findings(me, referral_id=referral_id),
        stage_form=stage_form or FormState(),
        duplicate_form=duplicate_form or FormState(),
        decline_choices=DECLINE_CHOICES,
        # Its money: fees collected and what they accrued.
        fees=await accruals.list_fees_collected(me.actor, referral_id),
        payouts=await list_payouts(me.actor, PayoutFilter(referral_id=referral_id, limit=1000)),
        receivables=await list_receivables(me.actor, referral_id=referral_id),
        fee_form=fee_form or FormState({"collected_on": now().date().isoformat()}),
    )


class ReferralPages(Controller):
    path = "/referrals"

    @get("/")
    async def index(
        self,
        me: NamedDependency[SignedIn],
        direction: FromQuery[str] = "",
        stage: FromQuery[str] = "",
        q: FromQuery[str] = "",
        partner_id: FromQuery[str] = "",
        page: Annotated[int, QueryParameter(ge=1)] = 1,
    ) -> Template:
        filters = {"direction": direction, "stage": stage, "q": q, "partner_id": partner_id}
        search = ReferralFilter.model_validate(
            {name: value or None for name, value in filters.items()}
            | {"page": page, "per_page": PER_PAGE}
        )
        result = await referrals.list_referrals(me.actor, search)
        partner = (
            await partners.get_partner(me.actor, search.partner_id) if search.partner_id else None
        )
        return render(
            "referrals/list.html",
            me,
            result=result,
            pager=Pager.of(result, filters),
            filters=filters,
            partner=partner,
        )

    @get("/new")
    async def new(
        self,
        me: NamedDependency[SignedIn],
        direction: FromQuery[str] = "received",
        partner_id: FromQuery[str] = "",
    ) -> Template:
        me.actor.require_write()
        return await _referral_form(
            me, FormState(values={"direction": direction, "partner_id": partner_id})
        )

    @post("/new")
    async def create(
        self, me: NamedDependency[SignedIn], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        form = read_form(data)

        async def save() -> Response:
            fields = ReferralCreate.model_validate(referral_input(form))
            referral = await referrals.create_referral(me.actor, fields)
            return Redirect(f"/referrals/{referral.id}", status_code=303)

        return await submit(save, lambda errors: _referral_form(me, FormState(form, errors)))

    @get("/{referral_id:int}")
    async def detail(self, me: NamedDependency[SignedIn], referral_id: FromPath[int]) -> Template:
        return await referral_page(me, referral_id)

    @post("/{referral_id:int}/facts")
    async def record_facts(
        self,
        me: NamedDependency[SignedIn],
        referral_id: FromPath[int],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response:
        """Record the referral's compliance facts (the questions its page asks)."""
        form = read_form(data)

        async def save() -> Response:
            changes = ReferralUpdate(**fact_input(form))
            await referrals.update_referral(me.actor, referral_id, changes)
            return Redirect(f"/referrals/{referral_id}#compliance-facts", status_code=303)

        return await submit(
            save,
            lambda errors: referral_page(me, referral_id, facts_form=FormState(form, errors)),
        )

    @post("/{referral_id:int}/stage")
    async def change_stage(
        self,
        me: NamedDependency[SignedIn],
        referral_id: FromPath[int],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response:
        form = read_form(data)

        # Each stage form is small; its problem (e.g. someone moved it first) goes on top.
        return await submit_and_redirect(
            lambda: referrals.change_stage(me.actor, referral_id, stage_input(form)),
            f"/referrals/{referral_id}",
            lambda errors: referral_page(
                me, referral_id, FormState(form, {FORM: " ".join(errors.values())})
            ),
        )

    @get("/{referral_id:int}/fees")
    async def fees(self, me: NamedDependency[SignedIn], referral_id: FromPath[int]) -> Response:
        """Where a referral's fees were a page of their own: now a section of its page."""
        await referrals.get_referral(me.actor, referral_id, with_history=False)  # else 404
        return Redirect(f"/referrals/{referral_id}#money", status_code=301)

    @post("/{referral_id:int}/fees")
    async def collect(
        self,
        me: NamedDependency[SignedIn],
        referral_id: FromPath[int],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response:
        form = read_form(data)
        await referrals.get_referral(me.actor, referral_id, with_history=False)  # else 404

        async def save() -> None:
            values = {k: form.get(k, "") for k in ("collected_on", "reference", "note")}
            values["amount"] = amount_input(form.get("amount", ""))
            await accruals.record_fee_collected(
                me.actor, referral_id, FeeCollectedIn.model_validate(values)
            )

        return await submit_and_redirect(
            save,
            f"/referrals/{referral_id}#money",
            lambda errors: referral_page(me, referral_id, fee_form=FormState(form, errors)),
        )
