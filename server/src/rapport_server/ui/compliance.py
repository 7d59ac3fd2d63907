"""Compliance pages: findings with filters, a finding with its facts and the waiver form,
and the pack browser (packs, rules, their cases, and packs that failed to load)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from rapport_core.compliance import conditions, service
from rapport_core.compliance.catalog import default_catalog
from rapport_core.errors import NotFound

from rapport_server.ui.forms import FORM, FormState, read_form, submit
from rapport_server.ui.rendering import SignedIn, render

SEVERITIES = ("violation", "warning", "info")
STATUSES = ("open", "waived", "resolved", "all")


def failed_packs() -> list[dict[str, Any]]:
    """Packs that did not load, for the banner on every compliance page."""
    return [
        {"id": p.id, "directory": str(p.directory), "problems": [str(x) for x in p.problems]}
        for p in default_catalog().failed
    ]


async def subject_findings(
    me: SignedIn, *, referral_id: int | None = None, partner_id: int | None = None
) -> list[dict]:
    """Open and waived findings shown on a referral's or a partner's page."""
    rows = []
    for status in ("open", "waived"):
        rows += await service.list_findings(
            me.actor, status=status, referral_id=referral_id, partner_id=partner_id
        )
    return rows


async def _finding_page(me: SignedIn, finding_id: int, form: FormState | None = None) -> Template:
    finding = await service.get_finding(me.actor, finding_id)
    found = default_catalog().rule(finding["rule_id"])
    rule = found[1] if found else None
    return render(
        "compliance/finding.html",
        me,
        finding=finding,
        rule=rule,
        condition=conditions.describe(rule.when) if rule else None,
        form=form or FormState(),
        can_waive=me.actor.role.value == "compliance",
        failed=failed_packs(),
    )


class CompliancePages(Controller):
    @get("/compliance")
    async def findings(
        self,
        me: NamedDependency[SignedIn],
        status: FromQuery[str] = "open",
        severity: FromQuery[str] = "",
        pack: FromQuery[str] = "",
        subject: FromQuery[str] = "",
    ) -> Template:
        status = status if status in STATUSES else "open"
        rows = await service.list_findings(
            me.actor,
            status=None if status == "all" else status,
            severity=severity if severity in SEVERITIES else None,
            pack_id=pack or None,
            subject_type=subject if subject in ("referral", "partner") else None,
        )
        return render(
            "compliance/findings.html",
            me,
            findings=rows,
            counts=await service.open_counts(me.actor),
            filters={"status": status, "severity": severity, "pack": pack, "subject": subject},
            packs=[s.pack.id for s in await service.pack_states(me.actor) if s.enabled],
            failed=failed_packs(),
        )

    @get("/compliance/findings/{finding_id:int}")
    async def finding(self, me: NamedDependency[SignedIn], finding_id: FromPath[int]) -> Template:
        return await _finding_page(me, finding_id)

    @post("/compliance/findings/{finding_id:int}/waive")
    async def waive(
        self,
        me: NamedDependency[SignedIn],
        finding_id: FromPath[int],
        data: URLEncodedBody[dict[str, Any]],
    ) -> Response:
        form = read_form(data)

        async def save() -> Response:
            await service.waive(me.actor, finding_id, form.get("reason", ""))
            return Redirect(f"/compliance/findings/{finding_id}", status_code=303)

        return await submit(
            save, lambda errors: _finding_page(me, finding_id, FormState(form, errors))
        )

    @post("/compliance/evaluate")
    async def evaluate(self, me: NamedDependency[SignedIn]) -> Response:
        me.actor.require_write()
        await service.evaluate(me.actor)
        return Redirect("/compliance", status_code=303)

    @get("/compliance/packs")
    async def packs(self, me: NamedDependency[SignedIn]) -> Template:
        states = await service.pack_states(me.actor)
        manage = me.actor.role.value in ("owner", "admin", "compliance")
        return render(
            "compliance/packs.html", me, states=states, manage=manage, failed=failed_packs()
        )

    @post("/compliance/packs")
    async def enable(
        self, me: NamedDependency[SignedIn], data: URLEncodedBody[dict[str, Any]]
    ) -> Response:
        chosen = [name.removeprefix("pack:") for name in (data or {}) if name.startswith("pack:")]
        await service.set_enabled(me.actor, chosen)
        return Redirect("/compliance/packs", status_code=303)

    @get("/compliance/packs/{pack_id:str}/upgrade")
    async def upgrade(self, me: NamedDependency[SignedIn], pack_id: FromPath[str]) -> Template:
        preview = await service.upgrade_preview(me.actor, pack_id)
        return render(
            "compliance/upgrade.html", me, pack_id=pack_id, preview=preview, failed=failed_packs()
        )

    @post("/compliance/packs/{pack_id:str}/pin")
    async def pin(self, me: NamedDependency[SignedIn], pack_id: FromPath[str]) -> Response:
        await service.pin(me.actor, pack_id)
        return Redirect("/compliance/packs", status_code=303)

    @get("/compliance/packs/{pack_id:str}")
    async def pack(self, me: NamedDependency[SignedIn], pack_id: FromPath[str]) -> Template:
        pack = default_catalog().get(pack_id)
        if pack is None:
            raise NotFound(f"no pack {pack_id!r}")
        rules = [
            {
                "rule": rule,
                "condition": conditions.describe(rule.when),
                "inherited": rule.pack_id != pack.id,
            }
            for _, rule in sorted(pack.resolved.items())
        ]
        return render(
            "compliance/pack.html", me, pack=pack, rules=rules, failed=failed_packs(), FORM=FORM
        )


PAGES: list = [CompliancePages]
