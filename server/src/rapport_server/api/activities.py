from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from rapport_core.actors import Actor
from rapport_core.schemas import ActivityCreate, ActivityOut
from rapport_core.services import partners


class ActivityController(Controller):
    path = "/activities"
    tags = ["activities"]

    @get("/", summary="Touchpoints, newest first")
    async def search(
        self, actor: NamedDependency[Actor], partner_id: FromQuery[int | None] = None
    ) -> list[ActivityOut]:
        return await partners.list_activities(actor, partner_id)

    @post("/", summary="Log a touchpoint with a partner")
    async def create(
        self, actor: NamedDependency[Actor], data: JSONBody[ActivityCreate]
    ) -> ActivityOut:
        return await partners.log_activity(actor, data)

    @get("/{activity_id:int}")
    async def read(self, actor: NamedDependency[Actor], activity_id: FromPath[int]) -> ActivityOut:
        return await partners.get_activity(actor, activity_id)

    @delete("/{activity_id:int}")
    async def remove(self, actor: NamedDependency[Actor], activity_id: FromPath[int]) -> None:
        await partners.delete_activity(actor, activity_id)
