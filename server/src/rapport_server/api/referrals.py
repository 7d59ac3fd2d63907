from typing import Annotated, Literal

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from rapport_core.actors import Actor
from rapport_core.schemas import (
    Page,
    ReferralCreate,
    ReferralFilter,
    ReferralOut,
    ReferralUpdate,
    StageChangeIn,
)
from rapport_core.services import referrals
from rapport_core.vocabulary import Direction, Stage


class ReferralController(Controller):
    path = "/referrals"
    tags = ["referrals"]

    @get("/", summary="List referrals, newest first")
    async def search(
        self,
        actor: NamedDependency[Actor],
        direction: FromQuery[Direction | None] = None,
        stage: FromQuery[Stage | None] = None,
        partner_id: FromQuery[int | None] = None,
        matter_type: FromQuery[str | None] = None,
        q: Annotated[
            str | None, QueryParameter(description="Client, company, matter or partner")
        ] = None,
        duplicates: Annotated[
            Literal["flagged"] | None,
            QueryParameter(description="`flagged`: only referrals flagged as duplicates"),
        ] = None,
        page: Annotated[int, QueryParameter(ge=1)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> Page[ReferralOut]:
        filters = ReferralFilter(
            direction=direction,
            stage=stage,
            partner_id=partner_id,
            matter_type=matter_type,
            q=q,
            duplicates=duplicates,
            page=page,
            per_page=per_page,
        )
        return await referrals.list_referrals(actor, filters)

    @post("/", summary="Log a referral, sent or received")
    async def create(
        self, actor: NamedDependency[Actor], data: JSONBody[ReferralCreate]
    ) -> ReferralOut:
        return await referrals.create_referral(actor, data)

    @get("/{referral_id:int}", summary="A referral with its stage history")
    async def read(self, actor: NamedDependency[Actor], referral_id: FromPath[int]) -> ReferralOut:
        return await referrals.get_referral(actor, referral_id)

    @patch("/{referral_id:int}", summary="Change some fields (send `version` to detect conflicts)")
    async def update(
        self,
        actor: NamedDependency[Actor],
        referral_id: FromPath[int],
        data: JSONBody[ReferralUpdate],
    ) -> ReferralOut:
        return await referrals.update_referral(actor, referral_id, data)

    @post("/{referral_id:int}/stage", summary="Move a referral to its next stage", status_code=200)
    async def change_stage(
        self,
        actor: NamedDependency[Actor],
        referral_id: FromPath[int],
        data: JSONBody[StageChangeIn],
    ) -> ReferralOut:
        return await referrals.change_stage(actor, referral_id, data)

    @delete("/{referral_id:int}")
    async def remove(self, actor: NamedDependency[Actor], referral_id: FromPath[int]) -> None:
        await referrals.delete_referral(actor, referral_id)
