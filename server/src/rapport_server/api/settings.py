from typing import Any

from litestar import Controller, get, patch
from litestar.di import NamedDependency
from litestar.params import JSONBody
from rapport_core.actors import Actor
from rapport_core.firm_settings import FirmSettings
from rapport_core.services.firm_settings import firm_settings, update_firm_settings


class SettingsController(Controller):
    path = "/settings"
    tags = ["settings"]

    @get("/", summary="The firm's settings (stored changes over the defaults)")
    async def show(self, actor: NamedDependency[Actor]) -> FirmSettings:
        return await firm_settings(actor.firm_id)

    @patch(
        "/",
        summary="Change settings (owner or admin)",
        description='Send only what changes, e.g. `{"sla": {"acknowledge_hours": 2}}`.',
    )
    async def change(
        self, actor: NamedDependency[Actor], data: JSONBody[dict[str, Any]]
    ) -> FirmSettings:
        return await update_firm_settings(actor, data)
