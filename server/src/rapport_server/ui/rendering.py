"""Rendering pages: who is signed in, and the context every template receives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.di import NamedDependency
from litestar.response import Template
from rapport_core.actors import Actor
from rapport_core.schemas import FirmOut, UserOut
from rapport_core.services import firms

from rapport_server.auth import LoginRequired
from rapport_server.ui.format import TEMPLATE_FUNCTIONS
from rapport_server.ui.nav import main_nav


@dataclass(frozen=True)
class SignedIn:
    """The signed-in person as the top bar and the page's buttons need them."""

    actor: Actor
    user: UserOut
    firm: FirmOut

    @property
    def can_write(self) -> bool:
        """Whether to offer create/edit buttons; the services enforce the role either way."""
        return self.actor.role.can_write


async def signed_in(request: Request, actor: NamedDependency[Actor]) -> SignedIn:
    """The ``me`` dependency of UI pages."""
    user = await firms.get_user(actor.user_id) if actor.user_id else None
    if user is None:  # removed since session_actor looked: as good as signed out
        raise LoginRequired(request.url.path)
    me = SignedIn(actor=actor, user=user, firm=await firms.get_firm(actor.firm_id))
    # Kept for error pages, whose handlers cannot await the lookups again.
    request.state.signed_in = me
    return me


def render(
    template: str, me: SignedIn | None, *, status_code: int = 200, **context: Any
) -> Template:
    """A page with the top bar and main navigation for ``me``, and the formatting functions
    of :mod:`.format`."""
    return Template(
        template,
        context={**TEMPLATE_FUNCTIONS, "me": me, "main_nav": main_nav, **context},
        status_code=status_code,
    )
