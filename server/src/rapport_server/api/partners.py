from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
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
        actor: NamedDependency[Actor],
        q: Annotated[
            str | None, QueryParameter(description="Name, organisation, specialty or email")
        ] = None,
        profession: FromQuery[Profession | None] = None,
        specialty: FromQuery[str | None] = None,
        city: FromQuery[str | None] = None,
        us_state: Annotated[
            str | None, QueryParameter(name="state", description="US state code")
        ] = None,
        page: Annotated[int, QueryParameter(ge=1)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> Page[PartnerOut]:
        search = PartnerSearch(
            q=q,
            profession=profession,
            specialty=specialty,
            city=city,
            state=us_state,
            page=page,
            per_page=per_page,
        )
        return await partners.search_partners(actor, search)

    @post("/", summary="Add a partner")
    async def create(
        self, actor: NamedDependency[Actor], data: JSONBody[PartnerCreate]
    ) -> PartnerOut:
        return await partners.create_partner(actor, data)

    @get("/{partner_id:int}")
    async def read(self, actor: NamedDependency[Actor], partner_id: FromPath[int]) -> PartnerOut:
        return await partners.get_partner(actor, partner_id)

    @patch("/{partner_id:int}", summary="Change some of a partner's fields")
    async def update(
        self,
        actor: NamedDependency[Actor],
        partner_id: FromPath[int],
        data: JSONBody[PartnerUpdate],
    ) -> PartnerOut:
        return await partners.update_partner(actor, partner_id, data)

    @delete("/{partner_id:int}", summary="Delete a partner that has no referrals")
    async def remove(self, actor: NamedDependency[Actor], partner_id: FromPath[int]) -> None:
        await partners.delete_partner(actor, partner_id)

    @get("/{partner_id:int}/licences")
    async def licences(
        self, actor: NamedDependency[Actor], partner_id: FromPath[int]
    ) -> list[LicenceOut]:
        return await partners.list_licences(actor, partner_id)

    @post("/{partner_id:int}/licences")
    async def add_licence(
        self,
        actor: NamedDependency[Actor],
        partner_id: FromPath[int],
        data: JSONBody[LicenceCreate],
    ) -> LicenceOut:
        return await partners.add_licence(actor, partner_id, data)


class LicenceController(Controller):
    path = "/licences"
    tags = ["licences"]

    @get("/{licence_id:int}")
    async def read(self, actor: NamedDependency[Actor], licence_id: FromPath[int]) -> LicenceOut:
        return await partners.get_licence(actor, licence_id)

    @patch("/{licence_id:int}")
    async def update(
        self,
        actor: NamedDependency[Actor],
        licence_id: FromPath[int],
        data: JSONBody[LicenceUpdate],
    ) -> LicenceOut:
        return await partners.update_licence(actor, licence_id, data)

    @delete("/{licence_id:int}")
    async def remove(self, actor: NamedDependency[Actor], licence_id: FromPath[int]) -> None:
        await partners.delete_licence(actor, licence_id)
