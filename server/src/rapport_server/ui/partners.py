"""Partner pages: search, add, view, edit, and log a touchpoint."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template
from rapport_core.clock import now
from rapport_core.insights.health import partner_health
from rapport_core.insights.metrics import referral_metrics
from rapport_core.insights.reciprocity import partner_reciprocity
from rapport_core.insights.timeline import partner_timeline
from rapport_core.schemas import (
    ActivityCreate,
    PartnerCreate,
    PartnerOut,
    PartnerSearch,
    PartnerUpdate,
    ReferralFilter,
)
from rapport_core.services import firms, partners, referrals
from rapport_core.services.firm_settings import firm_settings
from rapport_core.tax.w9 import current_w9
from rapport_core.vocabulary import REGISTERED_PROFESSIONS

from rapport_server.ui.compliance import subject_findings
from rapport_server.ui.forms import (
    FormState,
    RawForm,
    blank_as_none,
    join_list,
    read_form,
    split_list,
    submit,
    submit_and_redirect,
)
from rapport_server.ui.insights import month_starts, monthly_chart
from rapport_server.ui.paging import Pager
from rapport_server.ui.rendering import SignedIn, render

PER_PAGE = 25
TIMELINE_EVENTS = 30
TEXT_FIELDS = (
    "name",
    "organisation",
    "profession",
    "address",
    "city",
    "state",
    "postal_code",
    "notes",
    "ideal_client",
)
OPTIONAL_FIELDS = ("email", "phone", "review_cadence_days", "owner_id")
LIST_FIELDS = ("specialties", "tags")


def partner_input(form: RawForm) -> dict[str, Any]:
    """The form's fields as the partner schemas expect them (validated by the schema)."""
    fields = {
        **{name: form.get(name, "") for name in TEXT_FIELDS},
        **blank_as_none(form, OPTIONAL_FIELDS),
        **{name: split_list(form.get(name, "")) for name in LIST_FIELDS},
    }
    if "registration" in form:  # asked only where rules read it: see asks_registration
        fields |= blank_as_none(form, ("registration",))
    return fields


def asks_registration(me: SignedIn, partner: PartnerOut | None) -> bool:
    """Rules read a partner's registration when the firm is an adviser or a broker-dealer
    (FINRA 2040); one already on file is always shown, so it can be corrected."""
    return bool(REGISTERED_PROFESSIONS & set(me.firm.professions)) or bool(
        partner and partner.registration
    )


def partner_values(partner: PartnerOut) -> RawForm:
    """A partner as the edit form shows it."""
    fields = partner.model_dump(
        mode="json", include={*TEXT_FIELDS, *OPTIONAL_FIELDS, "registration"}
    )
    values = {name: "" if value is None else str(value) for name, value in fields.items()}
    return values | {name: join_list(getattr(partner, name)) for name in LIST_FIELDS}


async def _partner_form(me: SignedIn, form: FormState, partner: PartnerOut | None) -> Template:
    return render(
        "partners/form.html",
        me,
        form=form,
        partner=partner,
        owners=[(user.id, user.name) for user in await firms.list_users(me.actor) if user.active],
        ask_registration=asks_registration(me, partner),
    )


async def _partner_page(
    me: SignedIn, partner_id: int, activity_form: FormState | None = None
) -> Template:
    partner = await partners.get_partner(me.actor, partner_id)
    related = await referrals.list_referrals(
        me.actor, ReferralFilter(partner_id=partner_id, per_page=10)
    )
    users = {user.id: user for user in await firms.list_users(me.actor)}
    today = now().date()
    months = month_starts(today)
    metrics = await referral_metrics(
        me.actor, period_from=months[0], period_to=today, partner_id=partner_id
    )
    monthly, monthly_rows = monthly_chart(metrics, months)
    return render(
        "partners/detail.html",
        me,
        partner=partner,
        ask_registration=asks_registration(me, partner),
        owner=users.get(partner.owner_id) if partner.owner_id else None,
        licences=await partners.list_licences(me.actor, partner_id),
        compliance_findings=await subject_findings(me, partner_id=partner_id),
        timeline=await partner_timeline(me.actor, partner_id, limit=TIMELINE_EVENTS),
        referrals=related,
        reciprocity=await partner_reciprocity(me.actor, partner_id),
        health=await partner_health(me.actor, partner_id),
        settings=await firm_settings(me.actor.firm_id),
        monthly=monthly,
        monthly_rows=monthly_rows,
        w9=await current_w9(me.actor, partner_id),
        activity_form=activity_form
        or FormState(values={"kind": "meeting", "occurred_on": today.isoformat()}),
    )


class PartnerPages(Controller):
    path = "/partners"

    @get("/")
    async def index(
        self,
        me: NamedDependency[SignedIn],
        q: FromQuery[str] = "",
        profession: FromQuery[str] = "",
        specialty: FromQuery[str] = "",
        us_state: Annotated[str, QueryParameter(name="state")] = "",
        page: Annotated[int, QueryParameter(ge=1)] = 1,
    ) -> Template:
        filters = {"q": q, "profession": profession, "state": us_state, "specialty": specialty}
        search = PartnerSearch(
            **{name: value or None for name, value in filters.items()},
            page=page,
            per_page=PER_PAGE,
        )
        result = await partners.search_partners(me.actor, search)
        return render(
            "partners/list.html",
            me,
            result=result,
            pager=Pager.of(result, filters),
            filters=filters,
        )

    @get("/new")
    async def new(self, me: NamedDependency[SignedIn]) -> Template:
        me.actor.require_write()
        return await _partner_form(me, FormState(), None)

    @post("/new")
    async def create(
        self, me: NamedDependency[SignedIn], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        form = read_form(data)

        async def save() -> Response:
            fields = PartnerCreate.model_validate(partner_input(form))
            partner = await partners.create_partner(me.actor, fields)
            return Redirect(f"/partners/{partner.id}", status_code=303)

        return await submit(save, lambda errors: _partner_form(me, FormState(form, errors), None))

    @get("/{partner_id:int}")
    async def detail(self, me: NamedDependency[SignedIn], partner_id: FromPath[int]) -> Template:
        return await _partner_page(me, partner_id)

    @get("/{partner_id:int}/edit")
    async def edit(self, me: NamedDependency[SignedIn], partner_id: FromPath[int]) -> Template:
        partner = await partners.get_partner(me.actor, partner_id)
        me.actor.require_write()
        return await _partner_form(me, FormState(values=partner_values(partner)), partner)

    @post("/{partner_id:int}/edit")
    async def update(
        self,
        me: NamedDependency[SignedIn],
        partner_id: FromPath[int],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response:
        form = read_form(data)
        partner = await partners.get_partner(me.actor, partner_id)

        return await submit_and_redirect(
            lambda: partners.update_partner(
                me.actor, partner_id, PartnerUpdate.model_validate(partner_input(form))
            ),
            f"/partners/{partner_id}",
            lambda errors: _partner_form(me, FormState(form, errors), partner),
        )

    @post("/{partner_id:int}/activities")
    async def log_activity(
        self,
        me: NamedDependency[SignedIn],
        partner_id: FromPath[int],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response:
        form = read_form(data)

        async def save() -> None:
            activity = ActivityCreate.model_validate(
                {
                    "partner_id": partner_id,
                    "kind": form.get("kind", ""),
                    "occurred_on": form.get("occurred_on") or None,
                    "summary": form.get("summary", ""),
                }
            )
            await partners.log_activity(me.actor, activity)

        return await submit_and_redirect(
            save,
            f"/partners/{partner_id}#activities",
            lambda errors: _partner_page(me, partner_id, FormState(form, errors)),
        )
