"""Instance metadata: ``/-/plugins`` and a health check."""

from litestar import Router, get
from litestar.di import NamedDependency, Provide
from rapport_core import __version__
from rapport_core.actors import Actor
from rapport_core.plugins import installed_plugins

from rapport_server.auth import any_actor


@get("/plugins", summary="Installed plugins with versions and hooks")
async def plugins(actor: NamedDependency[Actor]) -> list[dict]:
    return [info.as_dict() for info in installed_plugins()]


@get("/health", summary="Liveness check")
async def health() -> dict[str, str]:
    return {"status": "ok", "version": __version__}


meta_router = Router(
    path="/-",
    route_handlers=[plugins, health],
    dependencies={"actor": Provide(any_actor)},
    tags=["meta"],
)
