from litestar import Controller, delete, get, patch, post
from litestar.params import Parameter

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
        actor: Actor,
        direction: Direction | None = None,
        stage: Stage | None = None,
        partner_id: int | None = None,
        matter_type: str | None = None,
        q: str | None = Parameter(default=None, description="Client, company, matter or partner"),
        page: int = Parameter(default=1, ge=1),
        per_page: int = Parameter(default=50, ge=1, le=200),
    ) -> Page[ReferralOut]:
        filters = ReferralFilter(
            direction=direction,
            stage=stage,
            partner_id=partner_id,
            matter_type=matter_type,
            q=q,
            page=page,
            per_page=per_page,
        )
        return await referrals.list_referrals(actor, filters)

    @post("/", summary="Log a referral, sent or received")
    async def create(self, actor: Actor, data: ReferralCreate) -> ReferralOut:
        return await referrals.create_referral(actor, data)

    @get("/{referral_id:int}", summary="A referral with its stage history")
    async def read(self, actor: Actor, referral_id: int) -> ReferralOut:
        return await referrals.get_referral(actor, referral_id)

    @patch("/{referral_id:int}", summary="Change some fields (send `version` to detect conflicts)")
    async def update(self, actor: Actor, referral_id: int, data: ReferralUpdate) -> ReferralOut:
        return await referrals.update_referral(actor, referral_id, data)

    @post("/{referral_id:int}/stage", summary="Move a referral to its next stage", status_code=200)
    async def change_stage(self, actor: Actor, referral_id: int, data: StageChangeIn) -> ReferralOut:
        return await referrals.change_stage(actor, referral_id, data)

    @delete("/{referral_id:int}")
    async def remove(self, actor: Actor, referral_id: int) -> None:
        await referrals.delete_referral(actor, referral_id)
