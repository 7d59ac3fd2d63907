"""The web UI: server-rendered pages for people, signed in with a session cookie."""

from litestar import Router
from litestar.di import Provide

from rapport_server.auth import session_actor
from rapport_server.ui import (
    agreements,
    audit,
    compliance,
    crm,
    importing,
    money,
    network,
    pipeline,
    suggestions,
    tax,
)
from rapport_server.ui.errors import UI_EXCEPTION_HANDLERS
from rapport_server.ui.home import home
from rapport_server.ui.partners import PartnerPages
from rapport_server.ui.referrals import ReferralPages
from rapport_server.ui.rendering import signed_in
from rapport_server.ui.session import SessionController

ui_router = Router(
    path="/",
    route_handlers=[
        SessionController,
        home,
        PartnerPages,
        ReferralPages,
        *pipeline.PAGES,
        *network.PAGES,
        *money.PAGES,
        *tax.PAGES,
        *compliance.PAGES,
        *agreements.PAGES,
        *audit.PAGES,
        *crm.PAGES,
        *importing.PAGES,
        *suggestions.PAGES,
    ],
    # Only pages that ask for `actor` or `me` require a signed-in session.
    dependencies={"actor": Provide(session_actor), "me": Provide(signed_in)},
    exception_handlers=UI_EXCEPTION_HANDLERS,
    include_in_schema=False,
)
