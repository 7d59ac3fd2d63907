"""The server's own plugin: built-in routes and the ``rapport serve`` command."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from rapport_core.plugins import hookimpl


@hookimpl
def register_routes(register: Callable[[Any], None]) -> None:
    from rapport_server.api import api_router
    from rapport_server.meta import meta_router
    from rapport_server.ui import ui_router

    register(api_router)
    register(meta_router)
    register(ui_router)


@hookimpl
def register_commands(cli: click.Group) -> None:
    @cli.command()
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=8000, show_default=True, type=int)
    @click.option("--demo", is_flag=True, help="Load the demo firm (once) before serving.")
    @click.option("--reload", is_flag=True, help="Restart when code changes (development).")
    def serve(host: str, port: int, demo: bool, reload: bool) -> None:
        """Run the web app: migrations first, then the server."""
        import os

        import uvicorn
        from rapport_core.settings import get_settings

        settings = get_settings()
        click.echo(
            f"Rapport on http://{host}:{port}  (database: {settings.database_url.split('@')[-1]})"
        )
        if demo:
            click.echo("Demo firm: sign in as owner@demo.example with password rapport-demo")
        os.environ["RAPPORT_SERVE_DEMO"] = "1" if demo else ""
        uvicorn.run(
            "rapport_server.app:app_from_environment",
            factory=True,
            host=host,
            port=port,
            reload=reload,
            log_level="info",
        )
