"""The Litestar application factory: whatever plugins are installed, assembled into one app."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from litestar import Litestar, Request, Response
from litestar.config.csrf import CSRFConfig
from litestar.exceptions import HTTPException
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.openapi import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from rapport_core import __version__, db
from rapport_core.compliance.schedule import daily_evaluation
from rapport_core.plugins import RapportPluginManager, get_plugin_manager
from rapport_core.settings import Settings, get_settings

from rapport_server import problems
from rapport_server.auth import LoginRequired
from rapport_server.ui import errors as ui_errors

HERE = Path(__file__).parent


def _key(settings: Settings, purpose: str) -> bytes:
    """A 32-byte key for one purpose, derived from the configured secret key."""
    return hashlib.sha256(f"{purpose}:{settings.secret_key}".encode()).digest()


def _on_login_required(request: Request, error: LoginRequired) -> Response:
    return Redirect(f"/login?next={quote(error.next_path)}", status_code=303)


def _on_http_error(request: Request, error: HTTPException) -> Response:
    """Errors raised before routing (no such page, wrong method) reach the app's handler:
    people in a browser get the HTML page, programs and the API get problem JSON."""
    wants_html = request.accept.best_match(["application/json", "text/html"]) == "text/html"
    if wants_html and not request.url.path.startswith("/api/"):
        return ui_errors.on_http_error(request, error)
    return problems.on_http_error(request, error)


def create_app(
    *,
    demo: bool = False,
    settings: Settings | None = None,
    plugin_manager: RapportPluginManager | None = None,
    pooled: bool = True,
    debug: bool = False,
) -> Litestar:
    """Build the app. ``demo`` loads the demo firm on start-up (once; it is idempotent).
    ``pooled=False`` skips the PostgreSQL connection pool, whose connections belong to one
    event loop: tests drive the app from a second loop."""
    settings = settings or get_settings()
    pm = plugin_manager or get_plugin_manager()
    handlers: list[Any] = []
    pm.hook.register_routes(register=handlers.append)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = db.current_engine()
        await db.migrate()
        if demo:
            from rapport_core.demo import load_demo

            await load_demo(today=dt.date.today())
        if not pooled:
            yield
            return
        await db.open_pool(engine)
        try:
            yield
        finally:
            await db.close_pool(engine)

    templates = TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine)
    return Litestar(
        route_handlers=[
            *handlers,
            create_static_files_router(
                path="/static", directories=[HERE / "static"], include_in_schema=False
            ),
        ],
        lifespan=[lifespan, daily_evaluation],
        middleware=[
            CookieBackendConfig(
                secret=_key(settings, "session"), httponly=True, samesite="lax"
            ).middleware
        ],
        csrf_config=CSRFConfig(
            secret=_key(settings, "csrf").hex(),
            exclude=["^/api/"],
            cookie_httponly=False,
            cookie_samesite="lax",
        ),
        template_config=templates,
        exception_handlers={
            **problems.EXCEPTION_HANDLERS,
            HTTPException: _on_http_error,
            LoginRequired: _on_login_required,
        },
        openapi_config=OpenAPIConfig(
            title="Rapport",
            version=__version__,
            description="Referral relationships for regulated professionals. "
            "Authenticate with `Authorization: Bearer <token>`.",
            path="/schema",
        ),
        debug=debug,
    )


def app_from_environment() -> Litestar:
    """Factory for ``uvicorn --factory`` (used by ``rapport serve``)."""
    import os

    return create_app(demo=bool(os.environ.get("RAPPORT_SERVE_DEMO")))
