from litestar import Controller, delete, get, patch, post
from litestar.params import Parameter

from rapport_core.actors import Actor
from rapport_core.schemas import (
    LicenceCreate,
    LicenceOut,
    LicenceUpdate,
    Page,
    PartnerCreate,
    PartnerOut,
    PartnerSearch,
    PartnerUpdate,
)
from rapport_core.services import partners
from rapport_core.vocabulary import Profession


class PartnerController(Controller):
    path = "/partners"
    tags = ["partners"]

    @get("/", summary="Search partners")
    async def search(
        self,
        actor: Actor,
        q: str | None = Parameter(default=None, description="Name, organisation, specialty or email"),
        profession: Profession | None = None,
        specialty: str | None = None,
        city: str | None = None,
        us_state: str | None = Parameter(query="state", default=None, description="US state code"),
        page: int = Parameter(default=1, ge=1),
        per_page: int = Parameter(default=50, ge=1, le=200),
    ) -> Page[PartnerOut]:
        search = PartnerSearch(
            q=q, profession=profession, specialty=specialty, city=city, state=us_state, page=page, per_page=per_page
        )
        return await partners.search_partners(actor, search)

    @post("/", summary="Add a partner")
    async def create(self, actor: Actor, data: PartnerCreate) -> PartnerOut:
        return await partners.create_partner(actor, data)

    @get("/{partner_id:int}")
    async def read(self, actor: Actor, partner_id: int) -> PartnerOut:
        return await partners.get_partner(actor, partner_id)

    @patch("/{partner_id:int}", summary="Change some of a partner's fields")
    async def update(self, actor: Actor, partner_id: int, data: PartnerUpdate) -> PartnerOut:
        return await partners.update_partner(actor, partner_id, data)

    @delete("/{partner_id:int}", summary="Delete a partner that has no referrals")
    async def remove(self, actor: Actor, partner_id: int) -> None:
        await partners.delete_partner(actor, partner_id)

    @get("/{partner_id:int}/licences")
    async def licences(self, actor: Actor, partner_id: int) -> list[LicenceOut]:
        return await partners.list_licences(actor, partner_id)

    @post("/{partner_id:int}/licences")
    async def add_licence(self, actor: Actor, partner_id: int, data: LicenceCreate) -> LicenceOut:
        return await partners.add_licence(actor, partner_id, data)


class LicenceController(Controller):
    path = "/licences"
    tags = ["licences"]

    @get("/{licence_id:int}")
    async def read(self, actor: Actor, licence_id: int) -> LicenceOut:
        return await partners.get_licence(actor, licence_id)

    @patch("/{licence_id:int}")
    async def update(self, actor: Actor, licence_id: int, data: LicenceUpdate) -> LicenceOut:
        return await partners.update_licence(actor, licence_id, data)

    @delete("/{licence_id:int}")
    async def remove(self, actor: Actor, licence_id: int) -> None:
        await partners.delete_licence(actor, licence_id)
