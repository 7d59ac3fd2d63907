"""Pipeline pages: the board of referrals by stage, the approval queue, routing and settings."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any, get_args

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import ValidationError
from rapport_core.clock import now
from rapport_core.errors import NotFound, RapportError
from rapport_core.firm_settings import FirmSettings
from rapport_core.pipeline import assignment, drafts
from rapport_core.pipeline.intake import DuplicateDecision, decide_duplicate
from rapport_core.pipeline.mail import mail_configured
from rapport_core.pipeline.sla import sla_breaches
from rapport_core.schemas import ReferralFilter, StageChangeIn
from rapport_core.services import firms, referrals
from rapport_core.services.firm_settings import firm_settings, update_firm_settings
from rapport_core.vocabulary import DeclineReason, DraftStatus, Stage

from rapport_server.ui.forms import (
    FORM,
    FormState,
    RawForm,
    read_form,
    refusal,
    submit_and_redirect,
)
from rapport_server.ui.rendering import SignedIn, render

BOARD_STAGES = [
    Stage.submitted,
    Stage.acknowledged,
    Stage.contacted,
    Stage.qualified,
    Stage.introduced,
    Stage.accepted,
]
SLA_LABELS = {
    "acknowledge": "Acknowledge overdue",
    "first_contact": "Contact overdue",
    "partner_update": "Partner update due",
}
DECLINE_CHOICES = [(r.value, r.value.replace("_", " ").capitalize()) for r in DeclineReason]


def age(moment: dt.datetime) -> str:
    days = (now() - moment).days
    return "today" if days < 1 else f"{days} day{'s' if days > 1 else ''}"


def stage_input(form: RawForm) -> StageChangeIn:
    """A stage form's fields (stage, note, reason, actual value, version) as the service
    expects them; empty optional fields mean "not given"."""
    value = form.get("actual_value", "").replace("$", "").replace(",", "")
    return StageChangeIn.model_validate(
        {
            "stage": form.get("stage", ""),
            "note": form.get("note", ""),
            "reason": form.get("reason") or None,
            "actual_value": value or None,
            # The version the page showed: a change made meanwhile is a conflict.
            "version": form.get("version") or None,
        }
    )


async def _board(me: SignedIn, problem: str = "") -> Template:
    columns = []
    for stage in BOARD_STAGES:
        page = await referrals.list_referrals(me.actor, ReferralFilter(stage=stage, per_page=200))
        columns.append((stage, sorted(page.items, key=lambda r: r.referred_at)))
    overdue: dict[int, list[str]] = {}
    for breach in await sla_breaches(me.actor):
        overdue.setdefault(breach.referral_id, []).append(SLA_LABELS[breach.kind])
    return render(
        "pipeline/board.html",
        me,
        columns=columns,
        overdue=overdue,
        decline_choices=DECLINE_CHOICES,
        age=age,
        problem=problem,
        status_code=422 if problem else 200,
    )


async def _queue(me: SignedIn, problem: str = "") -> Template:
    pending = await drafts.list_drafts(me.actor, DraftStatus.pending)
    ready = [d for d in await drafts.list_drafts(me.actor, DraftStatus.approved)][-20:]
    return render(
        "pipeline/approvals.html",
        me,
        pending=pending,
        sending=await drafts.list_drafts(me.actor, DraftStatus.sending),
        ready=list(reversed(ready)),
        smtp=mail_configured(),
        problem=problem,
    )


async def _settings_page(me: SignedIn, form: FormState | None = None) -> Template:
    settings = await firm_settings(me.actor.firm_id)
    sections = []
    for name in FirmSettings.model_fields:
        section = getattr(settings, name)
        fields = [
            (
                f"{name}.{field}",
                field.replace("_", " ").capitalize(),
                meta,
                getattr(section, field),
                _options(meta.annotation),
            )
            for field, meta in type(section).model_fields.items()
        ]
        sections.append((name.replace("_", " ").capitalize(), fields))
    users = await firms.list_users(me.actor)
    return render(
        "pipeline/settings.html",
        me,
        sections=sections,
        form=form or FormState(),
        can_admin=me.actor.role.can_manage_users,
        rules=await assignment.list_rules(me.actor),
        users=[u for u in users if u.active],
    )


def _options(annotation) -> list[str] | None:
    """The values a closed-vocabulary setting can take (``Enum`` or ``Enum | None``)."""
    for kind in (annotation, *get_args(annotation)):
        if isinstance(kind, type) and issubclass(kind, Enum):
            return [member.value for member in kind]
    return None


def _setting_field(section: str, name: str):
    info = FirmSettings.model_fields.get(section)
    return info.annotation.model_fields.get(name) if info else None


def _outcome(problem_errors: dict[str, str]) -> str:
    return " ".join(problem_errors.values())


#: What a person can do with a partner update in the approval queue.
DRAFT_ACTIONS = ("approve", "save", "discard", "requeue")


async def _act_on_draft(me: SignedIn, draft_id: int, action: str, form: RawForm) -> None:
    """Approve, save, discard or requeue a draft; approve and save keep the text as edited."""
    edit = {name: form[name] for name in ("subject", "body") if name in form}
    if action != "discard" and edit:
        await drafts.edit_draft(me.actor, draft_id, drafts.DraftEdit(**edit))
    if action == "approve":
        await drafts.approve_draft(me.actor, draft_id)
    elif action == "discard":
        await drafts.discard_draft(me.actor, draft_id)
    elif action == "requeue":
        await drafts.requeue_draft(me.actor, draft_id)


class PipelinePages(Controller):
    @get("/pipeline")
    async def board(self, me: NamedDependency[SignedIn]) -> Template:
        return await _board(me)

    @post("/pipeline/{referral_id:int}/stage")
    async def move(
        self,
        me: NamedDependency[SignedIn],
        referral_id: FromPath[int],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response:
        form = read_form(data)
        await referrals.get_referral(me.actor, referral_id)  # another firm's: a 404 page

        return await submit_and_redirect(
            lambda: referrals.change_stage(me.actor, referral_id, stage_input(form)),
            "/pipeline",
            lambda errors: _board(me, _outcome(errors)),
        )

    @post("/referrals/{referral_id:int}/duplicate")
    async def not_duplicate(
        self,
        me: NamedDependency[SignedIn],
        referral_id: FromPath[int],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response:
        from rapport_server.ui.referrals import referral_page

        form = read_form(data)

        def decision() -> DuplicateDecision:
            return DuplicateDecision(action="not_duplicate", reason=form.get("reason", ""))

        return await submit_and_redirect(
            lambda: decide_duplicate(me.actor, referral_id, decision()),
            f"/referrals/{referral_id}",
            lambda errors: referral_page(me, referral_id, duplicate_form=FormState(form, errors)),
        )

    @get("/approvals")
    async def approvals(self, me: NamedDependency[SignedIn]) -> Template:
        return await _queue(me)

    @post("/approvals/{draft_id:int}/{action:str}")
    async def decide(
        self,
        me: NamedDependency[SignedIn],
        draft_id: FromPath[int],
        action: FromPath[str],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response:
        if action not in DRAFT_ACTIONS:
            raise NotFound(f"no such action on a partner update: {action}")
        form = read_form(data)
        await drafts.get_draft(me.actor, draft_id)  # another firm's draft: a 404 page
        return await submit_and_redirect(
            lambda: _act_on_draft(me, draft_id, action, form),
            "/approvals",
            lambda errors: _queue(me, _outcome(errors)),
        )

    @get("/settings")
    async def settings(self, me: NamedDependency[SignedIn]) -> Template:
        return await _settings_page(me)

    @post("/settings")
    async def change_settings(
        self, me: NamedDependency[SignedIn], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        form = read_form(data)
        changes: dict[str, dict[str, Any]] = {}
        for key, value in form.items():
            section, _, name = key.partition(".")
            # A blank optional field (e.g. reply_to) means "none"; other blanks stay text.
            field = _setting_field(section, name)
            blank = None if field is not None and field.default is None else ""
            changes.setdefault(section, {})[name] = value or blank
        try:
            await update_firm_settings(me.actor, changes)
        except (ValidationError, RapportError) as error:
            if isinstance(error, ValidationError):
                errors = {".".join(map(str, e["loc"])): e["msg"] for e in error.errors()}
                status = 422
            else:
                errors, status = refusal(error)
            page = await _settings_page(me, FormState(form, errors))
            page.status_code = status
            return page
        return Redirect("/settings", status_code=303)

    @post("/settings/rules")
    async def add_rule(
        self, me: NamedDependency[SignedIn], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        form = read_form(data)

        fields = {name: value for name, value in form.items() if value != ""}
        return await submit_and_redirect(
            lambda: assignment.create_rule(me.actor, assignment.RoutingRuleCreate(**fields)),
            "/settings#routing",
            lambda errors: _settings_page(me, FormState({}, {FORM: _outcome(errors)})),
        )

    @post("/settings/rules/{rule_id:int}/delete")
    async def remove_rule(self, me: NamedDependency[SignedIn], rule_id: FromPath[int]) -> Response:
        await assignment.delete_rule(me.actor, rule_id)
        return Redirect("/settings#routing", status_code=303)


PAGES: list = [PipelinePages]
