from litestar import Controller, get
from litestar.di import NamedDependency
from rapport_core.actors import Actor
from rapport_core.schemas import FirmOut, UserOut
from rapport_core.services import firms


class MeController(Controller):
    path = "/me"
    tags = ["account"]

    @get("/", summary="The token's user and firm")
    async def me(self, actor: NamedDependency[Actor]) -> dict[str, UserOut | FirmOut | None]:
        user = await firms.get_user(actor.user_id) if actor.user_id else None
        return {"user": user, "firm": await firms.get_firm(actor.firm_id)}
