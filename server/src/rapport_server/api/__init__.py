"""The REST API under ``/api/v1``: bearer-token authenticated, scoped to the token's firm."""

from litestar import Router
from litestar.di import Provide

from rapport_server.api import (
    agreements,
    audit,
    compliance,
    crm,
    importing,
    insights,
    money,
    network,
    pipeline,
    suggestions,
    tax,
)
from rapport_server.api.activities import ActivityController
from rapport_server.api.me import MeController
from rapport_server.api.partners import LicenceController, PartnerController
from rapport_server.api.referrals import ReferralController
from rapport_server.api.settings import SettingsController
from rapport_server.auth import token_actor

api_router = Router(
    path="/api/v1",
    route_handlers=[
        MeController,
        PartnerController,
        LicenceController,
        ReferralController,
        ActivityController,
        SettingsController,
        *pipeline.CONTROLLERS,
        *insights.CONTROLLERS,
        *network.CONTROLLERS,
        *money.CONTROLLERS,
        *tax.CONTROLLERS,
        *compliance.CONTROLLERS,
        *agreements.CONTROLLERS,
        *audit.CONTROLLERS,
        *crm.CONTROLLERS,
        *importing.CONTROLLERS,
        *suggestions.CONTROLLERS,
    ],
    dependencies={"actor": Provide(token_actor)},
    tags=["api"],
)
