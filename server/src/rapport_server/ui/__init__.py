"""The web UI: server-rendered pages for people, signed in with a session cookie."""

from litestar import Router

from rapport_server.ui.session import SessionController

ui_router = Router(path="/", route_handlers=[SessionController], include_in_schema=False)
