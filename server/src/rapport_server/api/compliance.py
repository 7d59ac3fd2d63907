"""API for the compliance engine: findings (list, detail, waive), evaluation, packs and the
firm's pack settings."""

from __future__ import annotations

from typing import Literal

from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from rapport_core.actors import Actor
from rapport_core.compliance import service
from rapport_core.compliance.catalog import default_catalog
from rapport_core.compliance.schemas import (
    EnableIn,
    EvaluateIn,
    EvaluationOut,
    FailedPackOut,
    FindingOut,
    PackOut,
    PacksOut,
    UpgradePreviewOut,
    WaiveIn,
)


async def packs_out(actor: Actor) -> PacksOut:
    catalog = default_catalog()
    states = await service.pack_states(actor, catalog)
    return PacksOut(
        packs=[
            PackOut(
                id=s.pack.id,
                title=s.pack.meta.title,
                version=s.pack.meta.version,
                jurisdiction=s.pack.meta.jurisdiction,
                professions=list(s.pack.meta.professions),
                extends=list(s.pack.meta.extends),
                rules=sorted(s.pack.resolved),
                enabled=s.enabled,
                pinned=s.pinned,
                active=s.active,
            )
            for s in states
        ],
        failed=[
            FailedPackOut(directory=str(p.directory), problems=[str(x) for x in p.problems])
            for p in catalog.failed
        ],
    )


class FindingController(Controller):
    path = "/compliance"
    tags = ["compliance"]

    @get("/findings", summary="The firm's findings, violations first")
    async def index(
        self,
        actor: NamedDependency[Actor],
        status: FromQuery[Literal["open", "waived", "resolved", "all"]] = "open",
        severity: FromQuery[Literal["violation", "warning", "info"] | None] = None,
        pack: FromQuery[str | None] = None,
        subject_type: FromQuery[Literal["referral", "partner"] | None] = None,
        subject_id: FromQuery[int | None] = None,
    ) -> list[FindingOut]:
        rows = await service.list_findings(
            actor,
            status=None if status == "all" else status,
            severity=severity,
            pack_id=pack,
            subject_type=subject_type,
            subject_id=subject_id,
        )
        return [FindingOut.model_validate(r) for r in rows]

    @get("/findings/{finding_id:int}", summary="One finding with the facts that fired it")
    async def detail(self, actor: NamedDependency[Actor], finding_id: FromPath[int]) -> FindingOut:
        return FindingOut.model_validate(await service.get_finding(actor, finding_id))

    @post(
        "/findings/{finding_id:int}/waive",
        summary="Waive an open finding with a reason (compliance role)",
        status_code=200,
    )
    async def waive(
        self, actor: NamedDependency[Actor], finding_id: FromPath[int], data: JSONBody[WaiveIn]
    ) -> FindingOut:
        return FindingOut.model_validate(await service.waive(actor, finding_id, data.reason))

    @post(
        "/evaluate",
        summary="Evaluate the firm's enabled packs now and store the findings",
        status_code=200,
    )
    async def evaluate(
        self, actor: NamedDependency[Actor], data: JSONBody[EvaluateIn | None] = None
    ) -> EvaluationOut:
        actor.require_write()
        summary = await service.evaluate(actor, as_of=data.as_of if data else None)
        return EvaluationOut.model_validate(summary.as_dict())

    @get(
        "/packs",
        summary="Installed packs, the firm's enabled ones and pinned versions, and packs that failed to load",
    )
    async def packs(self, actor: NamedDependency[Actor]) -> PacksOut:
        return await packs_out(actor)

    @put("/packs/enabled", summary="Enable exactly these packs (owner, admin or compliance)")
    async def enable(self, actor: NamedDependency[Actor], data: JSONBody[EnableIn]) -> PacksOut:
        await service.set_enabled(actor, data.packs)
        return await packs_out(actor)

    @get(
        "/packs/{pack_id:str}/upgrade",
        summary="Findings that would appear or disappear on upgrading a pack",
    )
    async def upgrade_preview(
        self, actor: NamedDependency[Actor], pack_id: FromPath[str]
    ) -> UpgradePreviewOut:
        return UpgradePreviewOut.model_validate(await service.upgrade_preview(actor, pack_id))

    @post(
        "/packs/{pack_id:str}/pin",
        summary="Accept the installed version of a pack",
        status_code=200,
    )
    async def pin(self, actor: NamedDependency[Actor], pack_id: FromPath[str]) -> PacksOut:
        await service.pin(actor, pack_id)
        return await packs_out(actor)


CONTROLLERS = [FindingController]
